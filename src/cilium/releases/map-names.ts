// The pinned names of the maps on the traced paths, per release (cilium-versions.md §7.1, read
// from the `"cilium_*"` literals under pkg/maps at each release).
import type { CiliumRelease } from './release.js';

/** cilium_ipcache; cilium_ipcache_v2 from v1.18 (pkg/maps/ipcache/ipcache.go@1.18.0). */
export function ipcacheMapName(r: CiliumRelease): string {
  return r.has('ipcache-v2') ? 'cilium_ipcache_v2' : 'cilium_ipcache';
}

/** cilium_policy_<EPID 5 digits>; cilium_policy_v2_<EPID> from v1.17 (pkg/maps/policymap/policymap.go@1.17.0). */
export function policyMapName(r: CiliumRelease, epid: number): string {
  return `${r.has('policy-map-v2') ? 'cilium_policy_v2_' : 'cilium_policy_'}${String(epid).padStart(5, '0')}`;
}

/** cilium_tunnel_map, or undefined from v1.18 (the agent unpins it: daemon/cmd/datapath.go@1.18.0). */
export function tunnelMapName(r: CiliumRelease): string | undefined {
  return r.has('no-tunnel-map') ? undefined : 'cilium_tunnel_map';
}
