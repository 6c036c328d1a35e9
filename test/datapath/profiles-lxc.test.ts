// The pod datapath under the 1.16 (v1.16.15) and 1.18 (v1.18.3) profiles on the seed cluster
// (scenarios/default.yaml, VXLAN, BPF host routing, socket LB): the lines that differ from
// v1.13.0 and from each other, each held to the release source named in the test.
// npm test runs these with CILIUM_TRACE_STRICT_CITATIONS=1: every frame must be defined by
// the running release where it says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../support/run-cli.js';
import { loadCluster } from '../../src/cli/cluster-source.js';
import { traceFlow, DEFAULT_SPORT } from '../../src/trace/run.js';
import type { NodeDatapath } from '../../src/node-state/node.js';

process.chdir(ROOT);
const SCENARIO = ['-f', 'scenarios/default.yaml'];

async function trace(profile: string, ...flow: string[]): Promise<{ lines: string[]; code: number; stdout: string }> {
  const run = await runCli([...SCENARIO, '--cilium', profile, ...flow]);
  assert.ok(!/internal error/.test(run.stderr), run.stderr);
  return { lines: run.stdout.split('\n').map((l) => l.trim()), code: run.code, stdout: run.stdout };
}

/** The lines, in this order (others may come between). */
function assertInOrder(lines: readonly string[], expected: readonly string[]): void {
  let at = 0;
  for (const e of expected) {
    const i = lines.indexOf(e, at);
    assert.notEqual(i, -1, `missing (after line ${at}): ${e}\n--- got:\n${lines.join('\n')}`);
    at = i + 1;
  }
}

describe('pod1 → pod3 icmp (VXLAN, other node)', () => {
  it('v1.18.3 bpf/lib/tailcall.h:78-82: slots 26 and 30 renumbered; bpf/lib/encap.h:13-117 chain; ipcache.go:184-186 flags=hastunnel', async () => {
    const { lines, code } = await trace('1.18', 'pod1', 'pod3');
    assert.equal(code, 0);
    assertInOrder(lines, [
      'cil_from_container  bpf/bpf_lxc.c:1492',
      'tail call cilium_calls_01703[7] (CILIUM_CALL_IPV4_FROM_LXC) → tail_handle_ipv4',
      'tail_ipv4_ct_egress: slot 30 (CILIUM_CALL_IPV4_CT_EGRESS) is not a tail call here — ENABLE_PER_PACKET_LB is off (socket LB handles services), so this runs inline',
      'tail_handle_ipv4_cont: slot 26 (CILIUM_CALL_IPV4_FROM_LXC_CONT) is not a tail call here — ENABLE_PER_PACKET_LB is off (socket LB handles services), so this runs inline',
      'lookup cilium_ipcache_v2 10.0.1.105/32 → identity=14753 encryptkey=0 tunnelendpoint=1.2.3.168 flags=hastunnel',
      'lookup cilium_policy_v2_01703 Egress: 14753 8/ICMP (prefix 24) → miss  (L3 lookup: exact identity, longest prefix of protocol and port)',
      'encap_and_redirect_lxc  bpf/lib/encap.h:108',
      'encap_and_redirect_with_nodeid  bpf/lib/encap.h:93',
      '__encap_and_redirect_with_nodeid  bpf/lib/encap.h:66',
      '__encap_with_nodeid4  bpf/lib/encap.h:13',
      // TO_OVERLAY before the tunnel key (encap.h@v1.18.3:35-38); the VNI is the source identity.
      'trace TRACE_TO_OVERLAY (to-overlay) identity 47204->14753 ifindex 5 state new',
      'ctx_set_encap_info4  bpf/lib/overloadable_skb.h:277',
      'bpf_tunnel_key: tunnel_id=47204 (source identity) remote_ipv4=1.2.3.168 tunnel_ttl=64',
    ]);
    assert.ok(!lines.some((l) => l.includes('cilium_tunnel_map')), 'v1.18.3 has no tunnel map');
    assert.ok(!lines.some((l) => l.startsWith('policy_clear_mark') || l.startsWith('policy_mark_skip')), 'no CB_POLICY marks in bpf_lxc.c@v1.18.3');
  });

  it('v1.18.3 bpf/bpf_overlay.c:697-753 (FROM_OVERLAY carries the VNI identity) and bpf/lib/local_delivery.h:97-200 (cil_lxc_policy via tail_call_policy)', async () => {
    const { lines } = await trace('1.18', 'pod1', 'pod3');
    assertInOrder(lines, [
      'cil_from_overlay  bpf/bpf_overlay.c:659',
      'get_id_from_tunnel_id  bpf/lib/common.h:177',
      'trace TRACE_FROM_OVERLAY (from-overlay) identity 47204->0 ifindex 5 state unknown',
      'ipv4_local_delivery  bpf/lib/local_delivery.h:200',
      'local_delivery  bpf/lib/local_delivery.h:109',
      'accept(ctx, ep->lxc_id): no bandwidth manager, so the stub returns CTX_ACT_OK',
      'local_delivery_fill_meta  bpf/lib/local_delivery.h:97',
      'cb[CB_SRC_LABEL]=47204 cb[CB_DELIVERY_REDIRECT]=1 cb[CB_FROM_HOST]=0 cb[CB_FROM_TUNNEL]=1 cb[CB_CLUSTER_ID_INGRESS]=0',
      'tail_call_policy  bpf/lib/local_delivery.h:38',
      'tail call cilium_call_policy[2910] (endpoint 2910) → cil_lxc_policy',
      'cil_lxc_policy  bpf/bpf_lxc.c:2246',
      'tail_ipv4_ct_ingress_policy_only: slot 29 (CILIUM_CALL_IPV4_CT_INGRESS_POLICY_ONLY) is not a tail call here — IPv4-only build: invoke_tailcall_if(ENABLE_IPV4 && ENABLE_IPV6) is a direct call',
      'trace TRACE_TO_LXC (to-endpoint) identity 47204->14753 endpoint 2910 ifindex 39 state new',
      'redirect_ep  bpf/lib/local_delivery.h:54',
      'ctx_get_ingress_ifindex(ctx) = 5 (not 0: the packet came in on a device), so redirect_peer',
      'from_tunnel: ctx_change_type(ctx, PACKET_HOST)',
    ]);
  });

  it('v1.16.15 pkg/datapath/loader/loader.go patchHostNetdevDatapath: the native device runs bpf_host.o, sections "tc" (bpf/include/bpf/ctx/skb.h __section_entry)', async () => {
    const { lines } = await trace('1.16', 'pod1', 'pod3');
    assertInOrder(lines, ['node1 / lxcdb54060a47de — tc ingress — bpf_lxc.o [tc]', 'node1 / eth0 — tc egress — bpf_host.o [tc]', 'node2 / cilium_vxlan — tc ingress — bpf_overlay.o [tc]']);
    const old = await trace('1.13', 'pod1', 'pod3');
    assertInOrder(old.lines, ['node1 / lxcdb54060a47de — tc ingress — bpf_lxc.o [from-container]', 'node1 / eth0 — tc egress — bpf_netdev_eth0.o [to-netdev]']);
  });

  it('v1.16.15 bpf/lib/common.h slots 25/29, encap.h:28-170 (tunnel endpoint from the ipcache), ipcache.go:157-159 ", flags=<none>"', async () => {
    const { lines, code } = await trace('1.16', 'pod1', 'pod3');
    assert.equal(code, 0);
    assertInOrder(lines, [
      'tail_ipv4_ct_egress: slot 29 (CILIUM_CALL_IPV4_CT_EGRESS) is not a tail call here — ENABLE_PER_PACKET_LB is off (socket LB handles services), so this runs inline',
      'tail_handle_ipv4_cont: slot 25 (CILIUM_CALL_IPV4_FROM_LXC_CONT) is not a tail call here — ENABLE_PER_PACKET_LB is off (socket LB handles services), so this runs inline',
      'lookup cilium_ipcache 10.0.1.105/32 → identity=14753 encryptkey=0 tunnelendpoint=1.2.3.168, flags=<none>',
      'lookup cilium_policy_01703 Egress: 14753 8/ICMP (prefix 24) → miss  (L3 lookup: exact identity, longest prefix of protocol and port)',
      'encap_and_redirect_lxc  bpf/lib/encap.h:131',
      '__encap_and_redirect_lxc  bpf/lib/encap.h:103',
      'encap_and_redirect_with_nodeid  bpf/lib/encap.h:83',
      '__encap_and_redirect_with_nodeid  bpf/lib/encap.h:60',
      '__encap_with_nodeid  bpf/lib/encap.h:28',
      'trace TRACE_TO_OVERLAY (to-overlay) identity 47204->14753 ifindex 5 state new',
      'ctx_set_encap_info  bpf/lib/overloadable_skb.h:264',
      'cil_from_overlay  bpf/bpf_overlay.c:577',
      'get_id_from_tunnel_id  bpf/lib/common.h:233',
      'trace TRACE_FROM_OVERLAY (from-overlay) identity 47204->0 ifindex 5 state unknown',
      'ipv4_local_delivery  bpf/lib/l3.h:156',
      'l3_local_delivery  bpf/lib/l3.h:73',
      'tail_call_policy  bpf/lib/maps.h:43',
      'tail call cilium_call_policy[2910] (endpoint 2910) → handle_policy',
      'handle_policy  bpf/bpf_lxc.c:2187',
      'redirect_ep  bpf/lib/common.h:1204',
    ]);
  });

  it('v1.13.0 keeps its own lines: slot 29, nodeid=, TO_OVERLAY after the key, FROM_OVERLAY identity 0', async () => {
    const { lines } = await trace('1.13', 'pod1', 'pod3');
    assertInOrder(lines, [
      'tail_ipv4_ct_egress: slot 29 (CILIUM_CALL_IPV4_CT_EGRESS) is not a tail call here — ENABLE_PER_PACKET_LB is off (socket LB handles services), so this runs inline',
      'lookup cilium_ipcache 10.0.1.105/32 → identity=14753 encryptkey=0 tunnelendpoint=1.2.3.168 nodeid=32012',
      '__encap_with_nodeid  bpf/lib/encap.h:116',
      'ctx_set_encap_info  bpf/lib/overloadable_skb.h:180',
      'trace TRACE_TO_OVERLAY (to-overlay) identity 47204->14753 ifindex 5 state new',
      'trace TRACE_FROM_OVERLAY (from-overlay) identity 0->0 ifindex 5 state unknown',
      'tail call cilium_call_policy[2910] (endpoint 2910) → handle_policy',
    ]);
  });
});

describe('pod1 → pod2 tcp/80 (same node)', () => {
  it('v1.16.15 bpf/lib/l3.h:73-124 l3_local_delivery with CB_FROM_TUNNEL; policy.h:298-306 policy_clear_mark still there', async () => {
    const { lines, code } = await trace('1.16', 'pod1', 'pod2', 'tcp/80');
    assert.equal(code, 0);
    assertInOrder(lines, [
      'policy_clear_mark  bpf/lib/policy.h:303',
      'ipv4_local_delivery  bpf/lib/l3.h:156',
      'l3_local_delivery  bpf/lib/l3.h:73',
      'cb[CB_SRC_LABEL]=47204 cb[CB_IFINDEX]=21 cb[CB_FROM_HOST]=0 cb[CB_FROM_TUNNEL]=0 cb[CB_CLUSTER_ID_INGRESS]=0',
      'tail call cilium_call_policy[505] (endpoint 505) → handle_policy',
      'ctx_get_ingress_ifindex(ctx) = 19 (not 0: the packet came in on a device), so redirect_peer',
    ]);
    assert.ok(!lines.includes('from_tunnel: ctx_change_type(ctx, PACKET_HOST)'), 'redirect_ep@v1.16.15 changes the type only for packets from the tunnel');
  });

  it('v1.18.3 bpf_lxc.c:1209-1213 ipv4_local_delivery(…, METRIC_EGRESS, …): no accept(), cil_lxc_policy in slot 505', async () => {
    const { lines, code } = await trace('1.18', 'pod1', 'pod2', 'tcp/80');
    assert.equal(code, 0);
    assertInOrder(lines, [
      'local_delivery  bpf/lib/local_delivery.h:109',
      'cb[CB_SRC_LABEL]=47204 cb[CB_DELIVERY_REDIRECT]=1 cb[CB_FROM_HOST]=0 cb[CB_FROM_TUNNEL]=0 cb[CB_CLUSTER_ID_INGRESS]=0',
      'tail call cilium_call_policy[505] (endpoint 505) → cil_lxc_policy',
      'cil_lxc_policy  bpf/bpf_lxc.c:2246',
      'lookup cilium_policy_v2_00505 Ingress: 47204 80/TCP (prefix 24) → miss  (L3 lookup: exact identity, longest prefix of protocol and port)',
      'trace TRACE_TO_LXC (to-endpoint) identity 47204->14753 endpoint 505 ifindex 21 state new',
    ]);
    assert.ok(!lines.some((l) => l.startsWith('accept(')), 'egress delivery from a pod skips the ingress rate limit');
  });
});

describe('pod1 → world (1.1.1.1)', () => {
  it('v1.16.15 bpf_lxc.c:1234-1262: DROP_NO_TUNNEL_ENDPOINT goes to maybe_pass_to_stack, fib_redirect_v4; tunnel.go:85-108 key without :0', async () => {
    const { lines, code } = await trace('1.16', 'pod1', '1.1.1.1');
    assert.equal(code, 0);
    assertInOrder(lines, [
      'lookup cilium_tunnel_map 1.1.1.0 → miss',
      "DROP_NO_TUNNEL_ENDPOINT: not in any node's pod CIDR, goto maybe_pass_to_stack (ENABLE_HOST_ROUTING: fib_redirect_v4)",
      'fib_redirect_v4  bpf/lib/fib.h:281',
      'trace TRACE_TO_NETWORK (to-network) identity 47204->2 ifindex 2 state new',
    ]);
  });

  it('v1.18.3 bpf_lxc.c:1281-1316: without flag_has_tunnel_ep no encapsulation, fib_redirect_v4', async () => {
    const { lines, code } = await trace('1.18', 'pod1', '1.1.1.1');
    assert.equal(code, 0);
    assertInOrder(lines, [
      'lookup cilium_ipcache_v2 1.1.1.1/32 → identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>  (longest prefix match 0.0.0.0/0)',
      'ipcache entry 0.0.0.0/0 has no flag_has_tunnel_ep: not encapsulated',
      'fib_redirect_v4  bpf/lib/fib.h:267',
      'trace TRACE_TO_NETWORK (to-network) identity 47204->2 ifindex 2 state new',
    ]);
    assert.ok(!lines.some((l) => l.startsWith('encap_and_redirect_lxc')));
  });

  it('v1.13.0 bpf_lxc.c: DROP_NO_TUNNEL_ENDPOINT goes straight to pass_to_stack', async () => {
    const { lines } = await trace('1.13', 'pod1', '1.1.1.1');
    assertInOrder(lines, ['lookup cilium_tunnel_map 1.1.1.0 → miss', "DROP_NO_TUNNEL_ENDPOINT: not in any node's pod CIDR, goto pass_to_stack", 'trace TRACE_TO_STACK (to-stack) identity 47204->2 ifindex 0 state new']);
  });
});

describe('pod1 → its node (node:node1)', () => {
  for (const profile of ['1.16', '1.18']) {
    it(`${profile}: bpf_lxc.c ENDPOINT_F_HOST goes to pass_to_stack, identity mark and TO_STACK`, async () => {
      const { lines, code } = await trace(profile, 'pod1', 'node:node1');
      assert.equal(code, 0);
      assertInOrder(lines, [
        `lookup cilium_lxc 1.2.3.167:0 → (localhost)`,
        'ENDPOINT_F_HOST: goto to_host; no host firewall, so goto pass_to_stack',
        'set_identity_mark: skb->mark 0xb8640f00 (MARK_MAGIC_IDENTITY, identity 47204)',
        'trace TRACE_TO_STACK (to-stack) identity 47204->1 ifindex 0 state new',
      ]);
    });
  }
});

describe('a missing policy program', () => {
  function withoutPolicyProgram(profile: string): ReturnType<typeof traceFlow> {
    const cluster = loadCluster({ file: ['scenarios/default.yaml'], cilium: profile });
    const node = cluster.datapath.nodes.get('node1') as NodeDatapath;
    node.maps.progArrays.get('cilium_call_policy')?.delete(505);
    const pod = (name: string) => cluster.scenario.pods.find((p) => p.name === name)!;
    return traceFlow(cluster, { src: { kind: 'pod', ip: pod('pod1').ip }, dstIp: pod('pod2').ip, proto: 'tcp', dport: 80, sport: DEFAULT_SPORT, traceArp: false });
  }

  it('v1.16.15 bpf/lib/maps.h:43-58 tail_call_policy: DROP_EP_NOT_READY (203)', () => {
    const r = withoutPolicyProgram('1.16');
    assert.equal(r.verdict, 'DROPPED');
    assert.equal(r.drop?.code, 203);
    assert.equal(r.drop?.macro, 'DROP_EP_NOT_READY');
    assert.equal(r.drop?.fn, 'tail_call_policy');
    assert.equal(r.drop?.file, 'bpf/lib/maps.h');
  });

  it('v1.18.3 bpf/lib/local_delivery.h:38-52 tail_call_policy: DROP_EP_NOT_READY (203)', () => {
    const r = withoutPolicyProgram('1.18');
    assert.equal(r.drop?.code, 203);
    assert.equal(r.drop?.file, 'bpf/lib/local_delivery.h');
  });

  it('v1.13.0 bpf/lib/l3.h ipv4_local_delivery: DROP_MISSED_TAIL_CALL (140)', () => {
    const r = withoutPolicyProgram('1.13');
    assert.equal(r.drop?.code, 140);
  });
});

describe('maps per release', () => {
  async function maps(profile: string, map: string): Promise<{ out: string; code: number }> {
    const run = await runCli([...SCENARIO, '--cilium', profile, 'maps', map, '--node', 'node1']);
    assert.equal(run.stderr, '');
    return { out: run.stdout, code: run.code };
  }

  it('v1.18.3 pkg/node/manager/manager.go:770-787, 917-937: the remote pod CIDR is an ipcache entry, world (2), tunnel endpoint the node IP, flags=hastunnel', async () => {
    const { out } = await maps('1.18', 'ipcache');
    assert.match(out, /^10\.0\.1\.0\/24 +identity=2 encryptkey=0 tunnelendpoint=1\.2\.3\.168 flags=hastunnel +$/m);
    assert.doesNotMatch(out, /^10\.0\.0\.0\/24 /m, 'no entry for the node\'s own pod CIDR (!n.IsLocal())');
    assert.match(out, /^10\.0\.0\.157\/32 +identity=47204 encryptkey=0 tunnelendpoint=0\.0\.0\.0 flags=<none> +$/m);
  });

  it('v1.16.15 pkg/maps/ipcache/ipcache.go:157-159: ", flags=<none>", no pod CIDR entries', async () => {
    const { out } = await maps('1.16', 'ipcache');
    assert.match(out, /^10\.0\.1\.105\/32 +identity=14753 encryptkey=0 tunnelendpoint=1\.2\.3\.168, flags=<none> +$/m);
    assert.doesNotMatch(out, /\/24 /);
  });

  it('v1.16.15 pkg/maps/lxcmap/lxcmap.go:158-171 sec_id=; v1.18.3 lxcmap.go:163-177 parent_ifindex=', async () => {
    assert.match((await maps('1.16', 'endpoint')).out, /^10\.0\.0\.157:0 +id=1703  sec_id=47204 flags=0x0000 ifindex=19  mac=36:B0:81:DD:CB:53 nodemac=5A:E7:3B:D0:B8:C5 +$/m);
    assert.match((await maps('1.18', 'endpoint')).out, /^10\.0\.0\.157:0 +id=1703  sec_id=47204 flags=0x0000 ifindex=19  mac=36:B0:81:DD:CB:53 nodemac=5A:E7:3B:D0:B8:C5 parent_ifindex=0 +$/m);
  });

  it('v1.16.15 pkg/maps/tunnel/tunnel.go:85-108: key AddrCluster, value ip:key; v1.18.3 has no tunnel map (one line, exit 2)', async () => {
    assert.equal((await maps('1.16', 'tunnel')).out, 'TUNNEL     VALUE\n10.0.1.0   1.2.3.168:0   \n');
    const none = await runCli([...SCENARIO, '--cilium', '1.18', 'maps', 'tunnel', '--node', 'node1']);
    assert.equal(none.stdout, '');
    assert.equal(none.stderr, "cilium-trace: Cilium v1.18.3 has no tunnel map: remote pod CIDRs are ipcache entries with a tunnel endpoint (flag hastunnel), and cilium-dbg has no 'bpf tunnel list' (see maps ipcache)\n");
    assert.equal(none.code, 2);
  });

  it('v1.18.3 bpf/lib/tailcall.h + pkg/bpf/collection.go removeUnreachableTailcalls: the calls of an endpoint', async () => {
    const { out } = await maps('1.18', 'calls');
    const lxc = out.split('\n').filter((l) => l.startsWith('cilium_calls_01703['));
    assert.deepEqual(lxc, [
      'cilium_calls_01703[1] = tail_drop_notify',
      'cilium_calls_01703[6] = tail_handle_arp',
      'cilium_calls_01703[7] = tail_handle_ipv4',
      'cilium_calls_01703[13] = tail_ipv4_to_endpoint',
      'cilium_calls_01703[17] = tail_nodeport_rev_dnat_ipv4',
      'cilium_calls_01703[28] = tail_ipv4_ct_ingress',
    ]);
    assert.match(out, /^cilium_call_policy\[1703\] = cil_lxc_policy$/m);
    const devices = await runCli([...SCENARIO, '--cilium', '1.18', 'devices', '--node', 'node1', '--calls']);
    assert.match(devices.stdout, /^prog arrays \(map\[slot\] = program\):\n\(cilium_calls_\* hold CILIUM_CALL_SIZE = 48 slots at v1\.18\.3, bpf\/lib\/tailcall\.h; the loader fills only these\)\n/m);
  });

  it('v1.16.15 bpf/lib/common.h slots: tail_nodeport_rev_dnat_ingress_ipv4 in 17, tail_ipv4_ct_ingress in 27, no unreachable 38 in bpf_lxc', async () => {
    const { out } = await maps('1.16', 'calls');
    const lxc = out.split('\n').filter((l) => l.startsWith('cilium_calls_01703['));
    assert.deepEqual(lxc, [
      'cilium_calls_01703[1] = __send_drop_notify',
      'cilium_calls_01703[6] = tail_handle_arp',
      'cilium_calls_01703[7] = tail_handle_ipv4',
      'cilium_calls_01703[13] = tail_ipv4_to_endpoint',
      'cilium_calls_01703[17] = tail_nodeport_rev_dnat_ingress_ipv4',
      'cilium_calls_01703[27] = tail_ipv4_ct_ingress',
    ]);
    assert.match(out, /^cilium_calls_hostns_00554\[47\] = tail_no_service_ipv4$/m);
  });
});

describe('devices per release', () => {
  it('v1.16.15 pkg/datapath/loader/tc.go:108-138: legacy tc filter named <program>-<device> on a kernel without tcx, the assumption stated', async () => {
    const run = await runCli([...SCENARIO, '--cilium', '1.16', 'devices', '--node', 'node1']);
    assert.equal(run.code, 0);
    const lines = run.stdout.split('\n');
    assert.match(lines[0] ?? '', /^# Cilium v1\.16\.15: enable-tcx=true \(pkg\/datapath\/loader\/tc\.go\); kernel 6\.0 assumed .*no tcx before Linux 6\.6/);
    const veth = lines.find((l) => l.includes(' cil_from_container-lxcdb54060a47de ')) ?? '';
    assert.match(veth, /^filter protocol all pref 1 bpf chain 0 handle 0x1 cil_from_container-lxcdb54060a47de direct-action not_in_hw id \d+ name cil_from_contai tag [0-9a-f]{16} jited$/);
    // seed 000 pinned id 1703 / tag 7bd3467ce6274e22 from a v1.13.0 node: not this release's program.
    assert.doesNotMatch(veth, / id 1703 | tag 7bd3467ce6274e22 /);
    assert.ok(lines.some((l) => l.includes(' handle 0x1 cil_from_overlay-cilium_vxlan direct-action ')));
  });

  it('v1.18.3 tc.go attachSKBProgram with tcx (Linux 6.6+): tc filter show lists nothing, the view says so', async () => {
    const run = await runCli([...SCENARIO, '--cilium', '1.18', 'devices', '--node', 'node1', '--kernel', '6.8']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /\$ tc filter show dev lxcdb54060a47de ingress\n# cil_from_container \(id \d+\) is attached as a tcx\/ingress link, which tc filter show does not list\n/);
    assert.doesNotMatch(run.stdout, /^filter protocol/m);
  });

  it('a bad --kernel is a usage error (exit 2)', async () => {
    const run = await runCli([...SCENARIO, '--cilium', '1.18', 'devices', '--kernel', 'six']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--kernel takes a version such as 6\.0 or 6\.8 \(got 'six'\)/);
  });
});

describe('drop notification (world → app1 tcp/8080, denied by l3-rule)', () => {
  async function dropLines(profile: string): Promise<string[]> {
    const run = await runCli(['--scenario', 'l3-policy', '--cilium', profile, '1.2.3.4', 'app1', 'tcp/8080']);
    assert.equal(run.code, 1, run.stderr);
    return run.stdout.split('\n').map((l) => l.trim());
  }

  it('v1.18.3 bpf/lib/drop.h:62 tail_drop_notify in slot 1 (__declare_tail(CILIUM_CALL_DROP_NOTIFY)), _send_drop_notify at :125, tail_ipv4_policy drop_err at bpf_lxc.c:2135', async () => {
    assertInOrder(await dropLines('1.18'), [
      '_send_drop_notify  bpf/lib/drop.h:125',
      'called from tail_ipv4_policy bpf/bpf_lxc.c:2135: cb[0]=2 cb[1]=40026 cb[2]=133 cb[3]=2173 cb[4]=exitcode|file<<8|line<<16',
      'tail call cilium_calls_02173[1] (CILIUM_CALL_DROP_NOTIFY) → tail_drop_notify',
      'tail_drop_notify  bpf/lib/drop.h:62',
    ]);
  });

  it('v1.16.15 bpf/lib/drop.h:52 __send_drop_notify, _send_drop_notify at :97 (the DROP_NOTIFY definition)', async () => {
    assertInOrder(await dropLines('1.16'), [
      '_send_drop_notify  bpf/lib/drop.h:97',
      'tail call cilium_calls_02173[1] (CILIUM_CALL_DROP_NOTIFY) → __send_drop_notify',
      '__send_drop_notify  bpf/lib/drop.h:52',
    ]);
  });
});
