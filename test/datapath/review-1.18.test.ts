// The 1.16/1.18 profiles held to the v1.18.3 (c160168901) and v1.16.15 (7513067408) source after
// the expert re-read (review of the 1.18 traces): one test per fixed finding, named after the
// source line it reflects. Runs the CLI in-process and reads exact trace lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, ROOT } from '../support/run-cli.js';

process.chdir(ROOT);

async function out(...args: string[]): Promise<string[]> {
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n');
}
const grep = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).map((l) => l.trim());

test('v1.18.3 bpf/bpf_host.c:1132-1156 do_netdev traces from-network after resolve_srcid_ipv4, with ipcache_srcid (6 for the peer node)', async () => {
  const lines = await out('pod1', 'pod3', 'icmp', '--cilium', '1.18');
  const at = lines.findIndex((l) => l.includes('trace TRACE_FROM_NETWORK'));
  assert.ok(at > 0);
  assert.equal(lines[at]?.trim(), 'trace TRACE_FROM_NETWORK (from-network) identity 6->0 ifindex 2 state unknown');
  assert.ok(lines.slice(0, at).some((l) => l.includes('resolve_srcid_ipv4')), 'resolve_srcid_ipv4 runs first');
});

test('v1.18.3 bpf/bpf_host.c:1155 the external client of a NodePort is traced as world (2)', async () => {
  const lines = await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', '1.18');
  assert.equal(grep(lines, /trace TRACE_FROM_NETWORK/)[0], 'trace TRACE_FROM_NETWORK (from-network) identity 2->0 ifindex 2 state unknown');
});

test('v1.16.15 bpf/bpf_host.c:1147 do_netdev traces from-network first, with identity 0', async () => {
  const lines = await out('pod1', 'pod3', 'icmp', '--cilium', '1.16');
  const at = lines.findIndex((l) => l.includes('trace TRACE_FROM_NETWORK'));
  assert.equal(lines[at]?.trim(), 'trace TRACE_FROM_NETWORK (from-network) identity 0->0 ifindex 2 state unknown');
  assert.ok(lines.slice(at).some((l) => l.includes('resolve_srcid_ipv4')), 'resolve_srcid_ipv4 runs after');
});

const creates = (lines: string[]) => lines.flatMap((l, i) => (l.trim().startsWith('create ') ? [`${l.trim()} | ${lines[i + 1]?.trim() ?? ''}`] : []));

test('v1.18.3 bpf/lib/conntrack.h:1058-1082 ct_create4 writes the related ICMP entry before the main one; no CONNTRACK_ACCOUNTING (pkg/defaults/defaults.go:553): Packets=0 Bytes=0, no SeenNonSyn', async () => {
  const c = creates(await out('pod1', 'pod3', 'icmp', '--cilium', '1.18'));
  assert.match(c[0] ?? '', /^create cilium_ct_any4_global ICMP OUT 10\.0\.0\.157:0 -> 10\.0\.1\.105:0 related \| expires=1060 Packets=0 Bytes=0 .* Flags=0x0000 \[ \] /);
  assert.match(c[1] ?? '', /^create cilium_ct_any4_global ICMP OUT 10\.0\.0\.157:1 -> 10\.0\.1\.105:0 \| expires=1060 Packets=0 Bytes=0 /);
  for (const l of c) assert.match(l, /Packets=0 Bytes=0 /);
});

test('v1.16.15 bpf/lib/conntrack.h:1030-1055 (related first) and daemon/cmd/daemon_main.go:1338 (ConntrackAccounting false)', async () => {
  const c = creates(await out('pod1', 'pod3', 'tcp/80', '--cilium', '1.16'));
  assert.match(c[0] ?? '', /^create cilium_ct_any4_global ICMP OUT 10\.0\.0\.157:0 -> 10\.0\.1\.105:0 related \| expires=1060 Packets=0 Bytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxFlagsSeen=0x02 .*Flags=0x0000 \[ \] /);
  assert.match(c[1] ?? '', /^create cilium_ct4_global TCP OUT 10\.0\.0\.157:43210 -> 10\.0\.1\.105:80 \| expires=1060 Packets=0 Bytes=0 /);
});

test('v1.18.3 lb.h:1863 / nodeport.h:2714: the SVC and the NodePort CT_EGRESS entries are both Packets=0 Bytes=0', async () => {
  const c = creates(await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', '1.18')).filter((l) => l.startsWith('create cilium_ct'));
  assert.ok(c.some((l) => / SVC /.test(l)) && c.some((l) => /TCP OUT /.test(l)));
  for (const l of c) assert.match(l, /Packets=0 Bytes=0 /, l);
});

test('v1.13.0 bpf/lib/conntrack.h:1007 ct_create4 writes the main entry first, counted, then the related one with seen_non_syn', async () => {
  const c = creates(await out('pod1', 'pod3', 'icmp', '--cilium', '1.13'));
  assert.match(c[0] ?? '', /^create \S+ ICMP OUT 10\.0\.0\.157:1 -> 10\.0\.1\.105:0 \| .*TxPackets=1 TxBytes=98 /);
  assert.match(c[1] ?? '', /related \| .*Flags=0x0010 \[ SeenNonSyn \]/);
});

test('v1.18.3 bpf/bpf_lxc.c:2019 + conntrack.h:969: the ingress entries of tunnelled traffic carry FromTunnel (0x0400), main and related', async () => {
  const c = creates(await out('pod1', 'pod3', 'tcp/80', '--cilium', '1.18'));
  const ins = c.filter((l) => / IN 10\.0\.0\.157/.test(l));
  assert.equal(ins.length, 2);
  for (const l of ins) assert.match(l, /Flags=0x0400 \[ FromTunnel \] /);
  for (const l of c.filter((x) => / OUT /.test(x))) assert.match(l, /Flags=0x0000 \[ \] /);
});

test('v1.16.15 bpf/bpf_lxc.c:1964: FromTunnel on the ingress entry in the 1.16 profile too; not for a same-node pod', async () => {
  const c = creates(await out('pod1', 'pod3', 'tcp/80', '--cilium', '1.16'));
  assert.match(c.find((l) => /TCP IN /.test(l)) ?? '', /Flags=0x0400 \[ FromTunnel \] /);
  const local = creates(await out('pod1', 'pod2', 'icmp', '--cilium', '1.16'));
  assert.match(local.find((l) => /ICMP IN .*:1 /.test(l)) ?? '', /Flags=0x0000 \[ \] /);
});

test('v1.18.3 bpf/lib/common.h:561 + overloadable_skb.h:231-235: ctx_snat_done_set clears MARK_MAGIC_HOST_MASK and sets MARK_MAGIC_SNAT_DONE 0x0300', async () => {
  const lines = await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', '1.18');
  assert.deepEqual(grep(lines, /MARK_MAGIC_SNAT_DONE/), [
    'skb->mark 0x0000 → 0x0300 (&= ~MARK_MAGIC_HOST_MASK, |= MARK_MAGIC_SNAT_DONE 0x0300): later NAT hooks skip this packet',
    'ctx_snat_done: skb->mark 0x0300 carries MARK_MAGIC_SNAT_DONE, goto out',
  ]);
});

test('v1.16.15 bpf/lib/common.h:730 + overloadable_skb.h:228-237: the same 0x0300 mark in the 1.16 profile', async () => {
  const lines = await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', '1.16');
  assert.ok(grep(lines, /MARK_MAGIC_SNAT_DONE/).every((l) => l.includes('0x0300') && !l.includes('0x1500')));
  assert.ok(grep(lines, /→ 0x0300 \(&= ~MARK_MAGIC_HOST_MASK/).length > 0);
});

test('v1.13.0 bpf/lib/overloadable_skb.h:168-171: ctx_snat_done_set ORs 0x1500 in', async () => {
  const lines = await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', '1.13');
  assert.ok(grep(lines, /\(\|= MARK_MAGIC_SNAT_DONE\)/).some((l) => l.includes('→ 0x1500')));
});

test('v1.18.3 bpf/bpf_overlay.c:796, :844-850: cil_to_overlay reads snat_done before set_identity_mark; the note prints the mark it read', async () => {
  const lines = await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', '1.18');
  const note = lines.findIndex((l) => l.includes('ctx_snat_done: skb->mark'));
  assert.equal(lines[note]?.trim(), 'ctx_snat_done: skb->mark 0x0300 carries MARK_MAGIC_SNAT_DONE, goto out');
  assert.ok(lines.slice(0, note).some((l) => /MARK_MAGIC_OVERLAY/.test(l)), 'set_identity_mark ran before the check printed');
});

test('v1.18.3 bpf/bpf_lxc.c:2011-2017: ipv4_policy has no ct_has_nodeport_egress_entry4 without IPsec/SRv6', async () => {
  const lines = await out('pod1', 'pod3', 'tcp/80', '--cilium', '1.18');
  const policy = lines.slice(lines.findIndex((l) => l.trim().startsWith('ipv4_policy ')));
  const inPolicy = policy.slice(0, policy.findIndex((l) => l.trim().startsWith('create ')));
  assert.deepEqual(grep(inPolicy, /ct_has_nodeport_egress_entry4/), ['no ct_has_nodeport_egress_entry4: compiled only with ENABLE_IPSEC or ENABLE_SRV6 (hostport workaround, #32897); node_port stays 0']);
});

test('v1.16.15 bpf/bpf_lxc.c:1956-1960: the same lookup is IPsec-only in the 1.16 profile; v1.13.0 keeps it', async () => {
  assert.deepEqual(grep(await out('pod1', 'pod3', 'tcp/80', '--cilium', '1.16'), / no ct_has_nodeport_egress_entry4:/), ['no ct_has_nodeport_egress_entry4: compiled only with ENABLE_IPSEC (hostport workaround, #32897); node_port stays 0']);
  assert.ok(grep(await out('pod1', 'pod3', 'tcp/80', '--cilium', '1.13'), / ct_has_nodeport_egress_entry4 {2}bpf/).length > 0);
});

test('v1.18.3 bpf/lib/nodeport.h:2696-2705 + conntrack.h:885-887: nodeport_svc_lb4 looks the CT_EGRESS entry up once, SCOPE_FORWARD (TUPLE_F_OUT)', async () => {
  for (const v of ['1.18', '1.16']) {
    const lines = await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', v);
    const svc = lines.slice(lines.findIndex((l) => l.trim().startsWith('nodeport_svc_lb4 ')));
    const lazy = svc.slice(svc.findIndex((l) => l.includes('SCOPE_FORWARD')));
    assert.equal(lazy[0]?.trim(), 'lookup cilium_ct4_global TCP OUT 203.0.113.7:43210 -> 10.0.0.243:80 → miss  (SCOPE_FORWARD: original direction, TUPLE_F_OUT)', v);
    assert.ok(!lazy[1]?.includes('lookup cilium_ct4_global'), v);
    assert.ok(svc[svc.length - lazy.length - 1]?.trim().startsWith('ct_lazy_lookup4 '), 'the first line under ct_lazy_lookup4');
    assert.equal(grep(lines, /TCP IN 10\.0\.0\.243:80 -> 203\.0\.113\.7:43210 → miss/).length, 0, v);
  }
});

test('v1.18.3 bpf/lib/nodeport_egress.h:485-493: nodeport_rev_dnat_fwd_ipv4 goes from lb4_extract_tuple straight to nodeport_rev_dnat_get_info_ipv4 (no lb4_fill_key)', async () => {
  const lines = await out('pod1', 'pod3', 'tcp/80', '--cilium', '1.18');
  const at = lines.findIndex((l) => l.trim().startsWith('nodeport_rev_dnat_fwd_ipv4 '));
  assert.deepEqual(lines.slice(at + 1, at + 3).map((l) => l.trim().split(/\s+/)[0]), ['lb4_extract_tuple', 'nodeport_rev_dnat_get_info_ipv4']);
  assert.equal(grep(lines, /^lb4_fill_key /).length, 0);
});

test('v1.18.3 bpf/lib/nodeport_egress.h:487-490: an ICMP packet leaves nodeport_rev_dnat_fwd_ipv4 with return CTX_ACT_OK, no skip_service_lookup', async () => {
  const lines = await out('pod1', 'pod3', 'icmp', '--cilium', '1.18');
  assert.deepEqual(grep(lines, /DROP_UNSUPP_SERVICE_PROTO: not/).slice(0, 1), ['IPPROTO_ICMP: DROP_UNSUPP_SERVICE_PROTO: not a service protocol, return CTX_ACT_OK']);
  const fwd = lines.findIndex((l) => l.trim().startsWith('nodeport_rev_dnat_fwd_ipv4 '));
  assert.equal(lines[fwd + 2]?.trim(), 'IPPROTO_ICMP: DROP_UNSUPP_SERVICE_PROTO: not a service protocol, return CTX_ACT_OK');
});

test('v1.18.3 bpf/lib/nat.h:1133-1163: snat_v4_rev_nat punts an ICMP echo request by the ICMP-type switch default, not by snat_v4_rev_nat_can_skip', async () => {
  for (const v of ['1.18', '1.16']) {
    const lines = await out('pod1', 'pod3', 'icmp', '--cilium', v);
    assert.deepEqual(grep(lines, /ICMP_ECHO\)/), ['ICMP type 8 (ICMP_ECHO) is not ICMP_ECHOREPLY: switch (icmphdr.type) default: NAT_PUNT_TO_STACK'], v);
    assert.equal(grep(lines, /echo id 0 is outside/).length, 0, v);
  }
});

test('v1.18.3 bpf/lib/nat.h:1119: snat_v4_rev_nat_can_skip is for TCP/UDP only: the echo reply reaches snat_v4_rev_nat_handle_mapping; v1.16.15 nat.h:971 skips it by the id', async () => {
  const r18 = await out('pod1', 'pod3', 'icmp', '--reply', '--cilium', '1.18');
  assert.ok(grep(r18, /lookup cilium_snat_v4_external ICMP IN 10\.0\.1\.105:0 -> 10\.0\.0\.157:1 → miss/).length === 1);
  const r16 = await out('pod1', 'pod3', 'icmp', '--reply', '--cilium', '1.16');
  assert.ok(grep(r16, /snat_v4_rev_nat_can_skip: destination echo id 1 is outside \[32768, 65535\]/).length === 1);
});

test('v1.18.3 bpf/bpf_overlay.c:396: handle_ipv4 looks the inner source up in cilium_ipcache_v2 on every packet (used only for remote-node, :448-450)', async () => {
  const lines = await out('pod1', 'pod3', 'icmp', '--cilium', '1.18');
  const at = lines.findIndex((l) => l.includes('from cb[CB_SRC_LABEL] (cil_from_overlay read the VNI)'));
  assert.deepEqual(lines.slice(at + 1, at + 5).map((l) => l.trim()).filter((l) => !l.startsWith('↳')), [
    'lookup_ip4_remote_endpoint  bpf/lib/eps.h:131',
    'lookup cilium_ipcache_v2 10.0.0.157/32 → identity=47204 encryptkey=0 tunnelendpoint=1.2.3.167 flags=hastunnel',
    'the VNI identity 47204 is not remote-node: the ipcache identity is not used',
  ]);
});

test('v1.18.3 bpf/bpf_lxc.c:1195: handle_ipv4_from_lxc calls __lookup_ip4_endpoint (bpf/lib/eps.h:38); bpf_overlay keeps lookup_ip4_endpoint (eps.h:49)', async () => {
  const lines = await out('pod1', 'pod3', 'icmp', '--cilium', '1.18');
  const lxc = lines.slice(lines.findIndex((l) => l.trim().startsWith('handle_ipv4_from_lxc ')));
  assert.equal(lxc.find((l) => /lookup_ip4_endpoint /.test(l))?.trim(), '__lookup_ip4_endpoint  bpf/lib/eps.h:38');
  assert.ok(grep(lines, / lookup_ip4_endpoint {2}bpf\/lib\/eps\.h:49$/).length > 0);
});

test('v1.18.3 bpf/bpf_overlay.c:711 → bpf/lib/encap.h:223: cil_from_overlay reads the key through get_tunnel_key; cil_to_overlay calls ctx_get_tunnel_key directly (:836); v1.16.15 :636 directly', async () => {
  const lines = await out('pod1', 'pod3', 'icmp', '--cilium', '1.18');
  const from = lines.findIndex((l) => l.trim().startsWith('cil_from_overlay '));
  assert.deepEqual(lines.slice(from + 1, from + 3).map((l) => l.trim()), ['get_tunnel_key  bpf/lib/encap.h:223', 'ctx_get_tunnel_key  bpf/include/bpf/ctx/skb.h:47']);
  const to = lines.findIndex((l) => l.trim().startsWith('cil_to_overlay '));
  assert.equal(lines.slice(to + 1).find((l) => /get_tunnel_key/.test(l))?.trim(), 'ctx_get_tunnel_key  bpf/include/bpf/ctx/skb.h:47');
  assert.equal(grep(await out('pod1', 'pod3', 'icmp', '--cilium', '1.16'), / get_tunnel_key {2}/).length, 0);
});

test('v1.18.3 bpf/bpf_lxc.c:1498, :1512-1514: cil_from_container validates the ethertype before the from-endpoint trace; v1.16.15 :1462-1466 traces first', async () => {
  const first = (lines: string[]) => grep(lines, /validate_ethertype|trace TRACE_FROM_LXC/).slice(0, 2).map((l) => l.split(':')[0]?.split(' ')[0]);
  assert.deepEqual(first(await out('pod1', 'pod3', 'icmp', '--cilium', '1.18')), ['validate_ethertype', 'trace']);
  assert.deepEqual(first(await out('pod1', 'pod3', 'icmp', '--cilium', '1.16')), ['trace', 'validate_ethertype']);
});

test('v1.18.3 bpf/lib/overloadable_skb.h:283, 293-296: ctx_set_encap_info4 sets the key with TUNNEL_KEY_WITHOUT_SRC_IP (src_ip 0); v1.13.0 :197 sizeof(key)', async () => {
  for (const v of ['1.18', '1.16']) {
    const keys = grep(await out('pod1', 'pod3', 'icmp', '--cilium', v), /bpf_skb_set_tunnel_key/);
    assert.ok(keys.length > 0, v);
    for (const k of keys) assert.equal(k, 'bpf_skb_set_tunnel_key(ctx, &key, TUNNEL_KEY_WITHOUT_SRC_IP, BPF_F_ZERO_CSUM_TX) (src_ip 0: no local_ipv4)', v);
  }
  assert.deepEqual([...new Set(grep(await out('pod1', 'pod3', 'icmp', '--cilium', '1.13'), /bpf_skb_set_tunnel_key/))], ['bpf_skb_set_tunnel_key(ctx, &key, sizeof(key), BPF_F_ZERO_CSUM_TX)']);
});

test('v1.18.3 bpf/lib/nat.h:264-266: snat_v4_new_mapping bumps cilium_snat_v4_alloc_retries between the RevSNAT and the SNAT entry; not in v1.16.15', async () => {
  const lines = (await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', '1.18')).map((l) => l.trim());
  const at = lines.indexOf('lookup cilium_snat_v4_alloc_retries 0 → ++ (port allocation after 0 retries)  (the retries histogram)');
  assert.ok(at > 0);
  assert.match(lines[at - 2] ?? '', /^create cilium_snat_v4_external TCP IN /);
  assert.match(lines[at + 2] ?? '', /^create cilium_snat_v4_external TCP OUT /);
  assert.equal(grep(await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', '1.16'), /alloc_retries/).length, 0);
});
