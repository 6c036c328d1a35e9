// CIDR policy pieces of Cilium v1.13: the resultant prefix set of a CIDR rule with
// exceptions (pkg/policy/api/cidr.go ComputeResultantCIDRSet over pkg/ip RemoveCIDRs), the
// labels of a CIDR identity (pkg/labels/cidr/cidr.go GetCIDRLabels: one `cidr:` label per
// prefix length 0..N plus reserved:world) and the selectors a CIDR peer turns into
// (CIDRSlice.GetAsEndpointSelectors: `cidr:<prefix>`, plus reserved:world for 0.0.0.0/0).
import { formatPrefix, maskOf, prefixesOverlap, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
import type { Label } from './labels.js';
import { makeSelector, type Selector } from './selector.js';

function contains(outer: Ipv4Prefix, inner: Ipv4Prefix): boolean {
  return inner.len >= outer.len && ((inner.addr & maskOf(outer.len)) >>> 0) === outer.addr;
}

function halves(p: Ipv4Prefix): [Ipv4Prefix, Ipv4Prefix] {
  const len = p.len + 1;
  return [{ addr: p.addr, len }, { addr: ((p.addr | (1 << (32 - len))) >>> 0) as Ipv4, len }];
}

/**
 * `cidr` minus every prefix of `except`, as the minimal list of prefixes covering the rest
 * (what RemoveCIDRs computes), sorted by address. An except covering the whole CIDR leaves
 * nothing.
 */
export function subtractPrefixes(cidr: Ipv4Prefix, except: readonly Ipv4Prefix[]): Ipv4Prefix[] {
  const relevant = except.filter((e) => prefixesOverlap(cidr, e));
  if (relevant.length === 0) return [cidr];
  if (relevant.some((e) => contains(e, cidr))) return [];
  const [a, b] = halves(cidr);
  return [...subtractPrefixes(a, relevant), ...subtractPrefixes(b, relevant)];
}

export function comparePrefixes(a: Ipv4Prefix, b: Ipv4Prefix): number {
  return a.addr - b.addr || a.len - b.len;
}

export const WORLD_LABEL: Label = { source: 'reserved', key: 'world', value: '' };

function cidrLabel(p: Ipv4Prefix): Label {
  return { source: 'cidr', key: formatPrefix(p), value: '' };
}

/**
 * GetCIDRLabels. v1.13.0 (pkg/labels/cidr/cidr.go): `cidr:` labels for /0 … /len of the prefix,
 * and reserved:world. v1.16+ (`exactOnly`, pkg/labels/cidr.go@1.16.15:89-99): the prefix's own
 * `cidr:` label and the world label only; selectors then match by prefix containment
 * (selector.ts).
 */
export function cidrIdentityLabels(p: Ipv4Prefix, exactOnly = false): Label[] {
  const out: Label[] = [];
  if (p.len > 0 && exactOnly) out.push(cidrLabel(p));
  else if (p.len > 0) {
    for (let i = 0; i <= p.len; i++) out.push(cidrLabel({ addr: ((p.addr & maskOf(i)) >>> 0) as Ipv4, len: i }));
  }
  out.push(WORLD_LABEL);
  return out;
}

export const WORLD_SELECTOR: Selector = makeSelector([{ source: 'reserved', key: 'world', op: 'In', values: [''] }]);

/** The selectors of one resultant prefix of a CIDR peer. */
export function cidrSelectors(p: Ipv4Prefix): Selector[] {
  const own = makeSelector([{ source: 'cidr', key: formatPrefix(p), op: 'In', values: [''] }]);
  return p.len === 0 ? [WORLD_SELECTOR, own] : [own];
}
