// "Why was this dropped, and what would allow it?" for policy drops (DROP_POLICY 133,
// DROP_POLICY_DENY 181). Everything here is read from the trace (the enforcing endpoint,
// direction, the remote identity and the probed keys) and from the control plane's record
// of the endpoint (rules selecting it, the entries they produced): a lookup, not a guess.
// The proposed policy is the smallest CiliumNetworkPolicy that allows exactly this flow:
// in the enforcing endpoint's namespace, selecting that endpoint and the peer as narrowly as
// the cluster's identities allow.
import { yamlLib } from '../util/yaml-lib.js';
import { LOCAL_IDENTITY_FLAG, reservedName } from '../cilium/identities.js';
import type { Cluster, EndpointRecord } from '../controlplane/cluster.js';
import type { Identity } from '../controlplane/identity.js';
import { formatLabel, type Label } from '../controlplane/labels.js';
import { provenanceText } from '../maps/provenance.js';
import { describePolicyPort, pendingCovers, policyMapName } from '../maps/policymap.js';
import { formatIpv4 } from '../net/ip.js';
import { computedAllow, driftLines, isRealPolicyMap } from '../sysdump/policy-drift.js';
import { releaseOfProfile } from '../cilium/releases/release.js';
import type { Position } from '../errors.js';
import type { PolicySpec } from '../scenario/types.js';
import { CNP_END_PORT_WHY } from '../scenario/policy-input.js';
import { KNP_END_PORT_WHY } from '../scenario/netpol-input.js';
import type { TraceNode, TraceResult } from '../trace/tree.js';

export interface PolicyExplanation {
  readonly direction: 'ingress' | 'egress';
  readonly endpoint: string; // namespace/name
  readonly endpointId: number;
  readonly remoteIdentity: number;
  readonly remoteLabels: readonly string[];
  readonly lines: readonly string[];
  /** The proposed policy as YAML, or null when no allow can help (a deny rule matched). */
  readonly suggestion: string | null;
  readonly suggestionName: string | null;
}

function lastPolicyNode(nodes: readonly TraceNode[]): Extract<TraceNode, { kind: 'policy' }> | undefined {
  let found: Extract<TraceNode, { kind: 'policy' }> | undefined;
  for (const n of nodes) {
    if (n.kind === 'policy' && !n.allowed) found = n;
    if ('children' in n) found = lastPolicyNode(n.children) ?? found;
  }
  return found;
}

/** App labels of an identity: the k8s labels a user would write in a selector. */
function appLabels(ident: Identity): Label[] {
  return ident.labels.filter((l) => l.source === 'k8s' && !l.key.startsWith('io.cilium.k8s.') && !l.key.startsWith('io.kubernetes.'));
}

function namespaceOf(ident: Identity): string | undefined {
  return ident.labels.find((l) => l.key === 'io.kubernetes.pod.namespace')?.value;
}

/** The fewest app labels that, with the namespace, select this identity and no other. */
function narrowestLabels(cluster: Cluster, ident: Identity): Record<string, string> {
  const ns = namespaceOf(ident);
  const labels = appLabels(ident);
  const others = cluster.identities.all().filter((i) => !i.reserved && i.id !== ident.id && namespaceOf(i) === ns);
  const selects = (subset: Label[]) => others.filter((o) => subset.every((l) => o.labels.some((x) => x.key === l.key && x.value === l.value))).length === 0;
  const single = labels.find((l) => selects([l]));
  const chosen = single ? [single] : labels;
  return Object.fromEntries(chosen.map((l) => [l.key, l.value]));
}

function sanitize(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '') || 'peer';
}

function peerRule(cluster: Cluster, remote: number, remoteIp: string, direction: 'ingress' | 'egress', policyNs: string): { rule: Record<string, unknown>; name: string } {
  const from = direction === 'ingress';
  const reserved = reservedName(remote);
  // A node identity (enable-node-selector-labels, v1.16+): its node labels, as fromNodes selects them.
  const node = cluster.identities.get(remote);
  if (node?.scope === 'remote-node') {
    const labels = Object.fromEntries(node.labels.filter((l) => l.source === 'node').map((l) => [l.key, l.value]));
    if (Object.keys(labels).length === 0) return { rule: { [from ? 'fromEntities' : 'toEntities']: ['remote-node'] }, name: 'remote-node' };
    return { rule: { [from ? 'fromNodes' : 'toNodes']: [{ matchLabels: labels }] }, name: sanitize(Object.values(labels).join('-')) };
  }
  if (remote === 2 || remote >= LOCAL_IDENTITY_FLAG) {
    return { rule: { [from ? 'fromCIDR' : 'toCIDR']: [`${remoteIp}/32`] }, name: remoteIp.replace(/\./g, '-') };
  }
  if (reserved !== undefined) return { rule: { [from ? 'fromEntities' : 'toEntities']: [reserved] }, name: reserved };
  const ident = cluster.identities.get(remote);
  if (!ident) return { rule: { [from ? 'fromCIDR' : 'toCIDR']: [`${remoteIp}/32`] }, name: remoteIp.replace(/\./g, '-') };
  const matchLabels: Record<string, string> = { ...narrowestLabels(cluster, ident) };
  const ns = namespaceOf(ident);
  if (ns !== undefined && ns !== policyNs) matchLabels['k8s:io.kubernetes.pod.namespace'] = ns;
  const name = Object.values(narrowestLabels(cluster, ident)).join('-');
  return { rule: { [from ? 'fromEndpoints' : 'toEndpoints']: [{ matchLabels }] }, name };
}

function portRule(r: TraceResult): Record<string, unknown> {
  const p = r.packet;
  if (p.proto === 'icmp') return { icmps: [{ fields: [{ type: p.icmpType ?? 8, family: 'IPv4' }] }] };
  return { toPorts: [{ ports: [{ port: String(p.dport ?? 0), protocol: p.proto.toUpperCase() }] }] };
}

function enforcingEndpoint(cluster: Cluster, r: TraceResult, endpointId: number): EndpointRecord | undefined {
  const node = r.drop?.node;
  return cluster.endpoints.find((e) => e.pod.endpointId === endpointId && (node === undefined || e.node.name === node));
}

export function explainPolicyDrop(cluster: Cluster, r: TraceResult): PolicyExplanation | null {
  if (r.verdict !== 'DROPPED' || !r.drop || (r.drop.code !== 133 && r.drop.code !== 181)) return null;
  const pol = lastPolicyNode(r.hops);
  if (!pol) return null;
  const ep = enforcingEndpoint(cluster, r, pol.endpoint);
  if (!ep) return null;
  const who = `${ep.pod.namespace}/${ep.pod.name}`;
  const remoteLabels = cluster.identities.labelStrings(pol.remoteId) ?? [];
  const remoteIp = pol.direction === 'ingress' ? r.packet.src.ip : r.packet.dst.ip;
  const what = r.packet.proto === 'icmp' ? `icmp type ${r.packet.icmpType ?? 8}` : `${r.packet.dport}/${r.packet.proto.toUpperCase()}`;
  const lines: string[] = [];
  lines.push(`${pol.direction} policy of ${who} (endpoint ${ep.pod.endpointId}, identity ${ep.identity}) is enforced on ${ep.node.name}.`);
  const selecting = ep.policy.selectingRules;
  if (selecting.length === 0) {
    lines.push(`No rule selects ${who}; the direction is enforced by policyEnforcement=${cluster.scenario.cluster.policyEnforcement}.`);
  } else {
    lines.push(`Rules selecting ${who}:`);
    for (const p of selecting) lines.push(`  ${p.kind} ${p.namespace === null ? '' : `${p.namespace}/`}${p.name} (${p.pos.file}:${p.pos.line})`);
  }
  lines.push(`The peer is identity ${pol.remoteId} (${remoteLabels.join(', ') || 'no labels'}).`);
  if (pol.deny) {
    for (const p of pol.provenance) lines.push(`A deny entry matched: ${provenanceText(p)}.`);
    lines.push('Deny rules take precedence over every allow rule, so no added allow policy can let this through: remove or narrow the deny rule.');
    return { direction: pol.direction, endpoint: who, endpointId: ep.pod.endpointId, remoteIdentity: pol.remoteId, remoteLabels, lines, suggestion: null, suggestionName: null };
  }
  // Over a sysdump's real policy map: the objects may allow what the map drops (drift).
  const realMap = cluster.datapath.nodes.get(ep.node.name)?.maps.policy.get(policyMapName(ep.pod.endpointId, cluster.datapath.release));
  const allow = isRealPolicyMap(realMap) && r.packet.proto !== 'icmp' ? computedAllow(ep.policy.entries, pol.direction, pol.remoteId, r.packet.proto, r.packet.dport ?? 0) : undefined;
  if (allow && realMap) {
    lines.push(...driftLines(allow, realMap.name, ep.node.name));
    return { direction: pol.direction, endpoint: who, endpointId: ep.pod.endpointId, remoteIdentity: pol.remoteId, remoteLabels, lines, suggestion: null, suggestionName: null };
  }
  lines.push(...prunedRanges(cluster, selecting.map((s) => s.policy), pol.direction, r));
  const sameIdentity = ep.policy.entries.filter((e) => e.key.direction === pol.direction && e.key.identity === pol.remoteId);
  lines.push(sameIdentity.length === 0
    ? `None of them has an entry for identity ${pol.remoteId} in ${pol.direction}, and no wildcard entry covers ${what}.`
    : `Entries for identity ${pol.remoteId} exist only for other ports: ${[...new Set(sameIdentity.map((e) => describePolicyPort(e.key)))].join(', ')}; nothing allows ${what}.`);
  const ns = ep.pod.namespace;
  const self = cluster.identities.get(ep.identity);
  const endpointSelector = { matchLabels: self ? narrowestLabels(cluster, self) : {} };
  const fqdn = fqdnExplanation(cluster, ep, pol.direction, pol.remoteId, remoteIp, r);
  if (fqdn) {
    lines.push(...fqdn.lines);
    if (fqdn.addSelector) {
      const selName = uniqueName(cluster, ns, sanitize(`allow-${ep.pod.name}-to-${fqdn.addSelector}-${r.packet.proto}-${r.packet.dport ?? ''}`));
      const selPolicy = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: selName, namespace: ns }, spec: { endpointSelector, egress: [{ toFQDNs: [{ matchName: fqdn.addSelector }], ...portRule(r) }] } };
      return { direction: pol.direction, endpoint: who, endpointId: ep.pod.endpointId, remoteIdentity: pol.remoteId, remoteLabels, lines, suggestion: yamlLib().stringify(selPolicy), suggestionName: selName };
    }
    if (!fqdn.forgotDns) return { direction: pol.direction, endpoint: who, endpointId: ep.pod.endpointId, remoteIdentity: pol.remoteId, remoteLabels, lines, suggestion: null, suggestionName: null };
    const dnsName = uniqueName(cluster, ns, sanitize(`allow-${ep.pod.name}-dns-proxy`));
    const dnsPolicy = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: dnsName, namespace: ns }, spec: { endpointSelector, egress: [DNS_PROXY_RULE] } };
    return { direction: pol.direction, endpoint: who, endpointId: ep.pod.endpointId, remoteIdentity: pol.remoteId, remoteLabels, lines, suggestion: yamlLib().stringify(dnsPolicy), suggestionName: dnsName };
  }
  const peer = peerRule(cluster, pol.remoteId, remoteIp, pol.direction, ns);
  const port = r.packet.proto === 'icmp' ? `icmp` : `${r.packet.proto}-${r.packet.dport}`;
  const base = sanitize(pol.direction === 'ingress' ? `allow-${peer.name}-to-${ep.pod.name}-${port}-ingress` : `allow-${ep.pod.name}-to-${peer.name}-${port}-egress`);
  const name = uniqueName(cluster, ns, base);
  const policy = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: ns },
    spec: { endpointSelector, [pol.direction]: [{ ...peer.rule, ...portRule(r) }] },
  };
  return { direction: pol.direction, endpoint: who, endpointId: ep.pod.endpointId, remoteIdentity: pol.remoteId, remoteLabels, lines, suggestion: yamlLib().stringify(policy), suggestionName: name };
}

function uniqueName(cluster: Cluster, ns: string, base: string): string {
  const taken = new Set(cluster.scenario.policies.filter((p) => p.namespace === ns).map((p) => p.name));
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}

/** The port-53 rule that sends a pod's lookups through the DNS proxy (docs: "DNS-based policies"). */
const DNS_PROXY_RULE = {
  toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
};

/**
 * A toFQDNs rule covers the packet's port but has no entry for the address: its selector
 * selects only addresses from answers a DNS proxy forwarded (src/controlplane/fqdn.ts). Either
 * the endpoint's lookups never pass the proxy (no rules.dns: the rule to add is the DNS one),
 * or no lookup of this trace gave the address.
 */
function fqdnExplanation(cluster: Cluster, ep: EndpointRecord, direction: 'ingress' | 'egress', remoteId: number, remoteIp: string, r: TraceResult): { lines: string[]; forgotDns: boolean; addSelector?: string } | null {
  if (direction !== 'egress' || !(remoteId === 2 || remoteId >= LOCAL_IDENTITY_FLAG)) return null;
  const proto = r.packet.proto === 'tcp' ? 6 : r.packet.proto === 'udp' ? 17 : 1;
  const dport = r.packet.proto === 'icmp' ? (r.packet.icmpType ?? 8) : (r.packet.dport ?? 0);
  const p = ep.policy.pending.find((x) => x.fqdn !== undefined && x.direction === 'egress' && !x.deny && pendingCovers(x, dport, proto));
  if (!p) return null;
  const forgotDns = !ep.policy.entries.some((e) => e.key.direction === 'egress' && e.redirect?.parser === 'dns');
  const lines = [`${p.what} (${p.provenance.pos ? `${p.provenance.pos.file}:${p.provenance.pos.line}` : 'policy'}) allows this port toward the addresses of DNS answers a DNS proxy has forwarded for a name it matches; no such answer gave ${remoteIp} an identity (it is ${remoteId === 2 ? 'world' : `identity ${remoteId}`}).`];
  // The address came in an answer the proxy forwarded, for a name no selector of the endpoint matches.
  const seen = (cluster.scenario.fqdnLearned ?? []).filter((l) => l.endpoint === `${ep.pod.namespace}/${ep.pod.name}` && l.ips.some((ip) => formatIpv4(ip) === remoteIp));
  const name = seen[0]?.name;
  if (name && !forgotDns) {
    const selectors = ep.policy.pending.filter((x) => x.fqdn !== undefined).map((x) => x.fqdn as string);
    lines.push(`The lookup of ${name} went through the DNS proxy and gave ${remoteIp}, but no toFQDNs selector of the endpoint matches ${name} (${[...new Set(selectors)].join(', ')}; a pattern's * stays within one label), so the answer gave the address no identity the rules select. Add a selector for the name:`);
    return { lines, forgotDns, addSelector: name.replace(/\.$/, '') };
  }
  if (forgotDns) {
    lines.push(`The endpoint's egress policy has no DNS rule (a port-53 toPorts item with rules.dns), so its lookups never pass the DNS proxy and never feed its toFQDNs selectors: the classic "forgot to allow DNS" mistake. Add the DNS rule below; then the lookup goes through the proxy and the answer's addresses are allowed.`);
  } else {
    lines.push(`The rules are right if the pod looks the name up first: the trace starts with an empty DNS cache and sees only the lookups it makes. Give the name as DST (SRC NAME PROTO, with --resolve NAME=${remoteIp}) to trace the lookup, then the connection.`);
  }
  return { lines, forgotDns };
}

/**
 * Under v1.13.0 an endPort is pruned (CRD) or dropped (NetworkPolicy conversion): a rule
 * written for a range that holds the packet's port allows only its first port there.
 */
function prunedRanges(cluster: Cluster, policies: readonly PolicySpec[], direction: 'ingress' | 'egress', r: TraceResult): string[] {
  const release = releaseOfProfile(cluster.scenario.cluster.profile);
  const dport = r.packet.dport;
  if (release.has('port-ranges') || r.packet.proto === 'icmp' || dport === null) return [];
  const out: string[] = [];
  const proto = r.packet.proto.toUpperCase();
  for (const p of new Set(policies)) {
    const ports: Array<{ port?: number | string; endPort?: number; protocol: string; pos: Position }> = [
      ...p.rules.flatMap((rule) => [...(direction === 'ingress' ? rule.ingress ?? [] : rule.egress ?? [])].flatMap((s) => s.ports ?? [])),
      ...(p.networkPolicy?.[direction] ?? []).flatMap((x) => x.ports ?? []),
    ];
    for (const x of ports) {
      if (typeof x.port !== 'number' || x.endPort === undefined || dport <= x.port || dport > x.endPort) continue;
      if (x.protocol !== 'ANY' && x.protocol !== proto) continue;
      out.push(`${p.kind} ${p.namespace === null ? '' : `${p.namespace}/`}${p.name} writes the range ${x.port}-${x.endPort} (${x.pos.file}:${x.pos.line}), but ${p.kind === 'NetworkPolicy' ? KNP_END_PORT_WHY : CNP_END_PORT_WHY}; only port ${x.port} is allowed (ranges arrive in Cilium 1.16: --cilium 1.16).`);
    }
  }
  return out;
}

export { formatLabel };
