// Kubernetes objects as `kubectl get -o yaml` prints them: Node (with its CiliumNode),
// Namespace, Pod and Service. They are read loosely — only the fields cilium-trace needs,
// each checked, the rest (status conditions, managedFields, …) ignored — and turned into
// the same drafts the Scenario format produces, with Kubernetes' own defaults. Missing
// data that Kubernetes would have filled in on a live cluster (pod IPs, pod CIDRs, node
// addresses) is an error that says which field is empty.
import { isScalar, isSeq, type YNode } from './ast.js';
import { readPodFast } from './k8s-pod-fast.js';
import { controllerOf } from './owners.js';
import { nodeAnnotations, type CiliumNodeInfo } from './cilium-node.js';
import { compact } from '../util/compact.js';
import type { Position } from '../errors.js';
import { parseIpv4, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
import { dnsLabel, dnsSubdomain, firstAt, ipAddress, k8sPortName, podCidr, reportDuplicates } from './checks.js';
import { K8S_PROTOCOLS } from './fields.js';
import { readIntOrName } from './netpol-input.js';
import { defaultDevices, type NodeCollector, type NodeDraft } from './nodes.js';
import { defaultVethName, readLabels, type PodDraft } from './pods.js';
import type { ServiceDraft } from './assemble.js';
import { bool, int, list, looseMap, oneOf, parsed, str, stringMap, type Entry, type Field, type MapView, type Reader, type Source } from './raw.js';
import { nodeLabelsOf } from './k8s-redirects.js';
import type { NamespaceSpec, PodSpec, ServicePort, ServiceSpec, SkippedPod, TunnelProtocol } from './types.js';
import { isIpv6 } from '../net/ipv6.js';

/** A present, non-null field (kubectl prints `null` and "" for unset fields in places). */
export function field(m: MapView | undefined, key: string): Entry | undefined {
  const e = m?.entry(key);
  if (!e) return undefined;
  if (isScalar(e.node) && (e.node.value === null || e.node.value === '')) return undefined;
  return e;
}

export function get<T>(m: MapView | undefined, key: string, read: Reader<T>): T | undefined {
  const e = field(m, key);
  return e && m ? read(m.src, e) : undefined;
}

export function section(obj: MapView, key: string): MapView | undefined {
  const e = field(obj, key);
  return e ? looseMap(obj.src, e) : undefined;
}

/** Where a missing field belongs: the key of the section that should hold it, else the object. */
function missingAt(obj: MapView, ...keys: Array<[MapView | undefined, string]>): Position {
  for (const [m, key] of keys) {
    const e = m?.entry(key);
    if (e) return e.keyPos ?? e.pos;
  }
  return obj.pos;
}

export const isV6 = (text: string): boolean => text.includes(':');

interface Meta {
  readonly name: Field<string>;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

// Readers made once, not per object: a large input has tens of thousands of pods.
const namespaceField = parsed(dnsLabel('namespace'));
const metadataMap: Reader<MapView> = (src, e) => looseMap(src, e);
export const nodeNameField = parsed(dnsSubdomain('node name'));
const namespaceNameField = parsed(dnsLabel('namespace name'));
const podNameField = parsed(dnsSubdomain('pod name'));
const serviceNameField = parsed(dnsLabel('service name'));
const serviceAccountNameField = parsed(dnsSubdomain('serviceAccountName'));
const serviceAccountField = parsed(dnsSubdomain('serviceAccount'));

export function readMeta(obj: MapView, nameField: Reader<Field<string>>, namespaced: boolean): Meta | undefined {
  const meta = obj.req('metadata', metadataMap);
  const name = get(meta, 'name', nameField);
  if (meta && !field(meta, 'name')) obj.src.report(meta.pos, `missing required field 'name' in metadata`);
  const namespace = namespaced ? (get(meta, 'namespace', namespaceField)?.value ?? 'default') : '';
  const labels = get(meta, 'labels', readLabels) ?? {};
  return name ? { name, namespace, labels } : undefined;
}

// ---- nodes ------------------------------------------------------------------------------

/** First IPv4 string of a list of strings (or of `key` in a list of mappings). */
export function firstV4(m: MapView | undefined, listKey: string, itemKey?: string, match?: (item: MapView) => boolean): Entry | undefined {
  const e = field(m, listKey);
  if (!e || !m) return undefined;
  for (const item of list(m.src, e) ?? []) {
    if (itemKey === undefined) {
      if (isScalar(item.node) && typeof item.node.value === 'string' && !isV6(item.node.value)) return item;
      if (!isScalar(item.node) || typeof item.node.value !== 'string') str(m.src, item);
      continue;
    }
    const im = looseMap(m.src, item);
    if (!im || (match && !match(im))) continue;
    const v = field(im, itemKey);
    if (v && isScalar(v.node) && typeof v.node.value === 'string' && !isV6(v.node.value)) return v;
    if (v && (!isScalar(v.node) || typeof v.node.value !== 'string')) str(m.src, v);
  }
  return undefined;
}

export const typeIs = (t: string) => (im: MapView) => {
  const e = im.entry('type');
  return !!e && isScalar(e.node) && e.node.value === t;
};

const cidrField = parsed(podCidr);
const ipField = parsed(ipAddress);

/**
 * A Node: its InternalIP and pod CIDR (spec.podCIDR, or the first IPv4 of spec.podCIDRs, or
 * the agent's ipv4-pod-cidr annotation; a CiliumNode's pod CIDRs win, as Cilium's
 * cluster-pool IPAM uses those). cilium_host's address: the CiliumNode's CiliumInternalIP,
 * else the ipv4-cilium-host annotation. Devices, IDs and MACs get the defaults scenario nodes get.
 */
export function readNode(obj: MapView, tunnel: TunnelProtocol, ciliumNodes: ReadonlyMap<string, CiliumNodeInfo>, into: NodeCollector): void {
  into.seen++;
  const meta = readMeta(obj, nodeNameField, false);
  if (meta) into.names.add(meta.name.value);
  const spec = section(obj, 'spec');
  const status = section(obj, 'status');
  const cn = meta ? ciliumNodes.get(meta.name.value) : undefined;
  const single = field(spec, 'podCIDR');
  if (spec && single && (!isScalar(single.node) || typeof single.node.value !== 'string')) str(spec.src, single);
  const cidrEntry = single && isScalar(single.node) && typeof single.node.value === 'string' && !isV6(single.node.value) ? single : firstV4(spec, 'podCIDRs');
  const ann = nodeAnnotations(obj);
  const podCIDR = cn?.hasPodCIDR ? cn.podCIDR : cidrEntry ? cidrField(obj.src, { ...cidrEntry, label: 'podCIDR' }) : ann.podCIDR;
  const addresses = firstV4(status, 'addresses', 'address', typeIs('InternalIP'));
  const ip = addresses ? ipField(obj.src, { ...addresses, label: 'InternalIP' }) : undefined;
  if (!meta) return;
  const name = meta.name.value;
  if (!cidrEntry && !cn?.hasPodCIDR && !ann.podCIDR) {
    obj.src.report(
      missingAt(obj, [obj, 'spec']),
      `node ${name} has no pod CIDR (spec.podCIDR is empty; expected an IPv4 pod CIDR, or the node's CiliumNode with spec.ipam.podCIDRs: kubectl get ciliumnodes -o yaml)`,
    );
  }
  if (!addresses) {
    obj.src.report(
      missingAt(obj, [status, 'addresses'], [obj, 'status']),
      `node ${name} has no InternalIP (status.addresses has no IPv4 InternalIP; expected a node as kubectl get nodes -o yaml shows it)`,
    );
  }
  if (!podCIDR || !ip) return;
  const draft: NodeDraft = {
    pos: obj.pos,
    name: meta.name,
    ip,
    podCIDR,
    ...(cn?.ciliumHostIp ? { ciliumHostIp: cn.ciliumHostIp } : ann.ciliumHostIp ? { ciliumHostIp: ann.ciliumHostIp } : {}),
    devices: defaultDevices(obj.pos, tunnel),
    ...(cn?.hasPodCIDR && cn.extraPodCIDRs.length > 0 ? { extraPodCIDRs: cn.extraPodCIDRs } : {}),
    podCidrFrom: cn?.hasPodCIDR ? `CiliumNode ${name} spec.ipam.${cn.ipam}` : 'Node',
    ...nodeLabelsDraft(obj),
  };
  into.drafts.push(draft);
}

// ---- namespaces -------------------------------------------------------------------------

/** The label Kubernetes puts on every namespace (NamespaceDefaultLabelName, GA in 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface NamespaceDraft {
  readonly spec: NamespaceSpec;
  readonly namePos: Position;
}

export function readNamespace(obj: MapView): NamespaceDraft | undefined {
  const meta = readMeta(obj, namespaceNameField, false);
  if (!meta) return undefined;
  const labels = { ...meta.labels, [NAMESPACE_NAME_LABEL]: meta.name.value };
  return { spec: { name: meta.name.value, labels, pos: obj.pos }, namePos: meta.name.pos };
}

/** A namespace no Namespace object describes has only the automatic label. */
export function implicitNamespace(name: string, pos: Position): NamespaceSpec {
  return { name, labels: { [NAMESPACE_NAME_LABEL]: name }, pos };
}

// ---- pods -------------------------------------------------------------------------------

type ContainerPort = PodSpec['containerPorts'][number];

const protocolField = oneOf(K8S_PROTOCOLS);
const readProtocol: Reader<Field<'TCP' | 'UDP' | 'SCTP'>> = (src, e) => protocolField(src, { ...e, label: 'protocol' });
const portField = int(1, 65535);
const containerPortName = parsed((t) => k8sPortName(t, 'container port name'));

/** spec.containers[].ports[]: {name, containerPort, protocol (default TCP)}; names unique in the pod. */
function readContainerPorts(spec: MapView | undefined): ContainerPort[] {
  const out: ContainerPort[] = [];
  const names: Array<{ key: string; owner: string; pos: Position }> = [];
  const containers = field(spec, 'containers');
  if (!spec || !containers) return out;
  for (const c of list(spec.src, containers) ?? []) {
    const cm = looseMap(spec.src, c);
    const ports = field(cm, 'ports');
    if (!cm || !ports) continue;
    for (const p of list(spec.src, ports) ?? []) {
      const pm = looseMap(spec.src, p);
      if (!pm) continue;
      const name = get(pm, 'name', containerPortName);
      const port = pm.req('containerPort', portField);
      const protocol = get(pm, 'protocol', readProtocol)?.value ?? 'TCP';
      if (name) names.push({ key: name.value, owner: name.value, pos: name.pos });
      // Two literals, not `...(name ? { name } : {})`: a conditional spread costs ~1 µs per port.
      if (port) out.push(name ? { name: name.value, port: port.value, protocol } : { port: port.value, protocol });
    }
  }
  reportDuplicates(spec.src.sink, names, (c, first) => `duplicate container port name '${c.key}' (first defined at ${firstAt(first.pos, c.pos)})`);
  return out;
}

export type PodRead = { readonly pod: PodDraft } | { readonly skippedPod: SkippedPod } | undefined;

/**
 * A Pod. Pods without a Cilium endpoint are skipped, with why: finished ones (phase
 * Succeeded or Failed; another pod may own their IP now), unscheduled ones (no
 * spec.nodeName) and those the CNI has not given an address yet (no status.podIP), or only
 * IPv6 ones (the traces are IPv4). hostNetwork pods keep their node's IP (status.podIP).
 * With its YAML `node`, a pod in the common shape is read by readPodFast.
 */
export function readPod(obj: MapView, yaml?: YNode): PodRead {
  const src = obj.src;
  const fast = yaml && readPodFast(src, yaml);
  if (fast) return { pod: fast };
  const meta = readMeta(obj, podNameField, true);
  const spec = section(obj, 'spec');
  const status = section(obj, 'status');
  const phase = get(status, 'phase', str)?.value;
  if (meta && (phase === 'Succeeded' || phase === 'Failed')) {
    const old = podIpEntry(status);
    const ip = old && isScalar(old.node) && typeof old.node.value === 'string' ? parseIpv4(old.node.value) : undefined;
    return { skippedPod: compact<SkippedPod>({ id: `${meta.namespace}/${meta.name.value}`, why: phase, ip, pos: obj.pos }) };
  }
  const hostNetwork = get(spec, 'hostNetwork', bool)?.value ?? false;
  const node = get(spec, 'nodeName', str);
  const serviceAccount =
    get(spec, 'serviceAccountName', serviceAccountNameField) ?? get(spec, 'serviceAccount', serviceAccountField);
  const containerPorts = readContainerPorts(spec);
  const ipEntry = podIpEntry(status);
  const ip = ipEntry ? ipField(src, { ...ipEntry, label: 'podIP' }) : undefined;
  if (!meta) return undefined;
  const id = `${meta.namespace}/${meta.name.value}`;
  // No node or no address yet: the CNI has not run, so Cilium has no endpoint for it.
  const state = phase ? `${phase}, ` : '';
  if (!node) return { skippedPod: { id, why: `${state}not scheduled: no spec.nodeName`, pos: obj.pos } };
  if (!ipEntry && !hostNetwork) {
    const v6 = firstIp(status, true);
    if (v6) src.sink.ipv6.push({ what: 'pod', pos: v6.pos });
    return { skippedPod: { id, why: v6 ? `${state}IPv6 addresses only` : `${state}no IP yet: no status.podIP`, pos: obj.pos } };
  }
  if ((ipEntry && !ip) || (!ip && !hostNetwork)) return undefined;
  const pod: PodDraft = {
    pos: obj.pos,
    name: meta.name,
    namespace: meta.namespace,
    id,
    node,
    ip, // undefined for a hostNetwork pod without status.podIP (no conditional spread: slow per pod)
    labels: meta.labels,
    serviceAccount: serviceAccount?.value ?? 'default',
    hostVeth: { name: defaultVethName(id), pos: obj.pos },
    containerPorts,
    hostNetwork,
    owner: controllerOf(src.sink, obj.entry('metadata')?.node),
  };
  return { pod };
}

function firstIp(status: MapView | undefined, v6: boolean): Entry | undefined {
  const single = field(status, 'podIP');
  if (single && (!isScalar(single.node) || typeof single.node.value !== 'string' || isV6(single.node.value) === v6)) return single;
  const ips = field(status, 'podIPs');
  if (!status || !ips || !isSeq(ips.node)) return undefined;
  for (const item of list(status.src, ips) ?? []) {
    const im = looseMap(status.src, item);
    const v = field(im, 'ip');
    if (v && isScalar(v.node) && typeof v.node.value === 'string' && isV6(v.node.value) === v6) return v;
  }
  return undefined;
}

/** status.podIP, or the first IPv4 of status.podIPs (dual-stack pods list IPv6 first sometimes). */
function podIpEntry(status: MapView | undefined): Entry | undefined {
  return firstIp(status, false);
}

// ---- services ---------------------------------------------------------------------------

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;

export type ServiceRead = { readonly service: ServiceDraft } | { readonly skipped: string } | { readonly setAside: true } | undefined;

/**
 * A Service. ExternalName services are only DNS (Cilium ignores them) and are skipped.
 * The cluster IP and node ports must be the allocated ones, as kubectl shows them.
 */
export function readService(obj: MapView): ServiceRead {
  const src = obj.src;
  const meta = readMeta(obj, serviceNameField, true);
  const spec = section(obj, 'spec');
  const type = get(spec, 'type', oneOf(SERVICE_TYPES))?.value ?? 'ClusterIP';
  if (type === 'ExternalName') return meta ? { skipped: `${meta.namespace}/${meta.name.value}` } : undefined;
  // A dual-stack Service lists its IPv4 address in clusterIPs; an IPv6-only one is set aside.
  const single = field(spec, 'clusterIP');
  const v6 = !!single && isScalar(single.node) && typeof single.node.value === 'string' && isIpv6(single.node.value);
  const ipEntry = (v6 ? undefined : single) ?? firstV4(spec, 'clusterIPs');
  if (v6 && !ipEntry) {
    src.sink.ipv6.push({ what: 'Service', pos: single.pos });
    return { setAside: true };
  }
  const headless = !!ipEntry && isScalar(ipEntry.node) && ipEntry.node.value === 'None';
  const clusterIP = ipEntry && !headless ? serviceIp(src, ipEntry) : undefined;
  const selector = get(spec, 'selector', stringMap('selector label'));
  // A LoadBalancer may opt out of node ports (spec.allocateLoadBalancerNodePorts: false).
  const needsNodePort = type === 'NodePort' || (type === 'LoadBalancer' && get(spec, 'allocateLoadBalancerNodePorts', bool)?.value !== false);
  const ports = readServicePorts(spec, type, needsNodePort);
  if (!meta) return undefined;
  const id = `${meta.namespace}/${meta.name.value}`;
  if (!ipEntry) {
    src.report(missingAt(obj, [obj, 'spec']), `service ${id} has no cluster IP (spec.clusterIP is empty; expected a created Service as kubectl get -o yaml shows it, or "None")`);
  }
  if (!ports || (ipEntry && !headless && !clusterIP)) return undefined;
  const spec_ = compact<ServiceSpec>({
    name: meta.name.value,
    namespace: meta.namespace,
    type,
    clusterIP: clusterIP?.value,
    ports,
    selector: selector && selector.length > 0 ? Object.fromEntries(selector.map((p) => [p.key.value, p.value.value])) : undefined,
    pos: obj.pos,
  });
  return { service: compact<ServiceDraft>({ spec: spec_, id, namePos: meta.name.pos, clusterIpPos: clusterIP?.pos }) };
}

function serviceIp(src: Source, e: Entry): Field<Ipv4> | undefined {
  return ipField(src, { ...e, label: 'clusterIP' });
}

/** spec.ports: names required (and unique) when there are several; targetPort defaults to port. */
function readServicePorts(spec: MapView | undefined, type: ServiceSpec['type'], needsNodePort: boolean): ServicePort[] | undefined {
  const e = field(spec, 'ports');
  if (!spec || !e) return [];
  const items = list(spec.src, e);
  if (!items) return undefined;
  const out: ServicePort[] = [];
  const names: Array<{ key: string; owner: string; pos: Position }> = [];
  const pairs: Array<{ key: string; owner: string; pos: Position }> = [];
  let ok = true;
  for (const item of items) {
    const pm = looseMap(spec.src, item);
    if (!pm) {
      ok = false;
      continue;
    }
    const name = get(pm, 'name', parsed(dnsLabel('port name')));
    if (!name && items.length > 1 && !field(pm, 'name')) spec.src.report(pm.pos, 'port name is required when a Service has several ports');
    const port = pm.req('port', int(1, 65535));
    const protocol = get(pm, 'protocol', readProtocol)?.value ?? 'TCP';
    const target = field(pm, 'targetPort');
    const targetPort = target ? readIntOrName(spec.src, { ...target, label: 'targetPort' }) : undefined;
    const nodePort = get(pm, 'nodePort', int(1, 65535));
    if (needsNodePort && !nodePort && port) {
      spec.src.report(pm.pos, `${type} port ${port.value} has no nodePort (expected the allocated nodePort, as kubectl get -o yaml shows it)`);
    }
    if (name) names.push({ key: name.value, owner: name.value, pos: name.pos });
    if (port) pairs.push({ key: `${port.value}/${protocol}`, owner: '', pos: port.pos });
    if (!port || (target && !targetPort)) {
      ok = false;
      continue;
    }
    out.push(compact<ServicePort>({ name: name?.value, port: port.value, protocol, targetPort: targetPort?.value ?? port.value, nodePort: nodePort?.value, pos: pm.pos }));
  }
  reportDuplicates(spec.src.sink, names, (c, first) => `duplicate port name '${c.key}' (first defined at ${firstAt(first.pos, c.pos)})`);
  reportDuplicates(spec.src.sink, pairs, (c, first) => `duplicate port ${c.key} (first defined at ${firstAt(first.pos, c.pos)})`);
  return ok ? out : undefined;
}

/** metadata.labels of a Node, for node identities (enable-node-selector-labels). */
function nodeLabelsDraft(obj: MapView): { labels?: Record<string, string> } {
  const labels = nodeLabelsOf(obj)?.labels;
  return labels && Object.keys(labels).length > 0 ? { labels } : {};
}
