// cilium_tunnel_map: remote pod CIDR base address -> node IP (tunnel endpoint).
// v1.13.0 (pkg/maps/tunnel/tunnel.go@c9723a8df3:85-110): struct tunnel_key / tunnel_value; the
// key prints the bare IP (`10.0.1.0`), the value `ip:key node_id` (`1.2.3.168:0 32012`, the
// node id pkg/datapath/linux/node.go:121 writes). The datapath masks the destination with the
// local IPV4_MASK before lookup. v1.16.15 prints the key as an AddrCluster (`10.0.1.0`,
// `@<cluster>` only when not 0) and the value as `ip:key` (pkg/maps/tunnel/tunnel.go@v1.16.15:85-108). v1.18 has no tunnel map:
// remote pod CIDRs are ipcache entries with a tunnel endpoint (tunnelMapName).
import { V1_13_0, type CiliumRelease } from '../cilium/releases/release.js';
import { tunnelMapName } from '../cilium/releases/map-names.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import type { Provenance } from './provenance.js';
import { tabwrite } from './tabwriter.js';

export const TUNNEL_MAP = 'cilium_tunnel_map';

export interface TunnelEntry {
  readonly prefixBase: Ipv4;
  readonly endpoint: Ipv4;
  readonly key: number;
  /** The remote node's id (v1.13.0 keeps it in the value). */
  readonly nodeId: number;
  readonly provenance: Provenance;
}

/** TunnelKey.String: the bare address in every release that has the map (cluster id 0). */
export function formatTunnelKey(ip: Ipv4): string {
  return formatIpv4(ip);
}

/** TunnelValue.String: `ip:key node_id` at v1.13.0, `ip:key` from v1.15. */
export function formatTunnelValue(e: { endpoint: Ipv4; key: number; nodeId: number }, r: CiliumRelease = V1_13_0): string {
  return r.has('tunnel-value-no-nodeid') ? `${formatIpv4(e.endpoint)}:${e.key}` : `${formatIpv4(e.endpoint)}:${e.key} ${e.nodeId}`;
}

export class TunnelMap {
  readonly name: string;
  /** False from v1.18: the agent neither creates nor pins the map. */
  readonly exists: boolean;
  private readonly byBase = new Map<number, TunnelEntry>();

  constructor(readonly release: CiliumRelease = V1_13_0) {
    const name = tunnelMapName(release);
    this.name = name ?? TUNNEL_MAP;
    this.exists = name !== undefined;
  }

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
    if (!this.exists) {
      return `${this.release.version} has no ${TUNNEL_MAP}: remote pod CIDRs are ${this.release.cli} bpf ipcache list entries with flags=hastunnel\n`;
    }
    const rows = this.entries().sort((a, b) => a.prefixBase - b.prefixBase);
    if (rows.length === 0) return 'No entries found.\n';
    let text = 'TUNNEL\tVALUE\n';
    for (const r of rows) text += `${formatTunnelKey(r.prefixBase)}\t${formatTunnelValue(r, this.release)}\t\n`;
    return tabwrite(text);
  }
}
