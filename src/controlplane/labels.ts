// Security labels of a pod, as the Cilium v1.13 agent computes them.
// Mirrors pkg/k8s/labels.go / pkg/k8s/watchers/pod.go (labels the agent adds: pod namespace,
// every label of the pod's Namespace under io.cilium.k8s.namespace.labels, service account,
// cluster name) and pkg/labelsfilter/filter.go (defaultLabelPrefixCfg: which labels count for
// the identity). Selectors over these labels live in selector.ts.
import type { NamespaceSpec, PodSpec } from '../scenario/types.js';

/** A label as `source:key=value`. */
export interface Label {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

export function formatLabel(l: Label): string {
  return l.value === '' ? `${l.source}:${l.key}` : `${l.source}:${l.key}=${l.value}`;
}

/** pkg/k8s/apis/cilium.io/const.go */
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const POD_NAMESPACE_META_LABELS = 'io.cilium.k8s.namespace.labels';
export const POLICY_LABEL_SERVICEACCOUNT = 'io.cilium.k8s.policy.serviceaccount';
export const POLICY_LABEL_CLUSTER = 'io.cilium.k8s.policy.cluster';
/** Set on every Namespace by the API server (Kubernetes 1.21+). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * defaultLabelPrefixCfg (pkg/labelsfilter/filter.go): regular expressions that must match at
 * the start of the key; `!` marks an ignore prefix. A label is an identity label when no
 * ignore prefix matches, or when the longest include match is longer than the longest ignore
 * match (LabelPrefix.matches returns the end of the match; filterLabels compares them).
 */
const DEFAULT_PREFIXES: ReadonlyArray<{ readonly ignore: boolean; readonly re: RegExp }> = [
  POD_NAMESPACE_LABEL,
  POD_NAMESPACE_META_LABELS,
  'app.kubernetes.io',
  '!io.kubernetes',
  '!kubernetes\\.io',
  '!.*beta\\.kubernetes\\.io',
  '!k8s\\.io',
  '!pod-template-generation',
  '!pod-template-hash',
  '!controller-revision-hash',
  '!annotation.*',
  '!etcd_node',
].map((e) => {
  const ignore = e.startsWith('!');
  return { ignore, re: new RegExp(`^(?:${ignore ? e.slice(1) : e})`) };
});

/** labelsfilter: does this (k8s-source) label key count for the security identity? */
export function isIdentityLabel(key: string): boolean {
  let included = 0;
  let ignored = 0;
  for (const p of DEFAULT_PREFIXES) {
    const m = p.re.exec(key);
    if (!m) continue;
    if (p.ignore) ignored = Math.max(ignored, m[0].length);
    else included = Math.max(included, m[0].length);
  }
  return ignored === 0 || included > ignored;
}

/** The labels of a Namespace as the agent sees them: as written plus kubernetes.io/metadata.name. */
export function namespaceLabels(namespaces: readonly NamespaceSpec[], name: string): Record<string, string> {
  const ns = namespaces.find((n) => n.name === name);
  return { ...(ns?.labels ?? {}), [NAMESPACE_NAME_LABEL]: name };
}

/**
 * The identity labels of a pod, sorted by key as the allocator's canonical key is: the pod's
 * own labels, the namespace's labels, the namespace, service account and cluster name, all
 * with source `k8s`, after the label filter.
 */
export function podSecurityLabels(pod: PodSpec, clusterName: string, nsLabels: Readonly<Record<string, string>>): Label[] {
  const all: Label[] = [];
  for (const [key, value] of Object.entries(pod.labels)) all.push({ source: 'k8s', key, value });
  for (const [key, value] of Object.entries(nsLabels)) all.push({ source: 'k8s', key: `${POD_NAMESPACE_META_LABELS}.${key}`, value });
  all.push({ source: 'k8s', key: POD_NAMESPACE_LABEL, value: pod.namespace });
  all.push({ source: 'k8s', key: POLICY_LABEL_SERVICEACCOUNT, value: pod.serviceAccount });
  all.push({ source: 'k8s', key: POLICY_LABEL_CLUSTER, value: clusterName });
  const byKey = new Map<string, Label>();
  for (const l of all) if (isIdentityLabel(l.key)) byKey.set(l.key, l); // agent labels win over pod labels of the same key
  return sortLabels([...byKey.values()]);
}

export function sortLabels(labels: readonly Label[]): Label[] {
  return [...labels].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

const KEYS = new WeakMap<readonly Label[], string>();

/** Canonical allocator key: `source:key=value;` for each label, sorted by key. */
export function labelsKey(labels: readonly Label[]): string {
  // Label arrays are not changed once built; pods that share one share its key.
  let key = KEYS.get(labels);
  if (key === undefined) {
    key = sortLabels(labels).map((l) => `${l.source}:${l.key}=${l.value};`).join('');
    KEYS.set(labels, key);
  }
  return key;
}
