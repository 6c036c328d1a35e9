// cilium_snat_v4_external: the BPF SNAT table of NodePort and BPF masquerading.
// Mirrors pkg/maps/nat (NatKey4 / NatEntry4) and bpf/lib/nat.h of v1.13.0: a connection has an
// OUT entry keyed by the original tuple (value: the address and port it is rewritten to) and
// an IN entry keyed by the reply tuple (value: what the reply is rewritten back to).
// The clock is the simulated one of the CT maps.
// Per release (pkg/maps/nat/ipv4.go, nat.go): v1.14+ prints NeedsCT= (struct nat_entry's
// host_local became needs_ct); v1.15+ prints Created= as "%dsec ago" from the agent's clock
// source (without one the CLI prints "? (raw N)"; cilium-trace's clock is simulated).
import type { CiliumRelease } from '../cilium/releases/release.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import { SIM_CLOCK, type CtTuple } from './ctmap.js';

export const NAT_MAP = 'cilium_snat_v4_external';

export interface NatEntry {
  readonly created: number;
  readonly hostLocal: boolean;
  readonly toAddr: Ipv4;
  readonly toPort: number;
}

function id(t: CtTuple): string {
  return `${t.daddr}|${t.saddr}|${t.dport}|${t.sport}|${t.nexthdr}|${t.flags}`;
}

const PROTO: Readonly<Record<number, string>> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/** NatKey4: tuples are stored in packet order (bpf/lib/nat.h), printed source first. */
export function formatNatKey(t: CtTuple): string {
  return `${PROTO[t.nexthdr] ?? t.nexthdr} ${t.flags & 1 ? 'IN' : 'OUT'} ${formatIpv4(t.saddr)}:${t.sport} -> ${formatIpv4(t.daddr)}:${t.dport} `;
}

/**
 * NatEntry4.Dump (pkg/maps/nat/ipv4.go:43-57): XLATE_SRC for egress (OUT) entries, XLATE_DST
 * for ingress (IN) ones; Created is NatDumpCreated's "%dsec" (nat.go:71-76). struct nat_entry
 * has created, host_local and two pads (nat.h:30-35): there is nothing else to print.
 */
export function formatNatEntry(t: CtTuple, e: NatEntry, release?: CiliumRelease): string {
  const kind = t.flags & 1 ? 'XLATE_DST' : 'XLATE_SRC';
  const created = release?.has('nat-list-created-ago') ? `${SIM_CLOCK - e.created}sec ago` : `${SIM_CLOCK - e.created}sec`;
  const ct = release?.has('nat-list-needs-ct') ? 'NeedsCT' : 'HostLocal';
  return `${kind} ${formatIpv4(e.toAddr)}:${e.toPort} Created=${created} ${ct}=${e.hostLocal ? 1 : 0}`;
}

export class NatMap {
  readonly name = NAT_MAP;
  private readonly byTuple = new Map<string, { tuple: CtTuple; entry: NatEntry }>();

  lookup(t: CtTuple): NatEntry | undefined {
    return this.byTuple.get(id(t))?.entry;
  }

  set(t: CtTuple, e: NatEntry): void {
    this.byTuple.set(id(t), { tuple: t, entry: e });
  }

  entries(): Array<{ tuple: CtTuple; entry: NatEntry }> {
    return [...this.byTuple.values()];
  }

  clone(): NatMap {
    const c = new NatMap();
    for (const { tuple, entry } of this.entries()) c.set(tuple, entry);
    return c;
  }

  /** `cilium bpf nat list`, one line per entry in insertion order. */
  dump(release?: CiliumRelease): string {
    return this.entries().map(({ tuple, entry }) => `${formatNatKey(tuple)}${formatNatEntry(tuple, entry, release)}\n`).join('');
  }
}
