// The replay's summary: how many flows agree, and the drops Hubble saw grouped by reason, by
// source and destination workload, and by the policy rule the simulation found behind them.
import { unexplainedDrop, type ReplayedFlow, type ReplayReport, type Status } from './replay.js';

export interface DropGroup {
  readonly key: string;
  readonly flows: number;
  readonly events: number;
  readonly explained: number;
  readonly unexplained: number;
}

export interface WorkloadDrops extends DropGroup {
  readonly src: string;
  readonly dst: string;
  readonly reasons: readonly string[];
}

export interface ReplaySummary {
  readonly flows: number;
  readonly events: number;
  readonly status: Readonly<Record<Status, number>>;
  readonly agreeForwarded: number;
  readonly agreeDropped: number;
  readonly unexplainedDrops: number;
  readonly byReason: readonly DropGroup[];
  readonly byWorkload: readonly WorkloadDrops[];
  readonly byRule: readonly DropGroup[];
}

export function reasonKey(f: ReplayedFlow): string {
  const o = f.observed;
  return `${o.dropName ?? 'DROP_REASON_UNKNOWN'}${o.dropCode !== null ? ` (${o.dropCode})` : ''}`;
}

/** What the rule column says for a drop: the rule, or why there is none. */
export function ruleKey(f: ReplayedFlow): string {
  if (f.rule !== null) return f.rule;
  if (f.status !== 'agree') return '(not reproduced)';
  return `(no policy rule: ${f.simulated?.macro ?? 'refused'} in ${f.simulated?.fn ?? '?'})`;
}

function grouped<T extends DropGroup>(drops: readonly ReplayedFlow[], keyOf: (f: ReplayedFlow) => string, extra: (key: string, fs: readonly ReplayedFlow[]) => Omit<T, keyof DropGroup>): T[] {
  const m = new Map<string, ReplayedFlow[]>();
  for (const f of drops) {
    const k = keyOf(f);
    m.set(k, [...(m.get(k) ?? []), f]);
  }
  return [...m].map(([key, fs]) => ({
    key,
    flows: fs.length,
    events: fs.reduce((n, f) => n + f.at.reduce((m, a) => m + a.lines.length, 0), 0),
    explained: fs.filter((f) => !unexplainedDrop(f)).length,
    unexplained: fs.filter(unexplainedDrop).length,
    ...extra(key, fs),
  }) as T).sort((a, b) => b.flows - a.flows || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function summarize(report: ReplayReport): ReplaySummary {
  const status: Record<Status, number> = { agree: 0, disagree: 0, unmappable: 0, 'not-simulated': 0, 'not-compared': 0 };
  for (const f of report.flows) status[f.status]++;
  const drops = report.flows.filter((f) => f.observed.verdict === 'DROPPED');
  const agree = report.flows.filter((f) => f.status === 'agree');
  return {
    flows: report.flows.length,
    events: report.events,
    status,
    agreeForwarded: agree.filter((f) => f.observed.verdict !== 'DROPPED').length,
    agreeDropped: agree.filter((f) => f.observed.verdict === 'DROPPED').length,
    unexplainedDrops: drops.filter(unexplainedDrop).length,
    byReason: grouped<DropGroup>(drops, reasonKey, () => ({})),
    byWorkload: grouped<WorkloadDrops>(drops, (f) => `${f.src.workload} → ${f.dst.workload}`, (_k, fs) => ({
      src: fs[0]?.src.workload ?? '',
      dst: fs[0]?.dst.workload ?? '',
      reasons: [...new Set(fs.map(reasonKey))].sort(),
    })),
    byRule: grouped<DropGroup>(drops, ruleKey, () => ({})),
  };
}
