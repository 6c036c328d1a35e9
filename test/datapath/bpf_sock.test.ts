// bpf/bpf_sock.c (v1.13.0) in the shape of Cilium's bpf/tests: hand-built LB maps, one
// cil_sock4_connect run, the returned verdict and the steps that matter. Each test is named
// after the source lines it reflects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../../src/net/ip.js';
import { SVC_FLAG_NODEPORT } from '../../src/maps/lbmap.js';
import type { Ctx, SockInfo } from '../../src/datapath/context.js';
import { runProgram } from '../../src/datapath/programs.js';
import type { Packet } from '../../src/net/packet.js';
import { TraceBuilder } from '../../src/trace/builder.js';
import { V1_13_0 } from '../../src/cilium/releases/release.js';
import type { TraceNode } from '../../src/trace/tree.js';
import { EP1, EP2, fixture, tcpPacket, type Fixture } from '../support/datapath-fixture.js';

const prov = { kind: 'agent' as const, what: 'test' };

function flat(ns: readonly TraceNode[]): TraceNode[] {
  return ns.flatMap((n) => ('children' in n ? [n, ...flat(n.children)] : [n]));
}

/** cil_sock4_connect for a socket of a pod (its IP) or of the host netns. */
function connect(f: Fixture, pkt: Packet, sock: SockInfo = { inHostns: false, cgroup: { kind: 'pod', ip: EP1.ip } }) {
  const tb = new TraceBuilder(V1_13_0);
  tb.hop('n1', 'socket', 'cgroup/connect4');
  const ctx: Ctx = { cluster: { release: V1_13_0, nodes: new Map([['n1', f.node]]), nodeByIp: new Map() }, node: f.node, tb, opts: {}, prog: f.progs.connect4, pkt, ifindex: 0, cb: new Map(), tunnelKey: undefined, ctBuffer: undefined, dropNotified: false, lbRevNat: 0, sock };
  const ret = runProgram(ctx, f.progs.connect4);
  return { ret, ctx, tree: tb.hops, nodes: flat(tb.hops) };
}

/** The NodePort 30080 surrogate 0.0.0.0:30080 → EP2:8080, as the agent writes it for every node. */
function withSurrogate(f: Fixture): void {
  const lb = f.node.maps.lb;
  lb.setService({ address: ipv4('0.0.0.0'), dport: 30080, slot: 0, scope: 0 }, { backendId: 0, count: 1, revNat: 9, flags: SVC_FLAG_NODEPORT, flags2: 0, type: 'NodePort', provenance: prov });
  lb.setService({ address: ipv4('0.0.0.0'), dport: 30080, slot: 1, scope: 0 }, { backendId: 20, count: 0, revNat: 9, flags: SVC_FLAG_NODEPORT, flags2: 0, type: 'NodePort', provenance: prov });
}

test('bpf_sock.c:324-325 + 462-466 count 0: __sock4_xlate_fwd returns -EHOSTUNREACH, cil_sock4_connect rejects the syscall; no drop, no trace-sock event', () => {
  const r = connect(fixture(), tcpPacket(EP1.ip, '10.96.0.11', 80));
  assert.deepEqual(r.ret, { kind: 'refused', errno: 'EHOSTUNREACH', code: -113 });
  const refused = r.nodes.find((n) => n.kind === 'refused');
  assert.deepEqual(refused, { kind: 'refused', syscall: 'connect', errno: 'EHOSTUNREACH', code: -113, fn: 'cil_sock4_connect', file: 'bpf/bpf_sock.c' });
  assert.equal(r.nodes.filter((n) => n.kind === 'drop').length, 0, 'no drop node: no DROP_NO_SERVICE exists here');
  assert.equal(r.nodes.filter((n) => n.kind === 'trace_sock').length, 0, 'XLATE_PRE is sent only after the count check (bpf_sock.c:327)');
  assert.equal(r.ctx.pkt.dst, ipv4('10.96.0.11'), 'the socket address is unchanged');
});

test('bpf_sock.c:327 + 418 send_trace_sock_notify4: XLATE_PRE carries the VIP 10.96.0.10:80, XLATE_POST the backend 10.0.0.243:8080', () => {
  const r = connect(fixture(), tcpPacket(EP1.ip, '10.96.0.10', 80));
  assert.deepEqual(r.ret, { kind: 'ok' });
  const events = r.nodes.flatMap((n) => (n.kind === 'trace_sock' ? [`${n.point} ${n.dst}:${n.dport} ${n.proto} ${n.cgroup.kind}`] : []));
  assert.deepEqual(events, ['XLATE_PRE_DIRECTION_FWD 10.96.0.10:80 tcp pod', `XLATE_POST_DIRECTION_FWD ${EP2.ip}:8080 tcp pod`]);
  const sock = r.nodes.filter((n) => n.kind === 'trace_sock');
  assert.ok(sock.every((n) => n.kind === 'trace_sock' && n.cookie === (sock[0] as { cookie: number }).cookie), 'one socket: one cookie');
});

test('bpf_sock.c:395-403 sock_select_slot only picks slot 1; __lb4_lookup_backend_slot reads it, __lb4_lookup_backend reads backend 10 from cilium_lb4_backends_v3', () => {
  const r = connect(fixture(), tcpPacket(EP1.ip, '10.96.0.10', 80));
  const fns = r.nodes.flatMap((n) => (n.kind === 'fn' ? [`${n.fn} ${n.file}`] : []));
  assert.deepEqual(fns, ['cil_sock4_connect bpf/bpf_sock.c', '__sock4_xlate_fwd bpf/bpf_sock.c', 'lb4_lookup_service bpf/lib/lb.h', 'sock_select_slot bpf/bpf_sock.c', '__lb4_lookup_backend_slot bpf/lib/lb.h', '__lb4_lookup_backend bpf/lib/lb.h', 'sock4_update_revnat bpf/bpf_sock.c']);
  const select = r.nodes.find((n) => n.kind === 'fn' && n.fn === 'sock_select_slot');
  assert.ok(select && select.kind === 'fn' && !select.children.some((c) => c.kind === 'lookup'), 'sock_select_slot does no lookup');
  const lookups = r.nodes.flatMap((n) => (n.kind === 'lookup' ? [`${n.map} ${n.key} → ${n.result}`] : []));
  assert.deepEqual(lookups, [
    'cilium_lb4_services_v2 10.96.0.10:80 (slot 0) → 0.0.0.0:0 (1) (0) [ClusterIP, non-routable]',
    `cilium_lb4_services_v2 10.96.0.10:80 (slot 1) → ${EP2.ip}:8080 (1) (1)`,
    `cilium_lb4_backends_v3 10 → ANY://${EP2.ip}`,
  ]);
  assert.equal(r.ctx.pkt.dst, ipv4(EP2.ip));
  assert.equal(r.ctx.pkt.l4.proto === 'tcp' && r.ctx.pkt.l4.dport, 8080);
});

test('bpf_sock.c:198-206 sock4_wildcard_lookup: a remote node (identity 6) on NodePort 30080 is looked up as the 0.0.0.0:30080 surrogate', () => {
  const f = fixture();
  withSurrogate(f);
  const r = connect(f, tcpPacket(EP1.ip, '1.2.3.168', 30080));
  assert.deepEqual(r.ret, { kind: 'ok' });
  const keys = r.nodes.flatMap((n) => (n.kind === 'lookup' ? [`${n.map} ${n.key}`] : []));
  assert.deepEqual(keys, ['cilium_lb4_services_v2 1.2.3.168:30080 (slot 0)', 'cilium_ipcache 1.2.3.168/32', 'cilium_lb4_services_v2 0.0.0.0:30080 (slot 0)', 'cilium_lb4_services_v2 0.0.0.0:30080 (slot 1)', 'cilium_lb4_backends_v3 20']);
  const pre = r.nodes.find((n) => n.kind === 'trace_sock');
  assert.ok(pre && pre.kind === 'trace_sock' && pre.dst === '1.2.3.168' && pre.dport === 30080, 'XLATE_PRE reports the address the socket asked for');
});

test('bpf_sock.c:186-189 sock4_wildcard_lookup: port 10250 is outside 30000-32767, so a remote node address gets no surrogate lookup', () => {
  const f = fixture();
  withSurrogate(f);
  const r = connect(f, tcpPacket(EP1.ip, '1.2.3.168', 10250));
  assert.deepEqual(r.ret, { kind: 'ok' });
  assert.ok(!r.nodes.some((n) => n.kind === 'lookup' && n.key.startsWith('0.0.0.0:')), 'the HostPort half wants HOST_ID, the NodePort half the port range');
  assert.equal(r.ctx.pkt.dst, ipv4('1.2.3.168'));
});

test('bpf_sock.c:76-90 + 195-196 ctx_in_hostns: the host netns reaches 127.0.0.1:30080 through the surrogate, a pod does not', () => {
  const f = fixture();
  withSurrogate(f);
  const host = connect(f, tcpPacket('1.2.3.167', '127.0.0.1', 30080), { inHostns: true, cgroup: { kind: 'host' } });
  assert.equal(host.ctx.pkt.dst, ipv4(EP2.ip));
  assert.ok(host.nodes.some((n) => n.kind === 'trace_sock' && n.cgroup.kind === 'host'));
  const g = fixture();
  withSurrogate(g);
  const pod = connect(g, tcpPacket(EP1.ip, '127.0.0.1', 30080));
  assert.equal(pod.ctx.pkt.dst, ipv4('127.0.0.1'), 'loopback from a pod: ipcache says world, no wildcard');
});

test('bpf_sock.c:293 + 319 a host-netns connect() to a ClusterIP is translated like a pod\'s (cil_sock4_connect sits at the cgroup v2 root)', () => {
  const r = connect(fixture(), tcpPacket('1.2.3.167', '10.96.0.10', 80), { inHostns: true, cgroup: { kind: 'host' } });
  assert.deepEqual(r.ret, { kind: 'ok' });
  assert.equal(r.ctx.pkt.dst, ipv4(EP2.ip));
  assert.ok(r.nodes.some((n) => n.kind === 'note' && n.text.startsWith('ctx_in_hostns')));
});
