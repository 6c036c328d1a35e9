// A hand-built node for datapath tests in the shape of Cilium's bpf/tests: maps filled
// directly, no scenario and no control plane. One node "n1" (1.2.3.167, pod CIDR 10.0.0.0/24)
// with two endpoints (1703: 10.0.0.157 identity 47204, 505: 10.0.0.243 identity 14753),
// cilium_host 10.0.0.2, cilium_net 3, cilium_vxlan 5, eth0 2, and the remote node 1.2.3.168
// (10.0.1.0/24). Every object has slots 1 (drop notify), 17 and 38 (NodePort on).
import { IpcacheMap } from '../../src/maps/ipcache.js';
import { LxcMap } from '../../src/maps/lxcmap.js';
import { PolicyMap, type PolicyKey } from '../../src/maps/policymap.js';
import { TunnelMap } from '../../src/maps/tunnel.js';
import { CtMap, CT_MAP_ANY, CT_MAP_TCP } from '../../src/maps/ctmap.js';
import { LbMaps, SVC_FLAG_NODEPORT } from '../../src/maps/lbmap.js';
import { NatMap } from '../../src/maps/natmap.js';
import { ProgArray, type BpfObject, type ObjectConfig, type ProgramRef } from '../../src/maps/callmap.js';
import { ipv4, IP_ZERO, maskOf, type Ipv4 } from '../../src/net/ip.js';
import { mac } from '../../src/net/mac.js';
import { ETH_P_IP, type Packet } from '../../src/net/packet.js';
import { TraceBuilder } from '../../src/trace/builder.js';
import { V1_13_0 } from '../../src/cilium/releases/release.js';
import type { TraceNode } from '../../src/trace/tree.js';
import type { Ctx, Ret, TunnelKey } from '../../src/datapath/context.js';
import type { DatapathConfig, Device, NodeDatapath } from '../../src/node-state/node.js';
import { runProgram } from '../../src/datapath/programs.js';

const prov = { kind: 'agent' as const, what: 'test' };
export const EP1 = { id: 1703, identity: 47204, ip: '10.0.0.157', ifindex: 19 };
export const EP2 = { id: 505, identity: 14753, ip: '10.0.0.243', ifindex: 21 };

function prog(object: BpfObject, name: string, config: ObjectConfig): ProgramRef {
  return { object, name, section: name, config, progId: 1 };
}

export interface Fixture {
  readonly node: NodeDatapath;
  readonly progs: { readonly netdevIngress: ProgramRef; readonly netdevEgress: ProgramRef; readonly fromHost: ProgramRef; readonly fromOverlay: ProgramRef; readonly toOverlay: ProgramRef; readonly connect4: ProgramRef };
  allow(ep: number, key: Omit<PolicyKey, 'direction'> & { direction?: PolicyKey['direction'] }, deny?: boolean): void;
}

export function fixture(config: Partial<DatapathConfig> = {}): Fixture {
  const cfg: DatapathConfig = {
    tunnelMode: true, tunnelProtocol: 'vxlan', tunnelPort: 8472, enableHostRouting: true, enablePerPacketLb: false,
    enableNodePort: true, enableSocketLb: true, masquerade: 'bpf', enableArpResponder: true, enableIcmpRule: true,
    ipv4Mask: maskOf(24), routerIp: ipv4('10.0.0.2'), nodeIp: ipv4('1.2.3.167'), hostIfindex: 4, encapIfindex: 5,
    deviceMtu: 1500, routeMtu: 1450, hostEpId: 554, ...config,
  };
  const lxcCfg = (e: typeof EP1) => ({ kind: 'lxc' as const, lxcId: e.id, seclabel: e.identity, lxcIpv4: ipv4(e.ip), ifindex: e.ifindex, callsMap: `cilium_calls_${String(e.id).padStart(5, '0')}`, policyMap: `cilium_policy_${String(e.id).padStart(5, '0')}`, policyVerdictLogFilter: 0x3 });
  const hostCfg: ObjectConfig = { kind: 'host', hostEpId: 554, ifindex: 2, device: 'eth0', callsMap: 'cilium_calls_netdev_00002' };
  const hostnsCfg: ObjectConfig = { kind: 'host', hostEpId: 554, ifindex: 4, device: 'cilium_host', callsMap: 'cilium_calls_hostns_00554' };
  const ovCfg: ObjectConfig = { kind: 'overlay', seclabel: 2, callsMap: 'cilium_calls_overlay_2' };
  const arrays = new Map<string, ProgArray>();
  const array = (name: string, slots: Array<[number, ProgramRef]>, size?: number) => {
    const a = new ProgArray(name, size);
    for (const [s, p] of slots) a.set(s, p);
    arrays.set(name, a);
  };
  for (const e of [EP1, EP2]) array(lxcCfg(e).callsMap, [[1, prog('bpf_lxc', '__send_drop_notify', lxcCfg(e))], [7, prog('bpf_lxc', 'tail_handle_ipv4', lxcCfg(e))], [17, prog('bpf_lxc', 'tail_rev_nodeport_lb4', lxcCfg(e))], [38, prog('bpf_lxc', 'tail_handle_snat_fwd_ipv4', lxcCfg(e))]]);
  array('cilium_call_policy', [[EP1.id, prog('bpf_lxc', 'handle_policy', lxcCfg(EP1))], [EP2.id, prog('bpf_lxc', 'handle_policy', lxcCfg(EP2))]], 65535);
  const hostTails = (c: ObjectConfig): Array<[number, ProgramRef]> => [
    [1, prog('bpf_host', '__send_drop_notify', c)],
    [7, prog('bpf_host', 'tail_handle_ipv4_from_netdev', c)], [15, prog('bpf_host', 'tail_nodeport_nat_egress_ipv4', c)],
    [17, prog('bpf_host', 'tail_rev_nodeport_lb4', c)], [22, prog('bpf_host', 'tail_handle_ipv4_from_host', c)], [36, prog('bpf_host', 'tail_nodeport_nat_ingress_ipv4', c)],
    [38, prog('bpf_host', 'tail_handle_snat_fwd_ipv4', c)],
  ];
  array('cilium_calls_netdev_00002', hostTails(hostCfg));
  array('cilium_calls_hostns_00554', hostTails(hostnsCfg));
  array('cilium_calls_overlay_2', [[1, prog('bpf_overlay', '__send_drop_notify', ovCfg)], [7, prog('bpf_overlay', 'tail_handle_ipv4', ovCfg)], [15, prog('bpf_overlay', 'tail_nodeport_nat_egress_ipv4', ovCfg)], [17, prog('bpf_overlay', 'tail_rev_nodeport_lb4', ovCfg)], [36, prog('bpf_overlay', 'tail_nodeport_nat_ingress_ipv4', ovCfg)], [38, prog('bpf_overlay', 'tail_handle_snat_fwd_ipv4', ovCfg)]]);

  const ipcache = new IpcacheMap();
  const up = (p: string, len: number, secLabel: number, te = IP_ZERO) => ipcache.upsert({ prefix: { addr: ipv4(p), len }, info: { secLabel, tunnelEndpoint: te, key: 0, nodeId: 0 }, provenance: prov });
  up('0.0.0.0', 0, 2);
  up(EP1.ip, 32, EP1.identity);
  up(EP2.ip, 32, EP2.identity);
  up('10.0.1.105', 32, 14753, ipv4('1.2.3.168'));
  up('1.2.3.167', 32, 1);
  up('10.0.0.2', 32, 1);
  up('1.2.3.168', 32, 6);
  const lxc = new LxcMap();
  lxc.upsert({ ip: ipv4(EP1.ip), info: { ifindex: EP1.ifindex, lxcId: EP1.id, flags: 0, mac: mac('36:b0:81:dd:cb:53'), nodeMac: mac('5a:e7:3b:d0:b8:c5') }, provenance: prov });
  lxc.upsert({ ip: ipv4(EP2.ip), info: { ifindex: EP2.ifindex, lxcId: EP2.id, flags: 0, mac: mac('9a:a7:ad:85:cc:e3'), nodeMac: mac('e6:5b:ce:77:aa:3d') }, provenance: prov });
  for (const ip of ['1.2.3.167', '10.0.0.2']) lxc.upsert({ ip: ipv4(ip), info: { ifindex: 0, lxcId: 0, flags: 1, mac: undefined, nodeMac: undefined }, provenance: prov });
  const tunnel = new TunnelMap();
  tunnel.upsert({ prefixBase: ipv4('10.0.1.0'), endpoint: ipv4('1.2.3.168'), key: 0, nodeId: 32012, provenance: prov });
  const policies = new Map([EP1, EP2].map((e) => { const p = new PolicyMap(e.id); return [p.name, p] as const; }));
  const devices = new Map<number, Device>([
    [2, { name: 'eth0', ifindex: 2, mac: mac('52:54:00:4e:1a:67'), kind: 'native', tc: { ingress: prog('bpf_host', 'cil_from_netdev', hostCfg), egress: prog('bpf_host', 'cil_to_netdev', hostCfg) } }],
    [4, { name: 'cilium_host', ifindex: 4, mac: mac('3a:65:ff:db:e0:28'), kind: 'cilium_host', tc: { egress: prog('bpf_host', 'cil_from_host', hostnsCfg) } }],
    [3, { name: 'cilium_net', ifindex: 3, mac: mac('1e:0d:43:9b:62:f1'), kind: 'cilium_net', tc: {} }],
    [5, { name: 'cilium_vxlan', ifindex: 5, mac: mac('82:89:58:47:c7:bd'), kind: 'tunnel', tc: { ingress: prog('bpf_overlay', 'cil_from_overlay', ovCfg), egress: prog('bpf_overlay', 'cil_to_overlay', ovCfg) } }],
    [EP1.ifindex, { name: 'lxcdb54060a47de', ifindex: EP1.ifindex, mac: mac('5a:e7:3b:d0:b8:c5'), kind: 'lxc', tc: { ingress: prog('bpf_lxc', 'cil_from_container', lxcCfg(EP1)) } }],
    [EP2.ifindex, { name: 'lxc1466f225c091', ifindex: EP2.ifindex, mac: mac('e6:5b:ce:77:aa:3d'), kind: 'lxc', tc: { ingress: prog('bpf_lxc', 'cil_from_container', lxcCfg(EP2)) } }],
  ]);
  const lb = new LbMaps();
  const svc = (addr: string, port: number, backends: Array<[string, number]>, nodePort: boolean, revNat: number) => {
    const type = nodePort ? 'NodePort' as const : 'ClusterIP' as const;
    const flags = nodePort ? SVC_FLAG_NODEPORT : 0;
    lb.setService({ address: ipv4(addr), dport: port, slot: 0, scope: 0 }, { backendId: 0, count: backends.length, revNat, flags, flags2: 0, type, provenance: prov });
    backends.forEach(([ip, p], i) => {
      const id = revNat * 10 + i;
      lb.backends.set(id, { address: ipv4(ip), port: p, proto: 0, flags: 0, provenance: prov });
      lb.setService({ address: ipv4(addr), dport: port, slot: i + 1, scope: 0 }, { backendId: id, count: 0, revNat, flags, flags2: 0, type, provenance: prov });
    });
    lb.revNat.set(revNat, { address: ipv4(addr), port });
  };
  svc('10.96.0.10', 80, [[EP2.ip, 8080]], false, 1);
  svc('1.2.3.167', 30080, [[EP2.ip, 8080]], true, 2);
  svc('1.2.3.167', 30081, [['10.0.1.105', 8080]], true, 3);
  svc('10.96.0.11', 80, [], false, 4);
  const cgroup = new Map([['connect4', prog('bpf_sock', 'cil_sock4_connect', { kind: 'sock' })]]);
  const node: NodeDatapath = {
    name: 'n1', ip: ipv4('1.2.3.167'), config: cfg, devices, netns: new Map(), cgroup, hostRoutes: [],
    maps: { ipcache, lxc, tunnel, policy: policies, progArrays: arrays, ctTcp: new CtMap(CT_MAP_TCP), ctAny: new CtMap(CT_MAP_ANY), lb, nat: new NatMap() },
  };
  const unenforced = (p: PolicyMap) => {
    for (const direction of ['ingress', 'egress'] as const) p.set({ identity: 0, dport: 0, proto: 0, direction }, { proxyPort: 0, deny: false, packets: 0, bytes: 0, provenance: [{ kind: 'agent', what: `${direction} not enforced: allow-all` }] });
  };
  for (const p of policies.values()) unenforced(p);
  return {
    node,
    progs: {
      netdevIngress: devices.get(2)?.tc.ingress as ProgramRef, netdevEgress: devices.get(2)?.tc.egress as ProgramRef, fromHost: devices.get(4)?.tc.egress as ProgramRef,
      fromOverlay: devices.get(5)?.tc.ingress as ProgramRef, toOverlay: devices.get(5)?.tc.egress as ProgramRef, connect4: cgroup.get('connect4') as ProgramRef,
    },
    allow(ep, key, deny = false) {
      const p = policies.get(`cilium_policy_${String(ep).padStart(5, '0')}`);
      if (!p) throw new Error(`no endpoint ${ep}`);
      for (const direction of ['ingress', 'egress'] as const) if ((key.direction ?? 'ingress') === direction) p.delete({ identity: 0, dport: 0, proto: 0, direction });
      p.set({ ...key, direction: key.direction ?? 'ingress' }, { proxyPort: 0, deny, packets: 0, bytes: 0, provenance: [prov] });
    },
  };
}

export function tcpPacket(src: string, dst: string, dport: number, extra: Partial<Packet> = {}): Packet {
  return { ethSrc: mac('02:00:00:00:00:01'), ethDst: mac('52:54:00:4e:1a:67'), ethertype: ETH_P_IP, src: ipv4(src), dst: ipv4(dst), ttl: 64, l4: { proto: 'tcp', sport: 43210, dport, flags: 'SYN' }, mark: 0, ...extra };
}

export interface Run {
  readonly ret: Ret;
  readonly nodes: TraceNode[];
  readonly ctx: Ctx;
}

export function runEntry(f: Fixture, prog: ProgramRef, pkt: Packet, ifindex: number, tunnelKey?: TunnelKey): Run {
  const tb = new TraceBuilder(V1_13_0);
  tb.hop('n1', 'dev', 'tc');
  const ctx: Ctx = { cluster: { release: V1_13_0, nodes: new Map([['n1', f.node]]), nodeByIp: new Map([[ipv4('1.2.3.167') as number, 'n1']]) }, node: f.node, tb, opts: {}, prog, pkt, ifindex, cb: new Map(), tunnelKey, ctBuffer: undefined, dropNotified: false, lbRevNat: 0 };
  const ret = runProgram(ctx, prog);
  const flat = (ns: readonly TraceNode[]): TraceNode[] => ns.flatMap((n) => ('children' in n ? [n, ...flat(n.children)] : [n]));
  return { ret, nodes: flat(tb.hops), ctx };
}

export function tailCalls(r: Run): string[] {
  return r.nodes.flatMap((n) => (n.kind === 'tail_call' ? [`${n.map}[${n.slot}]`] : []));
}

export type { Ipv4 };
