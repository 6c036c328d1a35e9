// Observation points: send_trace_notify / send_trace_notify4 of bpf/lib/trace.h (v1.13).
// They become explicit trace nodes carrying what the notification carries (source, identities,
// ifindex, reason, orig-ip, the flow hash), so monitor and Hubble output need no second run.
import { TRACE_POINTS, TRACE_REASON_TEXT, type CtStatus, type TracePoint } from '../../cilium/trace-points.js';
import { formatIpv4 } from '../../net/ip.js';
import { fnv1a } from '../../util/hash.js';
import type { EventMeta } from '../../trace/tree.js';
import type { Ctx } from '../context.js';

/** A deterministic stand-in for skb->hash: the same for every packet of a flow and direction. */
export function flowHash(ctx: Ctx): number {
  const p = ctx.pkt;
  const ports = p.l4.proto === 'icmp' ? `${p.l4.id}` : `${p.l4.sport}/${p.l4.dport}`;
  return fnv1a(`${p.src}>${p.dst}/${p.l4.proto}/${ports}`);
}

export function eventMeta(ctx: Ctx, ifindex: number = ctx.ifindex): EventMeta {
  const p = ctx.pkt;
  const l4 = p.l4;
  const o = p.outer;
  // On a native device an encapsulated packet is seen by its outer headers.
  if (o) {
    return {
      node: ctx.node.name, ifindex, ifname: ctx.node.devices.get(ifindex)?.name ?? null,
      tuple: { src: formatIpv4(o.src), dst: formatIpv4(o.dst), proto: 'udp', sport: o.sport, dport: o.dport, icmpType: null, tcpFlags: null },
      hash: fnv1a(`${o.src}>${o.dst}/udp/${o.sport}/${o.dport}`),
    };
  }
  return {
    node: ctx.node.name,
    ifindex,
    ifname: ctx.node.devices.get(ifindex)?.name ?? null,
    tuple: {
      src: formatIpv4(p.src),
      dst: formatIpv4(p.dst),
      proto: l4.proto,
      sport: l4.proto === 'icmp' ? null : l4.sport,
      dport: l4.proto === 'icmp' ? null : l4.dport,
      icmpType: l4.proto === 'icmp' ? l4.type : null,
      tcpFlags: l4.proto === 'tcp' ? l4.flags : null,
    },
    hash: flowHash(ctx),
  };
}

/** EVENT_SOURCE: the endpoint id in bpf_lxc, the host endpoint id in bpf_host, 0 in bpf_overlay. */
function eventSource(ctx: Ctx): number {
  const c = ctx.prog.config;
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
