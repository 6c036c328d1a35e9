// The part of netfilter that Cilium's iptables masquerading (masquerade: iptables) puts on a
// packet's path. Kernel behaviour plus the rule Cilium v1.13.0 installs
// (pkg/datapath/iptables/iptables.go:1097-1160): CILIUM_POST_nat "cilium masquerade
// non-cluster" = `! -d <IPV4_SNAT_EXCLUSION_DST_CIDR> -s <local pod CIDR> ! -o cilium_+ -j
// MASQUERADE`, after "exclude traffic to cluster nodes" (node ipset) in native routing
// (NodeIpsetNeeded, pkg/option/config.go:2489-2491). POSTROUTING runs in ip_output, before
// dev_queue_xmit, so the device's tc egress already sees the translated packet; nf_conntrack
// translates the replies back in PREROUTING, before the route lookup.
// Left out: --egress-masquerade-interfaces, --iptables-random-fully, the other CILIUM_POST_nat
// rules (host->cluster SNAT, loopback, proxy), source-port clashes (MASQUERADE keeps the port).
import { formatIpv4, formatPrefix, prefixContains, type Ipv4, type Ipv4Prefix } from '../../net/ip.js';
import type { Packet } from '../../net/packet.js';
import type { TraceBuilder } from '../../trace/builder.js';
import type { Device, NodeDatapath } from '../../node-state/node.js';
import { portOf } from '../../node-state/nf-conntrack.js';


function podCidr(node: NodeDatapath): Ipv4Prefix {
  const c = node.config;
  return { addr: (c.routerIp & c.ipv4Mask) >>> 0 as Ipv4, len: Math.clz32(~c.ipv4Mask >>> 0) };
}

/** POSTROUTING, CILIUM_POST_nat: MASQUERADE a pod's packet leaving by a non-Cilium device. */
export function postroutingMasquerade(tb: TraceBuilder, node: NodeDatapath, pkt: Packet, out: Device, nodeIps: ReadonlySet<number>): Packet {
  const c = node.config;
  if (c.masquerade !== 'iptables' || out.name.startsWith('cilium_')) return pkt;
  const alloc = podCidr(node);
  const excl = c.ipv4NativeRoutingCidr?.prefix ?? alloc;
  if (!prefixContains(alloc, pkt.src)) return pkt;
  if (!c.tunnelMode && nodeIps.has(pkt.dst)) {
    tb.add({ kind: 'kernel', op: 'nat', text: `iptables -t nat CILIUM_POST_nat: ${formatIpv4(pkt.dst)} is in the cluster-node ipset: "exclude traffic to cluster nodes from masquerade" (ACCEPT)` });
    return pkt;
  }
  if (prefixContains(excl, pkt.dst)) return pkt;
  const to = c.nodeIp;
  const proto = pkt.l4.proto;
  const sport = portOf(pkt, 'src');
  tb.add({ kind: 'kernel', op: 'nat', text: `iptables -t nat POSTROUTING → CILIUM_POST_nat "cilium masquerade non-cluster" (-s ${formatPrefix(alloc)} ! -d ${formatPrefix(excl)} ! -o cilium_+): MASQUERADE to ${out.name}'s address, in ip_output before the qdisc and tc egress` });
  tb.add({ kind: 'rewrite', field: proto === 'icmp' ? 'saddr' : 'saddr:sport', from: proto === 'icmp' ? formatIpv4(pkt.src) : `${formatIpv4(pkt.src)}:${sport}`, to: proto === 'icmp' ? formatIpv4(to) : `${formatIpv4(to)}:${sport} (port kept)` });
  node.maps.nfConntrack?.bind({ proto, src: pkt.dst, sport: portOf(pkt, 'dst'), dst: to, dport: sport }, { addr: pkt.src, port: sport });
  return { ...pkt, src: to };
}

/** PREROUTING: nf_conntrack's reverse NAT of a reply to a masqueraded connection. */
export function preroutingDenat(tb: TraceBuilder, node: NodeDatapath, pkt: Packet): Packet {
  const orig = node.maps.nfConntrack?.lookup({ proto: pkt.l4.proto, src: pkt.src, sport: portOf(pkt, 'src'), dst: pkt.dst, dport: portOf(pkt, 'dst') });
  if (!orig) return pkt;
  const icmp = pkt.l4.proto === 'icmp';
  tb.add({ kind: 'kernel', op: 'nat', text: 'nf_conntrack (PREROUTING): the reply of a masqueraded connection is translated back before the route lookup' });
  tb.add({ kind: 'rewrite', field: icmp ? 'daddr' : 'daddr:dport', from: icmp ? formatIpv4(pkt.dst) : `${formatIpv4(pkt.dst)}:${portOf(pkt, 'dst')}`, to: icmp ? formatIpv4(orig.addr) : `${formatIpv4(orig.addr)}:${orig.port}` });
  return { ...pkt, dst: orig.addr };
}
