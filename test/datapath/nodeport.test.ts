// NodePort of bpf/lib/nodeport.h and the bpf_host / bpf_overlay programs around it (slots 15,
// 17, 19, 36, 38; cil_to_netdev, cil_to_overlay), in the shape of Cilium's bpf/tests. Each
// test is named after the v1.13.0 source line it reflects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../../src/net/ip.js';
import type { TraceNode } from '../../src/trace/tree.js';
import { EP1, EP2, fixture, runEntry, tailCalls, tcpPacket, type Run } from '../support/datapath-fixture.js';

const fns = (r: Run) => r.nodes.flatMap((n) => (n.kind === 'fn' ? [n.fn] : []));
const points = (r: Run) => r.nodes.filter((n): n is Extract<TraceNode, { kind: 'trace_point' }> => n.kind === 'trace_point');
const ctCreates = (r: Run) => r.nodes.flatMap((n) => (n.kind === 'ct_create' && n.map.startsWith('cilium_ct') ? [`${n.key} ${n.value}`] : []));

test('nodeport.h:2350 __handle_nat_fwd_ipv4 tail-calls slot 38 (tail_handle_snat_fwd_ipv4); slot 19 is inlined, no nodeport_nat_ipv4_fwd', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '8.8.8.8', 443), 2);
  assert.deepEqual(tailCalls(r), ['cilium_calls_netdev_00002[38]']);
  const inl = r.nodes.find((n) => n.kind === 'inlined');
  assert.ok(inl && inl.kind === 'inlined' && inl.slot === 19 && inl.slotName === 'CILIUM_CALL_IPV4_NODEPORT_NAT_FWD' && inl.program === 'handle_nat_fwd_ipv4');
  const tc = r.nodes.find((n) => n.kind === 'tail_call');
  assert.ok(tc && tc.kind === 'tail_call' && tc.slotName === 'CILIUM_CALL_IPV4_NODEPORT_SNAT_FWD' && tc.program === 'tail_handle_snat_fwd_ipv4');
  assert.deepEqual(fns(r).slice(0, 9), ['cil_to_netdev', 'handle_nat_fwd', 'handle_nat_fwd_ipv4', '__handle_nat_fwd_ipv4', 'nodeport_rev_dnat_fwd_ipv4', 'ct_has_nodeport_egress_entry4', 'tail_handle_snat_fwd_ipv4', 'nodeport_snat_fwd_ipv4', 'snat_v4_prepare_state']);
  assert.ok(!fns(r).includes('nodeport_nat_ipv4_fwd'));
});

test('nodeport.h:2332 tail_handle_snat_fwd_ipv4 reports TO_NETWORK with ifindex 0, and cil_to_netdev reports nothing more', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '8.8.8.8', 443), 2);
  assert.deepEqual(points(r).map((p) => [p.point, p.srcId, p.dstId, p.ifindex, p.reason]), [['TRACE_TO_NETWORK', 0, 0, 0, 'unknown']]);
});

test('nodeport.h:2322-2332 in bpf_overlay the observation point is TO_OVERLAY, identity 0->0, ifindex 0', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.toOverlay, tcpPacket(EP1.ip, '10.0.1.105', 80), 5);
  assert.deepEqual(tailCalls(r), ['cilium_calls_overlay_2[38]']);
  assert.deepEqual(points(r).map((p) => [p.point, p.srcId, p.dstId, p.ifindex, p.reason]), [['TRACE_TO_OVERLAY', 0, 0, 0, 'unknown']]);
});

test('bpf_overlay.c:559 cil_to_overlay skips handle_nat_fwd when ctx_snat_done (mark 0x1500): no tail call, no event', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.toOverlay, tcpPacket('10.0.0.2', '10.0.1.105', 8080, { mark: 0x1500 }), 5);
  assert.deepEqual(r.ret, { kind: 'ok' });
  assert.deepEqual(tailCalls(r), []);
  assert.ok(!fns(r).includes('handle_nat_fwd'));
  assert.deepEqual(points(r), []);
  assert.deepEqual(f.node.maps.nat.entries(), []);
});

test('bpf_host.c:1198 cil_to_netdev skips handle_nat_fwd when ctx_snat_done; its own TO_NETWORK (:1216) has ifindex 0', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket('1.2.3.167', '203.0.113.7', 43210, { mark: 0x1500 }), 2);
  assert.deepEqual(tailCalls(r), []);
  assert.ok(!fns(r).includes('handle_nat_fwd'));
  assert.deepEqual(points(r).map((p) => [p.point, p.ifindex]), [['TRACE_TO_NETWORK', 0]]);
});

test('nodeport.h:1824-1843 slot 15: __encap_with_nodeid(WORLD_ID, CT_NEW) on the packet before SNAT, then SNAT to IPV4_GATEWAY, then ctx_snat_done_set', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '1.2.3.167', 30081), 2);
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: 5, peer: false, ingress: false });
  const i = r.nodes.findIndex((n) => n.kind === 'trace_point' && n.point === 'TRACE_TO_OVERLAY');
  const j = r.nodes.findIndex((n) => n.kind === 'rewrite' && n.field === 'saddr:sport');
  const k = r.nodes.findIndex((n) => n.kind === 'fn' && n.fn === 'ctx_snat_done_set');
  assert.ok(i >= 0 && j > i && k > j, `order encap ${i} < snat ${j} < snat_done ${k}`);
  const p = r.nodes[i];
  assert.ok(p && p.kind === 'trace_point' && p.srcId === 2 && p.dstId === 14753 && p.reason === 'new' && p.ifindex === 5);
  assert.equal(p.ev.tuple.src, '203.0.113.7', 'TO_OVERLAY reports the packet before SNAT');
  const rw = r.nodes[j];
  assert.ok(rw && rw.kind === 'rewrite' && rw.from === '203.0.113.7:43210' && rw.to === '10.0.0.2:43210 (IPV4_GATEWAY)');
  assert.equal(r.ctx.pkt.src, ipv4('10.0.0.2'));
  assert.equal(r.ctx.pkt.l4.proto === 'tcp' && r.ctx.pkt.l4.sport, 43210, '__snat_try_keep_port');
  assert.equal(r.ctx.tunnelKey?.tunnelId, 2);
  assert.equal(r.ctx.pkt.mark & 0x1500, 0x1500);
});

test('nodeport.h:2016-2047 nodeport_lb4: lb4_extract_key, ct_lookup4(CT_EGRESS), ct_create4 with node_port=1 IfIndex=NATIVE_DEV_IFINDEX (2), neigh_record_ip4', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '1.2.3.167', 30081), 2);
  const order = fns(r).filter((n) => ['lb4_extract_key', 'lb4_lookup_service', 'lb4_local', 'ct_lookup4', 'ct_create4', 'neigh_record_ip4'].includes(n));
  // lb4_local's own CT_SERVICE lookup and create (lb.h:1597, :1621) come first, then nodeport_lb4's CT_EGRESS pair.
  assert.deepEqual(order.slice(0, 8), ['lb4_extract_key', 'lb4_lookup_service', 'lb4_local', 'ct_lookup4', 'ct_create4', 'ct_lookup4', 'ct_create4', 'neigh_record_ip4']);
  assert.ok(!fns(r).includes('lb4_extract_tuple'));
  assert.ok(r.nodes.some((n) => n.kind === 'ct' && n.dir === 'CT_EGRESS' && n.tuple === 'TCP OUT 203.0.113.7:43210 -> 10.0.1.105:8080' && n.result === 'CT_NEW'));
  assert.deepEqual(ctCreates(r), ['TCP OUT 1.2.3.167:30081 -> 203.0.113.7:43210 service expires=1060 RxPackets=0 RxBytes=30 RxFlagsSeen=0x00 LastRxReport=0 TxPackets=0 TxBytes=0 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=3 SourceSecurityID=0 IfIndex=0', 'TCP OUT 203.0.113.7:43210 -> 10.0.1.105:8080 expires=1060 RxPackets=0 RxBytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxPackets=1 TxBytes=74 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0020 [ NodePort ] RevNAT=3 SourceSecurityID=2 IfIndex=2']);
});

test('stubs.h:9-10 NATIVE_DEV_IFINDEX is 0 in bpf_overlay: nodeport_lb4 there creates IfIndex=0', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.fromOverlay, tcpPacket('203.0.113.7', '1.2.3.167', 30080), 5, { tunnelId: 2, remoteIpv4: ipv4('1.2.3.168'), ttl: 64 });
  assert.ok(ctCreates(r).some((c) => c.startsWith('TCP OUT 203.0.113.7:43210 -> 10.0.0.243:8080 ') && c.endsWith('Flags=0x0020 [ NodePort ] RevNAT=2 SourceSecurityID=2 IfIndex=0')));
});

test('nodeport.h:2164 rev_nodeport_lb4 checks ct_has_nodeport_egress_entry4 and recirculates a non-NodePort reply without ct_lookup4', () => {
  const f = fixture();
  runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '8.8.8.8', 443), 2);
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('8.8.8.8', '1.2.3.167', 43210, { l4: { proto: 'tcp', sport: 443, dport: 43210, flags: 'SYN, ACK' } }), 2);
  const rev = fns(r).indexOf('rev_nodeport_lb4');
  assert.ok(rev >= 0);
  assert.equal(fns(r)[rev + 1], 'ct_has_nodeport_egress_entry4');
  const start = r.nodes.findIndex((n) => n.kind === 'fn' && n.fn === 'rev_nodeport_lb4');
  const end = r.nodes.findIndex((n, i) => i > start && n.kind === 'tail_call');
  assert.ok(end > start && !r.nodes.slice(start, end).some((n) => n.kind === 'ct'), 'no ct_lookup4 before recirculating');
  assert.deepEqual(tailCalls(r).slice(0, 4), ['cilium_calls_netdev_00002[7]', 'cilium_calls_netdev_00002[36]', 'cilium_calls_netdev_00002[17]', 'cilium_calls_netdev_00002[7]']);
  assert.ok(!fns(r).includes('bpf_mark_snat_done'));
});

test('nodeport.h:2170-2184 rev_nodeport_lb4: a NodePort reply is reverse-DNATed, marked with ctx_snat_done_set and leaves by the FIB', () => {
  const f = fixture();
  runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '1.2.3.167', 30080), 2);
  const reply = tcpPacket(EP2.ip, '203.0.113.7', 43210, { l4: { proto: 'tcp', sport: 8080, dport: 43210, flags: 'SYN, ACK' } });
  const lxcProg = f.node.maps.progArrays.get('cilium_calls_00505')?.lookup(17);
  assert.ok(lxcProg);
  const r = runEntry(f, lxcProg, reply, EP2.ifindex);
  assert.ok(fns(r).includes('ct_has_nodeport_egress_entry4') && fns(r).includes('lb4_rev_nat') && fns(r).includes('ctx_snat_done_set'));
  assert.ok(r.nodes.some((n) => n.kind === 'ct' && n.dir === 'CT_INGRESS' && n.result === 'CT_REPLY'));
  assert.equal(r.ctx.pkt.src, ipv4('1.2.3.167'));
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_NO_FIB', 'the fixture has no routes');
});
