// A trace tree as a flat list of steps for comparing two traces: each step has a
// signature (what was done: which map and key, which policy check, which hop) and a result
// (what came back). Two traces are aligned on signatures; an aligned pair with different
// results is where the clusters differ. C function frames and free-text notes are left out:
// they repeat the signatures of the steps inside them.
import { provenanceText } from '../maps/provenance.js';
import type { TraceNode, TraceResult } from '../trace/tree.js';

export interface Step {
  readonly depth: number; // 0 for a hop, 1 inside it
  readonly sig: string;
  readonly result: string;
  readonly provenance: readonly string[];
  /** A lookup's map, so "the map entry that differs" can be named. */
  readonly map: string | null;
}

function stepOf(n: TraceNode): Omit<Step, 'depth'> | null {
  const none = { provenance: [] as string[], map: null };
  switch (n.kind) {
    case 'hop': return { sig: `${n.node} / ${n.where} — ${n.hook}${n.program ? ` — ${n.program}` : ''}`, result: '', ...none };
    case 'fn': case 'note': case 'packet': return null;
    case 'lookup': return { sig: `lookup ${n.map} ${n.key}`, result: n.result ?? 'miss', provenance: (n.provenance ?? []).map(provenanceText), map: n.map };
    case 'tail_call': return { sig: `tail call ${n.map}[${n.slot}] (${n.slotName})`, result: n.program ?? 'empty slot', ...none };
    case 'inlined': return { sig: `slot ${n.slot} (${n.slotName}) inlined`, result: n.program, ...none };
    case 'trace_point': return { sig: `trace ${n.point}`, result: `identity ${n.srcId}->${n.dstId}${n.dstEp ? ` endpoint ${n.dstEp}` : ''} state ${n.reason}`, ...none };
    case 'policy': return { sig: `policy ${n.direction} of endpoint ${n.endpoint} for identity ${n.remoteId}`, result: `${n.allowed ? 'ALLOWED' : n.deny ? 'DENIED (deny rule)' : 'DENIED'} (match ${n.match})`, provenance: n.provenance.map(provenanceText), map: null };
    case 'policy_skip': return { sig: `policy ${n.direction} of endpoint ${n.endpoint}`, result: `skipped (${n.status})`, ...none };
    case 'ct': return { sig: `ct ${n.dir} ${n.map} ${n.tuple}`, result: n.result, ...none };
    case 'ct_create': return { sig: `create ${n.map} ${n.key}`, result: n.value, ...none };
    case 'rewrite': return { sig: `rewrite ${n.field}`, result: `${n.from} → ${n.to}`, ...none };
    case 'encap': return { sig: `encap ${n.type}`, result: `vni ${n.vni} outer ${n.outerSrc} > ${n.outerDst}:${n.dport}`, ...none };
    case 'decap': return { sig: `decap ${n.type}`, result: `vni ${n.vni} outer ${n.outerSrc} > ${n.outerDst}`, ...none };
    case 'redirect': return { sig: n.helper, result: `ifindex ${n.ifindex} (${n.device})`, ...none };
    case 'kernel': return { sig: `kernel ${n.op}`, result: n.text, ...none };
    case 'not_simulated': return { sig: 'not simulated', result: n.text, ...none };
    case 'l7': return n.record.dns ? { sig: `${n.record.listener} dns ${n.record.dns.query}`, result: n.record.verdict === 'DENIED' ? 'DENIED REFUSED' : 'FORWARDED', ...none } : { sig: `${n.record.listener} ${n.record.method} ${n.record.url}`, result: n.record.verdict === 'DENIED' ? `DENIED ${n.record.code}` : 'FORWARDED', ...none };
    case 'return': return { sig: 'return', result: n.value, ...none };
    case 'drop': return { sig: 'drop', result: `${n.drop.macro} (${n.drop.code}) [${n.drop.name}] in ${n.fn}`, ...none };
    case 'trace_sock': return { sig: `trace-sock ${n.point}`, result: `${n.dst}:${n.dport} ${n.proto}`, ...none };
    case 'refused': return { sig: `refused ${n.syscall}()`, result: `-${n.errno} (${n.code}) in ${n.fn}`, ...none };
    case 'deliver': return { sig: 'deliver', result: `${n.target} ${n.ifname}`, ...none };
  }
}

export function traceSteps(r: TraceResult): Step[] {
  const out: Step[] = [];
  const walk = (nodes: readonly TraceNode[], depth: number): void => {
    for (const n of nodes) {
      const s = stepOf(n);
      if (s) out.push({ ...s, depth });
      if ('children' in n) walk(n.children, n.kind === 'hop' ? depth + 1 : depth);
    }
  };
  walk(r.hops, 0);
  return out;
}

export function stepText(s: Step): string {
  if (s.result === '') return s.sig;
  // A rewrite's result is already "before → after": `rewrite ttl 64 → 63`, not `→ 64 → 63`.
  return s.sig.startsWith('rewrite ') ? `${s.sig} ${s.result}` : `${s.sig} → ${s.result}`;
}
