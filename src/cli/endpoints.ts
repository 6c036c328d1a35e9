// Resolves SRC/DST/PROTO arguments against the cluster. Unknown names are bad input,
// reported with the argument's column on the command line.
import { InputError } from '../errors.js';
import type { Cluster, EndpointRecord } from '../controlplane/cluster.js';
import { parseIpv4, type Ipv4 } from '../net/ip.js';

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

function podList(cluster: Cluster): string {
  return cluster.endpoints.map((e) => `${e.pod.namespace}/${e.pod.name}`).sort().join(', ');
}

export function resolveSource(cluster: Cluster, arg: ArgPos): EndpointRecord {
  const ip = parseIpv4(arg.text);
  const ep = ip !== undefined ? cluster.endpoints.find((e) => e.pod.ip === ip) : resolvePod(cluster, arg);
  if (!ep) {
    throw problem(arg, ip !== undefined
      ? `source ${arg.text} is not a pod address (expected a pod: ${podList(cluster)})`
      : `unknown pod '${arg.text}' (expected one of: ${podList(cluster)})`);
  }
  return ep;
}

export function resolveDestination(cluster: Cluster, arg: ArgPos): Ipv4 {
  const ip = parseIpv4(arg.text);
  if (ip !== undefined) return ip;
  const ep = resolvePod(cluster, arg);
  if (!ep) throw problem(arg, `unknown pod '${arg.text}' (expected a pod or an IPv4 address; pods: ${podList(cluster)})`);
  return ep.pod.ip;
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
