// `policies[]`: CiliumNetworkPolicy objects as `kubectl apply` would take them. The subset
// cilium-trace simulates is read into PolicySpec; other valid Cilium fields are rejected
// with "not supported yet" so a policy is never silently half-applied.
import { isScalar } from 'yaml';
import { RESERVED_IDENTITIES } from '../cilium/identities.js';
import type { Position } from '../errors.js';
import { dnsLabel, dnsSubdomain, labelKeyProblem, labelValueProblem, reportDuplicates } from './checks.js';
import { L4_PROTOCOLS, POLICY_API_VERSION, POLICY_KIND, SELECTOR_OPERATORS, type FieldSet } from './fields.js';
import { readLabels } from './pods.js';
import { exactly, list, oneOf, parsed, readMap, str, stringMap, typeError, type Entry, type Field, type Reader, type Source } from './raw.js';
import type { LabelSelector, PolicyRuleSection, PolicySpec, PortProtocol, SelectorOperator } from './types.js';

/** Label sources an endpoint selector may name (pkg/labels in Cilium v1.13). */
const SELECTOR_SOURCES = ['any', 'k8s', 'reserved', 'container', 'unspec'] as const;
const RESERVED_LABELS = Object.keys(RESERVED_IDENTITIES).filter((n) => n !== 'unknown');

export function readPolicies(src: Source, items: readonly Entry[]): PolicySpec[] {
  const out: PolicySpec[] = [];
  const names: Array<{ key: string; owner: string; pos: Position }> = [];
  for (const item of items) {
    const p = readPolicy(src, item, names);
    if (p) out.push(p);
  }
  reportDuplicates(src, names, (c, first) => `duplicate policy '${c.key}' (first defined at line ${first.pos.line})`);
  return out;
}

function readPolicy(src: Source, e: Entry, names: Array<{ key: string; owner: string; pos: Position }>): PolicySpec | undefined {
  const m = readMap(src, e, 'policy');
  if (!m) return undefined;
  const apiVersion = m.req('apiVersion', exactly(POLICY_API_VERSION, 'apiVersion'));
  const kind = m.req('kind', exactly(POLICY_KIND, 'kind', ['CiliumClusterwideNetworkPolicy', 'NetworkPolicy']));
  const meta = m.req('metadata', readMetadata);
  // `specs` was already reported as unsupported; do not also say `spec` is missing.
  const rule = m.rejected.has('specs') ? m.opt('spec', readRule) : m.req('spec', readRule);
  if (meta) names.push({ key: `${meta.namespace}/${meta.name.value}`, owner: meta.name.value, pos: meta.name.pos });
  if (!apiVersion || !kind || !meta || !rule) return undefined;
  return { kind: POLICY_KIND, name: meta.name.value, namespace: meta.namespace, ...rule, pos: m.pos };
}

const readMetadata: Reader<{ name: Field<string>; namespace: string }> = (src, e) => {
  const m = readMap(src, e, 'policyMetadata');
  if (!m) return undefined;
  const name = m.req('name', parsed(dnsSubdomain('policy name')));
  const namespace = m.opt('namespace', parsed(dnsLabel('namespace')))?.value ?? 'default';
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

type RuleParts = Pick<PolicySpec, 'endpointSelector' | 'ingress' | 'egress'>;

const readRule: Reader<RuleParts> = (src, e) => {
  const m = readMap(src, e, 'rule');
  if (!m) return undefined;
  const endpointSelector = m.req('endpointSelector', readSelector);
  const ingress = m.opt('ingress', sections('ingressRule', 'fromEndpoints'));
  const egress = m.opt('egress', sections('egressRule', 'toEndpoints'));
  m.opt('description', str);
  m.opt('labels', list); // rule labels only name the rule in `cilium policy get`
  if (!endpointSelector) return undefined;
  return { endpointSelector, ...(ingress ? { ingress } : {}), ...(egress ? { egress } : {}) };
};

function sections(set: FieldSet, peersKey: string): Reader<PolicyRuleSection[]> {
  return (src, e) => {
    const items = list(src, e);
    if (!items) return undefined;
    return items.flatMap((item) => {
      const m = readMap(src, item, set);
      if (!m) return [];
      const peers = m.opt(peersKey, listOf(readSelector));
      const ports = m.opt('toPorts', listOf(readPortRule))?.flat();
      return [{ ...(peers ? { peers } : {}), ...(ports ? { ports } : {}), pos: m.pos }];
    });
  };
}

/** A list whose items are each read with `read`; undefined if the list itself is wrong. */
function listOf<T>(read: Reader<T>): Reader<T[]> {
  return (src, e) => list(src, e)?.flatMap((item) => {
    const v = read(src, item);
    return v === undefined ? [] : [v];
  });
}

const readPortRule: Reader<PortProtocol[]> = (src, e) => {
  const m = readMap(src, e, 'portRule');
  return m?.req('ports', listOf(readPortProtocol));
};

const readPortProtocol: Reader<PortProtocol> = (src, e) => {
  const m = readMap(src, e, 'portProtocol');
  if (!m) return undefined;
  const port = m.req('port', readPort);
  const protocol = m.opt('protocol', oneOf(L4_PROTOCOLS))?.value ?? 'ANY';
  return port === undefined ? undefined : { port, protocol, pos: m.pos };
};

/** Cilium takes ports as strings ("80"); YAML integers are accepted too. "0" = any port. */
const readPort: Reader<number> = (src, e) => {
  const v = isScalar(e.node) ? e.node.value : undefined;
  let n: number;
  if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string' && /^\d+$/.test(v)) n = Number(v);
  else if (typeof v === 'string' && /^[a-z0-9-]*[a-z][a-z0-9-]*$/.test(v)) {
    return src.report(e.pos, `named port '${v}' is not supported yet (expected a port number 0..65535)`);
  } else if (typeof v === 'string') return src.report(e.pos, `invalid port '${v}' (expected a port number 0..65535)`);
  else return typeError(src, e, 'a port number 0..65535');
  if (n > 65535) return src.report(e.pos, `port ${n} is out of range (expected 0..65535)`);
  return n;
};

const readSelector: Reader<LabelSelector> = (src, e) => {
  const m = readMap(src, e, 'selector');
  if (!m) return undefined;
  const labels = m.opt('matchLabels', readMatchLabels) ?? {};
  const expressions = m.opt('matchExpressions', listOf(readRequirement)) ?? [];
  return { matchLabels: labels, matchExpressions: expressions, pos: m.pos };
};

const readMatchLabels: Reader<Record<string, string>> = (src, e) => {
  const pairs = stringMap('label')(src, e);
  if (!pairs) return undefined;
  for (const { key, value } of pairs) {
    const keyProblem = selectorKeyProblem(key.value);
    if (keyProblem) src.report(key.pos, keyProblem);
    const valueProblem = labelValueProblem(value.value);
    if (valueProblem) src.report(value.pos, valueProblem);
  }
  return Object.fromEntries(pairs.map(({ key, value }) => [key.value, value.value]));
};

/** Selector keys may carry a source prefix: `k8s:app`, `any:id`, `reserved:host`. */
function selectorKeyProblem(key: string): string | undefined {
  const colon = key.indexOf(':');
  if (colon < 0) return labelKeyProblem(key);
  const source = key.slice(0, colon);
  const name = key.slice(colon + 1);
  if (!(SELECTOR_SOURCES as readonly string[]).includes(source)) {
    return `unknown label source '${source}' in '${key}' (expected one of: ${SELECTOR_SOURCES.join(', ')})`;
  }
  if (source === 'reserved' && !RESERVED_LABELS.includes(name)) {
    return `unknown reserved label '${key}' (expected one of: ${RESERVED_LABELS.map((n) => `reserved:${n}`).join(', ')})`;
  }
  return labelKeyProblem(name);
}

type Requirement = LabelSelector['matchExpressions'][number];

const readRequirement: Reader<Requirement> = (src, e) => {
  const m = readMap(src, e, 'selectorRequirement');
  if (!m) return undefined;
  const key = m.req('key', str);
  if (key) {
    const problem = selectorKeyProblem(key.value);
    if (problem) src.report(key.pos, problem);
  }
  const operator = m.req('operator', oneOf<SelectorOperator>(SELECTOR_OPERATORS));
  const values = m.opt('values', listOf(str));
  if (operator) checkValues(src, operator.value, values, m.entry('values')?.pos ?? m.pos);
  if (!key || !operator) return undefined;
  return { key: key.value, operator: operator.value, values: (values ?? []).map((v) => v.value) };
};

/** As in Kubernetes: In/NotIn need values, Exists/DoesNotExist take none. */
function checkValues(src: Source, op: SelectorOperator, values: Array<Field<string>> | undefined, pos: Position): void {
  const needsValues = op === 'In' || op === 'NotIn';
  if (needsValues && !values?.length) src.report(pos, `operator ${op} requires a non-empty 'values' list`);
  if (!needsValues && values?.length) src.report(pos, `'values' must be empty for operator ${op}`);
}
