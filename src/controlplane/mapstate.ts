// An endpoint's desired policy map state, built as pkg/policy/mapstate.go of v1.13 builds it
// (before the CIDR-aware rework of PR #22966): the datapath takes the first of its fixed
// probes that hits, so deny precedence is made here, when entries are inserted
// (DenyPreferredInsert / denyPreferredInsertWithChanges):
//  * a deny "all" {0,0,0} blocks every later insert in its direction and deletes every
//    existing entry of that direction;
//  * an L3-only deny {id,0,0} adds, for every L4-only allow {0,port,proto} already present,
//    a {id,port,proto} deny companion, and deletes {id,port,proto} entries that have no
//    such L4-only allow;
//  * other denies are not inserted when an L3-only deny for their identity exists;
//  * an L4-only allow {0,port,proto} (port != 0) gets a {id,port,proto} deny companion for
//    every L3-only deny {id,0,0} already present;
//  * any other allow is dropped when an L3-only deny for its identity exists, and never
//    overwrites an existing deny (redirectPreferredInsert).
// Every entry keeps the provenance of every rule that asked for it; inserts that lost to a
// deny are kept in `suppressed` with the reason, for explanations.
import type { PolicyKey, ProxyRedirect, TrafficDirection } from '../maps/policymap.js';
import type { Provenance } from '../maps/provenance.js';

export interface MapStateEntry {
  readonly key: PolicyKey;
  readonly deny: boolean;
  readonly provenance: readonly Provenance[];
  /** An allow that redirects to the proxy (the agent then writes the listener's port). */
  readonly redirect?: ProxyRedirect;
}

export interface SuppressedInsert {
  readonly key: PolicyKey;
  readonly deny: boolean;
  readonly provenance: readonly Provenance[];
  readonly reason: string;
}

/**
 * A key as one number (identity < 2^25, port < 2^16, protocol < 2^8, direction: 50 bits, a
 * safe integer): an endpoint's map state has thousands of entries, and numbers are cheaper
 * map keys than strings.
 */
function keyId(k: PolicyKey): number {
  return ((k.identity * 65536 + k.dport) * 256 + k.proto) * 2 + (k.direction === 'egress' ? 1 : 0);
}

const isL3Only = (k: PolicyKey) => k.dport === 0 && k.proto === 0 && k.identity !== 0;
const isAll = (k: PolicyKey) => k.dport === 0 && k.proto === 0 && k.identity === 0;

function merge(a: readonly Provenance[], b: readonly Provenance[]): Provenance[] {
  const out = [...a];
  for (const p of b) if (!out.some((q) => q.what === p.what && q.pos?.line === p.pos?.line && q.pos?.file === p.pos?.file)) out.push(p);
  return out;
}

export function describeKey(k: PolicyKey): string {
  const port = k.dport === 0 && k.proto === 0 ? 'any port' : `${k.dport}/${k.proto}`;
  return `{identity ${k.identity}, ${port}, ${k.direction}}`;
}

/** Keys of one direction by kind, each in the order the entries were first inserted. */
class DirectionIndex {
  readonly all = new Set<number>();
  /** {id, 0, 0} with id != 0. */
  readonly l3Only = new Set<number>();
  /** {0, port, proto} with port or proto set. */
  readonly l4Only = new Set<number>();
  readonly byIdentity = new Map<number, Set<number>>();

  add(id: number, k: PolicyKey): void {
    this.all.add(id);
    if (isL3Only(k)) this.l3Only.add(id);
    if (k.identity === 0 && (k.dport !== 0 || k.proto !== 0)) this.l4Only.add(id);
    let ids = this.byIdentity.get(k.identity);
    if (!ids) this.byIdentity.set(k.identity, (ids = new Set()));
    ids.add(id);
  }

  delete(id: number, k: PolicyKey): void {
    this.all.delete(id);
    this.l3Only.delete(id);
    this.l4Only.delete(id);
    this.byIdentity.get(k.identity)?.delete(id);
  }
}

/** The entries of a map state both kinds (HASH keys, LPM keys) write through. */
interface EntryStore {
  readonly suppressed: SuppressedInsert[];
  get(k: PolicyKey): MapStateEntry | undefined;
  set(k: PolicyKey, deny: boolean, provenance: readonly Provenance[], redirect?: ProxyRedirect): void;
}

/**
 * addKeyWithChanges: the new value wins, provenance of the same kind of entry is merged;
 * RedirectPreferredInsert: an allow that already redirects keeps its redirect, and a
 * redirecting allow replaces a plain one.
 */
function addKeyWithChanges(s: EntryStore, k: PolicyKey, deny: boolean, provenance: readonly Provenance[], redirect?: ProxyRedirect): void {
  const old = s.get(k);
  if (old && old.deny !== deny) s.suppressed.push({ key: k, deny: old.deny, provenance: old.provenance, reason: 'overwritten by a deny entry for the same key' });
  const same = old && old.deny === deny;
  s.set(k, deny, same ? merge(old.provenance, provenance) : provenance, deny ? undefined : withPlainAllow(same ? old.redirect : undefined, redirect, same === true));
}

export class MapState {
  private readonly byKey = new Map<number, MapStateEntry>();
  // Indexes in step with byKey (same insertion order), so the deny-precedence rules below
  // visit the same entries in the same order as a scan of the whole map, without the scan.
  private readonly index: Record<TrafficDirection, DirectionIndex> = { ingress: new DirectionIndex(), egress: new DirectionIndex() };
  readonly suppressed: SuppressedInsert[] = [];

  get(k: PolicyKey): MapStateEntry | undefined {
    return this.byKey.get(keyId(k));
  }

  /** A plain write (AllowAllIdentities writes keys directly). */
  set(k: PolicyKey, deny: boolean, provenance: readonly Provenance[], redirect?: ProxyRedirect): void {
    const id = keyId(k);
    if (!this.byKey.has(id)) this.index[k.direction].add(id, k);
    this.byKey.set(id, redirect ? { key: k, deny, provenance, redirect } : { key: k, deny, provenance });
  }

  entries(): MapStateEntry[] {
    return [...this.byKey.values()].sort((a, b) =>
      Number(a.key.direction === 'egress') - Number(b.key.direction === 'egress') ||
      a.key.identity - b.key.identity || a.key.dport - b.key.dport || a.key.proto - b.key.proto);
  }

  /** The entries of these keys as they are now (a snapshot: inserts during the loop are not seen). */
  private snapshot(ids: ReadonlySet<number> | undefined): MapStateEntry[] {
    const out: MapStateEntry[] = [];
    for (const id of ids ?? []) {
      const e = this.byKey.get(id);
      if (e) out.push(e);
    }
    return out;
  }

  /** addKeyWithChanges (see there). */
  private add(k: PolicyKey, deny: boolean, provenance: readonly Provenance[], redirect?: ProxyRedirect): void {
    addKeyWithChanges(this, k, deny, provenance, redirect);
  }

  private remove(e: MapStateEntry, reason: string): void {
    const id = keyId(e.key);
    if (this.byKey.delete(id)) this.index[e.key.direction].delete(id, e.key);
    this.suppressed.push({ key: e.key, deny: e.deny, provenance: e.provenance, reason });
  }

  private drop(k: PolicyKey, deny: boolean, provenance: readonly Provenance[], reason: string): void {
    this.suppressed.push({ key: k, deny, provenance, reason });
  }

  denyPreferredInsert(k: PolicyKey, deny: boolean, provenance: readonly Provenance[], redirect?: ProxyRedirect): void {
    const all: PolicyKey = { identity: 0, dport: 0, proto: 0, direction: k.direction };
    const allEntry = this.get(all);
    if (allEntry?.deny && !(deny && isAll(k))) {
      return this.drop(k, deny, provenance, `the ${k.direction} deny-all entry {0, any port} blocks every other entry`);
    }
    const l3: PolicyKey = { ...k, dport: 0, proto: 0 };
    if (deny) {
      if (isL3Only(k)) {
        const l4OnlyAllows = new Set<string>();
        const dir = this.index[k.direction];
        for (const e of this.snapshot(dir.l4Only)) {
          if (!e.deny) {
            const companion: PolicyKey = { ...k, dport: e.key.dport, proto: e.key.proto };
            this.add(companion, true, provenance.map((p) => companionOf(p, e.key)));
            l4OnlyAllows.add(`${e.key.dport}/${e.key.proto}`);
          }
        }
        for (const e of this.snapshot(dir.byIdentity.get(k.identity))) {
          if (e.key.dport !== 0 && e.key.proto !== 0 && !l4OnlyAllows.has(`${e.key.dport}/${e.key.proto}`)) {
            this.remove(e, `deleted by the L3-only deny ${describeKey(k)}`);
          }
        }
      } else if (isAll(k)) {
        for (const e of this.snapshot(this.index[k.direction].all)) this.remove(e, `deleted by the ${k.direction} deny-all entry`);
      } else if (this.get(l3)?.deny) {
        return this.drop(k, deny, provenance, `covered by the L3-only deny ${describeKey(l3)}`);
      }
      return this.add(k, true, provenance);
    }
    if (k.identity === 0 && k.dport !== 0) {
      for (const e of this.snapshot(this.index[k.direction].l3Only)) {
        if (e.deny) {
          this.add({ ...k, identity: e.key.identity }, true, e.provenance.map((p) => companionOf(p, k)));
        }
      }
      // Cilium writes the L4-only allow unconditionally here; an L4-only deny for the same
      // key cannot exist there (allow and deny of one selector merge to deny per L4Filter).
      if (this.get(k)?.deny) return this.drop(k, deny, provenance, 'a deny entry for the same key takes precedence');
      return this.add(k, false, provenance, redirect);
    }
    if (this.get(l3)?.deny && !isAll(k)) {
      return this.drop(k, deny, provenance, `covered by the L3-only deny ${describeKey(l3)}`);
    }
    // redirectPreferredInsert: an existing deny is never overwritten by an allow.
    if (this.get(k)?.deny) return this.drop(k, deny, provenance, 'a deny entry for the same key takes precedence');
    this.add(k, false, provenance, redirect);
  }
}

function companionOf(p: Provenance, l4: PolicyKey): Provenance {
  const port = l4.prefixLen !== undefined ? describeLpmKey(l4).replace(/^\{identity \d+, |, (ingress|egress)\}$/g, '') : l4.dport === 0 ? `proto ${l4.proto}` : `${l4.dport}/${l4.proto}`;
  return { ...p, what: `${p.what} (deny companion for the L4-only allow on ${port}, so the deny wins in the datapath)` };
}

// ---- LPM map state (v1.14+: v1.16.15, v1.18.3) ------------------------------------------

/** Does `a`'s protocol/port cover `b`'s (both LPM keys)? Equal keys cover each other. */
export function portProtoCovers(a: PolicyKey, b: PolicyKey): boolean {
  const pa = a.prefixLen ?? 24;
  const pb = b.prefixLen ?? 24;
  if (pa > pb) return false;
  if (pa === 0) return true;
  if (a.proto !== b.proto) return false;
  if (pa <= 8) return true;
  const shift = 24 - pa;
  return a.dport >> shift === b.dport >> shift;
}

const portProtoEqual = (a: PolicyKey, b: PolicyKey) => a.prefixLen === b.prefixLen && a.proto === b.proto && a.dport === b.dport;
const portProtoBroader = (a: PolicyKey, b: PolicyKey) => portProtoCovers(a, b) && !portProtoEqual(a, b);
const lpmKeyId = (k: PolicyKey) => `${k.direction}|${k.identity}|${k.proto}|${k.dport}|${k.prefixLen ?? 24}`;

/**
 * The desired map state of an LPM policy map, with the precedence rules of the release:
 *  * v1.16.15 (pkg/policy/mapstate.go@7513067408:820-1107 denyPreferredInsertWithChanges):
 *    the datapath picks the longer prefix of its two lookups, so a deny for an identity must
 *    be copied onto every narrower L4-only allow's port ({id, port} deny companions); an
 *    allow covered by a deny of identity 0 or of its own identity is not inserted; a deny
 *    deletes the allows of identity 0 / its own identity it covers.
 *  * v1.18.3 (pkg/policy/mapstate.go@c160168901:687-732 insertWithChanges, the 1.17 rework):
 *    the datapath lets an L3 deny win at once, so no companions: a deny is not inserted under
 *    a broader-or-equal deny (identity 0 or its own) and deletes the narrower-or-equal keys;
 *    an allow is not inserted under a broader-or-equal deny or redirect (proxy_port_priority),
 *    and a redirect deletes the narrower plain allows.
 * `superset(a, b)` is identityIsSupersetOf (mapstate.go@7513067408:732-794): identity 0 over any
 * other; CIDR containment between CIDR identities is left out (not simulated here).
 */
export class LpmMapState {
  private readonly byKey = new Map<string, MapStateEntry>();
  // Indexes in step with byKey: by direction and identity, with each key's insertion number, so
  // an insert looks only at the entries that can cover it or that it can cover (identity 0 and
  // its own identity) instead of every entry: linear, not quadratic, in the map's size.
  private readonly byDirId = new Map<string, Map<string, MapStateEntry>>();
  private readonly seq = new Map<string, number>();
  private nextSeq = 0;
  readonly suppressed: SuppressedInsert[] = [];

  constructor(private readonly v118: boolean) {}

  get(k: PolicyKey): MapStateEntry | undefined {
    return this.byKey.get(lpmKeyId(k));
  }

  set(k: PolicyKey, deny: boolean, provenance: readonly Provenance[], redirect?: ProxyRedirect): void {
    const id = lpmKeyId(k);
    const e: MapStateEntry = redirect ? { key: k, deny, provenance, redirect } : { key: k, deny, provenance };
    if (!this.byKey.has(id)) this.seq.set(id, this.nextSeq++);
    this.byKey.set(id, e);
    const slot = `${k.direction}|${k.identity}`;
    let m = this.byDirId.get(slot);
    if (!m) this.byDirId.set(slot, (m = new Map()));
    m.set(id, e);
  }

  private unset(k: PolicyKey): boolean {
    const id = lpmKeyId(k);
    if (!this.byKey.delete(id)) return false;
    this.seq.delete(id);
    this.byDirId.get(`${k.direction}|${k.identity}`)?.delete(id);
    return true;
  }

  /**
   * The entries of a direction an insert of `identity` can meet, in insertion order: every
   * entry for identity 0 (the wildcard meets all), else those of identity 0 and `identity`.
   */
  private candidates(direction: TrafficDirection, identity: number): MapStateEntry[] {
    if (identity === 0) return this.of(direction);
    const a = this.byDirId.get(`${direction}|0`);
    const b = this.byDirId.get(`${direction}|${identity}`);
    const out = [...(a?.values() ?? []), ...(b?.values() ?? [])];
    if (a && b && a.size > 0 && b.size > 0) out.sort((x, y) => (this.seq.get(lpmKeyId(x.key)) ?? 0) - (this.seq.get(lpmKeyId(y.key)) ?? 0));
    return out;
  }

  entries(): MapStateEntry[] {
    return [...this.byKey.values()].sort((a, b) =>
      Number(a.key.direction === 'egress') - Number(b.key.direction === 'egress') ||
      a.key.identity - b.key.identity || a.key.proto - b.key.proto || a.key.dport - b.key.dport || (a.key.prefixLen ?? 0) - (b.key.prefixLen ?? 0));
  }

  private of(direction: TrafficDirection): MapStateEntry[] {
    return [...this.byKey.values()].filter((e) => e.key.direction === direction);
  }

  private add(k: PolicyKey, deny: boolean, provenance: readonly Provenance[], redirect?: ProxyRedirect): void {
    addKeyWithChanges(this, k, deny, provenance, redirect);
  }

  private remove(e: MapStateEntry, reason: string): void {
    if (this.unset(e.key)) this.suppressed.push({ key: e.key, deny: e.deny, provenance: e.provenance, reason });
  }

  private drop(k: PolicyKey, deny: boolean, provenance: readonly Provenance[], reason: string): void {
    this.suppressed.push({ key: k, deny, provenance, reason });
  }

  denyPreferredInsert(k: PolicyKey, deny: boolean, provenance: readonly Provenance[], redirect?: ProxyRedirect): void {
    if (this.v118) this.insert118(k, deny, provenance, redirect);
    else this.insert116(k, deny, provenance, redirect);
  }

  private insert118(k: PolicyKey, deny: boolean, prov: readonly Provenance[], redirect?: ProxyRedirect): void {
    const dir = this.candidates(k.direction, k.identity);
    const broader = dir.filter((e) => (e.key.identity === 0 || e.key.identity === k.identity) && portProtoCovers(e.key, k));
    const narrower = dir.filter((e) => (k.identity === 0 || e.key.identity === k.identity) && portProtoCovers(k, e.key));
    if (deny) {
      const cover = broader.find((e) => e.deny && lpmKeyId(e.key) !== lpmKeyId(k));
      if (cover) return this.drop(k, deny, prov, `covered by the deny ${describeLpmKey(cover.key)}`);
      for (const e of narrower) if (!e.deny || lpmKeyId(e.key) !== lpmKeyId(k)) this.remove(e, `deleted by the deny ${describeLpmKey(k)}, which covers it`);
      return this.add(k, true, prov);
    }
    const cover = broader.find((e) => e.deny || (e.redirect && !redirect));
    if (cover) return this.drop(k, deny, prov, cover.deny ? `covered by the deny ${describeLpmKey(cover.key)}` : `covered by the redirect ${describeLpmKey(cover.key)} (higher proxy_port_priority)`);
    if (redirect) for (const e of narrower) if (!e.deny && !e.redirect && lpmKeyId(e.key) !== lpmKeyId(k)) this.remove(e, `deleted by the redirect ${describeLpmKey(k)} (higher proxy_port_priority)`);
    this.add(k, false, prov, redirect);
  }

  private insert116(k: PolicyKey, deny: boolean, prov: readonly Provenance[], redirect?: ProxyRedirect): void {
    const all = this.get({ identity: 0, dport: 0, proto: 0, direction: k.direction, prefixLen: 0 });
    if (all?.deny && lpmKeyId(all.key) !== lpmKeyId(k)) return this.drop(k, deny, prov, `the ${k.direction} deny-all entry {0, ANY} blocks every other entry`);
    const superset = (a: number, b: number) => a === 0 && b !== 0;
    const protosMatch = (a: PolicyKey, b: PolicyKey) => a.proto === 0 || b.proto === 0 || a.proto === b.proto;
    const dir = this.candidates(k.direction, k.identity).filter((e) => protosMatch(e.key, k));
    if (deny) {
      for (const e of dir.filter((x) => !x.deny)) {
        if (superset(e.key.identity, k.identity)) {
          if (portProtoBroader(k, e.key)) this.add({ ...e.key, identity: k.identity }, true, prov.map((p) => companionOf(p, e.key)));
        } else if ((portProtoBroader(k, e.key) || portProtoEqual(k, e.key)) && (k.identity === 0 || k.identity === e.key.identity)) {
          this.remove(e, `deleted by the deny ${describeLpmKey(k)}, which covers it`);
        }
      }
      const denies = this.candidates(k.direction, k.identity).filter((x) => x.deny && protosMatch(x.key, k));
      for (const e of denies) {
        if ((e.key.identity === 0 || e.key.identity === k.identity) && portProtoCovers(e.key, k) && lpmKeyId(e.key) !== lpmKeyId(k)) {
          return this.drop(k, deny, prov, `covered by the deny ${describeLpmKey(e.key)}`);
        }
      }
      // A narrower deny of the same identity (or any, for identity 0) is redundant, unless it
      // is a companion that must outrank an L4-only allow (HasDependent, mapstate.go:974-992).
      for (const e of denies) {
        if ((k.identity === 0 || k.identity === e.key.identity) && portProtoCovers(k, e.key) && lpmKeyId(e.key) !== lpmKeyId(k) && !isCompanion(e)) {
          this.remove(e, `redundant under the broader deny ${describeLpmKey(k)}`);
        }
      }
      return this.add(k, true, prov);
    }
    for (const e of dir.filter((x) => x.deny)) {
      if (superset(k.identity, e.key.identity)) {
        if (portProtoBroader(e.key, k)) this.add({ ...k, identity: e.key.identity }, true, e.provenance.map((p) => companionOf(p, k)));
      } else if (portProtoCovers(e.key, k) && (e.key.identity === 0 || e.key.identity === k.identity)) {
        return this.drop(k, deny, prov, `covered by the deny ${describeLpmKey(e.key)}`);
      }
    }
    if (this.get(k)?.deny) return this.drop(k, deny, prov, 'a deny entry for the same key takes precedence');
    this.add(k, false, prov, redirect);
  }
}

const isCompanion = (e: MapStateEntry) => e.provenance.some((p) => p.what.includes('(deny companion for the L4-only allow'));

/** `{identity 0, 8080-8095/TCP, ingress}` */
export function describeLpmKey(k: PolicyKey): string {
  const p = k.prefixLen ?? 24;
  const proto = k.proto === 0 ? 'ANY' : String(k.proto);
  const port = p === 0 ? 'any port' : p <= 8 ? `any port/${proto}` : p < 24 ? `${k.dport}-${k.dport + (1 << (24 - p)) - 1}/${proto}` : `${k.dport}/${proto}`;
  return `{identity ${k.identity}, ${port}, ${k.direction}}`;
}

/**
 * The redirect an entry keeps (RedirectPreferredInsert). When a plain allow and an HTTP
 * redirect meet on one key, Envoy still gets the plain allow's selector for that port with no
 * L7 rules (getPortNetworkPolicyRule): every request of that peer passes, so the kept redirect
 * says so (a null rule).
 */
function withPlainAllow(old: ProxyRedirect | undefined, added: ProxyRedirect | undefined, same: boolean): ProxyRedirect | undefined {
  const kept = old ?? added;
  if (!same || !kept?.http || (old !== undefined && added !== undefined)) return kept;
  if (kept.http.includes(null)) return kept;
  return { ...kept, http: [...kept.http, null], rules: [...kept.rules, 'anything (an allow without L7 rules for the same port and peer)'] };
}
