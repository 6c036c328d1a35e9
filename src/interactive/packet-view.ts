// The packet's headers at a step, derived from the trace tree alone: the summary gives the
// packet as sent; `frame`/`outer` packet nodes and deliveries give full snapshots; rewrite,
// encap and decap nodes change it; tunnel-key notes give the skb's tunnel metadata. Fields
// the tree does not record at a point (a MAC the kernel sets without a node) are shown as
// not recorded rather than guessed.
import { ICMP_ECHO_ID } from '../trace/run.js';
import type { TraceNode, TraceResult } from '../trace/tree.js';
import type { OrderedNode } from './steps.js';

interface Eth { readonly src: string; readonly dst: string }

export interface PacketState {
  readonly eth: Eth | null;
  readonly src: string;
  readonly dst: string;
  readonly ttl: number;
  readonly proto: 'icmp' | 'tcp' | 'udp';
  readonly sport: number | null;
  readonly dport: number | null;
  readonly icmpType: number | null;
  readonly tcpFlags: string | null;
  readonly outer: {
    readonly eth: Eth | null;
    readonly src: string;
    readonly dst: string;
    readonly sport: number;
    readonly dport: number;
    readonly ttl: number;
    readonly type: 'vxlan' | 'geneve';
    readonly vni: number;
  } | null;
  /** skb tunnel metadata (bpf_skb_set_tunnel_key / the tunnel device on receive). */
  readonly tunnelKey: string | null;
  readonly mark: string | null;
}

function firstTcpFlags(order: readonly OrderedNode[]): string | null {
  for (const o of order) {
    const n = o.node;
    if ((n.kind === 'trace_point' || n.kind === 'policy' || n.kind === 'drop') && n.ev.tuple.tcpFlags) return n.ev.tuple.tcpFlags;
  }
  return null;
}

export function initialPacket(r: TraceResult, order: readonly OrderedNode[]): PacketState {
  const p = r.packet;
  return {
    eth: null, src: p.src.ip, dst: p.dst.ip, ttl: 64, proto: p.proto, sport: p.sport, dport: p.dport, icmpType: p.icmpType,
    tcpFlags: p.proto === 'tcp' ? firstTcpFlags(order) : null, outer: null, tunnelKey: null, mark: null,
  };
}

const ADDR_PORT = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?/;

/** "a > b · 10.0.0.1[:p] > 10.0.0.2[:q] ttl 64" (describeInner). */
function parseInner(text: string, p: PacketState): PacketState {
  const m = /^(\S+) > (\S+) · (\d+\.\d+\.\d+\.\d+)(?::(\d+))? > (\d+\.\d+\.\d+\.\d+)(?::(\d+))? ttl (\d+)/.exec(text);
  if (!m) return p;
  return {
    ...p,
    eth: { src: m[1] ?? '', dst: m[2] ?? '' },
    src: m[3] ?? p.src,
    dst: m[5] ?? p.dst,
    ...(m[4] !== undefined ? { sport: Number(m[4]) } : {}),
    ...(m[6] !== undefined ? { dport: Number(m[6]) } : {}),
    ttl: Number(m[7]),
  };
}

/** "a > b · 1.2.3.4:51023 > 1.2.3.5:8472 udp ttl 64 · vxlan vni 47204" (describeOuter). */
function parseOuter(text: string, p: PacketState): PacketState {
  const m = /^(\S+) > (\S+) · (\S+):(\d+) > (\S+):(\d+) udp ttl (\d+) · (vxlan|geneve) vni (\d+)/.exec(text);
  if (!m) return p;
  return { ...p, outer: { eth: { src: m[1] ?? '', dst: m[2] ?? '' }, src: m[3] ?? '', sport: Number(m[4]), dst: m[5] ?? '', dport: Number(m[6]), ttl: Number(m[7]), type: m[8] as 'vxlan' | 'geneve', vni: Number(m[9]) } };
}

function rewrite(n: Extract<TraceNode, { kind: 'rewrite' }>, p: PacketState): PacketState {
  const to = ADDR_PORT.exec(n.to);
  switch (n.field) {
    case 'ttl': return { ...p, ttl: Number(n.to) };
    case 'eth': {
      const m = /^(\S+) > (\S+)$/.exec(n.to);
      return m ? { ...p, eth: { src: m[1] ?? '', dst: m[2] ?? '' } } : p;
    }
    case 'saddr': return to ? { ...p, src: to[1] ?? p.src } : p;
    case 'daddr': return to ? { ...p, dst: to[1] ?? p.dst } : p;
    case 'saddr:sport': return to ? { ...p, src: to[1] ?? p.src, ...(to[2] !== undefined ? { sport: Number(to[2]) } : {}) } : p;
    case 'daddr:dport':
    case 'user_ip4:user_port':
      return to ? { ...p, dst: to[1] ?? p.dst, ...(to[2] !== undefined ? { dport: Number(to[2]) } : {}) } : p;
    default: return p;
  }
}

/** The packet after node `n` ran. */
export function applyNode(n: TraceNode, p: PacketState): PacketState {
  switch (n.kind) {
    case 'packet':
      if (n.label === 'frame') return parseInner(n.text, p);
      if (n.label === 'outer') return parseOuter(n.text, p);
      return p;
    case 'deliver': return { ...parseInner(n.packet, p), tunnelKey: null };
    case 'rewrite': return rewrite(n, p);
    case 'encap':
      return { ...p, outer: { eth: null, src: n.outerSrc, dst: n.outerDst, sport: n.sport, dport: n.dport, ttl: n.ttl, type: n.type, vni: n.vni }, tunnelKey: null };
    case 'decap': return { ...p, outer: null };
    case 'note': {
      const m = /^(?:bpf_tunnel_key|tunnel metadata for tc): (.*)$/.exec(n.text);
      return m ? { ...p, tunnelKey: m[1] ?? null } : p;
    }
    case 'kernel': {
      const m = n.op === 'mark' ? /skb->mark (0x[0-9a-f]+)/.exec(n.text) : null;
      return m ? { ...p, mark: m[1] ?? null } : p;
    }
    default: return p;
  }
}

export function packetAt(r: TraceResult, order: readonly OrderedNode[], upto: number): PacketState {
  let p = initialPacket(r, order);
  for (let i = 0; i <= upto && i < order.length; i++) {
    const o = order[i];
    if (o) p = applyNode(o.node, p);
  }
  return p;
}

const NOT_RECORDED = '(not recorded by the trace at this point)';

function l4Line(p: PacketState): string {
  if (p.proto === 'icmp') return `icmp  ${p.icmpType === 0 ? 'echo-reply' : p.icmpType === 8 ? 'echo-request' : `type ${p.icmpType ?? '?'}`} id ${ICMP_ECHO_ID}`;
  return `${p.proto.padEnd(6)}${p.sport ?? '?'} > ${p.dport ?? '?'}${p.tcpFlags ? ` [${p.tcpFlags}]` : ''}`;
}

/** The headers as text, outermost first. */
export function packetLines(p: PacketState): string[] {
  const eth = (e: Eth | null) => (e ? `${e.src} > ${e.dst}` : NOT_RECORDED);
  const out: string[] = [];
  const o = p.outer;
  if (o) {
    out.push(`outer  eth   ${eth(o.eth)}`);
    out.push(`       ip    ${o.src} > ${o.dst}  ttl ${o.ttl}  proto udp`);
    out.push(`       udp   ${o.sport} > ${o.dport}`);
    out.push(`       ${o.type.padEnd(5)} vni ${o.vni}${o.type === 'vxlan' ? ' (the source security identity)' : ''}`);
  }
  const lead = o ? 'inner' : '     ';
  out.push(`${lead}  eth   ${eth(p.eth)}`);
  out.push(`       ip    ${p.src} > ${p.dst}  ttl ${p.ttl}  proto ${p.proto}`);
  out.push(`       ${l4Line(p)}`);
  if (p.tunnelKey) out.push(`skb    tunnel key ${p.tunnelKey}`);
  if (p.mark) out.push(`skb    mark ${p.mark}`);
  return out;
}
