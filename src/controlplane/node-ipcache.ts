// Every node's cilium_ipcache holds the same prefixes; only the entries of the node's own
// addresses and endpoints differ (identity host, no tunnel endpoint). So the control plane
// keeps one shared table, as a remote node sees the cluster, and each node's map is that
// table with the node's own entries laid over it: the same lookups, entries and dump as a
// table filled node by node, for a fraction of the time and memory on large clusters.
// Endpoint entries (one /32 per pod, tens of thousands) are made when first looked up or
// listed, from the endpoint itself: the agent writes them last, so a pod's /32 always holds
// the pod's entry, and listing them in write order gives the table's order.
import { V1_13_0, type CiliumRelease } from '../cilium/releases/release.js';
import { IpcacheMap, type IpcacheEntry } from '../maps/ipcache.js';
import type { Provenance } from '../maps/provenance.js';
import { IP_ZERO, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
import { LpmTable } from '../maps/lpm.js';

const prefixKey = (p: Ipv4Prefix): string => `${p.addr}/${p.len}`;

/** One upsert of the agent's fill sequence, and the node whose view decides its value. */
export interface IpcacheWrite {
  /** The node whose own entry this is (undefined: the same on every node). */
  readonly owner: string | undefined;
  /** The entry as every node but the owner writes it. */
  readonly remote: IpcacheEntry;
  /** The entry as the owner writes it; null: the owner writes none (v1.18 pod CIDR entries). */
  readonly local?: () => IpcacheEntry | null;
  /** Written by these nodes only (an answer their DNS proxies saw); the others have no entry. */
  readonly onlyOn?: readonly string[];
}

/** A pod endpoint, whose address every agent upserts after all other writes. */
export interface IpcacheEndpoint {
  readonly pod: { readonly ip: Ipv4 };
  readonly identity: number;
  readonly node: { readonly name: string; readonly ip: Ipv4; readonly nodeId: number };
}

/** The shared table and, per node, the entries that node writes differently. */
export class SharedIpcache<E extends IpcacheEndpoint = IpcacheEndpoint> {
  /** World, policy CIDRs and node addresses: the last write of each prefix. */
  private readonly writes = new LpmTable<IpcacheWrite>();
  /** Endpoints by address, in write order (the last endpoint of an address wins). */
  private readonly byIp = new Map<Ipv4, E>();
  private readonly remoteOf = new Map<Ipv4, IpcacheEntry>();
  private ownedBy: Map<string, { writes: IpcacheWrite[]; endpoints: E[] }> | undefined;
  /** Writes that only some nodes make. */
  private readonly partial: IpcacheWrite[] = [];

  /** Replays the agent's upserts in order: `writes`, then every endpoint's address. */
  constructor(
    writes: Iterable<IpcacheWrite>,
    endpoints: readonly E[],
    private readonly provenance: (endpoint: E) => Provenance,
    private readonly release: CiliumRelease = V1_13_0,
  ) {
    for (const w of writes) {
      this.writes.set(w.remote.prefix, w);
      if (w.onlyOn) this.partial.push(w);
    }
    for (const e of endpoints) this.byIp.set(e.pod.ip, e);
  }

  private endpointEntry(e: E): IpcacheEntry {
    let entry = this.remoteOf.get(e.pod.ip);
    if (!entry) {
      const info = { secLabel: e.identity, tunnelEndpoint: e.node.ip, key: 0, nodeId: e.node.nodeId };
      entry = { prefix: { addr: e.pod.ip, len: 32 }, info, provenance: this.provenance(e) };
      this.remoteOf.set(e.pod.ip, entry);
    }
    return entry;
  }

  /** ipcache_lookup4 on the shared table: a pod's /32 is the longest prefix there is. */
  lookup(ip: Ipv4, skip?: (p: Ipv4Prefix) => boolean): IpcacheEntry | undefined {
    const e = this.byIp.get(ip);
    return e ? this.endpointEntry(e) : this.writes.lookup(ip, skip)?.value.remote;
  }

  /** The shared table's entries in LpmTable order: longest prefixes first, each length in write order. */
  entries(): IpcacheEntry[] {
    const written = this.writes.entries();
    const out: IpcacheEntry[] = [];
    let i = 0;
    for (; i < written.length && written[i]?.prefix.len === 32; i++) {
      const w = written[i] as { prefix: Ipv4Prefix; value: IpcacheWrite };
      const e = this.byIp.get(w.prefix.addr);
      out.push(e ? this.endpointEntry(e) : w.value.remote);
    }
    for (const [ip, e] of this.byIp) if (this.writes.exact({ addr: ip, len: 32 }) === undefined) out.push(this.endpointEntry(e));
    for (; i < written.length; i++) out.push((written[i] as { value: IpcacheWrite }).value.remote);
    return out;
  }

  /** The ipcache of one node. */
  forNode(node: string): IpcacheMap {
    const own = new IpcacheMap(this.release);
    const absent = new Set<string>();
    const mine = this.owned().get(node);
    for (const w of mine?.writes ?? []) {
      const entry = (w.local as () => IpcacheEntry | null)();
      if (entry) own.upsert(entry);
      else absent.add(prefixKey(w.remote.prefix));
    }
    for (const e of mine?.endpoints ?? []) own.upsert(this.localEntry(e));
    for (const w of this.partial) if (!w.onlyOn?.includes(node)) absent.add(prefixKey(w.remote.prefix));
    return new LayeredIpcache(this, own, absent, this.release);
  }

  /** Each node's own writes and endpoints (the last write of their prefix), indexed on first use. */
  private owned(): Map<string, { writes: IpcacheWrite[]; endpoints: E[] }> {
    if (this.ownedBy) return this.ownedBy;
    const by = new Map<string, { writes: IpcacheWrite[]; endpoints: E[] }>();
    const of = (owner: string): { writes: IpcacheWrite[]; endpoints: E[] } => {
      let own = by.get(owner);
      if (!own) by.set(owner, (own = { writes: [], endpoints: [] }));
      return own;
    };
    for (const { prefix, value: w } of this.writes.entries()) {
      if (w.owner === undefined || !w.local || (prefix.len === 32 && this.byIp.has(prefix.addr))) continue;
      for (const o of w.onlyOn ?? [w.owner]) of(o).writes.push(w);
    }
    for (const e of this.byIp.values()) of(e.node.name).endpoints.push(e);
    this.ownedBy = by;
    return by;
  }

  private localEntry(e: E): IpcacheEntry {
    const remote = this.endpointEntry(e);
    return { prefix: remote.prefix, info: { secLabel: e.identity, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: remote.provenance };
  }
}

/** What a node's map reads of the shared table. */
interface SharedTable {
  lookup(ip: Ipv4, skip?: (p: Ipv4Prefix) => boolean): IpcacheEntry | undefined;
  entries(): IpcacheEntry[];
}

/** The shared table with one node's own entries over it, less the prefixes the node does not write. */
class LayeredIpcache extends IpcacheMap {
  private readonly skip: ((p: Ipv4Prefix) => boolean) | undefined;

  constructor(
    private readonly base: SharedTable,
    private readonly own: IpcacheMap,
    private readonly absent: ReadonlySet<string>,
    release: CiliumRelease,
  ) {
    super(release);
    this.skip = absent.size === 0 ? undefined : (p) => absent.has(prefixKey(p));
  }

  override upsert(entry: IpcacheEntry): void {
    this.own.upsert(entry);
  }

  override lookup(ip: Ipv4): IpcacheEntry | undefined {
    const mine = this.own.lookup(ip);
    const shared = this.base.lookup(ip, this.skip);
    if (!mine) return shared;
    if (!shared) return mine;
    // The longer prefix wins; for the same prefix the node's own entry replaces the shared one.
    return shared.prefix.len > mine.prefix.len ? shared : mine;
  }

  override entries(): IpcacheEntry[] {
    const mine = new Map(this.own.entries().map((e) => [prefixKey(e.prefix), e] as const));
    const base = this.absent.size === 0 ? this.base.entries() : this.base.entries().filter((e) => !this.absent.has(prefixKey(e.prefix)));
    const out = base.map((e) => {
      const k = prefixKey(e.prefix);
      const hit = mine.get(k);
      if (hit) mine.delete(k);
      return hit ?? e;
    });
    return mine.size === 0 ? out : [...out, ...mine.values()].sort((a, b) => b.prefix.len - a.prefix.len);
  }
}
