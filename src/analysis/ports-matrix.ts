// The connectivity matrix over all ports (`matrix` without -p): for every pair of ends (pods
// and hostNetwork pods) the set of protocols and ports the datapath lets through, read from
// the policy maps of both ends as the datapath looks them up (ports-lookup.ts): the egress
// map of the source's endpoint for the destination's identity, the ingress map of the
// destination's endpoint for the source's; identities are the ones the ends' ipcaches give
// (a hostNetwork pod is its node: host, remote-node). Plus the Services: each frontend
// port whose backends the source reaches on the backend's port.
//
// Work per distinct policy, not per pair: a lookup for a remote identity reads only the
// entries of that identity and identity 0 (matrix-keys.ts, condition 5), so each end's
// verdict is computed once per distinct slice of its map, and each pair's set once per
// distinct pair of slices.
//
// Left out, and said so by the renderers: a pod's traffic to its own address (the kernel's
// loopback: no BPF program runs), protocols other than TCP, UDP and ICMP; on a node address,
// the NodePort ports (the Service's, not the host's). The path beyond policy (routing,
// tunnels) is the one `matrix -p` traces; the correctness test checks the two agree.
import type { Cluster, EndpointRecord } from '../controlplane/cluster.js';
import { serviceFrontends } from '../controlplane/services.js';
import { WORLD_ID } from '../cilium/identities.js';
import { policyMapName } from '../cilium/releases/map-names.js';
import type { PolicyMap, TrafficDirection } from '../maps/policymap.js';
import type { NodeDatapath } from '../node-state/node.js';
import { matrixEnds, type MatrixFilter } from './matrix.js';
import type { MatrixEnd } from './matrix-keys.js';
import { ALLOW_ALL, combine, directionVerdict, type DirectionVerdict } from './ports-lookup.js';
import { EMPTY_SET, PortSet, type PortRange, type SetProto } from './ports-set.js';

export interface ServicePortReach {
  readonly proto: 'TCP' | 'UDP';
  readonly port: number;
  /** Backends the source reaches (itself by loopback), of `total`. */
  readonly reached: number;
  readonly total: number;
  /** Some reached backend only through the proxy. */
  readonly l7: boolean;
}

export interface ServiceColumn {
  readonly label: string; // svc:NAMESPACE/NAME
  readonly ip: number;
}

export interface Connectivity {
  readonly cluster: string;
  readonly release: string;
  readonly rows: readonly MatrixEnd[];
  /** Interned sets; cells index them. */
  readonly sets: readonly PortSet[];
  /** rows × rows, row-major: an index into sets; -1 on a pair left out (the same address: loopback). */
  readonly cells: Int32Array;
  readonly services: readonly ServiceColumn[];
  /** rows × services: the frontend ports reached (empty: none). */
  readonly serviceCells: ReadonlyArray<readonly ServicePortReach[]>;
  /**
   * Rows whose Service connections the datapath does not translate: hostNetwork pods on a
   * node without socket LB (kube-proxy's NAT, not simulated). Their Service cells are empty.
   */
  readonly serviceLeftOut: ReadonlySet<number>;
  /** Some source is a backend of a Service it connects to on a node without socket LB (lb4_local's loopback case, not simulated). */
  readonly selfBackendLeftOut: boolean;
  /** Ports left out of a node address's sets: its NodePorts, by address. */
  readonly nodePorts: ReadonlyMap<number, readonly string[]>;
  /** The same ports as ranges, by node address. */
  readonly nodePortRanges: ReadonlyMap<number, readonly PortRange[]>;
  /** Tunnel ports of nodes in tunnel mode: pods may not send to them (is_encap). */
  readonly tunnelPorts: readonly number[];
  readonly stats: { readonly pairs: number; readonly verdicts: number; readonly distinctPairs: number };
}

/** Entries of one policy map by direction: the identity-0 part and each identity's part, as interned text ids. */
interface MapIndex {
  readonly wild: Record<TrafficDirection, number>;
  readonly byId: Record<TrafficDirection, Map<number, number>>;
  readonly pending: boolean;
}

/** A growable int → int table for small keys (identity and verdict numbers); -1 when unset. */
class Dense {
  private a = new Int32Array(16).fill(-1);

  get(k: number): number {
    return k < this.a.length ? (this.a[k] as number) : -1;
  }

  set(k: number, v: number): void {
    if (k >= this.a.length) {
      const b = new Int32Array(Math.max(k + 1, this.a.length * 2)).fill(-1);
      b.set(this.a);
      this.a = b;
    }
    this.a[k] = v;
  }

  get size(): number {
    return this.a.reduce((t, v) => t + (v >= 0 ? 1 : 0), 0);
  }
}

/** What the pair loop needs of an end, computed once: its node (by number), map, slices. */
interface EndInfo {
  readonly end: MatrixEnd;
  readonly node: NodeDatapath;
  readonly nodeIx: number;
  /** undefined for a hostNetwork pod: no policy map, no lookup (no host firewall). */
  readonly map?: { readonly map: PolicyMap | undefined; readonly name: string; readonly ix: MapIndex };
  /** The node's egress setting that matters (is_encap's tunnel port), as a small number. */
  readonly cfg: number;
  /** This end's number, for the per-node identity cache. */
  readonly k: number;
  /** Peer identity (by number) → verdict id, shared by the ends of one map content and node setting. */
  readonly memo?: Record<TrafficDirection, Dense>;
  /** The verdict id whatever the peer, per direction, when the map has no identity-specific entry there (-1: not yet known). */
  readonly anyRemote?: Record<TrafficDirection, number>;
}

class Engine {
  private readonly dp: Cluster['datapath'];
  private readonly texts = new Map<string, number>([['', 0]]);
  private readonly indexes = new Map<PolicyMap | undefined, MapIndex>();
  private readonly nodeIxs = new Map<string, number>();
  /** Per node number: peer address → the identity that node's ipcache gives it. */
  /** Per node number: end number → the number of the identity that node's ipcache gives the end's address (-1: not looked up). */
  private readonly remotes: Int32Array[] = [];
  /** Identities by number, and back. */
  private readonly identities: number[] = [];
  private readonly identityIx = new Map<number, number>();
  private readonly infos = new Map<number, EndInfo>();
  private readonly memos = new Map<string, Record<TrafficDirection, Dense>>();
  private readonly pairRows: Dense[] = [];
  private readonly verdictIds = new Map<string, number>();
  readonly verdicts: DirectionVerdict[] = [ALLOW_ALL];
  private readonly setIds = new Map<string, number>([['', 0]]);
  readonly sets: PortSet[] = [EMPTY_SET];
  private readonly nodeCfg = new Map<string, number>();
  private unique = 0;

  constructor(cluster: Cluster, private readonly maxEnds: number) {
    this.dp = cluster.datapath;
  }

  private intern(text: string): number {
    let id = this.texts.get(text);
    if (id === undefined) this.texts.set(text, (id = this.texts.size));
    return id;
  }

  internSet(s: PortSet): number {
    let id = this.setIds.get(s.key);
    if (id === undefined) {
      this.setIds.set(s.key, (id = this.sets.length));
      this.sets.push(s);
    }
    return id;
  }

  node(name: string): NodeDatapath {
    const n = this.dp.nodes.get(name);
    if (!n) throw new Error(`no datapath for node ${name}`);
    return n;
  }

  private index(map: PolicyMap | undefined): MapIndex {
    let ix = this.indexes.get(map);
    if (ix) return ix;
    const wild = { ingress: '', egress: '' };
    const byId = { ingress: new Map<number, string>(), egress: new Map<number, string>() };
    for (const { key, entry } of map?.sortedEntries() ?? []) {
      const text = `${key.dport}/${key.proto}/${key.prefixLen ?? '-'}=${entry.deny ? 'deny' : 'allow'}:${entry.proxyPort};`;
      if (key.identity === 0) wild[key.direction] += text;
      else byId[key.direction].set(key.identity, (byId[key.direction].get(key.identity) ?? '') + text);
    }
    const ids = (m: Map<number, string>) => new Map([...m].map(([k, t]) => [k, this.intern(t)] as const));
    ix = { wild: { ingress: this.intern(`${map ? '+' : '-'}${wild.ingress}`), egress: this.intern(`${map ? '+' : '-'}${wild.egress}`) }, byId: { ingress: ids(byId.ingress), egress: ids(byId.egress) }, pending: (map?.pending.length ?? 0) > 0 };
    this.indexes.set(map, ix);
    return ix;
  }

  /** Egress refuses the tunnel port in tunnel mode: nodes of one such setting share verdicts. */
  private cfgId(node: NodeDatapath): number {
    const k = node.config.tunnelMode ? String(node.config.tunnelPort) : '-';
    let id = this.nodeCfg.get(k);
    if (id === undefined) this.nodeCfg.set(k, (id = this.nodeCfg.size));
    return id;
  }

  /** The end's info, once per address (an end is one address: a pod, or a node for its hostNetwork pods). */
  info(e: MatrixEnd): EndInfo {
    let info = this.infos.get(e.ip);
    if (info) return info;
    const node = this.node(e.node);
    let nodeIx = this.nodeIxs.get(e.node);
    if (nodeIx === undefined) {
      this.nodeIxs.set(e.node, (nodeIx = this.nodeIxs.size));
      this.remotes.push(new Int32Array(this.maxEnds).fill(-1));
    }
    let map: EndInfo['map'];
    let memo: EndInfo['memo'];
    const cfg = this.cfgId(node);
    if (e.kind === 'pod' && e.endpointId !== null) {
      const name = policyMapName(this.dp.release, e.endpointId);
      const pm = node.maps.policy.get(name);
      map = { map: pm, name, ix: this.index(pm) };
      // Ends whose maps have equal content (and equal node setting) share their verdicts.
      const mk = `${map.ix.wild.ingress}|${map.ix.wild.egress}|${[...map.ix.byId.ingress].join(';')}|${[...map.ix.byId.egress].join(';')}|${cfg}`;
      memo = this.memos.get(mk);
      if (!memo) this.memos.set(mk, (memo = { ingress: new Dense(), egress: new Dense() }));
    }
    if (this.infos.size >= this.maxEnds) throw new Error('more ends than announced');
    info = { end: e, node, nodeIx, cfg, k: this.infos.size, ...(map ? { map } : {}), ...(memo ? { memo, anyRemote: { ingress: -1, egress: -1 } } : {}) };
    this.infos.set(e.ip, info);
    return info;
  }

  /** The identity (its number) `at`'s node gives `peer`'s address (lookup_ip4_remote_endpoint; WORLD_ID on a miss, as bpf_lxc does). */
  private remote(at: EndInfo, peer: EndInfo): number {
    const m = this.remotes[at.nodeIx] as Int32Array;
    let ix = m[peer.k] as number;
    if (ix < 0) {
      const id = at.node.maps.ipcache.lookup(peer.end.ip as never)?.info.secLabel || WORLD_ID;
      ix = this.identityIx.get(id) ?? -1;
      if (ix < 0) {
        this.identityIx.set(id, (ix = this.identities.length));
        this.identities.push(id);
      }
      m[peer.k] = ix;
    }
    return ix;
  }

  /** The verdict id of an end's policy in `direction` for peer identity `remote`; 0 (allow all) for a hostNetwork pod. */
  private verdictOf(e: EndInfo, direction: TrafficDirection, remoteIx: number): number {
    const m = e.map;
    if (!m || !e.memo) return 0;
    const memo = e.memo[direction];
    let id: number | undefined = memo.get(remoteIx);
    if (id >= 0) return id;
    const remote = this.identities[remoteIx] as number;
    const ix = m.ix;
    const outside = remote === WORLD_ID || remote >= 1 << 24;
    // A lookup reads only the entries of identity 0 and of the peer's identity (matrix-keys.ts, condition 5).
    // Run once per memo and peer identity, so a text key costs nothing that counts.
    const shared = !(ix.pending && outside); // run-time peers (toFQDNs, …) depend on the map itself
    const slice = shared ? `${direction}|${ix.wild[direction]}|${ix.byId[direction].get(remote) ?? 0}|${e.cfg}` : `pending|${++this.unique}`;
    id = this.verdictIds.get(slice);
    if (id === undefined) {
      this.verdictIds.set(slice, (id = this.verdicts.length));
      this.verdicts.push(directionVerdict(this.dp, e.node, m.map, m.name, direction, remote));
    }
    if (shared) memo.set(remoteIx, id);
    return id;
  }

  /**
   * The verdict of an end toward (egress) or from (ingress) a peer: when the end's map has no
   * entry for any identity in that direction but identity 0, the peer's identity is never
   * compared, so neither looked up (unless run-time peers may apply: their verdict depends on it).
   */
  private verdictFor(e: EndInfo, direction: TrafficDirection, at: EndInfo, peer: EndInfo): number {
    const m = e.map;
    if (!m) return 0;
    if (m.ix.byId[direction].size === 0 && !m.ix.pending) {
      const any = e.anyRemote?.[direction];
      if (any !== undefined && any >= 0) return any;
      const id = this.verdictOf(e, direction, this.remote(at, peer));
      if (e.anyRemote) e.anyRemote[direction] = id;
      return id;
    }
    return this.verdictOf(e, direction, this.remote(at, peer));
  }

  /** The set of the pair (src, dst), interned; -1 for the same address (loopback). */
  pairSet(src: EndInfo, dst: EndInfo): number {
    if (src.end.ip === dst.end.ip) return -1;
    const e = this.verdictFor(src, 'egress', src, dst);
    const i = this.verdictFor(dst, 'ingress', dst, src);
    let row = this.pairRows[e];
    if (!row) this.pairRows[e] = row = new Dense();
    let id = row.get(i);
    if (id < 0) {
      const ranges = combine(this.verdicts[e] as DirectionVerdict, this.verdicts[i] as DirectionVerdict);
      row.set(i, (id = this.internSet(new PortSet(ranges))));
    }
    return id;
  }

  get distinctPairs(): number {
    return this.pairRows.reduce((t, r) => t + (r?.size ?? 0), 0);
  }
}

function endOf(e: EndpointRecord): MatrixEnd {
  return { label: `${e.pod.namespace}/${e.pod.name}`, kind: 'pod', ip: e.pod.ip, node: e.node.name, endpointId: e.pod.endpointId, identity: e.identity };
}

export function computeConnectivity(cluster: Cluster, f: MatrixFilter): Connectivity {
  const rows = matrixEnds(cluster, f);
  const n = rows.length;
  const eng = new Engine(cluster, n + cluster.endpoints.length);
  const release = cluster.datapath.release;
  // NodePort frontends of node addresses: those ports are the Service's (v1.13-v1.16 LB keys carry no protocol).
  const protoDiff = release.has('lb-service-proto');
  const nodePortRanges = new Map<number, PortRange[]>();
  const nodePortText = new Map<number, string[]>();
  const frontends = serviceFrontends(cluster.scenario);
  for (const fe of frontends) {
    if (!fe.nodePort || fe.port.protocol === 'SCTP') continue;
    const protos: SetProto[] = protoDiff ? [fe.port.protocol] : ['TCP', 'UDP'];
    const list = nodePortRanges.get(fe.address) ?? [];
    nodePortRanges.set(fe.address, list);
    for (const proto of protos) list.push({ proto, lo: fe.dport, hi: fe.dport, l7: false });
    const texts = nodePortText.get(fe.address) ?? [];
    nodePortText.set(fe.address, texts);
    texts.push(`${protoDiff ? fe.port.protocol : 'TCP/UDP'} ${fe.dport}`);
  }
  const carved = new Map<string, number>();
  const carve = (set: number, dst: MatrixEnd): number => {
    const ports = dst.kind === 'host' ? nodePortRanges.get(dst.ip) : undefined;
    if (!ports || set < 0) return set;
    const k = `${set}|${dst.ip}`;
    let id = carved.get(k);
    if (id === undefined) {
      const s = eng.sets[set] as PortSet;
      const out = s.minus(new PortSet([...ports, ...ports.map((p) => ({ ...p, l7: true }))]));
      carved.set(k, (id = eng.internSet(out)));
    }
    return id;
  };

  const infos = rows.map((r) => eng.info(r));
  const cells = new Int32Array(n * n);
  for (let i = 0; i < n; i++) {
    const src = infos[i] as EndInfo;
    for (let j = 0; j < n; j++) {
      const dst = infos[j] as EndInfo;
      const set = eng.pairSet(src, dst);
      cells[i * n + j] = dst.end.kind === 'host' ? carve(set, dst.end) : set;
    }
  }

  // Services: every frontend (ClusterIP) port; its backends as ends, filtered or not.
  const byIp = new Map<number, EndpointRecord>(cluster.endpoints.map((e) => [e.pod.ip, e]));
  const svcIndex = new Map<string, number>();
  const services: ServiceColumn[] = [];
  const svcFrontends: Array<Array<{ proto: 'TCP' | 'UDP'; port: number; backends: Array<{ end: EndInfo | undefined; port: number }> }>> = [];
  for (const fe of frontends) {
    if (fe.nodePort || fe.port.protocol === 'SCTP') continue;
    if (f.namespaces.length > 0 && !f.namespaces.includes(fe.service.namespace)) continue;
    const label = `svc:${fe.service.namespace}/${fe.service.name}`;
    let k = svcIndex.get(label);
    if (k === undefined) {
      svcIndex.set(label, (k = services.length));
      services.push({ label, ip: fe.address });
      svcFrontends.push([]);
    }
    const backends = fe.backends.map((b) => {
      const ep = byIp.get(b.ip);
      return { end: ep ? eng.info(endOf(ep)) : undefined, port: b.port };
    });
    svcFrontends[k]?.push({ proto: fe.port.protocol, port: fe.dport, backends });
  }
  const serviceCells: ServicePortReach[][] = [];
  const serviceLeftOut = new Set<number>();
  let selfBackendLeftOut = false;
  // With socket LB (bpf_sock at the cgroup root) connect() picks the backend, and a pod that
  // is itself the backend connects to itself by loopback; without it, bpf_lxc's lb4_local
  // has a loopback case that is not simulated, and a host's connect is kube-proxy's.
  const sockLb = (node: string) => eng.node(node).cgroup.has('connect4');
  rows.forEach((src, i) => {
    const sock = sockLb(src.node);
    if (src.kind === 'host' && !sock && svcFrontends.length > 0) serviceLeftOut.add(i);
    for (const ports of svcFrontends) {
      if (serviceLeftOut.has(i)) {
        serviceCells.push([]);
        continue;
      }
      const reach: ServicePortReach[] = [];
      for (const p of ports) {
        let reached = 0;
        let total = 0;
        let l7 = false;
        for (const b of p.backends) {
          if (b.end?.end.ip === src.ip && !sock) {
            selfBackendLeftOut = true;
            continue;
          }
          total++;
          if (!b.end) continue; // not an endpoint (an EndpointSlice address outside the pods): not simulated
          if (b.end.end.ip === src.ip) {
            reached++; // the source itself: the kernel's loopback, no BPF program
            continue;
          }
          const r = eng.sets[eng.pairSet(infos[i] as EndInfo, b.end)]?.find(p.proto, b.port);
          if (!r) continue;
          reached++;
          l7 ||= r.l7;
        }
        if (reached > 0) reach.push({ proto: p.proto, port: p.port, reached, total, l7 });
      }
      serviceCells.push(reach);
    }
  });
  const nodePorts = new Map<number, readonly string[]>();
  for (const r of rows) {
    const t = r.kind === 'host' ? nodePortText.get(r.ip) : undefined;
    if (t) nodePorts.set(r.ip, [...new Set(t)]);
  }
  const tunnelPorts = [...new Set([...cluster.datapath.nodes.values()].filter((x) => x.config.tunnelMode).map((x) => x.config.tunnelPort))].sort((a, b) => a - b);
  return { cluster: cluster.scenario.name, release: release.version, rows, sets: eng.sets, cells, services, serviceCells, serviceLeftOut, selfBackendLeftOut, nodePorts, nodePortRanges, tunnelPorts, stats: { pairs: n * n, verdicts: eng.verdicts.length - 1, distinctPairs: eng.distinctPairs } };
}

/** The set of a pair, or undefined for a pair left out (same address). */
export function pairSetAt(c: Connectivity, row: number, col: number): PortSet | undefined {
  const id = c.cells[row * c.rows.length + col] ?? -1;
  return id < 0 ? undefined : c.sets[id];
}
