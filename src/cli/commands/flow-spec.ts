// Turns an expectation's from/to/proto/port into a FlowSpec with exactly the CLI's rules
// (src/cli/endpoints.ts), so `check` and `cilium-trace SRC DST PROTO` agree. Problems keep
// the position of the YAML value instead of a command-line column.
import type { Cluster } from '../../controlplane/cluster.js';
import { InputError, type Position, type Problem } from '../../errors.js';
import { DEFAULT_SPORT, type FlowSpec } from '../../trace/run.js';
import type { Expectation } from '../../analysis/expectations.js';
import { resolveDestination, resolveSource } from '../endpoints.js';
import { servicePortNote } from '../flow-args.js';
import { defaultHost } from '../http-args.js';
import { answerOf, dnsServerOf } from '../../trace/by-name.js';
import { formatIpv4, type Ipv4 } from '../../net/ip.js';

/** Runs a resolver; an InputError it raises is re-pointed at `pos`. */
function at<T>(pos: Position, problems: Problem[], f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    for (const p of e.problems) problems.push({ pos, message: p.message });
    return undefined;
  }
}

export interface ResolvedFlow {
  readonly spec: FlowSpec;
  /** "tcp/80", "icmp": the protocol as written or defaulted. */
  readonly protoText: string;
  /** `to:` a DNS name the cluster's dns: section answers: traced as lookup, then connection. */
  readonly byName?: { readonly name: string; readonly ips: readonly Ipv4[] };
}

/** `to:` as a DNS name with an answer (and a kube-dns Service to ask): its first address. */
function byNameDestination(cluster: Cluster, text: string): { dst: ReturnType<typeof resolveDestination>; byName: NonNullable<ResolvedFlow['byName']> } | undefined {
  const ips = answerOf(cluster, text);
  if (!ips || !dnsServerOf(cluster)) return undefined;
  try {
    return { dst: resolveDestination(cluster, { text: formatIpv4(ips[0] as Ipv4), col: 1 }), byName: { name: text, ips } };
  } catch {
    return undefined;
  }
}

function resolveOne(cluster: Cluster, e: Expectation, problems: Problem[], warnings: Problem[]): ResolvedFlow | undefined {
  const named = byNameDestination(cluster, e.to.value);
  const dst = named?.dst ?? at(e.to.pos, problems, () => resolveDestination(cluster, { text: e.to.value, col: 1 }));
  if (!dst) return undefined;
  const first = dst.service?.ports[0];
  let proto: FlowSpec['proto'];
  let dport: number | null;
  if (e.proto) {
    proto = e.proto.value;
    dport = e.port?.value ?? null;
  } else if (first) {
    proto = first.protocol === 'UDP' ? 'udp' : 'tcp';
    dport = first.port;
  } else {
    proto = 'icmp';
    dport = null;
  }
  const note = servicePortNote(cluster, dst, proto, dport);
  if (note) warnings.push({ pos: e.port?.pos ?? e.proto?.pos ?? e.to.pos, message: `warning: ${note}` });
  const src = at(e.from.pos, problems, () => resolveSource(cluster, { text: e.from.value, col: 1 }, dst.ip, undefined, dport));
  if (!src) return undefined;
  if (e.http && proto !== 'tcp') {
    problems.push({ pos: e.http.pos, message: `an HTTP request needs a TCP port (this flow is ${proto})` });
    return undefined;
  }
  const http = e.http ? { ...e.http.value, host: e.http.value.host ?? defaultHost(dst, dport) } : undefined;
  return { spec: { src, dstIp: dst.ip, proto, dport, sport: DEFAULT_SPORT, traceArp: false, ...(http ? { http } : {}) }, protoText: dport === null ? proto : `${proto}/${dport}`, ...(named ? { byName: named.byName } : {}) };
}

/**
 * Resolves every expectation: its flow, or the problems that keep it from being traced (an
 * unknown pod, the item's own problems when it was read leniently), so one bad expectation is
 * a failed case rather than a lost run. A Service traced on a port it does not have is a
 * warning (in `warnings`, positioned at the port).
 */
export function resolveFlows(cluster: Cluster, list: readonly Expectation[], warnings: Problem[] = []): Array<ResolvedFlow | { readonly problems: readonly Problem[] }> {
  return list.map((e) => {
    if (e.problems?.length) return { problems: e.problems };
    const problems: Problem[] = [];
    const r = resolveOne(cluster, e, problems, warnings);
    return r && problems.length === 0 ? r : { problems };
  });
}
