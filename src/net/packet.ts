// Packets are immutable values. A change (MAC rewrite, TTL, encapsulation) makes a new
// packet; the datapath records each change as a diff node in the trace.
import { formatIpv4, type Ipv4 } from './ip.js';
import type { Mac } from './mac.js';

export type L4 =
  | { readonly proto: 'icmp'; readonly type: number; readonly code: number; readonly id: number }
  | { readonly proto: 'tcp'; readonly sport: number; readonly dport: number; readonly flags: 'SYN' | 'SYN, ACK' }
  | { readonly proto: 'udp'; readonly sport: number; readonly dport: number };

export interface Outer {
  readonly type: 'vxlan' | 'geneve';
  readonly ethSrc: Mac;
  readonly ethDst: Mac;
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly ttl: number;
  readonly sport: number;
  readonly dport: number;
  readonly vni: number;
}

export interface Packet {
  readonly ethSrc: Mac;
  readonly ethDst: Mac;
  readonly ethertype: number;
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly ttl: number;
  readonly l4: L4;
  readonly outer?: Outer;
  readonly mark: number;
}

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const IPPROTO: Readonly<Record<L4['proto'], number>> = { icmp: 1, tcp: 6, udp: 17 };

export function ipProto(p: Packet): number {
  return IPPROTO[p.l4.proto];
}

/** Destination port as policy sees it: the L4 port, or the ICMP type (ENABLE_ICMP_RULE). */
export function policyPort(p: Packet): number {
  return p.l4.proto === 'icmp' ? p.l4.type : p.l4.dport;
}

export function describeL4(l4: L4): string {
  switch (l4.proto) {
    case 'icmp': return l4.type === 8 ? 'icmp echo-request' : l4.type === 0 ? 'icmp echo-reply' : `icmp type ${l4.type} code ${l4.code}`;
    case 'tcp': return `tcp ${l4.sport} > ${l4.dport} [${l4.flags}]`;
    case 'udp': return `udp ${l4.sport} > ${l4.dport}`;
  }
}

/** One-line inner header summary: `36:b0:… > 5a:e7:… · 10.0.0.157 > 10.0.1.105 ttl 64`. */
export function describeInner(p: Packet): string {
  const addrs = p.l4.proto === 'icmp'
    ? `${formatIpv4(p.src)} > ${formatIpv4(p.dst)}`
    : `${formatIpv4(p.src)}:${p.l4.sport} > ${formatIpv4(p.dst)}:${p.l4.dport}`;
  return `${p.ethSrc} > ${p.ethDst} · ${addrs} ttl ${p.ttl}`;
}

export function describeOuter(o: Outer): string {
  return `${o.ethSrc} > ${o.ethDst} · ${formatIpv4(o.src)}:${o.sport} > ${formatIpv4(o.dst)}:${o.dport} udp ttl ${o.ttl} · ${o.type} vni ${o.vni}`;
}

/** The reply a destination sends back: addresses and ports swapped, echo-reply, SYN-ACK. */
export function replyOf(p: Packet): Packet {
  const l4: L4 = p.l4.proto === 'icmp'
    ? { ...p.l4, type: 0 }
    : p.l4.proto === 'tcp'
      ? { proto: 'tcp', sport: p.l4.dport, dport: p.l4.sport, flags: 'SYN, ACK' }
      : { proto: 'udp', sport: p.l4.dport, dport: p.l4.sport };
  return { ethSrc: p.ethDst, ethDst: p.ethSrc, ethertype: p.ethertype, src: p.dst, dst: p.src, ttl: 64, l4, mark: 0 };
}

/** Frame length as skb->len counts it: ping's 98 bytes, a TCP SYN with options 74, UDP 60 (minimum frame). */
export function frameLength(p: Packet): number {
  switch (p.l4.proto) {
    case 'icmp': return 98;
    case 'tcp': return 74;
    case 'udp': return 60;
  }
}
