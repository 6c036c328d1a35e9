// cilium_egress_gw_policy_v4: the egress gateway policies of v1.13.0 (pkg/maps/egressmap,
// bpf/lib/egress_policies.h). An LPM trie keyed {prefixlen = 32 + cidr length, saddr (a pod
// IP, always whole), daddr (a destination CIDR)} with value {egress_ip, gateway_ip}; every
// agent writes an entry per selected pod IP and destination CIDR. The gateway itself (the
// tunnel to the gateway node, the SNAT there) is not simulated: a hit ends the trace.
// Dump: cilium/cmd/bpf_egress_list.go (`cilium bpf egress list`).
import { V1_13_0, type CiliumRelease } from '../cilium/releases/release.js';
import { formatIpv4, formatPrefix, prefixContains, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
import type { Provenance } from './provenance.js';
import { tabwrite } from './tabwriter.js';

export const EGRESS_POLICY_MAP = 'cilium_egress_gw_policy_v4';

export interface EgressGwEntry {
  readonly saddr: Ipv4;
  readonly daddr: Ipv4Prefix;
  readonly egressIp: Ipv4;
  readonly gatewayIp: Ipv4;
  /** The policy, and what it would do (like provenance, never dumped). */
  readonly provenance: Provenance;
  readonly effect: string;
}

/**
 * The Gateway IP column: v1.16+ prints the agent's sentinels by name (mapGatewayIP,
 * cilium-dbg/cmd/bpf_egress_list.go@v1.16.15:84-93, @v1.18.3:104-113; GatewayNotFoundIPv4 is
 * 0.0.0.0, ExcludedCIDRIPv4 0.0.0.1: pkg/egressgateway/manager.go@v1.16.15:46-49); v1.13.0
 * prints the address (cilium/cmd/bpf_egress_list.go:54).
 */
function gatewayText(ip: Ipv4, r: CiliumRelease): string {
  if (r.has('egress-gateway-sentinels')) {
    if (ip === 0) return 'Not Found';
    if (ip === 1) return 'Excluded CIDR';
  }
  return formatIpv4(ip);
}

export class EgressGwMap {
  private readonly bySource = new Map<number, EgressGwEntry[]>();

  constructor(readonly release: CiliumRelease = V1_13_0) {}

  upsert(e: EgressGwEntry): void {
    const list = this.bySource.get(e.saddr) ?? [];
    const i = list.findIndex((x) => x.daddr.addr === e.daddr.addr && x.daddr.len === e.daddr.len);
    if (i >= 0) list[i] = e;
    else list.push(e);
    this.bySource.set(e.saddr, list);
  }

  get size(): number {
    let n = 0;
    for (const l of this.bySource.values()) n += l.length;
    return n;
  }

  /** lookup_ip4_egress_gw_policy: the longest destination prefix holding daddr, for this source. */
  lookup(saddr: Ipv4, daddr: Ipv4): EgressGwEntry | undefined {
    let best: EgressGwEntry | undefined;
    for (const e of this.bySource.get(saddr) ?? []) {
      if (prefixContains(e.daddr, daddr) && (!best || e.daddr.len > best.daddr.len)) best = e;
    }
    return best;
  }

  /** `cilium bpf egress list`, sorted by source and destination (the real map iterates in trie order). */
  dump(): string {
    const rows = [...this.bySource.values()].flat().sort((a, b) => a.saddr - b.saddr || a.daddr.addr - b.daddr.addr || a.daddr.len - b.daddr.len);
    if (rows.length === 0) return 'No entries found.\n';
    let text = 'Source IP\tDestination CIDR\tEgress IP\tGateway IP\n';
    for (const r of rows) text += `${formatIpv4(r.saddr)}\t${formatPrefix(r.daddr)}\t${formatIpv4(r.egressIp)}\t${gatewayText(r.gatewayIp, this.release)}\n`;
    return tabwrite(text);
  }
}

/** The key as the trace shows it. */
export function formatEgressKey(saddr: Ipv4, daddr: Ipv4): string {
  return `{saddr=${formatIpv4(saddr)} daddr=${formatIpv4(daddr)}}`;
}

export function formatEgressEntry(e: EgressGwEntry): string {
  return `${formatPrefix(e.daddr)} egress_ip=${formatIpv4(e.egressIp)} gateway_ip=${formatIpv4(e.gatewayIp)}`;
}
