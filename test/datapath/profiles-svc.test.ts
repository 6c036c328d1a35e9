// Services, NodePort, host and masquerading traces under the 1.16 (v1.16.15) and 1.18 (v1.18.3)
// profiles, held to the release source: each test names the file and line it reflects
// (git show 7513067408:<file> for v1.16.15, c160168901:<file> for v1.18.3).
// Traces that stop before other parts of the datapath run in-process under the suite's strict
// citations; the longer ones run the CLI in a child process without strict citations (their
// pod-side steps belong to other parts of the model) and check here that every step in the
// files of services, NodePort, NAT, conntrack, bpf_host and bpf_sock cites a line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/run-cli.js';

const BIN = join(ROOT, 'bin', 'cilium-trace.cjs');
const SERVICES = join(ROOT, 'scenarios', 'services.yaml');

/** scenarios/services.yaml without kube-proxy replacement: no socket LB, per-packet LB in bpf_lxc. */
const NO_KPR = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'cilium-trace-svc-'));
  const file = join(dir, 'services-no-kpr.yaml');
  const text = readFileSync(SERVICES, 'utf8')
    .replace('kubeProxyReplacement: true', 'kubeProxyReplacement: false')
    .replace('bpfHostRouting: true', 'bpfHostRouting: false')
    .replace('masquerade: bpf', 'masquerade: iptables');
  writeFileSync(file, text);
  return file;
})();

type Json = { [k: string]: unknown };
interface Step { readonly hop: string; readonly node: Json }

/** Every step of a JSON trace in order, with the hop (node/where) it belongs to. */
function steps(trace: Json): Step[] {
  const out: Step[] = [];
  const walk = (list: unknown, hop: string): void => {
    if (!Array.isArray(list)) return;
    for (const n of list as Json[]) {
      const h = n['hop'] as Json | undefined;
      const here = h ? `${String(h['node'])}/${String(h['where'])}` : hop;
      out.push({ hop: here, node: n });
      walk(n['steps'], here);
    }
  };
  walk(trace['steps'], '');
  return out;
}

const MINE = /^bpf\/(lib\/(nodeport|nodeport_egress|nat|lb|conntrack|fib)\.h|bpf_host\.c|bpf_sock\.c)$/;

/** `fn file:line` of the frames in this part's files. */
function frames(s: readonly Step[], hop?: string): string[] {
  return s.filter((x) => 'fn' in x.node && MINE.test(String(x.node['file'])) && (hop === undefined || x.hop === hop)).map((x) => `${String(x.node['fn'])} ${String(x.node['file'])}:${String(x.node['line'])}`);
}

/** The CLI in a child process without strict citations; -o json; both directions with --reply. */
function trace(profile: string, args: readonly string[]): { forward: Json; reply: Json | null; code: number } {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  delete env['CILIUM_TRACE_STRICT_CITATIONS'];
  const r = spawnSync(process.execPath, [BIN, '--cilium', profile, ...args, '-o', 'json'], { cwd: ROOT, encoding: 'utf8', env });
  assert.equal(r.stderr, '', r.stderr);
  const j = JSON.parse(r.stdout) as Json;
  const both = 'forward' in j;
  const result = { forward: (both ? j['forward'] : j) as Json, reply: both ? (j['reply'] as Json | null) : null, code: r.status ?? -1 };
  for (const t of [result.forward, result.reply]) {
    if (!t) continue;
    const uncited = steps(t).filter((x) => 'fn' in x.node && MINE.test(String(x.node['file'])) && x.node['line'] === null);
    assert.deepEqual(uncited.map((x) => `${String(x.node['fn'])} ${String(x.node['file'])}`), [], 'every frame in these files cites the release');
  }
  return result;
}

const notes = (s: readonly Step[]) => s.flatMap((x) => (typeof x.node['note'] === 'string' ? [x.node['note'] as string] : []));
const lookups = (s: readonly Step[], map: string) => s.flatMap((x) => (x.node['map'] === map && 'key' in x.node ? [`${String(x.node['key'])} → ${String(x.node['result'])}`] : []));
const tails = (s: readonly Step[]) => s.flatMap((x) => (x.node['tail_call'] ? [x.node['tail_call'] as Json] : []));
const inlined = (s: readonly Step[]) => s.flatMap((x) => (x.node['inlined'] ? [x.node['inlined'] as Json] : []));

// ---- a Service without backends ---------------------------------------------------------

test('v1.16.15 bpf/bpf_lxc.c:117-124 + bpf/lib/lb.h:1919 tail_no_service_ipv4: per-packet LB answers a Service without backends with ICMP port unreachable, no drop event, exit 1', async () => {
  const run = await runCli(['--cilium', '1.16', '-f', NO_KPR, 'pod1', 'svc:empty', 'tcp/80', '-o', 'json']);
  assert.equal(run.code, 1);
  const j = JSON.parse(run.stdout) as Json;
  assert.equal(j['verdict'], 'DROPPED');
  assert.equal(j['drop_reason'], null, 'no drop reason: nothing is dropped with a notification');
  assert.deepEqual(j['refused'], { syscall: 'connect', errno: 'ECONNREFUSED', code: -111, function: 'tail_no_service_ipv4', file: 'bpf/lib/lb.h', node: 'node1', icmp: 'ICMP type 3 code 3 (port unreachable) 10.96.0.40 → 10.0.0.157' });
  const s = steps(j);
  assert.deepEqual(tails(s).at(-1), { map: 'cilium_calls_01703', slot: 47, slot_name: 'CILIUM_CALL_IPV4_NO_SERVICE', program: 'tail_no_service_ipv4' });
  assert.deepEqual(frames(s).slice(-2), ['tail_no_service_ipv4 bpf/lib/lb.h:1919', '__tail_no_service_ipv4 bpf/lib/lb.h:1811']);
  // lb.h:1620-1628 (v1.16.15 lb4_local): the CT_SERVICE lookup comes first, count == 0 only under CT_NEW.
  assert.deepEqual(frames(s).filter((f) => /lb4_|ct_/.test(f)), ['lb4_extract_tuple bpf/lib/lb.h:1217', 'lb4_fill_key bpf/lib/lb.h:1195', 'lb4_lookup_service bpf/lib/lb.h:1283', 'lb4_local bpf/lib/lb.h:1593', 'ct_lazy_lookup4 bpf/lib/conntrack.h:893']);
  assert.ok(!s.some((x) => 'drop' in x.node), 'no drop node');
});

test('v1.18.3 bpf/lib/tailcall.h CILIUM_CALL_IPV4_NO_SERVICE is slot 45 and lb.h:2141 tail_no_service_ipv4 rejects; the key carries /TCP (__lb4_lookup_service, lb.h:1431)', async () => {
  const run = await runCli(['--cilium', '1.18', '-f', NO_KPR, 'pod1', 'svc:empty', 'tcp/80', '-o', 'json']);
  assert.equal(run.code, 1);
  const s = steps(JSON.parse(run.stdout) as Json);
  assert.deepEqual(tails(s).at(-1), { map: 'cilium_calls_01703', slot: 45, slot_name: 'CILIUM_CALL_IPV4_NO_SERVICE', program: 'tail_no_service_ipv4' });
  assert.deepEqual(frames(s).slice(-2), ['tail_no_service_ipv4 bpf/lib/lb.h:2141', '__tail_no_service_ipv4 bpf/lib/lb.h:2036']);
  assert.ok(frames(s).includes('__lb4_lookup_service bpf/lib/lb.h:1431'));
  assert.deepEqual(lookups(s, 'cilium_lb4_services_v2'), ['10.96.0.40:80/TCP (slot 0) → 0.0.0.0:0 (2) (0) [ClusterIP, non-routable]']);
});

test('v1.13.0 bpf/lib/lb.h:1594-1595 lb4_local: the same Service without backends is DROP_NO_SERVICE (158), as before', async () => {
  const run = await runCli(['--cilium', '1.13', '-f', NO_KPR, 'pod1', 'svc:empty', 'tcp/80']);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /DROPPED — DROP_NO_SERVICE \(158\) "Service backend not found" \[SERVICE_BACKEND_NOT_FOUND\] in lb4_local \(egress\) on node1\n/);
});

for (const [profile, line, at] of [['1.13', 455, '463-465'], ['1.16', 411, '424-426'], ['1.18', 415, '425-427']] as const) {
  test(`${profile}: bpf/bpf_sock.c:${at} cil_sock4_connect: socket LB refuses a Service without backends with -EHOSTUNREACH in every release`, async () => {
    const run = await runCli(['--cilium', profile, '-f', SERVICES, 'pod1', 'svc:empty', 'tcp/80', '-o', 'json']);
    assert.equal(run.code, 1);
    const j = JSON.parse(run.stdout) as Json;
    assert.deepEqual(j['refused'], { syscall: 'connect', errno: 'EHOSTUNREACH', code: -113, function: 'cil_sock4_connect', file: 'bpf/bpf_sock.c', node: 'node1' });
    const s = steps(j);
    assert.equal(frames(s)[0], `cil_sock4_connect bpf/bpf_sock.c:${line}`);
    assert.ok(notes(s).some((n) => n.startsWith(`try_set_retval(-EHOSTUNREACH), return SYS_REJECT (bpf_sock.c:${at})`)));
  });
}

// ---- ClusterIP ------------------------------------------------------------------------------

test('v1.18.3 bpf/bpf_sock.c:287 + lb.h:1431-1446: socket LB looks ClusterIP 10.96.0.10:80 up keyed by TCP; the backend slot key keeps the protocol', () => {
  const { forward } = trace('1.18', ['-f', SERVICES, 'pod1', 'svc:web', 'tcp/80']);
  const s = steps(forward);
  assert.deepEqual(frames(s, 'node1/default/pod1 socket').slice(0, 4), ['cil_sock4_connect bpf/bpf_sock.c:415', '__sock4_xlate_fwd bpf/bpf_sock.c:252', 'lb4_lookup_service bpf/lib/lb.h:1449', '__lb4_lookup_service bpf/lib/lb.h:1431']);
  assert.deepEqual(lookups(s, 'cilium_lb4_services_v2'), ['10.96.0.10:80/TCP (slot 0) → 0.0.0.0:0 (3) (0) [ClusterIP, non-routable]', '10.96.0.10:80/TCP (slot 1) → 10.0.0.243:80/TCP (3) (1)']);
  assert.deepEqual(lookups(s, 'cilium_lb4_backends_v3'), ['1 → TCP://10.0.0.243']);
});

test('v1.16.15 pkg/maps/lbmap/lbmap.go:82 (u8proto.ANY): socket LB keys ClusterIP 10.96.0.10:80 without a protocol; the backend is ANY://', () => {
  const { forward } = trace('1.16', ['-f', SERVICES, 'pod1', 'svc:web', 'tcp/80']);
  const s = steps(forward);
  assert.deepEqual(lookups(s, 'cilium_lb4_services_v2'), ['10.96.0.10:80 (slot 0) → 0.0.0.0:0 (3) (0) [ClusterIP, non-routable]', '10.96.0.10:80 (slot 1) → 10.0.0.243:80 (3) (1)']);
  assert.deepEqual(lookups(s, 'cilium_lb4_backends_v3'), ['1 → ANY://10.0.0.243']);
  assert.ok(!frames(s).some((f) => f.startsWith('__lb4_lookup_service')), 'no __lb4_lookup_service at v1.16.15');
});

test('v1.16.15 bpf/bpf_lxc.c:90-117 per-packet LB: lb4_extract_tuple, lb4_fill_key (proto 0), lb4_local with ct_lazy_lookup4 first; the CT_SERVICE entry prints as SVC with BackendID (pkg/maps/ctmap/types.go:267-271, 630)', () => {
  const { forward } = trace('1.16', ['-f', NO_KPR, 'pod1', 'svc:web', 'tcp/80']);
  const s = steps(forward);
  assert.deepEqual(frames(s).slice(0, 10), [
    'lb4_extract_tuple bpf/lib/lb.h:1217', 'lb4_fill_key bpf/lib/lb.h:1195', 'lb4_lookup_service bpf/lib/lb.h:1283', 'lb4_local bpf/lib/lb.h:1593',
    'ct_lazy_lookup4 bpf/lib/conntrack.h:893', 'lb4_select_backend_id bpf/lib/lb.h:1344', 'lb4_lookup_backend_slot bpf/lib/lb.h:1325', 'lb4_lookup_backend bpf/lib/lb.h:1307',
    'ct_create4 bpf/lib/conntrack.h:1008', 'lb4_xlate bpf/lib/lb.h:1393',
  ]);
  const create = s.find((x) => x.node['ct_create'] && String((x.node['ct_create'] as Json)['key']).includes(' SVC '));
  assert.deepEqual(create?.node['ct_create'], { map: 'cilium_ct4_global', key: 'TCP SVC 10.0.0.157:43210 -> 10.96.0.10:80', value: 'expires=1060 Packets=0 Bytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=3 SourceSecurityID=0 IfIndex=0 BackendID=1' });
});

test('v1.18.3 pkg/maps/ctmap/types.go:618 (no IfIndex) and bpf/lib/lb.h:1351-1357 lb4_fill_key → lb4_key_set_protocol: per-packet LB keys by TCP', () => {
  const { forward } = trace('1.18', ['-f', NO_KPR, 'pod1', 'svc:web', 'tcp/80']);
  const s = steps(forward);
  assert.ok(notes(s).includes('key: 10.96.0.10:80, proto TCP (lb4_key_set_protocol)'));
  const create = s.find((x) => x.node['ct_create'] && String((x.node['ct_create'] as Json)['key']).includes(' SVC '));
  assert.equal((create?.node['ct_create'] as Json)['value'], 'expires=1060 Packets=0 Bytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=3 SourceSecurityID=0 BackendID=1');
});

// ---- NodePort -------------------------------------------------------------------------------

test('v1.16.15 bpf/lib/nodeport.h:2808 nodeport_svc_lb4 and :2674 tail_nodeport_nat_egress_ipv4: SNAT (__snat_v4_nat) before nodeport_add_tunnel_encap, with WORLD as tunnel identity', () => {
  const { forward } = trace('1.16', ['-f', SERVICES, '203.0.113.7', '1.2.3.168', 'tcp/30080', '--reply']);
  const s = steps(forward);
  assert.deepEqual(frames(s, 'node2/eth0').filter((f) => /^(nodeport|tail_nodeport|_*snat|lb4_local|ct_lazy|ct_create)/.test(f)), [
    'nodeport_lb4 bpf/lib/nodeport.h:2971', 'nodeport_svc_lb4 bpf/lib/nodeport.h:2808', 'lb4_local bpf/lib/lb.h:1593', 'ct_lazy_lookup4 bpf/lib/conntrack.h:893', 'ct_create4 bpf/lib/conntrack.h:1008',
    'ct_lazy_lookup4 bpf/lib/conntrack.h:893', 'ct_create4 bpf/lib/conntrack.h:1008',
    'tail_nodeport_nat_egress_ipv4 bpf/lib/nodeport.h:2674', '__snat_v4_nat bpf/lib/nat.h:752', 'snat_v4_nat_handle_mapping bpf/lib/nat.h:254', 'snat_v4_new_mapping bpf/lib/nat.h:180',
    '__snat_create bpf/lib/nat.h:63', '__snat_create bpf/lib/nat.h:63', 'snat_v4_rewrite_headers bpf/lib/nat.h:376', 'nodeport_add_tunnel_encap bpf/lib/nodeport.h:67',
  ]);
  assert.deepEqual(tails(s).filter((t) => t['map'] === 'cilium_calls_netdev_00002').map((t) => `${String(t['slot'])} ${String(t['program'])}`).slice(0, 2), ['7 tail_handle_ipv4_from_netdev', '15 tail_nodeport_nat_egress_ipv4']);
  const tp = s.find((x) => x.hop === 'node2/eth0' && x.node['trace_point'] && (x.node['trace_point'] as Json)['point'] === 'TRACE_TO_OVERLAY');
  assert.deepEqual(tp?.node['trace_point'], { point: 'TRACE_TO_OVERLAY', monitor: 'to-overlay', src_identity: 2, dst_identity: 14753, dst_endpoint: 0, ifindex: 5, reason: 'new' });
});

test('v1.16.15 bpf/lib/nodeport.h:2584-2660 tail_nodeport_nat_ingress_ipv4 calls nodeport_rev_dnat_ingress_ipv4 (:2423) directly on the reply, which leaves by fib_redirect (fib.h:180)', () => {
  const { reply } = trace('1.16', ['-f', SERVICES, '203.0.113.7', '1.2.3.168', 'tcp/30080', '--reply']);
  assert.ok(reply);
  const s = steps(reply);
  assert.deepEqual(inlined(s).filter((i) => i['slot'] === 17), [{ slot: 17, slot_name: 'CILIUM_CALL_IPV4_NODEPORT_REVNAT', program: 'nodeport_rev_dnat_ingress_ipv4', why: 'no host firewall in bpf_host: invoke_traced_tailcall_if calls it directly' }]);
  // No lb4_fill_key: nodeport_rev_dnat_ingress_ipv4 uses the tuple (v1.16.15 nodeport.h:2449-2465; lb4_fill_key only at :3000, nodeport_lb4).
  assert.deepEqual(frames(s, 'node2/cilium_vxlan').slice(-9), [
    'snat_v4_rev_nat bpf/lib/nat.h:904', 'snat_v4_rev_nat_handle_mapping bpf/lib/nat.h:330', 'snat_v4_rewrite_headers bpf/lib/nat.h:376',
    'nodeport_rev_dnat_ingress_ipv4 bpf/lib/nodeport.h:2423', 'lb4_extract_tuple bpf/lib/lb.h:1217', 'ct_lazy_lookup4 bpf/lib/conntrack.h:893',
    'lb4_rev_nat bpf/lib/lb.h:1180', 'fib_redirect bpf/lib/fib.h:180', 'maybe_add_l2_hdr bpf/lib/fib.h:27',
  ]);
  assert.equal(reply['verdict'], 'FORWARDED');
});

test('v1.18.3 bpf/lib/nodeport.h:2326 slot 17 is tail_nodeport_rev_dnat_ipv4, :2172 nodeport_rev_dnat_ipv4 is called directly from :2366; handle_nat_fwd lives in bpf/lib/nodeport_egress.h:730', () => {
  const { forward, reply } = trace('1.18', ['-f', SERVICES, '203.0.113.7', '1.2.3.168', 'tcp/30080', '--reply']);
  assert.ok(reply);
  const f = steps(forward);
  assert.ok(frames(f, 'node2/eth0').includes('tail_nodeport_nat_egress_ipv4 bpf/lib/nodeport.h:2457'));
  const s = steps(reply);
  assert.deepEqual(inlined(s).filter((i) => i['slot'] === 17).map((i) => i['program']), ['nodeport_rev_dnat_ipv4']);
  assert.ok(frames(s, 'node2/cilium_vxlan').includes('nodeport_rev_dnat_ipv4 bpf/lib/nodeport.h:2172'));
  assert.ok(frames(s).includes('handle_nat_fwd bpf/lib/nodeport_egress.h:730'));
  assert.ok(frames(s).includes('tail_handle_snat_fwd_ipv4 bpf/lib/nodeport_egress.h:435'));
});

test('v1.16.15 bpf/lib/nodeport.h:2905-2907 (CT_ENTRY_NODEPORT, conntrack.h:247-262): a NodePort to a local backend: the CT_EGRESS lookup with ct_lazy_lookup4 only matches node_port entries', () => {
  const { forward } = trace('1.16', ['-f', SERVICES, '203.0.113.7', '1.2.3.167', 'tcp/30080']);
  const s = steps(forward);
  const create = s.filter((x) => x.node['ct_create'] && String((x.node['ct_create'] as Json)['key']).startsWith('TCP OUT 203.0.113.7'));
  assert.equal((create[0]?.node['ct_create'] as Json)['value'], 'expires=1060 Packets=0 Bytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0020 [ NodePort ] RevNAT=5 SourceSecurityID=2 IfIndex=2 BackendID=0');
  assert.ok(notes(s).includes('backend 10.0.0.243 is local (endpoint 505): ctx_set_xfer(XFER_PKT_NO_SVC), continue in handle_ipv4'));
});

// ---- host, hostNetwork and masquerading ------------------------------------------------------

test('v1.16.15 bpf/lib/nat.h:520-671 snat_v4_needs_masquerade: pod1 → 8.8.8.8 is masqueraded to IPV4_MASQUERADE in bpf_host; __snat_create writes both entries (nat.h:63)', async () => {
  const run = await runCli(['--cilium', '1.16', '-f', SERVICES, 'pod1', '8.8.8.8', 'tcp/443', '-o', 'json']);
  assert.equal(run.code, 0);
  const s = steps(JSON.parse(run.stdout) as Json);
  assert.deepEqual(frames(s, 'node1/eth0').filter((f) => f.includes('nat.h')), [
    'snat_v4_needs_masquerade bpf/lib/nat.h:520', 'snat_v4_nat bpf/lib/nat.h:778', '__snat_v4_nat bpf/lib/nat.h:752', 'snat_v4_nat_handle_mapping bpf/lib/nat.h:254',
    'snat_v4_new_mapping bpf/lib/nat.h:180', '__snat_create bpf/lib/nat.h:63', '__snat_create bpf/lib/nat.h:63', 'snat_v4_rewrite_headers bpf/lib/nat.h:376',
  ]);
  assert.ok(notes(s).includes('ct_is_reply4, generated by DEFINE_FUNC_CT_IS_REPLY(4) at bpf/lib/conntrack.h:804'));
  assert.ok(notes(s).includes('local endpoint 10.0.0.157 to 8.8.8.8, not a reply: NAT_NEEDED, SNAT to IPV4_MASQUERADE 1.2.3.167'));
  const np = s.find((x) => x.node['fn'] === 'tail_handle_snat_fwd_ipv4');
  assert.ok(np);
  // nodeport.h:3205-3206: the observation point carries NATIVE_DEV_IFINDEX.
  const tp = s.find((x) => x.node['trace_point'] && (x.node['trace_point'] as Json)['point'] === 'TRACE_TO_NETWORK');
  assert.equal((tp?.node['trace_point'] as Json)['ifindex'], 2);
});

test('v1.16.15 bpf/lib/nat.h:551-555: the node\'s own connection is SNATed to itself with needs_ct, tracked by ct_lazy_lookup4 in snat_v4_nat_handle_mapping (nat.h:273-290)', async () => {
  const run = await runCli(['--cilium', '1.16', '-f', SERVICES, 'node:node1', '8.8.8.8', 'tcp/443', '--reply', '-o', 'json']);
  assert.equal(run.code, 0);
  const j = JSON.parse(run.stdout) as Json;
  const s = steps(j['forward'] as Json);
  assert.ok(notes(s).includes("saddr 1.2.3.167 == IPV4_MASQUERADE (the node's own connection; target->needs_ct = true): NAT_NEEDED, SNAT to IPV4_MASQUERADE 1.2.3.167"));
  assert.deepEqual(frames(s, 'node1/eth0').filter((f) => f.includes('snat_v4_nat_handle_mapping') || f.startsWith('ct_')), ['ct_has_nodeport_egress_entry4 bpf/lib/conntrack.h:1112', 'snat_v4_nat_handle_mapping bpf/lib/nat.h:254', 'ct_lazy_lookup4 bpf/lib/conntrack.h:893', 'ct_create4 bpf/lib/conntrack.h:1008']);
  assert.equal((j['reply'] as Json)['verdict'], 'FORWARDED');
});

test('v1.16.15 bpf/bpf_host.c:909-931 tail_handle_ipv4 continues in tail_handle_ipv4_cont_from_netdev (:903) without a host firewall; resolve_srcid_ipv4 (:537-574) keeps a remote node\'s identity', () => {
  const { forward } = trace('1.16', ['-f', SERVICES, '203.0.113.7', '1.2.3.168', 'tcp/30080']);
  const s = steps(forward);
  assert.deepEqual(frames(s, 'node1/eth0').filter((f) => f.includes('bpf_host.c')).slice(-4), ['handle_ipv4 bpf/bpf_host.c:585', 'tail_handle_ipv4_cont_from_netdev bpf/bpf_host.c:903', 'tail_handle_ipv4_cont bpf/bpf_host.c:881', 'handle_ipv4_cont bpf/bpf_host.c:672']);
  assert.deepEqual(inlined(s).filter((i) => i['slot'] === 44).map((i) => i['program']), ['tail_handle_ipv4_cont_from_netdev']);
  assert.ok(notes(s).includes('source identity 6 (identity_from_ipcache_ok(): the ipcache identity, reserved or not)'));
});
