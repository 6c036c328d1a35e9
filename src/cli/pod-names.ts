// Naming pods as an SRE does: a pod (NAME or NS/NAME), a workload (NS/NAME of a Deployment,
// ReplicaSet, StatefulSet, DaemonSet, Job, CronJob: the pods it owns, found through
// ownerReferences or, where those or the controllers are missing, the generated-name
// patterns), or a label selector (NS/KEY=VALUE[,KEY=VALUE…]). One name may stand for several
// pods, sorted by namespace/name: a single trace takes the first.
import type { Cluster } from '../controlplane/cluster.js';
import type { PodSpec, Scenario, WorkloadSpec } from '../scenario/types.js';
import { nameHint } from '../util/similar.js';

/** What a name found: at least one pod, sorted; `by` says how, unless it was a pod's own name. */
export interface PodMatch {
  readonly pods: readonly PodSpec[];
  readonly by?: string;
}

/** A match, a problem to report (ambiguous, bad selector, no pod with the labels), or nothing. */
export type PodLookup = PodMatch | { readonly problem: string } | undefined;

const fullName = (p: PodSpec): string => `${p.namespace}/${p.name}`;
const byFullName = (a: PodSpec, b: PodSpec): number => (fullName(a) < fullName(b) ? -1 : fullName(a) > fullName(b) ? 1 : 0);

interface Workload {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Found by the name pattern only (no ownerReferences, or the controller is not in the input). */
  readonly guessed: boolean;
  readonly pods: PodSpec[];
}

// kube-controller-manager's names: <deployment>-<pod-template-hash>-<5>, <statefulset>-<ordinal>,
// <daemonset or job>-<5>. Without the controllers' labels a Deployment pod's hash must hold a
// digit, so that node-exporter-7xk2p does not read as Deployment "node".
const DEPLOYMENT_POD = /^(.+)-([a-z0-9]{6,10})-[a-z0-9]{5}$/;
const REPLICASET = /^(.+)-([a-z0-9]{6,10})$/;
const STATEFULSET_POD = /^(.+)-(\d+)$/;
const DAEMONSET_POD = /^(.+)-[a-z0-9]{5}$/;

type Add = (kind: string, name: string, guessed: boolean) => void;

/** The Deployment of a ReplicaSet: its owner when the ReplicaSet is in the input, else its name without the hash. */
function replicaSetOwner(pod: PodSpec, rs: string, controllers: ReadonlyMap<string, WorkloadSpec>, add: Add): void {
  const known = controllers.get(`${pod.namespace}/ReplicaSet/${rs}`);
  if (known) {
    if (known.owner) add(known.owner.kind, known.owner.name, false);
    return;
  }
  const hash = pod.labels['pod-template-hash'];
  if (hash !== undefined) {
    if (rs.endsWith(`-${hash}`) && rs.length > hash.length + 1) add('Deployment', rs.slice(0, -hash.length - 1), true);
    return;
  }
  const m = REPLICASET.exec(rs);
  if (m && /\d/.test(m[2] as string)) add('Deployment', m[1] as string, true);
}

/** Every workload name a pod answers to. */
function workloadsOf(pod: PodSpec, controllers: ReadonlyMap<string, WorkloadSpec>, add: Add): void {
  const owner = pod.owner;
  if (owner) {
    add(owner.kind, owner.name, false);
    if (owner.kind === 'ReplicaSet') replicaSetOwner(pod, owner.name, controllers, add);
    else {
      const up = controllers.get(`${pod.namespace}/${owner.kind}/${owner.name}`)?.owner; // a Job's CronJob
      if (up) add(up.kind, up.name, false);
    }
    return;
  }
  // The labels the controllers put on their pods decide, else the name pattern alone.
  const labels = pod.labels;
  const job = labels['job-name'];
  if (job !== undefined) return add('Job', job, true);
  const hash = labels['pod-template-hash'];
  const d = DEPLOYMENT_POD.exec(pod.name);
  const rs = hash !== undefined ? pod.name.slice(0, -6) : d ? `${d[1]}-${d[2]}` : undefined;
  if (rs !== undefined && (hash !== undefined ? rs.endsWith(`-${hash}`) && /^-[a-z0-9]{5}$/.test(pod.name.slice(-6)) : /\d/.test(d?.[2] ?? ''))) {
    add('ReplicaSet', rs, true);
    replicaSetOwner(pod, rs, controllers, add);
    return;
  }
  const s = STATEFULSET_POD.exec(pod.name);
  if (s && labels['pod-template-generation'] === undefined) return add('StatefulSet', s[1] as string, true);
  const ds = DAEMONSET_POD.exec(pod.name);
  if (ds) add('DaemonSet', ds[1] as string, true);
}

interface WorkloadIndex {
  /** By namespace/name, and by name alone (any namespace). */
  readonly byFull: ReadonlyMap<string, Workload[]>;
  readonly byName: ReadonlyMap<string, Workload[]>;
  readonly names: readonly string[];
}

const INDEX = new WeakMap<Scenario, WorkloadIndex>();

/** Made on the first name that is not a pod's, once per cluster. */
function workloadIndex(scenario: Scenario): WorkloadIndex {
  const hit = INDEX.get(scenario);
  if (hit) return hit;
  const controllers = new Map((scenario.workloads ?? []).map((w) => [`${w.namespace}/${w.kind}/${w.name}`, w] as const));
  const all = new Map<string, Workload>();
  for (const pod of [...scenario.pods].sort(byFullName)) {
    workloadsOf(pod, controllers, (kind, name, guessed) => {
      const key = `${pod.namespace}/${kind}/${name}`;
      const w = all.get(key);
      if (w) w.pods.push(pod);
      else all.set(key, { kind, namespace: pod.namespace, name, guessed, pods: [pod] });
    });
  }
  const byFull = new Map<string, Workload[]>();
  const byName = new Map<string, Workload[]>();
  for (const w of all.values()) {
    push(byFull, `${w.namespace}/${w.name}`, w);
    push(byName, w.name, w);
  }
  const index = { byFull, byName, names: [...byFull.keys()] };
  INDEX.set(scenario, index);
  return index;
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** `NS/REST` or `REST`; a head with a dot (app.kubernetes.io/name=x) is a label key's prefix, not a namespace. */
function splitNamespace(scenario: Scenario, text: string): { ns: string | undefined; rest: string } {
  const slash = text.indexOf('/');
  if (slash <= 0) return { ns: undefined, rest: text };
  const head = text.slice(0, slash);
  const rest = text.slice(slash + 1);
  const labelPrefix = head.includes('.') || head.includes('=') || (rest.includes('=') && !scenario.namespaces.some((n) => n.name === head));
  return labelPrefix ? { ns: undefined, rest: text } : { ns: head, rest };
}

const describeWorkload = (w: Workload): string => `${w.kind} ${w.namespace}/${w.name}${w.guessed ? ' (by its pods\' names)' : ''}`;

/** Pods named by a label selector: KEY=VALUE pairs, all of which must match. */
function bySelector(scenario: Scenario, ns: string | undefined, text: string): PodLookup {
  const pairs = text.split(',').map((p) => /^([^=!\s]+)==?([^=,\s]*)$/.exec(p));
  if (pairs.some((m) => !m)) return { problem: `bad label selector '${text}' (expected KEY=VALUE[,KEY=VALUE…], e.g. app=web)` };
  const want = pairs.map((m) => [m?.[1] as string, m?.[2] as string] as const);
  const scope = scenario.pods.filter((p) => ns === undefined || p.namespace === ns);
  const where = ns === undefined ? '' : ` in namespace ${ns}`;
  const pods = scope.filter((p) => want.every(([k, v]) => p.labels[k] === v)).sort(byFullName);
  if (pods.length > 0) return { pods, by: `label selector ${want.map(([k, v]) => `${k}=${v}`).join(',')}${where}` };
  const missing = want.find(([k, v]) => !scope.some((p) => p.labels[k] === v));
  if (!missing) return { problem: `no pod${where} has all of the labels ${text} (each alone matches some)` };
  const present = new Set<string>();
  for (const p of scope) for (const k in p.labels) present.add(`${k}=${p.labels[k]}`);
  return { problem: `no pod${where} has the label ${missing[0]}=${missing[1]} (closest labels: ${nameHint(`${missing[0]}=${missing[1]}`, [...present])})` };
}

/**
 * The pods a name stands for: a pod's own name first, then a workload, or a label selector
 * when the name holds `=`. Undefined when nothing answers to it (see closestNames).
 */
export function findPods(cluster: Cluster, text: string): PodLookup {
  const scenario = cluster.scenario;
  const { ns, rest } = splitNamespace(scenario, text);
  if (rest.includes('=')) return bySelector(scenario, ns, rest);
  const own = scenario.pods.filter((p) => p.name === rest && (ns === undefined || p.namespace === ns));
  if (own.length === 1) return { pods: own };
  if (own.length > 1) return { problem: `pod name '${text}' is ambiguous (expected one of: ${nameHint(text, own.map(fullName))})` };
  const index = workloadIndex(scenario);
  const hits = (ns === undefined ? index.byName.get(rest) : index.byFull.get(`${ns}/${rest}`)) ?? [];
  if (hits.length > 1) return { problem: `workload name '${text}' is ambiguous (expected one of: ${nameHint(text, hits.map((w) => `${w.namespace}/${w.name} (${w.kind})`))})` };
  const w = hits[0];
  return w ? { pods: w.pods, by: describeWorkload(w) } : undefined;
}

/** The ten names (pods and workloads, namespace/name) closest to one that names nothing. */
export function closestNames(cluster: Cluster, text: string): string {
  const names = new Set<string>(cluster.scenario.pods.map(fullName));
  for (const n of workloadIndex(cluster.scenario).names) names.add(n);
  const typedNs = text.includes('/');
  return nameHint(text, [...names], 10, typedNs ? undefined : (n) => n.slice(n.indexOf('/') + 1));
}

/** A note when a name stood for several pods: which one is traced. */
export function choiceNote(role: string, text: string, m: PodMatch): string | undefined {
  const [first] = m.pods;
  if (m.pods.length < 2 || !first || !m.by) return undefined;
  return `${role} ${text}: ${m.by}, ${m.pods.length} pods; tracing the first by name, ${fullName(first)}`;
}
