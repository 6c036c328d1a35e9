// Policy enforcement, verdict events and conntrack creation of bpf_lxc at v1.13.0, in the
// shape of Cilium's bpf/tests: policy and CT maps filled with the fixture's helpers, one
// entry program run, verdict and key nodes checked. Each test is named after the source
// line it reflects (bpf/lib/policy.h, bpf/bpf_lxc.c, bpf/lib/conntrack.h at c9723a8df3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProgramRef } from '../../src/maps/callmap.js';
import type { Packet } from '../../src/net/packet.js';
import { EP1, EP2, fixture, runEntry, tcpPacket, type Fixture, type Run } from '../support/datapath-fixture.js';

function fromContainer(f: Fixture, ep: typeof EP1): ProgramRef {
  const p = f.node.devices.get(ep.ifindex)?.tc.ingress;
  assert.ok(p);
  return p;
}

function send(f: Fixture, src: typeof EP1, pkt: Packet): Run {
  return runEntry(f, fromContainer(f, src), { ...pkt, ethDst: f.node.devices.get(src.ifindex)?.mac ?? pkt.ethDst }, src.ifindex);
}

test('conntrack.h:996-1015 ct_create4 with map_related (bpf_lxc.c:887, :1834): each side also stores the ICMP related entry', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 80, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 80));
  assert.equal(r.ret.kind, 'redirect');
  assert.deepEqual(f.node.maps.ctTcp.dumpLines(), [
    'TCP OUT 10.0.0.157:43210 -> 10.0.0.243:80 expires=1060 RxPackets=0 RxBytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxPackets=1 TxBytes=74 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=47204 IfIndex=0 \n',
    'TCP IN 10.0.0.157:43210 -> 10.0.0.243:80 expires=1060 RxPackets=1 RxBytes=74 RxFlagsSeen=0x02 LastRxReport=1000 TxPackets=0 TxBytes=0 TxFlagsSeen=0x00 LastTxReport=0 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=47204 IfIndex=0 \n',
  ]);
  assert.deepEqual(f.node.maps.ctAny.dumpLines(), [
    'ICMP OUT 10.0.0.157:0 -> 10.0.0.243:0 related expires=1060 RxPackets=0 RxBytes=0 RxFlagsSeen=0x00 LastRxReport=0 TxPackets=1 TxBytes=74 TxFlagsSeen=0x02 LastTxReport=1000 Flags=0x0010 [ SeenNonSyn ] RevNAT=0 SourceSecurityID=47204 IfIndex=0 \n',
    'ICMP IN 10.0.0.157:0 -> 10.0.0.243:0 related expires=1060 RxPackets=1 RxBytes=74 RxFlagsSeen=0x02 LastRxReport=1000 TxPackets=0 TxBytes=0 TxFlagsSeen=0x00 LastTxReport=0 Flags=0x0010 [ SeenNonSyn ] RevNAT=0 SourceSecurityID=47204 IfIndex=0 \n',
  ]);
  assert.deepEqual(r.nodes.flatMap((n) => (n.kind === 'ct_create' ? [`${n.map} ${n.key}`] : [])), [
    'cilium_ct4_global TCP OUT 10.0.0.157:43210 -> 10.0.0.243:80',
    'cilium_ct_any4_global ICMP OUT 10.0.0.157:0 -> 10.0.0.243:0 related',
    'cilium_ct4_global TCP IN 10.0.0.157:43210 -> 10.0.0.243:80',
    'cilium_ct_any4_global ICMP IN 10.0.0.157:0 -> 10.0.0.243:0 related',
  ]);
});

test('nodeport.h:2028 ct_create4(…, NULL, …): the NodePort CT_EGRESS entry has no related entry, only bpf_lxc\'s ingress one', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '1.2.3.167', 30080), 2);
  assert.equal(r.ret.kind, 'redirect');
  const related = f.node.maps.ctAny.dumpLines().filter((l) => l.includes(' related '));
  assert.deepEqual(related.map((l) => l.split(' ').slice(0, 5).join(' ')), ['ICMP IN 203.0.113.7:0 -> 10.0.0.243:0']);
});
