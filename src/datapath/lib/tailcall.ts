// Tail calls: ep_tail_call (the object's own CALLS_MAP), tail_call_dynamic (cilium_call_policy)
// and invoke_tailcall_if (bpf/lib/tailcall.h): a real tail call when the condition was
// compiled in, a direct call otherwise. The slot's content is map data filled by the loader;
// an empty slot falls through and the caller returns DROP_MISSED_TAIL_CALL, as in C.
import { callSlot, callSlotName, type CallName } from '../../cilium/call-slots.js';
import type { ProgramRef } from '../../maps/callmap.js';
import { drop, type Ctx, type Ret } from '../context.js';
import { runProgram } from '../programs.js';

function objectOf(ctx: Ctx): 'bpf_lxc' | 'bpf_host' | 'bpf_overlay' {
  return ctx.prog.object === 'bpf_sock' ? 'bpf_lxc' : ctx.prog.object;
}

function jump(ctx: Ctx, mapName: string, slot: number, slotName: string): Ret {
  const array = ctx.node.maps.progArrays.get(mapName);
  const target: ProgramRef | undefined = array?.lookup(slot);
  ctx.tb.add({ kind: 'tail_call', map: mapName, slot, slotName, program: target ? target.name : null });
  if (!target) return drop('DROP_MISSED_TAIL_CALL');
  ctx.prog = target;
  ctx.tb.resetToHop();
  return runProgram(ctx, target);
}

/** ep_tail_call(ctx, CILIUM_CALL_<name>): tail call into the running object's own calls map, at the running release's slot. */
export function epTailCall(ctx: Ctx, name: CallName): Ret {
  const cfg = ctx.prog.config;
  if (cfg.kind === 'sock') throw new Error('bpf_sock has no calls map');
  return jump(ctx, cfg.callsMap, callSlot(ctx.cluster.release, name), callSlotName(name, objectOf(ctx)));
}

/** tail_call_dynamic(ctx, &POLICY_CALL_MAP, ep->lxc_id). */
export function tailCallPolicy(ctx: Ctx, lxcId: number): Ret {
  return jump(ctx, 'cilium_call_policy', lxcId, `endpoint ${lxcId}`);
}

/** invoke_tailcall_if(COND, slot, fn): tail call if COND was compiled in, else call fn. */
export function invokeTailcallIf(ctx: Ctx, cond: boolean, name: CallName, program: string, why: string, fn: () => Ret): Ret {
  if (cond) return epTailCall(ctx, name);
  ctx.tb.add({ kind: 'inlined', slot: callSlot(ctx.cluster.release, name), slotName: callSlotName(name, objectOf(ctx)), program, why });
  return fn();
}
