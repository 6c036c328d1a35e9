// nf_conntrack's NAT bindings of one node (kernel state, not a BPF map): what iptables
// MASQUERADE translated, so replies are translated back. Written by the datapath's netfilter
// model during a trace; shared here so the node's state can hold it without importing the datapath.
import type { Ipv4 } from '../net/ip.js';
import type { Packet } from '../net/packet.js';

export interface Tuple {
  readonly proto: string;
  readonly src: Ipv4;
  readonly sport: number;
  readonly dst: Ipv4;
  readonly dport: number;
}

export function key(t: Tuple): string {
  return `${t.proto}|${t.src}|${t.sport}|${t.dst}|${t.dport}`;
}

export function portOf(p: Packet, which: 'src' | 'dst'): number {
  const l4 = p.l4;
  if (l4.proto === 'icmp') return l4.id;
  return which === 'src' ? l4.sport : l4.dport;
}

/** nf_conntrack's NAT bindings of one node: reply tuple → the original source. */
export class NfConntrack {
  private readonly replies = new Map<string, { addr: Ipv4; port: number }>();

  clone(): NfConntrack {
    const c = new NfConntrack();
    for (const [k, v] of this.replies) c.replies.set(k, v);
    return c;
  }

  bind(reply: Tuple, orig: { addr: Ipv4; port: number }): void {
    this.replies.set(key(reply), orig);
  }

  lookup(t: Tuple): { addr: Ipv4; port: number } | undefined {
    return this.replies.get(key(t));
  }
}
