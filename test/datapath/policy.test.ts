// Policy enforcement, verdict events and conntrack creation of bpf_lxc at v1.13.0, in the
// shape of Cilium's bpf/tests: policy and CT maps filled with the fixture's helpers, one
// entry program run, verdict and key nodes checked. Each test is named after the source
// line it reflects (bpf/lib/policy.h, bpf/bpf_lxc.c, bpf/lib/conntrack.h at c9723a8df3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProgramRef } from '../../src/maps/callmap.js';
import type { Packet } from '../../src/net/packet.js';
import { renderMonitor } from '../../src/render/monitor.js';
import type { TraceNode, TraceResult } from '../../src/trace/tree.js';
import { EP1, EP2, fixture, runEntry, tcpPacket, type Fixture, type Run } from '../support/datapath-fixture.js';

function fromContainer(f: Fixture, ep: typeof EP1): ProgramRef {
  const p = f.node.devices.get(ep.ifindex)?.tc.ingress;
  assert.ok(p);
  return p;
}

function send(f: Fixture, src: typeof EP1, pkt: Packet): Run {
  return runEntry(f, fromContainer(f, src), { ...pkt, ethDst: f.node.devices.get(src.ifindex)?.mac ?? pkt.ethDst }, src.ifindex);
}

const udp = (src: string, dst: string, dport: number): Packet => ({ ...tcpPacket(src, dst, dport), l4: { proto: 'udp', sport: 43210, dport } });
const ping = (src: string, dst: string): Packet => ({ ...tcpPacket(src, dst, 0), l4: { proto: 'icmp', type: 8, code: 0, id: 1 } });

function policyLookups(r: Run, map: string): string[] {
  return r.nodes.flatMap((n) => (n.kind === 'lookup' && n.map === map ? [`${n.key} → ${n.result ?? 'miss'}`] : []));
}

function policyNodes(r: Run): Array<Extract<TraceNode, { kind: 'policy' }>> {
  return r.nodes.flatMap((n) => (n.kind === 'policy' ? [n] : []));
}

const monitor = (r: Run): string => renderMonitor({ hops: r.ctx.tb.hops } as unknown as TraceResult);

test('policy.h:208-215 probe 3 L3-Proto: {47204, 0, TCP} lets tcp/8080 in, after the L3-L4 and L4-Only misses', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 0, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: EP2.ifindex, peer: true, ingress: true });
  assert.deepEqual(policyLookups(r, 'cilium_policy_00505'), [
    '{identity=47204 dport=8080 proto=TCP ingress} → miss',
    '{identity=0 dport=8080 proto=TCP ingress} → miss',
    '{identity=47204 dport=0 proto=TCP ingress} → Allow proxy_port=NONE',
  ]);
  const ingress = policyNodes(r).find((n) => n.direction === 'ingress');
  assert.ok(ingress && ingress.allowed && ingress.match === 'L3-Proto' && ingress.verdict === 0);
  assert.match(monitor(r), /^Policy verdict log: flow 0x[0-9a-f]+ local EP ID 505, remote ID 47204, proto 6, ingress, action allow, match L3-Proto, 10\.0\.0\.157:43210 -> 10\.0\.0\.243:8080 tcp SYN$/m);
});

test('policy.h:217-223 probe 4 Proto-Only: {0, 0, UDP} lets any peer in on udp/5353', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: 0, dport: 0, proto: 17 });
  const r = send(f, EP1, udp(EP1.ip, EP2.ip, 5353));
  assert.equal(r.ret.kind, 'redirect');
  assert.deepEqual(policyLookups(r, 'cilium_policy_00505'), [
    '{identity=47204 dport=5353 proto=UDP ingress} → miss',
    '{identity=0 dport=5353 proto=UDP ingress} → miss',
    '{identity=47204 dport=0 proto=UDP ingress} → miss',
    '{identity=0 dport=0 proto=UDP ingress} → Allow proxy_port=NONE',
  ]);
  assert.equal(policyNodes(r).find((n) => n.direction === 'ingress')?.match, 'Proto-Only');
});

test('policy.h:180-251 all six probes in order, then DROP_POLICY (133) with match none', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 80, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_POLICY');
  assert.deepEqual(policyLookups(r, 'cilium_policy_00505'), [
    '{identity=47204 dport=8080 proto=TCP ingress} → miss',
    '{identity=0 dport=8080 proto=TCP ingress} → miss',
    '{identity=47204 dport=0 proto=TCP ingress} → miss',
    '{identity=0 dport=0 proto=TCP ingress} → miss',
    '{identity=47204 dport=0 proto=ANY ingress} → miss',
    '{identity=0 dport=0 proto=ANY ingress} → miss',
  ]);
  const ingress = policyNodes(r).find((n) => n.direction === 'ingress');
  assert.ok(ingress && !ingress.allowed && !ingress.deny && ingress.match === 'none' && ingress.verdict === -133);
});

test('policy.h:208-231 probe 3 comes before probe 5: an L3-Proto allow wins over an L3-Only deny of the same identity', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 0, proto: 6 });
  f.allow(EP2.id, { identity: EP1.identity, dport: 0, proto: 0 }, true);
  const allowed = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  assert.equal(allowed.ret.kind, 'redirect');
  assert.equal(policyNodes(allowed).find((n) => n.direction === 'ingress')?.match, 'L3-Proto');
  const denied = send(f, EP1, udp(EP1.ip, EP2.ip, 53));
  assert.equal(denied.ret.kind === 'drop' && denied.ret.macro, 'DROP_POLICY_DENY');
  const pol = policyNodes(denied).find((n) => n.direction === 'ingress');
  assert.ok(pol && pol.deny && pol.match === 'L3-Only' && pol.verdict === -181, 'policy.h:256: a deny hit keeps the match type of its probe');
});

test('policy.h:142-159 ENABLE_ICMP_RULE: an echo request probes the ICMP type 8 as the port', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 8, proto: 1 });
  const r = send(f, EP1, ping(EP1.ip, EP2.ip));
  assert.equal(r.ret.kind, 'redirect');
  assert.deepEqual(policyLookups(r, 'cilium_policy_00505'), ['{identity=47204 dport=8 proto=ICMP ingress} → Allow proxy_port=NONE']);
});

test('bpf_lxc.c:826-835 and :1735-1769 CT_REPLY skips policy enforcement: no lookup, no verdict, the reply passes enforced policies', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 80, proto: 6 });
  f.allow(EP2.id, { identity: 1, dport: 1, proto: 6, direction: 'egress' }); // EP2 egress enforced, nothing for EP1
  f.allow(EP1.id, { identity: 1, dport: 1, proto: 6 }); // EP1 ingress enforced, nothing for EP2
  const forward = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 80));
  assert.equal(forward.ret.kind, 'redirect');
  const reply = send(f, EP2, { ...tcpPacket(EP2.ip, EP1.ip, 43210), l4: { proto: 'tcp', sport: 80, dport: 43210, flags: 'SYN, ACK' } });
  assert.deepEqual(reply.ret, { kind: 'redirect', ifindex: EP1.ifindex, peer: true, ingress: true });
  assert.deepEqual(reply.nodes.filter((n) => n.kind === 'ct').map((n) => n.kind === 'ct' && `${n.dir} ${n.result}`), ['CT_EGRESS CT_REPLY', 'CT_INGRESS CT_REPLY']);
  assert.deepEqual(reply.nodes.filter((n) => n.kind === 'lookup' && n.map.startsWith('cilium_policy_')), []);
  assert.deepEqual(policyNodes(reply), []);
  assert.deepEqual(reply.nodes.flatMap((n) => (n.kind === 'policy_skip' ? [`${n.direction} ${n.endpoint} ${n.status}`] : [])), ['egress 505 CT_REPLY', 'ingress 1703 CT_REPLY']);
  assert.doesNotMatch(monitor(reply), /Policy verdict/);
  assert.ok(!reply.nodes.some((n) => n.kind === 'ct_create'), 'no entry is created for a reply');
});

test('bpf_lxc.c:1795-1798 with policy_log.h:58: a denied ingress sends "action deny, match none" (filter bit 0x1)', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 80, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 8080));
  const ingress = policyNodes(r).find((n) => n.direction === 'ingress');
  assert.ok(ingress && ingress.enforced && ingress.notify, 'the miss has no provenance, yet the direction is enforced');
  const lines = monitor(r).split('\n');
  const verdict = lines.findIndex((l) => /^Policy verdict log: flow 0x[0-9a-f]+ local EP ID 505, remote ID 47204, proto 6, ingress, action deny, match none, 10\.0\.0\.157:43210 -> 10\.0\.0\.243:8080 tcp SYN$/.test(l));
  const dropLine = lines.findIndex((l) => l.startsWith('xx drop (Policy denied)'));
  assert.ok(verdict >= 0 && dropLine === verdict + 1, 'the verdict event comes right before the drop notification');
});

test('policy_log.h:58 policy_verdict_filter_allow: no event in a direction whose filter bit is clear (egress allow-all here)', () => {
  const f = fixture();
  const policyProg = f.node.maps.progArrays.get('cilium_call_policy')?.lookup(EP2.id);
  assert.ok(policyProg && policyProg.config.kind === 'lxc');
  f.node.maps.progArrays.get('cilium_call_policy')?.set(EP2.id, { ...policyProg, config: { ...policyProg.config, policyVerdictLogFilter: 0x2 } });
  f.allow(EP2.id, { identity: EP1.identity, dport: 80, proto: 6 });
  const r = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 80));
  assert.equal(r.ret.kind, 'redirect');
  const [egress, ingress] = policyNodes(r);
  assert.ok(egress && egress.enforced && egress.notify && egress.match === 'all', 'EP1 has filter 0x3: its egress verdict is sent');
  assert.ok(ingress && !ingress.enforced && !ingress.notify && ingress.match === 'L3-L4', 'EP2 loaded with filter 0x2: no ingress event');
  assert.deepEqual(monitor(r).split('\n').filter((l) => l.startsWith('Policy verdict')).map((l) => /(ingress|egress), action (\w+)/.exec(l)?.slice(1).join(' ')), ['egress allow']);
});

test('bpf_lxc.c:1795 an allowed CT_ESTABLISHED packet sends no verdict event', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: EP1.identity, dport: 80, proto: 6 });
  send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 80));
  const again = send(f, EP1, tcpPacket(EP1.ip, EP2.ip, 80));
  assert.deepEqual(again.nodes.filter((n) => n.kind === 'ct').map((n) => n.kind === 'ct' && n.result), ['CT_ESTABLISHED', 'CT_ESTABLISHED']);
  assert.deepEqual(policyNodes(again).map((n) => [n.direction, n.allowed, n.notify]), [['egress', true, false], ['ingress', true, false]]);
});

test('bpf_lxc.c:1165 send_drop_notify_ext(ctx, SECLABEL, dst_id, 0, …): an egress deny to the world carries dst identity 2', () => {
  const f = fixture();
  f.allow(EP1.id, { identity: EP2.identity, dport: 80, proto: 6, direction: 'egress' });
  const r = send(f, EP1, tcpPacket(EP1.ip, '8.8.8.8', 443));
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_POLICY');
  const drops = r.nodes.flatMap((n) => (n.kind === 'drop' ? [n] : []));
  assert.equal(drops.length, 1);
  assert.deepEqual(drops.map((d) => [d.srcId, d.dstId, d.dstEp, d.fn, d.direction]), [[EP1.identity, 2, 0, 'policy_can_egress4', 'egress']]);
  assert.match(monitor(r), /^xx drop \(Policy denied\) flow 0x[0-9a-f]+ to endpoint 0, ifindex 19, file 2:1165, , identity 47204->world: 10\.0\.0\.157:43210 -> 8\.8\.8\.8:443 tcp SYN$/m);
  assert.match(monitor(r), /^Policy verdict log: flow 0x[0-9a-f]+ local EP ID 1703, remote ID world, proto 6, egress, action deny, match none, /m);
});

test('bpf_lxc.c:1165 an egress deny to a pod carries the peer pod\'s identity', () => {
  const f = fixture();
  f.allow(EP1.id, { identity: EP2.identity, dport: 80, proto: 6, direction: 'egress' });
  const r = send(f, EP1, tcpPacket(EP1.ip, '10.0.1.105', 8080));
  const d = r.nodes.find((n) => n.kind === 'drop');
  assert.ok(d && d.kind === 'drop' && d.drop.code === 133 && d.srcId === EP1.identity && d.dstId === 14753 && d.dstEp === 0);
});

test('policy.h:325-326 is_encap in policy_can_egress: UDP to TUNNEL_PORT is DROP_ENCAP_PROHIBITED (170), a deny verdict event, dst identity in the drop', () => {
  const f = fixture();
  const r = send(f, EP1, udp(EP1.ip, '10.0.1.105', 8472));
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_ENCAP_PROHIBITED');
  assert.deepEqual(policyLookups(r, 'cilium_policy_01703'), [], 'no policy map lookup');
  const pol = policyNodes(r)[0];
  assert.ok(pol && pol.verdict === -170 && pol.match === 'none' && pol.notify);
  const d = r.nodes.find((n) => n.kind === 'drop');
  assert.ok(d && d.kind === 'drop' && d.fn === 'policy_can_egress' && d.dstId === 14753);
});

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

test('bpf_lxc.c:947-953 + proxy.h:224: an egress entry with a proxy port: verdict redirect, TRACE_TO_PROXY, then ctx_redirect_to_proxy4 (not simulated)', () => {
  const f = fixture();
  f.allow(EP1.id, { identity: EP2.identity, dport: 53, proto: 17, direction: 'egress' });
  const pm = f.node.maps.policy.get('cilium_policy_01703');
  assert.ok(pm);
  pm.set({ identity: EP2.identity, dport: 53, proto: 17, direction: 'egress' }, { proxyPort: 14849, deny: false, packets: 0, bytes: 0, provenance: [], redirect: { parser: 'dns', listener: 'cilium-dns-egress', rules: ['matchPattern *'] } });
  const r = send(f, EP1, udp(EP1.ip, EP2.ip, 53));
  assert.deepEqual(r.ret, {
    kind: 'unsimulated',
    text: 'the egress policy entry redirects to the proxy (53/UDP to identity 14753; proxy port 14849, listener cilium-dns-egress); the DNS proxy would then apply: matchPattern *',
    proxy: { parser: 'dns', listener: 'cilium-dns-egress', port: 14849, rules: ['matchPattern *'] },
  });
  const egress = policyNodes(r).find((n) => n.direction === 'egress');
  assert.ok(egress && egress.allowed && egress.verdict === 14849);
  assert.match(monitor(r), /action redirect, match L3-L4, 10\.0\.0\.157:43210 -> 10\.0\.0\.243:53 udp\n-> proxy port 14849 flow 0x[0-9a-f]+ , identity 47204->unknown state new ifindex 0 orig-ip 0\.0\.0\.0: /);
  assert.ok(r.nodes.some((n) => n.kind === 'fn' && n.fn === 'ctx_redirect_to_proxy4'));
});
