// What a shareable report (-o markdown, -o html) says about one trace, in the order a reader
// needs it: the verdict and why first, then the hops, each with its steps and the map lookups
// it made. A pure function of the trace tree; the Markdown and HTML renderers only format it.
import { provenanceText } from '../maps/provenance.js';
import type { TraceNode, TraceResult } from '../trace/tree.js';
import { contextLine, headerLine, hopEvents, hopLines, verdictLine, type Level } from './text.js';

export interface ReportLookup {
  readonly map: string;
  readonly key: string;
  /** null: a miss. */
  readonly result: string | null;
  readonly note: string | null;
  /** Who made the entry (pod, policy rule, Service … with file:line). */
  readonly provenance: readonly string[];
}

export interface ReportHop {
  /** 1-based, in the order the packet passes. */
  readonly n: number;
  readonly node: string;
  readonly where: string;
  readonly hook: string;
  readonly program: string | null;
  /** What happened there, in one line (the minimal level's events). */
  readonly events: string;
  /** The hop's steps as the text output prints them at the chosen level (with --explain prose). */
  readonly lines: readonly string[];
  readonly lookups: readonly ReportLookup[];
}

export interface TraceReport {
  readonly header: string;
  readonly verdict: TraceResult['verdict'];
  /** The verdict line of the text output: "DROPPED — DROP_POLICY (133) …". */
  readonly verdictText: string;
  readonly context: string;
  readonly settings: readonly string[];
  readonly notes: readonly string[];
  /** For a policy drop: why (indentation kept), and the smallest policy that would allow the flow. */
  readonly why: readonly string[];
  readonly suggestion: string | null;
  readonly hops: readonly ReportHop[];
}

export interface ReportOptions {
  /** Detail of each hop's steps; minimal is shown as summary (the one-line events are always there). */
  readonly level?: Level;
  /** --explain: a line of prose under each step that has a topic. */
  readonly explain?: (node: TraceNode) => string | undefined;
}

function lookupsOf(nodes: readonly TraceNode[]): ReportLookup[] {
  const out: ReportLookup[] = [];
  for (const n of nodes) {
    if (n.kind === 'lookup') out.push({ map: n.map, key: n.key, result: n.result, note: n.note ?? null, provenance: (n.provenance ?? []).map(provenanceText) });
    if ('children' in n) out.push(...lookupsOf(n.children));
  }
  return out;
}

export function traceReport(r: TraceResult, options: ReportOptions = {}): TraceReport {
  const level = options.level === 'detailed' || options.level === undefined ? 'detailed' : 'summary';
  const hops: ReportHop[] = [];
  for (const h of r.hops) {
    if (h.kind !== 'hop') continue;
    hops.push({
      n: hops.length + 1,
      node: h.node,
      where: h.where,
      hook: h.hook,
      program: h.program ?? null,
      events: hopEvents(h),
      lines: hopLines(h, level, undefined, options.explain).slice(1).map((l) => (l.startsWith('  ') ? l.slice(2) : l)),
      lookups: lookupsOf(h.children),
    });
  }
  const e = r.explanation;
  return {
    header: headerLine(r),
    verdict: r.verdict,
    verdictText: verdictLine(r),
    context: contextLine(r),
    settings: (r.context.settings ?? []).map((s) => `${s.value} (${s.from})`),
    notes: r.context.notes,
    why: e ? e.lines : [],
    suggestion: e?.suggestion ? e.suggestion.trimEnd() : null,
    hops,
  };
}

/** A hop's title as the text output writes it. */
export function hopTitle(h: ReportHop): string {
  return `${h.node} / ${h.where} — ${h.hook}${h.program ? ` — ${h.program}` : ''}`;
}

/** The verdict word of a report: FORWARDED, DROPPED, NOT SIMULATED. */
export function verdictWord(v: TraceResult['verdict']): string {
  return v === 'NOT_SIMULATED' ? 'NOT SIMULATED' : v;
}
