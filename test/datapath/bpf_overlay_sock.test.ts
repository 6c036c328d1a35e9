// bpf_overlay.c (cil_from_overlay) and bpf_sock.c (cil_sock4_connect) in the shape of Cilium's
// bpf/tests: hand-built maps, one entry program, verdict and key steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../../src/net/ip.js';
import { EP1, EP2, fixture, runEntry, tailCalls, tcpPacket } from '../support/datapath-fixture.js';

const key = (tunnelId: number) => ({ tunnelId, remoteIpv4: ipv4('1.2.3.168'), ttl: 64 });

test('from-overlay: the identity is the VNI; local delivery with redirect_peer', () => {
  const f = fixture();
  f.allow(EP2.id, { identity: 14753, dport: 80, proto: 6 });
  const r = runEntry(f, f.progs.fromOverlay, tcpPacket('10.0.1.105', EP2.ip, 80), 5, key(14753));
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: EP2.ifindex, peer: true, ingress: true });
  const pol = r.nodes.find((n) => n.kind === 'policy');
  assert.ok(pol && pol.kind === 'policy' && pol.remoteId === 14753 && pol.match === 'L3-L4');
  assert.ok(r.nodes.some((n) => n.kind === 'trace_point' && n.point === 'TRACE_FROM_OVERLAY' && n.srcId === 0), 'v1.13 reports FROM_OVERLAY before reading the key');
  assert.deepEqual(tailCalls(r), ['cilium_calls_overlay_2[7]', 'cilium_calls_overlay_2[36]', 'cilium_calls_overlay_2[7]', 'cilium_call_policy[505]']);
});

test('from-overlay: VNI 1 (host) is DROP_INVALID_IDENTITY (171)', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.fromOverlay, tcpPacket('10.0.1.105', EP2.ip, 80), 5, key(1));
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_INVALID_IDENTITY');
});

test('from-overlay: no tunnel key is DROP_NO_TUNNEL_KEY (147)', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.fromOverlay, tcpPacket('10.0.1.105', EP2.ip, 80), 5);
  assert.equal(r.ret.kind === 'drop' && r.ret.macro, 'DROP_NO_TUNNEL_KEY');
});

test('from-overlay: remote-node (6) is refined by an ipcache lookup of the inner source', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.fromOverlay, tcpPacket('10.0.1.105', EP2.ip, 80), 5, key(6));
  const pol = r.nodes.find((n) => n.kind === 'policy');
  assert.ok(pol && pol.kind === 'policy' && pol.remoteId === 14753);
});

test('connect4: a ClusterIP is translated to its backend before any packet exists', () => {
  const f = fixture();
  const r = runEntry(f, f.progs.connect4, tcpPacket(EP1.ip, '10.96.0.10', 80), 0);
  assert.deepEqual(r.ret, { kind: 'ok' });
  assert.equal(r.ctx.pkt.dst, ipv4(EP2.ip));
  assert.equal(r.ctx.pkt.l4.proto === 'tcp' && r.ctx.pkt.l4.dport, 8080);
});

test('bpf_sock.c:324-325,463-466 connect4: no backends is -EHOSTUNREACH and SYS_REJECT (no drop); not a service leaves the address alone', () => {
  const f = fixture();
  const none = runEntry(f, f.progs.connect4, tcpPacket(EP1.ip, '10.96.0.11', 80), 0);
  assert.deepEqual(none.ret, { kind: 'refused', errno: 'EHOSTUNREACH', code: -113 });
  assert.ok(!none.nodes.some((n) => n.kind === 'drop'));
  const plain = runEntry(f, f.progs.connect4, tcpPacket(EP1.ip, '8.8.8.8', 443), 0);
  assert.deepEqual(plain.ret, { kind: 'ok' });
  assert.equal(plain.ctx.pkt.dst, ipv4('8.8.8.8'));
});
