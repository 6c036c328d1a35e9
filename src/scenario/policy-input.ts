// Policies as `kubectl apply` would take them: CiliumNetworkPolicy and
// CiliumClusterwideNetworkPolicy in the Cilium v2 CRD shape (`spec` and/or `specs`), and
// networking.k8s.io/v1 NetworkPolicy (netpol-input.ts). Shapes and values are validated as
// the CRD schema does (what the API server refuses is an error); a policy the v1.13.0 agent's
// rule sanitizer refuses is loaded but not enforced, with a warning, as the agent does; what
// the rules mean is the control plane's business. Valid fields that are not simulated (L7
// rules, toFQDNs, …, policy-extras.ts) are warnings, never errors: their L3/L4 part applies.
import { isScalar, isSeq } from './ast.js';
import type { Position } from '../errors.js';
import { compact } from '../util/compact.js';
import { FEATURES, type Feature } from '../cilium/releases/features.js';
import { dnsLabel, dnsSubdomain, firstAt, labelKeyProblem, reportDuplicates } from './checks.js';
import { ENTITIES, ICMP_FAMILIES, L4_PROTOCOLS, LATER_FIELDS, MAX_ICMP_FIELDS, MAX_PORTS, POLICY_KINDS, type FieldSet } from './fields.js';
import { readNetworkPolicySpec } from './netpol-input.js';
import { readLabels } from './pods.js';
import { bool, exactly, int, list, listOf, oneOf, parsed, readMap, str, stringMap, typeError, type Entry, type Field, type MapView, type Reader, type Sink, type Source } from './raw.js';
import { cidrReader, IPV6_SET_ASIDE, readExcepts, readSelector } from './selectors.js';
import { readL7, readUnresolved, warnRequires } from './policy-extras.js';
import type { CidrRule, Entity, IcmpRule, LabelSelector, PolicyKind, PolicyRule, PolicyRuleSection, PolicySpec, PortRule } from './types.js';

const KIND_NAMES = Object.keys(POLICY_KINDS) as PolicyKind[];

/** A policy with where its name is written, for the duplicate check across all inputs. */
export interface PolicyDraft {
  readonly spec: PolicySpec;
  readonly namePos: Position;
}

/** Policies are unique per kind and namespace/name (a CNP and a NetworkPolicy may share a name). */
export function checkPolicies(sink: Sink, policies: readonly PolicyDraft[]): void {
  reportDuplicates(
    sink,
    policies.map((p) => ({ key: `${p.spec.kind} '${policyId(p.spec)}'`, owner: p.spec.name, pos: p.namePos })),
    (c, first) => `duplicate ${c.key} (first defined at ${firstAt(first.pos, c.pos)})`,
  );
}

export function policyId(p: Pick<PolicySpec, 'name' | 'namespace'>): string {
  return p.namespace === null ? p.name : `${p.namespace}/${p.name}`;
}

/** One policy object, from a Scenario's `policies` list or a document of its own. */
export function readPolicy(src: Source, e: Entry): PolicyDraft | undefined {
  const m = readMap(src, e, 'policy');
  if (!m) return undefined;
  const kind = m.req('kind', oneOf(KIND_NAMES))?.value;
  const apiVersion = kind ? m.req('apiVersion', exactly(POLICY_KINDS[kind], 'apiVersion')) : m.opt('apiVersion', str);
  const meta = m.req('metadata', readPolicyMetadata);
  m.opt('status', () => true); // written by the agents (kubectl output); ignored
  if (!kind) return undefined;
  const namespace = kind === 'CiliumClusterwideNetworkPolicy' ? null : (meta?.namespace ?? 'default');
  const refusals: Refusal[] = [];
  const rules = kind === 'NetworkPolicy' ? undefined : readRules(m, refusals);
  const networkPolicy = kind === 'NetworkPolicy' ? readKnpSpec(m) : undefined;
  if (!apiVersion || !meta || (kind === 'NetworkPolicy' ? !networkPolicy : !rules)) return undefined;
  const label = `${kind} ${namespace === null ? '' : `${namespace}/`}${meta.name.value}`;
  if (refusals.some((r) => r.since === undefined)) {
    // CiliumNetworkPolicy.Parse fails on the first rule Sanitize refuses: the whole policy is left out.
    for (const r of refusals.filter((x) => x.since === undefined)) src.warn(r.pos, `${label} is not enforced: the v1.13.0 agent refuses it (${r.message})`);
    return undefined;
  }
  // Refused only by later releases: the control plane leaves it out there (policy-rules.ts).
  // A refusal that holds whatever the options are says all that matters (the agent stops at it).
  const firm = refusals.filter((r) => r.offOption === undefined);
  const said = firm.length > 0 ? firm : refusals;
  for (const r of said) src.warnIf(r.since!, r.pos, `${label} is not enforced: the agent of Cilium ${FEATURES[r.since!].since} and later refuses it (${r.message})`, r.offOption);
  const refusedWith = said[0]?.since;
  const refusedUnless = said[0]?.offOption;
  const spec = compact<PolicySpec>({ kind, name: meta.name.value, namespace, rules: rules ?? [], networkPolicy, refusedWith, refusedUnless, pos: m.pos });
  return { spec, namePos: meta.name.pos };
}

/** A NetworkPolicy has one `spec`; `specs` is Cilium's. */
function readKnpSpec(m: MapView) {
  const specs = m.entry('specs');
  if (!specs) return m.req('spec', readNetworkPolicySpec);
  m.src.report(specs.keyPos ?? specs.pos, `unknown field 'specs' in a NetworkPolicy (expected 'spec'; 'specs' is for Cilium policies)`);
  return m.opt('spec', readNetworkPolicySpec);
}

/** Why the agent's rule sanitizer (pkg/policy/api/rule_validation.go) refuses a rule, and where. */
interface Refusal {
  readonly pos: Position;
  readonly message: string;
  /** Refused only by releases with this change (the policy loads on older ones). */
  readonly since?: Feature;
  /** Refused only while this agent option is off. */
  readonly offOption?: 'nodeSelectorLabels';
}

/** `spec` and/or `specs`, in that order, as Cilium's CiliumNetworkPolicy.Parse takes them. */
function readRules(m: MapView, refusals: Refusal[]): PolicyRule[] | undefined {
  const readRule = ruleReader(refusals);
  const spec = m.entry('spec');
  const specs = m.entry('specs');
  if (!spec && !specs) {
    m.src.report(m.pos, `missing 'spec' or 'specs' in ${m.label} (expected at least one rule)`);
    return undefined;
  }
  const one = spec ? readRule(m.src, spec) : undefined;
  const many = specs ? listOf(readRule)(m.src, specs) : undefined;
  if ((spec && !one) || (specs && !many)) return undefined;
  return [...(one ? [one] : []), ...(many ?? [])];
}

const readPolicyMetadata: Reader<{ name: Field<string>; namespace: string | undefined }> = (src, e) => {
  const m = readMap(src, e, 'policyMetadata');
  if (!m) return undefined;
  const name = m.req('name', parsed(dnsSubdomain('policy name')));
  const namespace = m.opt('namespace', parsed(dnsLabel('namespace')))?.value;
  m.opt('labels', readLabels);
  m.opt('annotations', readAnnotations);
  return name ? { name, namespace } : undefined;
};

/** Annotation keys follow label-key syntax; values are free text. */
const readAnnotations: Reader<true> = (src, e) => {
  for (const { key } of stringMap('annotation')(src, e) ?? []) {
    const problem = labelKeyProblem(key.value);
    if (problem) src.report(key.pos, problem.replace('label key', 'annotation key'));
  }
  return true;
};

// ---- rules ------------------------------------------------------------------------------

const NO_PODS = { matchLabels: {}, matchExpressions: [] } as const;

function ruleReader(refusals: Refusal[]): Reader<PolicyRule> {
  return (src, e) => {
    const m = readMap(src, e, 'rule');
    if (!m) return undefined;
    const node = m.entry('nodeSelector');
    const nodeSelector = m.opt('nodeSelector', readSelector);
    const endpointSelector = node ? m.opt('endpointSelector', readSelector) : m.req('endpointSelector', readSelector);
    const ingress = m.opt('ingress', sections('ingressRule', 'from', false, refusals));
    const ingressDeny = m.opt('ingressDeny', sections('ingressDenyRule', 'from', true, refusals));
    const egress = m.opt('egress', sections('egressRule', 'to', false, refusals));
    const egressDeny = m.opt('egressDeny', sections('egressDenyRule', 'to', true, refusals));
    m.opt('description', str);
    m.opt('labels', list); // rule labels only name the rule in `cilium policy get`
    const enableDefaultDeny = m.opt('enableDefaultDeny', readDefaultDeny);
    if (node && m.entry('endpointSelector')) refusals.push({ pos: node.keyPos ?? node.pos, message: 'a rule has either endpointSelector or nodeSelector' });
    if (node) {
      // A host policy selects nodes (the host endpoint), never pods.
      src.warn(node.keyPos ?? node.pos, `host policy ('nodeSelector') is not simulated: it selects nodes, not pods, so it changes no pod's policy here; the host firewall is not modelled`);
      if (!nodeSelector) return undefined;
      return compact<PolicyRule>({ hostPolicy: true, endpointSelector: { ...NO_PODS, pos: nodeSelector.pos }, ingress, egress, ingressDeny, egressDeny, pos: m.pos });
    }
    if (!endpointSelector) return undefined;
    return compact<PolicyRule>({ endpointSelector, ingress, egress, ingressDeny, egressDeny, enableDefaultDeny, pos: m.pos });
  };
}

/**
 * enableDefaultDeny {ingress, egress} (pkg/policy/api/rule.go@1.16.15:32-45, 112-129). Not in
 * v1.13.0's CRD: pruned there (the warning of the pruned fields, kept only for that release).
 */
const readDefaultDeny: Reader<NonNullable<PolicyRule['enableDefaultDeny']>> = (src, e) => {
  src.warnUnless('enable-default-deny', e.keyPos ?? e.pos, `'enableDefaultDeny' ignored: not in Cilium v1.13.0's CRD (${LATER_FIELDS.enableDefaultDeny}), so the API server prunes it`);
  const m = readMap(src, e, 'defaultDenyConfig');
  if (!m) return undefined;
  const ingress = m.opt('ingress', bool)?.value;
  const egress = m.opt('egress', bool)?.value;
  return compact({ ingress, egress, pos: m.pos });
};

type Side = 'from' | 'to';

/** The L3 peer fields of a rule item, in the order Cilium's sanitizer knows them. */
function l3Keys(side: Side): string[] {
  return side === 'from' ? ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities'] : ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities'];
}

function sections(set: FieldSet, side: Side, deny: boolean, refusals: Refusal[]): Reader<PolicyRuleSection[]> {
  return (src, e) => {
    const items = list(src, e);
    if (!items) return undefined;
    return items.flatMap((item) => {
      const m = readMap(src, item, set);
      if (!m) return [];
      const peers = m.opt(`${side}Endpoints`, listOf(readSelector));
      const entities = m.opt(`${side}Entities`, listOf(readEntity));
      const cidr = m.opt(`${side}CIDR`, listOf(readCidr));
      const cidrSet = m.opt(`${side}CIDRSet`, listOf(readCidrRule));
      // `toPorts: []` is no port rule (L3-only, as in Cilium); items without ports allow nothing.
      const portItems = m.opt('toPorts', listOf(deny ? readPortDenyRule : readPortRule));
      const ports = portItems && portItems.length > 0 ? portItems.flat() : undefined;
      const icmps = m.opt('icmps', listOf(readIcmpRule))?.flat();
      // Requirements are not peers, but an item with them never selects every peer (AllowsWildcarding).
      const requires = m.opt(`${side}Requires`, listOf(readSelector))?.length ?? 0;
      warnRequires(m, side === 'to' ? 'toRequires' : 'fromRequires');
      const unresolved = (side === 'to' ? (['toFQDNs', 'toServices', 'toGroups'] as const) : (['fromGroups'] as const)).flatMap((k) => readUnresolved(m, k) ?? []);
      const nodes = readNodes(m, side, refusals);
      // Cilium v1.13 sanitizes allow rules only (Rule.Sanitize skips ingressDeny/egressDeny).
      if (!deny) {
        const refused = combinationProblem(m, side) ?? (side === 'from' ? ingressDnsProblem(ports) : undefined);
        if (refused) refusals.push(refused);
      }
      const v4 = (list: Array<CidrRule | typeof IPV6_SET_ASIDE> | undefined) => list?.flatMap((c) => (c === IPV6_SET_ASIDE ? [] : [c]));
      const ignored = [...(cidr ?? []), ...(cidrSet ?? [])].filter((c) => c === IPV6_SET_ASIDE).length + requires;
      const cidrs = cidr || cidrSet ? [...(v4(cidr) ?? []), ...(v4(cidrSet) ?? [])] : undefined;
      return [compact<PolicyRuleSection>({
        peers, nodes, entities: entities?.map((x) => x.value), cidrs, ports, icmps, pos: m.pos,
        unresolved: unresolved.length > 0 ? unresolved : undefined, ignoredPeers: ignored > 0 ? ignored : undefined,
      })];
    });
  };
}

/**
 * fromNodes / toNodes (v1.16+, pkg/policy/api/ingress.go@v1.16.15:93-98, egress.go:106-110).
 * v1.13.0's CRD prunes them. From v1.16 the agent refuses the rule unless it runs with
 * enable-node-selector-labels (default false): ErrFromToNodesRequiresNodeSelectorOption,
 * pkg/policy/api/rule_validation.go@v1.16.15:23, 215, 407 (@v1.18.3:25, 226, 439).
 */
function readNodes(m: MapView, side: Side, refusals: Refusal[]): LabelSelector[] | undefined {
  const key = side === 'from' ? 'fromNodes' : 'toNodes';
  const e = m.entry(key);
  if (!e) return undefined;
  const selectors = m.opt(key, listOf(readSelector));
  const pos = e.keyPos ?? e.pos;
  m.src.warnUnless('from-to-nodes', pos, `'${key}' ignored: not in Cilium v1.13.0's CRD (${LATER_FIELDS[key]}), so the API server prunes it`);
  if ((selectors?.length ?? 0) > 0) refusals.push({ pos, message: NODES_REFUSED, since: 'from-to-nodes', offOption: 'nodeSelectorLabels' });
  return selectors;
}

const NODES_REFUSED = 'FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set (pkg/policy/api/rule_validation.go@v1.16.15:23, @v1.18.3:25); it is off (its default: set cluster.nodeSelectorLabels or cilium-config enable-node-selector-labels)';

const readEntity: Reader<Field<Entity>> = (src, e) => oneOf<Entity>(ENTITIES)(src, { ...e, label: 'entity' });

function nonEmptyList(m: MapView, key: string): Entry | undefined {
  const e = m.entry(key);
  return e && isSeq(e.node) && e.node.items.length > 0 ? e : undefined;
}

/** IngressRule/EgressRule.sanitize: one kind of L3 peer per item; icmps without toPorts. */
function combinationProblem(m: MapView, side: Side): Refusal | undefined {
  const present = l3Keys(side).filter((k) => nonEmptyList(m, k));
  const [a, b] = present;
  const go = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);
  if (a && b) {
    const at = m.entry(b);
    return { pos: at?.keyPos ?? m.pos, message: `"Combining ${go(a)} and ${go(b)} is not supported yet": ${a} and ${b} cannot be combined in one rule; write two rules` };
  }
  // v1.16+ counts FromNodes/ToNodes among the L3 members (rule_validation.go@v1.16.15:201, 458).
  const nodesKey = side === 'from' ? 'fromNodes' : 'toNodes';
  if (a && nonEmptyList(m, nodesKey)) {
    const at = m.entry(nodesKey);
    return { pos: at?.keyPos ?? m.pos, message: `"combining ${go(a)} and ${go(nodesKey)} is not supported yet": ${a} and ${nodesKey} cannot be combined in one rule; write two rules`, since: 'from-to-nodes' };
  }
  const icmps = nonEmptyList(m, 'icmps');
  if (icmps && nonEmptyList(m, 'toPorts')) {
    return { pos: icmps.keyPos ?? icmps.pos, message: `"The ICMPs block may only be present without ToPorts": write two rules` };
  }
  return undefined;
}

/** IngressRule.sanitize: DNS rules are egress only ("L7 protocol DNS is not supported on ingress yet"). */
function ingressDnsProblem(ports: readonly PortRule[] | undefined): Refusal | undefined {
  const p = ports?.find((x) => (x.l7?.dns.length ?? 0) > 0);
  return p?.l7 ? { pos: p.l7.pos, message: '"L7 protocol DNS is not supported on ingress yet"' } : undefined;
}

// ---- CIDRs ------------------------------------------------------------------------------

/** fromCIDR/toCIDR items: a prefix or a plain address, never with exceptions; IPv6 set aside. */
const readCidr: Reader<CidrRule | typeof IPV6_SET_ASIDE> = (src, e) => {
  const c = cidrReader('CIDR', true)(src, e);
  if (c === IPV6_SET_ASIDE) return c;
  return c ? { cidr: c.value, except: [], pos: c.pos } : undefined;
};

/** fromCIDRSet/toCIDRSet items (api.CIDRRule): address/length only, excepts inside it; IPv6 set aside. */
const readCidrRule: Reader<CidrRule | typeof IPV6_SET_ASIDE> = (src, e) => {
  const m = readMap(src, e, 'cidrRule');
  if (!m) return undefined;
  const cidr = m.req('cidr', cidrReader('cidr', false));
  if (cidr === IPV6_SET_ASIDE) {
    readExcepts(m, undefined, false);
    return cidr;
  }
  const except = readExcepts(m, cidr?.value, false);
  return cidr ? { cidr: cidr.value, except: except ?? [], pos: m.pos } : undefined;
};

// ---- ports and ICMP ---------------------------------------------------------------------

function tooMany(m: MapView, key: string, count: number | undefined, max: number, what: string): void {
  const e = m.entry(key);
  if (e && count !== undefined && count > max) m.src.report(e.pos, `too many ${what} (${count}; Cilium allows at most ${max})`);
}

const readPortRule: Reader<PortRule[]> = (src, e) => readPorts(src, e, 'portRule');
const readPortDenyRule: Reader<PortRule[]> = (src, e) => readPorts(src, e, 'portDenyRule');

function readPorts(src: Source, e: Entry, set: FieldSet): PortRule[] | undefined {
  const m = readMap(src, e, set);
  if (!m) return undefined;
  // `ports` is optional in the CRD: an item without ports allows nothing (mergeIngress/mergeEgress loop over them).
  const ports = m.opt('ports', listOf(readPortProtocol)) ?? [];
  tooMany(m, 'ports', ports.length, MAX_PORTS, 'ports');
  const l7 = set === 'portRule' ? readL7(m) : undefined;
  return l7 ? ports.map((p) => ({ ...p, l7 })) : ports;
}

/**
 * v1.13.0 has no port ranges: PortProtocol is {Port, Protocol} (pkg/policy/api/l4.go:27-47)
 * and its CRD has no endPort, so the API server prunes it and only `port` is allowed.
 */
export const CNP_END_PORT_WHY = 'Cilium v1.13.0 has no port ranges: its CRD has no endPort (pkg/policy/api/l4.go:27-47, PortProtocol{Port, Protocol}), so the API server prunes it';

const readPortProtocol: Reader<PortRule> = (src, e) => {
  const m = readMap(src, e, 'portProtocol');
  if (!m) return undefined;
  const port = m.req('port', readCiliumPort);
  const endPort = m.opt('endPort', int(0, 65535));
  const protocol = m.opt('protocol', oneOf(L4_PROTOCOLS))?.value ?? 'ANY';
  if (port === undefined) return undefined;
  // endPort 0 is "no range" (omitempty). v1.13.0 prunes it; v1.16+ keeps it (the control
  // plane splits the range: policy-rules.ts, policy.ts).
  const range = endPort && endPort.value > 0 ? endPort.value : undefined;
  if (range !== undefined && range !== port) {
    src.warnUnless('port-ranges', endPort!.pos, `endPort ${range} ignored: ${CNP_END_PORT_WHY}; only port ${port} is allowed`);
  }
  return compact<PortRule>({ port, endPort: range, protocol, pos: m.pos });
};

/** An IANA service name (pkg/iana IsSvcName): matched case-insensitively. */
const SVC_NAME = /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;

/**
 * Cilium takes ports as strings: "80", "0" (any port) or a named port, lowercased as
 * Cilium normalizes it. YAML integers are accepted too.
 */
const readCiliumPort: Reader<number | string> = (src, e) => {
  const v = isScalar(e.node) ? e.node.value : undefined;
  if (typeof v === 'number' && Number.isInteger(v)) {
    return v < 0 || v > 65535 ? src.report(e.pos, `port ${v} is out of range (expected 0..65535)`) : v;
  }
  if (typeof v !== 'string') return typeError(src, e, 'a port number 0..65535 or a port name');
  if (/^\d+$/.test(v)) {
    if (v.length > 1 && v.startsWith('0')) return src.report(e.pos, `invalid port '${v}' (Cilium reads a leading 0 as octal; write it without leading zeros)`);
    const n = Number(v);
    return n > 65535 ? src.report(e.pos, `port ${n} is out of range (expected 0..65535)`) : n;
  }
  if (v.length <= 15 && SVC_NAME.test(v)) return v.toLowerCase();
  return src.report(e.pos, `invalid port '${v}' (expected a port number 0..65535 or a port name of at most 15 letters, digits and '-')`);
};

const readIcmpRule: Reader<IcmpRule[]> = (src, e) => {
  const m = readMap(src, e, 'icmpRule');
  if (!m) return undefined;
  const fields = m.opt('fields', listOf(readIcmpField)) ?? [];
  tooMany(m, 'fields', fields.length, MAX_ICMP_FIELDS, 'ICMP fields');
  return fields;
};

const readIcmpField: Reader<IcmpRule> = (src, e) => {
  const m = readMap(src, e, 'icmpField');
  if (!m) return undefined;
  const type = m.req('type', readIcmpType);
  const family = m.opt('family', oneOf(ICMP_FAMILIES))?.value ?? 'IPv4';
  return type ? { type: type.value, family, pos: m.pos } : undefined;
};

/** ICMPField.Type is a uint8 in Cilium v1.13; type names came later. */
const readIcmpType: Reader<Field<number>> = (src, e) => {
  const v = isScalar(e.node) ? e.node.value : undefined;
  if (typeof v === 'string' && /^[A-Za-z]+$/.test(v)) {
    return src.report(e.pos, `ICMP type '${v}' is a name (expected an integer 0..255; type names need Cilium 1.15 or later)`);
  }
  return int(0, 255)(src, { ...e, label: 'ICMP type' });
};

