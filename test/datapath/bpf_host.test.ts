// bpf_host.c programs (cil_from_netdev, cil_from_host) and the NodePort code they run, in the
// shape of Cilium's bpf/tests: a hand-built node, one entry program, verdict and key steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../../src/net/ip.js';
import { EP2, fixture, runEntry, tailCalls, tcpPacket, type Run } from '../support/datapath-fixture.js';
import type { TraceNode } from '../../src/trace/tree.js';

const tracePoints = (r: Run) => r.nodes.filter((n): n is Extract<TraceNode, { kind: 'trace_point' }> => n.kind === 'trace_point');

test('nat.h:501-506 from-netdev, not a service: slot 36 punts dport 80 without a SNAT lookup, recirculates to slot 7, local delivery', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', EP2.ip, 80), 2);
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: EP2.ifindex, peer: true, ingress: true });
  assert.deepEqual(tailCalls(r), ['cilium_calls_netdev_00002[7]', 'cilium_calls_netdev_00002[36]', 'cilium_calls_netdev_00002[7]', 'cilium_call_policy[505]']);
  assert.ok(!r.nodes.some((n) => n.kind === 'lookup' && n.map === 'cilium_snat_v4_external'), 'snat_v4_rev_nat_can_skip: no map lookup');
  assert.ok(r.nodes.some((n) => n.kind === 'note' && n.text.startsWith('snat_v4_rev_nat_can_skip: destination port 80 is outside [32768, 65535]')));
  const pol = r.nodes.find((n) => n.kind === 'policy');
  assert.ok(pol && pol.kind === 'policy' && pol.remoteId === 2, 'world, from resolve_srcid_ipv4');
});

test('from-netdev, NodePort with a local backend: DNAT, CT with node_port, local delivery', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '1.2.3.167', 30080), 2);
  assert.equal(r.ret.kind, 'redirect');
  assert.equal(r.ctx.pkt.dst, ipv4(EP2.ip));
  assert.equal(r.ctx.pkt.l4.proto === 'tcp' && r.ctx.pkt.l4.dport, 8080);
  assert.ok(!tailCalls(r).some((t) => t.endsWith('[15]')), 'no SNAT for a local backend');
});

test('from-netdev, NodePort with a remote backend: slot 15 SNATs to cilium_host and encapsulates with WORLD_ID', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '1.2.3.167', 30081), 2);
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: 5, peer: false, ingress: false });
  assert.ok(tailCalls(r).includes('cilium_calls_netdev_00002[15]'));
  assert.equal(r.ctx.pkt.src, ipv4('10.0.0.2'));
  assert.equal(r.ctx.tunnelKey?.tunnelId, 2);
  assert.equal(f.node.maps.nat.entries().length, 2, 'an OUT and an IN entry');
});

test('from-netdev, a ClusterIP from outside: DROP_IS_CLUSTER_IP (174)', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '10.96.0.10', 80), 2);
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_IS_CLUSTER_IP');
  assert.ok(r.nodes.some((n) => n.kind === 'drop' && n.drop.code === 174 && n.fn === 'nodeport_lb4'));
});

test('from-netdev, a Service without backends: DROP_NO_SERVICE (158) in lb4_local', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', '10.96.0.11', 80), 2);
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_NO_SERVICE');
});

test('from-netdev with legacy host routing: CTX_ACT_OK, the stack takes the packet to cilium_host', () => {
  const f = fixture({ enableHostRouting: false });
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('203.0.113.7', EP2.ip, 80), 2);
  assert.deepEqual(r.ret, { kind: 'ok' });
});

test('from-host with the host mark: identity host (1), backlog redirect (not redirect_peer)', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: 1, dport: 0, proto: 0 });
  const r = runEntry(f, f.progs.fromHost, tcpPacket('10.0.0.2', EP2.ip, 80, { mark: 0x0c00 }), 4);
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: EP2.ifindex, peer: false, ingress: false });
  assert.ok(r.nodes.some((n) => n.kind === 'trace_point' && n.point === 'TRACE_FROM_HOST' && n.srcId === 1));
  assert.ok(tailCalls(r).includes('cilium_calls_hostns_00554[22]'));
});

test('from-host without a mark: the ipcache gives the source identity (world here), policy can deny it', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: 1, dport: 0, proto: 0 });
  const r = runEntry(f, f.progs.fromHost, tcpPacket('203.0.113.7', EP2.ip, 80), 4);
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_POLICY');
  const pol = r.nodes.find((n) => n.kind === 'policy');
  assert.ok(pol && pol.kind === 'policy' && pol.remoteId === 2);
});

test('from-host toward a remote pod: encapsulated with LOCAL_NODE_ID 6 as the VNI', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.fromHost, tcpPacket('10.0.0.2', '10.0.1.105', 80, { mark: 0x0c00 }), 4);
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: 5, peer: false, ingress: false });
  assert.equal(r.ctx.tunnelKey?.tunnelId, 6);
});

test('bpf_host.c:451-453 resolve_srcid_ipv4: a remote node (6, reserved) stays WORLD_ID at v1.13.0', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('1.2.3.168', EP2.ip, 80), 2);
  const pol = r.nodes.find((n) => n.kind === 'policy');
  assert.ok(pol && pol.kind === 'policy' && pol.remoteId === 2);
  assert.ok(r.nodes.some((n) => n.kind === 'note' && n.text.startsWith('source identity 2 (the ipcache identity 6 is reserved')));
});

test('bpf_host.c:451-453 resolve_srcid_ipv4: a pod identity (not reserved) is taken from the ipcache with BPF host routing', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('10.0.1.105', EP2.ip, 80), 2);
  const pol = r.nodes.find((n) => n.kind === 'policy');
  assert.ok(pol && pol.kind === 'policy' && pol.remoteId === 14753);
});

test('loader.go:160-164 SECCTX_FROM_IPCACHE is off under legacy host routing: src_id stays WORLD_ID even for a pod', () => {
  const f = fixture({ enableHostRouting: false });
  const r = runEntry(f, f.progs.netdevIngress, tcpPacket('10.0.1.105', EP2.ip, 80), 2);
  assert.equal(r.ctx.cb.get('CB_SRC_LABEL'), 2);
  assert.ok(r.nodes.some((n) => n.kind === 'note' && n.text.startsWith('source identity 2 (SECCTX_FROM_IPCACHE is off with legacy host routing')));
});

test('encap.h:127-137 __encap_with_nodeid: seclabel = LOCAL_NODE_ID before TO_OVERLAY (6->14753); bpf_host enters by encap_and_redirect_with_nodeid after rewrite_dmac_to_host', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.fromHost, tcpPacket('10.0.0.2', '10.0.1.105', 80, { mark: 0x0c00 }), 4);
  const p = tracePoints(r).find((x) => x.point === 'TRACE_TO_OVERLAY');
  assert.ok(p && p.srcId === 6 && p.dstId === 14753);
  assert.equal(r.ctx.tunnelKey?.tunnelId, 6);
  const f2 = r.nodes.flatMap((n) => (n.kind === 'fn' ? [n.fn] : []));
  assert.ok(f2.indexOf('rewrite_dmac_to_host') < f2.indexOf('lookup_ip4_endpoint'));
  assert.deepEqual(f2.slice(f2.indexOf('encap_and_redirect_with_nodeid'), f2.indexOf('encap_and_redirect_with_nodeid') + 3), ['encap_and_redirect_with_nodeid', '__encap_and_redirect_with_nodeid', '__encap_with_nodeid']);
  assert.equal(r.ctx.pkt.ethDst, '1e:0d:43:9b:62:f1', 'CILIUM_NET_MAC');
});
