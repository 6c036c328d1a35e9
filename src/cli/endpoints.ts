// Resolves SRC/DST/PROTO arguments against the cluster. Unknown names are bad input,
// reported with the argument's column on the command line, with the ten closest names.
import { InputError } from '../errors.js';
import type { Cluster } from '../controlplane/cluster.js';
import { formatIpv4, formatPrefix, parseIpv4, prefixContains, type Ipv4 } from '../net/ip.js';
import type { FlowSource } from '../trace/run.js';
import type { NodeSpec, PodSpec, ServiceSpec } from '../scenario/types.js';
import { nameHint } from '../util/similar.js';
import { isIpv6 } from '../net/ipv6.js';
import { choiceNote, closestNames, findPods } from './pod-names.js';

export interface ArgPos {
  readonly text: string;
  readonly col: number; // 1-based column in the space-joined command line
}

const CMDLINE = '<command line>';

function problem(arg: ArgPos, message: string): InputError {
  return new InputError([{ pos: { file: CMDLINE, line: 1, col: arg.col }, message }]);
}

/**
 * The pod a name stands for (pod, workload or label selector: pod-names.ts); the first by
 * name when it stands for several, with a note saying so. Undefined when nothing answers.
 */
export function resolvePod(cluster: Cluster, arg: ArgPos, role: 'SRC' | 'DST', notes?: string[]): PodSpec | undefined {
  const m = findPods(cluster, arg.text);
  if (!m) return undefined;
  if ('problem' in m) throw problem(arg, m.problem);
  const note = choiceNote(role, arg.text, m);
  if (note) notes?.push(note);
  return m.pods[0];
}

const EXPECTED_NAMES = 'a pod, NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE, node:NAME';

function unknownName(cluster: Cluster, arg: ArgPos, expected: string): InputError {
  return problem(arg, `unknown pod '${arg.text}' (expected ${expected}; closest: ${closestNames(cluster, arg.text)})`);
}

/** The node that owns an address: a pod's node, or the node whose InternalIP/cilium_host IP it is. */
export function nodeOwning(cluster: Cluster, ip: Ipv4): string | undefined {
  const ep = cluster.endpoints.find((e) => e.pod.ip === ip);
  if (ep) return ep.node.name;
  return cluster.scenario.nodes.find((n) => n.ip === ip || n.ciliumHostIp === ip)?.name;
}

function nodeByName(cluster: Cluster, arg: ArgPos, name: string): NodeSpec {
  const node = cluster.scenario.nodes.find((n) => n.name === name);
  if (!node) throw problem(arg, `unknown node '${name}' (expected one of: ${nameHint(name, cluster.scenario.nodes.map((n) => n.name))})`);
  return node;
}

/** A pod as the end of a flow: a hostNetwork pod is its node's host. */
function podSource(cluster: Cluster, pod: PodSpec): FlowSource {
  if (!pod.hostNetwork) return { kind: 'pod', ip: pod.ip };
  const node = cluster.hostNetworkPods.find((h) => h.pod === pod)?.node.ip ?? pod.ip;
  return { kind: 'host', node: pod.node, ip: node, pod: `${pod.namespace}/${pod.name}` };
}

/** F16: a ClusterIP is no address outside the cluster can reach; say so and name the NodePort. */
function clusterIpFromOutside(cluster: Cluster, arg: ArgPos, svc: ServiceSpec, dport: number | null | undefined): InputError {
  const ports = svc.ports.filter((p) => p.nodePort !== undefined);
  const port = ports.find((p) => p.port === dport) ?? ports[0];
  const node = [...cluster.scenario.nodes].sort((a, b) => (a.name < b.name ? -1 : 1))[0];
  const how = port?.nodePort !== undefined && node
    ? `for its NodePort, trace to a node's address: ${arg.text} ${formatIpv4(node.ip)} ${port.protocol.toLowerCase()}/${port.nodePort}`
    : `svc ${svc.namespace}/${svc.name} has no NodePort (type ${svc.type}): trace from a pod or node:NAME instead`;
  return problem(arg, `source ${arg.text} is outside the cluster, and a ClusterIP (svc ${svc.namespace}/${svc.name}, ${formatIpv4(svc.clusterIP ?? 0)}) is reachable only from inside it; ${how}`);
}

/**
 * SRC: a pod (name, namespace/name, workload, label selector or IP), a node's host (node:NAME
 * or its InternalIP), or any address outside the pod CIDRs (world; it enters at the
 * destination's node). `dport` only improves the message for a ClusterIP from outside.
 */
export function resolveSource(cluster: Cluster, arg: ArgPos, dstIp: Ipv4, notes?: string[], dport?: number | null): FlowSource {
  if (arg.text.startsWith('node:')) {
    const node = nodeByName(cluster, arg, arg.text.slice(5));
    return { kind: 'host', node: node.name, ip: node.ip };
  }
  if (serviceRef(arg.text) !== undefined) throw problem(arg, `a Service sends nothing: '${arg.text}' cannot be a source (expected ${EXPECTED_NAMES} or an IPv4 address; a backend of the Service, e.g. its workload)`);
  const ip = parseIpv4(arg.text);
  if (ip === undefined) {
    const pod = resolvePod(cluster, arg, 'SRC', notes);
    if (pod) return podSource(cluster, pod);
    if (isIpv6(arg.text)) throw problem(arg, `IPv6 source '${arg.text}' is not simulated yet (expected an IPv4 address, a pod or node:NAME)`);
    throw unknownName(cluster, arg, `${EXPECTED_NAMES} or an IPv4 address`);
  }
  if (cluster.endpoints.some((e) => e.pod.ip === ip)) return { kind: 'pod', ip };
  const node = cluster.scenario.nodes.find((n) => n.ip === ip || n.ciliumHostIp === ip);
  if (node) return { kind: 'host', node: node.name, ip };
  const inCidr = cluster.scenario.nodes.find((n) => prefixContains(n.podCIDR, ip));
  if (inCidr) throw problem(arg, `source ${arg.text} is in ${inCidr.name}'s pod CIDR ${formatPrefix(inCidr.podCIDR)} but no pod has it (expected a pod, a node or an address outside the cluster)`);
  const entry = nodeOwning(cluster, dstIp);
  if (!entry) {
    const svc = cluster.scenario.services.find((s) => s.clusterIP === dstIp);
    if (svc) throw clusterIpFromOutside(cluster, arg, svc, dport);
    throw problem(arg, `source ${arg.text} is outside the cluster, and so is the destination ${formatIpv4(dstIp)} (expected one end in the cluster)`);
  }
  return { kind: 'world', ip, entryNode: entry };
}

export interface Destination {
  readonly ip: Ipv4;
  /** Set when DST was svc:NAME: the Service, to default the protocol and port from. */
  readonly service?: ServiceSpec;
}

// A Service's DNS name: NAME.NAMESPACE.svc, optionally followed by the cluster domain.
const SERVICE_DNS = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.[a-z0-9.-]+)?\.?$/;

function resolveService(cluster: Cluster, arg: ArgPos, ns: string | undefined, name: string): Destination {
  const ref = ns === undefined ? name : `${ns}/${name}`;
  const hits = cluster.scenario.services.filter((s) => s.name === name && (ns === undefined || s.namespace === ns));
  const all = cluster.scenario.services.map((s) => `svc:${s.namespace}/${s.name}`);
  if (hits.length !== 1) throw problem(arg, hits.length === 0 ? `unknown service '${ref}' (expected one of: ${nameHint(`svc:${ref}`, all)})` : `service name '${ref}' is ambiguous (expected one of: ${hits.map((s) => `svc:${s.namespace}/${s.name}`).join(', ')})`);
  const svc = hits[0] as ServiceSpec;
  if (svc.clusterIP === undefined) throw problem(arg, `service ${svc.namespace}/${svc.name} is headless (clusterIP: None): trace to one of its pods instead`);
  return { ip: svc.clusterIP, service: svc };
}

/** What follows svc: or its long form service: (as cilium-cli's connectivity tests write it), or undefined. */
function serviceRef(text: string): string | undefined {
  const m = /^(?:svc|service):/.exec(text);
  return m ? text.slice(m[0].length) : undefined;
}

/**
 * DST: a pod (as for SRC), node:NAME (its host), an IPv4 address, or a Service: svc:NAME,
 * svc:NAMESPACE/NAME (or service:…) or NAME.NAMESPACE.svc[.cluster.local] (its ClusterIP).
 */
export function resolveDestination(cluster: Cluster, arg: ArgPos, notes?: string[]): Destination {
  const ref = serviceRef(arg.text);
  if (ref !== undefined) {
    const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
    return resolveService(cluster, arg, ns, name ?? '');
  }
  if (arg.text.startsWith('node:')) return { ip: nodeByName(cluster, arg, arg.text.slice(5)).ip };
  const ip = parseIpv4(arg.text);
  if (ip !== undefined) return { ip };
  const dns = SERVICE_DNS.exec(arg.text);
  if (dns) return resolveService(cluster, arg, dns[3], dns[1] as string);
  const pod = resolvePod(cluster, arg, 'DST', notes);
  if (pod) {
    const source = podSource(cluster, pod);
    return { ip: source.ip };
  }
  if (isIpv6(arg.text)) throw problem(arg, `IPv6 destination '${arg.text}' is not simulated yet (expected an IPv4 address, a pod or svc:NAME)`);
  throw unknownName(cluster, arg, `${EXPECTED_NAMES}, svc:NAME or an IPv4 address`);
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
