// Connection tracking: cilium_ct4_global (TCP) and cilium_ct_any4_global (everything else).
// Mirrors pkg/maps/ctmap and bpf/lib/conntrack.h of v1.13. Tuples are stored as the datapath
// stores them (see ct_lookup4: ports in wire order, addresses of the lookup direction), flag
// TUPLE_F_OUT (0) for the egress side and TUPLE_F_IN (1) for the ingress side.
// The clock is simulated and fixed, so `expires` is deterministic.
// Printing per release (pkg/maps/ctmap/types.go, pkg/tuple/ipv4.go at each release): v1.15+
// prints service keys "<PROTO> SVC saddr:sport -> daddr:dport"; v1.16+ values have one
// Packets/Bytes pair and BackendID (ct_entry's backend_id left the rx_bytes union); v1.18
// drops IfIndex (ct_entry.ifindex became reserved4). Flag bit 7 is DSRInternal and bit 10
// FromTunnel from v1.16 (v1.14: FromTunnel; v1.16: dsr → dsr_internal).
import type { CiliumRelease } from '../cilium/releases/release.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import type { Provenance } from './provenance.js';

export const CT_MAP_TCP = 'cilium_ct4_global';
export const CT_MAP_ANY = 'cilium_ct_any4_global';

export const TUPLE_F_OUT = 0;
export const TUPLE_F_IN = 1;
export const TUPLE_F_RELATED = 2;
export const TUPLE_F_SERVICE = 4;

/** Simulated monotonic clock (seconds) at which every trace runs. */
export const SIM_CLOCK = 1000;
export const CT_LIFETIME_TCP = 21600;
export const CT_LIFETIME_NONTCP = 60;
export const CT_SYN_TIMEOUT = 60;

export interface CtTuple {
  readonly daddr: Ipv4;
  readonly saddr: Ipv4;
  readonly dport: number; // as stored, host order for display
  readonly sport: number;
  readonly nexthdr: number;
  readonly flags: number;
}

export interface CtEntry {
  readonly lifetime: number;
  readonly rxPackets: number;
  readonly rxBytes: number;
  readonly txPackets: number;
  readonly txBytes: number;
  readonly txFlagsSeen: number;
  readonly rxFlagsSeen: number;
  readonly flags: number;
  readonly revNat: number;
  readonly srcSecId: number;
  readonly ifindex: number;
  readonly lastTxReport: number;
  readonly lastRxReport: number;
  /** A CT_SERVICE entry's backend id: in rx_bytes up to v1.15, its own backend_id field from v1.16. */
  readonly backendId?: number;
  readonly provenance: Provenance;
}

export function ctMapFor(nexthdr: number): string {
  return nexthdr === 6 ? CT_MAP_TCP : CT_MAP_ANY;
}

function tupleId(t: CtTuple): string {
  return `${t.daddr}|${t.saddr}|${t.dport}|${t.sport}|${t.nexthdr}|${t.flags}`;
}

const PROTO: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/**
 * CtKey4Global.Dump(reverse=true): the display source is the stored daddr, the display
 * destination the stored saddr, ports printed SourcePort -> DestPort from the stored fields.
 */
export function formatCtKey(t: CtTuple, release?: CiliumRelease): string {
  const proto = PROTO[t.nexthdr] ?? String(t.nexthdr);
  if (t.flags & TUPLE_F_SERVICE && release?.has('ct-list-svc-form')) {
    // CtKey4Global.Dump, TUPLE_F_SERVICE: "%s SVC %s:%d -> %s:%d " of SourceAddr, DestPort, DestAddr, SourcePort.
    return `${proto} SVC ${formatIpv4(t.saddr)}:${t.sport} -> ${formatIpv4(t.daddr)}:${t.dport} ${t.flags & TUPLE_F_RELATED ? 'related ' : ''}`;
  }
  const dir = t.flags & TUPLE_F_IN ? 'IN' : 'OUT';
  let s = `${proto} ${dir} ${formatIpv4(t.daddr)}:${t.dport} -> ${formatIpv4(t.saddr)}:${t.sport} `;
  if (t.flags & TUPLE_F_RELATED) s += 'related ';
  if (t.flags & TUPLE_F_SERVICE) s += 'service ';
  return s;
}

const FLAG_NAMES = ['RxClosing', 'TxClosing', 'Nat64', 'LBLoopback', 'SeenNonSyn', 'NodePort', 'ProxyRedirect', 'DSR', 'FromL7LB'];
/** flagsString of v1.16.15 / v1.18.3 (bit 9 Reserved1 prints nothing). */
const FLAG_NAMES_V1_16 = ['RxClosing', 'TxClosing', 'Nat64', 'LBLoopback', 'SeenNonSyn', 'NodePort', 'ProxyRedirect', 'DSRInternal', 'FromL7LB', '', 'FromTunnel'];

function hex(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

/** CtEntry.StringWithTimeDiff (without -d) of the release: v1.13 by default. */
export function formatCtEntry(e: CtEntry, release?: CiliumRelease): string {
  if (release?.has('ct-list-single-counters')) {
    const names = FLAG_NAMES_V1_16.filter((n, i) => n !== '' && e.flags & (1 << i));
    // A CT_SERVICE entry counts nothing (its bytes were the backend id up to v1.15).
    const bytes = e.backendId !== undefined ? e.txBytes : e.rxBytes + e.txBytes;
    const ifindex = release.has('ct-list-no-ifindex') ? '' : `IfIndex=${e.ifindex} `;
    return `expires=${e.lifetime} Packets=${e.rxPackets + e.txPackets} Bytes=${bytes} RxFlagsSeen=${hex(e.rxFlagsSeen, 2)} LastRxReport=${e.lastRxReport} ` +
      `TxFlagsSeen=${hex(e.txFlagsSeen, 2)} LastTxReport=${e.lastTxReport} Flags=${hex(e.flags, 4)} [ ${names.map((n) => n + ' ').join('')}] ` +
      `RevNAT=${e.revNat} SourceSecurityID=${e.srcSecId} ${ifindex}BackendID=${e.backendId ?? 0} `;
  }
  const names = FLAG_NAMES.filter((_, i) => e.flags & (1 << i));
  return `expires=${e.lifetime} RxPackets=${e.rxPackets} RxBytes=${e.rxBytes} RxFlagsSeen=${hex(e.rxFlagsSeen, 2)} ` +
    `LastRxReport=${e.lastRxReport} TxPackets=${e.txPackets} TxBytes=${e.txBytes} TxFlagsSeen=${hex(e.txFlagsSeen, 2)} ` +
    `LastTxReport=${e.lastTxReport} Flags=${hex(e.flags, 4)} [ ${names.map((n) => n + ' ').join('')}] ` +
    `RevNAT=${e.revNat} SourceSecurityID=${e.srcSecId} IfIndex=${e.ifindex} `;
}

export class CtMap {
  private readonly byTuple = new Map<string, { tuple: CtTuple; entry: CtEntry }>();

  constructor(readonly name: string) {}

  lookup(t: CtTuple): CtEntry | undefined {
    return this.byTuple.get(tupleId(t))?.entry;
  }

  set(t: CtTuple, e: CtEntry): void {
    this.byTuple.set(tupleId(t), { tuple: t, entry: e });
  }

  entries(): Array<{ tuple: CtTuple; entry: CtEntry }> {
    return [...this.byTuple.values()];
  }

  clone(): CtMap {
    const c = new CtMap(this.name);
    for (const { tuple, entry } of this.entries()) c.set(tuple, entry);
    return c;
  }

  /** `cilium bpf ct list global` lines for this map, in insertion order. */
  dumpLines(release?: CiliumRelease): string[] {
    return this.entries().filter((x) => x.tuple.nexthdr !== 0).map((x) => `${formatCtKey(x.tuple, release)}${formatCtEntry(x.entry, release)}\n`);
  }
}
