// The difference of two connectivity matrices: cells (same section, same source, same
// destination) whose verdict or drop reason changed, classed as an added path (now
// forwarded), a removed path (no longer forwarded) or another change; and the pods or
// Services only one cluster has.
import { cellAt, type Matrix } from './matrix.js';
import { glyphOf } from './matrix-render.js';
import { outcomeText, type CellOutcome } from './outcome.js';
import { alignColumns, csvField } from './table.js';

export type ChangeKind = 'added path' | 'removed path' | 'changed';

export interface CellChange {
  readonly section: string;
  readonly from: string;
  readonly to: string;
  readonly before: CellOutcome;
  readonly after: CellOutcome;
  readonly kind: ChangeKind;
}

export interface MatrixDiff {
  readonly changes: readonly CellChange[];
  readonly compared: number;
  /** Row/column labels only one side has (pods, hostNetwork pods, Service ports). */
  readonly onlyBefore: readonly string[];
  readonly onlyAfter: readonly string[];
  readonly identical: boolean;
}

function kindOf(a: CellOutcome, b: CellOutcome): ChangeKind {
  if (a.verdict !== 'FORWARDED' && b.verdict === 'FORWARDED') return 'added path';
  if (a.verdict === 'FORWARDED' && b.verdict !== 'FORWARDED') return 'removed path';
  return 'changed';
}

function labelsOf(m: Matrix): Set<string> {
  const out = new Set(m.rows.map((r) => r.label));
  for (const s of m.sections) for (const c of s.columns) out.add(c.label);
  return out;
}

export function diffMatrices(before: Matrix, after: Matrix): MatrixDiff {
  const changes: CellChange[] = [];
  let compared = 0;
  const rowB = new Map(after.rows.map((r, i) => [r.label, i] as const));
  for (const sa of before.sections) {
    const sb = after.sections.find((s) => s.title === sa.title);
    if (!sb) continue;
    const colB = new Map(sb.columns.map((c, j) => [c.label, j] as const));
    before.rows.forEach((r, i) => {
      const ib = rowB.get(r.label);
      if (ib === undefined) return;
      sa.columns.forEach((c, j) => {
        const jb = colB.get(c.label);
        if (jb === undefined) return;
        compared++;
        const x = cellAt(before, sa, i, j);
        const y = cellAt(after, sb, ib, jb);
        if (x.verdict !== y.verdict || x.reason !== y.reason) changes.push({ section: sa.title, from: r.label, to: c.label, before: x, after: y, kind: kindOf(x, y) });
      });
    });
  }
  const only = labelsOnOneSide(labelsOf(before), labelsOf(after));
  return { changes, compared, ...only, identical: changes.length === 0 && only.onlyBefore.length === 0 && only.onlyAfter.length === 0 };
}

/** The row/column labels only one side has (shared by the traced and the all-ports diff). */
export function labelsOnOneSide(a: ReadonlySet<string>, b: ReadonlySet<string>): { onlyBefore: string[]; onlyAfter: string[] } {
  return { onlyBefore: [...a].filter((l) => !b.has(l)).sort(), onlyAfter: [...b].filter((l) => !a.has(l)).sort() };
}

/** `only before: …` / `only after: …` lines of a diff, as text or markdown. */
export function oneSideLines(d: { readonly onlyBefore: readonly string[]; readonly onlyAfter: readonly string[] }, markdown: boolean, md: (s: string) => string = (x) => x): string[] {
  const out: string[] = [];
  const list = (l: readonly string[]) => (markdown ? l.map((x) => `\`${md(x)}\``) : l).join(', ');
  if (d.onlyBefore.length > 0) out.push(`${markdown ? 'Only' : 'only'} before: ${list(d.onlyBefore)}`, ...(markdown ? [''] : []));
  if (d.onlyAfter.length > 0) out.push(`${markdown ? 'Only' : 'only'} after: ${list(d.onlyAfter)}`, ...(markdown ? [''] : []));
  return out;
}

const MARK: Record<ChangeKind, string> = { 'added path': '+', 'removed path': '-', changed: '~' };

function summary(d: MatrixDiff): string {
  const n = (k: ChangeKind) => d.changes.filter((c) => c.kind === k).length;
  const parts = [`${n('added path')} added path${n('added path') === 1 ? '' : 's'}`, `${n('removed path')} removed`, `${n('changed')} other change${n('changed') === 1 ? '' : 's'}`];
  return `${d.changes.length} of ${d.compared} cells changed (${parts.join(', ')})`;
}

/** `blocks`: more blocks (the upgrade view's "why each cell changed") before the summary. */
export function renderMatrixDiffText(d: MatrixDiff, labels: { before: string; after: string }, blocks: ReadonlyArray<readonly string[]> = []): string {
  const out = [`before: ${labels.before}`, `after:  ${labels.after}`];
  out.push(...oneSideLines(d, false));
  const sections = [...new Set(d.changes.map((c) => c.section))];
  for (const s of sections) {
    out.push('', `${s}:`);
    const rows = d.changes.filter((c) => c.section === s).map((c) => [`  ${MARK[c.kind]}`, `${c.from} → ${c.to}`, `${glyphOf(c.before)} ${outcomeText(c.before)}`, '→', `${glyphOf(c.after)} ${outcomeText(c.after)}`, `(${c.kind})`]);
    out.push(...alignColumns(rows));
  }
  for (const b of blocks) if (b.length > 0) out.push('', ...b);
  out.push('', d.identical ? `identical: ${d.compared} cells compared, none changed` : summary(d));
  return out.join('\n') + '\n';
}

export function renderMatrixDiffCsv(d: MatrixDiff): string {
  const out = ['section,from,to,before,before_reason,after,after_reason,change'];
  for (const c of d.changes) out.push([c.section, c.from, c.to, c.before.verdict, c.before.reason ?? '', c.after.verdict, c.after.reason ?? '', c.kind].map(csvField).join(','));
  return out.join('\n') + '\n';
}

/** `blocks`: more Markdown paragraphs (the upgrade view's reasons) before the summary. */
export function renderMatrixDiffMarkdown(d: MatrixDiff, labels: { before: string; after: string }, blocks: ReadonlyArray<readonly string[]> = []): string {
  const md = (s: string) => s.replace(/\|/g, '\\|');
  const out = [`**before:** \`${md(labels.before)}\` · **after:** \`${md(labels.after)}\``, ''];
  out.push(...oneSideLines(d, true, md));
  if (d.changes.length > 0) {
    out.push('| | section | from | to | before | after |', '|:-:|---|---|---|---|---|');
    for (const c of d.changes) out.push(`| ${MARK[c.kind]} | ${md(c.section)} | \`${md(c.from)}\` | \`${md(c.to)}\` | ${glyphOf(c.before)} ${outcomeText(c.before)} | ${glyphOf(c.after)} ${outcomeText(c.after)} |`);
    out.push('');
  }
  for (const b of blocks) if (b.length > 0) out.push(...b, '');
  out.push(d.identical ? `Identical: ${d.compared} cells compared, none changed.` : `${summary(d)}.`);
  return out.join('\n') + '\n';
}

export function matrixDiffToJson(d: MatrixDiff, labels: { before: string; after: string }): unknown {
  const o = (x: CellOutcome) => ({ verdict: x.verdict, reason: x.reason });
  return {
    schema: 'cilium-trace/diff/v1',
    mode: 'matrix',
    before: labels.before,
    after: labels.after,
    identical: d.identical,
    compared: d.compared,
    onlyBefore: d.onlyBefore,
    onlyAfter: d.onlyAfter,
    changes: d.changes.map((c) => ({ section: c.section, from: c.from, to: c.to, kind: c.kind, before: o(c.before), after: o(c.after) })),
  };
}
