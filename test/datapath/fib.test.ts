// bpf/lib/fib.h (v1.13.0) redirect_direct_v4, as bpf_lxc calls it with BPF host routing in
// native routing mode: hand-built node (the fixture, no tunnel) with a routing table, one
// cil_from_container run from EP1. Named after the source lines each case reflects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4 } from '../../src/net/ip.js';
import { mac } from '../../src/net/mac.js';
import type { ProgramRef } from '../../src/maps/callmap.js';
import type { Ctx } from '../../src/datapath/context.js';
import type { DatapathConfig, NodeDatapath } from '../../src/node-state/node.js';
import { runProgram } from '../../src/datapath/programs.js';
import { TraceBuilder } from '../../src/trace/builder.js';
import { V1_13_0 } from '../../src/cilium/releases/release.js';
import type { TraceNode } from '../../src/trace/tree.js';
import { EP1, fixture, tcpPacket } from '../support/datapath-fixture.js';

const N2_MAC = mac('52:54:00:aa:bb:02');

function flat(ns: readonly TraceNode[]): TraceNode[] {
  return ns.flatMap((n) => ('children' in n ? [n, ...flat(n.children)] : [n]));
}

/** Native routing on n1: 10.0.1.0/24 via n2 (1.2.3.168, a node: its neighbour is known), default via 1.2.3.1. */
function run(config: Partial<DatapathConfig>, dst: string) {
  const f = fixture({ tunnelMode: false, ...config });
  const node: NodeDatapath = {
    ...f.node,
    hostRoutes: [
      { dst: { addr: ipv4('10.0.1.0'), len: 24 }, dev: 'eth0', via: ipv4('1.2.3.168') },
      { dst: { addr: ipv4('0.0.0.0'), len: 0 }, dev: 'eth0', via: ipv4('1.2.3.1'), src: ipv4('1.2.3.167') },
    ],
  };
  const n2 = { ...f.node, name: 'n2', devices: new Map([[2, { name: 'eth0', ifindex: 2, mac: N2_MAC, kind: 'native' as const, tc: {} }]]) };
  const prog = node.devices.get(EP1.ifindex)?.tc.ingress as ProgramRef;
  const tb = new TraceBuilder(V1_13_0);
  tb.hop('n1', 'lxc', 'tc ingress');
  const pkt = tcpPacket(EP1.ip, dst, 80, { ethSrc: mac('36:b0:81:dd:cb:53'), ethDst: mac('5a:e7:3b:d0:b8:c5') });
  const ctx: Ctx = { cluster: { release: V1_13_0, nodes: new Map([['n1', node], ['n2', n2]]), nodeByIp: new Map([[ipv4('1.2.3.167') as number, 'n1'], [ipv4('1.2.3.168') as number, 'n2']]) }, node, tb, opts: {}, prog, pkt, ifindex: EP1.ifindex, cb: new Map(), tunnelKey: undefined, ctBuffer: undefined, dropNotified: false, lbRevNat: 0 };
  const ret = runProgram(ctx, prog);
  return { ret, ctx, nodes: flat(tb.hops) };
}

const fibFrame = (nodes: readonly TraceNode[]) => nodes.find((n) => n.kind === 'fn' && n.fn === 'redirect_direct_v4');

test('fib.h:117-128 ENABLE_SKIP_FIB (config.go:903-905): no FIB lookup, ipv4_l3 changes the TTL only, redirect_neigh(DIRECT_ROUTING_DEV_IFINDEX 2, NULL)', () => {
  const r = run({ enableSkipFib: true, directRoutingDevIfindex: 2 }, '10.0.1.105');
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: 2, peer: false, ingress: false });
  const frame = fibFrame(r.nodes);
  assert.ok(frame && frame.kind === 'fn' && frame.file === 'bpf/lib/fib.h');
  const inside = flat(frame.children);
  assert.ok(!inside.some((n) => n.kind === 'lookup'), 'no bpf_fib_lookup');
  const rewrites = inside.flatMap((n) => (n.kind === 'rewrite' ? [`${n.field} ${n.from} → ${n.to}`] : []));
  assert.deepEqual(rewrites, ['ttl 64 → 63'], 'ipv4_l3(ctx, l3_off, NULL, NULL, ip4): no MAC rewrite by BPF');
  assert.ok(inside.some((n) => n.kind === 'note' && n.text === 'redirect_neigh(eth0, NULL, 0, 0)'));
  assert.equal(r.ctx.cb.get('NEXT_HOP'), ipv4('1.2.3.168'), 'the kernel resolves the next hop from its routes');
  assert.equal(r.ctx.pkt.ethDst, N2_MAC, 'filled by the kernel neighbour output');
  const toNet = r.nodes.find((n) => n.kind === 'trace_point' && n.point === 'TRACE_TO_NETWORK');
  assert.ok(toNet && toNet.kind === 'trace_point' && toNet.ifindex === 2, 'bpf_lxc.c:1093-1096 reports oif');
});

test('fib.h:99-103 + 130-135 several devices: bpf_fib_lookup SUCCESS for a node next hop, the FIB MACs (eth_store_daddr/saddr) and ctx_redirect', () => {
  const r = run({ enableSkipFib: false, directRoutingDevIfindex: 2 }, '10.0.1.105');
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: 2, peer: false, ingress: false });
  const fib = r.nodes.find((n) => n.kind === 'lookup' && n.map === 'FIB (bpf_fib_lookup)');
  assert.ok(fib && fib.kind === 'lookup' && fib.result === `10.0.1.0/24 via 1.2.3.168 dev eth0: BPF_FIB_LKUP_RET_SUCCESS, dmac ${N2_MAC}`);
  assert.equal(r.ctx.pkt.ethDst, N2_MAC);
  assert.equal(r.ctx.pkt.ethSrc, mac('52:54:00:4e:1a:67'), 'smac: eth0 of n1');
  assert.ok(r.nodes.some((n) => n.kind === 'fn' && n.fn === 'ctx_redirect'));
  assert.ok(!r.nodes.some((n) => n.kind === 'note' && n.text.startsWith('redirect_neigh')));
});

test('fib.h:104-111 + 124-126 several devices: BPF_FIB_LKUP_RET_NO_NEIGH (a gateway outside the cluster) → redirect_neigh with the next hop', () => {
  const r = run({ enableSkipFib: false, directRoutingDevIfindex: 2 }, '8.8.8.8');
  assert.deepEqual(r.ret, { kind: 'redirect', ifindex: 2, peer: false, ingress: false });
  const fib = r.nodes.find((n) => n.kind === 'lookup' && n.map === 'FIB (bpf_fib_lookup)');
  assert.ok(fib && fib.kind === 'lookup' && fib.result?.endsWith('BPF_FIB_LKUP_RET_NO_NEIGH'));
  assert.ok(r.nodes.some((n) => n.kind === 'note' && n.text === 'redirect_neigh(eth0, nh 1.2.3.1)'));
  assert.ok(!r.nodes.some((n) => n.kind === 'fn' && n.fn === 'ctx_redirect'));
  assert.equal(r.ctx.cb.get('NEXT_HOP'), ipv4('1.2.3.1'));
});
