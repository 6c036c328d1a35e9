// The shell's listings: pods, nodes, services, identities and policies of the loaded
// cluster, as tables in the cilium CLI's tabwriter layout. Pure functions to strings.
import type { Cluster } from '../controlplane/cluster.js';
import { serviceFrontends } from '../controlplane/services.js';
import { tabwrite } from '../maps/tabwriter.js';
import { formatIpv4, formatPrefix } from '../net/ip.js';
import { policyId } from '../scenario/policy-input.js';

function table(header: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `${empty}\n`;
  return tabwrite([header, ...rows].map((r) => r.join('\t') + '\t\n').join('')).split('\n').map((l) => l.trimEnd()).join('\n');
}

const labelText = (labels: Readonly<Record<string, string>>): string => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') || '-';

export function listPods(c: Cluster): string {
  const rows = c.endpoints
    .map((e) => [`${e.pod.namespace}/${e.pod.name}`, e.node.name, formatIpv4(e.pod.ip), String(e.identity), String(e.pod.endpointId), labelText(e.pod.labels)])
    .concat(c.hostNetworkPods.map((h) => [`${h.pod.namespace}/${h.pod.name}`, h.node.name, formatIpv4(h.node.ip), 'host', '- (hostNetwork)', labelText(h.pod.labels)]))
    .sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
  return table(['POD', 'NODE', 'IP', 'IDENTITY', 'ENDPOINT', 'LABELS'], rows, 'no pods');
}

export function listNodes(c: Cluster): string {
  const rows = [...c.scenario.nodes]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((n) => [n.name, formatIpv4(n.ip), formatPrefix(n.podCIDR), formatIpv4(n.ciliumHostIp), String(c.endpoints.filter((e) => e.node.name === n.name).length)]);
  return table(['NODE', 'IP', 'POD CIDR', 'CILIUM_HOST', 'PODS'], rows, 'no nodes');
}

export function listServices(c: Cluster): string {
  const frontends = serviceFrontends(c.scenario);
  const rows = [...c.scenario.services]
    .sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1))
    .map((s) => {
      const backends = [...new Set(frontends.filter((f) => f.service === s && !f.nodePort).flatMap((f) => f.backends.map((b) => `${b.pod?.name ?? formatIpv4(b.ip)}:${b.port}`)))];
      const ports = s.ports.map((p) => `${p.port}/${p.protocol}${p.nodePort !== undefined ? ` (nodePort ${p.nodePort})` : ''}`).join(',');
      return [`svc:${s.namespace}/${s.name}`, s.type, s.clusterIP === undefined ? 'None' : formatIpv4(s.clusterIP), ports || '-', backends.join(',') || '-'];
    });
  return table(['SERVICE', 'TYPE', 'CLUSTER-IP', 'PORTS', 'BACKENDS'], rows, 'no services');
}

export function listIdentities(c: Cluster): string {
  const rows = c.identities.all()
    .sort((a, b) => a.id - b.id)
    .map((i) => [String(i.id), (c.identities.labelStrings(i.id) ?? []).join(' ') || '-']);
  return table(['IDENTITY', 'LABELS'], rows, 'no identities');
}

export function listPolicies(c: Cluster): string {
  const rows = c.scenario.policies.map((p) => [policyId(p), p.kind, `${p.pos.file}:${p.pos.line}`]);
  return table(['POLICY', 'KIND', 'FROM'], rows, 'no policies (every endpoint allows all traffic: policy enforcement default)');
}
