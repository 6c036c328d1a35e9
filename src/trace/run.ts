// Runs one trace: resolves the endpoints of a packet spec against the cluster, injects the
// packet into the source pod's netns and collects the tree into a TraceResult.
import type { Cluster } from '../controlplane/cluster.js';
import { runTrace } from '../datapath/engine.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import type { Mac } from '../net/mac.js';
import type { L4, Packet } from '../net/packet.js';
import { ETH_P_IP } from '../net/packet.js';
import type { PacketSummary, Peer, TraceNode, TraceResult } from './tree.js';

export interface FlowSpec {
  readonly srcIp: Ipv4; // must be a pod
  readonly dstIp: Ipv4;
  readonly proto: 'icmp' | 'tcp' | 'udp';
  readonly dport: number | null;
  readonly sport: number;
  readonly traceArp: boolean;
}

export const DEFAULT_SPORT = 43210;
export const ICMP_ECHO_ID = 1;

function peerOf(cluster: Cluster, ip: Ipv4): Peer {
  const ep = cluster.endpoints.find((e) => e.pod.ip === ip);
  if (ep) return { ip: formatIpv4(ip), node: ep.node.name, pod: `${ep.pod.namespace}/${ep.pod.name}`, identity: ep.identity };
  const node = cluster.scenario.nodes.find((n) => n.ip === ip || n.ciliumHostIp === ip);
  return { ip: formatIpv4(ip), node: node?.name ?? null, pod: null, identity: null };
}

function l4Of(spec: FlowSpec): L4 {
  switch (spec.proto) {
    case 'icmp': return { proto: 'icmp', type: 8, code: 0, id: ICMP_ECHO_ID };
    case 'tcp': return { proto: 'tcp', sport: spec.sport, dport: spec.dport ?? 0, flags: 'SYN' };
    case 'udp': return { proto: 'udp', sport: spec.sport, dport: spec.dport ?? 0 };
  }
}

function findDrop(nodes: readonly TraceNode[], node: string): TraceResult['drop'] {
  for (const n of nodes) {
    if (n.kind === 'drop') return { ...n.drop, fn: n.fn, file: n.file, node, direction: n.direction };
    if ('children' in n) {
      const inner = findDrop(n.children, n.kind === 'hop' ? n.node : node);
      if (inner) return inner;
    }
  }
  return null;
}

export function traceFlow(cluster: Cluster, spec: FlowSpec): TraceResult {
  const src = cluster.endpoints.find((e) => e.pod.ip === spec.srcIp);
  if (!src) throw new Error(`source ${formatIpv4(spec.srcIp)} is not a pod`);
  const c = cluster.scenario.cluster;
  const packet: Packet = { ethSrc: src.pod.mac, ethDst: src.pod.mac as Mac, ethertype: ETH_P_IP, src: spec.srcIp, dst: spec.dstIp, ttl: 64, l4: l4Of(spec), mark: 0 };
  const { hops, outcome } = runTrace(cluster.datapath, { node: src.node.name, srcIp: spec.srcIp, packet, traceArp: spec.traceArp }, {});
  const summary: PacketSummary = {
    proto: spec.proto,
    src: peerOf(cluster, spec.srcIp),
    dst: peerOf(cluster, spec.dstIp),
    sport: spec.proto === 'icmp' ? null : spec.sport,
    dport: spec.proto === 'icmp' ? null : spec.dport,
    icmpType: spec.proto === 'icmp' ? 8 : null,
  };
  const notes: string[] = ['conntrack maps start empty: this is the first packet of a new connection (CT_NEW)'];
  if (spec.proto !== 'icmp' && spec.sport === DEFAULT_SPORT) notes.push(`source port ${DEFAULT_SPORT} (default; use --sport)`);
  if (spec.proto === 'icmp') notes.push(`icmp echo id ${ICMP_ECHO_ID}`);
  const drop = outcome.kind === 'dropped' ? findDrop(hops, outcome.node) : null;
  return {
    schema: 'cilium-trace/trace/v1',
    packet: summary,
    context: {
      cluster: cluster.scenario.name,
      profile: c.profile,
      routing: c.routing === 'tunnel' ? `tunnel ${c.tunnelProtocol}:${c.tunnelPort}` : 'native',
      hostRouting: c.bpfHostRouting ? 'BPF' : 'legacy',
      socketLb: c.kubeProxyReplacement,
      notes,
    },
    hops,
    verdict: outcome.kind === 'delivered' ? 'FORWARDED' : outcome.kind === 'dropped' ? 'DROPPED' : 'NOT_SIMULATED',
    drop: outcome.kind === 'dropped' ? drop : null,
    notSimulated: outcome.kind === 'error' ? { node: outcome.node, text: outcome.text } : null,
    delivered: outcome.kind === 'delivered' ? { node: outcome.node, target: outcome.target, via: outcome.via, ifindex: outcome.ifindex } : null,
  };
}
