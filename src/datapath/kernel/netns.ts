// The pod's network namespace as the kernel sees it: the route the CNI installed
// (default via the cilium_host IP, route MTU), the neighbour entry for that gateway, and the
// veth pair that carries frames to the host side. Mirrors plugins/cilium-cni (routes, MTU)
// and the ARP responder behaviour of bpf_lxc (the gateway resolves to the veth's MAC).
import { formatIpv4 } from '../../net/ip.js';
import type { Mac } from '../../net/mac.js';
import { ETH_P_ARP, describeInner, type Packet } from '../../net/packet.js';
import type { TraceBuilder } from '../../trace/builder.js';
import type { NodeDatapath, PodNetns } from '../../node-state/node.js';

export const BROADCAST = 'ff:ff:ff:ff:ff:ff' as Mac;

/** Route lookup, neighbour and transmit on eth0; returns the frame as the veth peer gets it. */
export function podTransmit(tb: TraceBuilder, node: NodeDatapath, ns: PodNetns, pkt: Packet, traceArp: boolean): Packet {
  tb.hop(node.name, `${ns.display} netns`, 'kernel');
  tb.add({ kind: 'kernel', op: 'route', text: `${formatIpv4(pkt.dst)} via ${formatIpv4(ns.gateway)} dev ${ns.ifname} mtu ${ns.routeMtu} (default route)` });
  if (traceArp) {
    tb.add({ kind: 'kernel', op: 'neigh', text: `${formatIpv4(ns.gateway)} dev ${ns.ifname}: resolved by the ARP exchange traced above, lladdr ${ns.gatewayMac}` });
  } else {
    tb.add({ kind: 'kernel', op: 'neigh', text: `${formatIpv4(ns.gateway)} dev ${ns.ifname} lladdr ${ns.gatewayMac} STALE (cached; learnt from tail_handle_arp, use --arp to trace it)` });
  }
  const out: Packet = { ...pkt, ethSrc: ns.mac, ethDst: ns.gatewayMac };
  const peer = node.devices.get(ns.hostIfindex);
  tb.add({ kind: 'kernel', op: 'tx', text: `${ns.ifname} → veth peer ${peer?.name ?? ns.hostIfindex} (ifindex ${ns.hostIfindex})` });
  tb.add({ kind: 'packet', label: 'frame', text: describeInner(out) });
  return out;
}

/** The ARP request the pod sends for its gateway when the neighbour entry is missing. */
export function podArpRequest(tb: TraceBuilder, node: NodeDatapath, ns: PodNetns, ipPkt: Packet): Packet {
  tb.hop(node.name, `${ns.display} netns`, 'kernel');
  tb.add({ kind: 'kernel', op: 'neigh', text: `${formatIpv4(ns.gateway)} dev ${ns.ifname}: no entry (--arp), send ARP request` });
  const arp: Packet = { ...ipPkt, ethertype: ETH_P_ARP, ethSrc: ns.mac, ethDst: BROADCAST, src: ns.ip, dst: ns.gateway };
  tb.add({ kind: 'packet', label: 'arp', text: `${ns.mac} > ${BROADCAST} · ARP who-has ${formatIpv4(ns.gateway)} tell ${formatIpv4(ns.ip)}` });
  return arp;
}

export function podReceive(tb: TraceBuilder, node: NodeDatapath, ns: PodNetns, pkt: Packet, via: string, ifindex: number): void {
  tb.hop(node.name, `${ns.display} netns`, 'kernel');
  if (pkt.ethertype === ETH_P_ARP) {
    tb.add({ kind: 'packet', label: 'arp', text: `ARP reply ${formatIpv4(pkt.src)} is-at ${pkt.ethSrc}` });
    tb.add({ kind: 'kernel', op: 'neigh', text: `${formatIpv4(ns.gateway)} dev ${ns.ifname} lladdr ${pkt.ethSrc} REACHABLE` });
    return;
  }
  tb.add({ kind: 'kernel', op: 'rx', text: `${ns.ifname} (${via})` });
  tb.add({ kind: 'deliver', node: node.name, target: ns.display, ifname: ns.ifname, via, ifindex, packet: describeInner(pkt) });
}
