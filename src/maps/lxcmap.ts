// cilium_lxc: the endpoints map, local pod IPs (and local host IPs) -> endpoint info.
// Mirrors pkg/maps/lxcmap/lxcmap.go and bpf/lib/eps.h (struct endpoint_key,
// struct endpoint_info) of v1.13: no sec_id field yet. v1.16.15 adds sec_id= and prints keys
// as AddrCluster:key (pkg/maps/lxcmap/lxcmap.go@v1.16.15:158-171, pkg/bpf/endpoint.go:62-71);
// v1.18.3 appends parent_ifindex= (lxcmap.go@v1.18.3:163-177), 0 unless ENI IPAM (the CNI
// sets ParentInterfaceIndex only then: plugins/cilium-cni/cmd/endpoint.go@v1.18.3:97-103).
// Left out: IPv6 keys.
import { V1_13_0, type CiliumRelease } from '../cilium/releases/release.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import { formatMacUpper, type Mac } from '../net/mac.js';
import type { Provenance } from './provenance.js';
import { tabwrite } from './tabwriter.js';

export const LXC_MAP = 'cilium_lxc';
export const ENDPOINT_F_HOST = 1;

export interface EndpointInfo {
  readonly ifindex: number; // host-side veth
  readonly lxcId: number; // endpoint id
  readonly flags: number; // ENDPOINT_F_HOST for host entries
  readonly mac: Mac | undefined; // pod MAC (undefined for host entries)
  readonly nodeMac: Mac | undefined; // host-side veth MAC
  /** sec_id (v1.14+): the endpoint's security identity, 0 for host entries. */
  readonly secId?: number;
}

export interface LxcEntry {
  readonly ip: Ipv4;
  readonly info: EndpointInfo;
  readonly provenance: Provenance;
}

export function formatEndpointKey(ip: Ipv4): string {
  return `${formatIpv4(ip)}:0`;
}

/** EndpointInfo.String of the release (v1.13.0: no sec_id). */
export function formatEndpointInfo(v: EndpointInfo, r: CiliumRelease = V1_13_0): string {
  if (v.flags & ENDPOINT_F_HOST) return '(localhost)';
  const id = String(v.lxcId).padEnd(5, ' ');
  const secId = r.has('endpoint-sec-id') ? ` sec_id=${String(v.secId ?? 0).padEnd(5, ' ')}` : '';
  const flags = `0x${v.flags.toString(16).toUpperCase().padStart(4, '0')}`;
  const ifindex = String(v.ifindex).padEnd(3, ' ');
  const parent = r.has('endpoint-parent-ifindex') ? ` parent_ifindex=${'0'.padEnd(3, ' ')}` : '';
  return `id=${id}${secId} flags=${flags} ifindex=${ifindex} mac=${formatMacUpper(v.mac as Mac)} nodemac=${formatMacUpper(v.nodeMac as Mac)}${parent}`;
}

export class LxcMap {
  readonly name = LXC_MAP;
  private readonly byIp = new Map<number, LxcEntry>();

  constructor(readonly release: CiliumRelease = V1_13_0) {}

  upsert(entry: LxcEntry): void {
    this.byIp.set(entry.ip, entry);
  }

  /** __lookup_ip4_endpoint: exact match on {ip, family=IPv4}. */
  lookup(ip: Ipv4): LxcEntry | undefined {
    return this.byIp.get(ip);
  }

  entries(): LxcEntry[] {
    return [...this.byIp.values()];
  }

  /** `cilium bpf endpoint list`, rows sorted by address (the CLI prints Go-map order). */
  dump(): string {
    const rows = this.entries().sort((a, b) => a.ip - b.ip);
    if (rows.length === 0) return 'No entries found.\n';
    let text = 'IP ADDRESS\tLOCAL ENDPOINT INFO\n';
    for (const r of rows) text += `${formatEndpointKey(r.ip)}\t${formatEndpointInfo(r.info, this.release)}\t\n`;
    return tabwrite(text);
  }
}
