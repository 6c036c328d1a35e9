// Local delivery and redirect_ep, per release:
// - v1.13.0: ipv4_local_delivery (bpf/lib/l3.h) parks {source identity, ifindex, from_host}
//   in cb[] and tail-calls the destination endpoint's policy program (tail_call_dynamic on
//   cilium_call_policy); a miss is DROP_MISSED_TAIL_CALL. redirect_ep is in bpf/lib/common.h.
// - v1.16.15: ipv4_local_delivery -> l3_local_delivery (l3.h:73-124) also parks CB_FROM_TUNNEL
//   and CB_CLUSTER_ID_INGRESS and calls tail_call_policy (bpf/lib/maps.h:43), which returns
//   DROP_EP_NOT_READY (203) when the program is missing. redirect_ep (common.h:1204) falls
//   back to ctx_redirect when ctx_get_ingress_ifindex(ctx) == 0.
// - v1.18.3: ipv4_local_delivery -> local_delivery (bpf/lib/local_delivery.h:109-173):
//   LOCAL_DELIVERY_METRICS, the ingress bandwidth accept() (token_bucket.h; a stub without the
//   bandwidth manager), local_delivery_fill_meta (CB_SRC_LABEL, CB_DELIVERY_REDIRECT,
//   CB_FROM_HOST, CB_FROM_TUNNEL, CB_CLUSTER_ID_INGRESS), then tail_call_policy
//   (local_delivery.h:38). redirect_ep is in local_delivery.h:54.
import type { LxcEntry } from '../../maps/lxcmap.js';
import { drop, type Ctx, type Ret } from '../context.js';
import { tailCallPolicy } from './tailcall.js';

/** ipv4_l3: TTL, then the MACs unless they are NULL (redirect_direct_v4 passes NULL, NULL). */
export function ipv4L3(ctx: Ctx, srcMac?: string, dstMac?: string): void {
  ctx.tb.frame('ipv4_l3', 'bpf/lib/l3.h', () => {
    const p = ctx.pkt;
    ctx.tb.add({ kind: 'rewrite', field: 'ttl', from: String(p.ttl), to: String(p.ttl - 1) });
    ctx.pkt = { ...p, ttl: p.ttl - 1 };
    if (srcMac === undefined || dstMac === undefined) return;
    ctx.tb.add({ kind: 'rewrite', field: 'eth', from: `${p.ethSrc} > ${p.ethDst}`, to: `${srcMac} > ${dstMac}` });
    ctx.pkt = { ...ctx.pkt, ethSrc: srcMac as typeof p.ethSrc, ethDst: dstMac as typeof p.ethDst };
  });
}

/** The file that defines local delivery and redirect_ep at the running release. */
function deliveryFile(ctx: Ctx, fn: 'ipv4_local_delivery' | 'redirect_ep'): string {
  if (ctx.cluster.release.has('local-delivery-h')) return 'bpf/lib/local_delivery.h';
  return fn === 'ipv4_local_delivery' ? 'bpf/lib/l3.h' : 'bpf/lib/common.h';
}

/**
 * tail_call_policy (v1.16+): the tail call, and DROP_EP_NOT_READY when it falls through ("there
 * are inherent races that can result in the endpoint's policy program being unavailable").
 */
function tailCallPolicyChecked(ctx: Ctx, lxcId: number): Ret {
  const file = ctx.cluster.release.has('local-delivery-h') ? 'bpf/lib/local_delivery.h' : 'bpf/lib/maps.h';
  return ctx.tb.frame('tail_call_policy', file, () => {
    const ret = tailCallPolicy(ctx, lxcId);
    if (ret.kind === 'drop' && ret.macro === 'DROP_MISSED_TAIL_CALL') {
      ctx.tb.add({ kind: 'note', text: `cilium_call_policy[${lxcId}] is empty: the endpoint's policy program is not (yet) loaded`, feature: 'ep-not-ready' });
      return drop('DROP_EP_NOT_READY', 'tail_call_policy', file);
    }
    return ret;
  });
}

export function ipv4LocalDelivery(ctx: Ctx, seclabel: number, ep: LxcEntry, fromHost: boolean, fromTunnel = false): Ret {
  const r = ctx.cluster.release;
  return ctx.tb.frame('ipv4_local_delivery', deliveryFile(ctx, 'ipv4_local_delivery'), () => {
    ipv4L3(ctx, ep.info.nodeMac ?? '', ep.info.mac ?? '');
    if (r.has('local-delivery-h')) {
      return ctx.tb.frame('local_delivery', 'bpf/lib/local_delivery.h', () => {
        if (!fromHost && ctx.prog.object !== 'bpf_lxc') {
          // direction == METRIC_INGRESS && !from_host: the ingress rate limit of the destination.
          ctx.tb.add({ kind: 'note', text: 'accept(ctx, ep->lxc_id): no bandwidth manager, so the stub returns CTX_ACT_OK', feature: 'local-delivery-h' });
        }
        ctx.tb.frame('local_delivery_fill_meta', 'bpf/lib/local_delivery.h', () => {
          ctx.cb.set('CB_SRC_LABEL', seclabel);
          ctx.cb.set('CB_DELIVERY_REDIRECT', 1);
          ctx.cb.set('CB_FROM_HOST', fromHost ? 1 : 0);
          ctx.cb.set('CB_FROM_TUNNEL', fromTunnel ? 1 : 0);
          ctx.tb.add({ kind: 'note', text: `cb[CB_SRC_LABEL]=${seclabel} cb[CB_DELIVERY_REDIRECT]=1 cb[CB_FROM_HOST]=${fromHost ? 1 : 0} cb[CB_FROM_TUNNEL]=${fromTunnel ? 1 : 0} cb[CB_CLUSTER_ID_INGRESS]=0`, feature: 'local-delivery-h' });
        });
        return tailCallPolicyChecked(ctx, ep.info.lxcId);
      });
    }
    if (r.has('ep-not-ready')) {
      return ctx.tb.frame('l3_local_delivery', 'bpf/lib/l3.h', () => {
        ctx.cb.set('CB_SRC_LABEL', seclabel);
        ctx.cb.set('CB_IFINDEX', ep.info.ifindex);
        ctx.cb.set('CB_FROM_HOST', fromHost ? 1 : 0);
        ctx.cb.set('CB_FROM_TUNNEL', fromTunnel ? 1 : 0);
        ctx.tb.add({ kind: 'note', text: `cb[CB_SRC_LABEL]=${seclabel} cb[CB_IFINDEX]=${ep.info.ifindex} cb[CB_FROM_HOST]=${fromHost ? 1 : 0} cb[CB_FROM_TUNNEL]=${fromTunnel ? 1 : 0} cb[CB_CLUSTER_ID_INGRESS]=0` });
        return tailCallPolicyChecked(ctx, ep.info.lxcId);
      });
    }
    ctx.cb.set('CB_SRC_LABEL', seclabel);
    ctx.cb.set('CB_IFINDEX', ep.info.ifindex);
    ctx.cb.set('CB_FROM_HOST', fromHost ? 1 : 0);
    ctx.tb.add({ kind: 'note', text: `cb[CB_SRC_LABEL]=${seclabel} cb[CB_IFINDEX]=${ep.info.ifindex} cb[CB_FROM_HOST]=${fromHost ? 1 : 0}` });
    const ret = tailCallPolicy(ctx, ep.info.lxcId);
    return ret.kind === 'drop' && ret.macro === 'DROP_MISSED_TAIL_CALL' ? drop('DROP_MISSED_TAIL_CALL') : ret;
  });
}

export function redirectEp(ctx: Ctx, ifindex: number, needsBacklog: boolean, fromTunnel = false): Ret {
  const r = ctx.cluster.release;
  return ctx.tb.frame('redirect_ep', deliveryFile(ctx, 'redirect_ep'), () => {
    const cfg = ctx.node.config;
    if (needsBacklog || !cfg.enableHostRouting) {
      ctx.tb.add({ kind: 'note', text: needsBacklog ? 'from host: needs the backlog queue, so a plain redirect' : 'BPF host routing off (legacy): redirect to the host-side veth' });
      return ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => ({ kind: 'redirect', ifindex, peer: false, ingress: false } as const));
    }
    if (r.has('redirect-ep-ingress-ifindex')) {
      // v1.16+: "we are currently on egress which is indicated by ingress_ifindex being 0";
      // every hook that reaches here without from_host is a tc ingress hook.
      ctx.tb.add({ kind: 'note', text: `ctx_get_ingress_ifindex(ctx) = ${ctx.ifindex} (not 0: the packet came in on a device), so redirect_peer`, feature: 'redirect-ep-ingress-ifindex' });
    }
    const changeType = r.has('redirect-ep-ingress-ifindex') ? fromTunnel : cfg.tunnelMode;
    if (changeType) ctx.tb.add({ kind: 'note', text: r.has('redirect-ep-ingress-ifindex') ? 'from_tunnel: ctx_change_type(ctx, PACKET_HOST)' : 'ctx_change_type(ctx, PACKET_HOST) (HAVE_ENCAP)' });
    return ctx.tb.frame('ctx_redirect_peer', 'bpf/include/bpf/ctx/skb.h', () => ({ kind: 'redirect', ifindex, peer: true, ingress: true } as const));
  });
}
