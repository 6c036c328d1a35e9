// Security identities: labels -> numeric identity, the agent's identity cache.
// Mirrors pkg/identity/cache/allocator.go (AllocateIdentity) of v1.13. The real allocator
// picks a random free id in [256, 65535]; we derive it from the canonical label key (hash,
// then linear probing in sorted key order) so results are stable, and keep pinned ids.
// Label sets made only of `cidr:`/`reserved:` labels get node-local identities (1<<24 | n,
// pkg/identity/cache/local.go); here every node numbers them alike, from 1<<24 + 1 in
// prefix order (address, then length).
import { FIRST_LOCAL_IDENTITY, MAX_CLUSTER_IDENTITY, MIN_CLUSTER_IDENTITY, RESERVED_IDENTITIES } from '../cilium/identities.js';
import type { Ipv4Prefix } from '../net/ip.js';
import { allocateInRange } from '../util/hash.js';
import { cidrIdentityLabels, comparePrefixes } from './cidr.js';
import { formatLabel, labelsKey, type Label } from './labels.js';

/** IdentityScopeRemoteNode (pkg/identity/numericidentity.go@v1.16.15:43-45). */
export const REMOTE_NODE_SCOPE = 2 << 24;

export type IdentityScope = 'reserved' | 'global' | 'local' | 'remote-node';

export interface Identity {
  readonly id: number;
  readonly labels: readonly Label[];
  /** True for the reserved identities 0..8 (kept for callers that filter them out). */
  readonly reserved: boolean;
  readonly scope: IdentityScope;
  /** For a CIDR (node-local) identity: its prefix. */
  readonly cidr?: Ipv4Prefix;
}

export class IdentityRegistry {
  private readonly byId = new Map<number, Identity>();
  private readonly byKey = new Map<string, number>();
  private nextLocal = FIRST_LOCAL_IDENTITY;
  private nextRemoteNode = 1;
  private readonly remoteNodeKeys = new Map<string, number>();

  /**
   * `clusterId` > 0 moves the allocation range to clusterId<<16 .. (clusterId+1)<<16 - 1
   * (InitMinMaxIdentityAllocation, pkg/identity/numericidentity.go:361-370 of v1.13.0).
   * `cidrExactLabel`: CIDR identities carry only their own cidr: label (v1.16+, cidr-single-label).
   */
  constructor(private readonly clusterId = 0, private readonly cidrExactLabel = false) {
    for (const [name, id] of Object.entries(RESERVED_IDENTITIES)) {
      const labels: Label[] = [{ source: 'reserved', key: name, value: '' }];
      if (name === 'kube-apiserver') labels.push({ source: 'reserved', key: 'remote-node', value: '' });
      this.byId.set(id, { id, labels, reserved: true, scope: 'reserved' });
      if (id !== 0) this.byKey.set(labelsKey(labels), id);
    }
  }

  /**
   * Allocates identities for all label sets at once: pinned ones first, then the rest in
   * sorted canonical-key order, so adding an unrelated pod never renumbers others.
   */
  allocateAll(requests: ReadonlyArray<{ labels: readonly Label[]; pinned?: number | undefined }>): void {
    const taken = new Set<number>(this.byId.keys());
    const pending = new Map<string, readonly Label[]>();
    for (const r of requests) {
      const key = labelsKey(r.labels);
      if (this.byKey.has(key)) continue;
      // A pin another label set already holds (a CiliumIdentity of another release's labels) is no pin.
      if (r.pinned !== undefined && !taken.has(r.pinned)) {
        this.byKey.set(key, r.pinned);
        this.byId.set(r.pinned, { id: r.pinned, labels: r.labels, reserved: false, scope: 'global' });
        taken.add(r.pinned);
        pending.delete(key);
      } else {
        pending.set(key, r.labels);
      }
    }
    for (const key of [...pending.keys()].sort()) {
      if (this.byKey.has(key)) continue;
      const [min, max] = this.clusterId > 0 ? [this.clusterId << 16, ((this.clusterId + 1) << 16) - 1] : [MIN_CLUSTER_IDENTITY, MAX_CLUSTER_IDENTITY];
      const id = allocateInRange(key, min, max, taken);
      this.byKey.set(key, id);
      this.byId.set(id, { id, labels: pending.get(key) ?? [], reserved: false, scope: 'global' });
    }
  }

  /**
   * CIDR identities for policy prefixes (ipcache.AllocateCIDRs): /0 is reserved:world (2);
   * every other prefix gets a node-local identity, numbered in prefix order. Returns the
   * identity of each prefix.
   */
  allocateCidrs(prefixes: readonly Ipv4Prefix[]): Map<string, number> {
    const out = new Map<string, number>();
    const sorted = [...prefixes].sort(comparePrefixes);
    for (const p of sorted) {
      const labels = cidrIdentityLabels(p, this.cidrExactLabel);
      const key = labelsKey(labels);
      let id = this.byKey.get(key);
      if (id === undefined) {
        id = this.nextLocal++;
        this.byKey.set(key, id);
        this.byId.set(id, { id, labels, reserved: false, scope: 'local', cidr: p });
      }
      out.set(`${p.addr}/${p.len}`, id);
    }
    return out;
  }

  /**
   * A node-local identity for a label set (pkg/identity/cache/local.go lookupOrCreate): the
   * one the set already has, else the next local number (FQDN answers' addresses).
   */
  allocateLocal(labels: readonly Label[], cidr?: Ipv4Prefix): number {
    const key = labelsKey(labels);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.nextLocal++;
      this.byKey.set(key, id);
      this.byId.set(id, { id, labels, reserved: false, scope: 'local', ...(cidr ? { cidr } : {}) });
    }
    return id;
  }

  /**
   * Identities of remote nodes from the remote-node scope (2<<24 | n, from 1:
   * pkg/identity/numericidentity.go@v1.16.15:45, cache/allocator.go:300, cache/local.go:38-90),
   * one per distinct label set, numbered in the order given.
   */
  allocateRemoteNodes(sets: ReadonlyArray<readonly Label[]>): number[] {
    // A key space of their own: {reserved:remote-node} alone is no longer identity 6 here.
    return sets.map((labels) => {
      const key = labelsKey(labels);
      let id = this.remoteNodeKeys.get(key);
      if (id === undefined) {
        id = (REMOTE_NODE_SCOPE | this.nextRemoteNode++) >>> 0;
        this.remoteNodeKeys.set(key, id);
        this.byId.set(id, { id, labels, reserved: false, scope: 'remote-node' });
      }
      return id;
    });
  }

  idOf(labels: readonly Label[]): number | undefined {
    return this.byKey.get(labelsKey(labels));
  }

  get(id: number): Identity | undefined {
    return this.byId.get(id);
  }

  /** Sorted `source:key=value` strings, as `cilium identity get` returns them. */
  labelStrings(id: number): string[] | undefined {
    const ident = this.byId.get(id);
    return ident ? ident.labels.map(formatLabel).sort() : undefined;
  }

  all(): Identity[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }
}
