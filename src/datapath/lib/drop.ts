// send_drop_notify of bpf/lib/drop.h (v1.13.0, v1.16.15, v1.18.3): the terminal function of a dropped packet.
// Called by entry and tail programs only. Every send_drop_notify* macro expands to
// _send_drop_notify, which stores the event in cb[0..4] and tail-calls CILIUM_CALL_DROP_NOTIFY
// (slot 1) of the running object's calls map; __send_drop_notify (v1.18: tail_drop_notify,
// drop.h@v1.18.3 __declare_tail(CILIUM_CALL_DROP_NOTIFY)) there emits the event (the
// drop node: the function that decided the drop, identities, endpoint, ifindex). An empty slot
// means no event, the packet is dropped all the same. Without `who`, the identities of
// bpf_lxc's send_drop_notify(ctx, SECLABEL, 0, 0, …) on egress and of tail_ipv4_policy's
// (src_label, SECLABEL, LXC_ID) on ingress; tail_handle_ipv4_cont passes its resolved dst_id
// (send_drop_notify_ext(ctx, SECLABEL, dst_id, 0, …)) as `who`. Left out: update_metrics.
import type { Ctx, Ret } from '../context.js';
import { dropInfo } from '../context.js';
import { callSlot, CILIUM_CALL } from '../../cilium/call-slots.js';
import { eventMeta } from './trace.js';

const DROP_H = 'bpf/lib/drop.h';

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
  const notifierFn = notifier?.fn ?? fn;
  const line = ctx.tb.dropLine(file, notifierFn, notifier?.nth);
  const info = dropInfo(ret.macro);
  const node = (notify: boolean) => ({ kind: 'drop' as const, drop: info, fn: ret.fn ?? fn, file: ret.file ?? file, direction, notifier: file, notifierFn, notifyLine: line, notify, ...ids, ev: eventMeta(ctx) });
  if (c.kind === 'sock') {
    ctx.tb.add(node(true));
    return ret;
  }
  const slot = callSlot(ctx.cluster.release, CILIUM_CALL.DROP_NOTIFY);
  const target = ctx.node.maps.progArrays.get(c.callsMap)?.lookup(slot);
  ctx.tb.frame('_send_drop_notify', DROP_H, () => {
    ctx.tb.add({ kind: 'note', text: `called from ${notifierFn} ${file}${line === null ? '' : `:${line}`}: cb[0]=${ids.srcId} cb[1]=${ids.dstId} cb[2]=${info.code} cb[3]=${ids.dstEp} cb[4]=exitcode|file<<8|line<<16` });
    ctx.tb.add({ kind: 'tail_call', map: c.callsMap, slot, slotName: 'CILIUM_CALL_DROP_NOTIFY', program: target ? target.name : null });
    if (!target) {
      ctx.tb.add({ kind: 'note', text: 'the tail call failed: no drop event; _send_drop_notify returns the exit code' });
      ctx.tb.add(node(false));
    }
  });
  if (target) {
    // A tail call never returns: the slot's program (__send_drop_notify; tail_drop_notify from
    // v1.18, drop.h) runs as the program, at the hop's top level.
    ctx.tb.resetToHop();
    ctx.tb.frame(ctx.cluster.release.has('tail-drop-notify') ? 'tail_drop_notify' : '__send_drop_notify', DROP_H, () => ctx.tb.add(node(true)));
  }
  return ret;
}
