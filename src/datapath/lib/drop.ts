// send_drop_notify of bpf/lib/drop.h: the terminal function of a dropped packet. Called by
// entry and tail programs only; the drop node names the function that decided the drop and
// carries what the notification carries (identities, endpoint, ifindex). Without `who`, the
// identities of bpf_lxc's send_drop_notify(ctx, SECLABEL, 0, 0, …) on egress and of
// tail_ipv4_policy's (src_label, SECLABEL, LXC_ID) on ingress; tail_handle_ipv4_cont passes
// its resolved dst_id (send_drop_notify_ext(ctx, SECLABEL, dst_id, 0, …)) as `who`.
import type { Ctx, Ret } from '../context.js';
import { dropInfo } from '../context.js';
import { eventMeta } from './trace.js';

export interface DropNotify {
  readonly srcId: number;
  readonly dstId: number;
  readonly dstEp: number;
}

/** The C function whose send_drop_notify* call reports a drop, when it is not `fn` itself. */
export interface Notifier {
  readonly fn: string;
  /** Which of its send_drop_notify* calls, in source order (default the first). */
  readonly nth?: number;
}

/**
 * `fn`/`file`: the function that decided the drop when the return value does not name one,
 * and (unless `notifier` names another function of the same file) the one whose
 * send_drop_notify* call reports it; that call's line at the release is what the notification
 * carries (bpf/lib/drop.h passes __FILE_NAME__ and __LINE__).
 */
export function sendDropNotify(ctx: Ctx, ret: Ret, fn: string, file: string, direction: 'ingress' | 'egress' | null, who?: DropNotify, notifier?: Notifier): Ret {
  if (ret.kind !== 'drop' || ctx.dropNotified) return ret;
  ctx.dropNotified = true;
  const c = ctx.prog.config;
  const ids = who ?? (c.kind === 'lxc'
    ? (direction === 'ingress' ? { srcId: ctx.cb.get('CB_SRC_LABEL') ?? 0, dstId: c.seclabel, dstEp: c.lxcId } : { srcId: c.seclabel, dstId: 0, dstEp: 0 })
    : { srcId: ctx.cb.get('CB_SRC_LABEL') ?? 0, dstId: 0, dstEp: 0 });
  ctx.tb.add({ kind: 'drop', drop: dropInfo(ret.macro), fn: ret.fn ?? fn, file: ret.file ?? file, direction, notifier: file, notifierFn: notifier?.fn ?? fn, notifyLine: ctx.tb.dropLine(file, notifier?.fn ?? fn, notifier?.nth), notify: true, ...ids, ev: eventMeta(ctx) });
  return ret;
}
