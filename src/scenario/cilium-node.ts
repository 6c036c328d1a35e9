// What Cilium itself says about a node: its CiliumNode (the pod CIDRs of Cilium's IPAM and
// the cilium_host address) and the `network.cilium.io/*` annotations the agent writes on
// the Kubernetes Node. Shapes of v1.13.0 (pkg/k8s/apis/cilium.io/v2/types.go NodeSpec,
// pkg/ipam/types IPAMSpec: podCIDRs for cluster-pool, a pool of addresses for ENI, Azure and
// CRD IPAM), and spec.ipam.pools of the multi-pool IPAM of later releases.
import { isMap, isScalar } from './ast.js';
import type { Ipv4, Ipv4Prefix } from '../net/ip.js';
import { ipAddress, podCidr } from './checks.js';
import { field, firstV4, isV6, nodeNameField, readMeta, section, typeIs } from './k8s.js';
import { list, looseMap, parsed, type Entry, type Field, type MapView } from './raw.js';

/** What a CiliumNode adds to its Node. */
export interface CiliumNodeInfo {
  readonly name: string;
  /** It names an IPv4 pod CIDR or address pool (podCIDR is unset if that was invalid, and reported). */
  readonly hasPodCIDR: boolean;
  readonly podCIDR?: Field<Ipv4Prefix>;
  /** Further CIDRs (IPv4SecondaryAllocCIDRs) or, for a pool of addresses, each address as a /32. */
  readonly extraPodCIDRs: ReadonlyArray<Field<Ipv4Prefix>>;
  readonly ciliumHostIp?: Field<Ipv4>;
  /** Where the pod addresses came from, for messages. */
  readonly ipam: 'podCIDRs' | 'pools' | 'pool';
}

const cidrField = parsed(podCidr);
const ipField = parsed(ipAddress);

/** Every IPv4 string of a list (IPv6 entries are skipped: IPv6 is not simulated). */
function v4Items(m: MapView | undefined, key: string): Entry[] {
  const e = field(m, key);
  if (!e || !m) return [];
  return (list(m.src, e) ?? []).filter((i) => isScalar(i.node) && typeof i.node.value === 'string' && !isV6(i.node.value));
}

/** Keys of a mapping, as entries positioned at the key (spec.ipam.pool is keyed by address). */
function keysOf(m: MapView | undefined, key: string): Entry[] {
  const e = field(m, key);
  if (!e || !isMap(e.node)) return [];
  const node = e.node;
  return node.keys.flatMap((k) => (isScalar(k) && typeof k.value === 'string' && !isV6(k.value) ? [{ label: 'pool address', node: k, pos: m?.src.posOf(k) ?? e.pos }] : []));
}

/** The address status.ipam.used gives to owner `router`: the agent's cilium_host under ENI/Azure IPAM. */
function routerOf(status: MapView | undefined): Entry | undefined {
  const ipam = status ? section(status, 'ipam') : undefined;
  const used = field(ipam, 'used');
  if (!ipam || !used || !isMap(used.node)) return undefined;
  const node = used.node;
  for (let i = 0; i < node.keys.length; i++) {
    const k = node.keys[i];
    const v = node.values[i];
    if (!k || !isScalar(k) || !v || !isMap(v)) continue;
    const owner = looseMap(ipam.src, { label: 'used', node: v, pos: ipam.src.posOf(v) })?.entry('owner');
    if (owner && isScalar(owner.node) && owner.node.value === 'router') return { label: 'router address', node: k, pos: ipam.src.posOf(k) };
  }
  return undefined;
}

export function readCiliumNode(obj: MapView): CiliumNodeInfo | undefined {
  const meta = readMeta(obj, nodeNameField, false);
  const spec = section(obj, 'spec');
  const ipam = spec ? section(spec, 'ipam') : undefined;
  const hostIp = firstV4(spec, 'addresses', 'ip', typeIs('CiliumInternalIP')) ?? routerOf(section(obj, 'status'));
  // pkg/node/types/node.go:52-69 (ParseCiliumNode): the first IPv4 CIDR is the node's
  // IPv4AllocCIDR, the others IPv4SecondaryAllocCIDRs.
  let ipamKind: CiliumNodeInfo['ipam'] = 'podCIDRs';
  let cidrs = v4Items(ipam, 'podCIDRs').map((e) => cidrField(obj.src, { ...e, label: 'podCIDR' }));
  if (cidrs.length === 0) {
    const pools = ipam ? section(ipam, 'pools') : undefined;
    const allocated = field(pools, 'allocated');
    for (const a of allocated && pools ? (list(pools.src, allocated) ?? []) : []) {
      cidrs.push(...v4Items(looseMap(obj.src, a), 'cidrs').map((e) => cidrField(obj.src, { ...e, label: 'pool CIDR' })));
    }
    if (cidrs.length > 0) ipamKind = 'pools';
  }
  if (cidrs.length === 0) {
    // ENI, Azure, CRD: no CIDR, a pool of addresses; each is a /32 of its own.
    const addrs = keysOf(ipam, 'pool').map((e) => ipField(obj.src, e)).filter((f): f is Field<Ipv4> => f !== undefined);
    cidrs = addrs.sort((a, b) => a.value - b.value).map((f) => ({ value: { addr: f.value, len: 32 }, pos: f.pos }));
    if (cidrs.length > 0) ipamKind = 'pool';
  }
  if (!meta) return undefined;
  const [first, ...rest] = cidrs;
  return {
    name: meta.name.value,
    hasPodCIDR: cidrs.length > 0,
    ...(first ? { podCIDR: first } : {}),
    extraPodCIDRs: rest.filter((c): c is Field<Ipv4Prefix> => c !== undefined),
    ...(hostIp ? { ciliumHostIp: ipField(obj.src, { ...hostIp, label: 'CiliumInternalIP' }) } : {}),
    ipam: ipamKind,
  };
}

/** pkg/annotation/k8s.go:35-36, 62-63 of v1.13.0: the name and its older alias. */
const HOST_IP_ANNOTATIONS = ['network.cilium.io/ipv4-cilium-host', 'io.cilium.network.ipv4-cilium-host'];
const POD_CIDR_ANNOTATIONS = ['network.cilium.io/ipv4-pod-cidr', 'io.cilium.network.ipv4-pod-cidr'];

/**
 * The agent's annotations on a Node (it writes them with annotate-k8s-node): cilium_host's
 * address, and the pod CIDR that pkg/k8s/node.go:150-162 falls back to when spec.podCIDR is empty.
 */
export function nodeAnnotations(obj: MapView): { ciliumHostIp?: Field<Ipv4>; podCIDR?: Field<Ipv4Prefix> } {
  const meta = section(obj, 'metadata');
  const ann = meta ? section(meta, 'annotations') : undefined;
  const first = (names: readonly string[]): Entry | undefined => names.map((n) => field(ann, n)).find((e) => e && isScalar(e.node) && typeof e.node.value === 'string' && !isV6(e.node.value));
  const host = first(HOST_IP_ANNOTATIONS);
  const cidr = first(POD_CIDR_ANNOTATIONS);
  const hostIp = host ? ipField(obj.src, { ...host, label: HOST_IP_ANNOTATIONS[0] as string }) : undefined;
  const podCIDR = cidr ? cidrField(obj.src, { ...cidr, label: POD_CIDR_ANNOTATIONS[0] as string }) : undefined;
  return { ...(hostIp ? { ciliumHostIp: hostIp } : {}), ...(podCIDR ? { podCIDR } : {}) };
}
