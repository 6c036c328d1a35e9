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
// key holds the source's exact node, and the source's address when it is a backend itself;
// or, when the source and the backend the datapath picks (slot 1: the same for every source)
// are both ordinary pods, the column and the pod → pod key (below) from the source to it.
// The same holds for a pod column whose address and port are a Service frontend (a node's
// address at a NodePort, for a hostNetwork pod's column): keyed by the exact source node,
// the exact destination and the source's address when it is a backend of that frontend.
//
// Cells between two ordinary pods are then keyed coarser, as the agent computes each
// endpoint's policy once (pairKey). Of the two identities the datapath only ever
//   5. looks up the remote identity in the policy maps (policy_can_egress4 in the source's
//      map with the destination's identity, policy_can_access_ingress in the destination's
//      map with the source's), probing only keys of that identity or of identity 0 (the six
//      __policy_can_access shapes of v1.13.0: L3-L4, L4-Only, L3-Proto {id, 0, proto},
//      Proto-Only {0, 0, proto}, L3-Only, all; a slice holds every port/proto), and
//      compares identities with reserved ones (HOST_ID, WORLD_ID, REMOTE_NODE_ID, 0, CIDR
//      identities >= 2^24), which a pod identity in [256, 2^24) never equals;
// everything else carries the identities along unread (VNI, marks, CT entries, events).
// So instead of the two identities and whole policy maps, the key holds each lookup's
// slice: the entries of the probed map with the remote identity or identity 0 in that
// direction, with the remote identity's value left out. Cells whose slices, node classes
// and relation are equal execute alike under a renaming of identities.
import type { Cluster } from '../controlplane/cluster.js';
import { serviceFrontends } from '../controlplane/services.js';
import type { NodeDatapath } from '../node-state/node.js';
import { formatPolicyKey, type PolicyMap, type TrafficDirection } from '../maps/policymap.js';
import { policyMapName } from '../cilium/releases/map-names.js';
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

/** Pod identities the datapath never compares equal to a reserved or CIDR identity (condition 5). */
const MIN_POD_IDENTITY = 256;
const MIN_CIDR_IDENTITY = 1 << 24;

/** The entries of one policy map a lookup for a remote identity can hit, by direction (condition 5). */
class PolicySlices {
  private readonly wildcard: Record<TrafficDirection, string> = { ingress: '', egress: '' };
  private readonly byIdentity: Record<TrafficDirection, Map<number, string>> = { ingress: new Map(), egress: new Map() };

  constructor(pm: PolicyMap | undefined) {
    // sortedEntries orders by (deny, direction, identity, dport, proto): a canonical order.
    for (const { key, entry } of pm?.sortedEntries() ?? []) {
      const text = `${key.dport}/${key.proto}${key.prefixLen === undefined ? '' : `/${key.prefixLen}`}=${entry.deny ? 'deny' : 'allow'}:${entry.proxyPort};`; // LPM maps: the prefix too
      if (key.identity === 0) this.wildcard[key.direction] += text;
      else {
        const m = this.byIdentity[key.direction];
        m.set(key.identity, (m.get(key.identity) ?? '') + text);
      }
    }
  }

  slice(direction: TrafficDirection, remote: number): string {
    return `${this.wildcard[direction]}|${this.byIdentity[direction].get(remote) ?? ''}`;
  }
}

export class EndKeys {
  private readonly classIds = new Map<string, number>();
  /** Per class: one of its ends, and whether pairKey may describe it by its policy slices. */
  private readonly classRep: MatrixEnd[] = [];
  private readonly classSliced: boolean[] = [];
  private readonly slices = new Map<PolicyMap | undefined, PolicySlices>();
  private readonly sliceIds = new Map<string, number>();
  private readonly symmetric: boolean;
  private readonly special: ReadonlySet<number>;
  /** Frontend address → dport → the backends' addresses. */
  private readonly frontends = new Map<number, Map<number, Set<number>>>();

  constructor(private readonly cluster: Cluster, readonly keying: Keying) {
    this.symmetric = keying === 'symmetric' && nodesSymmetric(cluster);
    const special = new Set<number>();
    for (const n of cluster.scenario.nodes) special.add(n.ip).add(n.ciliumHostIp);
    for (const f of serviceFrontends(cluster.scenario)) {
      special.add(f.address);
      const ports = this.frontends.get(f.address) ?? new Map<number, Set<number>>();
      this.frontends.set(f.address, ports);
      const backends = ports.get(f.dport) ?? new Set<number>();
      ports.set(f.dport, backends);
      for (const b of f.backends) backends.add(b.ip);
    }
    this.special = special;
  }

  /** Whether node names were left out of the keys (all nodes interchangeable). */
  get nodesAbstracted(): boolean {
    return this.symmetric;
  }

  private nodeClass(node: string): string {
    return this.symmetric ? '*' : node;
  }

  private policyMapOf(e: MatrixEnd): PolicyMap | undefined {
    return this.cluster.datapath.nodes.get(e.node)?.maps.policy.get(policyMapName(this.cluster.datapath.release, e.endpointId ?? 0));
  }

  private policyFingerprint(e: MatrixEnd): string {
    return (this.policyMapOf(e)?.sortedEntries() ?? []).map(({ key, entry }) => `${formatPolicyKey(key)}=${entry.deny ? 'deny' : 'allow'}:${entry.proxyPort}`).join(',');
  }

  private ordinary(e: MatrixEnd): boolean {
    const node = this.cluster.scenario.nodes.find((n) => n.name === e.node);
    return node !== undefined && prefixContains(node.podCIDR, e.ip) && !this.special.has(e.ip);
  }

  private intern(key: string, e: MatrixEnd, sliced = false): number {
    let id = this.classIds.get(key);
    if (id === undefined) {
      this.classIds.set(key, (id = this.classIds.size));
      this.classRep.push(e);
      this.classSliced.push(sliced);
    }
    return id;
  }

  /** The class of an end (conditions 1, 3 and 4); ends of a class are interchangeable. */
  classOf(e: MatrixEnd): number {
    if (this.keying === 'none') return this.intern(`ip:${e.ip}`, e);
    if (e.kind === 'host') return this.intern(`host:${this.nodeClass(e.node)}`, e);
    if (!this.ordinary(e)) return this.intern(`ip:${e.ip}`, e);
    const id = e.identity ?? 0;
    const sliced = e.endpointId !== null && id >= MIN_POD_IDENTITY && id < MIN_CIDR_IDENTITY;
    return this.intern(`pod:${id}:${this.nodeClass(e.node)}:${this.policyFingerprint(e)}`, e, sliced);
  }

  /**
   * The backends' addresses when `ip` at `dport` is a Service frontend (any protocol: the
   * v1.13 LB key has none); for ICMP (no port), when `ip` is a frontend at all. The cell's
   * key must then hold the exact source node and destination (see the header).
   */
  frontendBackends(ip: number, dport: number | null): ReadonlySet<number> | undefined {
    const ports = this.frontends.get(ip);
    if (ports === undefined || this.keying === 'none') return undefined;
    if (dport !== null) return ports.get(dport);
    const all = new Set<number>();
    for (const b of ports.values()) for (const a of b) all.add(a);
    return all;
  }

  private sliceId(e: MatrixEnd, direction: TrafficDirection, remote: number): number {
    const pm = this.policyMapOf(e);
    let s = this.slices.get(pm);
    if (s === undefined) this.slices.set(pm, (s = new PolicySlices(pm)));
    const text = `${pm === undefined ? '-' : '+'}${s.slice(direction, remote)}`;
    let id = this.sliceIds.get(text);
    if (id === undefined) this.sliceIds.set(text, (id = this.sliceIds.size));
    return id;
  }

  /**
   * The cache key of a cell from an end of class `src` to one of class `dst` in relation
   * `rel` (0 self, 1 same node, 2 other nodes), the destination not being a frontend: for
   * two ordinary pods their node classes and the two policy lookups' slices (condition 5),
   * else the two classes.
   */
  pairKey(src: number, dst: number, rel: number): string {
    const a = this.classRep[src];
    const b = this.classRep[dst];
    if (a === undefined || b === undefined || this.classSliced[src] !== true || this.classSliced[dst] !== true) return `c|${src}|${dst}|${rel}`;
    return `p|${this.nodeClass(a.node)}|${this.nodeClass(b.node)}|${rel}|${this.sliceId(a, 'egress', b.identity ?? 0)}|${this.sliceId(b, 'ingress', a.identity ?? 0)}`;
  }
}
