// bpf/lib/lb.h (v1.13.0) lb4_local as per-packet LB in bpf_lxc and nodeport_lb4 in bpf_host
// run it, in the shape of Cilium's bpf/tests: hand-built maps, one entry program, the
// CT_SERVICE lookup and entry, the backend lookups and the DNAT. Named after source lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../../src/net/ip.js';
import { TUPLE_F_SERVICE } from '../../src/maps/ctmap.js';
import type { ProgramRef } from '../../src/maps/callmap.js';
import type { Ctx } from '../../src/datapath/context.js';
import { runProgram } from '../../src/datapath/programs.js';
import { TraceBuilder } from '../../src/trace/builder.js';
import { V1_13_0 } from '../../src/cilium/releases/release.js';
import { EP1, EP2, fixture, runEntry, tailCalls, tcpPacket, type Fixture } from '../support/datapath-fixture.js';

const prov = { kind: 'agent' as const, what: 'test' };

/** ENABLE_PER_PACKET_LB: slots 29 and 25 are real tail calls, so EP1's prog array needs them. */
function perPacketLb(): Fixture {
  const f = fixture({ enablePerPacketLb: true, enableNodePort: false, enableSocketLb: false });
  const calls = f.node.maps.progArrays.get('cilium_calls_01703');
  const slot7 = calls?.lookup(7) as ProgramRef;
  calls?.set(29, { ...slot7, name: 'tail_ipv4_ct_egress', section: 'tail_ipv4_ct_egress' });
  calls?.set(25, { ...slot7, name: 'tail_handle_ipv4_cont', section: 'tail_handle_ipv4_cont' });
  return f;
}

const fromEp1 = (f: Fixture, dst: string, dport: number) => runEntry(f, f.node.devices.get(EP1.ifindex)?.tc.ingress as ProgramRef, tcpPacket(EP1.ip, dst, dport, { ethSrc: '36:b0:81:dd:cb:53' as never }), EP1.ifindex);

test('lb.h:1597 + 1621 lb4_local (per-packet LB): ct_lookup4(CT_SERVICE) misses, ct_create4(CT_SERVICE) keeps backend id 10 in RxBytes; conntrack.h:948-954 + 65-71 leave TxPackets/TxBytes 0 and record the SYN', () => {
  const f = perPacketLb();
  const r = fromEp1(f, '10.96.0.10', 80);
  assert.deepEqual(tailCalls(r), ['cilium_calls_01703[7]', 'cilium_calls_01703[29]', 'cilium_calls_01703[25]', 'cilium_call_policy[505]']);
  const ct = r.nodes.filter((n) => n.kind === 'ct').map((n) => n.kind === 'ct' && `${n.dir} ${n.tuple} → ${n.result}`);
  assert.deepEqual(ct[0], `CT_SERVICE TCP OUT 10.96.0.10:80 -> ${EP1.ip}:43210 service → CT_NEW`);
  const svc = r.nodes.find((n) => n.kind === 'ct_create' && n.key.endsWith('service'));
  assert.ok(svc && svc.kind === 'ct_create');
  assert.equal(svc.value, 'expires=1060 RxPackets=0 RxBytes=10 RxFlagsSeen=0x00 LastRxReport=0 TxPackets=0 TxBytes=0 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=1 SourceSecurityID=0 IfIndex=0');
  assert.ok(r.nodes.some((n) => n.kind === 'rewrite' && n.field === 'daddr:dport' && n.to === `${EP2.ip}:8080`));
  const lbFns = r.nodes.flatMap((n) => (n.kind === 'fn' && (n.file === 'bpf/lib/lb.h' || n.fn.startsWith('ct_')) ? [n.fn] : []));
  assert.deepEqual(lbFns.slice(0, 8), ['lb4_lookup_service', 'lb4_local', 'ct_lookup4', 'lb4_select_backend_id', 'lb4_lookup_backend_slot', 'lb4_lookup_backend', 'ct_create4', 'lb4_xlate']);
  const entry = f.node.maps.ctTcp.lookup({ daddr: ipv4('10.96.0.10'), saddr: ipv4(EP1.ip), dport: 80, sport: 43210, nexthdr: 6, flags: TUPLE_F_SERVICE });
  assert.equal(entry?.rxBytes, 10);
});

test('lb.h:1628-1645 + conntrack.h:744-750 lb4_local: an existing CT_SERVICE entry (reported CT_REPLY) keeps its backend, no new selection', () => {
  const f = perPacketLb();
  const lb = f.node.maps.lb;
  // A second backend in slot 2 of 10.96.0.10:80; the connection's entry already points at it.
  lb.backends.set(11, { address: ipv4('10.0.1.105'), port: 8080, proto: 0, flags: 0, provenance: prov });
  lb.setService({ address: ipv4('10.96.0.10'), dport: 80, slot: 0, scope: 0 }, { backendId: 0, count: 2, revNat: 1, flags: 0, flags2: 0, type: 'ClusterIP', provenance: prov });
  lb.setService({ address: ipv4('10.96.0.10'), dport: 80, slot: 2, scope: 0 }, { backendId: 11, count: 0, revNat: 1, flags: 0, flags2: 0, type: 'ClusterIP', provenance: prov });
  f.node.maps.ctTcp.set({ daddr: ipv4('10.96.0.10'), saddr: ipv4(EP1.ip), dport: 80, sport: 43210, nexthdr: 6, flags: TUPLE_F_SERVICE }, { lifetime: 1060, rxPackets: 0, rxBytes: 11, txPackets: 0, txBytes: 0, txFlagsSeen: 2, rxFlagsSeen: 0, flags: 0, revNat: 1, srcSecId: 0, ifindex: 0, lastTxReport: 1000, lastRxReport: 0, provenance: prov });
  const r = fromEp1(f, '10.96.0.10', 80);
  const ct = r.nodes.find((n) => n.kind === 'ct' && n.dir === 'CT_SERVICE');
  assert.ok(ct && ct.kind === 'ct' && ct.result === 'CT_REPLY');
  assert.ok(!r.nodes.some((n) => n.kind === 'fn' && n.fn === 'lb4_select_backend_id'), 'the entry decides, not the random draw');
  assert.ok(!r.nodes.some((n) => n.kind === 'ct_create' && n.key.endsWith('service')), 'no second CT_SERVICE entry');
  assert.ok(r.nodes.some((n) => n.kind === 'lookup' && n.map === 'cilium_lb4_backends_v3' && n.key === '11' && n.result === 'ANY://10.0.1.105'));
  assert.equal(r.ctx.pkt.dst, ipv4('10.0.1.105'));
});

test('lb.h:1594-1595 lb4_local: a frontend with count 0 is DROP_NO_SERVICE (158) per packet (no CT_SERVICE lookup)', () => {
  const f = perPacketLb();
  const r = fromEp1(f, '10.96.0.11', 80);
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_NO_SERVICE');
  assert.ok(r.nodes.some((n) => n.kind === 'drop' && n.drop.code === 158 && n.fn === 'lb4_local'));
  assert.ok(!r.nodes.some((n) => n.kind === 'ct' && n.dir === 'CT_SERVICE'));
});

test('nodeport.h:1957-1960 nodeport_lb4 → lb4_local: a NodePort connection gets a CT_SERVICE entry too (lb.h:1621), then the CT_EGRESS node_port entry', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '1.2.3.167', 30080), 2);
  assert.equal(r.ret.kind, 'redirect');
  const ct = r.nodes.filter((n) => n.kind === 'ct').map((n) => n.kind === 'ct' && `${n.dir} → ${n.result}`);
  assert.equal(ct[0], 'CT_SERVICE → CT_NEW');
  const creates = r.nodes.flatMap((n) => (n.kind === 'ct_create' ? [n.key] : []));
  assert.equal(creates[0], 'TCP OUT 1.2.3.167:30080 -> 203.0.113.7:43210 service');
  const svc = r.nodes.find((n) => n.kind === 'ct_create' && n.key.endsWith('service'));
  assert.ok(svc && svc.kind === 'ct_create' && svc.value.includes('RxBytes=20 ') && svc.value.includes('TxPackets=0 TxBytes=0 TxFlagsSeen=0x02 LastTxReport=1000') && svc.value.includes('RevNAT=2 '));
});

test('lb.h:1346-1355 lb4_select_backend_id: --backend that is no backend of the frontend stops the trace (not simulated), it invents no drop', () => {
  const f = perPacketLb();
  const prog = f.node.devices.get(EP1.ifindex)?.tc.ingress as ProgramRef;
  const tb = new TraceBuilder(V1_13_0);
  tb.hop('n1', 'lxc', 'tc ingress');
  const ctx: Ctx = { cluster: { release: V1_13_0, nodes: new Map([['n1', f.node]]), nodeByIp: new Map() }, node: f.node, tb, opts: { backend: { ip: ipv4('10.9.9.9') } }, prog, pkt: tcpPacket(EP1.ip, '10.96.0.10', 80), ifindex: EP1.ifindex, cb: new Map(), tunnelKey: undefined, ctBuffer: undefined, dropNotified: false, lbRevNat: 0 };
  const ret = runProgram(ctx, prog);
  assert.equal(ret.kind, 'unsimulated');
  assert.match(ret.kind === 'unsimulated' ? ret.text : '', /--backend 10\.9\.9\.9 is not a backend of 10\.96\.0\.10:80 \(its backends: 10\.0\.0\.243:8080\)/);
});
