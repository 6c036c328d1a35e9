// Pieces shared by the Cilium and the Kubernetes policy readers: label selectors (with
// or without Cilium label sources) and IPv4 prefixes with their exceptions.
import { RESERVED_IDENTITIES } from '../cilium/identities.js';
import type { Position } from '../errors.js';
import { formatPrefix, parseIpv4, parseIpv4Prefix, prefixContains, type Ipv4Prefix } from '../net/ip.js';
import { labelKeyProblem, labelValueProblem } from './checks.js';
import { SELECTOR_OPERATORS } from './fields.js';
import { listOf, oneOf, readMap, str, stringMap, type Entry, type Field, type MapView, type Reader, type Source } from './raw.js';
import type { LabelSelector, SelectorOperator } from './types.js';
import { isIpv6 } from '../net/ipv6.js';

/** Label sources an endpoint selector may name (pkg/labels in Cilium v1.13). */
const SELECTOR_SOURCES = ['any', 'k8s', 'reserved', 'container', 'unspec'] as const;
const RESERVED_LABELS = Object.keys(RESERVED_IDENTITIES).filter((n) => n !== 'unknown');

// ---- CIDRs ------------------------------------------------------------------------------

/**
 * An IPv4 prefix as Cilium parses it (netip.ParsePrefix): host bits are allowed and
 * masked. `bare` also takes a plain address, meaning /32 (api.CIDR, fromCIDR/toCIDR).
 * null: an IPv6 prefix, which IPv4 traces never match (the caller sets it aside).
 */
export function cidrValue(text: string, label: string, bare: boolean): Ipv4Prefix | string | null {
  if (isIpv6(text)) return null;
  if (bare && !text.includes('/')) {
    const ip = parseIpv4(text);
    return ip === undefined ? `invalid ${label} '${text}' (expected an IPv4 prefix, e.g. 10.0.0.0/8, or an address)` : { addr: ip, len: 32 };
  }
  const p = parseIpv4Prefix(text, false);
  if (!p) return `invalid ${label} '${text}' (expected an IPv4 prefix, e.g. 10.0.0.0/8)`;
  return p;
}

/** `inner` lies inside `outer` (and `strict`: is smaller than it). */
export function prefixInside(outer: Ipv4Prefix, inner: Ipv4Prefix, strict: boolean): boolean {
  return prefixContains(outer, inner.addr) && (strict ? inner.len > outer.len : inner.len >= outer.len);
}

/** Reads a prefix; an IPv6 one is set aside (noted once for the whole load) and gives IPV6_SET_ASIDE. */
export function cidrReader(label: string, bare: boolean): Reader<Field<Ipv4Prefix> | typeof IPV6_SET_ASIDE> {
  return (src, e) => {
    const s = str(src, e);
    if (!s) return undefined;
    const v = cidrValue(s.value, label, bare);
    if (v === null) {
      src.sink.ipv6.push({ what: 'policy CIDR', pos: e.pos });
      return IPV6_SET_ASIDE;
    }
    return typeof v === 'string' ? src.report(e.pos, v) : { value: v, pos: e.pos };
  };
}

/** An IPv6 prefix read and set aside: IPv4 traces never match it. */
export const IPV6_SET_ASIDE = 'ipv6' as const;

/** Excepts of a CIDR set or ipBlock, each inside the allowed prefix. */
export function readExcepts(m: MapView, cidr: Ipv4Prefix | undefined, strict: boolean): Ipv4Prefix[] | undefined {
  const read = m.opt('except', listOf(cidrReader('except CIDR', false)));
  const items = read?.flatMap((x) => (x === IPV6_SET_ASIDE ? [] : [x]));
  if (!items || !cidr) return items?.map((x) => x.value);
  for (const x of items) {
    if (prefixInside(cidr, x.value, strict)) continue;
    const how = strict ? 'a strict subset of' : 'inside';
    m.src.report(x.pos, `except ${formatPrefix(x.value)} is not ${how} cidr ${formatPrefix(cidr)}`);
  }
  return items.map((x) => x.value);
}

// ---- selectors --------------------------------------------------------------------------

/** A Cilium endpoint selector: keys may carry a label source (`k8s:app`, `reserved:host`). */
export const readSelector: Reader<LabelSelector> = (src, e) => selector(src, e, selectorKeyProblem);

/** A Kubernetes label selector (NetworkPolicy): plain label keys. */
export const readK8sSelector: Reader<LabelSelector> = (src, e) => selector(src, e, k8sKeyProblem);

function k8sKeyProblem(key: string): string | undefined {
  const colon = key.indexOf(':');
  if (colon > 0 && (SELECTOR_SOURCES as readonly string[]).includes(key.slice(0, colon))) {
    return `invalid label key '${key}' (label sources such as '${key.slice(0, colon + 1)}' are for Cilium policies; a NetworkPolicy selector takes plain label keys)`;
  }
  return labelKeyProblem(key);
}

type KeyCheck = (key: string) => string | undefined;

function selector(src: Source, e: Entry, keyProblem: KeyCheck): LabelSelector | undefined {
  const m = readMap(src, e, 'selector');
  if (!m) return undefined;
  const labels = m.opt('matchLabels', matchLabels(keyProblem)) ?? {};
  const expressions = m.opt('matchExpressions', listOf(requirement(keyProblem))) ?? [];
  return { matchLabels: labels, matchExpressions: expressions, pos: m.pos };
}

function matchLabels(keyProblem: KeyCheck): Reader<Record<string, string>> {
  return (src, e) => {
    const pairs = stringMap('label')(src, e);
    if (!pairs) return undefined;
    for (const { key, value } of pairs) {
      const problem = keyProblem(key.value);
      if (problem) src.report(key.pos, problem);
      const valueProblem = labelValueProblem(value.value);
      if (valueProblem) src.report(value.pos, valueProblem);
    }
    return Object.fromEntries(pairs.map(({ key, value }) => [key.value, value.value]));
  };
}

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

function requirement(keyProblem: KeyCheck): Reader<Requirement> {
  return (src, e) => {
    const m = readMap(src, e, 'selectorRequirement');
    if (!m) return undefined;
    const key = m.req('key', str);
    if (key) {
      const problem = keyProblem(key.value);
      if (problem) src.report(key.pos, problem);
    }
    const operator = m.req('operator', oneOf<SelectorOperator>(SELECTOR_OPERATORS));
    const values = m.opt('values', listOf(str));
    if (operator) checkValues(src, operator.value, values, m.entry('values')?.pos ?? m.pos);
    if (!key || !operator) return undefined;
    return { key: key.value, operator: operator.value, values: (values ?? []).map((v) => v.value) };
  };
}

/** As in Kubernetes: In/NotIn need values, Exists/DoesNotExist take none. */
function checkValues(src: Source, op: SelectorOperator, values: Array<Field<string>> | undefined, pos: Position): void {
  const needsValues = op === 'In' || op === 'NotIn';
  if (needsValues && !values?.length) src.report(pos, `operator ${op} requires a non-empty 'values' list`);
  if (!needsValues && values?.length) src.report(pos, `'values' must be empty for operator ${op}`);
}
