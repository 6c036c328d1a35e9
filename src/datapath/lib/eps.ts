// Endpoint and ipcache lookups of bpf/lib/eps.h: lookup_ip4_endpoint (exact match in cilium_lxc)
// and lookup_ip4_remote_endpoint (LPM in cilium_ipcache, cilium_ipcache_v2 from v1.18, with a
// full-length key). Values print as the release's CLI prints them.
import { formatEndpointInfo, formatEndpointKey, type LxcEntry } from '../../maps/lxcmap.js';
import { formatRemoteEndpointInfo, type IpcacheEntry } from '../../maps/ipcache.js';
import { formatIpv4, formatPrefix, type Ipv4 } from '../../net/ip.js';
import type { Ctx } from '../context.js';

export function lookupIp4Endpoint(ctx: Ctx, ip: Ipv4, fn = 'lookup_ip4_endpoint'): LxcEntry | undefined {
  return ctx.tb.frame(fn, 'bpf/lib/eps.h', () => {
    const hit = ctx.node.maps.lxc.lookup(ip);
    ctx.tb.add({
      kind: 'lookup', map: ctx.node.maps.lxc.name, key: formatEndpointKey(ip),
      result: hit ? formatEndpointInfo(hit.info, ctx.cluster.release) : null,
      ...(hit ? { provenance: [hit.provenance] } : { note: 'not a local endpoint' }),
    });
    return hit;
  });
}

export function lookupIp4RemoteEndpoint(ctx: Ctx, ip: Ipv4, fn = 'lookup_ip4_remote_endpoint'): IpcacheEntry | undefined {
  return ctx.tb.frame(fn, 'bpf/lib/eps.h', () => {
    const hit = ctx.node.maps.ipcache.lookup(ip);
    ctx.tb.add({
      kind: 'lookup', map: ctx.node.maps.ipcache.name, key: `${formatIpv4(ip)}/32`,
      result: hit ? formatRemoteEndpointInfo(hit.info, ctx.cluster.release) : null,
      ...(hit ? { provenance: [hit.provenance] } : {}),
      ...(hit && hit.prefix.len !== 32 ? { note: `longest prefix match ${formatPrefix(hit.prefix)}` } : {}),
    });
    return hit;
  });
}
