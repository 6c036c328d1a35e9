// Observation points: send_trace_notify / send_trace_notify4 of bpf/lib/trace.h (v1.13).
// They become explicit trace nodes, so monitor- and Hubble-style output need no second run.
import { TRACE_POINTS, TRACE_REASON_TEXT, type CtStatus, type TracePoint } from '../../cilium/trace-points.js';
import type { Ctx } from '../context.js';

export function sendTraceNotify(ctx: Ctx, point: TracePoint, srcId: number, dstId: number, dstEp: number, ifindex: number, reason: CtStatus | 'unknown'): void {
  ctx.tb.add({
    kind: 'trace_point',
    point,
    monitor: TRACE_POINTS[point].monitor,
    srcId,
    dstId,
    dstEp,
    ifindex,
    reason: reason === 'unknown' ? 'unknown' : TRACE_REASON_TEXT[reason],
  });
}
