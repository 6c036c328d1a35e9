// cilium_tunnel_map: remote pod CIDR base address -> node IP (tunnel endpoint).
// Mirrors pkg/maps/tunnel/tunnel.go of v1.13; both key and value are endpoint_key and print
// as `ip:key`. The datapath masks the destination with the local IPV4_MASK before lookup.
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import type { Provenance } from './provenance.js';
import { tabwrite } from './tabwriter.js';

export const TUNNEL_MAP = 'cilium_tunnel_map';

export interface TunnelEntry {
  readonly prefixBase: Ipv4;
  readonly endpoint: Ipv4;
  readonly key: number;
  readonly provenance: Provenance;
}

export function formatTunnelKey(ip: Ipv4): string {
  return `${formatIpv4(ip)}:0`;
}

export function formatTunnelValue(e: { endpoint: Ipv4; key: number }): string {
  return `${formatIpv4(e.endpoint)}:${e.key}`;
}

export class TunnelMap {
  readonly name = TUNNEL_MAP;
  private readonly byBase = new Map<number, TunnelEntry>();

  upsert(e: TunnelEntry): void {
    this.byBase.set(e.prefixBase, e);
  }

  lookup(maskedIp: Ipv4): TunnelEntry | undefined {
    return this.byBase.get(maskedIp);
  }

  entries(): TunnelEntry[] {
    return [...this.byBase.values()];
  }

  /** `cilium bpf tunnel list`, sorted by key address. */
  dump(): string {
    const rows = this.entries().sort((a, b) => a.prefixBase - b.prefixBase);
    if (rows.length === 0) return 'No entries found.\n';
    let text = 'TUNNEL\tVALUE\n';
    for (const r of rows) text += `${formatTunnelKey(r.prefixBase)}\t${formatTunnelValue(r)}\t\n`;
    return tabwrite(text);
  }
}
