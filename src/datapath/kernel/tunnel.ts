// The kernel's collect-metadata tunnel devices (cilium_vxlan `vxlan external`, cilium_geneve
// `geneve external`): on transmit they build the outer headers from the skb's tunnel key
// (VNI and remote from bpf_skb_set_tunnel_key), the outer source by route lookup, the UDP
// source port from the inner flow hash; on receive they strip them and hand the tunnel key
// to the tunnel device's tc ingress. Kernel behaviour, not Cilium code: marked as such.
import { fnv1a } from '../../util/hash.js';
import { formatIpv4 } from '../../net/ip.js';
import type { Packet } from '../../net/packet.js';
import type { TunnelKey } from '../context.js';
import type { NodeDatapath } from '../../node-state/node.js';

const PORT_MIN = 32768;
const PORT_MAX = 60999; // net.ipv4.ip_local_port_range, used when the device says srcport 0 0

/** udp_flow_src_port: the inner flow hash scaled into the local port range. */
export function flowSourcePort(p: Packet): number {
  const l4 = p.l4.proto === 'icmp' ? `icmp/${p.l4.id}` : `${p.l4.proto}/${p.l4.sport}/${p.l4.dport}`;
  const hash = fnv1a(`${p.src}/${p.dst}/${l4}`);
  return PORT_MIN + Math.floor((hash / 0x100000000) * (PORT_MAX - PORT_MIN));
}

export function encapsulate(node: NodeDatapath, pkt: Packet, key: TunnelKey, remoteMac: string, localMac: string): Packet {
  return {
    ...pkt,
    outer: {
      type: node.config.tunnelProtocol,
      ethSrc: localMac as Packet['ethSrc'],
      ethDst: remoteMac as Packet['ethDst'],
      src: node.ip,
      dst: key.remoteIpv4 as Packet['dst'],
      ttl: key.ttl,
      sport: flowSourcePort(pkt),
      dport: node.config.tunnelPort,
      vni: key.tunnelId,
    },
  };
}

export function decapsulate(pkt: Packet): { inner: Packet; key: TunnelKey } | undefined {
  const o = pkt.outer;
  if (!o) return undefined;
  const { outer: _outer, ...inner } = pkt;
  void _outer;
  return { inner, key: { tunnelId: o.vni, remoteIpv4: o.src, ttl: o.ttl } };
}

export function describeRoute(node: NodeDatapath, dst: number, dev: string): string {
  return `${formatIpv4(dst)} dev ${dev} src ${formatIpv4(node.ip)}`;
}
