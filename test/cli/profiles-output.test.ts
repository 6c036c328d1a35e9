// What the CLI prints per profile: `maps lb`, `maps ct`, `maps nat` in the format of the
// release's cilium-dbg (cilium at v1.13), `-o monitor` and `-o hubble` lines of a policy drop,
// and the drop reasons each release has. Each test names the Go or C source it reflects
// (v1.13.0 c9723a8df3, v1.16.15 7513067408, v1.18.3 c160168901).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { dropReasonAt, dropReasonByCode, dropReasonsAt } from '../../src/cilium/drop-reasons.js';
import { renderHubble } from '../../src/render/hubble.js';
import { renderMonitor } from '../../src/render/monitor.js';
import type { EventMeta, TraceNode, TraceResult } from '../../src/trace/tree.js';
import { ROOT, runCli } from '../support/run-cli.js';

const SERVICES = join(ROOT, 'scenarios', 'services.yaml');

async function out(argv: readonly string[]): Promise<string> {
  const r = await runCli(argv);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  return r.stdout;
}

// ---- maps lb ----------------------------------------------------------------------------

test('v1.13.0 cilium/cmd/bpf_lb_list.go: one key per frontend, slots below it', async () => {
  const lines = (await out(['--cilium', '1.13', 'maps', 'lb', '-f', SERVICES])).split('\n');
  assert.deepEqual(lines.slice(0, 4), [
    'SERVICE ADDRESS   BACKEND ADDRESS (REVNAT_ID) (SLOT)',
    '0.0.0.0:30080     0.0.0.0:0 (6) (0) [NodePort, non-routable]    ',
    '                  10.0.0.243:80 (6) (1)                         ',
    '                  10.0.1.105:80 (6) (2)                         ',
  ]);
});

test('v1.16.15 pkg/maps/lbmap/ipv4.go:250-258 Service4Key.String "VIP:port (slot)" and cilium-dbg/cmd/bpf_lb_list.go:104 "%s:%d (%d) (%d) [%s] %s": one row per slot, the master entry ends in a space', async () => {
  const lines = (await out(['--cilium', '1.16', 'maps', 'lb', '-f', SERVICES])).split('\n');
  assert.deepEqual(lines.slice(0, 4), [
    'SERVICE ADDRESS       BACKEND ADDRESS (REVNAT_ID) (SLOT)',
    '0.0.0.0:30080 (0)     0.0.0.0:0 (6) (0) [NodePort, non-routable]     ',
    '0.0.0.0:30080 (1)     10.0.0.243:80 (6) (1)                          ',
    '0.0.0.0:30080 (2)     10.0.1.105:80 (6) (2)                          ',
  ]);
});

test('v1.18.3 pkg/loadbalancer/maps/types.go:162-171 "VIP:port/PROTO (slot)" and cilium-dbg/cmd/bpf_lb_list.go "%s:%d/%s (%d) (%d)": the agent keys services and backends by TCP', async () => {
  const lines = (await out(['--cilium', '1.18', 'maps', 'lb', '-f', SERVICES])).split('\n');
  assert.deepEqual(lines.slice(0, 5), [
    'SERVICE ADDRESS           BACKEND ADDRESS (REVNAT_ID) (SLOT)',
    '0.0.0.0:30080/TCP (0)     0.0.0.0:0 (6) (0) [NodePort, non-routable]     ',
    '0.0.0.0:30080/TCP (1)     10.0.0.243:80/TCP (6) (1)                      ',
    '0.0.0.0:30080/TCP (2)     10.0.1.105:80/TCP (6) (2)                      ',
    '1.2.3.167:30080/TCP (0)   0.0.0.0:0 (5) (0) [NodePort]                   ',
  ]);
});

// ---- maps ct / maps nat ------------------------------------------------------------------

const AFTER = ['-f', SERVICES, '--after', 'node:node1 8.8.8.8 tcp/443'];

test('v1.13.0 pkg/maps/ctmap/types.go CtEntry.StringWithTimeDiff: RxPackets/RxBytes and TxPackets/TxBytes, IfIndex, no BackendID', async () => {
  assert.equal(await out(['--cilium', '1.13', 'maps', 'ct', ...AFTER]), 'TCP OUT 1.2.3.167:43210 -> 8.8.8.8:443 expires=1060 RxPackets=1 RxBytes=74 RxFlagsSeen=0x02 LastRxReport=1000 TxPackets=1 TxBytes=74 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=0 IfIndex=0 \n\n');
});

test('v1.16.15 pkg/maps/ctmap/types.go:630 "expires=%d%s Packets=%d Bytes=%d … IfIndex=%d BackendID=%d ": one counter pair, 0 without CONNTRACK_ACCOUNTING (daemon/cmd/daemon_main.go:1338)', async () => {
  assert.equal(await out(['--cilium', '1.16', 'maps', 'ct', ...AFTER]), 'TCP OUT 1.2.3.167:43210 -> 8.8.8.8:443 expires=1060 Packets=0 Bytes=0 RxFlagsSeen=0x02 LastRxReport=1000 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=0 IfIndex=0 BackendID=0 \n\n');
});

test('v1.18.3 pkg/maps/ctmap/types.go:618: no IfIndex (ct_entry.ifindex is reserved4 since v1.18)', async () => {
  assert.equal(await out(['--cilium', '1.18', 'maps', 'ct', ...AFTER]), 'TCP OUT 1.2.3.167:43210 -> 8.8.8.8:443 expires=1060 Packets=0 Bytes=0 RxFlagsSeen=0x02 LastRxReport=1000 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=0 BackendID=0 \n\n');
});

test('v1.13.0 pkg/maps/nat/ipv4.go NatEntry4.Dump: Created=%dsec HostLocal=%d', async () => {
  assert.equal(await out(['--cilium', '1.13', 'maps', 'nat', ...AFTER]), 'TCP IN 8.8.8.8:443 -> 1.2.3.167:43210 XLATE_DST 1.2.3.167:43210 Created=0sec HostLocal=1\nTCP OUT 1.2.3.167:43210 -> 8.8.8.8:443 XLATE_SRC 1.2.3.167:43210 Created=0sec HostLocal=1\n\n');
});

for (const profile of ['1.16', '1.18'] as const) {
  test(`${profile}: pkg/maps/nat/ipv4.go:44 "XLATE_%s %s:%d Created=%s NeedsCT=%d" with nat.go's "%dsec ago"; the node's own connection has needs_ct (nat.h snat_v4_needs_masquerade)`, async () => {
    assert.equal(await out(['--cilium', profile, 'maps', 'nat', ...AFTER]), 'TCP IN 8.8.8.8:443 -> 1.2.3.167:43210 XLATE_DST 1.2.3.167:43210 Created=0sec ago NeedsCT=1\nTCP OUT 1.2.3.167:43210 -> 8.8.8.8:443 XLATE_SRC 1.2.3.167:43210 Created=0sec ago NeedsCT=1\n\n');
  });
}

// ---- -o monitor / -o hubble of a policy drop ---------------------------------------------------

const EV: EventMeta = {
  node: 'node1', ifindex: 21, ifname: 'lxc1466f225c091',
  tuple: { src: '10.0.0.157', dst: '10.0.0.243', proto: 'tcp', sport: 43210, dport: 8080, icmpType: null, tcpFlags: 'SYN' },
  hash: 0x822ec8, source: 505, eth: { src: '5a:e7:3b:d0:b8:c5', dst: 'e6:5b:ce:77:aa:3d' },
};

/** A policy deny at pod2's ingress as bpf_lxc reports it: the verdict, then the drop its send_drop_notify sends. */
function policyDrop(cilium: string, line: number): TraceResult {
  const hops: TraceNode[] = [
    { kind: 'trace_point', point: 'TRACE_TO_LXC', monitor: 'to-endpoint', srcId: 47204, dstId: 14753, dstEp: 505, source: 505, ifindex: 21, reason: 'new', origIp: '10.0.0.157', ev: EV },
    { kind: 'policy', direction: 'ingress', endpoint: 505, remoteId: 47204, allowed: false, match: 'none', enforced: true, deny: false, verdict: -133, notify: true, provenance: [], ev: EV },
    { kind: 'drop', drop: { code: 133, macro: 'DROP_POLICY', name: 'POLICY_DENIED', text: 'Policy denied' }, fn: 'tail_ipv4_policy', file: 'bpf/bpf_lxc.c', direction: 'ingress', notifier: 'bpf/bpf_lxc.c', notifierFn: 'tail_ipv4_policy', notifyLine: line, notify: true, srcId: 47204, dstId: 14753, dstEp: 505, ev: EV },
  ];
  return {
    schema: 'cilium-trace/trace/v1', hops, verdict: 'DROPPED', drop: null, notSimulated: null, refused: null, explanation: null, delivered: null,
    packet: { proto: 'tcp', src: { ip: '10.0.0.157', node: 'node1', pod: 'default/pod1', service: null, identity: 47204 }, dst: { ip: '10.0.0.243', node: 'node1', pod: 'default/pod2', service: null, identity: 14753 }, sport: 43210, dport: 8080, icmpType: null },
    context: { cluster: 'services', profile: cilium.slice(1, 5), cilium, profileWhy: 'test', routing: 'tunnel vxlan:8472', hostRouting: 'BPF', socketLb: true, notes: [] },
    endpoints: [], services: [], identityOf: () => undefined, labelsOf: () => undefined,
  } as unknown as TraceResult;
}

test('v1.13.0 pkg/monitor/datapath_drop.go "file %d:%d" and datapath_policy.go without auth', () => {
  const lines = renderMonitor(policyDrop('v1.13.0', 1902)).split('\n');
  assert.equal(lines[1], 'Policy verdict log: flow 0x822ec8 local EP ID 505, remote ID 47204, proto 6, ingress, action deny, match none, 10.0.0.157:43210 -> 10.0.0.243:8080 tcp SYN');
  assert.equal(lines[2], 'xx drop (Policy denied) flow 0x822ec8 to endpoint 505, ifindex 21, file 2:1902, , identity 47204->14753: 10.0.0.157:43210 -> 10.0.0.243:8080 tcp SYN');
});

test('v1.16.15 pkg/monitor/datapath_drop.go:80-81 "file %s:%d" with api.BPFFileName (pkg/monitor/api/files.go:14) and datapath_policy.go:149 ", action %s, auth: %s, match %s"', () => {
  const lines = renderMonitor(policyDrop('v1.16.15', 2074)).split('\n');
  assert.equal(lines[0], '-> endpoint 505 flow 0x822ec8 , identity 47204->14753 state new ifindex lxc1466f225c091 orig-ip 10.0.0.157: 10.0.0.157:43210 -> 10.0.0.243:8080 tcp SYN');
  assert.equal(lines[1], 'Policy verdict log: flow 0x822ec8 local EP ID 505, remote ID 47204, proto 6, ingress, action deny, auth: disabled, match none, 10.0.0.157:43210 -> 10.0.0.243:8080 tcp SYN');
  assert.equal(lines[2], 'xx drop (Policy denied) flow 0x822ec8 to endpoint 505, ifindex 21, file bpf_lxc.c:2074, , identity 47204->14753: 10.0.0.157:43210 -> 10.0.0.243:8080 tcp SYN');
});

test('v1.18.3 pkg/monitor/api/files.go: id 110 is local_delivery.h (l3.h at v1.16.15), and a file __id_for_file does not know prints unknown(0) (bpf/lib/source_info.h)', () => {
  const r = policyDrop('v1.18.3', 2135);
  const drop = r.hops[2] as Extract<TraceNode, { kind: 'drop' }>;
  const at = (notifier: string) => renderMonitor({ ...r, hops: [{ ...drop, notifier }] } as TraceResult).trim();
  assert.match(at('bpf/lib/local_delivery.h'), /, file local_delivery\.h:2135, /);
  assert.match(at('bpf/lib/nodeport_egress.h'), /, file nodeport_egress\.h:2135, /);
  assert.match(at('bpf/lib/policy.h'), /, file unknown\(0\):2135, /);
  assert.match(renderMonitor({ ...policyDrop('v1.16.15', 10), hops: [{ ...drop, notifier: 'bpf/lib/local_delivery.h' }] } as TraceResult), /, file unknown\(0\):2135, /, 'v1.16.15 has no local_delivery.h in its list');
});

type Flow = { readonly [k: string]: unknown };
const flows = (r: TraceResult): Flow[] => renderHubble(r).trim().split('\n').map((l) => (JSON.parse(l) as { flow: Flow }).flow);

test('v1.16.15 api/v1/flow/flow.proto:83 trace_reason (parser.go:224, decodeTraceReason :439-458): NEW on a trace event; absent at v1.13.0', () => {
  assert.equal(flows(policyDrop('v1.16.15', 2074))[0]?.['trace_reason'], 'NEW');
  assert.equal(flows(policyDrop('v1.18.3', 2135))[0]?.['trace_reason'], 'NEW');
  assert.ok(!('trace_reason' in (flows(policyDrop('v1.13.0', 1902))[0] ?? {})));
  const keys = Object.keys(flows(policyDrop('v1.16.15', 2074))[0] ?? {});
  assert.equal(keys[keys.indexOf('trace_observation_point') + 1], 'trace_reason', 'declared after trace_observation_point');
});

test('v1.18.3 pkg/hubble/parser/threefour/parser.go:257, :460-468 decodeFileInfo: a drop flow carries file {name, line}, declared before drop_reason_desc; v1.16.15 has none', () => {
  const drop18 = flows(policyDrop('v1.18.3', 2135))[2] ?? {};
  assert.deepEqual(drop18['file'], { name: 'bpf_lxc.c', line: 2135 });
  const keys = Object.keys(drop18);
  assert.equal(keys[keys.indexOf('file') + 1], 'drop_reason_desc');
  assert.ok(!('file' in (flows(policyDrop('v1.16.15', 2074))[2] ?? {})));
  assert.equal(flows(policyDrop('v1.16.15', 2074))[1]?.['drop_reason_desc'], 'POLICY_DENIED');
});

// ---- drop reasons per release -----------------------------------------------------------------

test('v1.16.15 pkg/monitor/api/drop.go:101-102 and flow.proto: 203 "Endpoint policy program not available" (DROP_EP_NOT_READY) and 204 exist; v1.13.0 has neither', () => {
  assert.equal(dropReasonByCode(203, 'v1.13.0'), undefined);
  assert.deepEqual(dropReasonByCode(203, 'v1.16.15'), { code: 203, macro: 'DROP_EP_NOT_READY', text: 'Endpoint policy program not available', hubble: 'DROP_EP_NOT_READY' });
  assert.deepEqual(dropReasonByCode(204, 'v1.16.15'), { code: 204, macro: 'DROP_NO_EGRESS_IP', text: 'No Egress IP configured', hubble: 'DROP_NO_EGRESS_IP' });
  assert.equal(dropReasonByCode(205, 'v1.16.15'), undefined);
  assert.equal(dropReasonsAt('v1.16.15').at(-1)?.code, 204);
});

test('v1.18.3 bpf/lib/drop_reasons.h: 205 DROP_PUNT_PROXY "Punt to proxy", and 143/144 are DROP_UNKNOWN_ICMP4_CODE/_TYPE (texts unchanged)', () => {
  assert.deepEqual(dropReasonByCode(205, 'v1.18.3'), { code: 205, macro: 'DROP_PUNT_PROXY', text: 'Punt to proxy', hubble: 'DROP_PUNT_PROXY' });
  assert.equal(dropReasonByCode(143, 'v1.18.3')?.macro, 'DROP_UNKNOWN_ICMP4_CODE');
  assert.equal(dropReasonByCode(143, 'v1.16.15')?.macro, 'DROP_UNKNOWN_ICMP_CODE');
  assert.equal(dropReasonAt('DROP_UNKNOWN_CT', 'v1.18.3').text, 'Unknown connection tracking state');
  assert.equal(dropReasonsAt('v1.18.3').length, dropReasonsAt('v1.16.15').length + 1);
});

test('v1.13.0 bpf/lib/common.h, pkg/monitor/api/drop.go: 189 "Authentication required" (AUTH_REQUIRED) is already in v1.13.0; 190 is not', () => {
  assert.equal(dropReasonByCode(189, 'v1.13.0')?.hubble, 'AUTH_REQUIRED');
  assert.equal(dropReasonByCode(190, 'v1.13.0'), undefined);
  assert.equal(dropReasonsAt('v1.13.0').at(-1)?.code, 189);
});
