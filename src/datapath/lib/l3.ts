// Local delivery of bpf/lib/l3.h and redirect_ep of bpf/lib/common.h (v1.13).
// ipv4_local_delivery rewrites MACs and TTL, parks {source identity, ifindex, from_host} in
// cb[] and tail-calls the destination endpoint's policy program through cilium_call_policy.
// redirect_ep then delivers with bpf_redirect_peer (BPF host routing) or bpf_redirect to the
// host-side veth (legacy routing, or when the packet came from the host).
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

export function ipv4LocalDelivery(ctx: Ctx, seclabel: number, ep: LxcEntry, fromHost: boolean): Ret {
  return ctx.tb.frame('ipv4_local_delivery', 'bpf/lib/l3.h', () => {
    ipv4L3(ctx, ep.info.nodeMac ?? '', ep.info.mac ?? '');
    ctx.cb.set('CB_SRC_LABEL', seclabel);
    ctx.cb.set('CB_IFINDEX', ep.info.ifindex);
    ctx.cb.set('CB_FROM_HOST', fromHost ? 1 : 0);
    ctx.tb.add({ kind: 'note', text: `cb[CB_SRC_LABEL]=${seclabel} cb[CB_IFINDEX]=${ep.info.ifindex} cb[CB_FROM_HOST]=${fromHost ? 1 : 0}` });
    const ret = tailCallPolicy(ctx, ep.info.lxcId);
    return ret.kind === 'drop' && ret.macro === 'DROP_MISSED_TAIL_CALL' ? drop('DROP_MISSED_TAIL_CALL') : ret;
  });
}

export function redirectEp(ctx: Ctx, ifindex: number, needsBacklog: boolean): Ret {
  return ctx.tb.frame('redirect_ep', 'bpf/lib/common.h', () => {
    const cfg = ctx.node.config;
    if (needsBacklog || !cfg.enableHostRouting) {
      ctx.tb.add({ kind: 'note', text: needsBacklog ? 'from host: needs the backlog queue, so a plain redirect' : 'BPF host routing off (legacy): redirect to the host-side veth' });
      return ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => ({ kind: 'redirect', ifindex, peer: false, ingress: false } as const));
    }
    if (cfg.tunnelMode) ctx.tb.add({ kind: 'note', text: 'ctx_change_type(ctx, PACKET_HOST) (HAVE_ENCAP)' });
    return ctx.tb.frame('ctx_redirect_peer', 'bpf/include/bpf/ctx/skb.h', () => ({ kind: 'redirect', ifindex, peer: true, ingress: true } as const));
  });
}
