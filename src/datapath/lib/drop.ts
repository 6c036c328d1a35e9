// send_drop_notify of bpf/lib/drop.h: the terminal function of a dropped packet. Called by
// entry and tail programs only; the drop node names the function that decided the drop.
import type { Ctx, Ret } from '../context.js';
import { dropInfo } from '../context.js';

export function sendDropNotify(ctx: Ctx, ret: Ret, fn: string, file: string, direction: 'ingress' | 'egress' | null): Ret {
  if (ret.kind !== 'drop' || ctx.dropNotified) return ret;
  ctx.dropNotified = true;
  ctx.tb.add({ kind: 'drop', drop: dropInfo(ret.macro), fn: ret.fn ?? fn, file: ret.file ?? file, direction });
  return ret;
}
