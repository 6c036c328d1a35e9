// Runs one trace: resolves the endpoints of a packet spec against the cluster, injects the
// packet into the source pod's netns and collects the tree into a TraceResult.
import type { Cluster } from '../controlplane/cluster.js';
import { runTrace, type Injection } from '../datapath/engine.js';
import type { ClusterDatapath, NodeDatapath } from '../node-state/node.js';
import { explainPolicyDrop } from '../explain/policy-drop.js';
import { explainL7Denial } from '../explain/l7-denial.js';
import { formatIpv4, parseIpv4, type Ipv4 } from '../net/ip.js';
import type { Mac } from '../net/mac.js';
import { replyOf, type L4, type Packet } from '../net/packet.js';
import type { CtStatus } from '../cilium/trace-points.js';
import { ETH_P_IP } from '../net/packet.js';
import type { L7Record, EndpointView, PacketSummary, Peer, ServiceView, TraceNode, TraceResult } from './tree.js';
import { nodeFrontendAddresses } from '../controlplane/services.js';
import { LazyMap } from '../util/lazy-map.js';
import { socketLbOf } from '../scenario/types.js';
import type { HttpRequest } from '../proxy/envoy-http.js';
import type { DnsQuery } from '../proxy/dns-proxy.js';

/** Who sends: a pod (from its netns), a node's host stack, or an address outside the cluster. */
export type FlowSource =
  | { readonly kind: 'pod'; readonly ip: Ipv4 }
  /** `pod`: a hostNetwork pod (namespace/name) in the node's host netns, else a host process. */
  | { readonly kind: 'host'; readonly node: string; readonly ip: Ipv4; readonly pod?: string }
  | { readonly kind: 'world'; readonly ip: Ipv4; readonly entryNode: string };

export interface FlowSpec {
  readonly src: FlowSource;
  readonly dstIp: Ipv4;
  readonly proto: 'icmp' | 'tcp' | 'udp';
  readonly dport: number | null;
  readonly sport: number;
  readonly traceArp: boolean;
  readonly backend?: { readonly ip: number; readonly port?: number };
  readonly ctState?: CtStatus | undefined;
  /** The HTTP request on the connection (--http): simulated at an HTTP proxy redirect. */
  readonly http?: HttpRequest | undefined;
  /** The DNS query on the flow (--dns-query): simulated at a DNS proxy redirect. */
  readonly dns?: DnsQuery | undefined;
}

export const DEFAULT_SPORT = 43210;
export const ICMP_ECHO_ID = 1;

function peerOf(cluster: Cluster, ip: Ipv4): Peer {
  const svc = cluster.scenario.services.find((s) => s.clusterIP === ip);
  if (svc) return { ip: formatIpv4(ip), node: null, pod: null, identity: null, service: `${svc.namespace}/${svc.name}` };
  const ep = cluster.endpoints.find((e) => e.pod.ip === ip);
  if (ep) return { ip: formatIpv4(ip), node: ep.node.name, pod: `${ep.pod.namespace}/${ep.pod.name}`, identity: ep.identity, service: null };
  const node = cluster.scenario.nodes.find((n) => n.ip === ip || n.ciliumHostIp === ip);
  return { ip: formatIpv4(ip), node: node?.name ?? null, pod: null, identity: null, service: null };
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

/** The verdict's not-simulated part, with the proxy hand-off when a policy redirect ended the trace. */
function notSimulatedOf(nodes: readonly TraceNode[], node: string, text: string): TraceResult['notSimulated'] {
  const walk = (list: readonly TraceNode[]): Extract<TraceNode, { kind: 'not_simulated' }> | undefined => {
    for (const n of list) {
      if (n.kind === 'not_simulated' && n.proxy) return n;
      const inner = 'children' in n ? walk(n.children) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  const proxy = walk(nodes)?.proxy;
  return proxy ? { node, text, proxy } : { node, text };
}

/** The proxy's record, if an L7 proxy decided on the request. */
function findL7(nodes: readonly TraceNode[]): L7Record | undefined {
  for (const n of nodes) {
    if (n.kind === 'l7') return n.record;
    const inner = 'children' in n ? findL7(n.children) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

function findRefused(nodes: readonly TraceNode[], node: string): TraceResult['refused'] {
  for (const n of nodes) {
    if (n.kind === 'refused') return { syscall: n.syscall, errno: n.errno, code: n.code, fn: n.fn, file: n.file, node, ...(n.icmp ? { icmp: n.icmp } : {}) };
    if ('children' in n) {
      const inner = findRefused(n.children, n.kind === 'hop' ? n.node : node);
      if (inner) return inner;
    }
  }
  return null;
}

function injectionOf(cluster: Cluster, spec: FlowSpec, packet: Packet, isReply: boolean): Injection {
  const s = spec.src;
  if (s.kind === 'host') return { from: 'host', node: s.node, packet, isReply, ...(s.pod === undefined ? {} : { pod: s.pod }) };
  if (s.kind === 'world') return { from: 'network', node: s.entryNode, packet };
  const ep = cluster.endpoints.find((e) => e.pod.ip === s.ip);
  if (!ep) throw new Error(`source ${formatIpv4(s.ip)} is not a pod`);
  return { from: 'pod', node: ep.node.name, srcIp: s.ip, packet: { ...packet, ethSrc: ep.pod.mac }, traceArp: spec.traceArp, isReply };
}

const VIEWS = new WeakMap<Cluster, readonly EndpointView[]>();

/**
 * Hubble's endpoint view of the cluster, built once per cluster and shared by every trace,
 * when a renderer first reads a result's `endpoints` (text output never does; on a
 * 50,000-pod cluster building it costs more than the trace).
 */
function endpointViews(cluster: Cluster): readonly EndpointView[] {
  let v = VIEWS.get(cluster);
  if (!v) {
    v = cluster.endpoints.map((e) => ({ ip: formatIpv4(e.pod.ip), endpointId: e.pod.endpointId, identity: e.identity, namespace: e.pod.namespace, pod: e.pod.name, labels: cluster.identities.labelStrings(e.identity) ?? [], node: e.node.name }));
    VIEWS.set(cluster, v);
  }
  return v;
}

const SERVICES = new WeakMap<Cluster, readonly ServiceView[]>();

/** Every node's Service frontends (cluster IPs once, NodePorts per node), built once per cluster on first read. */
function serviceViews(cluster: Cluster): readonly ServiceView[] {
  let v = SERVICES.get(cluster);
  if (!v) {
    const seen = new Set<string>();
    v = cluster.scenario.nodes.flatMap((n) => nodeFrontendAddresses(cluster.scenario, n).flatMap((f) => {
      const view: ServiceView = { ip: formatIpv4(f.address), port: f.dport, namespace: f.service.namespace, name: f.service.name, node: f.nodePort ? n.name : null };
      const key = `${view.node ?? ''}/${view.ip}:${view.port}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [view];
    }));
    SERVICES.set(cluster, v);
  }
  return v;
}

type AgentLookups = Pick<TraceResult, 'identityOf' | 'labelsOf'>;
const LOOKUPS = new WeakMap<Cluster, AgentLookups>();

/**
 * Hubble's IPGetter and IdentityGetter on the cluster, one pair per cluster (results of one
 * cluster compare equal). LookupSecIDByIP (daemon/cmd/hubble.go:395-424) tries the address,
 * then every prefix length in use, which always includes /0 (pkg/counter/prefixes.go:58-61):
 * the node's ipcache LPM lookup gives the same answer.
 */
function agentLookups(cluster: Cluster): AgentLookups {
  let v = LOOKUPS.get(cluster);
  if (!v) {
    v = {
      identityOf: (node: string, ip: string) => {
        const addr = parseIpv4(ip);
        return addr === undefined ? undefined : cluster.datapath.nodes.get(node)?.maps.ipcache.lookup(addr)?.info.secLabel;
      },
      labelsOf: (id: number) => (id === 0 ? undefined : cluster.identities.labelStrings(id)),
    };
    LOOKUPS.set(cluster, v);
  }
  return v;
}

/** Each trace runs on its own copy of the conntrack maps, so traces never leak state into each other. */
export function withConntrackCopy(dp: ClusterDatapath): ClusterDatapath {
  const nodes = new LazyMap<string, NodeDatapath>([...dp.nodes.keys()], (name) => {
    const n = dp.nodes.get(name) as NodeDatapath;
    return { ...n, maps: { ...n.maps, ctTcp: n.maps.ctTcp.clone(), ctAny: n.maps.ctAny.clone(), nat: n.maps.nat.clone(), ...(n.maps.nfConntrack ? { nfConntrack: n.maps.nfConntrack.clone() } : {}) } };
  });
  return { release: dp.release, nodes, nodeByIp: dp.nodeByIp };
}

export function traceFlow(cluster: Cluster, spec: FlowSpec, datapath: ClusterDatapath = withConntrackCopy(cluster.datapath)): TraceResult {
  return runFlow(cluster, spec, datapath).result;
}

/**
 * The forward trace, then its reply on the same conntrack state: from wherever the forward
 * packet was delivered, addresses and ports swapped (echo-reply, SYN-ACK).
 */
export function traceWithReply(cluster: Cluster, spec: FlowSpec, dp: ClusterDatapath = withConntrackCopy(cluster.datapath)): { forward: TraceResult; reply: TraceResult | null } {
  const fwd = runFlow(cluster, spec, dp);
  if (fwd.result.verdict !== 'FORWARDED' || !fwd.final || !fwd.result.delivered) return { forward: fwd.result, reply: null };
  const back = replyOf(fwd.final);
  const d = fwd.result.delivered;
  const src: FlowSource = cluster.endpoints.some((e) => e.pod.ip === back.src)
    ? { kind: 'pod', ip: back.src }
    : d.target.startsWith('the host of ')
      ? { kind: 'host', node: d.node, ip: back.src }
      : { kind: 'world', ip: back.src, entryNode: d.node };
  const replySpec: FlowSpec = { ...spec, src, dstIp: back.dst, traceArp: false, ctState: undefined };
  const rep = runFlow(cluster, replySpec, dp, back.l4);
  const notes = [...rep.result.context.notes.filter((n) => !n.startsWith('conntrack') && !n.startsWith('ct:')), 'reply: traced on the conntrack entries the forward trace created'];
  return { forward: fwd.result, reply: withEndpointsOf(cluster, { ...withoutEndpoints(rep.result), context: { ...rep.result.context, notes } }) };
}

function runFlow(cluster: Cluster, spec: FlowSpec, datapath: ClusterDatapath, l4Override?: L4): { result: TraceResult; final: Packet | undefined } {
  const c = cluster.scenario.cluster;
  const placeholder = '00:00:00:00:00:00' as Mac;
  const packet: Packet = { ethSrc: placeholder, ethDst: placeholder, ethertype: ETH_P_IP, src: spec.src.ip, dst: spec.dstIp, ttl: 64, l4: l4Override ?? l4Of(spec), mark: 0 };
  const opts = { ...(spec.backend ? { backend: spec.backend } : {}), ...(spec.ctState ? { ctState: spec.ctState } : {}), ...(spec.http && !l4Override ? { http: spec.http } : {}), ...(spec.dns && !l4Override ? { dns: spec.dns } : {}) };
  const { hops, outcome } = runTrace(datapath, injectionOf(cluster, spec, packet, l4Override !== undefined), opts);
  const l4 = packet.l4;
  const summary: PacketSummary = {
    proto: l4.proto,
    src: peerOf(cluster, spec.src.ip),
    dst: peerOf(cluster, spec.dstIp),
    sport: l4.proto === 'icmp' ? null : l4.sport,
    dport: l4.proto === 'icmp' ? null : l4.dport,
    icmpType: l4.proto === 'icmp' ? l4.type : null,
  };

  const notes: string[] = [spec.ctState ? `ct: ${spec.ctState} (assumed, --ct)` : 'ct: new (default; the conntrack maps start empty; use --ct)'];
  if (spec.proto !== 'icmp' && spec.sport === DEFAULT_SPORT) notes.push(`source port ${DEFAULT_SPORT} (default; use --sport)`);
  if (spec.proto === 'icmp' && !l4Override) notes.push(`icmp echo id ${ICMP_ECHO_ID}`);
  const drop = outcome.kind === 'dropped' ? findDrop(hops, outcome.node) : null;
  const l7 = findL7(hops);
  const result: WithoutEndpoints = {
    schema: 'cilium-trace/trace/v1',
    packet: summary,
    context: {
      cluster: cluster.scenario.name,
      profile: c.profile,
      cilium: datapath.release.version,
      profileWhy: c.profileWhy,
      routing: c.routing === 'tunnel' ? `tunnel ${c.tunnelProtocol}:${c.tunnelPort}` : 'native',
      hostRouting: c.bpfHostRouting ? 'BPF' : 'legacy',
      socketLb: socketLbOf(c),
      notes,
      ...(c.sources ? { settings: c.sources } : {}),
    },
    hops,
    verdict: outcome.kind === 'delivered' ? 'FORWARDED' : outcome.kind === 'dropped' || outcome.kind === 'refused' ? 'DROPPED' : 'NOT_SIMULATED',
    drop: outcome.kind === 'dropped' ? drop : null,
    refused: outcome.kind === 'refused' ? findRefused(hops, outcome.node) : null,
    notSimulated: outcome.kind === 'error' ? notSimulatedOf(hops, outcome.node, outcome.text) : null,
    delivered: outcome.kind === 'delivered' ? { node: outcome.node, target: outcome.target, via: outcome.via, ifindex: outcome.ifindex } : null,
    explanation: null,
    ...(l7 ? { l7 } : {}),
  };
  const withViews = withEndpointsOf(cluster, result);
  const explained = withEndpointsOf(cluster, { ...result, explanation: explainL7Denial(withViews) ?? explainPolicyDrop(cluster, withViews) });
  return { result: explained, final: outcome.kind === 'delivered' ? outcome.packet : undefined };
}

type WithoutEndpoints = Omit<TraceResult, 'endpoints' | 'services' | 'identityOf' | 'labelsOf'>;

/** A result's fields but `endpoints` (copying them with a spread would build the views). */
function withoutEndpoints(r: TraceResult): WithoutEndpoints {
  const { schema, packet, context, hops, verdict, drop, refused, notSimulated, delivered, explanation, l7 } = r;
  return { schema, packet, context, hops, verdict, drop, refused, notSimulated, delivered, explanation, ...(l7 ? { l7 } : {}) };
}

/** The result with `endpoints` (in its place, before `explanation`) built on first read. */
function withEndpointsOf(cluster: Cluster, r: WithoutEndpoints): TraceResult {
  const { explanation, ...rest } = r;
  return {
    ...rest,
    get endpoints(): readonly EndpointView[] {
      return endpointViews(cluster);
    },
    get services(): readonly ServiceView[] {
      return serviceViews(cluster);
    },
    ...agentLookups(cluster),
    explanation,
  };
}
