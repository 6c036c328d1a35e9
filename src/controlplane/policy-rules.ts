// Policies as the v1.13 agent's policy repository holds them: every CNP/CCNP rule and every
// Kubernetes NetworkPolicy turned into one api.Rule with scoped selectors.
// Mirrors pkg/k8s/apis/cilium.io/utils/utils.go (ParseToCiliumRule, getEndpointSelector:
// namespace scoping), pkg/k8s/network_policy.go (ParseNetworkPolicy), pkg/policy/api/entity.go
// (EntitySelectorMapping / InitEntities), pkg/policy/api/cidr.go (CIDR peers with except) and
// pkg/policy/api/l4.go + rule.go mergeIngress/mergeEgress (ports, ANY = TCP+UDP+SCTP, ICMP fields).
// L7 rules travel with their ports (the resolver turns them into proxy redirects); peers the
// agent learns at run time (toFQDNs, toServices, toGroups) select nothing and are kept as
// `unresolved`; host policies (nodeSelector) select no pod and are left out.
import type { Position, Problem } from '../errors.js';
import { formatIpv4, formatPrefix, type Ipv4Prefix } from '../net/ip.js';
import { fqdnLabel, fqdnSelectorOf, learnedIpsFor, type FqdnLearned } from './fqdn.js';
import { compact } from '../util/compact.js';
import type { CidrRule, CiliumProfile, Entity, IcmpRule, L7Spec, LabelSelector, UnresolvedPeer, NetworkPolicyInput, NetworkPolicyPeer, NetworkPolicyPort, PolicyKind, PolicyRule, PolicyRuleSection, PolicySpec, PortRule } from '../scenario/types.js';
import { cidrSelectors, subtractPrefixes } from './cidr.js';
import { POD_NAMESPACE_LABEL, POD_NAMESPACE_META_LABELS, POLICY_LABEL_CLUSTER } from './labels.js';
import { formatLabelSelector, hasKey, hasSource, makeSelector, requirementsOf, WILDCARD, type Requirement, type Selector } from './selector.js';
import { LazyRule, type RuleHead } from './lazy-rule.js';
import { releaseOfProfile } from '../cilium/releases/release.js';

export type Direction = 'ingress' | 'egress';

export const PROTO = { ICMP: 1, TCP: 6, UDP: 17, SCTP: 132 } as const;
const PROTO_NAME: Readonly<Record<number, string>> = { 0: 'ANY', 1: 'ICMP', 6: 'TCP', 17: 'UDP', 132: 'SCTP' };
export const protoText = (p: number): string => PROTO_NAME[p] ?? String(p);

/** One api.Rule: a CNP/CCNP `spec`/`specs[i]`, or a whole NetworkPolicy. */
export interface RuleRef {
  readonly policy: PolicySpec;
  readonly kind: PolicyKind;
  readonly namespace: string | null;
  readonly name: string;
  readonly ruleIndex: number;
  /** `spec`, `specs[i]` (as far as the model tells them apart; see ruleLabel). */
  readonly path: string;
  /** `CiliumNetworkPolicy default/rule1 spec`. */
  readonly label: string;
  readonly pos: Position;
}

export type PeerKind = 'endpoints' | 'nodes' | 'entity' | 'cidr' | 'fqdn' | 'any';

/** One L3 peer selector of a rule section, with where it came from. */
export interface Peer {
  readonly selector: Selector;
  readonly kind: PeerKind;
  /** `fromEndpoints[0] {org=empire}`, `toEntities[1] world`, `any peer (no fromEndpoints/fromCIDR/fromEntities)`. */
  readonly text: string;
  readonly pos: Position;
  /** For fromEndpoints/toEndpoints and NetworkPolicy pod/namespace peers: the selector as written. */
  readonly written?: LabelSelector;
}

/** One port of a section after ANY expansion: `port` 0 = all ports, a string = named port. */
export interface PortRef {
  readonly port: number | string;
  readonly endPort?: number;
  readonly proto: number;
  /** The L7 part of the toPorts item (rules, TLS, listener). */
  readonly l7?: L7Spec;
  readonly pos: Position;
}

export interface RuleSection {
  readonly rule: RuleRef;
  readonly direction: Direction;
  readonly deny: boolean;
  /** `ingress[0]`, `egressDeny[1]`, `ingress[0] from[1]`. */
  readonly path: string;
  readonly pos: Position;
  /** The section's L3 peers; empty when it names none (then toPorts apply to every peer). */
  readonly peers: readonly Peer[];
  /**
   * L3 peers were written but resolve to no selector (a CIDR whose excepts cover it all):
   * the section selects nothing rather than every peer (Cilium PR #14516, in v1.10+).
   */
  readonly emptyL3?: boolean;
  /** undefined: no toPorts/icmps/ports, an L3-only rule. */
  readonly ports: readonly PortRef[] | undefined;
  /** Peers the agent learns at run time (toFQDNs, toServices, toGroups): no entries, see PendingPeer. */
  readonly unresolved?: readonly UnresolvedPeer[];
}

export interface ParsedRule {
  readonly ref: RuleRef;
  /** The endpointSelector / podSelector after namespace scoping. */
  readonly subject: Selector;
  readonly subjectText: string;
  readonly subjectWritten: LabelSelector;
  /** len(Ingress)+len(IngressDeny) > 0, resp. egress: what computePolicyEnforcementAndRules checks. */
  readonly hasIngress: boolean;
  readonly hasEgress: boolean;
  readonly sections: readonly RuleSection[];
  /** Resultant CIDR prefixes of all CIDR peers (for CIDR identities and ipcache). */
  readonly cidrPrefixes: readonly Ipv4Prefix[];
  /** Things the simulator ignores on purpose (IPv6 ICMP, …). */
  readonly notes: readonly string[];
  /**
   * enableDefaultDeny after Sanitize (v1.16+, rule_validation.go@1.16.15:38-47): a direction
   * left unset defaults to whether the rule has rules in it. Undefined: default deny in both
   * directions (v1.13.0, NetworkPolicies).
   */
  readonly defaultDeny?: { readonly ingress: boolean; readonly egress: boolean };
}

export interface ParseOptions {
  readonly clusterName: string;
  readonly profile: CiliumProfile;
  /** enable-node-selector-labels (v1.16+): policies with fromNodes/toNodes are accepted. */
  readonly nodeSelectorLabels?: boolean;
  /** DNS answers the DNS proxies saw (a trace's lookup leg): what toFQDNs selectors select. */
  readonly fqdnLearned?: readonly FqdnLearned[];
}

const NS_K8S: Requirement['source'] = 'k8s';
const reserved = (name: string): Selector => makeSelector([{ source: 'reserved', key: name, op: 'In', values: [''] }]);

/** EntitySelectorMapping after InitEntities(clusterName) with remote-node identities on (v1.13 default). */
export function entitySelectors(e: Entity, clusterName: string): Selector[] {
  switch (e) {
    case 'all': return [WILDCARD];
    case 'world': return [reserved('world')];
    case 'cluster': return [
      reserved('host'), reserved('remote-node'), reserved('init'), reserved('ingress'), reserved('health'), reserved('unmanaged'), reserved('kube-apiserver'),
      makeSelector([{ source: 'k8s', key: POLICY_LABEL_CLUSTER, op: 'In', values: [clusterName] }]),
    ];
    case 'host': case 'remote-node': case 'health': case 'init': case 'unmanaged': case 'kube-apiserver': case 'ingress':
      return [reserved(e)];
  }
}

export function policyKindLabel(p: Pick<PolicySpec, 'kind' | 'namespace' | 'name'>): string {
  return `${p.kind} ${p.namespace === null ? p.name : `${p.namespace}/${p.name}`}`;
}

function ruleRef(p: PolicySpec, index: number, pos: Position): RuleRef {
  // The model keeps `spec` and `specs` in one list: a single rule is called `spec`.
  const path = p.kind === 'NetworkPolicy' || p.rules.length <= 1 ? 'spec' : `specs[${index}]`;
  return { policy: p, kind: p.kind, namespace: p.namespace, name: p.name, ruleIndex: index, path, label: `${policyKindLabel(p)} ${path}`, pos };
}

/** AddMatch: sets `k8s:key=value`, replacing a k8s-source equality on the same key. */
function addMatch(reqs: readonly Requirement[], key: string, value: string): Requirement[] {
  return [...reqs.filter((r) => !(r.source === NS_K8S && r.key === key && r.op === 'In')), { source: NS_K8S, key, op: 'In', values: [value] }];
}

/** Collects the problems met while parsing (endPort under the 1.13 profile). */
export class ParseProblems {
  readonly list: Problem[] = [];
  add(pos: Position, message: string): void {
    this.list.push({ pos, message });
  }
}

// ---- CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy -------------------------------

/** getEndpointSelector of ParseToCiliumRule for fromEndpoints/toEndpoints. */
function scopePeer(sel: LabelSelector, namespace: string | null, matchesInit: boolean): Selector {
  const reqs = requirementsOf(sel, 'any');
  const es = makeSelector(reqs);
  if (hasSource(es, 'reserved')) return es; // reserved-label selectors are never scoped
  if (matchesInit || hasKey(es, 'k8s', POD_NAMESPACE_LABEL) || hasKey(es, 'any', POD_NAMESPACE_LABEL)) return es;
  if (namespace === null) {
    // CCNP: only endpoints that have a namespace label, so `{}` never selects reserved identities.
    return makeSelector([...reqs, { source: NS_K8S, key: POD_NAMESPACE_LABEL, op: 'Exists', values: [] }]);
  }
  return makeSelector(addMatch(reqs, POD_NAMESPACE_LABEL, namespace));
}

/**
 * A fromNodes/toNodes selector as ParseToCiliumRule makes it: the labels as written (any
 * source: node identities carry them as `node:`) and `reserved:remote-node` Exists, never a
 * namespace (pkg/k8s/apis/cilium.io/utils/utils.go@v1.16.15:120-127, 239-246). v1.18.3 adds
 * the cluster filter, `k8s:io.cilium.k8s.policy.cluster=<cluster>` unless the selector names
 * that key (utils.go@v1.18.3:74-78, 136-143, 258-264).
 */
function nodePeer(sel: LabelSelector, opts: ParseOptions): Selector {
  const reqs: Requirement[] = [...requirementsOf(sel, 'any'), { source: 'reserved', key: 'remote-node', op: 'Exists', values: [] }];
  const es = makeSelector(reqs);
  if (!releaseOfProfile(opts.profile).has('node-identity-cluster-label') || hasKey(es, 'k8s', POLICY_LABEL_CLUSTER) || hasKey(es, 'any', POLICY_LABEL_CLUSTER)) return es;
  return makeSelector(addMatch(reqs, POLICY_LABEL_CLUSTER, opts.clusterName));
}

/** CIDR peers: each rule's resultant prefixes, as selectors. `label` names the rule as written. */
function cidrPeers(cidrs: readonly CidrRule[], label: (c: CidrRule) => string, out: { peers: Peer[]; prefixes: Ipv4Prefix[] }): void {
  for (const c of cidrs) {
    const written = label(c);
    for (const p of subtractPrefixes(c.cidr, c.except)) {
      if (p.len > 0) out.prefixes.push(p);
      const text = c.except.length === 0 ? written : `${written} (prefix ${formatPrefix(p)})`;
      for (const selector of cidrSelectors(p)) out.peers.push({ selector, kind: 'cidr', text, pos: c.pos });
    }
  }
}

function cidrText(c: CidrRule): string {
  return c.except.length === 0 ? formatPrefix(c.cidr) : `${formatPrefix(c.cidr)} except ${c.except.map(formatPrefix).join(', ')}`;
}

function portRefs(ports: readonly PortRule[] | undefined, icmps: readonly IcmpRule[] | undefined, opts: ParseOptions, problems: ParseProblems, notes: string[]): PortRef[] | undefined {
  const list: PortRef[] = [];
  for (const p of ports ?? []) {
    const endPort = endPortOf(p, opts, problems);
    // mergeIngress/mergeEgress (pkg/policy/rule.go@v1.13.0:433-459, the same in v1.16.15/v1.18.3): ANY is TCP, UDP and SCTP.
    const protos = p.protocol === 'ANY' ? [PROTO.TCP, PROTO.UDP, PROTO.SCTP] : [PROTO[p.protocol]];
    for (const proto of protos) list.push(compact<PortRef>({ port: p.port, endPort, proto, l7: p.l7, pos: p.pos }));
  }
  for (const i of icmps ?? []) {
    if (i.family === 'IPv6') {
      notes.push(`ICMPv6 type ${i.type} at line ${i.pos.line} ignored: the simulator is IPv4-only`);
      continue;
    }
    list.push({ port: i.type, proto: PROTO.ICMP, pos: i.pos });
  }
  // An empty toPorts/icmps list is no port rule at all: Cilium then treats the item as L3-only.
  // (The loader leaves `ports` undefined for `toPorts: []`; toPorts items without ports give [].)
  return list.length === 0 && ports === undefined && (icmps?.length ?? 0) === 0 ? undefined : list;
}

/**
 * The range a port item keeps at this release. v1.13.0 has no endPort (CRD and
 * NetworkPolicy conversion, the load warned): the rule applies to `port` alone. v1.16+
 * honours it; a range with L7 rules is refused as the agent refuses it: any L7 rules in
 * v1.16.15 (pkg/policy/api/rule_validation.go@7513067408:629), DNS rules only in v1.18.3
 * (rule_validation.go@c160168901:658).
 */
function endPortOf(p: { readonly port?: number | string; readonly endPort?: number; readonly l7?: L7Spec; readonly pos: Position }, opts: ParseOptions, problems: ParseProblems): number | undefined {
  const r = releaseOfProfile(opts.profile);
  if (p.endPort === undefined || !r.has('port-ranges')) return undefined;
  const start = typeof p.port === 'number' ? p.port : 0;
  if (p.l7 && p.endPort > start) {
    const dns = p.l7.dns.length > 0;
    if (!r.has('policy-deny-first') && hasL7(p.l7)) problems.add(p.pos, `L7 rules do not support port ranges (Cilium ${r.version}, pkg/policy/api/rule_validation.go:629)`);
    else if (dns) problems.add(p.pos, `DNS rules do not support port ranges (Cilium ${r.version}, pkg/policy/api/rule_validation.go:658)`);
  }
  return p.endPort;
}

function hasL7(l7: L7Spec): boolean {
  return l7.http.length + l7.kafka.length + l7.dns.length + l7.l7.length > 0 || l7.l7proto !== undefined;
}

function ciliumSection(ref: RuleRef, direction: Direction, deny: boolean, path: string, s: PolicyRuleSection, ns: string | null, matchesInit: boolean, opts: ParseOptions, problems: ParseProblems, notes: string[]): { section: RuleSection; prefixes: Ipv4Prefix[] } {
  const side = direction === 'ingress' ? 'from' : 'to';
  const acc = { peers: [] as Peer[], prefixes: [] as Ipv4Prefix[] };
  (s.peers ?? []).forEach((sel, i) => acc.peers.push({ selector: scopePeer(sel, ns, matchesInit), kind: 'endpoints', text: `${side}Endpoints[${i}] ${formatLabelSelector(sel)}`, pos: sel.pos, written: sel }));
  (s.entities ?? []).forEach((e, i) => {
    for (const selector of entitySelectors(e, opts.clusterName)) acc.peers.push({ selector, kind: 'entity', text: `${side}Entities[${i}] ${e}`, pos: s.pos });
  });
  cidrPeers(s.cidrs ?? [], (c) => `${side}${c.except.length ? 'CIDRSet' : 'CIDR'} ${cidrText(c)}`, acc);
  const nodes = releaseOfProfile(opts.profile).has('from-to-nodes') ? s.nodes ?? [] : []; // v1.13.0's CRD prunes them
  nodes.forEach((sel, i) => acc.peers.push({ selector: nodePeer(sel, opts), kind: 'nodes', text: `${side}Nodes[${i}] ${formatLabelSelector(sel)}`, pos: sel.pos, written: sel }));
  for (const u of s.unresolved ?? []) if (u.kind === 'toFQDNs') acc.peers.push(...fqdnPeers(u, opts));
  const ports = portRefs(s.ports, s.icmps, opts, problems, notes);
  // Peers set aside (IPv6) or learnt at run time still make the item name peers: never every peer.
  const written = nodes.length + (s.peers?.length ?? 0) + (s.entities?.length ?? 0) + (s.cidrs?.length ?? 0) + (s.unresolved?.length ?? 0) + (s.ignoredPeers ?? 0) > 0;
  const emptyL3 = written && acc.peers.length === 0;
  return { section: compact<RuleSection>({ rule: ref, direction, deny, path, pos: s.pos, peers: acc.peers, ports, emptyL3: emptyL3 ? true : undefined, unresolved: s.unresolved }), prefixes: acc.prefixes };
}

/**
 * A toFQDNs selector as the selector cache holds it. v1.16+: a selector of its fqdn: label,
 * which the answers' identities carry (selecting nothing until an answer is seen). v1.13.0:
 * the FQDN selector selects the CIDR identities of the addresses learnt for matching names,
 * i.e. one cidr:IP/32 selector per address (none before an answer).
 */
function fqdnPeers(u: UnresolvedPeer, opts: ParseOptions): Peer[] {
  const sel = fqdnSelectorOf(u.text);
  if (!sel) return [];
  if (releaseOfProfile(opts.profile).has('fqdn-identity-labels')) {
    const l = fqdnLabel(sel);
    return [{ selector: makeSelector([{ source: l.source, key: l.key, op: 'In', values: [''] }]), kind: 'fqdn', text: u.text, pos: u.pos }];
  }
  return learnedIpsFor(sel, opts.fqdnLearned ?? []).map((ip) => ({ selector: makeSelector([{ source: 'cidr', key: `${formatIpv4(ip)}/32`, op: 'In', values: [''] }]), kind: 'fqdn' as const, text: `${u.text} (learnt ${formatIpv4(ip)})`, pos: u.pos }));
}

function parseCiliumRule(p: PolicySpec, r: PolicyRule, index: number, opts: ParseOptions, problems: ParseProblems): ParsedRule {
  const ref = ruleRef(p, index, r.pos);
  const groups: Array<[readonly PolicyRuleSection[] | undefined, Direction, boolean, string]> = [
    [r.ingress, 'ingress', false, 'ingress'], [r.ingressDeny, 'ingress', true, 'ingressDeny'],
    [r.egress, 'egress', false, 'egress'], [r.egressDeny, 'egress', true, 'egressDeny'],
  ];
  // Known up front: the CIDR prefixes (every ipcache has them) and every endPort problem.
  const prefixes: Ipv4Prefix[] = [];
  for (const [list] of groups) {
    for (const s of list ?? []) {
      for (const c of s.cidrs ?? []) for (const x of subtractPrefixes(c.cidr, c.except)) if (x.len > 0) prefixes.push(x);
      for (const port of s.ports ?? []) endPortOf(port, opts, problems);
    }
  }
  let head: (RuleHead & { matchesInit: boolean }) | undefined;
  const selectors = (): RuleHead & { matchesInit: boolean } => {
    if (head) return head;
    const base = makeSelector(requirementsOf(r.endpointSelector, 'any'));
    // v1.15+ (cnp-no-init): a namespaced CiliumNetworkPolicy always gets the namespace match, so
    // it no longer selects reserved:init endpoints; only a clusterwide policy can
    // (pkg/k8s/apis/cilium.io/utils/utils.go@1.16.15:75-105, 327-350).
    const matchesInit = hasKey(base, 'reserved', 'init') && (p.namespace === null || !releaseOfProfile(opts.profile).has('cnp-no-init'));
    // The PodSelector should only reflect the namespace the policy lives in (not for reserved:init).
    const subject = p.namespace !== null && !matchesInit ? makeSelector(addMatch(base.reqs, POD_NAMESPACE_LABEL, p.namespace)) : base;
    head = { subject, subjectText: `endpointSelector ${formatLabelSelector(r.endpointSelector)}`, matchesInit };
    return head;
  };
  const hasIngress = (r.ingress?.length ?? 0) + (r.ingressDeny?.length ?? 0) > 0;
  const hasEgress = (r.egress?.length ?? 0) + (r.egressDeny?.length ?? 0) > 0;
  const dd = r.enableDefaultDeny;
  const defaultDeny = dd && releaseOfProfile(opts.profile).has('enable-default-deny') ? { ingress: dd.ingress ?? hasIngress, egress: dd.egress ?? hasEgress } : undefined;
  const known = { ref, subjectWritten: r.endpointSelector, cidrPrefixes: prefixes, hasIngress, hasEgress, ...(defaultDeny ? { defaultDeny } : {}) };
  return new LazyRule(known, selectors, () => {
    const { matchesInit } = selectors();
    const sections: RuleSection[] = [];
    const notes: string[] = [];
    const reported = new ParseProblems(); // endPort problems were reported above
    for (const [list, dir, deny, field] of groups) {
      (list ?? []).forEach((s, i) => sections.push(ciliumSection(ref, dir, deny, `${field}[${i}]`, s, p.namespace, matchesInit, opts, reported, notes).section));
    }
    return { sections, notes };
  });
}

// ---- Kubernetes NetworkPolicy -----------------------------------------------------------

/** parseNetworkPolicyPeer: namespaceSelector (AND podSelector), or podSelector in the policy's namespace. */
function knpPeerSelector(peer: NetworkPolicyPeer, namespace: string): Selector | undefined {
  if (peer.namespaceSelector) {
    let reqs = requirementsOf(peer.namespaceSelector, 'k8s', `${POD_NAMESPACE_META_LABELS}.`);
    // An empty namespaceSelector selects all namespaces: the namespace label exists.
    if (reqs.length === 0) reqs = [{ source: NS_K8S, key: POD_NAMESPACE_LABEL, op: 'Exists', values: [] }];
    return makeSelector([...reqs, ...(peer.podSelector ? requirementsOf(peer.podSelector, 'k8s') : [])]);
  }
  if (peer.podSelector) return makeSelector(addMatch(requirementsOf(peer.podSelector, 'k8s'), POD_NAMESPACE_LABEL, namespace));
  return undefined;
}

function knpPeerText(side: 'from' | 'to', j: number, peer: NetworkPolicyPeer): string {
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespaceSelector ${formatLabelSelector(peer.namespaceSelector)}`);
  if (peer.podSelector) parts.push(`podSelector ${formatLabelSelector(peer.podSelector)}`);
  return `${side}[${j}] ${parts.join(' ')}`;
}

function knpPorts(ports: readonly NetworkPolicyPort[] | undefined, opts: ParseOptions, problems: ParseProblems): PortRef[] | undefined {
  if (!ports || ports.length === 0) return undefined;
  const out: PortRef[] = [];
  for (const p of ports) {
    // parsePorts: protocol defaults to TCP, an absent port is "0" (every port of the protocol).
    out.push(compact<PortRef>({ port: p.port ?? 0, endPort: endPortOf(p, opts, problems), proto: PROTO[p.protocol], pos: p.pos }));
  }
  return out;
}

function parseNetworkPolicy(p: PolicySpec, opts: ParseOptions, problems: ParseProblems): ParsedRule | undefined {
  const np = p.networkPolicy;
  if (!np) return undefined;
  const ns = p.namespace ?? 'default';
  const ref = ruleRef(p, 0, p.pos);
  // Known up front: the ipBlock prefixes (every ipcache has them) and every endPort problem.
  const prefixes: Ipv4Prefix[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    for (const rule of np[direction] ?? []) {
      for (const port of rule.ports ?? []) endPortOf(port, opts, problems);
      for (const peer of rule.peers ?? []) {
        if (peer.ipBlock) for (const x of subtractPrefixes(peer.ipBlock.cidr, peer.ipBlock.except)) if (x.len > 0) prefixes.push(x);
      }
    }
  }
  const types = np.policyTypes;
  // Every rule makes at least one section; with none, policyTypes may add a default deny (below).
  const known = {
    ref, subjectWritten: np.podSelector, cidrPrefixes: prefixes,
    hasIngress: (np.ingress?.length ?? 0) > 0 || !!types?.includes('Ingress') || !types?.includes('Egress'),
    hasEgress: (np.egress?.length ?? 0) > 0 || !!types?.includes('Egress'),
  };
  const head = (): RuleHead => ({
    subject: makeSelector(addMatch(requirementsOf(np.podSelector, 'k8s'), POD_NAMESPACE_LABEL, ns)),
    subjectText: `podSelector ${formatLabelSelector(np.podSelector)}`,
  });
  return new LazyRule(known, head, () => ({ sections: knpSections(p, np, ns, ref, opts), notes: [] }));
}

function knpSections(p: PolicySpec, np: NetworkPolicyInput, ns: string, ref: RuleRef, opts: ParseOptions): RuleSection[] {
  const problems = new ParseProblems(); // endPort problems were reported by parseNetworkPolicy
  const sections: RuleSection[] = [];
  const prefixes: Ipv4Prefix[] = [];
  const counts = { ingress: 0, egress: 0 };
  for (const direction of ['ingress', 'egress'] as const) {
    const side = direction === 'ingress' ? 'from' : 'to';
    (np[direction] ?? []).forEach((rule, i) => {
      const ports = knpPorts(rule.ports, opts, problems);
      const path = `${direction}[${i}]`;
      if (!rule.peers || rule.peers.length === 0) {
        // `from`/`to` empty or missing: this rule matches all sources (WildcardEndpointSelector).
        const peer: Peer = { selector: WILDCARD, kind: 'any', text: `(${side} ${rule.peers ? 'empty' : 'absent'}: every peer)`, pos: rule.pos };
        sections.push({ rule: ref, direction, deny: false, path, pos: rule.pos, peers: [peer], ports });
        counts[direction]++;
        return;
      }
      rule.peers.forEach((peer, j) => {
        const peers: Peer[] = [];
        const sel = knpPeerSelector(peer, ns);
        if (sel) peers.push(compact<Peer>({ selector: sel, kind: 'endpoints', text: knpPeerText(side, j, peer), pos: peer.pos, written: peer.podSelector ?? peer.namespaceSelector }));
        if (peer.ipBlock) {
          const acc = { peers, prefixes };
          cidrPeers([peer.ipBlock], (c) => `${side}[${j}] ipBlock ${cidrText(c)}`, acc);
        }
        sections.push(compact<RuleSection>({ rule: ref, direction, deny: false, path, pos: peer.pos, peers, ports, emptyL3: peers.length === 0 ? true : undefined }));
        counts[direction]++;
      });
    });
  }
  const types = np.policyTypes;
  // Convert the k8s default-deny model: no ingress rules and (Ingress in policyTypes or Egress not in it).
  if (counts.ingress === 0 && (types?.includes('Ingress') || !types?.includes('Egress'))) {
    sections.push({ rule: ref, direction: 'ingress', deny: false, path: 'policyTypes Ingress (no ingress rules: default deny)', pos: p.pos, peers: [], ports: undefined });
    counts.ingress++;
  }
  if (counts.egress === 0 && types?.includes('Egress')) {
    sections.push({ rule: ref, direction: 'egress', deny: false, path: 'policyTypes Egress (no egress rules: default deny)', pos: p.pos, peers: [], ports: undefined });
    counts.egress++;
  }
  return sections;
}

/** All rules of all policies, in input order. Throws nothing; problems are collected. */
export function parsePolicies(policies: readonly PolicySpec[], opts: ParseOptions, problems: ParseProblems): ParsedRule[] {
  const out: ParsedRule[] = [];
  const release = releaseOfProfile(opts.profile);
  for (const p of policies) {
    // The load warned; a refusal tied to an agent option holds only while it is off.
    if (p.refusedWith !== undefined && release.has(p.refusedWith) && !(p.refusedUnless !== undefined && opts[p.refusedUnless] === true)) continue;
    if (p.kind === 'NetworkPolicy') {
      const r = parseNetworkPolicy(p, opts, problems);
      if (r) out.push(r);
    } else {
      // Host policies (nodeSelector) select the host endpoint, never a pod (pkg/policy/rule.go matches).
      p.rules.forEach((r, i) => {
        if (!r.hostPolicy) out.push(parseCiliumRule(p, r, i, opts, problems));
      });
    }
  }
  return out;
}

