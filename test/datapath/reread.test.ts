// bpf_lxc's ipv4_policy and reply path, conntrack lookups and drop notification at v1.13.0
// (c9723a8df3), after the maintainers' re-read: maps filled with the fixture's helpers, one
// entry program run, verdict and key nodes checked. Each test is named after the source line
// it reflects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TUPLE_F_OUT, SIM_CLOCK, CT_SYN_TIMEOUT, type CtEntry } from '../../src/maps/ctmap.js';
import { ipv4 } from '../../src/net/ip.js';
import { ProgArray } from '../../src/maps/callmap.js';
import type { Packet } from '../../src/net/packet.js';
import type { HostRoute } from '../../src/node-state/node.js';
import type { TraceNode } from '../../src/trace/tree.js';
import { EP1, EP2, fixture, runEntry, tailCalls, tcpPacket, type Fixture, type Run } from '../support/datapath-fixture.js';

function send(f: Fixture, src: typeof EP1, pkt: Packet): Run {
  const p = f.node.devices.get(src.ifindex)?.tc.ingress;
  assert.ok(p);
  return runEntry(f, p, { ...pkt, ethDst: f.node.devices.get(src.ifindex)?.mac ?? pkt.ethDst }, src.ifindex);
}

const synAck = (src: string, sport: number, dst: string, dport: number): Packet => ({ ...tcpPacket(src, dst, dport), l4: { proto: 'tcp', sport, dport, flags: 'SYN, ACK' } });
const fns = (r: Run) => r.nodes.flatMap((n) => (n.kind === 'fn' ? [n.fn] : []));
const points = (r: Run) => r.nodes.filter((n): n is Extract<TraceNode, { kind: 'trace_point' }> => n.kind === 'trace_point');
const lookups = (r: Run, map: string) => r.nodes.flatMap((n) => (n.kind === 'lookup' && n.map === map ? [`${n.key} → ${n.result === null ? 'miss' : 'hit'}${n.note ? ` (${n.note})` : ''}`] : []));
const ctLine = (f: Fixture, prefix: string) => [...f.node.maps.ctTcp.dumpLines(), ...f.node.maps.ctAny.dumpLines()].find((l) => l.startsWith(prefix));

/** The NodePort request 203.0.113.7:43210 → 1.2.3.167:30080, DNATed to the local backend EP2:8080. */
function nodePortRequest(f: Fixture): Run {
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '1.2.3.167', 30080), 2);
  assert.equal(r.ret.kind, 'redirect');
  return r;
}

test('bpf_lxc.c:1819-1823 ipv4_policy copies node_port from ct_has_nodeport_egress_entry4 into the IN entry; ct_state_new is zeroed (:1677), so RevNAT=0', () => {
  const f = fixture();
  const r = nodePortRequest(f);
  const at = fns(r);
  const policy = at.indexOf('ipv4_policy');
  const has = at.lastIndexOf('ct_has_nodeport_egress_entry4');
  assert.ok(policy >= 0 && has > policy && has < at.lastIndexOf('ct_create4'), 'the lookup runs in ipv4_policy, before its ct_create4');
  assert.deepEqual(lookups(r, 'cilium_ct4_global').filter((l) => l.includes('node_port')), ['TCP OUT 203.0.113.7:43210 -> 10.0.0.243:8080 → hit (node_port=1)']);
  assert.equal(ctLine(f, 'TCP IN 203.0.113.7:43210 -> 10.0.0.243:8080 ')?.match(/Flags=\S+ \[ [^\]]*\] RevNAT=\d+/)?.[0], 'Flags=0x0020 [ NodePort ] RevNAT=0');
  assert.equal(ctLine(f, 'ICMP IN 203.0.113.7:0 -> 10.0.0.243:0 related ')?.match(/Flags=\S+ \[ [^\]]*\] RevNAT=\d+/)?.[0], 'Flags=0x0030 [ SeenNonSyn NodePort ] RevNAT=0');
  // nodeport_lb4's own CT_EGRESS entry keeps its rev_nat_index (nodeport.h:2016-2031).
  assert.match(ctLine(f, 'TCP OUT 203.0.113.7:43210 -> 10.0.0.243:8080 ') ?? '', /Flags=0x0020 \[ NodePort \] RevNAT=2 SourceSecurityID=2 IfIndex=2/);
});

test('bpf_lxc.c:1808 ipv4_policy looks every CT_NEW tuple up with TUPLE_F_OUT: pod to pod finds the client\'s own entry, node_port=0', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 8080, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  assert.equal(r.ret.kind, 'redirect');
  assert.deepEqual(lookups(r, 'cilium_ct4_global').filter((l) => l.includes('node_port')), ['TCP OUT 10.0.0.157:43210 -> 10.0.0.243:8080 → hit (node_port=0)']);
  assert.match(ctLine(f, 'TCP IN 10.0.0.157:43210 -> 10.0.0.243:8080 ') ?? '', /Flags=0x0000 \[ \] RevNAT=0/);
});

test('bpf_lxc.c:1803 the node_port lookup is compiled only with ENABLE_NODEPORT', () => {
  const f = fixture({ enableNodePort: false });
  f.allow(EP2.id, { identity: EP1.identity, dport: 8080, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  assert.equal(r.ret.kind, 'redirect');
  assert.ok(!fns(r).includes('ct_has_nodeport_egress_entry4'));
});

test('bpf_lxc.c:1701 and :1858-1859 ipv4_policy saves orig_sip before lb4_rev_nat: TO_LXC carries the backend as orig-ip', () => {
  const f = fixture();
  // The client's CT_EGRESS entry of a per-packet-LB connection to 10.96.0.10:80 (rev_nat_index 1), DNATed to EP2:8080.
  const out: CtEntry = { lifetime: SIM_CLOCK + CT_SYN_TIMEOUT, rxPackets: 0, rxBytes: 0, txPackets: 1, txBytes: 74, txFlagsSeen: 0x02, rxFlagsSeen: 0, flags: 0, revNat: 1, srcSecId: EP1.identity, ifindex: 0, lastTxReport: SIM_CLOCK, lastRxReport: 0, provenance: { kind: 'agent', what: 'test' } };
  f.node.maps.ctTcp.set({ daddr: ipv4(EP1.ip), saddr: ipv4(EP2.ip), dport: 43210, sport: 8080, nexthdr: 6, flags: TUPLE_F_OUT }, out);
  const r = send(f, EP2, synAck(EP2.ip, 8080, EP1.ip, 43210));
  assert.equal(r.ret.kind, 'redirect');
  const toLxc = points(r).find((p) => p.point === 'TRACE_TO_LXC');
  assert.ok(toLxc);
  assert.equal(toLxc.origIp, EP2.ip, 'orig_sip is the backend the reply came from');
  assert.equal(toLxc.ev.tuple.src, '10.96.0.10', 'the packet itself was reverse-NATed to the service address');
  assert.equal(toLxc.reason, 'reply');
});

test('bpf_lxc.c:917-919 a NodePort reply from a local backend sends TRACE_TO_NETWORK (SECLABEL→world, reply, ifindex 0) before tail call 17', () => {
  const f = fixture();
  (f.node.hostRoutes as HostRoute[]).push({ dst: { addr: ipv4('0.0.0.0'), len: 0 }, dev: 'eth0', src: ipv4('1.2.3.167') });
  nodePortRequest(f);
  const r = send(f, EP2, synAck(EP2.ip, 8080, '203.0.113.7', 43210));
  assert.deepEqual(points(r).slice(0, 2).map((p) => [p.point, p.srcId, p.dstId, p.ifindex, p.reason, p.ev.tuple.src]), [
    ['TRACE_FROM_LXC', EP2.identity, 0, 0, 'unknown', EP2.ip],
    ['TRACE_TO_NETWORK', EP2.identity, 2, 0, 'reply', EP2.ip],
  ]);
  const order = r.nodes.flatMap((n) => (n.kind === 'trace_point' && n.point === 'TRACE_TO_NETWORK' ? ['to-network'] : n.kind === 'tail_call' && n.slot === 17 ? ['slot 17'] : []));
  assert.deepEqual(order, ['to-network', 'slot 17']);
  assert.deepEqual(tailCalls(r), ['cilium_calls_00505[7]', 'cilium_calls_00505[17]']);
  // bpf_lxc.c:902 policy_mark_skip before it, the reply being CT_REPLY.
  assert.ok(fns(r).indexOf('policy_mark_skip') < fns(r).indexOf('tail_rev_nodeport_lb4') && fns(r).includes('policy_mark_skip'));
  assert.equal(r.ctx.cb.get('CB_POLICY'), 1);
});

test('nodeport.h:2215-2244 rev_nodeport_lb4 after fib_lookup: maybe_add_l2_hdr, then smac of the egress device; NO_NEIGH dmac from cilium_nodeport_neigh4 is marked not simulated', () => {
  const f = fixture();
  (f.node.hostRoutes as HostRoute[]).push({ dst: { addr: ipv4('0.0.0.0'), len: 0 }, dev: 'eth0', via: ipv4('1.2.3.1'), src: ipv4('1.2.3.167') });
  nodePortRequest(f);
  const r = send(f, EP2, synAck(EP2.ip, 8080, '203.0.113.7', 43210));
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: 2, peer: false, ingress: false });
  const after = fns(r).slice(fns(r).indexOf('maybe_add_l2_hdr'));
  assert.deepEqual(after, ['maybe_add_l2_hdr', 'neigh_lookup_ip4', 'eth_store_daddr_aligned', 'eth_store_saddr_aligned', 'ctx_redirect']);
  assert.ok(r.nodes.some((n) => n.kind === 'not_simulated' && n.text.startsWith('cilium_nodeport_neigh4[203.0.113.7]')));
  assert.equal(r.ctx.pkt.ethSrc, '52:54:00:4e:1a:67', 'eth0\'s MAC');
  assert.equal(r.ctx.pkt.src, ipv4('1.2.3.167'));
  assert.equal(r.ctx.pkt.l4.proto === 'tcp' ? r.ctx.pkt.l4.sport : 0, 30080);
});

test('conntrack.h:742-760 ct_lookup4 probes the reply direction first, then the original direction', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 8080, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  const probes = r.nodes.flatMap((n, i) => (n.kind === 'fn' && n.fn === 'ct_lookup4' ? [n.children.map((c) => (c.kind === 'lookup' ? `${c.key} → ${c.result === null ? 'miss' : 'hit'}` : c.kind === 'ct' ? `${c.dir} ${c.result}` : `${c.kind}@${i}`))] : []));
  assert.deepEqual(probes, [
    ['TCP IN 10.0.0.243:8080 -> 10.0.0.157:43210 → miss', 'TCP OUT 10.0.0.157:43210 -> 10.0.0.243:8080 → miss', 'CT_EGRESS CT_NEW'],
    ['TCP OUT 10.0.0.243:8080 -> 10.0.0.157:43210 → miss', 'TCP IN 10.0.0.157:43210 -> 10.0.0.243:8080 → miss', 'CT_INGRESS CT_NEW'],
  ]);
});

test('conntrack.h:742-753 a reply-direction hit is CT_REPLY without the second probe', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 8080, proto: 6 });
  send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  const r = send(f, EP2, synAck(EP2.ip, 8080, EP1.ip, 43210));
  const first = r.nodes.find((n) => n.kind === 'fn' && n.fn === 'ct_lookup4');
  assert.ok(first && first.kind === 'fn');
  assert.deepEqual(first.children.flatMap((c) => (c.kind === 'lookup' ? [c.key] : c.kind === 'ct' ? [c.result] : [])), ['TCP IN 10.0.0.157:43210 -> 10.0.0.243:8080', 'CT_REPLY']);
});

test('conntrack.h:197-221 __ct_lookup updates the entry it hits: CT_EGRESS counts tx, CT_INGRESS rx; flags seen masked by CT_REPORT_FLAGS 0x07', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 8080, proto: 6 });
  send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  send(f, EP2, synAck(EP2.ip, 8080, EP1.ip, 43210));
  // The server's IN entry, hit by its own CT_EGRESS lookup of the SYN-ACK: tx side updated.
  assert.equal(ctLine(f, 'TCP IN 10.0.0.157:43210 -> 10.0.0.243:8080 '),
    'TCP IN 10.0.0.157:43210 -> 10.0.0.243:8080 expires=1060 RxPackets=1 RxBytes=74 RxFlagsSeen=0x02 LastRxReport=1000 TxPackets=1 TxBytes=74 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=47204 IfIndex=0 \n');
  // The client's OUT entry, hit by the client's CT_INGRESS lookup: rx side updated (SYN|ACK & 0x07 = 0x02).
  assert.equal(ctLine(f, 'TCP OUT 10.0.0.157:43210 -> 10.0.0.243:8080 '),
    'TCP OUT 10.0.0.157:43210 -> 10.0.0.243:8080 expires=1060 RxPackets=1 RxBytes=74 RxFlagsSeen=0x02 LastRxReport=1000 TxPackets=1 TxBytes=74 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=47204 IfIndex=0 \n');
  // The related ICMP entries are not looked up by the TCP reply: unchanged.
  assert.match(ctLine(f, 'ICMP IN 10.0.0.157:0 -> 10.0.0.243:0 related ') ?? '', /TxPackets=0 TxBytes=0 TxFlagsSeen=0x00 LastTxReport=0/);
});

test('conntrack.h:73-117 __ct_update_timeout on a non-TCP hit: no flags, the report time is refreshed after CT_REPORT_INTERVAL', () => {
  const f = fixture();
  const ping = (src: string, dst: string, type: 0 | 8): Packet => ({ ...tcpPacket(src, dst, 0), l4: { proto: 'icmp', type, code: 0, id: 1 } });
  send(f, EP1, ping(EP1.ip, EP2.ip, 8));
  send(f, EP2, ping(EP2.ip, EP1.ip, 0));
  assert.equal(ctLine(f, 'ICMP OUT 10.0.0.157:1 -> 10.0.0.243:0 '),
    'ICMP OUT 10.0.0.157:1 -> 10.0.0.243:0 expires=1060 RxPackets=1 RxBytes=98 RxFlagsSeen=0x00 LastRxReport=1000 TxPackets=1 TxBytes=98 TxFlagsSeen=0x00 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=47204 IfIndex=0 \n');
});

test('bpf_lxc.c:1902 tail_ipv4_policy → _send_drop_notify → tail call CILIUM_CALL_DROP_NOTIFY (slot 1) → __send_drop_notify emits the drop', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: 99999, dport: 8080, proto: 6 }); // enforced, nothing for EP1
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  assert.equal(r.ret.kind, 'drop');
  assert.deepEqual(tailCalls(r).slice(-1), ['cilium_calls_00505[1]']);
  const i = fns(r);
  assert.deepEqual(i.slice(i.lastIndexOf('send_policy_verdict_notify')), ['send_policy_verdict_notify', '_send_drop_notify', '__send_drop_notify']);
  const top = r.ctx.tb.hops.at(-1);
  assert.ok(top && top.kind === 'hop');
  const last = top.children.at(-1);
  assert.ok(last && last.kind === 'fn' && last.fn === '__send_drop_notify', '__send_drop_notify runs as the tail-called program');
  const d = last.children[0];
  assert.ok(d && d.kind === 'drop' && d.notify && d.drop.code === 133 && d.notifierFn === 'tail_ipv4_policy' && d.notifyLine === 1902 && d.srcId === EP1.identity && d.dstEp === EP2.id);
});

test('drop.h:127 an empty CILIUM_CALL_DROP_NOTIFY slot: the tail call fails, the packet is dropped without a drop event', () => {
  const f = fixture();
  const old = f.node.maps.progArrays.get('cilium_calls_00505');
  assert.ok(old);
  const calls = new ProgArray('cilium_calls_00505');
  for (const slot of [7, 17, 38]) { const p = old.lookup(slot); if (p) calls.set(slot, p); }
  (f.node.maps.progArrays as Map<string, ProgArray>).set('cilium_calls_00505', calls);
  f.allow(EP2.id, { identity: 99999, dport: 8080, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  assert.equal(r.ret.kind, 'drop');
  const d = r.nodes.find((n) => n.kind === 'drop');
  assert.ok(d && d.kind === 'drop' && !d.notify);
  assert.ok(!fns(r).includes('__send_drop_notify'));
});

test('policy_log.h:58 send_policy_verdict_notify is called for CT_NEW and says whether POLICY_VERDICT_LOG_FILTER lets the event out', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 8080, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  const notes = r.nodes.flatMap((n) => (n.kind === 'fn' && n.fn === 'send_policy_verdict_notify' ? n.children.flatMap((c) => (c.kind === 'note' ? [c.text] : [])) : []));
  assert.deepEqual(notes, [
    'policy_verdict_filter_allow(POLICY_VERDICT_LOG_FILTER 0x3, POLICY_EGRESS 0x2): true, the policy verdict event is sent (ctx_event_output)',
    'policy_verdict_filter_allow(POLICY_VERDICT_LOG_FILTER 0x3, POLICY_INGRESS 0x1): true, the policy verdict event is sent (ctx_event_output)',
  ]);
  // CT_ESTABLISHED and allowed: bpf_lxc.c:1791 does not call it.
  const again = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  assert.ok(!fns(again).includes('send_policy_verdict_notify'));
});
