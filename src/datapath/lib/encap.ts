// Encapsulation of bpf/lib/encap.h and ctx_set_encap_info of bpf/lib/overloadable_skb.h
// (v1.13): encap_and_redirect_lxc -> __encap_and_redirect_lxc -> __encap_and_redirect_with_nodeid
// -> __encap_with_nodeid -> ctx_set_encap_info. The VNI (tunnel_id) is the SOURCE security
// identity; the host uses LOCAL_NODE_ID (6), in the VNI and in TO_OVERLAY. TTL IPDEFTTL (64),
// BPF_F_ZERO_CSUM_TX. bpf_host enters through encap_and_redirect_with_nodeid, nodeport.h
// through __encap_with_nodeid.
// Left out: IPsec (encrypt_key != 0), VTEP, egress gateway.
import { HOST_ID, LOCAL_NODE_ID } from '../../cilium/identities.js';
import { formatIpv4, IP_ZERO, type Ipv4 } from '../../net/ip.js';
import { formatTunnelKey, formatTunnelValue, type TunnelEntry } from '../../maps/tunnel.js';
import type { CtStatus } from '../../cilium/trace-points.js';
import { drop, type Ctx, type Ret } from '../context.js';
import { sendTraceNotify } from './trace.js';

const FILE = 'bpf/lib/encap.h';
const IPDEFTTL = 64;

function ctxSetEncapInfo(ctx: Ctx, nodeIp: Ipv4, seclabel: number): Ret {
  // ctx_set_encap_info4 from v1.18 (overloadable_skb.h@v1.18.3:277-311, IPv6 underlays got a twin).
  const fn = ctx.cluster.release.has('no-tunnel-map') ? 'ctx_set_encap_info4' : 'ctx_set_encap_info';
  return ctx.tb.frame(fn, 'bpf/lib/overloadable_skb.h', () => {
    const key = { tunnelId: seclabel, remoteIpv4: nodeIp, ttl: IPDEFTTL };
    ctx.tb.add({ kind: 'note', text: `bpf_tunnel_key: tunnel_id=${key.tunnelId} (source identity) remote_ipv4=${formatIpv4(nodeIp)} tunnel_ttl=${IPDEFTTL}` });
    ctx.tb.frame('ctx_set_tunnel_key', 'bpf/include/bpf/ctx/skb.h', () => {
      // v1.16+: key_size = TUNNEL_KEY_WITHOUT_SRC_IP unless src_ip != 0, and every tc caller passes 0
      // (overloadable_skb.h@v1.18.3:283, 293-296; @v1.16.15:270-287).
      if (ctx.cluster.release.has('encap-key-without-src-ip')) {
        ctx.tb.add({ kind: 'note', text: 'bpf_skb_set_tunnel_key(ctx, &key, TUNNEL_KEY_WITHOUT_SRC_IP, BPF_F_ZERO_CSUM_TX) (src_ip 0: no local_ipv4)', feature: 'encap-key-without-src-ip' });
      } else {
        ctx.tb.add({ kind: 'note', text: 'bpf_skb_set_tunnel_key(ctx, &key, sizeof(key), BPF_F_ZERO_CSUM_TX)' });
      }
    });
    ctx.tunnelKey = key;
    return { kind: 'redirect', ifindex: ctx.node.config.encapIfindex, peer: false, ingress: false } as const;
  });
}

/**
 * __encap_with_nodeid (encap.h:116-140): a host source travels as LOCAL_NODE_ID, and that is
 * also the identity TO_OVERLAY reports (seclabel is rewritten before the notification).
 * `reason` is the trace reason the caller passes (its CT state, or CT_NEW / CT_REPLY in nodeport.h).
 */
export function encapWithNodeid(ctx: Ctx, tunnelEndpoint: Ipv4, seclabel: number, dstId: number, reason: CtStatus | 'unknown' = ctx.ctBuffer?.status ?? 'unknown'): Ret {
  const r = ctx.cluster.release;
  // __encap_with_nodeid4 from v1.18 (encap.h@v1.18.3:13-39).
  return ctx.tb.frame(r.has('no-tunnel-map') ? '__encap_with_nodeid4' : '__encap_with_nodeid', FILE, () => {
    const label = seclabel === HOST_ID ? LOCAL_NODE_ID : seclabel;
    if (label !== seclabel) ctx.tb.add({ kind: 'note', text: `seclabel ${seclabel} (HOST_ID) becomes LOCAL_NODE_ID ${LOCAL_NODE_ID}: the receiver sees a packet from a remote node` });
    if (r.has('to-overlay-trace-first')) {
      // v1.14+: send_trace_notify(TRACE_TO_OVERLAY) comes before ctx_set_encap_info (encap.h@v1.16.15:52-53).
      sendTraceNotify(ctx, 'TRACE_TO_OVERLAY', label, dstId, 0, ctx.node.config.encapIfindex, reason);
      return ctxSetEncapInfo(ctx, tunnelEndpoint, label);
    }
    const ret = ctxSetEncapInfo(ctx, tunnelEndpoint, label);
    if (ret.kind === 'drop') return ret;
    // v1.13 emits TO_OVERLAY after a successful set_tunnel_key.
    sendTraceNotify(ctx, 'TRACE_TO_OVERLAY', label, dstId, 0, ctx.node.config.encapIfindex, reason);
    return ret;
  });
}

/** __encap_and_redirect_with_nodeid (encap.h:143-156): __encap_with_nodeid, then ctx_redirect to ENCAP_IFINDEX. */
function encapAndRedirectWithNodeidInner(ctx: Ctx, tunnelEndpoint: Ipv4, seclabel: number, dstId: number): Ret {
  return ctx.tb.frame('__encap_and_redirect_with_nodeid', FILE, () => encapWithNodeid(ctx, tunnelEndpoint, seclabel, dstId));
}

/** encap_and_redirect_with_nodeid (encap.h:164-174), bpf_host's entry: IPsec aside, the same as the __ variant. */
export function encapAndRedirectWithNodeid(ctx: Ctx, tunnelEndpoint: Ipv4, seclabel: number, dstId: number): Ret {
  return ctx.tb.frame('encap_and_redirect_with_nodeid', FILE, () => encapAndRedirectWithNodeidInner(ctx, tunnelEndpoint, seclabel, dstId));
}

/** The cilium_tunnel_map lookup of the masked destination (v1.13-v1.17). */
function tunnelMapLookup(ctx: Ctx): TunnelEntry | undefined {
  const masked = (ctx.pkt.dst & ctx.node.config.ipv4Mask) >>> 0 as Ipv4;
  const map = ctx.node.maps.tunnel;
  const hit = map.lookup(masked);
  ctx.tb.add({ kind: 'lookup', map: map.name, key: formatTunnelKey(masked), result: hit ? formatTunnelValue(hit, ctx.cluster.release) : null, ...(hit ? { provenance: [hit.provenance] } : {}) });
  return hit;
}

/**
 * encap_and_redirect_lxc, per release:
 * - v1.13.0: with a tunnel endpoint from the ipcache, __encap_and_redirect_lxc ->
 *   __encap_and_redirect_with_nodeid; otherwise the masked destination in cilium_tunnel_map
 *   (a miss is DROP_NO_TUNNEL_ENDPOINT, which the caller handles).
 * - v1.16.15 (encap.h:103-170): __encap_and_redirect_lxc -> encap_and_redirect_with_nodeid ->
 *   __encap_and_redirect_with_nodeid; the tunnel-map hit goes through encap_and_redirect_with_nodeid.
 * - v1.18.3 (encap.h:93-117): the caller checked flag_has_tunnel_ep; straight to
 *   encap_and_redirect_with_nodeid with the ipcache entry. No tunnel map.
 */
export function encapAndRedirectLxc(ctx: Ctx, tunnelEndpoint: Ipv4, seclabel: number, dstId: number): Ret {
  const r = ctx.cluster.release;
  return ctx.tb.frame('encap_and_redirect_lxc', FILE, () => {
    if (r.has('no-tunnel-map')) return encapAndRedirectWithNodeid(ctx, tunnelEndpoint, seclabel, dstId);
    const modern = r.has('ep-not-ready');
    if (tunnelEndpoint !== IP_ZERO) {
      return ctx.tb.frame('__encap_and_redirect_lxc', FILE, () => modern
        ? encapAndRedirectWithNodeid(ctx, tunnelEndpoint, seclabel, dstId)
        : encapAndRedirectWithNodeidInner(ctx, tunnelEndpoint, seclabel, dstId));
    }
    const hit = tunnelMapLookup(ctx);
    if (!hit) return drop('DROP_NO_TUNNEL_ENDPOINT');
    return modern ? encapAndRedirectWithNodeid(ctx, hit.endpoint, seclabel, dstId) : encapAndRedirectWithNodeidInner(ctx, hit.endpoint, seclabel, dstId);
  });
}

/**
 * encap_and_redirect_netdev: bpf_host's tunnel-map path (no ipcache tunnel endpoint), to
 * v1.17. v1.18 has neither the function nor the map: without a tunnel endpoint in the ipcache
 * there is nothing to encapsulate toward.
 */
export function encapAndRedirectNetdev(ctx: Ctx, seclabel: number): Ret {
  if (!ctx.node.maps.tunnel.exists) {
    ctx.tb.add({ kind: 'note', text: `${ctx.cluster.release.version} has no tunnel map: no ipcache tunnel endpoint, nothing to encapsulate toward`, feature: 'no-tunnel-map' });
    return drop('DROP_NO_TUNNEL_ENDPOINT');
  }
  return ctx.tb.frame('encap_and_redirect_netdev', FILE, () => {
    const hit = tunnelMapLookup(ctx);
    if (!hit) return drop('DROP_NO_TUNNEL_ENDPOINT');
    // v1.16: through encap_and_redirect_with_nodeid (encap.h@v1.16.15:189).
    if (ctx.cluster.release.has('ep-not-ready')) return encapAndRedirectWithNodeid(ctx, hit.endpoint, seclabel, 0);
    return encapAndRedirectWithNodeidInner(ctx, hit.endpoint, seclabel, 0);
  });
}
