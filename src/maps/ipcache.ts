// cilium_ipcache: IP/prefix -> security identity and tunnel endpoint.
// Mirrors pkg/maps/ipcache/ipcache.go and bpf/lib/eps.h (struct ipcache_key,
// struct remote_endpoint_info) of v1.13. Key prefix lengths count 32 static bits in C
// (IPCACHE_PREFIX_LEN); here prefixes are kept as plain /N and printed as the CLI does.
// Deviation on purpose: the value prints a decimal `nodeid=` field because seed note 000
// (our default profile) shows it (`... tunnelendpoint=1.2.3.168 nodeid=32012`); plain v1.13
// sources print no node id. Left out: IPv6, encryption keys other than 0.
import { formatIpv4, formatPrefix, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
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

/** RemoteEndpointInfo.String as printed in seed note 000. */
export function formatRemoteEndpointInfo(v: RemoteEndpointInfo): string {
  return `identity=${v.secLabel} encryptkey=${v.key} tunnelendpoint=${formatIpv4(v.tunnelEndpoint)} nodeid=${v.nodeId}`;
}

export class IpcacheMap {
  readonly name = IPCACHE_MAP;
  private readonly table = new LpmTable<IpcacheEntry>();

  upsert(entry: IpcacheEntry): void {
    this.table.set(entry.prefix, entry);
  }

  /** ipcache_lookup4 with a full-length key: the longest matching prefix, if any. */
  lookup(ip: Ipv4): IpcacheEntry | undefined {
    return this.table.lookup(ip)?.value;
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
    for (const r of rows) text += `${formatIpcacheKey(r.prefix)}\t${formatRemoteEndpointInfo(r.info)}\t\n`;
    return tabwrite(text);
  }
}
