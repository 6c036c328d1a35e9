// The SelectorCache of pkg/policy/selectorcache.go (v1.13): each distinct selector is
// evaluated once against all identities and its selections are kept. Identity 0 (unknown)
// is never selected; the wildcard selector is not enumerated (it is identity 0 in the map).
// To stay fast on large clusters, identities are indexed by label key and key=value, so a
// selector with an In/Exists requirement only checks the identities that carry that label.
import type { Identity } from './identity.js';
import { isWildcard, selectorMatches, type Requirement, type Selector } from './selector.js';

export class SelectorCache {
  private readonly ids: readonly Identity[];
  private readonly byKey = new Map<string, Identity[]>();
  private readonly byKeyValue = new Map<string, Identity[]>();
  private readonly cache = new Map<string, readonly number[]>();
  /** CIDR identities carry only their own cidr: label (v1.16+): no label index for cidr: requirements. */
  private readonly cidrByContainment: boolean;

  constructor(identities: readonly Identity[]) {
    this.ids = identities.filter((i) => i.id !== 0);
    this.cidrByContainment = this.ids.some((i) => i.cidr !== undefined && i.cidr.len > 0 && i.labels.filter((l) => l.source === 'cidr').length === 1);
    for (const ident of this.ids) {
      for (const l of ident.labels) {
        push(this.byKey, l.key, ident);
        push(this.byKeyValue, `${l.key}\u0000${l.value}`, ident);
      }
    }
  }

  /** The identities (sorted) a selector selects; the wildcard selects everything. */
  selections(sel: Selector): readonly number[] {
    const hit = this.cache.get(sel.id);
    if (hit) return hit;
    const candidates = isWildcard(sel) ? this.ids : this.narrowest(sel.reqs);
    const out = [...new Set(candidates.filter((i) => selectorMatches(sel, i.labels)).map((i) => i.id))].sort((a, b) => a - b);
    this.cache.set(sel.id, out);
    return out;
  }

  private narrowest(reqs: readonly Requirement[]): readonly Identity[] {
    let best: readonly Identity[] = this.ids;
    for (const r of reqs) {
      // With v1.16+ CIDR identities a cidr: requirement also selects contained prefixes (selector.ts find).
      if (r.source === 'cidr' && this.cidrByContainment) continue;
      let set: readonly Identity[] | undefined;
      if (r.op === 'Exists') set = this.byKey.get(r.key) ?? [];
      else if (r.op === 'In') set = r.values.flatMap((v) => this.byKeyValue.get(`${r.key}\u0000${v}`) ?? []);
      if (set && set.length < best.length) best = set;
    }
    return best;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
