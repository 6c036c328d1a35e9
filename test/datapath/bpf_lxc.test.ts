// Datapath tests in the shape of Cilium's bpf/tests: maps are filled directly with helpers,
// a packet is built, one entry program runs, and the verdict and key steps are checked.
// No scenario, no control plane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpcacheMap } from '../../src/maps/ipcache.js';
import { LxcMap } from '../../src/maps/lxcmap.js';
import { PolicyMap } from '../../src/maps/policymap.js';
import { TunnelMap } from '../../src/maps/tunnel.js';
import { CtMap, CT_MAP_ANY, CT_MAP_TCP } from '../../src/maps/ctmap.js';
import { LbMaps } from '../../src/maps/lbmap.js';
import { NatMap } from '../../src/maps/natmap.js';
import { ProgArray, type ObjectConfig, type ProgramRef } from '../../src/maps/callmap.js';
import { ipv4, IP_ZERO, maskOf } from '../../src/net/ip.js';
import { mac } from '../../src/net/mac.js';
import { ETH_P_IP, type Packet } from '../../src/net/packet.js';
import { TraceBuilder } from '../../src/trace/builder.js';
import { V1_13_0 } from '../../src/cilium/releases/release.js';
import type { TraceNode } from '../../src/trace/tree.js';
import type { Ctx, Ret } from '../../src/datapath/context.js';
import type { NodeDatapath } from '../../src/node-state/node.js';
import { runProgram } from '../../src/datapath/programs.js';

const SRC_EP = 1703;
const DST_EP = 505;
const SRC_ID = 47204;
const DST_ID = 14753;
const prov = { kind: 'agent' as const, what: 'test' };

function lxcCfg(lxcId: number, seclabel: number, ip: string, ifindex: number): Extract<ObjectConfig, { kind: 'lxc' }> {
  return { kind: 'lxc', lxcId, seclabel, lxcIpv4: ipv4(ip), ifindex, callsMap: `cilium_calls_0${lxcId}`.replace(/^cilium_calls_0(\d{4})$/, 'cilium_calls_0$1'), policyMap: `cilium_policy_${String(lxcId).padStart(5, '0')}`, policyVerdictLogFilter: 0x3 };
}

function p(object: 'bpf_lxc', name: string, config: ObjectConfig): ProgramRef {
  return { object, name, section: name, config, progId: 1 };
}

/** A node with two local endpoints; `policy` fills the destination's policy map. */
function setup(opts: { slot7?: boolean; ingressAllow?: Array<{ identity: number; dport: number; proto: number }>; deny?: boolean; remoteDst?: boolean }) {
  const srcCfg = { ...lxcCfg(SRC_EP, SRC_ID, '10.0.0.157', 19), callsMap: 'cilium_calls_01703' };
  const dstCfg = { ...lxcCfg(DST_EP, DST_ID, '10.0.0.243', 21), callsMap: 'cilium_calls_00505' };
  const srcCalls = new ProgArray('cilium_calls_01703');
  if (opts.slot7 !== false) srcCalls.set(7, p('bpf_lxc', 'tail_handle_ipv4', srcCfg));
  const callPolicy = new ProgArray('cilium_call_policy', 65535);
  callPolicy.set(DST_EP, p('bpf_lxc', 'handle_policy', dstCfg));
  const ipcache = new IpcacheMap();
  ipcache.upsert({ prefix: { addr: IP_ZERO, len: 0 }, info: { secLabel: 2, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: prov });
  ipcache.upsert({ prefix: { addr: ipv4('10.0.0.243'), len: 32 }, info: { secLabel: DST_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: prov });
  ipcache.upsert({ prefix: { addr: ipv4('10.0.1.105'), len: 32 }, info: { secLabel: DST_ID, tunnelEndpoint: ipv4('1.2.3.168'), key: 0, nodeId: 32012 }, provenance: prov });
  const lxc = new LxcMap();
  lxc.upsert({ ip: ipv4('10.0.0.243'), info: { ifindex: 21, lxcId: DST_EP, flags: 0, mac: mac('9a:a7:ad:85:cc:e3'), nodeMac: mac('e6:5b:ce:77:aa:3d') }, provenance: prov });
  const srcPolicy = new PolicyMap(SRC_EP);
  srcPolicy.set({ identity: 0, dport: 0, proto: 0, direction: 'egress' }, { proxyPort: 0, deny: false, packets: 0, bytes: 0, provenance: [prov] });
  const dstPolicy = new PolicyMap(DST_EP);
  for (const a of opts.ingressAllow ?? []) dstPolicy.set({ ...a, direction: 'ingress' }, { proxyPort: 0, deny: opts.deny === true, packets: 0, bytes: 0, provenance: [prov] });
  const node: NodeDatapath = {
    name: 'n1', ip: ipv4('1.2.3.167'), devices: new Map(), netns: new Map(),
    config: { tunnelMode: true, tunnelProtocol: 'vxlan', tunnelPort: 8472, enableHostRouting: true, enablePerPacketLb: false, enableNodePort: true, enableSocketLb: true, masquerade: 'bpf', enableArpResponder: true, enableIcmpRule: true, ipv4Mask: maskOf(24), routerIp: ipv4('10.0.0.2'), nodeIp: ipv4('1.2.3.167'), hostIfindex: 4, encapIfindex: 5, deviceMtu: 1500, routeMtu: 1450, hostEpId: 554 },
    maps: {
      ipcache, lxc, tunnel: new TunnelMap(),
      policy: new Map([[srcPolicy.name, srcPolicy], [dstPolicy.name, dstPolicy]]),
      progArrays: new Map([[srcCalls.name, srcCalls], [callPolicy.name, callPolicy]]),
      ctTcp: new CtMap(CT_MAP_TCP), ctAny: new CtMap(CT_MAP_ANY), lb: new LbMaps(), nat: new NatMap(),
    },
    cgroup: new Map(), hostRoutes: [],
  };
  return { node, entry: p('bpf_lxc', 'cil_from_container', srcCfg) };
}

function packet(dst: string, l4: Packet['l4']): Packet {
  return { ethSrc: mac('36:b0:81:dd:cb:53'), ethDst: mac('5a:e7:3b:d0:b8:c5'), ethertype: ETH_P_IP, src: ipv4('10.0.0.157'), dst: ipv4(dst), ttl: 64, l4, mark: 0 };
}

function run(node: NodeDatapath, entry: ProgramRef, pkt: Packet): { ret: Ret; nodes: TraceNode[]; ctx: Ctx } {
  const tb = new TraceBuilder(V1_13_0);
  tb.hop('n1', 'lxc', 'tc ingress');
  const ctx: Ctx = { cluster: { release: V1_13_0, nodes: new Map([['n1', node]]), nodeByIp: new Map() }, node, tb, opts: {}, prog: entry, pkt, ifindex: 19, cb: new Map(), tunnelKey: undefined, ctBuffer: undefined, dropNotified: false, lbRevNat: 0 };
  const ret = runProgram(ctx, entry);
  const flat = (ns: readonly TraceNode[]): TraceNode[] => ns.flatMap((n) => ('children' in n ? [n, ...flat(n.children)] : [n]));
  return { ret, nodes: flat(tb.hops), ctx };
}

const tcp80 = { proto: 'tcp', sport: 43210, dport: 80, flags: 'SYN' } as const;

test('same node, allowed by an L3-L4 entry: redirect_peer to the destination veth', () => {
  const { node, entry } = setup({ ingressAllow: [{ identity: SRC_ID, dport: 80, proto: 6 }] });
  const { ret, nodes, ctx } = run(node, entry, packet('10.0.0.243', tcp80));
  assert.deepEqual(ret, { kind: 'redirect', ifindex: 21, peer: true, ingress: true });
  const pol = nodes.filter((n) => n.kind === 'policy');
  assert.equal(pol.length, 2);
  assert.deepEqual(pol.map((n) => n.kind === 'policy' && [n.direction, n.allowed, n.match]), [['egress', true, 'all'], ['ingress', true, 'L3-L4']]);
  assert.ok(nodes.some((n) => n.kind === 'tail_call' && n.map === 'cilium_call_policy' && n.slot === DST_EP && n.program === 'handle_policy'));
  assert.equal(ctx.pkt.ttl, 63);
  assert.equal(ctx.pkt.ethDst, '9a:a7:ad:85:cc:e3');
  assert.ok(nodes.some((n) => n.kind === 'trace_point' && n.point === 'TRACE_TO_LXC' && n.dstEp === DST_EP));
});

test('same node, no matching entry: DROP_POLICY (133) in the ingress policy of the destination', () => {
  const { node, entry } = setup({ ingressAllow: [{ identity: SRC_ID, dport: 80, proto: 6 }] });
  const { ret, nodes } = run(node, entry, packet('10.0.0.243', { ...tcp80, dport: 8080 }));
  assert.deepEqual(ret.kind === 'drop' && ret.macro, 'DROP_POLICY');
  const drops = nodes.filter((n) => n.kind === 'drop');
  assert.equal(drops.length, 1, 'a drop is notified exactly once');
  const d = drops[0];
  assert.ok(d && d.kind === 'drop' && d.drop.code === 133 && d.drop.name === 'POLICY_DENIED' && d.fn === 'policy_can_access_ingress' && d.direction === 'ingress');
  const probes = nodes.filter((n) => n.kind === 'lookup' && n.map === 'cilium_policy_00505');
  assert.equal(probes.length, 6, 'all six v1.13.0 key shapes are probed (policy.h __policy_can_access)');
});

test('a deny entry gives DROP_POLICY_DENY (181)', () => {
  const { node, entry } = setup({ ingressAllow: [{ identity: SRC_ID, dport: 0, proto: 0 }], deny: true });
  const { ret } = run(node, entry, packet('10.0.0.243', tcp80));
  assert.equal(ret.kind === 'drop' && ret.macro, 'DROP_POLICY_DENY');
});

test('remote destination: encapsulation with the source identity as tunnel id', () => {
  const { node, entry } = setup({});
  const { ret, nodes, ctx } = run(node, entry, packet('10.0.1.105', { proto: 'icmp', type: 8, code: 0, id: 1 }));
  assert.deepEqual(ret, { kind: 'redirect', ifindex: 5, peer: false, ingress: false });
  assert.deepEqual(ctx.tunnelKey, { tunnelId: SRC_ID, remoteIpv4: ipv4('1.2.3.168'), ttl: 64 });
  assert.ok(nodes.some((n) => n.kind === 'trace_point' && n.point === 'TRACE_TO_OVERLAY'));
  assert.ok(nodes.some((n) => n.kind === 'fn' && n.fn === '__encap_with_nodeid'));
});

test('an empty slot 7 is a missed tail call: DROP_MISSED_TAIL_CALL (140)', () => {
  const { node, entry } = setup({ slot7: false });
  const { ret, nodes } = run(node, entry, packet('10.0.0.243', tcp80));
  assert.equal(ret.kind === 'drop' && ret.macro, 'DROP_MISSED_TAIL_CALL');
  assert.ok(nodes.some((n) => n.kind === 'tail_call' && n.slot === 7 && n.program === null));
  assert.ok(nodes.some((n) => n.kind === 'drop' && n.drop.code === 140 && n.fn === 'cil_from_container'));
});

test('a spoofed source address is DROP_INVALID_SIP (132)', () => {
  const { node, entry } = setup({});
  const { ret } = run(node, entry, { ...packet('10.0.0.243', tcp80), src: ipv4('10.0.0.99') });
  assert.equal(ret.kind === 'drop' && ret.macro, 'DROP_INVALID_SIP');
});

test('pod traffic to the tunnel port is DROP_ENCAP_PROHIBITED (170)', () => {
  const { node, entry } = setup({});
  const { ret } = run(node, entry, packet('10.0.1.105', { proto: 'udp', sport: 1234, dport: 8472 }));
  assert.equal(ret.kind === 'drop' && ret.macro, 'DROP_ENCAP_PROHIBITED');
});

test('world destination: no tunnel endpoint, DROP_NO_TUNNEL_ENDPOINT becomes pass_to_stack (TO_STACK, CTX_ACT_OK)', () => {
  const { node, entry } = setup({});
  const { ret, nodes, ctx } = run(node, entry, packet('8.8.8.8', tcp80));
  assert.deepEqual(ret, { kind: 'ok' });
  assert.ok(nodes.some((n) => n.kind === 'lookup' && n.map === 'cilium_tunnel_map' && n.result === null));
  assert.ok(nodes.some((n) => n.kind === 'trace_point' && n.point === 'TRACE_TO_STACK' && n.dstId === 2));
  assert.equal(ctx.pkt.mark >>> 16, SRC_ID & 0xffff, 'the source identity travels in skb->mark');
  assert.ok(!nodes.some((n) => n.kind === 'drop'));
});
