// A DNS name as DST (`SRC api.github.com tcp/443`): what the application does, in two legs.
// First the lookup: the pod's query to the cluster's DNS Service (kube-system/kube-dns,
// udp/53), through the DNS proxy when its egress policy redirects port 53 there. Then the
// connection to the first address of the answer, over the maps as they are after the answer:
// when the DNS proxy forwarded it, its agent has given the addresses identities, upserted them
// into the ipcache and into the policy maps of endpoints whose toFQDNs selectors match
// (src/controlplane/fqdn.ts); when the query bypassed the proxy, nothing changed and a
// toFQDNs rule cannot allow the address.
import { buildCluster, type Cluster } from '../controlplane/cluster.js';
import type { FqdnLearned } from '../controlplane/fqdn.js';
import { formatIpv4, parseIpv4, type Ipv4 } from '../net/ip.js';
import { queryName } from '../proxy/dns-proxy.js';
import type { ServiceSpec } from '../scenario/types.js';
import { DEFAULT_SPORT, traceFlow, traceWithReply, withConntrackCopy, type FlowSpec } from './run.js';
import type { TraceResult } from './tree.js';

export interface DnsServer {
  readonly service: string; // namespace/name
  readonly ip: Ipv4;
}

/** The cluster's DNS Service, as a pod's resolv.conf names it: kube-system/kube-dns with udp/53. */
export function dnsServerOf(cluster: Cluster): DnsServer | undefined {
  const svc: ServiceSpec | undefined = cluster.scenario.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns' && s.ports.some((p) => p.port === 53 && p.protocol === 'UDP'));
  return svc && svc.clusterIP !== undefined && svc.clusterIP !== null ? { service: `${svc.namespace}/${svc.name}`, ip: svc.clusterIP as Ipv4 } : undefined;
}

/** The answer the cluster's `dns:` sections give for a name (lowercased, trailing dot), if any. */
export function answerOf(cluster: Cluster, name: string): Ipv4[] | undefined {
  const q = queryName(name);
  const a = (cluster.scenario.dns ?? []).find((x) => x.name === q);
  return a && a.ips.length > 0 ? a.ips.map((ip) => parseIpv4(ip) as Ipv4) : undefined;
}

export interface ByNameTrace {
  /** lowercased, with the trailing dot */
  readonly name: string;
  readonly answers: readonly Ipv4[];
  readonly server: DnsServer;
  readonly lookup: TraceResult;
  /** What the answer taught the agent of the client's node; null: nothing (no DNS proxy). */
  readonly learned: FqdnLearned | null;
  /** null: the lookup failed, so the application never connects. */
  readonly connection: TraceResult | null;
  readonly reply: TraceResult | null;
  /** Why the legs went as they did, one line each. */
  readonly notes: readonly string[];
  /** The connection ran over a sysdump's map dumps as they are (the answer not added). */
  readonly realMaps?: boolean;
}

/**
 * Over a sysdump's map dumps (cluster.mapsFromSysdump), which already hold whatever the agents had
 * learnt, the connection runs over them as dumped: this lookup's answer is not added.
 */
export function traceByName(cluster: Cluster, spec: FlowSpec, name: string, answers: readonly Ipv4[], server: DnsServer, withReply = false): ByNameTrace {
  const realMaps = cluster.mapsFromSysdump === true;
  const qname = queryName(name);
  const lookupSpec: FlowSpec = { src: spec.src, dstIp: server.ip, proto: 'udp', dport: 53, sport: spec.sport ?? DEFAULT_SPORT, traceArp: false, dns: { name: qname, answers: answers.map(formatIpv4) } };
  const lookup = traceFlow(cluster, lookupSpec);
  const base = { name: qname, answers, server, lookup };
  if (lookup.verdict !== 'FORWARDED') {
    const why = lookup.verdict === 'DROPPED'
      ? `the lookup of ${qname} did not reach ${server.service} (${lookup.l7?.type === 'dns' ? 'the DNS proxy refused it' : 'dropped'}): the application gets no address, so it never connects`
      : `the lookup of ${qname} ends ${lookup.verdict}: the connection is not traced`;
    return { ...base, learned: null, connection: null, reply: null, notes: [why] };
  }
  const viaProxy = lookup.l7?.type === 'dns' && lookup.l7.verdict === 'FORWARDED';
  const endpoint = cluster.endpoints.find((e) => e.pod.ip === spec.src.ip);
  const learned: FqdnLearned | null = viaProxy && endpoint ? { node: lookup.l7?.node ?? endpoint.node.name, endpoint: `${endpoint.pod.namespace}/${endpoint.pod.name}`, name: qname, ips: answers } : null;
  const answer = `${qname} A ${answers.map(formatIpv4).join(', ')}`;
  const notes = [learned
    ? realMaps
      ? `the DNS proxy on ${learned.node} forwarded the answer ${answer}; the connection runs over the sysdump's maps as dumped, which hold what each agent had learnt when the sysdump was taken: this answer is not added to them (--maps computed adds it to the computed maps)`
      : `the DNS proxy on ${learned.node} forwarded the answer ${answer}: the connection is traced over the maps its agent writes for it (toFQDNs identities in the ipcache and policy maps)`
    : `the query went to ${server.service} without the DNS proxy (no rules.dns redirect for it): the answer teaches the agent nothing, the maps stay as they were`];
  notes.push(`the application connects to ${formatIpv4(spec.dstIp)}, the first address of the answer`);
  const connCluster = learned && !realMaps ? buildCluster({ ...cluster.scenario, fqdnLearned: [...(cluster.scenario.fqdnLearned ?? []), learned] }) : cluster;
  const dp = withConntrackCopy(connCluster.datapath);
  const { forward, reply } = withReply ? traceWithReply(connCluster, spec, dp) : { forward: traceFlow(connCluster, spec, dp), reply: null };
  return { ...base, learned, connection: forward, reply, notes, realMaps };
}

/**
 * The leg that decides a flow to a DNS name (expectations, exercise flows): the connection, or
 * the lookup when it failed and the application never connects. undefined: no DNS Service.
 */
export function decidingLeg(cluster: Cluster, spec: FlowSpec, name: string, answers: readonly Ipv4[]): TraceResult | undefined {
  const server = dnsServerOf(cluster);
  if (!server) return undefined;
  const t = traceByName(cluster, spec, name, answers, server);
  return t.connection ?? t.lookup;
}
