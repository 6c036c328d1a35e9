// Why a selector that selects nothing nearly selected something: the pods that fail exactly
// one of its requirements, when that one is telling (the namespace the rule is scoped to, a
// value a typo away, or one label off while another written label matches). Computed over
// the identities' labels, as the selector cache matches them.
import { levenshtein } from '../util/similar.js';
import type { Cluster } from './cluster.js';
import type { Label } from './labels.js';
import { makeSelector, selectorMatches, type Requirement, type Selector } from './selector.js';

const NS_KEY = 'io.kubernetes.pod.namespace';

export interface NearMiss {
  readonly pod: string;
  /** `namespace kube-system, not shop`, `app=web, not wbe`, `no label app`. */
  readonly why: string;
  readonly wrongNamespace: boolean;
}

function isNs(r: Requirement): boolean {
  return r.key === NS_KEY && (r.source === 'k8s' || r.source === 'any');
}

/** Levenshtein distance: values a typo apart are within 2. */
const distance = levenshtein;

function valueOf(labels: readonly Label[], r: Requirement): string | undefined {
  return labels.find((l) => l.key === r.key && (r.source === 'any' || l.source === r.source))?.value;
}

function describe(r: Requirement, labels: readonly Label[]): { why: string; typo: boolean } {
  const v = valueOf(labels, r);
  const written = r.values.join('|');
  if (isNs(r)) return { why: `namespace ${v ?? '?'}, not ${written}`, typo: false };
  switch (r.op) {
    case 'In': return v === undefined ? { why: `no label ${r.key}`, typo: false } : { why: `${r.key}=${v}, not ${written}`, typo: r.values.some((w) => distance(w, v) <= 2) };
    case 'NotIn': return { why: `${r.key}=${v ?? ''} is excluded`, typo: false };
    case 'Exists': return { why: `no label ${r.key}`, typo: false };
    case 'DoesNotExist': return { why: `has label ${r.key}`, typo: false };
  }
}

/** Pods (NAMESPACE/NAME, one per pod) that fail exactly one telling requirement of `sel`. */
export function nearMisses(cluster: Cluster, sel: Selector): NearMiss[] {
  const out: NearMiss[] = [];
  const seen = new Set<string>();
  for (const ep of cluster.endpoints) {
    const pod = `${ep.pod.namespace}/${ep.pod.name}`;
    if (seen.has(pod)) continue;
    seen.add(pod);
    const labels = cluster.identities.get(ep.identity)?.labels ?? [];
    const failing = sel.reqs.filter((r) => !selectorMatches(makeSelector([r]), labels));
    if (failing.length !== 1) continue;
    const miss = failing[0] as Requirement;
    const d = describe(miss, labels);
    const otherWrittenMatch = sel.reqs.some((r) => r !== miss && !isNs(r));
    if (isNs(miss) || d.typo || otherWrittenMatch) out.push({ pod, why: d.why, wrongNamespace: isNs(miss) });
  }
  return out;
}

/** ` (nearly matches shop/a: app=web, not wbe; … and 3 more)`, or '' when none. */
export function nearMissText(misses: readonly NearMiss[], peer: boolean): string {
  if (misses.length === 0) return '';
  const shown = misses.slice(0, 3).map((m) => `${m.pod}: ${m.why}`).join('; ');
  const more = misses.length > 3 ? `; and ${misses.length - 3} more` : '';
  const ns = [...new Set(misses.filter((m) => m.wrongNamespace).map((m) => m.pod.split('/')[0]))];
  const hint = peer && misses.every((m) => m.wrongNamespace)
    ? `; a namespaced policy scopes its peers to its own namespace: add k8s:${NS_KEY}: ${ns.join('|')} to the selector` : '';
  return ` (nearly matches ${shown}${more}${hint})`;
}
