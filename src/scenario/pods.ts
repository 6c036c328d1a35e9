// `pods[]`: reading each pod and the checks between pods and nodes (placement, address
// inside the node's pod CIDR, pinned identities that agree with labels).
import type { Position } from '../errors.js';
import { formatIpv4, formatPrefix, type Ipv4 } from '../net/ip.js';
import type { Mac } from '../net/mac.js';
import { hexOf, sha256Scratch } from '../util/sha256.js';
import { dnsLabel, dnsSubdomain, firstAt, ifName, labelKeyProblem, labelValueProblem, reportDuplicates, reservedInPrefix } from './checks.js';
import { ifindexField, ipField, macField, podCidrHolding, tcPinsOf, type DeviceDraft, type NodeDraft, type NodesRead } from './nodes.js';
import { int, list, parsed, readMap, str, stringMap, type Entry, type Field, type MapView, type Sink, type Source } from './raw.js';
import type { PodSpec } from './types.js';
import { isMap, isScalar, type YNode as Node } from './ast.js';

export interface PodDraft {
  readonly pos: Position;
  readonly name: Field<string>;
  readonly namespace: string;
  /** `<namespace>/<name>`: the pod's key for hashing, sorting and messages. */
  readonly id: string;
  readonly node: Field<string>;
  /** Always set, except for a hostNetwork pod without status.podIP (it gets its node's IP). */
  readonly ip?: Field<Ipv4>;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly identity?: Field<number>;
  /** The identity's labels from the pod's CiliumEndpoint (`k8s:app=web`), with its pinned identity. */
  readonly securityLabels?: readonly string[];
  readonly endpointId?: Field<number>;
  readonly mac?: Field<Mac>;
  readonly hostVeth: DeviceDraft;
  readonly containerPorts: PodSpec['containerPorts'];
  readonly hostNetwork: boolean;
  /** metadata.ownerReferences' controller (Kubernetes pods only; undefined when none). */
  readonly owner?: PodSpec['owner'];
}

/** A Scenario document's `pods` list. */
export function readPods(root: MapView, into: PodDraft[]): void {
  for (const item of root.opt('pods', list) ?? []) {
    const d = readPod(root.src, item);
    if (d) into.push(d);
  }
}

function readPod(src: Source, e: Entry): PodDraft | undefined {
  const m = readMap(src, e, 'pod');
  if (!m) return undefined;
  const name = m.req('name', parsed(dnsSubdomain('pod name')));
  const namespace = m.opt('namespace', parsed(dnsLabel('namespace')))?.value ?? 'default';
  const node = m.req('node', str);
  const ip = m.req('ip', ipField);
  const labels = m.opt('labels', readLabels) ?? {};
  const serviceAccount = m.opt('serviceAccount', parsed(dnsSubdomain('serviceAccount')))?.value ?? 'default';
  const identity = m.opt('identity', int(256, 65535));
  const endpointId = m.opt('endpointId', int(1, 4095));
  const mac = m.opt('mac', macField);
  if (!name) return undefined;
  const id = `${namespace}/${name.value}`;
  const hostVeth = readHostVeth(m, id);
  if (!node || !ip) return undefined;
  return { pos: m.pos, name, namespace, id, node, ip, labels, serviceAccount, identity, endpointId, mac, hostVeth, containerPorts: [], hostNetwork: false };
}

/** Cilium names the host side of a pod's veth lxc + 12 hex digits of a hash. */
export function defaultVethName(id: string): string {
  return hexOf(sha256Scratch(id), 6, 'lxc'); // `lxc${sha256Hex(id).slice(0, 12)}`, without the rest
}

/** Host side of the pod's veth. */
function readHostVeth(pod: MapView, id: string): DeviceDraft {
  const e = pod.entry('hostVeth');
  const m = e ? readMap(pod.src, e, 'hostVeth') : undefined;
  const name = m?.opt('name', parsed(ifName));
  return {
    name: name?.value ?? defaultVethName(id),
    namePos: name?.pos,
    ifindex: m?.opt('ifindex', ifindexField),
    mac: m?.opt('mac', macField),
    ...tcPinsOf(m),
    pos: m?.pos ?? pod.pos,
  };
}

const labelMap = stringMap('label');

/**
 * Labels whose keys and values are all valid strings, read without the positioned pairs
 * stringMap makes (most pods of a large cluster); undefined when something needs reporting.
 */
export function validLabels(node: Node): Record<string, string> | undefined {
  if (!isMap(node)) return undefined;
  const out: Record<string, string> = {};
  const { keys, values } = node;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = values[i];
    if (!isScalar(k) || typeof k.value !== 'string' || !isScalar(v) || typeof v.value !== 'string') return undefined;
    if (!validLabelKey(k.value) || labelValueProblem(v.value) !== undefined) return undefined;
    out[k.value] = v.value;
  }
  return out;
}

/** Label keys found valid so far: pods of one Deployment repeat the same few keys. */
const VALID_KEYS = new Set<string>();

function validLabelKey(key: string): boolean {
  if (VALID_KEYS.has(key)) return true;
  if (labelKeyProblem(key) !== undefined) return false;
  if (VALID_KEYS.size >= 4096) VALID_KEYS.clear();
  VALID_KEYS.add(key);
  return true;
}

/** Kubernetes labels (metadata.labels): checked keys, string values. */
export function readLabels(src: Source, e: Entry): Record<string, string> | undefined {
  const valid = validLabels(e.node);
  if (valid) return valid;
  const pairs = labelMap(src, e);
  if (!pairs) return undefined;
  const ok = pairs.filter(({ key, value }) => {
    const problem = labelKeyProblem(key.value);
    if (problem) src.report(key.pos, problem);
    const valueProblem = labelValueProblem(value.value);
    if (valueProblem) src.report(value.pos, valueProblem);
    return !problem && !valueProblem;
  });
  return Object.fromEntries(ok.map(({ key, value }) => [key.value, value.value]));
}

/** Checks between pods, and of each pod against its node. */
export function checkPods(sink: Sink, pods: readonly PodDraft[], nodes: NodesRead): void {
  reportDuplicates(
    sink,
    pods.map((p) => ({ key: p.id, owner: p.id, pos: p.name.pos })),
    (c, first) => `duplicate pod '${c.key}' (first defined at ${firstAt(first.pos, c.pos)})`,
  );
  const known = [...nodes.names].sort().join(', ');
  const byName = new Map<string, NodeDraft>();
  for (const n of nodes.drafts) if (!byName.has(n.name.value)) byName.set(n.name.value, n);
  for (const p of pods) {
    const node = byName.get(p.node.value);
    if (node && p.hostNetwork) checkHostNetworkIp(sink, p, node);
    else if (node) checkPodIp(sink, p, node, nodes.drafts);
    // Nodes with mistakes (or no usable nodes at all) were reported already; do not pile on.
    else if (known && !nodes.names.has(p.node.value)) sink.report(p.node.pos, `unknown node '${p.node.value}' (expected one of: ${known})`);
  }
  checkPinnedIdentities(sink, pods);
}

/** A hostNetwork pod lives in its node's network namespace: its IP is the node's. */
function checkHostNetworkIp(sink: Sink, p: PodDraft, node: NodeDraft): void {
  if (!p.ip || p.ip.value === node.ip.value) return;
  sink.report(
    p.ip.pos,
    `hostNetwork pod ${p.id} has IP ${formatIpv4(p.ip.value)}, but its node ${node.name.value} has IP ${formatIpv4(node.ip.value)} (expected the node's InternalIP)`,
  );
}

function checkPodIp(src: Sink, p: PodDraft, node: NodeDraft, all: readonly NodeDraft[]): void {
  if (!p.ip) return;
  const ip = p.ip.value;
  const cidr = podCidrHolding(node, ip);
  if (!cidr) {
    // Kubernetes' spec.podCIDR is not where Cilium's cluster-pool IPAM takes addresses from.
    if (node.podCidrFrom === 'Node' && !all.some((n) => podCidrHolding(n, ip))) {
      src.report(p.ip.pos, `pod IP ${formatIpv4(ip)} is in no node's pod CIDR (${node.name.value}'s is ${formatPrefix(node.podCIDR.value)}): Cilium's cluster-pool IPAM keeps pod CIDRs in the CiliumNodes; add kubectl get ciliumnodes -o yaml to the inputs`);
      return;
    }
    const from = node.podCidrFrom && node.podCidrFrom !== 'Node' ? ` (from ${node.podCidrFrom})` : '';
    src.report(p.ip.pos, `pod IP ${formatIpv4(ip)} is outside ${node.name.value}'s pod CIDR ${formatPrefix(node.podCIDR.value)}${from}`);
    return;
  }
  if (cidr.len > 30) return; // an address of an ENI/Azure pool
  const reserved = reservedInPrefix(cidr, ip);
  if (reserved) src.report(p.ip.pos, `pod IP ${formatIpv4(p.ip.value)} is ${reserved} (expected a host address)`);
}

function labelsKey(p: PodDraft): string {
  return JSON.stringify(Object.entries(p.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What makes up a pod's security identity in Cilium: its labels, namespace and service account. */
function identityKey(p: PodDraft): string {
  return JSON.stringify([p.namespace, p.serviceAccount, labelsKey(p)]);
}

function identityDifference(a: PodDraft, b: PodDraft): string {
  const parts: string[] = [];
  if (labelsKey(a) !== labelsKey(b)) parts.push('different labels');
  if (a.namespace !== b.namespace) parts.push('a different namespace');
  if (a.serviceAccount !== b.serviceAccount) parts.push('a different serviceAccount');
  return parts.join(' and ');
}

/**
 * Pinned identities must be consistent with what Cilium would allocate: one identity per
 * distinct (labels, namespace, serviceAccount), and the same set never split in two.
 */
function checkPinnedIdentities(src: Sink, pods: readonly PodDraft[]): void {
  const pinned = pods
    .filter((p): p is PodDraft & { identity: Field<number> } => p.identity !== undefined)
    .sort((a, b) => src.compare(a.identity.pos, b.identity.pos));
  const byIdentity = new Map<number, PodDraft>();
  const byKey = new Map<string, PodDraft & { identity: Field<number> }>();
  for (const p of pinned) {
    const id = p.identity.value;
    const sameId = byIdentity.get(id);
    if (sameId && identityKey(sameId) !== identityKey(p)) {
      src.report(
        p.identity.pos,
        `identity ${id} is already pinned to pod ${sameId.id} at ${firstAt(sameId.pos, p.identity.pos)}, which has ${identityDifference(sameId, p)} (expected identical labels, namespace and serviceAccount)`,
      );
    }
    const sameKey = byKey.get(identityKey(p));
    if (sameKey && sameKey.identity.value !== id) {
      src.report(
        p.identity.pos,
        `pod ${p.id} has the same labels, namespace and serviceAccount as pod ${sameKey.id} at ${firstAt(sameKey.pos, p.identity.pos)} but a different identity (expected ${sameKey.identity.value})`,
      );
    }
    if (!sameId) byIdentity.set(id, p);
    if (!sameKey) byKey.set(identityKey(p), p);
  }
}
