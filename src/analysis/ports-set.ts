// A set of connections over all ports: for each simulated protocol (TCP, UDP, ICMP) the
// allowed destination ports (ICMP: types, as ENABLE_ICMP_RULE keys them) as sorted disjoint
// ranges, each marked when its traffic goes through the L7 proxy. Immutable; `key` is a
// canonical text, so equal sets intern to one id.

export type SetProto = 'TCP' | 'UDP' | 'ICMP';

export const SET_PROTOS: readonly SetProto[] = ['TCP', 'UDP', 'ICMP'];

/** IP protocol numbers as the policy key holds them. */
export const PROTO_NUMBER: Readonly<Record<SetProto, number>> = { TCP: 6, UDP: 17, ICMP: 1 };

/** The ports a protocol has: TCP/UDP 1-65535 (port 0 is not a destination), ICMP types 0-255. */
export const DOMAIN: Readonly<Record<SetProto, readonly [number, number]>> = { TCP: [1, 65535], UDP: [1, 65535], ICMP: [0, 255] };

export interface PortRange {
  readonly proto: SetProto;
  readonly lo: number;
  readonly hi: number;
  /** Allowed through the proxy (a policy entry with a proxy port on either end). */
  readonly l7: boolean;
}

export class PortSet {
  /** Sorted by protocol (SET_PROTOS order) then port; adjacent ranges of equal l7 merged. */
  readonly ranges: readonly PortRange[];
  readonly key: string;

  constructor(ranges: readonly PortRange[]) {
    const sorted = [...ranges].sort((a, b) => SET_PROTOS.indexOf(a.proto) - SET_PROTOS.indexOf(b.proto) || a.lo - b.lo);
    const out: PortRange[] = [];
    for (const r of sorted) {
      const last = out[out.length - 1];
      if (last && last.proto === r.proto && last.l7 === r.l7 && last.hi + 1 >= r.lo) out[out.length - 1] = { ...last, hi: Math.max(last.hi, r.hi) };
      else out.push(r);
    }
    this.ranges = out;
    this.key = out.map((r) => `${r.proto}${r.lo}-${r.hi}${r.l7 ? 'L' : ''}`).join(',');
  }

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** The range holding `port` of `proto`, if allowed. */
  find(proto: SetProto, port: number): PortRange | undefined {
    return this.ranges.find((r) => r.proto === proto && r.lo <= port && port <= r.hi);
  }

  /** Every port of TCP, UDP and ICMP allowed, none through the proxy. */
  get all(): boolean {
    return SET_PROTOS.every((p) => this.ranges.some((r) => r.proto === p && !r.l7 && r.lo === DOMAIN[p][0] && r.hi === DOMAIN[p][1]));
  }

  /** Ports of this set not in `other` (an l7 change counts: the port is then in both differences). */
  minus(other: PortSet): PortSet {
    const out: PortRange[] = [];
    for (const r of this.ranges) {
      let pieces: PortRange[] = [r];
      for (const o of other.ranges) {
        if (o.proto !== r.proto || o.l7 !== r.l7) continue;
        pieces = pieces.flatMap((p) => {
          if (o.hi < p.lo || o.lo > p.hi) return [p];
          const left = o.lo > p.lo ? [{ ...p, hi: o.lo - 1 }] : [];
          const right = o.hi < p.hi ? [{ ...p, lo: o.hi + 1 }] : [];
          return [...left, ...right];
        });
      }
      out.push(...pieces);
    }
    return new PortSet(out);
  }
}

export const EMPTY_SET = new PortSet([]);

function rangeText(r: PortRange): string {
  return r.lo === r.hi ? String(r.lo) : `${r.lo}-${r.hi}`;
}

/**
 * `TCP 80,8080 (L7), UDP 53, ICMP type 8`; `All Connections` for every port of the three
 * protocols (netpol-analyzer's words); `none` for the empty set.
 */
const TEXT = new WeakMap<PortSet, string>();

export function formatPortSet(s: PortSet): string {
  let t = TEXT.get(s);
  if (t === undefined) TEXT.set(s, (t = formatUncached(s)));
  return t;
}

function formatUncached(s: PortSet): string {
  if (s.empty) return 'none';
  if (s.all) return 'All Connections';
  const parts: string[] = [];
  for (const p of SET_PROTOS) {
    const rs = s.ranges.filter((r) => r.proto === p);
    if (rs.length === 0) continue;
    const items = rs.map((r) => `${rangeText(r)}${r.l7 ? ' (L7)' : ''}`);
    parts.push(`${p === 'ICMP' ? 'ICMP type' : p} ${items.join(',')}`);
  }
  return parts.join(', ');
}
