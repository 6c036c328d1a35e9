// BPF SNAT of bpf/lib/nat.h as cil_to_netdev / cil_to_overlay run it (handle_nat_fwd → slot 38
// → snat_v4_prepare_state → snat_v4_nat) and the reverse path of slot 36, in the shape of
// Cilium's bpf/tests: hand-built maps, one entry program, verdict and key nodes. Each test is
// named after the v1.13.0 source line it reflects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../../src/net/ip.js';
import { mac } from '../../src/net/mac.js';
import type { Packet } from '../../src/net/packet.js';
import { formatNatEntry, formatNatKey, NatMap } from '../../src/maps/natmap.js';
import { TUPLE_F_IN, TUPLE_F_OUT } from '../../src/maps/ctmap.js';
import { EP1, EP2, fixture, runEntry, tailCalls, tcpPacket, type Run } from '../support/datapath-fixture.js';

/** cilium bpf nat list lines of the node after a run. */
const natDump = (f: ReturnType<typeof fixture>) => f.node.maps.nat.dump().split('\n').filter((l) => l !== '');
const ctDump = (f: ReturnType<typeof fixture>) => [...f.node.maps.ctTcp.dumpLines(), ...f.node.maps.ctAny.dumpLines()].map((l) => l.trimEnd());
const fns = (r: Run) => r.nodes.flatMap((n) => (n.kind === 'fn' ? [n.fn] : []));
const notes = (r: Run) => r.nodes.flatMap((n) => (n.kind === 'note' ? [n.text] : []));

/** The outer VXLAN packet node1 sends to node2 for an inner pod → pod packet. */
function vxlanOut(sport = 51023): Packet {
  const inner = tcpPacket(EP1.ip, '10.0.1.105', 80);
  return { ...inner, outer: { type: 'vxlan', ethSrc: mac('52:54:00:4e:1a:67'), ethDst: mac('52:54:00:71:c3:a8'), src: ipv4('1.2.3.167'), dst: ipv4('1.2.3.168'), ttl: 64, sport, dport: 8472, vni: 47204 } };
}

test('nat.h:619-623 snat_v4_prepare_state: the outer VXLAN packet from IPV4_MASQUERADE gets a HostLocal=1 pair, port kept, and a CT entry', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevEgress, vxlanOut(), 2);
  assert.deepEqual(r.ret, { kind: 'ok' });
  assert.deepEqual(tailCalls(r), ['cilium_calls_netdev_00002[38]']);
  assert.deepEqual(natDump(f), [
    'UDP IN 1.2.3.168:8472 -> 1.2.3.167:51023 XLATE_DST 1.2.3.167:51023 Created=0sec HostLocal=1',
    'UDP OUT 1.2.3.167:51023 -> 1.2.3.168:8472 XLATE_SRC 1.2.3.167:51023 Created=0sec HostLocal=1',
  ]);
  // snat_v4_track_connection (nat.h:280-283): needs_ct because saddr == target; ctx_full_len = 74 + 50.
  assert.deepEqual(ctDump(f), ['UDP OUT 1.2.3.167:51023 -> 1.2.3.168:8472 expires=1060 RxPackets=0 RxBytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxPackets=1 TxBytes=124 TxFlagsSeen=0x00 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=0 IfIndex=0']);
  assert.ok(notes(r).includes('saddr 1.2.3.167 == IPV4_MASQUERADE: SNAT to IPV4_MASQUERADE 1.2.3.167'));
  assert.equal(r.ctx.pkt.outer?.src, ipv4('1.2.3.167'), 'nothing rewritten');
  assert.equal(r.ctx.pkt.outer?.sport, 51023);
});

test('nat.h:485-498 snat_v4_nat_can_skip: a host source port below NAT_MIN_EGRESS (32768) is punted, no mapping', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket('1.2.3.167', '1.2.3.168', 10250, { l4: { proto: 'tcp', sport: 22, dport: 10250, flags: 'SYN' } }), 2);
  assert.deepEqual(r.ret, { kind: 'ok' });
  assert.deepEqual(natDump(f), []);
  assert.ok(notes(r).some((t) => t.startsWith('snat_v4_nat_can_skip: not from a local endpoint nor from the world, and source port 22 < NAT_MIN_EGRESS 32768')));
});

test('nat.h:604-608 snat_v4_prepare_state in bpf_overlay: the IPV4_GATEWAY source (host → remote pod) gets a HostLocal=1 pair, port kept', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.toOverlay, tcpPacket('10.0.0.2', '10.0.1.105', 80, { mark: 0x0c00 }), 5);
  assert.deepEqual(r.ret, { kind: 'ok' });
  assert.deepEqual(tailCalls(r), ['cilium_calls_overlay_2[38]']);
  assert.deepEqual(natDump(f), [
    'TCP IN 10.0.1.105:80 -> 10.0.0.2:43210 XLATE_DST 10.0.0.2:43210 Created=0sec HostLocal=1',
    'TCP OUT 10.0.0.2:43210 -> 10.0.1.105:80 XLATE_SRC 10.0.0.2:43210 Created=0sec HostLocal=1',
  ]);
  assert.ok(ctDump(f)[0]?.startsWith('TCP OUT 10.0.0.2:43210 -> 10.0.1.105:80 expires=1060 RxPackets=0 RxBytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxPackets=1 TxBytes=74 TxFlagsSeen=0x02'));
});

test('nat.h:651-657 snat_v4_prepare_state in bpf_overlay: a pod source is never masqueraded', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.toOverlay, tcpPacket(EP1.ip, '10.0.1.105', 80), 5);
  assert.deepEqual(r.ret, { kind: 'ok' });
  assert.deepEqual(natDump(f), []);
  assert.ok(notes(r).some((t) => t.startsWith('IS_BPF_OVERLAY: bpf_overlay never masquerades pod traffic')));
});

test('nat.h:716-737 TUNNEL_MODE compiles out the remote-node exemption: pod → remote node IP is masqueraded to IPV4_MASQUERADE', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '1.2.3.168', 10250), 2);
  assert.deepEqual(r.ret, { kind: 'ok' });
  assert.equal(r.ctx.pkt.src, ipv4('1.2.3.167'));
  assert.deepEqual(natDump(f), [
    'TCP IN 1.2.3.168:10250 -> 1.2.3.167:43210 XLATE_DST 10.0.0.157:43210 Created=0sec HostLocal=0',
    'TCP OUT 10.0.0.157:43210 -> 1.2.3.168:10250 XLATE_SRC 1.2.3.167:43210 Created=0sec HostLocal=0',
  ]);
  assert.deepEqual(ctDump(f), [], 'not host-local: snat_v4_track_connection creates nothing');
});

test('nat.h:726-727 native routing keeps the remote-node exemption: pod → remote node IP is not masqueraded', () => {
  const f = fixture({ tunnelMode: false, ipv4NativeRoutingCidr: { prefix: { addr: ipv4('10.0.0.0'), len: 16 }, derived: false } });
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '1.2.3.168', 10250), 2);
  assert.equal(r.ctx.pkt.src, ipv4(EP1.ip));
  assert.deepEqual(natDump(f), []);
  assert.ok(notes(r).includes('daddr 1.2.3.168 is a remote node (identity 6, native routing): no SNAT'));
});

test('nat.h:688-697 IPV4_SNAT_EXCLUSION_DST_CIDR: a destination in the native-routing CIDR is not masqueraded', () => {
  const f = fixture({ tunnelMode: false, ipv4NativeRoutingCidr: { prefix: { addr: ipv4('10.0.0.0'), len: 16 }, derived: false } });
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '10.0.1.105', 80), 2);
  assert.equal(r.ctx.pkt.src, ipv4(EP1.ip));
  assert.deepEqual(natDump(f), []);
  assert.ok(notes(r).some((t) => t.startsWith('daddr 10.0.1.105 is in IPV4_SNAT_EXCLUSION_DST_CIDR 10.0.0.0/16, ipv4-native-routing-cidr')));
});

test('nat.h:231 __snat_try_keep_port keeps 43210 (in 32768-65535): pod → world leaves as 1.2.3.167:43210', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '8.8.8.8', 443), 2);
  assert.equal(r.ctx.pkt.src, ipv4('1.2.3.167'));
  assert.equal(r.ctx.pkt.l4.proto === 'tcp' && r.ctx.pkt.l4.sport, 43210);
  assert.ok(natDump(f).includes('TCP OUT 10.0.0.157:43210 -> 8.8.8.8:443 XLATE_SRC 1.2.3.167:43210 Created=0sec HostLocal=0'));
  assert.ok(notes(r).includes('__snat_try_keep_port: 43210 is in [32768, 65535], kept'));
});

test('nat.h:62-66 __snat_try_keep_port: port 1234 is outside the range, a random port (cilium-trace: the first free, 32768)', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '8.8.8.8', 443, { l4: { proto: 'tcp', sport: 1234, dport: 443, flags: 'SYN' } }), 2);
  assert.equal(r.ctx.pkt.l4.proto === 'tcp' && r.ctx.pkt.l4.sport, 32768);
  assert.ok(natDump(f).includes('TCP IN 8.8.8.8:443 -> 1.2.3.167:32768 XLATE_DST 10.0.0.157:1234 Created=0sec HostLocal=0'));
});

test('nat.h:243-258 snat_v4_new_mapping: a taken reverse tuple moves the port on (the datapath draws a random one first)', () => {
  const f = fixture();
  const taken = { daddr: ipv4('1.2.3.167'), saddr: ipv4('8.8.8.8'), dport: 43210, sport: 443, nexthdr: 6, flags: TUPLE_F_IN };
  f.node.maps.nat.set(taken, { created: 1000, hostLocal: false, toAddr: ipv4(EP2.ip), toPort: 43210 });
  const r = runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '8.8.8.8', 443), 2);
  assert.equal(r.ctx.pkt.l4.proto === 'tcp' && r.ctx.pkt.l4.sport, 43211);
  assert.ok(natDump(f).includes('TCP OUT 10.0.0.157:43210 -> 8.8.8.8:443 XLATE_SRC 1.2.3.167:43211 Created=0sec HostLocal=0'));
});

test('nat.h:501-506 snat_v4_rev_nat_can_skip: the VXLAN packet (dport 8472) is punted without a NAT lookup', () => {
  const f = fixture();
  const p: Packet = { ...vxlanOut(), outer: { ...vxlanOut().outer!, src: ipv4('1.2.3.168'), dst: ipv4('1.2.3.167'), sport: 40000 } };
  const r = runEntry(f, f.progs.netdevIngress, p, 2);
  assert.deepEqual(r.ret, { kind: 'ok' }, 'the host stack decapsulates it');
  assert.deepEqual(tailCalls(r), ['cilium_calls_netdev_00002[7]', 'cilium_calls_netdev_00002[36]', 'cilium_calls_netdev_00002[7]']);
  assert.ok(!r.nodes.some((n) => n.kind === 'lookup' && n.map === 'cilium_snat_v4_external'));
  assert.ok(notes(r).includes('snat_v4_rev_nat_can_skip: destination port 8472 is outside [32768, 65535]: NAT_PUNT_TO_STACK'));
});

test('nat.h:843-857 snat_v4_rev_nat handles ICMP echo: a request (dport 0) is punted, a reply with echo id 40000 is looked up', () => {
  const f = fixture();
  const icmp = (type: number, id: number): Packet => ({ ...tcpPacket('8.8.8.8', '1.2.3.167', 0), l4: { proto: 'icmp', type, code: 0, id } });
  const req = runEntry(f, f.progs.netdevIngress, icmp(8, 1), 2);
  assert.ok(!req.nodes.some((n) => n.kind === 'lookup' && n.map === 'cilium_snat_v4_external'));
  assert.ok(notes(req).includes('snat_v4_rev_nat_can_skip: destination echo id 0 is outside [32768, 65535]: NAT_PUNT_TO_STACK'));
  const rep = runEntry(f, f.progs.netdevIngress, icmp(0, 40000), 2);
  assert.ok(rep.nodes.some((n) => n.kind === 'lookup' && n.map === 'cilium_snat_v4_external' && n.key === 'ICMP IN 8.8.8.8:0 -> 1.2.3.167:40000' && n.result === null));
});

test('nat.h:810-872 snat_v4_rev_nat translates a masqueraded reply back and marks it SNAT-done before slot 17', () => {
  const f = fixture();
  runEntry(f, f.progs.netdevEgress, tcpPacket(EP1.ip, '8.8.8.8', 443), 2);
  const reply = tcpPacket('8.8.8.8', '1.2.3.167', 43210, { l4: { proto: 'tcp', sport: 443, dport: 43210, flags: 'SYN, ACK' } });
  const r = runEntry(f, f.progs.netdevIngress, reply, 2);
  assert.deepEqual(tailCalls(r).slice(0, 3), ['cilium_calls_netdev_00002[7]', 'cilium_calls_netdev_00002[36]', 'cilium_calls_netdev_00002[17]']);
  assert.equal(r.ctx.pkt.dst, ipv4(EP1.ip));
  assert.ok(r.nodes.some((n) => n.kind === 'rewrite' && n.field === 'daddr:dport' && n.from === '1.2.3.167:43210' && n.to === '10.0.0.157:43210'));
  assert.ok(fns(r).includes('ctx_snat_done_set'));
  assert.equal(r.ctx.pkt.mark & 0x1500, 0x1500, 'MARK_MAGIC_SNAT_DONE');
});

test('pkg/maps/nat/ipv4.go:51 NatEntry4.Dump: XLATE_%s addr:port Created=%s HostLocal=%d, no NeedsCT (struct nat_entry, nat.h:30-35)', () => {
  const out = { daddr: ipv4('8.8.8.8'), saddr: ipv4(EP1.ip), dport: 443, sport: 43210, nexthdr: 6, flags: TUPLE_F_OUT };
  const e = { created: 1000, hostLocal: false, toAddr: ipv4('1.2.3.167'), toPort: 43210 };
  assert.equal(formatNatKey(out) + formatNatEntry(out, e), 'TCP OUT 10.0.0.157:43210 -> 8.8.8.8:443 XLATE_SRC 1.2.3.167:43210 Created=0sec HostLocal=0');
  const m = new NatMap();
  m.set({ ...out, flags: TUPLE_F_IN }, { ...e, hostLocal: true });
  assert.equal(m.dump(), 'TCP IN 10.0.0.157:43210 -> 8.8.8.8:443 XLATE_DST 1.2.3.167:43210 Created=0sec HostLocal=1\n');
});
