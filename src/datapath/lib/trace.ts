// Observation points: send_trace_notify / send_trace_notify4 of bpf/lib/trace.h (v1.13).
// They become explicit trace nodes carrying what the notification carries (source, identities,
// ifindex, reason, orig-ip, the flow hash, the frame's MACs), so monitor and Hubble output need no second run.
import { TRACE_POINTS, TRACE_REASON_TEXT, type CtStatus, type TracePoint } from '../../cilium/trace-points.js';
import { formatIpv4 } from '../../net/ip.js';
import { fnv1a } from '../../util/hash.js';
import type { EventMeta } from '../../trace/tree.js';
import type { Ctx } from '../context.js';

/**
 * A deterministic stand-in for skb->hash, derived from the headers the packet has at its
 * first event on a node (the outer ones for a tunnelled packet on a native device). The
 * kernel's flow hash uses a per-host random key, so real values differ on every host.
 */
export function flowHash(ctx: Ctx): number {
  const p = ctx.pkt;
  const o = p.outer;
  if (o) return fnv1a(`${o.src}>${o.dst}/udp/${o.sport}/${o.dport}`);
  const ports = p.l4.proto === 'icmp' ? `${p.l4.id}` : `${p.l4.sport}/${p.l4.dport}`;
  return fnv1a(`${p.src}>${p.dst}/${p.l4.proto}/${ports}`);
}

/**
 * get_hash_recalc (bpf/lib/common.h): the skb's hash, computed once and then kept for every
 * event of this skb on this node: lb4_xlate, __lb4_rev_nat and the SNAT rewrites store bytes
 * without BPF_F_INVALIDATE_HASH (bpf/lib/lb.h:1407, :1417, :1130).
 */
function skbHash(ctx: Ctx): number {
  const skb = ctx.skb;
  if (!skb) return flowHash(ctx);
  skb.hash ??= flowHash(ctx);
  return skb.hash;
}

export function eventMeta(ctx: Ctx, ifindex: number = ctx.ifindex): EventMeta {
  const p = ctx.pkt;
  const l4 = p.l4;
  const o = p.outer;
  const common = { node: ctx.node.name, ifindex, ifname: ctx.node.devices.get(ifindex)?.name ?? null, hash: skbHash(ctx), source: eventSource(ctx) };
  // On a native device an encapsulated packet is seen by its outer headers.
  if (o) {
    return {
      ...common,
      tuple: { src: formatIpv4(o.src), dst: formatIpv4(o.dst), proto: 'udp', sport: o.sport, dport: o.dport, icmpType: null, tcpFlags: null },
      eth: { src: o.ethSrc, dst: o.ethDst },
    };
  }
  return {
    ...common,
    tuple: {
      src: formatIpv4(p.src),
      dst: formatIpv4(p.dst),
      proto: l4.proto,
      sport: l4.proto === 'icmp' ? null : l4.sport,
      dport: l4.proto === 'icmp' ? null : l4.dport,
      icmpType: l4.proto === 'icmp' ? l4.type : null,
      tcpFlags: l4.proto === 'tcp' ? l4.flags : null,
    },
    eth: { src: p.ethSrc, dst: p.ethDst },
  };
}

/** EVENT_SOURCE: the endpoint id in bpf_lxc, the host endpoint id in bpf_host, 0 in bpf_overlay. */
function eventSource(ctx: Ctx): number {
  const c = ctx.prog.config as typeof ctx.prog.config | undefined; // undefined: no program at the hook
  if (!c) return 0;
  return c.kind === 'lxc' ? c.lxcId : c.kind === 'host' ? c.hostEpId : 0;
}

export function sendTraceNotify(ctx: Ctx, point: TracePoint, srcId: number, dstId: number, dstEp: number, ifindex: number, reason: CtStatus | 'unknown', origIp?: number): void {
  ctx.tb.add({
    kind: 'trace_point',
    point,
    monitor: TRACE_POINTS[point].monitor,
    srcId,
    dstId,
    dstEp,
    source: eventSource(ctx),
    ifindex,
    reason: reason === 'unknown' ? 'unknown' : TRACE_REASON_TEXT[reason],
    origIp: origIp === undefined ? '0.0.0.0' : formatIpv4(origIp),
    ev: eventMeta(ctx, ifindex),
  });
}
