// The engine moves a packet between attach points: from the source pod's netns to the
// host-side veth's tc ingress, through redirects, the kernel's tunnel devices, the native
// devices and the wire, to a delivery or a drop. At each device it runs the program the
// loader attached to that hook; what happens after CTX_ACT_OK is the kernel's part.
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import { ETH_P_ARP, describeOuter, type Packet } from '../net/packet.js';
import { TraceBuilder } from '../trace/builder.js';
import type { TraceNode } from '../trace/tree.js';
import { dropInfo, type Ctx, type DatapathOptions, type Ret, type TunnelKey } from './context.js';
import { podArpRequest, podReceive, podTransmit } from './kernel/netns.js';
import { decapsulate, describeRoute, encapsulate } from './kernel/tunnel.js';
import type { ClusterDatapath, Device, NodeDatapath } from './node.js';
import { runProgram } from './programs.js';

const HOP_LIMIT = 32;

export interface Injection {
  readonly node: string;
  readonly srcIp: Ipv4; // the source pod's IP (its netns on `node`)
  readonly packet: Packet; // as the application sends it (L3/L4 set; MACs filled by the netns)
  readonly traceArp: boolean;
}

export type Outcome =
  | { readonly kind: 'delivered'; readonly node: string; readonly target: string; readonly via: string; readonly ifindex: number }
  | { readonly kind: 'dropped'; readonly node: string }
  | { readonly kind: 'error'; readonly node: string; readonly text: string };

interface Event {
  readonly node: NodeDatapath;
  readonly device: Device;
  readonly dir: 'ingress' | 'egress';
  readonly pkt: Packet;
  readonly tunnelKey: TunnelKey | undefined;
  readonly cb: Map<string, number>;
}

export function runTrace(cluster: ClusterDatapath, inj: Injection, opts: DatapathOptions): { hops: TraceNode[]; outcome: Outcome } {
  const tb = new TraceBuilder();
  const node = cluster.nodes.get(inj.node);
  if (!node) throw new Error(`no node ${inj.node}`);
  const ns = node.netns.get(inj.srcIp);
  if (!ns) throw new Error(`no netns for ${formatIpv4(inj.srcIp)} on ${inj.node}`);
  const veth = node.devices.get(ns.hostIfindex);
  if (!veth) throw new Error(`no host veth ${ns.hostIfindex}`);
  if (inj.traceArp) {
    const arp = podArpRequest(tb, node, ns, inj.packet);
    const arpOutcome = walk(cluster, tb, { node, device: veth, dir: 'ingress', pkt: arp, tunnelKey: undefined, cb: new Map() }, opts);
    if (arpOutcome.kind !== 'delivered') return { hops: tb.hops, outcome: arpOutcome };
  }
  const first = podTransmit(tb, node, ns, inj.packet, inj.traceArp);
  const outcome = walk(cluster, tb, { node, device: veth, dir: 'ingress', pkt: first, tunnelKey: undefined, cb: new Map() }, opts);
  return { hops: tb.hops, outcome };
}

function runHook(cluster: ClusterDatapath, tb: TraceBuilder, ev: Event, opts: DatapathOptions): { ret: Ret; ctx: Ctx } {
  const prog = ev.device.tc[ev.dir];
  tb.hop(ev.node.name, ev.device.name, `tc ${ev.dir}`, prog ? `${prog.object}.o [${prog.section}]` : undefined);
  const ctx: Ctx = { cluster, node: ev.node, tb, opts, prog: prog ?? ({} as never), pkt: ev.pkt, ifindex: ev.device.ifindex, cb: ev.cb, tunnelKey: ev.tunnelKey, ctBuffer: undefined, dropNotified: false };
  if (!prog) {
    tb.add({ kind: 'note', text: `no BPF program on ${ev.device.name} tc ${ev.dir}` });
    return { ret: { kind: 'ok' }, ctx };
  }
  return { ret: runProgram(ctx, prog), ctx };
}

function walk(cluster: ClusterDatapath, tb: TraceBuilder, start: Event, opts: DatapathOptions): Outcome {
  let ev: Event | undefined = start;
  for (let hops = 0; ev && hops < HOP_LIMIT; hops++) {
    const { ret, ctx } = runHook(cluster, tb, ev, opts);
    const node: NodeDatapath = ev.node;
    if (ret.kind === 'unsimulated') {
      tb.add({ kind: 'not_simulated', text: ret.text });
      return { kind: 'error', node: node.name, text: ret.text };
    }
    if (ret.kind === 'drop') {
      if (!ctx.dropNotified) tb.add({ kind: 'drop', drop: dropInfo(ret.macro), fn: ret.fn ?? ctx.prog.name, file: ret.file ?? '', direction: null });
      return { kind: 'dropped', node: node.name };
    }
    const next: Event | Outcome = ret.kind === 'redirect' ? followRedirect(tb, node, ctx, ret) : afterOk(cluster, tb, ev, ctx);
    if ('kind' in next) return next;
    ev = next;
  }
  return { kind: 'error', node: ev?.node.name ?? start.node.name, text: `hop limit ${HOP_LIMIT} reached (a forwarding loop?)` };
}

function followRedirect(tb: TraceBuilder, node: NodeDatapath, ctx: Ctx, ret: Extract<Ret, { kind: 'redirect' }>): Event | Outcome {
  const target = node.devices.get(ret.ifindex);
  if (!target) return { kind: 'error', node: node.name, text: `redirect to unknown ifindex ${ret.ifindex}` };
  tb.add({ kind: 'redirect', helper: ret.peer ? 'redirect_peer' : 'redirect', ifindex: ret.ifindex, device: target.name, ingress: ret.ingress });
  if (ret.peer) {
    const ns = [...node.netns.values()].find((n) => n.hostIfindex === ret.ifindex);
    if (!ns) return { kind: 'error', node: node.name, text: `redirect_peer to ${target.name}, which has no pod netns` };
    podReceive(tb, node, ns, ctx.pkt, 'bpf_redirect_peer: straight into the pod, skipping the host-side veth', ret.ifindex);
    return { kind: 'delivered', node: node.name, target: ns.display, via: 'redirect_peer', ifindex: ret.ifindex };
  }
  return { node, device: target, dir: ret.ingress ? 'ingress' : 'egress', pkt: ctx.pkt, tunnelKey: ctx.tunnelKey, cb: ctx.cb };
}

/** What the kernel does with a packet a program passed on (CTX_ACT_OK), per device and hook. */
function afterOk(cluster: ClusterDatapath, tb: TraceBuilder, ev: Event, ctx: Ctx): Event | Outcome {
  const node = ev.node;
  const pkt = ctx.pkt;
  switch (`${ev.device.kind}/${ev.dir}`) {
    case 'lxc/egress': {
      const ns = [...node.netns.values()].find((n) => n.hostIfindex === ev.device.ifindex);
      if (!ns) return { kind: 'error', node: node.name, text: `${ev.device.name} has no pod netns` };
      const via = pkt.ethertype === ETH_P_ARP ? 'veth' : 'veth: host-side egress to the pod-side eth0';
      podReceive(tb, node, ns, pkt, via, ev.device.ifindex);
      return { kind: 'delivered', node: node.name, target: ns.display, via: 'redirect', ifindex: ev.device.ifindex };
    }
    case 'tunnel/egress': {
      const key = ctx.tunnelKey;
      if (!key) return { kind: 'error', node: node.name, text: 'tunnel device transmit without a tunnel key' };
      const native = [...node.devices.values()].find((d) => d.kind === 'native');
      const remoteName = cluster.nodeByIp.get(key.remoteIpv4);
      const remote = remoteName ? cluster.nodes.get(remoteName) : undefined;
      const remoteNative = remote ? [...remote.devices.values()].find((d) => d.kind === 'native') : undefined;
      if (!native || !remote || !remoteNative) {
        tb.add({ kind: 'not_simulated', text: `tunnel endpoint ${formatIpv4(key.remoteIpv4)} is not a node of this cluster` });
        return { kind: 'error', node: node.name, text: `no node owns ${formatIpv4(key.remoteIpv4)}` };
      }
      tb.hop(node.name, ev.device.name, `kernel ${node.config.tunnelProtocol} (external, dstport ${node.config.tunnelPort})`);
      const enc = encapsulate(node, pkt, key, remoteNative.mac, native.mac);
      const o = enc.outer;
      if (o) {
        tb.add({ kind: 'kernel', op: 'route', text: describeRoute(node, key.remoteIpv4, native.name) });
        tb.add({ kind: 'encap', type: o.type, vni: o.vni, outerSrc: formatIpv4(o.src), outerDst: formatIpv4(o.dst), sport: o.sport, dport: o.dport, ttl: o.ttl });
        tb.add({ kind: 'packet', label: 'outer', text: describeOuter(o) });
        tb.add({ kind: 'note', text: 'outer UDP source port: kernel flow hash of the inner packet (udp_flow_src_port), outer UDP checksum 0 (BPF_F_ZERO_CSUM_TX); inner frame unchanged' });
      }
      return { node, device: native, dir: 'egress', pkt: enc, tunnelKey: undefined, cb: new Map() };
    }
    case 'native/egress': {
      const o = pkt.outer;
      const remoteName = o ? cluster.nodeByIp.get(o.dst) : undefined;
      const remote = remoteName ? cluster.nodes.get(remoteName) : undefined;
      const remoteNative = remote ? [...remote.devices.values()].find((d) => d.kind === 'native') : undefined;
      if (!o || !remote || !remoteNative) return { kind: 'error', node: node.name, text: 'only encapsulated pod traffic is simulated on the wire' };
      tb.hop(node.name, `${ev.device.name} → wire → ${remote.name}/${remoteNative.name}`, 'wire');
      tb.add({ kind: 'kernel', op: 'wire', text: `${formatIpv4(o.src)} > ${formatIpv4(o.dst)} udp ${o.sport} > ${o.dport} (underlay: nodes share an L2 segment)` });
      return { node: remote, device: remoteNative, dir: 'ingress', pkt, tunnelKey: undefined, cb: new Map() };
    }
    case 'native/ingress': {
      const o = pkt.outer;
      if (!o || o.dst !== node.ip || o.dport !== node.config.tunnelPort) {
        return { kind: 'error', node: node.name, text: 'only encapsulated pod traffic is simulated arriving from the network' };
      }
      const tun = [...node.devices.values()].find((d) => d.kind === 'tunnel');
      if (!tun) return { kind: 'error', node: node.name, text: 'tunnel traffic arrived but this node has no tunnel device' };
      const dec = decapsulate(pkt);
      if (!dec) return { kind: 'error', node: node.name, text: 'decapsulation failed' };
      tb.hop(node.name, tun.name, `kernel ${o.type} receive (udp ${o.dport})`);
      tb.add({ kind: 'kernel', op: 'stack', text: `ip_rcv: ${formatIpv4(o.dst)} is local → udp_rcv port ${o.dport} → ${o.type}_rcv` });
      tb.add({ kind: 'decap', type: o.type, vni: o.vni, outerSrc: formatIpv4(o.src), outerDst: formatIpv4(o.dst) });
      tb.add({ kind: 'note', text: `tunnel metadata for tc: tunnel_id=${dec.key.tunnelId} remote_ipv4=${formatIpv4(dec.key.remoteIpv4)}` });
      return { node, device: tun, dir: 'ingress', pkt: dec.inner, tunnelKey: dec.key, cb: new Map() };
    }
    default: {
      const text = `the kernel stack after ${ev.device.name} tc ${ev.dir} (CTX_ACT_OK) is not simulated yet`;
      tb.add({ kind: 'not_simulated', text });
      return { kind: 'error', node: node.name, text };
    }
  }
}
