// Maps the two ends of a Hubble flow onto the simulated cluster: by IP first (what the
// datapath saw), then by the pod the flow names (namespace/pod_name, resolved by the agent
// in userspace and possibly from another moment), then by the identity's labels. What
// differs between the flow and the cluster (a reused IP, another identity number, other
// labels) comes back as notes; an end that matches nothing is a finding with the reason.
import type { Cluster, EndpointRecord } from '../controlplane/cluster.js';
import { formatIpv4, formatPrefix, parseIpv4, prefixContains, type Ipv4 } from '../net/ip.js';
import type { FlowEnd } from './flows-file.js';

export type MappedEnd =
  | { readonly kind: 'pod'; readonly ip: Ipv4; readonly ep: EndpointRecord }
  | { readonly kind: 'host'; readonly ip: Ipv4; readonly node: string; readonly pod?: string }
  | { readonly kind: 'service'; readonly ip: Ipv4; readonly service: string }
  | { readonly kind: 'world'; readonly ip: Ipv4 };

export type EndResult = { readonly end: MappedEnd; readonly notes: readonly string[]; readonly drift?: string | null } | { readonly problem: string };

/** The app labels of a label list (`k8s:app=client`): what selectors match, without Cilium's and Kubernetes' own. */
export function appLabels(labels: readonly string[]): string[] {
  return labels.filter((l) => l.startsWith('k8s:') && !l.startsWith('k8s:io.cilium.') && !l.startsWith('k8s:io.kubernetes.')).sort();
}

const podName = (ep: EndpointRecord): string => `${ep.pod.namespace}/${ep.pod.name}`;

/**
 * Notes on what the flow says of a pod the IP mapped to, where the cluster differs. Another
 * identity number with the same app labels is only numbering (each cluster allocates its
 * own); other labels mean the observing node resolved the address to another identity.
 */
function podNotes(cluster: Cluster, role: string, end: FlowEnd, ep: EndpointRecord): { notes: string[]; drift: string | null } {
  const notes: string[] = [];
  let drift: string | null = null;
  const named = end.pod !== null && end.namespace !== null ? `${end.namespace}/${end.pod}` : null;
  if (named !== null && named !== podName(ep)) notes.push(`${role} ${end.ip}: the flow names pod ${named}, the cluster has ${podName(ep)} there (an IP reused, or the flow and the cluster are from different moments)`);
  if (end.identity !== null && end.identity !== 0 && end.identity !== ep.identity) {
    const flowApp = appLabels(end.labels);
    const ours = appLabels(cluster.identities.labelStrings(ep.identity) ?? []);
    if (end.labels.length > 0 && flowApp.join(',') !== ours.join(',')) {
      const theirs = flowApp.length > 0 ? flowApp : [...end.labels].sort();
      drift = `the flow's ${role} identity ${end.identity} (${theirs.join(',') || 'no labels'}) is not ${podName(ep)}'s identity ${ep.identity} (${ours.join(',') || 'no labels'}): the observing node resolved ${end.ip} to another identity (a stale ipcache entry, or identity churn)`;
      notes.push(drift);
    } else {
      notes.push(`${role} ${podName(ep)}: identity ${end.identity} in the flow, ${ep.identity} in the cluster (same app labels; each cluster allocates its own numbers)`);
    }
  }
  return { notes, drift };
}

function byIp(cluster: Cluster, ip: Ipv4): MappedEnd | undefined {
  const ep = cluster.endpoints.find((e) => e.pod.ip === ip);
  if (ep) return { kind: 'pod', ip, ep };
  const node = cluster.scenario.nodes.find((n) => n.ip === ip || n.ciliumHostIp === ip);
  if (node) return { kind: 'host', ip, node: node.name };
  const svc = cluster.scenario.services.find((s) => s.clusterIP === ip);
  if (svc) return { kind: 'service', ip, service: `${svc.namespace}/${svc.name}` };
  return undefined;
}

/** The pods whose identity carries the flow's app labels in the flow's namespace, by name. */
function byLabels(cluster: Cluster, end: FlowEnd): EndpointRecord[] {
  const want = appLabels(end.labels);
  if (want.length === 0 || end.namespace === null) return [];
  return cluster.endpoints
    .filter((e) => e.pod.namespace === end.namespace && appLabels(cluster.identities.labelStrings(e.identity) ?? []).join(',') === want.join(','))
    .sort((a, b) => (a.pod.name < b.pod.name ? -1 : a.pod.name > b.pod.name ? 1 : 0));
}

export function mapEnd(cluster: Cluster, role: 'source' | 'destination', end: FlowEnd): EndResult {
  if (end.ip === null) return { problem: `the flow has no ${role} IP (no IP layer)` };
  const ip = parseIpv4(end.ip);
  if (ip === undefined) return { problem: `${role} ${end.ip} is not an IPv4 address (IPv6 is not simulated)` };
  const found = byIp(cluster, ip);
  if (found) return found.kind === 'pod' ? { end: found, ...podNotes(cluster, role, end, found.ep) } : { end: found, notes: [] };
  // The address is not the cluster's: the pod the flow names, then its labels.
  if (end.pod !== null && end.namespace !== null) {
    const ep = cluster.endpoints.find((e) => e.pod.namespace === end.namespace && e.pod.name === end.pod);
    if (ep) return { end: { kind: 'pod', ip: ep.pod.ip, ep }, notes: [`${role} ${end.ip} is no address of the cluster; mapped by the pod the flow names, ${podName(ep)} (${formatIpv4(ep.pod.ip)})`] };
  }
  const same = byLabels(cluster, end);
  const first = same[0];
  if (first) {
    const others = same.length > 1 ? ` (the first of ${same.length} pods with them)` : '';
    return { end: { kind: 'pod', ip: first.pod.ip, ep: first }, notes: [`${role} ${end.ip} is no address of the cluster; mapped by its labels ${appLabels(end.labels).join(',')} in ${end.namespace} to ${podName(first)} (${formatIpv4(first.pod.ip)})${others}`] };
  }
  const cidr = cluster.scenario.nodes.find((n) => prefixContains(n.podCIDR, ip));
  if (cidr) {
    const named = end.pod !== null ? `, and the cluster has no pod ${end.namespace ?? ''}/${end.pod}` : end.labels.length > 0 ? ', and no pod has its labels' : '';
    return { problem: `${role} ${end.ip} is in ${cidr.name}'s pod CIDR ${formatPrefix(cidr.podCIDR)} but no pod of the cluster has it${named}` };
  }
  return { end: { kind: 'world', ip }, notes: [] };
}

/** How an end is shown: namespace/pod, node:NAME, svc:NS/NAME, or the address. */
export function endName(e: MappedEnd): string {
  switch (e.kind) {
    case 'pod': return podName(e.ep);
    case 'host': return `node:${e.node}`;
    case 'service': return `svc:${e.service}`;
    case 'world': return formatIpv4(e.ip);
  }
}
