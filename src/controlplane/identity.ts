// Security identities: labels -> numeric identity, the agent's identity cache.
// Mirrors pkg/identity/cache/allocator.go (AllocateIdentity) of v1.13. The real allocator
// picks a random free id in [256, 65535]; we derive it from the canonical label key (hash,
// then linear probing in sorted key order) so results are stable, and keep pinned ids.
import { MAX_CLUSTER_IDENTITY, MIN_CLUSTER_IDENTITY, RESERVED_IDENTITIES } from '../cilium/identities.js';
import { allocateInRange } from '../util/hash.js';
import { formatLabel, labelsKey, type Label } from './labels.js';

export interface Identity {
  readonly id: number;
  readonly labels: readonly Label[];
  readonly reserved: boolean;
}

export class IdentityRegistry {
  private readonly byId = new Map<number, Identity>();
  private readonly byKey = new Map<string, number>();

  constructor() {
    for (const [name, id] of Object.entries(RESERVED_IDENTITIES)) {
      const labels: Label[] = [{ source: 'reserved', key: name, value: '' }];
      if (name === 'kube-apiserver') labels.push({ source: 'reserved', key: 'remote-node', value: '' });
      this.byId.set(id, { id, labels, reserved: true });
    }
  }

  /**
   * Allocates identities for all label sets at once: pinned ones first, then the rest in
   * sorted canonical-key order, so adding an unrelated pod never renumbers others.
   */
  allocateAll(requests: ReadonlyArray<{ labels: readonly Label[]; pinned?: number }>): void {
    const taken = new Set<number>(this.byId.keys());
    const pending = new Map<string, readonly Label[]>();
    for (const r of requests) {
      const key = labelsKey(r.labels);
      if (this.byKey.has(key)) continue;
      if (r.pinned !== undefined) {
        this.byKey.set(key, r.pinned);
        this.byId.set(r.pinned, { id: r.pinned, labels: r.labels, reserved: false });
        taken.add(r.pinned);
        pending.delete(key);
      } else {
        pending.set(key, r.labels);
      }
    }
    for (const key of [...pending.keys()].sort()) {
      if (this.byKey.has(key)) continue;
      const id = allocateInRange(key, MIN_CLUSTER_IDENTITY, MAX_CLUSTER_IDENTITY, taken);
      this.byKey.set(key, id);
      this.byId.set(id, { id, labels: pending.get(key) ?? [], reserved: false });
    }
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
