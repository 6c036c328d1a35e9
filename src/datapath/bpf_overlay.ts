// bpf/bpf_overlay.c of Cilium v1.13 (v1.16 and v1.18 where they differ: the VNI identity is read
// before FROM_OVERLAY from v1.15, local delivery from the tunnel passes from_tunnel), attached to cilium_vxlan / cilium_geneve and built by
// init.sh with -DSECLABEL=2 -DFROM_ENCAP_DEV=1. cil_from_overlay sees decapsulated packets
// (tc ingress), cil_to_overlay sees packets about to be encapsulated by the kernel (egress).
// NodePort (nodeport_lb4, handle_nat_fwd) lives in lib/nodeport.ts. Left out: IPsec, VTEP,
// the bandwidth manager, IPv6 host remapping.
import { CILIUM_CALL } from '../cilium/call-slots.js';
import { HOST_ID } from '../cilium/identities.js';
import { identityIsRemoteNode } from './lib/identity.js';
import { formatIpv4 } from '../net/ip.js';
import { ETH_P_IP } from '../net/packet.js';
import { CTX_ACT_OK, drop, unsimulated, type Ctx, type Ret } from './context.js';
import { sendDropNotify } from './lib/drop.js';
import { lookupIp4Endpoint, lookupIp4RemoteEndpoint } from './lib/eps.js';
import { ipv4LocalDelivery } from './lib/l3.js';
import { epTailCall } from './lib/tailcall.js';
import { handleNatFwd, nodeportLb4, skipNodeport } from './lib/nodeport.js';
import { ctxSnatDone } from './lib/nat.js';
import { sendTraceNotify } from './lib/trace.js';

const FILE = 'bpf/bpf_overlay.c';

export function cilFromOverlay(ctx: Ctx): Ret {
  return ctx.tb.frame('cil_from_overlay', FILE, () => {
    if (ctx.cluster.release.has('overlay-trace-identity')) {
      // v1.15+ (bpf_overlay.c@v1.18.3:697-753): get_tunnel_key, get_id_from_tunnel_id, refuse
      // HOST_ID, park the identity in CB_SRC_LABEL, then FROM_OVERLAY carries it.
      if (ctx.pkt.ethertype === ETH_P_IP) {
        const identity = tunnelIdentity(ctx, true);
        if (identity === undefined) return sendDropNotify(ctx, drop('DROP_NO_TUNNEL_KEY', 'cil_from_overlay', FILE), 'cil_from_overlay', FILE, 'ingress');
        if (identity === HOST_ID) return sendDropNotify(ctx, drop('DROP_INVALID_IDENTITY', 'cil_from_overlay', FILE), 'cil_from_overlay', FILE, 'ingress');
        ctx.cb.set('CB_SRC_LABEL', identity);
        ctx.tb.add({ kind: 'note', text: `cb[CB_SRC_LABEL]=${identity}` });
        sendTraceNotify(ctx, 'TRACE_FROM_OVERLAY', identity, 0, 0, ctx.ifindex, 'unknown');
      } else {
        sendTraceNotify(ctx, 'TRACE_FROM_OVERLAY', 0, 0, 0, ctx.ifindex, 'unknown');
      }
    } else {
      // v1.13 reports FROM_OVERLAY before reading the tunnel key, so with identity 0.
      sendTraceNotify(ctx, 'TRACE_FROM_OVERLAY', 0, 0, 0, ctx.ifindex, 'unknown');
    }
    if (ctx.pkt.ethertype !== ETH_P_IP) return sendDropNotify(ctx, drop('DROP_UNKNOWN_L3'), 'cil_from_overlay', FILE, 'ingress');
    const ret = epTailCall(ctx, CILIUM_CALL.IPV4_FROM_LXC);
    return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'cil_from_overlay', FILE, 'ingress') : ret;
  });
}

/** get_tunnel_key and get_id_from_tunnel_id (bpf/lib/common.h): the VNI is the source identity. */
function tunnelIdentity(ctx: Ctx, fromOverlay = false): number | undefined {
  const key = ctx.tunnelKey;
  if (!key) return undefined;
  const read = (): void => ctx.tb.frame('ctx_get_tunnel_key', 'bpf/include/bpf/ctx/skb.h', () => {
    ctx.tb.add({ kind: 'note', text: `tunnel_id=${key.tunnelId} remote_ipv4=${formatIpv4(key.remoteIpv4)}` });
  });
  // v1.18: cil_from_overlay calls get_tunnel_key (bpf_overlay.c@v1.18.3:711 → bpf/lib/encap.h:223),
  // which calls ctx_get_tunnel_key(ctx, key, TUNNEL_KEY_WITHOUT_SRC_IP, 0); v1.16.15 calls it directly (:636).
  // cil_to_overlay calls ctx_get_tunnel_key itself (bpf_overlay.c@v1.18.3:836).
  if (fromOverlay && ctx.cluster.release.has('overlay-get-tunnel-key')) ctx.tb.frame('get_tunnel_key', 'bpf/lib/encap.h', read);
  else read();
  return ctx.tb.frame('get_id_from_tunnel_id', 'bpf/lib/common.h', () => {
    ctx.tb.add({ kind: 'note', text: `source identity ${key.tunnelId} (the VNI; IPv4, no cluster id bits)`, feature: 'overlay-trace-identity' });
    return key.tunnelId;
  });
}

/** Slot 7, CILIUM_CALL_IPV4_FROM_OVERLAY. */
export function tailHandleIpv4Overlay(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_handle_ipv4', FILE, () => {
    const ret = handleIpv4(ctx);
    return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'handle_ipv4', FILE, 'ingress', undefined, { fn: 'tail_handle_ipv4' }) : ret;
  });
}

function handleIpv4(ctx: Ctx): Ret {
  return ctx.tb.frame('handle_ipv4', FILE, () => {
    // v1.15+ passes the VNI identity cil_from_overlay parked (nodeport_lb4(ctx, ..., *identity, ...)).
    const parked = ctx.cluster.release.has('overlay-trace-identity') ? ctx.cb.get('CB_SRC_LABEL') ?? 0 : 0;
    if (ctx.node.config.enableNodePort && !skipNodeport(ctx)) {
      const np = nodeportLb4(ctx, parked);
      if (np) return np;
    }
    let identity: number;
    if (ctx.cluster.release.has('overlay-trace-identity')) {
      // tail_handle_ipv4 reads what cil_from_overlay parked: ctx_load_and_clear_meta(ctx, CB_SRC_LABEL).
      identity = ctx.cb.get('CB_SRC_LABEL') ?? 0;
      ctx.tb.add({ kind: 'note', text: `source identity ${identity} from cb[CB_SRC_LABEL] (cil_from_overlay read the VNI)`, feature: 'overlay-trace-identity' });
    } else {
      const key = ctx.tunnelKey;
      if (!key) return drop('DROP_NO_TUNNEL_KEY', 'handle_ipv4', FILE);
      identity = key.tunnelId;
      ctx.tb.frame('ctx_get_tunnel_key', 'bpf/include/bpf/ctx/skb.h', () => {
        ctx.tb.add({ kind: 'note', text: `tunnel_id=${key.tunnelId} remote_ipv4=${formatIpv4(key.remoteIpv4)}: source identity ${identity} (from the VNI)` });
      });
      if (identity === HOST_ID) return drop('DROP_INVALID_IDENTITY', 'handle_ipv4', FILE);
    }
    if (ctx.cluster.release.has('overlay-ipcache-always')) {
      // info = lookup_ip4_remote_endpoint(ip4->saddr, 0) on every packet; used only when the VNI
      // says remote-node (bpf_overlay.c@v1.18.3:396, :448-450; @v1.16.15:330).
      const info = lookupIp4RemoteEndpoint(ctx, ctx.pkt.src);
      if (identityIsRemoteNode(identity) && info?.info.secLabel) {
        identity = info.info.secLabel;
        if (((identity & 0xff000000) >>> 0) === 0x02000000) ctx.tb.add({ kind: 'note', text: `source identity ${identity} from the ipcache: the sending node's own identity (remote-node scope 0x02000000, enable-node-selector-labels)`, feature: 'from-to-nodes' });
      } else if (!identityIsRemoteNode(identity)) ctx.tb.add({ kind: 'note', text: `the VNI identity ${identity} is not remote-node: the ipcache identity is not used`, feature: 'overlay-ipcache-always' });
    } else if (identityIsRemoteNode(identity)) {
      const info = lookupIp4RemoteEndpoint(ctx, ctx.pkt.src, 'ipcache_lookup4');
      if (info?.info.secLabel) identity = info.info.secLabel;
      // enable-node-selector-labels (v1.16+): the sender's node identity, from the remote-node scope.
      if (((identity & 0xff000000) >>> 0) === 0x02000000) ctx.tb.add({ kind: 'note', text: `source identity ${identity} from the ipcache: the sending node's own identity (remote-node scope 0x02000000, enable-node-selector-labels)`, feature: 'from-to-nodes' });
    }
    const ep = lookupIp4Endpoint(ctx, ctx.pkt.dst);
    if (ep && !(ep.info.flags & 1)) return ipv4LocalDelivery(ctx, identity, ep, false, true);
    return unsimulated('delivery to the host (ctx_redirect to cilium_host) is not simulated yet');
  });
}

/** MARK_MAGIC_OVERLAY (bpf/lib/common.h@v1.16.15:731, @v1.18.3:562). */
const MARK_MAGIC_OVERLAY = 0x0400;

/**
 * v1.16+ (bpf_overlay.c@v1.16.15:784-790, @v1.18.3:841-846): the source identity from the tunnel
 * key goes into skb->mark with MARK_MAGIC_OVERLAY (set_identity_mark), so cil_to_netdev knows
 * the encapsulated packet as overlay traffic and leaves it to the kernel (no NAT).
 */
function markOverlay(ctx: Ctx): number {
  const id = ctx.tunnelKey ? tunnelIdentity(ctx) ?? 0 : 0;
  ctx.tb.frame('set_identity_mark', 'bpf/lib/overloadable_skb.h', () => {
    const mark = (MARK_MAGIC_OVERLAY | ((id & 0xffff) << 16) | ((id >> 16) & 0xff)) >>> 0;
    ctx.tb.add({ kind: 'note', text: `skb->mark 0x${mark.toString(16).padStart(8, '0')} (MARK_MAGIC_OVERLAY, identity ${id}): cil_to_netdev will skip NAT for the encapsulated packet`, feature: 'to-netdev-overlay-mark' });
    ctx.pkt = { ...ctx.pkt, mark };
  });
  return id;
}

/**
 * cil_to_overlay (bpf_overlay.c:534-569): with NodePort, an skb already SNAT-done skips the NAT
 * code; any other goes through handle_nat_fwd, which ends in tail call 38 (TO_OVERLAY there).
 * The program itself reports nothing.
 */
export function cilToOverlay(ctx: Ctx): Ret {
  return ctx.tb.frame('cil_to_overlay', FILE, () => {
    // snat_done is read before set_identity_mark overwrites the mark (bpf_overlay.c@v1.18.3:795).
    const snatDone = ctxSnatDone(ctx);
    const markBefore = ctx.pkt.mark;
    const srcId = ctx.cluster.release.has('to-netdev-overlay-mark') ? markOverlay(ctx) : 0;
    if (ctx.node.config.enableNodePort) {
      if (snatDone) {
        // The mark as ctx_snat_done read it, before set_identity_mark (bpf_overlay.c@v1.18.3:796, :844-850).
        ctx.tb.add({ kind: 'note', text: `ctx_snat_done: skb->mark 0x${markBefore.toString(16).padStart(4, '0')} carries MARK_MAGIC_SNAT_DONE, goto out` });
      } else {
        const { ret, tailCalled } = handleNatFwd(ctx, srcId);
        if (tailCalled) return ret;
        if (ret.kind === 'drop') return sendDropNotify(ctx, ret, 'cil_to_overlay', FILE, 'egress', { srcId: 0, dstId: 0, dstEp: 0 });
      }
    }
    ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
    return CTX_ACT_OK;
  });
}
