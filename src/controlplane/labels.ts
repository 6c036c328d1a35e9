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

/** One prefix of the label filter: a regular expression anchored at the key's start. */
interface LabelPrefix {
  readonly ignore: boolean;
  /** The label source it applies to ('' = any), e.g. `k8s` in `k8s:app`. */
  readonly source: string;
  readonly re: RegExp;
}

/**
 * The agent's label filter (pkg/labelsfilter/filter.go of v1.13.0): the default prefixes of
 * defaultLabelPrefixCfg (:185-214) and those of the `labels` option. `whitelist` is set once
 * one of the latter includes (ParseLabelPrefixCfg, :141): then only included labels count.
 */
export interface LabelFilter {
  readonly prefixes: readonly LabelPrefix[];
  readonly whitelist: boolean;
  /** The `labels` option as given (empty: the default filter). */
  readonly custom: readonly string[];
}

const DEFAULT_EXPRESSIONS: readonly string[] = [
  'reserved:.*',
  POD_NAMESPACE_LABEL.replace(/\./g, '\\.'),
  POD_NAMESPACE_META_LABELS.replace(/\./g, '\\.'),
  'app\\.kubernetes\\.io',
  '!io\\.kubernetes',
  '!kubernetes\\.io',
  '!.*beta\\.kubernetes\\.io',
  '!k8s\\.io',
  '!pod-template-generation',
  '!pod-template-hash',
  '!controller-revision-hash',
  '!annotation.*',
  '!etcd_node',
];

/** parseLabelPrefix (filter.go:80-107): `[source:][!]regexp`; undefined when JS cannot compile it. */
function parseLabelPrefix(text: string): LabelPrefix | undefined {
  const i = text.indexOf(':');
  const source = i >= 0 ? text.slice(0, i) : '';
  let prefix = i >= 0 ? text.slice(i + 1) : text;
  const ignore = prefix.startsWith('!');
  if (ignore) prefix = prefix.slice(1);
  if (prefix === '') return undefined;
  try {
    return { ignore, source, re: new RegExp(prefix) };
  } catch {
    return undefined;
  }
}

/** The `labels` entries the filter cannot use (not a regular expression JavaScript accepts). */
export function badLabelPrefixes(custom: readonly string[]): string[] {
  return custom.filter((t) => t !== '' && !parseLabelPrefix(t));
}

const FILTERS = new Map<string, LabelFilter>();

/** The filter for the `labels` option `custom` (cached: every pod asks). */
export function labelFilter(custom: readonly string[] = []): LabelFilter {
  const key = custom.join('\u0000');
  let f = FILTERS.get(key);
  if (!f) {
    const prefixes = DEFAULT_EXPRESSIONS.map((e) => parseLabelPrefix(e) as LabelPrefix);
    let whitelist = false;
    for (const t of custom) {
      const p = t === '' ? undefined : parseLabelPrefix(t);
      if (!p) continue;
      if (!p.ignore) whitelist = true;
      prefixes.push(p);
    }
    FILTERS.set(key, (f = { prefixes, whitelist, custom: [...custom] }));
  }
  return f;
}

export const DEFAULT_LABEL_FILTER = labelFilter();

/**
 * filterLabels (filter.go:253-300): a label counts for the identity when no include prefix
 * is configured and no ignore prefix matches, or when the longest include match is longer
 * than the shortest ignore match (LabelPrefix.matches, :58-77: a match must start at 0).
 */
export function isIdentityLabel(key: string, filter: LabelFilter = DEFAULT_LABEL_FILTER, source = 'k8s'): boolean {
  let included = 0;
  let ignored = 0;
  for (const p of filter.prefixes) {
    if (p.source !== '' && p.source !== source) continue;
    const m = p.re.exec(key);
    if (!m || m.index !== 0) continue;
    const len = m[0].length;
    if (p.ignore) {
      if (ignored === 0 || len < ignored) ignored = len;
    } else if (len > included) included = len;
  }
  return (!filter.whitelist && ignored === 0) || included > ignored;
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
export function podSecurityLabels(pod: PodSpec, clusterName: string, nsLabels: Readonly<Record<string, string>>, filter: LabelFilter = DEFAULT_LABEL_FILTER): Label[] {
  const all: Label[] = [];
  for (const [key, value] of Object.entries(pod.labels)) all.push({ source: 'k8s', key, value });
  for (const [key, value] of Object.entries(nsLabels)) all.push({ source: 'k8s', key: `${POD_NAMESPACE_META_LABELS}.${key}`, value });
  all.push({ source: 'k8s', key: POD_NAMESPACE_LABEL, value: pod.namespace });
  all.push({ source: 'k8s', key: POLICY_LABEL_SERVICEACCOUNT, value: pod.serviceAccount });
  all.push({ source: 'k8s', key: POLICY_LABEL_CLUSTER, value: clusterName });
  const byKey = new Map<string, Label>();
  for (const l of all) if (isIdentityLabel(l.key, filter)) byKey.set(l.key, l); // agent labels win over pod labels of the same key
  return sortLabels([...byKey.values()]);
}

/** `source:key=value` (or `source:key`) as CiliumEndpoints and CiliumIdentities list labels. */
export function parseLabel(text: string): Label {
  const colon = text.indexOf(':');
  const source = colon > 0 ? text.slice(0, colon) : 'unspec';
  const rest = colon > 0 ? text.slice(colon + 1) : text;
  const eq = rest.indexOf('=');
  return eq < 0 ? { source, key: rest, value: '' } : { source, key: rest.slice(0, eq), value: rest.slice(eq + 1) };
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
