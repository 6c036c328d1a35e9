// Renderers of `check` results: an aligned text table with a block per failure (the step
// that decided, the policy entries behind it, the trace, why and what would allow it),
// JSON (schema cilium-trace/check/v1), JUnit XML, and the shareable reports (Markdown for a
// pull-request comment, one self-contained HTML file). Pure functions to strings.
import { renderTrace } from '../render/text.js';
import { mdCode, mdFence, mdText } from '../render/markdown.js';
import { esc, htmlPage } from '../render/html.js';
import type { Position } from '../errors.js';
import type { CheckResult } from './check.js';
import { expectedText } from './check.js';
import { renderJunit, type JunitCase } from './junit.js';
import { isPolicyDrop } from './outcome.js';
import { alignColumns } from './table.js';

/** skipped: the expectation could not be traced, so there is nothing to compare. */
export type GoldenStatus = 'match' | 'differ' | 'missing' | 'updated' | 'created' | 'skipped';

export interface GoldenResult {
  /** As shown to the user: DIR/<file>.txt */
  readonly file: string;
  readonly status: GoldenStatus;
  /** Unified diff stored → traced; '' unless the status is differ or missing. */
  readonly diff: string;
}

export interface CheckReport {
  readonly cluster: string;
  readonly results: readonly CheckResult[];
  /** Parallel to results when --golden was given. */
  readonly goldens: readonly GoldenResult[] | null;
  readonly goldenDir: string | null;
  readonly goldenLevel: string;
}

export function goldenFailed(g: GoldenResult): boolean {
  return g.status === 'differ' || g.status === 'missing';
}

const posText = (p: Position): string => `${p.file}:${p.line}:${p.col}`;

function indent(text: string, pad: string): string[] {
  return text.trimEnd().split('\n').map((l) => (l === '' ? '' : pad + l));
}

/** The block a reviewer reads for one failing expectation. */
export function failureBlock(r: CheckResult): string[] {
  if (!r.trace || !r.actual) {
    return [`INVALID ${r.label} (${posText(r.expectation.pos)})`, '  not traced: the expectation is not valid for this cluster', ...r.invalid.map((p) => `  ${posText(p.pos)}: ${p.message}`)];
  }
  const out = [`${r.notSimulated ? 'NOT SIMULATED' : 'FAIL'} ${r.label} (${posText(r.expectation.pos)})`];
  if (r.expectation.name) out.push(`  flow: ${r.flow}`);
  out.push(`  ${r.failure ?? ''}`);
  out.push(`  decided by: ${r.decidedBy.text}`);
  const prov = r.decidedBy.provenance;
  if (r.actual.verdict === 'FORWARDED' && prov.length > 0) out.push('  allowed by:', ...prov.map((p) => `    ↳ ${p}`));
  else if (prov.length > 0) out.push(...prov.map((p) => `    ↳ ${p}`));
  out.push('  trace:', ...indent(renderTrace(r.trace, 'minimal'), '    '));
  const e = r.trace.explanation;
  if (e && isPolicyDrop(r.actual)) {
    out.push('  why:', ...e.lines.map((l) => `    ${l}`));
    if (e.suggestion && r.expectation.expect === 'FORWARDED') out.push('  what would allow it (the smallest policy to add):', ...indent(e.suggestion, '    '));
  }
  return out;
}

function goldenSummary(report: CheckReport): string[] {
  const g = report.goldens;
  if (!g) return [];
  const count = (s: GoldenStatus) => g.filter((x) => x.status === s).length;
  const parts = (['match', 'differ', 'missing', 'updated', 'created', 'skipped'] as const).filter((s) => count(s) > 0).map((s) => `${count(s)} ${s === 'match' ? 'match' : s}`);
  const out = ['', `golden traces in ${report.goldenDir ?? '?'} (level ${report.goldenLevel}): ${parts.join(', ') || 'none'}`];
  for (const x of g) {
    if (x.status === 'missing') out.push(`missing: ${x.file} (run with --update to write it)`);
    if (x.status === 'differ') out.push(`differs: ${x.file} (run with --update to accept the new trace)`, ...x.diff.trimEnd().split('\n'));
  }
  return out;
}

/**
 * The table, then the counts and each failure. `width` (a terminal's): when the table would be
 * wider, DECIDED BY, the long column, moves to its own line under each row, and FLOW too when
 * the rest is still wider.
 */
function resultWord(r: CheckResult): 'PASS' | 'NOT SIMULATED' | 'FAIL' | 'INVALID' {
  return r.pass ? 'PASS' : r.notSimulated ? 'NOT SIMULATED' : r.actual ? 'FAIL' : 'INVALID';
}

function countsText(report: CheckReport): string {
  const failed = report.results.filter((r) => !r.pass);
  const unsim = failed.filter((r) => r.notSimulated).length;
  const counts = `${report.results.length - failed.length} passed, ${failed.length - unsim} failed${unsim > 0 ? `, ${unsim} not simulated` : ''}`;
  return `${report.results.length} expectation${report.results.length === 1 ? '' : 's'}: ${counts}`;
}

export function renderCheckText(report: CheckReport, width?: number): string {
  const rows = report.results.map((r) => [
    resultWord(r),
    r.expectation.name ?? '-',
    r.flow,
    r.actual ? expectedText(r.expectation) : '-',
    r.actual?.verdict ?? 'NOT TRACED',
    r.actual?.reason ?? '-',
    r.decidedBy.text,
  ]);
  const header = ['RESULT', 'NAME', 'FLOW', 'EXPECTED', 'ACTUAL', 'REASON', 'DECIDED BY'];
  let out = alignColumns([header, ...rows]);
  const wide = (lines: readonly string[]) => width !== undefined && lines.some((l) => [...l].length > width);
  if (wide(out)) {
    // The long columns go under their row: DECIDED BY, then FLOW too while the rest is wider still.
    const under = wide(alignColumns([header.slice(0, -1), ...rows.map((r) => r.slice(0, -1))])) ? [2, 6] : [6];
    const keep = (r: readonly string[]) => r.filter((_, k) => !under.includes(k));
    const narrow = alignColumns([keep(header), ...rows.map(keep)]);
    out = [narrow[0] as string, ...rows.flatMap((r, i) => [narrow[i + 1] as string, ...(under.includes(2) ? [`    flow: ${r[2]}`] : []), `    decided by: ${r[6]}`])];
  }
  const failed = report.results.filter((r) => !r.pass);
  out.push('', countsText(report));
  for (const r of failed) out.push('', ...failureBlock(r));
  out.push(...goldenSummary(report));
  return out.join('\n') + '\n';
}

/** The row of one expectation in the report tables: result, name, flow, expected, actual, decided by. */
function reportRow(r: CheckResult): string[] {
  return [resultWord(r), r.expectation.name ?? '-', r.flow, r.actual ? expectedText(r.expectation) : '-', r.actual ? `${r.actual.verdict}${r.actual.reason ? ` (${r.actual.reason})` : ''}` : 'NOT TRACED', r.decidedBy.text];
}

const REPORT_HEAD = ['result', 'name', 'flow', 'expected', 'actual', 'decided by'];

/** `check -o markdown`: the counts, a table of every expectation, each failure folded in <details>. */
export function renderCheckMarkdown(report: CheckReport): string {
  const failed = report.results.filter((r) => !r.pass);
  const out = [`## cilium-trace check: ${mdText(report.cluster)}`, '', `**${mdText(countsText(report))}**`, ''];
  out.push(`| ${REPORT_HEAD.join(' | ')} |`, `|${REPORT_HEAD.map(() => '---').join('|')}|`);
  for (const r of report.results) {
    const [word, name, flow, ...rest] = reportRow(r);
    const cells = [r.pass ? (word as string) : `**${word}**`, mdText(name as string), mdCode(flow as string), ...rest.map(mdText)];
    out.push(`| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  out.push('');
  for (const r of failed) {
    out.push(`<details><summary>${mdText(resultWord(r))} ${mdText(r.label)}: ${mdText(r.failure ?? 'not traced')}</summary>`, '', ...mdFence(failureBlock(r)), '', '</details>', '');
  }
  const golden = goldenSummary(report);
  if (golden.length > 0) out.push(...mdFence(golden.slice(1)), '');
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

/** `check -o html`: one self-contained file; the table of expectations, each failure expandable. */
export function renderCheckHtml(report: CheckReport): string {
  const failed = report.results.filter((r) => !r.pass);
  const cls = (r: CheckResult): string => resultWord(r).replace(' ', '_');
  const verdict = failed.some((r) => !r.notSimulated) ? 'FAIL' : failed.length > 0 ? 'NOT_SIMULATED' : 'PASS';
  const body = [`<h1>cilium-trace check: ${esc(report.cluster)}</h1>`, `<p class="verdict ${verdict}"><strong>${esc(countsText(report))}</strong></p>`];
  body.push('<table class="check">', `<tr>${REPORT_HEAD.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`);
  for (const [i, r] of report.results.entries()) {
    const [word, ...rest] = reportRow(r);
    const first = r.pass ? esc(word as string) : `<a href="#failure-${i + 1}">${esc(word as string)}</a>`;
    body.push(`<tr><td class="${cls(r)}">${first}</td>${rest.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  }
  body.push('</table>');
  if (failed.length > 0) body.push('<h2>Failures</h2>');
  for (const [i, r] of report.results.entries()) {
    if (r.pass) continue;
    body.push(`<details class="failure" id="failure-${i + 1}"><summary><strong class="${cls(r)}">${esc(resultWord(r))}</strong> ${esc(r.label)}: ${esc(r.failure ?? 'not traced')}</summary>`, `<pre>${esc(failureBlock(r).join('\n'))}</pre>`, '</details>');
  }
  const golden = goldenSummary(report);
  if (golden.length > 0) body.push('<h2>Golden traces</h2>', `<pre>${esc(golden.slice(1).join('\n'))}</pre>`);
  return htmlPage(`cilium-trace check: ${report.cluster}: ${countsText(report)}`, body);
}

export function checkToJson(report: CheckReport): unknown {
  const failed = report.results.filter((r) => !r.pass && !r.notSimulated).length;
  const notSimulated = report.results.filter((r) => r.notSimulated).length;
  const g = report.goldens;
  return {
    schema: 'cilium-trace/check/v1',
    cluster: report.cluster,
    summary: {
      expectations: report.results.length,
      passed: report.results.length - failed - notSimulated,
      failed,
      not_simulated: notSimulated,
      goldens: g ? { dir: report.goldenDir, level: report.goldenLevel, differ: g.filter((x) => x.status === 'differ').length, missing: g.filter((x) => x.status === 'missing').length } : null,
    },
    results: report.results.map((r, i) => ({
      name: r.expectation.name,
      position: posText(r.expectation.pos),
      flow: { from: r.expectation.from.value, to: r.expectation.to.value, proto: r.trace?.packet.proto ?? r.expectation.proto?.value ?? null, port: r.trace ? r.trace.packet.dport : r.expectation.port?.value ?? null },
      expect: { verdict: r.expectation.expect, reason: r.expectation.reason },
      actual: r.actual ? { verdict: r.actual.verdict, reason: r.actual.reason, macro: r.actual.macro, fn: r.actual.fn, direction: r.actual.direction } : null,
      pass: r.pass,
      not_simulated: r.trace?.notSimulated ? { node: r.trace.notSimulated.node, text: r.trace.notSimulated.text } : null,
      ...(r.invalid.length ? { invalid: r.invalid.map((p) => ({ position: posText(p.pos), message: p.message })) } : {}),
      failure: r.failure,
      decidedBy: { text: r.decidedBy.text, provenance: r.decidedBy.provenance },
      explanation: r.trace?.explanation ? { lines: r.trace.explanation.lines, suggestion: r.trace.explanation.suggestion } : null,
      golden: g?.[i] ? { file: g[i].file, status: g[i].status, diff: g[i].diff === '' ? null : g[i].diff } : null,
    })),
  };
}

export function renderCheckJunit(report: CheckReport, suite: string): string {
  const cases: JunitCase[] = report.results.map((r, i) => {
    const golden = report.goldens?.[i];
    const classname = `cilium-trace.check.${report.cluster}`;
    // A path that is not simulated could not be checked: skipped, not failed (exit 4, not 1).
    if (r.notSimulated) return { name: r.label, classname, failure: null, skipped: r.failure ?? 'not simulated' };
    if (!r.pass) return { name: r.label, classname, failure: { message: r.failure ?? 'failed', type: r.actual?.verdict ?? 'INVALID', body: failureBlock(r).join('\n') + '\n' } };
    if (golden && goldenFailed(golden)) {
      const message = golden.status === 'missing' ? `golden trace ${golden.file} is missing` : `golden trace ${golden.file} differs`;
      return { name: r.label, classname, failure: { message, type: 'GOLDEN', body: golden.diff } };
    }
    return { name: r.label, classname, failure: null };
  });
  return renderJunit(suite, cases);
}
