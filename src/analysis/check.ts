// `check`: trace every expectation and compare the verdict (and drop reason) with what
// the expectation says. Pure: cluster and resolved flows in, results out.
import type { Cluster } from '../controlplane/cluster.js';
import type { Problem } from '../errors.js';
import { traceFlow, type FlowSpec } from '../trace/run.js';
import { decidingLeg } from '../trace/by-name.js';
import type { Ipv4 } from '../net/ip.js';
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
  /** null for an expectation that could not be traced (see invalid). */
  readonly trace: TraceResult | null;
  readonly actual: CellOutcome | null;
  /** Why the expectation could not be traced (unknown pod, bad port): a failed case. Empty when traced. */
  readonly invalid: readonly Problem[];
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

export type CheckInput = { readonly expectation: Expectation } & ({ readonly spec: FlowSpec; readonly protoText: string; readonly byName?: { readonly name: string; readonly ips: readonly Ipv4[] } } | { readonly problems: readonly Problem[] });


export function runCheck(cluster: Cluster, list: ReadonlyArray<CheckInput>): CheckResult[] {
  return list.map((item) => {
    const e = item.expectation;
    if ('problems' in item) {
      const protoText = e.proto ? (e.port ? `${e.proto.value}/${e.port.value}` : e.proto.value) : '?';
      const flow = flowText(e, protoText);
      const first = item.problems[0];
      const failure = `invalid expectation: ${first ? first.message : 'cannot be traced'}`;
      return { expectation: e, label: e.name ?? flow, flow, protoText, trace: null, actual: null, invalid: item.problems, pass: false, notSimulated: false, failure, decidedBy: { text: 'not traced', provenance: [] } };
    }
    const { spec, protoText } = item;
    // `to:` a DNS name: the lookup, then the connection (a failed lookup is the verdict).
    const trace = (item.byName && decidingLeg(cluster, spec, item.byName.name, item.byName.ips)) || traceFlow(cluster, spec);
    const actual = cellOutcome(trace);
    const failure = failureOf(e, actual, trace);
    const flow = flowText(e, protoText);
    return { expectation: e, label: e.name ?? flow, flow, protoText, trace, actual, invalid: [], pass: failure === null, notSimulated: actual.verdict === 'NOT_SIMULATED', failure, decidedBy: decidingStep(trace) };
  });
}

/** A file name for an expectation's golden trace: its name, or from-to-proto-port. */
export function goldenFileName(r: Pick<CheckResult, 'expectation' | 'protoText'>): string {
  const e = r.expectation;
  const base = e.name ?? `${e.from.value}-${e.to.value}-${r.protoText.replace('/', '-')}`;
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').replace(/_+$/, '');
  return `${safe || 'expectation'}.txt`;
}
