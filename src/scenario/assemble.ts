// Deterministic defaults (node IDs, endpoint IDs, ifindexes, MACs, cilium_host address)
// and the uniqueness checks that need them, turning drafts into the Scenario model.
import type { Position } from '../errors.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import { macFromBytes, type Mac } from '../net/mac.js';
import { allocateInRange } from '../util/hash.js';
import { sha256Scratch } from '../util/sha256.js';
import { firstAt, reportDuplicates, type Claim } from './checks.js';
import { DEFAULT_IFINDEX, DEVICE_ROLES, type DeviceDraft, type DeviceRole, type NodeDraft } from './nodes.js';
import type { PodDraft } from './pods.js';
import type { Field, Sink } from './raw.js';
import type { DeviceSpec, NodeSpec, PodSpec, ServiceSpec } from './types.js';

/** A Service with the position of its name and cluster IP, for duplicate checks. */
export interface ServiceDraft {
  readonly spec: ServiceSpec;
  readonly id: string;
  readonly namePos: Position;
  readonly clusterIpPos?: Position;
}

const MAX_ENDPOINT_ID = 4095;

/** Host-side veths get odd ifindexes from here; the pod side takes the even one below. */
const FIRST_VETH_IFINDEX = 7;

export function derivedMac(key: string): Mac {
  return macFromBytes(sha256Scratch(key)); // = macFromBytes(sha256Bytes(key))
}

/** Where a value came from: its own token when written, else the object it defaults for. */
function claim(key: string, owner: string, written: Field<unknown> | Position | undefined, fallback: Position): Claim {
  if (!written) return { key, owner: `${owner} by default`, pos: fallback, derived: true };
  return { key, owner, pos: 'pos' in written ? written.pos : written };
}

function byId(a: PodDraft, b: PodDraft): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function allocateNodeIds(nodes: readonly NodeDraft[]): Map<string, number> {
  const taken = new Set(nodes.flatMap((n) => (n.nodeId ? [n.nodeId.value] : [])));
  const ids = new Map<string, number>();
  const sorted = [...nodes].sort((a, b) => (a.name.value < b.name.value ? -1 : a.name.value > b.name.value ? 1 : 0));
  for (const n of sorted) ids.set(n.name.value, n.nodeId?.value ?? allocateInRange(`node:${n.name.value}`, 1, 65535, taken));
  return ids;
}

/**
 * Endpoint IDs are node-local: the host endpoint first, then pods in `<ns>/<name>` order
 * (`sorted`: the node's pods in that order).
 */
function allocateEndpointIds(node: NodeDraft, sorted: readonly PodDraft[]): { host: number; pods: Map<PodDraft, number> } {
  const taken = new Set<number>();
  if (node.hostEndpointId) taken.add(node.hostEndpointId.value);
  for (const p of sorted) if (p.endpointId) taken.add(p.endpointId.value);
  const host = node.hostEndpointId?.value ?? allocateInRange(`host:${node.name.value}`, 1, MAX_ENDPOINT_ID, taken);
  const ids = new Map<PodDraft, number>();
  for (const p of sorted) ids.set(p, p.endpointId?.value ?? allocateInRange(`ep:${p.id}`, 1, MAX_ENDPOINT_ID, taken));
  return { host, pods: ids };
}

/** veth pairs take two consecutive ifindexes: the pod side (even) and the host side (odd). */
function allocateVethIfindexes(node: NodeDraft, sorted: readonly PodDraft[]): Map<PodDraft, number> {
  const taken = new Set(DEVICE_ROLES.map((r) => node.devices[r].ifindex?.value ?? DEFAULT_IFINDEX[r]));
  for (const p of sorted) {
    const pinned = p.hostVeth.ifindex?.value;
    if (pinned !== undefined) taken.add(pinned).add(pinned - 1);
  }
  const out = new Map<PodDraft, number>();
  let next = FIRST_VETH_IFINDEX;
  for (const p of sorted) {
    const pinned = p.hostVeth.ifindex?.value;
    if (pinned !== undefined) {
      out.set(p, pinned);
      continue;
    }
    while (taken.has(next) || taken.has(next - 1)) next += 2;
    taken.add(next).add(next - 1);
    out.set(p, next);
  }
  return out;
}

function device(d: DeviceDraft, ifindex: number, macKey: string): DeviceSpec {
  const spec: DeviceSpec = { name: d.name, ifindex, mac: d.mac?.value ?? derivedMac(macKey) };
  return d.tc ? { ...spec, tcPins: d.tc } : spec;
}

function buildNode(n: NodeDraft, nodeId: number, hostEndpointId: number): NodeSpec {
  const dev = (role: DeviceRole): DeviceSpec => {
    const d = n.devices[role];
    return device(d, d.ifindex?.value ?? DEFAULT_IFINDEX[role], `${n.name.value}/${d.name}`);
  };
  const spec: NodeSpec = {
    name: n.name.value,
    ip: n.ip.value,
    podCIDR: n.podCIDR.value,
    nodeId,
    hostEndpointId,
    ciliumHostIp: n.ciliumHostIp?.value ?? defaultCiliumHostIp(n),
    ciliumHost: dev('ciliumHost'),
    ciliumNet: dev('ciliumNet'),
    tunnelDevice: dev('tunnelDevice'),
    device: dev('device'),
    pos: n.pos,
  };
  // Only when there are some: the model's node objects are compared whole in tests.
  const withLabels = n.labels ? { ...spec, labels: n.labels } : spec;
  return n.extraPodCIDRs ? { ...withLabels, extraPodCIDRs: n.extraPodCIDRs.map((c) => c.value) } : withLabels;
}

/** The first usable address of the pod CIDR, as the agent's IPAM hands to the router. */
function defaultCiliumHostIp(n: NodeDraft): Ipv4 {
  return ((n.podCIDR.value.addr + 1) >>> 0) as Ipv4;
}

function buildPod(p: PodDraft, node: NodeSpec, endpointId: number, vethIfindex: number): PodSpec {
  // A hostNetwork pod is no Cilium endpoint: it has no endpoint ID, veth or MAC of its own.
  // It is modelled with endpointId 0 and its node's native device as both "eth0" and
  // "host veth", and its IP is the node's (it never claims an address of its own).
  const host = p.hostNetwork;
  // One object literal, no spreads (they are slow): large clusters build 100,000s of these.
  const spec: PodSpec = {
    name: p.name.value,
    namespace: p.namespace,
    node: p.node.value,
    labels: p.labels,
    serviceAccount: p.serviceAccount,
    containerPorts: p.containerPorts,
    pos: p.pos,
    ip: p.ip?.value ?? node.ip,
    endpointId: host ? 0 : endpointId,
    mac: host ? node.device.mac : (p.mac?.value ?? derivedMac(`${p.id}/eth0`)),
    hostVeth: host ? node.device : device(p.hostVeth, vethIfindex, `${p.id}/hostveth`),
    hostNetwork: host,
  };
  // Only set when there is one, so pods without an owner keep the model's shape.
  if (p.owner) (spec as { owner?: PodSpec['owner'] }).owner = p.owner;
  if (!p.identity) return spec;
  // A pinned identity goes after serviceAccount, where the model has always had it.
  const { name, namespace, node: nodeName, labels, serviceAccount, ...rest } = spec;
  const sec = p.securityLabels ? { securityLabels: p.securityLabels } : {};
  return { name, namespace, node: nodeName, labels, serviceAccount, identity: p.identity.value, ...sec, ...rest };
}

export interface Assembled {
  readonly nodes: readonly NodeSpec[];
  readonly pods: readonly PodSpec[];
}

/** A model object next to the draft it was built from (which knows the positions). */
interface Built<D, S> {
  readonly draft: D;
  readonly spec: S;
}

/**
 * Applies defaults node by node; pods on unknown nodes were reported and are left out.
 * hostNetwork pods take no endpoint ID, ifindex, MAC or IP of their own.
 */
export function assemble(sink: Sink, nodes: readonly NodeDraft[], pods: readonly PodDraft[], services: readonly ServiceDraft[] = []): Assembled {
  const nodeIds = allocateNodeIds(nodes);
  const builtNodes: Array<Built<NodeDraft, NodeSpec>> = [];
  const builtPods = new Map<PodDraft, PodSpec>();
  const byNode = new Map<string, PodDraft[]>();
  for (const p of pods) {
    const list = byNode.get(p.node.value);
    if (list) list.push(p);
    else byNode.set(p.node.value, [p]);
  }
  for (const n of nodes) {
    const onNode = byNode.get(n.name.value) ?? [];
    const local = onNode.filter((p) => !p.hostNetwork);
    if (local.length >= MAX_ENDPOINT_ID) {
      sink.report(n.pos, `node ${n.name.value} has ${local.length} pods (expected at most ${MAX_ENDPOINT_ID - 1}, as endpoint IDs are 1..${MAX_ENDPOINT_ID})`);
      continue;
    }
    const sorted = local.sort(byId); // `local` is this loop's own copy
    const eps = allocateEndpointIds(n, sorted);
    const ifindexes = allocateVethIfindexes(n, sorted);
    const node = { draft: n, spec: buildNode(n, nodeIds.get(n.name.value) ?? 0, eps.host) };
    const localPods = onNode.map((p) => ({ draft: p, spec: buildPod(p, node.spec, eps.pods.get(p) ?? 0, ifindexes.get(p) ?? 0) }));
    for (const p of localPods) builtPods.set(p.draft, p.spec);
    builtNodes.push(node);
    checkNodeLocal(sink, node, localPods.filter((p) => !p.draft.hostNetwork));
  }
  // Input order, which later stages show and which keeps output stable.
  const placed = pods.flatMap((p) => {
    const spec = builtPods.get(p);
    return spec ? [{ draft: p, spec }] : [];
  });
  checkClusterWide(sink, builtNodes, placed.filter((p) => !p.draft.hostNetwork), services);
  return { nodes: builtNodes.map((n) => n.spec), pods: placed.map((p) => p.spec) };
}

function firstUse(later: Claim, first: Claim): string {
  return `(first used by ${first.owner} at ${firstAt(first.pos, later.pos)})`;
}

/** Does any value occur twice? (Claims, with their messages, are only made when one does.) */
function hasRepeats<T>(values: readonly T[]): boolean {
  return new Set(values).size < values.length;
}

/** Endpoint IDs, ifindexes and interface names are unique per node. */
function checkNodeLocal(src: Sink, node: Built<NodeDraft, NodeSpec>, pods: ReadonlyArray<Built<PodDraft, PodSpec>>): void {
  const { draft: n, spec } = node;
  const clash =
    hasRepeats([spec.hostEndpointId, ...pods.map((p) => p.spec.endpointId)]) ||
    hasRepeats([...DEVICE_ROLES.map((r) => spec[r].ifindex), ...pods.map((p) => p.spec.hostVeth.ifindex)]) ||
    hasRepeats([...DEVICE_ROLES.map((r) => n.devices[r].name), ...pods.map((p) => p.spec.hostVeth.name)]);
  if (!clash) return;
  const where = `node ${spec.name}`;
  const eps = [claim(String(spec.hostEndpointId), `the host endpoint of ${where}`, n.hostEndpointId, n.pos)];
  const ifindexes: Claim[] = [];
  const names: Claim[] = [];
  for (const role of DEVICE_ROLES) {
    const d = n.devices[role];
    const owner = `${d.name} of ${where}`;
    ifindexes.push(claim(String(spec[role].ifindex), owner, d.ifindex, d.pos));
    // cilium_* names are fixed, not defaults: claim them as written at the device.
    names.push(claim(d.name, owner, role === 'device' ? d.namePos : d.pos, d.pos));
  }
  for (const { draft: p, spec: pod } of pods) {
    const owner = `pod ${p.id}`;
    eps.push(claim(String(pod.endpointId), owner, p.endpointId, p.pos));
    ifindexes.push(claim(String(pod.hostVeth.ifindex), `host veth of ${owner}`, p.hostVeth.ifindex, p.hostVeth.pos));
    names.push(claim(pod.hostVeth.name, `host veth of ${owner}`, p.hostVeth.namePos, p.hostVeth.pos));
  }
  reportDuplicates(src, eps, (c, first) => `duplicate endpointId ${c.key} on ${where} ${firstUse(c, first)}`);
  reportDuplicates(src, ifindexes, (c, first) => `duplicate ifindex ${c.key} on ${where} ${firstUse(c, first)}`);
  reportDuplicates(src, names, (c, first) => `duplicate interface name '${c.key}' on ${where} ${firstUse(c, first)}`);
}

/** IP and MAC addresses are unique in the whole cluster (Service cluster IPs included). */
function checkClusterWide(
  src: Sink,
  nodes: ReadonlyArray<Built<NodeDraft, NodeSpec>>,
  pods: ReadonlyArray<Built<PodDraft, PodSpec>>,
  services: readonly ServiceDraft[],
): void {
  // Claims (with their messages) are made only when a value repeats. Derived MACs never
  // clash with each other (see reportDuplicates): with no MAC written anywhere, as in
  // Kubernetes input, there is nothing to check. Addresses are compared as unsigned
  // numbers, equal exactly when their dotted forms (the claim keys) are.
  const writtenMac = nodes.some(({ draft }) => DEVICE_ROLES.some((r) => draft.devices[r].mac)) || pods.some(({ draft }) => draft.mac || draft.hostVeth.mac);
  const ipValues: number[] = [];
  const macValues: string[] = [];
  for (const { spec } of nodes) {
    ipValues.push(spec.ip >>> 0, spec.ciliumHostIp >>> 0);
    if (writtenMac) for (const role of DEVICE_ROLES) macValues.push(spec[role].mac);
  }
  for (const { spec } of pods) {
    ipValues.push(spec.ip >>> 0);
    if (writtenMac) macValues.push(spec.mac, spec.hostVeth.mac);
  }
  for (const s of services) if (s.spec.clusterIP !== undefined) ipValues.push(s.spec.clusterIP >>> 0);
  if (!hasRepeats(ipValues) && !hasRepeats(macValues)) return;
  const ips: Claim[] = [];
  const macs: Claim[] = [];
  for (const { draft: n, spec } of nodes) {
    const where = `node ${spec.name}`;
    ips.push(claim(formatIpv4(spec.ip), where, n.ip, n.pos));
    ips.push(claim(formatIpv4(spec.ciliumHostIp), `cilium_host of ${where}`, n.ciliumHostIp, n.devices.ciliumHost.pos));
    for (const role of DEVICE_ROLES) {
      const d = n.devices[role];
      macs.push(claim(spec[role].mac, `${d.name} of ${where}`, d.mac, d.pos));
    }
  }
  for (const { draft: p, spec } of pods) {
    ips.push(claim(formatIpv4(spec.ip), `pod ${p.id}`, p.ip, p.pos));
    macs.push(claim(spec.mac, `pod ${p.id}`, p.mac, p.pos));
    macs.push(claim(spec.hostVeth.mac, `host veth of pod ${p.id}`, p.hostVeth.mac, p.hostVeth.pos));
  }
  for (const s of services) {
    if (s.spec.clusterIP !== undefined) ips.push(claim(formatIpv4(s.spec.clusterIP), `Service ${s.id}`, s.clusterIpPos, s.spec.pos));
  }
  reportDuplicates(src, ips, (c, first) => `duplicate IP address ${c.key} ${firstUse(c, first)}`);
  reportDuplicates(src, macs, (c, first) => `duplicate MAC address ${c.key} ${firstUse(c, first)}`);
}
