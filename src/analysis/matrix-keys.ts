// Cache keys for the connectivity matrix: two cells with the same key get the same verdict,
// so each key is traced once.
//
// Why the key is sufficient. The datapath sees a node only through its NodeDatapath (maps,
// devices, config, routes) and a pod only through the entries keyed by its address. For a
// pod-to-pod cell it reads: the source's lxc program config (its identity), the source's
// and the destination's policy maps, the ipcache entries of the two addresses (identity,
// tunnel endpoint = the owning node), the lxc/tunnel/route entries of the two nodes, and
// compares addresses only for equality or against the nodes' pod CIDRs. So renaming
// addresses, MACs, ifindexes, endpoint ids and node names maps one cell's execution onto
// another's, provided that:
//   1. the two sources (and the two destinations) have the same identity and the same
//      policy map content (read from the datapath: named ports are already resolved);
//   2. each end is in the same relation to the other: the same address (self), the same
//      node, or different nodes;
//   3. the nodes involved are interchangeable: the same config apart from addresses, the
//      same programs on the same kinds of device, and host routes of the same shape (every
//      route's prefix and gateway described by its role: own address, own pod CIDR, another
//      node's pod CIDR or address, default); if any two nodes differ, the node name itself
//      becomes part of the key;
//   4. the pod's address is ordinary: inside its own node's pod CIDR, not a node address
//      and not a Service frontend. Any other pod is keyed by its own address (no sharing).
// Service columns depend on where the chosen backend runs relative to the source, so their
// key holds the source's exact node, and the source's address when it is a backend itself.
import type { Cluster } from '../controlplane/cluster.js';
import { serviceFrontends } from '../controlplane/services.js';
import type { NodeDatapath } from '../datapath/node.js';
import { formatPolicyKey, policyMapName } from '../maps/policymap.js';
import { formatPrefix, prefixContains, type Ipv4, type Ipv4Prefix } from '../net/ip.js';

export type Keying = 'symmetric' | 'exact' | 'none';

/** One end of a matrix row or pod column: a pod (endpoint) or a hostNetwork pod (its node's host). */
export interface MatrixEnd {
  readonly label: string; // namespace/name
  readonly kind: 'pod' | 'host';
  readonly ip: Ipv4;
  readonly node: string;
  readonly endpointId: number | null;
  readonly identity: number | null;
}

export type Relation = 'self' | 'same-node' | 'other-node';

export function relation(a: { ip: number; node: string }, b: { ip: number; node: string }): Relation {
  return a.ip === b.ip ? 'self' : a.node === b.node ? 'same-node' : 'other-node';
}

function routeShape(cluster: Cluster, node: NodeDatapath): string[] {
  const me = cluster.scenario.nodes.find((n) => n.name === node.name);
  const others = cluster.scenario.nodes.filter((n) => n.name !== node.name);
  const samePrefix = (a: Ipv4Prefix, b: Ipv4Prefix) => a.addr === b.addr && a.len === b.len;
  const roleOfPrefix = (p: Ipv4Prefix): string => {
    if (me && p.len === 32 && p.addr === me.ip) return 'own-ip';
    if (me && p.len === 32 && p.addr === me.ciliumHostIp) return 'own-cilium-host';
    if (me && samePrefix(p, me.podCIDR)) return 'own-pod-cidr';
    if (p.len === 0) return 'default';
    if (others.some((o) => samePrefix(o.podCIDR, p))) return 'node-pod-cidr';
    if (others.some((o) => p.len === 32 && o.ip === p.addr)) return 'node-ip';
    return formatPrefix(p);
  };
  const roleOfAddr = (ip: number | undefined, dst: Ipv4Prefix): string => {
    if (ip === undefined) return '-';
    if (me && ip === me.ip) return 'own-ip';
    if (me && ip === me.ciliumHostIp) return 'own-cilium-host';
    const owner = others.find((o) => samePrefix(o.podCIDR, dst));
    if (owner && owner.ip === ip) return 'owner-of-dst';
    return String(ip);
  };
  return node.hostRoutes.map((r) => `${roleOfPrefix(r.dst)} dev=${r.dev} via=${roleOfAddr(r.via, r.dst)} src=${roleOfAddr(r.src, r.dst)} mtu=${r.mtu ?? '-'} local=${r.local === true}`).sort();
}

/** Everything of a node the datapath may branch on, with addresses replaced by roles. */
function nodeShape(cluster: Cluster, node: NodeDatapath): string {
  const { routerIp: _r, nodeIp: _n, hostIfindex: _h, encapIfindex: _e, hostEpId: _id, ...config } = node.config;
  const devices = [...node.devices.values()]
    .filter((d) => d.kind !== 'lxc')
    .map((d) => `${d.kind}:${d.name}:${d.tc.ingress ? `${d.tc.ingress.object}/${d.tc.ingress.section}` : '-'}:${d.tc.egress ? `${d.tc.egress.object}/${d.tc.egress.section}` : '-'}`)
    .sort();
  const cgroup = [...node.cgroup.entries()].map(([k, p]) => `${k}:${p.object}/${p.section}`).sort();
  return JSON.stringify({ config: Object.entries(config).sort(([a], [b]) => (a < b ? -1 : 1)), devices, cgroup, routes: routeShape(cluster, node) });
}

function cidrsDisjoint(cluster: Cluster): boolean {
  const cidrs = cluster.scenario.nodes.map((n) => n.podCIDR);
  return cidrs.every((a, i) => cidrs.every((b, j) => i === j || (!prefixContains(a, b.addr) && !prefixContains(b, a.addr))));
}

/** Whether nodes are interchangeable (condition 3) in this cluster. */
export function nodesSymmetric(cluster: Cluster): boolean {
  const shapes = new Set([...cluster.datapath.nodes.values()].map((n) => nodeShape(cluster, n)));
  return shapes.size <= 1 && cidrsDisjoint(cluster);
}

export class EndKeys {
  private readonly classIds = new Map<string, number>();
  private readonly symmetric: boolean;
  private readonly special: ReadonlySet<number>;

  constructor(private readonly cluster: Cluster, readonly keying: Keying) {
    this.symmetric = keying === 'symmetric' && nodesSymmetric(cluster);
    const special = new Set<number>();
    for (const n of cluster.scenario.nodes) special.add(n.ip).add(n.ciliumHostIp);
    for (const f of serviceFrontends(cluster.scenario)) special.add(f.address);
    this.special = special;
  }

  /** Whether node names were left out of the keys (all nodes interchangeable). */
  get nodesAbstracted(): boolean {
    return this.symmetric;
  }

  private nodeClass(node: string): string {
    return this.symmetric ? '*' : node;
  }

  private policyFingerprint(e: MatrixEnd): string {
    const pm = this.cluster.datapath.nodes.get(e.node)?.maps.policy.get(policyMapName(e.endpointId ?? 0));
    return (pm?.sortedEntries() ?? []).map(({ key, entry }) => `${formatPolicyKey(key)}=${entry.deny ? 'deny' : 'allow'}:${entry.proxyPort}`).join(',');
  }

  private ordinary(e: MatrixEnd): boolean {
    const node = this.cluster.scenario.nodes.find((n) => n.name === e.node);
    return node !== undefined && prefixContains(node.podCIDR, e.ip) && !this.special.has(e.ip);
  }

  private intern(key: string): number {
    let id = this.classIds.get(key);
    if (id === undefined) this.classIds.set(key, (id = this.classIds.size));
    return id;
  }

  /** The class of an end (conditions 1, 3 and 4); ends of a class are interchangeable. */
  classOf(e: MatrixEnd): number {
    if (this.keying === 'none') return this.intern(`ip:${e.ip}`);
    if (e.kind === 'host') return this.intern(`host:${this.nodeClass(e.node)}`);
    if (!this.ordinary(e)) return this.intern(`ip:${e.ip}`);
    return this.intern(`pod:${e.identity ?? 0}:${this.nodeClass(e.node)}:${this.policyFingerprint(e)}`);
  }
}
