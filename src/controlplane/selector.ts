// Endpoint selectors as the v1.13 agent holds them after parsing (pkg/policy/api/selector.go
// EndpointSelector over pkg/labels): a conjunction of requirements on `source.key` labels,
// where source `any` matches every source. matchLabels {k: v} is `k In (v)`. A selector with
// no requirement is the wildcard (api.WildcardEndpointSelector): it selects every identity
// and becomes identity 0 in the policy map.
import type { LabelSelector, SelectorOperator } from '../scenario/types.js';
import type { Label } from './labels.js';
import { maskOf, parseIpv4Prefix, type Ipv4Prefix } from '../net/ip.js';

export interface Requirement {
  readonly source: string; // 'any' | 'k8s' | 'reserved' | 'cidr' | …
  readonly key: string;
  readonly op: SelectorOperator;
  readonly values: readonly string[];
}

export interface Selector {
  /** Requirements, sorted and deduplicated; empty = wildcard. */
  readonly reqs: readonly Requirement[];
  /** Canonical text, the SelectorCache key (the scoped selector, not as written). */
  readonly id: string;
}

/** Splits a selector key `src:key` into source and key; no source means `any`. */
export function parseSelectorKey(k: string, defaultSource = 'any'): { source: string; key: string } {
  const i = k.indexOf(':');
  if (i <= 0) return { source: defaultSource, key: k };
  return { source: k.slice(0, i), key: k.slice(i + 1) };
}

function reqText(r: Requirement): string {
  const k = `${r.source}:${r.key}`;
  switch (r.op) {
    case 'In': return r.values.length === 1 ? `${k}=${r.values[0]}` : `${k} in (${r.values.join(',')})`;
    case 'NotIn': return `${k} notin (${r.values.join(',')})`;
    case 'Exists': return k;
    case 'DoesNotExist': return `!${k}`;
  }
}

export function makeSelector(reqs: readonly Requirement[]): Selector {
  const byText = new Map<string, Requirement>();
  for (const r of reqs) {
    const norm: Requirement = { ...r, values: [...new Set(r.values)].sort() };
    byText.set(reqText(norm), norm);
  }
  const sorted = [...byText.keys()].sort();
  return { reqs: sorted.map((t) => byText.get(t) as Requirement), id: sorted.length ? `{${sorted.join(', ')}}` : '{}' };
}

export const WILDCARD: Selector = makeSelector([]);

export function isWildcard(s: Selector): boolean {
  return s.reqs.length === 0;
}

/**
 * api.NewESFromK8sLabelSelector: matchLabels and matchExpressions as requirements. Keys
 * without a source get `defaultSource` (`any` for Cilium policies, `k8s` for NetworkPolicy,
 * which prefixes every key with `k8s.`).
 */
export function requirementsOf(sel: LabelSelector, defaultSource: string, keyPrefix = ''): Requirement[] {
  const out: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels)) {
    const { source, key } = parseSelectorKey(k, defaultSource);
    out.push({ source, key: keyPrefix + key, op: 'In', values: [v] });
  }
  for (const e of sel.matchExpressions) {
    const { source, key } = parseSelectorKey(e.key, defaultSource);
    out.push({ source, key: keyPrefix + key, op: e.operator, values: e.values });
  }
  return out;
}

/**
 * The first label with this key from a matching source (LabelArray.Get / Has). A `cidr:`
 * requirement also matches a cidr label of a prefix it contains (Label.HasKey,
 * pkg/labels/labels.go@1.16.0): v1.16+ CIDR identities carry only their own prefix; on
 * v1.13.0 identities, which carry every shorter prefix too, the exact label is found first.
 */
function find(labels: readonly Label[], r: Requirement): Label | undefined {
  const exact = labels.find((l) => l.key === r.key && (r.source === 'any' || l.source === r.source));
  if (exact || r.source !== 'cidr') return exact;
  const outer = prefixOf(r.key);
  if (!outer) return undefined;
  return labels.find((l) => {
    if (l.source !== 'cidr') return false;
    const inner = prefixOf(l.key);
    return inner !== undefined && inner.len >= outer.len && ((inner.addr & maskOf(outer.len)) >>> 0) === outer.addr;
  });
}

const PREFIXES = new Map<string, Ipv4Prefix | undefined>();
function prefixOf(key: string): Ipv4Prefix | undefined {
  if (!key.includes('/')) return undefined;
  if (!PREFIXES.has(key)) PREFIXES.set(key, parseIpv4Prefix(key, false));
  return PREFIXES.get(key);
}

/** k8s labels.Selector.Matches over a LabelArray, as EndpointSelector.Matches does. */
export function selectorMatches(s: Selector, labels: readonly Label[]): boolean {
  for (const r of s.reqs) {
    const l = find(labels, r);
    switch (r.op) {
      case 'In': if (!l || !r.values.includes(l.value)) return false; break;
      case 'NotIn': if (l && r.values.includes(l.value)) return false; break;
      case 'Exists': if (!l) return false; break;
      case 'DoesNotExist': if (l) return false; break;
    }
  }
  return true;
}

/** EndpointSelector.HasKey: a requirement on exactly `source:key`. */
export function hasKey(s: Selector, source: string, key: string): boolean {
  return s.reqs.some((r) => r.source === source && r.key === key);
}

/** EndpointSelector.HasKeyPrefix with a label source as prefix (e.g. `reserved`). */
export function hasSource(s: Selector, source: string): boolean {
  return s.reqs.some((r) => r.source === source);
}

/** A selector as the user wrote it, for messages and provenance: `{org=empire}`. */
export function formatLabelSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions) parts.push(`${e.key} ${e.operator}${e.values.length ? ` (${e.values.join(',')})` : ''}`);
  return `{${parts.join(', ')}}`;
}
