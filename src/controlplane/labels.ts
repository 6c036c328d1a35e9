// Security labels of a pod and label selectors, as Cilium v1.13 computes and matches them.
// Mirrors pkg/k8s/labels.go (labels the agent adds), pkg/labelsfilter/filter.go (which pod
// labels count for identity) and pkg/labels + pkg/policy/api selectors (source-aware match:
// `any:` or no source matches every source).
import type { LabelSelector, PodSpec } from '../scenario/types.js';

/** A label as `source:key=value`. */
export interface Label {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

export function formatLabel(l: Label): string {
  return l.value === '' ? `${l.source}:${l.key}` : `${l.source}:${l.key}=${l.value}`;
}

const EXCLUDED_KEYS = new Set(['pod-template-generation', 'pod-template-hash', 'controller-revision-hash', 'etcd_node']);

/** labelsfilter defaults: drop Kubernetes-internal labels that would split identities. */
export function isIdentityLabel(key: string): boolean {
  if (EXCLUDED_KEYS.has(key)) return false;
  if (key.startsWith('app.kubernetes.io')) return true;
  if (key.startsWith('io.kubernetes') || key.startsWith('kubernetes.io') || key.includes('beta.kubernetes.io') || key.startsWith('k8s.io') || key.startsWith('annotation.')) return false;
  return true;
}

/** The identity labels of a pod, sorted by key as the allocator's canonical key is. */
export function podSecurityLabels(pod: PodSpec, clusterName: string): Label[] {
  const out: Label[] = [];
  for (const [key, value] of Object.entries(pod.labels)) if (isIdentityLabel(key)) out.push({ source: 'k8s', key, value });
  out.push({ source: 'k8s', key: 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name', value: pod.namespace });
  out.push({ source: 'k8s', key: 'io.cilium.k8s.policy.cluster', value: clusterName });
  out.push({ source: 'k8s', key: 'io.cilium.k8s.policy.serviceaccount', value: pod.serviceAccount });
  out.push({ source: 'k8s', key: 'io.kubernetes.pod.namespace', value: pod.namespace });
  return sortLabels(out);
}

export function sortLabels(labels: readonly Label[]): Label[] {
  return [...labels].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/** Canonical allocator key: `source:key=value;` for each label, sorted by key. */
export function labelsKey(labels: readonly Label[]): string {
  return sortLabels(labels).map((l) => `${l.source}:${l.key}=${l.value};`).join('');
}

/** Splits a selector key `src:key` into source and key; no source means `any`. */
export function parseSelectorKey(k: string): { source: string; key: string } {
  const i = k.indexOf(':');
  if (i <= 0) return { source: 'any', key: k };
  return { source: k.slice(0, i), key: k.slice(i + 1) };
}

function findLabel(labels: readonly Label[], selKey: string): Label | undefined {
  const { source, key } = parseSelectorKey(selKey);
  return labels.find((l) => l.key === key && (source === 'any' || l.source === source));
}

/** A selector after policy-namespace scoping: extra required labels added by the agent. */
export interface ScopedSelector {
  readonly selector: LabelSelector;
  readonly extra: Readonly<Record<string, string>>; // e.g. {'k8s:io.kubernetes.pod.namespace': 'default'}
}

export function selectorMatches(sel: ScopedSelector, labels: readonly Label[]): boolean {
  for (const [k, v] of [...Object.entries(sel.extra), ...Object.entries(sel.selector.matchLabels)]) {
    if (findLabel(labels, k)?.value !== v) return false;
  }
  for (const e of sel.selector.matchExpressions) {
    const l = findLabel(labels, e.key);
    switch (e.operator) {
      case 'In': if (!l || !e.values.includes(l.value)) return false; break;
      case 'NotIn': if (l && e.values.includes(l.value)) return false; break;
      case 'Exists': if (!l) return false; break;
      case 'DoesNotExist': if (l) return false; break;
    }
  }
  return true;
}

/** True when the selector already constrains the namespace, so the agent adds nothing. */
export function selectorNamesNamespace(sel: LabelSelector): boolean {
  const named = (k: string) => parseSelectorKey(k).key === 'io.kubernetes.pod.namespace';
  return Object.keys(sel.matchLabels).some(named) || sel.matchExpressions.some((e) => named(e.key));
}

export function formatSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions) parts.push(`${e.key} ${e.operator}${e.values.length ? ` (${e.values.join(',')})` : ''}`);
  return parts.length ? parts.join(',') : '{}';
}
