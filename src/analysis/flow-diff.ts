// The same packet traced in two clusters, aligned step by step: steps with the same
// signature are paired (a shortest edit script over the signatures), so a step only one
// cluster took shows as added or removed and a paired step with a different result shows
// as changed. The first such step is the divergence; when it is a map lookup, the entry
// that differs (same map and key, different value) is named with its provenance.
import type { TraceResult } from '../trace/tree.js';
import { headerLine, verdictLine } from '../render/text.js';
import { cellOutcome, decidingStep, outcomeText } from './outcome.js';
import { stepText, traceSteps, type Step } from './steps.js';
import { editScript } from './udiff.js';

export type StepOp = '=' | '~' | '-' | '+';

/** Identical steps shown around each difference (as diff -u's context); -o json has all. */
const CONTEXT = 3;

export interface AlignedStep {
  readonly op: StepOp;
  readonly before: Step | null;
  readonly after: Step | null;
}

export interface FlowDiff {
  readonly before: TraceResult;
  readonly after: TraceResult;
  readonly steps: readonly AlignedStep[];
  /** Index into steps of the first step that is not '=', or null when the traces agree. */
  readonly divergence: number | null;
  readonly identical: boolean;
}

export function diffFlows(before: TraceResult, after: TraceResult): FlowDiff {
  const a = traceSteps(before);
  const b = traceSteps(after);
  const ops = editScript(a.map((s) => s.sig), b.map((s) => s.sig));
  const steps: AlignedStep[] = ops.map((o) => {
    if (o.t === '-') return { op: '-', before: a[o.a] ?? null, after: null };
    if (o.t === '+') return { op: '+', before: null, after: b[o.b] ?? null };
    const x = a[o.a] ?? null;
    const y = b[o.b] ?? null;
    return { op: x?.result === y?.result ? '=' : '~', before: x, after: y };
  });
  const first = steps.findIndex((s) => s.op !== '=');
  const sameVerdict = outcomeText(cellOutcome(before)) === outcomeText(cellOutcome(after));
  return { before, after, steps, divergence: first < 0 ? null : first, identical: first < 0 && sameVerdict };
}

export function divergenceLines(d: FlowDiff): string[] {
  if (d.divergence === null) return ['the traces take the same steps with the same results'];
  const s = d.steps[d.divergence] as AlignedStep;
  const out = [`first divergence (step ${d.divergence + 1}):`];
  const prov = (label: string, st: Step | null) => (st && st.provenance.length > 0 ? [`    ${label} entry made by: ${st.provenance.join('; ')}`] : []);
  if (s.op === '~' && s.before && s.after) {
    out.push(`  ${s.before.sig}`, `    before: ${s.before.result}`, `    after:  ${s.after.result}`);
    out.push(...prov('before', s.before), ...prov('after', s.after));
    if (s.before.map) out.push(`  the ${s.before.map} entry differs: same map and key, ${s.before.result === 'miss' ? 'missing before' : s.after.result === 'miss' ? 'missing after' : 'a different value'}`);
  } else if (s.op === '-' && s.before) {
    out.push(`  only before: ${stepText(s.before)}`, ...prov('before', s.before));
  } else if (s.after) {
    out.push(`  only after: ${stepText(s.after)}`, ...prov('after', s.after));
  }
  return out;
}

/** The two verdicts, each with the step that decided it. */
export function verdictLines(d: FlowDiff, labels: { before: string; after: string }): string[] {
  const out: string[] = [];
  for (const [name, label, r] of [['before', labels.before, d.before], ['after', labels.after, d.after]] as const) {
    out.push(`${name.padEnd(6)} (${label}): ${verdictLine(r)}`, `        decided by: ${decidingStep(r).text}`);
  }
  return out;
}

/** The aligned steps, identical runs folded to CONTEXT steps around each difference. */
export function stepLines(d: FlowDiff): string[] {
  const out = ['steps (= same, ~ same step with another result, - only before, + only after, > first divergence):'];
  const keep = d.steps.map((s, i) => d.steps.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some((x) => x.op !== '='));
  let skipped = 0;
  d.steps.forEach((s, i) => {
    if (!keep[i]) {
      skipped++;
      return;
    }
    if (skipped > 0) out.push(`  … ${skipped} identical step${skipped === 1 ? '' : 's'} …`);
    skipped = 0;
    const st = (s.before ?? s.after) as Step;
    const pad = '  '.repeat(st.depth);
    const mark = i === d.divergence ? '>' : ' ';
    if (s.op === '~' && s.before && s.after) {
      out.push(`${mark}~ ${pad}${s.before.sig}`, `   ${pad}  before: ${s.before.result}`, `   ${pad}  after:  ${s.after.result}`);
    } else {
      out.push(`${mark}${s.op} ${pad}${stepText(st)}`);
    }
  });
  if (skipped > 0) out.push(`  … ${skipped} identical step${skipped === 1 ? '' : 's'} …`);
  return out;
}

export function closingLine(d: FlowDiff): string {
  return d.identical ? 'identical: same verdict, same steps' : `changed: ${outcomeText(cellOutcome(d.before))} → ${outcomeText(cellOutcome(d.after))}`;
}

/** `sections`: more blocks (the upgrade view's) between the divergence and the steps. */
export function renderFlowDiffText(d: FlowDiff, labels: { before: string; after: string }, sections: ReadonlyArray<readonly string[]> = []): string {
  const out = [headerLine(d.before), ...verdictLines(d, labels), '', ...divergenceLines(d)];
  for (const s of sections) out.push('', ...s);
  out.push('', ...stepLines(d), '', closingLine(d));
  return out.join('\n') + '\n';
}

export function flowDiffToJson(d: FlowDiff, labels: { before: string; after: string }): unknown {
  const side = (r: TraceResult, label: string) => ({ cluster: label, verdict: r.verdict, reason: cellOutcome(r).reason, decidedBy: decidingStep(r).text });
  const step = (s: Step | null) => (s ? { step: s.sig, result: s.result, provenance: s.provenance } : null);
  return {
    schema: 'cilium-trace/diff/v1',
    mode: 'flow',
    flow: headerLine(d.before),
    before: side(d.before, labels.before),
    after: side(d.after, labels.after),
    identical: d.identical,
    firstDivergence: d.divergence === null ? null : d.divergence + 1,
    steps: d.steps.map((s) => ({ op: s.op, before: step(s.before), after: step(s.after) })),
  };
}
