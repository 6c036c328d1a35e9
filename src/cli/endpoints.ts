// Resolves SRC/DST/PROTO arguments against the cluster. Unknown names are bad input,
// reported with the argument's column on the command line.
import { InputError } from '../errors.js';
import type { Cluster, EndpointRecord } from '../controlplane/cluster.js';
import { formatIpv4, formatPrefix, parseIpv4, prefixContains, type Ipv4 } from '../net/ip.js';
import type { FlowSource } from '../trace/run.js';
import type { ServiceSpec } from '../scenario/types.js';
import { nameHint } from '../util/similar.js';
import { isIpv6 } from '../net/ipv6.js';

export interface ArgPos {
  readonly text: string;
  readonly col: number; // 1-based column in the space-joined command line
}

const CMDLINE = '<command line>';

function problem(arg: ArgPos, message: string): InputError {
  return new InputError([{ pos: { file: CMDLINE, line: 1, col: arg.col }, message }]);
}

export function resolvePod(cluster: Cluster, arg: ArgPos): EndpointRecord | undefined {
  const [ns, name] = arg.text.includes('/') ? arg.text.split('/', 2) : [undefined, arg.text];
  const hits = cluster.endpoints.filter((e) => e.pod.name === name && (ns === undefined || e.pod.namespace === ns));
  if (hits.length > 1) throw problem(arg, `pod name '${arg.text}' is ambiguous (expected one of: ${hits.map((e) => `${e.pod.namespace}/${e.pod.name}`).join(', ')})`);
  return hits[0];
}

/** hostNetwork pods share their node's network namespace: as an end of a flow they are that host. */
function resolveHostNetworkPod(cluster: Cluster, arg: ArgPos): Cluster['hostNetworkPods'][number] | undefined {
  const [ns, name] = arg.text.includes('/') ? arg.text.split('/', 2) : [undefined, arg.text];
  return cluster.hostNetworkPods.find((h) => h.pod.name === name && (ns === undefined || h.pod.namespace === ns));
}

/** The pods to suggest for an unknown name: all, or the closest ten on a large cluster. */
function podList(cluster: Cluster, query: string): string {
  const q = query.includes('/') ? query : `default/${query}`;
  return nameHint(q, cluster.endpoints.map((e) => `${e.pod.namespace}/${e.pod.name}`));
}

/** The node that owns an address: a pod's node, or the node whose InternalIP/cilium_host IP it is. */
export function nodeOwning(cluster: Cluster, ip: Ipv4): string | undefined {
  const ep = cluster.endpoints.find((e) => e.pod.ip === ip);
  if (ep) return ep.node.name;
  return cluster.scenario.nodes.find((n) => n.ip === ip || n.ciliumHostIp === ip)?.name;
}

function nodeByName(cluster: Cluster, arg: ArgPos, name: string): FlowSource {
  const node = cluster.scenario.nodes.find((n) => n.name === name);
  if (!node) throw problem(arg, `unknown node '${name}' (expected one of: ${cluster.scenario.nodes.map((n) => n.name).sort().join(', ')})`);
  return { kind: 'host', node: node.name, ip: node.ip };
}

/**
 * SRC: a pod (name, namespace/name or IP), a node's host (node:NAME or its InternalIP), or any
 * address outside the pod CIDRs (world; it enters at the destination's node).
 */
export function resolveSource(cluster: Cluster, arg: ArgPos, dstIp: Ipv4): FlowSource {
  if (arg.text.startsWith('node:')) return nodeByName(cluster, arg, arg.text.slice(5));
  const ip = parseIpv4(arg.text);
  if (ip === undefined) {
    const ep = resolvePod(cluster, arg);
    if (ep) return { kind: 'pod', ip: ep.pod.ip };
    const hn = resolveHostNetworkPod(cluster, arg);
    if (hn) return { kind: 'host', node: hn.node.name, ip: hn.node.ip, pod: `${hn.pod.namespace}/${hn.pod.name}` };
    if (isIpv6(arg.text)) throw problem(arg, `IPv6 source '${arg.text}' is not simulated yet (expected an IPv4 address, a pod or node:NAME)`);
    throw problem(arg, `unknown pod '${arg.text}' (expected a pod, node:NAME or an IPv4 address; pods: ${podList(cluster, arg.text)})`);
  }
  if (cluster.endpoints.some((e) => e.pod.ip === ip)) return { kind: 'pod', ip };
  const node = cluster.scenario.nodes.find((n) => n.ip === ip || n.ciliumHostIp === ip);
  if (node) return { kind: 'host', node: node.name, ip };
  const inCidr = cluster.scenario.nodes.find((n) => prefixContains(n.podCIDR, ip));
  if (inCidr) throw problem(arg, `source ${arg.text} is in ${inCidr.name}'s pod CIDR ${formatPrefix(inCidr.podCIDR)} but no pod has it (expected a pod, a node or an address outside the cluster)`);
  const entry = nodeOwning(cluster, dstIp);
  if (!entry) throw problem(arg, `source ${arg.text} is outside the cluster, and so is the destination ${formatIpv4(dstIp)} (expected one end in the cluster)`);
  return { kind: 'world', ip, entryNode: entry };
}

export interface Destination {
  readonly ip: Ipv4;
  /** Set when DST was svc:NAME: the Service, to default the protocol and port from. */
  readonly service?: ServiceSpec;
}

/** DST: a pod, an IPv4 address, or svc:NAME / svc:NAMESPACE/NAME (its ClusterIP). */
export function resolveDestination(cluster: Cluster, arg: ArgPos): Destination {
  if (arg.text.startsWith('svc:')) {
    const ref = arg.text.slice(4);
    const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
    const hits = cluster.scenario.services.filter((s) => s.name === name && (ns === undefined || s.namespace === ns));
    const all = cluster.scenario.services.map((s) => `svc:${s.namespace}/${s.name}`).sort().join(', ') || 'none';
    if (hits.length !== 1) throw problem(arg, hits.length === 0 ? `unknown service '${ref}' (expected one of: ${all})` : `service name '${ref}' is ambiguous (expected one of: ${hits.map((s) => `svc:${s.namespace}/${s.name}`).join(', ')})`);
    const svc = hits[0] as ServiceSpec;
    if (svc.clusterIP === undefined) throw problem(arg, `service ${svc.namespace}/${svc.name} is headless (clusterIP: None): trace to one of its pods instead`);
    return { ip: svc.clusterIP, service: svc };
  }
  const ip = parseIpv4(arg.text);
  if (ip !== undefined) return { ip };
  const ep = resolvePod(cluster, arg);
  if (ep) return { ip: ep.pod.ip };
  const hn = resolveHostNetworkPod(cluster, arg);
  if (hn) return { ip: hn.node.ip };
  if (isIpv6(arg.text)) throw problem(arg, `IPv6 destination '${arg.text}' is not simulated yet (expected an IPv4 address, a pod or svc:NAME)`);
  throw problem(arg, `unknown pod '${arg.text}' (expected a pod, svc:NAME or an IPv4 address; pods: ${podList(cluster, arg.text)})`);
}

export function parseProto(arg: ArgPos | undefined): { proto: 'icmp' | 'tcp' | 'udp'; dport: number | null } {
  if (!arg) return { proto: 'icmp', dport: null };
  const m = /^(icmp|tcp|udp)(?:\/(\d{1,5}))?$/i.exec(arg.text);
  if (!m) throw problem(arg, `bad protocol '${arg.text}' (expected icmp, tcp/PORT or udp/PORT)`);
  const proto = (m[1] ?? 'icmp').toLowerCase() as 'icmp' | 'tcp' | 'udp';
  if (proto === 'icmp') {
    if (m[2] !== undefined) throw problem(arg, `icmp takes no port (expected icmp)`);
    return { proto, dport: null };
  }
  if (m[2] === undefined) throw problem(arg, `${proto} needs a destination port (expected ${proto}/PORT, e.g. ${proto}/80)`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw problem(arg, `port ${port} out of range (expected 1..65535)`);
  return { proto, dport: port };
}
