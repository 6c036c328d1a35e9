// `check`: trace every expectation and compare the verdict (and drop reason) with what
// the expectation says. Pure: cluster and resolved flows in, results out.
import type { Cluster } from '../controlplane/cluster.js';
import { traceFlow, type FlowSpec } from '../trace/run.js';
import type { TraceResult } from '../trace/tree.js';
import type { Expectation } from './expectations.js';
import { cellOutcome, decidingStep, outcomeText, type CellOutcome, type DecidingStep } from './outcome.js';

export interface CheckResult {
  readonly expectation: Expectation;
  /** The name shown and used for the golden file: the expectation's name or its flow. */
  readonly label: string;
  /** "default/app2 → default/app1 tcp/80" */
  readonly flow: string;
  readonly protoText: string;
  readonly trace: TraceResult;
  readonly actual: CellOutcome;
  readonly pass: boolean;
  /** The trace reached something not simulated: neither a pass nor a failure (exit 4 when nothing failed). */
  readonly notSimulated: boolean;
  /** Why it failed (or could not be checked), one line; null when it passed. */
  readonly failure: string | null;
  readonly decidedBy: DecidingStep;
}

export function expectedText(e: Expectation): string {
  return e.reason ? `${e.expect} (${e.reason})` : e.expect;
}

function failureOf(e: Expectation, a: CellOutcome, t: TraceResult): string | null {
  if (a.verdict === 'NOT_SIMULATED') return `expected ${expectedText(e)}, but the path is not simulated: ${t.notSimulated?.text ?? 'unknown'}`;
  if (a.verdict !== e.expect) return `expected ${expectedText(e)}, got ${outcomeText(a)}`;
  if (e.reason && a.reason !== e.reason) return `expected ${expectedText(e)}, got ${outcomeText(a)}`;
  return null;
}

export function flowText(e: Expectation, protoText: string): string {
  return `${e.from.value} → ${e.to.value} ${protoText}`;
}

export function runCheck(cluster: Cluster, list: ReadonlyArray<{ readonly expectation: Expectation; readonly spec: FlowSpec; readonly protoText: string }>): CheckResult[] {
  return list.map(({ expectation: e, spec, protoText }) => {
    const trace = traceFlow(cluster, spec);
    const actual = cellOutcome(trace);
    const failure = failureOf(e, actual, trace);
    const flow = flowText(e, protoText);
    return { expectation: e, label: e.name ?? flow, flow, protoText, trace, actual, pass: failure === null, notSimulated: actual.verdict === 'NOT_SIMULATED', failure, decidedBy: decidingStep(trace) };
  });
}

/** A file name for an expectation's golden trace: its name, or from-to-proto-port. */
export function goldenFileName(r: Pick<CheckResult, 'expectation' | 'protoText'>): string {
  const e = r.expectation;
  const base = e.name ?? `${e.from.value}-${e.to.value}-${r.protoText.replace('/', '-')}`;
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').replace(/_+$/, '');
  return `${safe || 'expectation'}.txt`;
}
