// The common shape of a running Pod (`kubectl get pods -o yaml`), read straight from the
// YAML model: a large cluster has tens of thousands of pods, and the general reader
// (k8s.ts readPod) makes positioned entries, views and fields for every value it looks at.
// This reader gives up (undefined) whenever anything would need a message, a choice or a
// default the general reader makes — a missing, empty, null or invalid field, IPv6, a
// finished or hostNetwork pod — and the general reader then reads the pod and reports.
// For every pod it accepts it builds exactly the general reader's draft, positions
// included; test/unit/scenario/k8s-pod-fast.test.ts compares the two on generated pods.
import { isMap, isScalar, isSeq, type MapNode, type YNode } from './ast.js';
import { dnsLabel, dnsSubdomain, Invalid, ipAddress, k8sPortName } from './checks.js';
import { K8S_PROTOCOLS } from './fields.js';
import { defaultVethName, validLabels, type PodDraft } from './pods.js';
import { controllerOf } from './owners.js';
import type { Sink, Source } from './raw.js';
import type { PodSpec } from './types.js';

const podName = dnsSubdomain('pod name');
const namespaceName = dnsLabel('namespace');
const serviceAccountName = dnsSubdomain('serviceAccountName');
const serviceAccount = dnsSubdomain('serviceAccount');

/** The value of `key` (the last one, as the general reader takes it), or undefined. */
function valueOf(m: MapNode, key: string): YNode | null | undefined {
  const keys = m.keys;
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i];
    if (isScalar(k) && k.value === key) return m.values[i];
  }
  return undefined;
}

/** A present string value that passes `check`; FAIL for anything else, undefined when absent. */
function checkedString(m: MapNode, key: string, check?: (text: string) => string | Invalid): string | undefined | typeof FAIL {
  const v = valueOf(m, key);
  if (v === undefined) return undefined;
  if (!isScalar(v) || typeof v.value !== 'string' || v.value === '') return FAIL;
  return check && check(v.value) instanceof Invalid ? FAIL : v.value;
}

const FAIL = Symbol('fail');

/**
 * What the pods of one load share: one string for each namespace, node, service account,
 * port name and label value (pods repeat them by the thousand), and the labels object of
 * the previous pod, which the pods of one Deployment (listed together) have equal. The
 * model is read-only, so sharing is invisible; it keeps 100,000 pods in far less memory.
 */
class Shared {
  private readonly strings = new Map<string, string>();
  last: Readonly<Record<string, string>> | undefined;

  text(s: string): string {
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    if (this.strings.size < 100_000) this.strings.set(s, s);
    return s;
  }
}

const SHARED = new WeakMap<Sink, Shared>();

function sharedOf(src: Source): Shared {
  let s = SHARED.get(src.sink);
  if (!s) SHARED.set(src.sink, (s = new Shared()));
  return s;
}

/** The previous pod's labels if `node` writes the same ones (in the same order), else fresh ones; undefined if not valid. */
function labelsOf(node: YNode, shared: Shared): Readonly<Record<string, string>> | undefined {
  const last = shared.last;
  if (last && isMap(node)) {
    let i = 0;
    let same = true;
    for (const k in last) {
      const key = node.keys[i];
      const value = node.values[i];
      if (!isScalar(key) || key.value !== k || !isScalar(value) || value.value !== last[k]) {
        same = false;
        break;
      }
      i++;
    }
    if (same && i === node.keys.length) return last;
  }
  const fresh = validLabels(node);
  if (!fresh) return undefined;
  const out: Record<string, string> = {};
  for (const k in fresh) out[k] = shared.text(fresh[k] as string);
  shared.last = out;
  return out;
}

type ContainerPort = PodSpec['containerPorts'][number];

/** spec.containers[].ports[], when every port is complete and valid and the names are unique. */
function containerPorts(spec: MapNode, shared: Shared): ContainerPort[] | undefined {
  const out: ContainerPort[] = [];
  const containers = valueOf(spec, 'containers');
  if (containers === undefined) return out;
  if (!isSeq(containers)) return undefined;
  const names: string[] = [];
  for (const c of containers.items) {
    if (!isMap(c)) return undefined;
    const ports = valueOf(c, 'ports');
    if (ports === undefined) continue;
    if (!isSeq(ports)) return undefined;
    for (const p of ports.items) {
      if (!isMap(p)) return undefined;
      const name = checkedString(p, 'name', (t) => k8sPortName(t, 'container port name'));
      const port = valueOf(p, 'containerPort');
      const protocol = checkedString(p, 'protocol');
      if (name === FAIL || protocol === FAIL || !isScalar(port)) return undefined;
      const n = port.value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) return undefined;
      if (protocol !== undefined && protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') return undefined;
      const proto: (typeof K8S_PROTOCOLS)[number] = protocol ?? 'TCP';
      if (name !== undefined) {
        if (names.includes(name)) return undefined;
        names.push(name);
        out.push({ name: shared.text(name), port: n, protocol: proto });
      } else {
        out.push({ port: n, protocol: proto });
      }
    }
  }
  return out.slice(); // exactly as long as needed: the model keeps one list per pod
}

/** The draft of a Pod object in its common shape, or undefined (then use readPod). */
export function readPodFast(src: Source, obj: YNode): PodDraft | undefined {
  if (!isMap(obj)) return undefined;
  const meta = valueOf(obj, 'metadata');
  const spec = valueOf(obj, 'spec');
  const status = valueOf(obj, 'status');
  if (!isMap(meta) || !isMap(spec) || !isMap(status)) return undefined;

  const nameNode = valueOf(meta, 'name');
  if (!isScalar(nameNode) || typeof nameNode.value !== 'string' || podName(nameNode.value) instanceof Invalid) return undefined;
  const namespace = checkedString(meta, 'namespace', namespaceName);
  if (namespace === FAIL) return undefined;
  const shared = sharedOf(src);
  const labelsNode = valueOf(meta, 'labels');
  const labels = labelsNode === undefined ? {} : labelsNode && labelsOf(labelsNode, shared);
  if (!labels) return undefined;

  const phase = checkedString(status, 'phase');
  if (phase === FAIL || phase === 'Succeeded' || phase === 'Failed') return undefined;
  const hostNetwork = valueOf(spec, 'hostNetwork');
  if (hostNetwork !== undefined && !(isScalar(hostNetwork) && hostNetwork.value === false)) return undefined;
  const nodeNode = valueOf(spec, 'nodeName');
  if (!isScalar(nodeNode) || typeof nodeNode.value !== 'string' || nodeNode.value === '') return undefined;
  const saName = checkedString(spec, 'serviceAccountName', serviceAccountName);
  const sa = saName === undefined ? checkedString(spec, 'serviceAccount', serviceAccount) : saName;
  if (sa === FAIL) return undefined;
  const ports = containerPorts(spec, shared);
  if (!ports) return undefined;
  const ipNode = valueOf(status, 'podIP');
  if (!isScalar(ipNode) || typeof ipNode.value !== 'string' || ipNode.value === '' || ipNode.value.includes(':')) return undefined;
  const ip = ipAddress(ipNode.value);
  if (ip instanceof Invalid) return undefined;

  const ns = shared.text(namespace ?? 'default');
  const id = `${ns}/${nameNode.value}`;
  const pos = src.posOf(obj);
  return {
    pos,
    name: { value: nameNode.value, pos: src.posOf(nameNode) },
    namespace: ns,
    id,
    node: { value: shared.text(nodeNode.value), pos: src.posOf(nodeNode) },
    ip: { value: ip, pos: src.posOf(ipNode) },
    labels,
    serviceAccount: shared.text(sa ?? 'default'),
    hostVeth: { name: defaultVethName(id), pos },
    containerPorts: ports,
    hostNetwork: false,
    owner: controllerOf(src.sink, meta),
  };
}
