// cilium_ipcache: IP/prefix -> security identity and tunnel endpoint.
// Mirrors pkg/maps/ipcache/ipcache.go and bpf/lib/eps.h (struct ipcache_key,
// struct remote_endpoint_info) of v1.13. Key prefix lengths count 32 static bits in C
// (IPCACHE_PREFIX_LEN); here prefixes are kept as plain /N and printed as the CLI does.
// Deviation on purpose: the value prints a decimal `nodeid=` field because seed note 000
// (our default profile) shows it (`... tunnelendpoint=1.2.3.168 nodeid=32012`); plain v1.13
// sources print no node id. Later releases print as their pkg/maps/ipcache/ipcache.go does
// (formatRemoteEndpointInfo). Left out: IPv6, encryption keys other than 0.
import { V1_13_0, type CiliumRelease } from '../cilium/releases/release.js';
import { ipcacheMapName } from '../cilium/releases/map-names.js';
import { formatIpv4, formatPrefix, IP_ZERO, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
import { LpmTable } from './lpm.js';
import type { Provenance } from './provenance.js';
import { tabwrite } from './tabwriter.js';

export const IPCACHE_MAP = 'cilium_ipcache';

export interface RemoteEndpointInfo {
  readonly secLabel: number;
  readonly tunnelEndpoint: Ipv4; // 0.0.0.0 for local entries
  readonly key: number; // IPsec key index
  readonly nodeId: number;
}

export interface IpcacheEntry {
  readonly prefix: Ipv4Prefix;
  readonly info: RemoteEndpointInfo;
  readonly provenance: Provenance;
}

export function formatIpcacheKey(p: Ipv4Prefix): string {
  return formatPrefix(p);
}

/**
 * flag_has_tunnel_ep (v1.18): NewValue sets FlagHasTunnelEndpoint whenever the agent gives a
 * tunnel endpoint (pkg/maps/ipcache/ipcache.go@v1.18.3:218-236); no entry of ours sets
 * skiptunnel, ipv6tunnel or remotecluster.
 */
export function hasTunnelEndpoint(r: CiliumRelease, v: RemoteEndpointInfo): boolean {
  return r.has('no-tunnel-map') && v.tunnelEndpoint !== IP_ZERO;
}

/**
 * RemoteEndpointInfo.String: as seed note 000 prints it at v1.13.0; at v1.16.15
 * "identity=%d encryptkey=%d tunnelendpoint=%s, flags=%s" with flags skiptunnel or <none>
 * (ipcache.go@v1.16.15:129-159); at v1.18.3 "... tunnelendpoint=%s flags=%s" with the flags
 * joined by commas, <none> when none (ipcache.go@v1.18.3:136-186).
 */
export function formatRemoteEndpointInfo(v: RemoteEndpointInfo, r: CiliumRelease = V1_13_0): string {
  const head = `identity=${v.secLabel} encryptkey=${v.key} tunnelendpoint=${formatIpv4(v.tunnelEndpoint)}`;
  if (r.has('ipcache-flags-space')) return `${head} flags=${hasTunnelEndpoint(r, v) ? 'hastunnel' : '<none>'}`;
  if (r.has('ipcache-flags-comma')) return `${head}, flags=<none>`;
  return `${head} nodeid=${v.nodeId}`;
}

export class IpcacheMap {
  /** cilium_ipcache; cilium_ipcache_v2 from v1.18. */
  readonly name: string;
  private readonly table = new LpmTable<IpcacheEntry>();

  constructor(readonly release: CiliumRelease = V1_13_0) {
    this.name = ipcacheMapName(release);
  }

  upsert(entry: IpcacheEntry): void {
    this.table.set(entry.prefix, entry);
  }

  /** ipcache_lookup4 with a full-length key: the longest matching prefix, if any. */
  lookup(ip: Ipv4): IpcacheEntry | undefined {
    return this.table.lookup(ip)?.value;
  }

  /** The lookup that ignores the prefixes `skip` names (entries a node does not write). */
  lookupSkipping(ip: Ipv4, skip: (p: Ipv4Prefix) => boolean): IpcacheEntry | undefined {
    return this.table.lookup(ip, skip)?.value;
  }

  entries(): IpcacheEntry[] {
    return this.table.entries().map((e) => e.value);
  }

  /**
   * `cilium bpf ipcache list`. The real command prints Go-map order (random); we sort by
   * prefix length (longest first) then address, and say so in the docs.
   */
  dump(): string {
    const rows = this.entries().sort((a, b) => b.prefix.len - a.prefix.len || a.prefix.addr - b.prefix.addr);
    if (rows.length === 0) return 'No entries found.\n';
    let text = 'IP PREFIX/ADDRESS\tIDENTITY\n';
    for (const r of rows) text += `${formatIpcacheKey(r.prefix)}\t${formatRemoteEndpointInfo(r.info, this.release)}\t\n`;
    return tabwrite(text);
  }
}
