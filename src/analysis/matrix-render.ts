// Renderers of the connectivity matrix: a compact truth table (one glyph per cell, columns
// numbered, legend below), CSV (one line per cell), Markdown and JSON. Pure and
// deterministic: no terminal width, rows and columns in the matrix's sorted order.
import type { Verdict } from '../trace/tree.js';
import type { Matrix, MatrixSection } from './matrix.js';
import { isPolicyDrop, type CellOutcome } from './outcome.js';
import { csvField, padEnd, textWidth } from './table.js';

export const GLYPHS = { forwarded: '✓', policy: '✗', other: '!', notSimulated: '?' } as const;

export const GLYPH_LEGEND = `${GLYPHS.forwarded} forwarded · ${GLYPHS.policy} dropped by policy · ${GLYPHS.other} dropped, other reason · ${GLYPHS.notSimulated} not simulated`;

export function glyphOf(o: { readonly verdict: Verdict; readonly reason: string | null }): string {
  if (o.verdict === 'FORWARDED') return GLYPHS.forwarded;
  if (o.verdict === 'NOT_SIMULATED') return GLYPHS.notSimulated;
  return isPolicyDrop(o) ? GLYPHS.policy : GLYPHS.other;
}

/** "NO_SERVICE (DROP_NO_SERVICE in lb4_local)" for the legend of ! and ? cells. */
function detail(o: CellOutcome): string {
  return o.verdict === 'DROPPED' ? `${o.reason ?? '?'} (${o.macro ?? '?'} in ${o.fn ?? '?'})` : 'the path leaves what cilium-trace simulates (trace the flow to see where)';
}

function usedOutcomes(s: MatrixSection): number[] {
  const seen: boolean[] = [];
  for (let i = 0; i < s.cells.length; i++) seen[s.cells[i] ?? 0] = true;
  return seen.flatMap((used, k) => (used ? [k] : []));
}

/** Column numbers written downwards, right-aligned, so each column is one character wide. */
function numberHeader(cols: MatrixSection['columns'], indent: number): string[] {
  const digits = String(Math.max(1, ...cols.map((c) => c.n))).length;
  const lines: string[] = [];
  for (let d = 0; d < digits; d++) {
    const chars = cols.map((c) => String(c.n).padStart(digits, ' ')[d] ?? ' ').join('');
    if (chars.trim() !== '') lines.push((' '.repeat(indent) + chars).trimEnd());
  }
  return lines;
}

/** Column number → label; a hostNetwork pod is its node's host, which the legend says. */
function columnLabels(m: Matrix): Map<number, string> {
  const cols = new Map<number, string>();
  for (const s of m.sections) for (const c of s.columns) cols.set(c.n, c.kind === 'host' ? `${c.label} (hostNetwork)` : c.label);
  return cols;
}

function legendLines(m: Matrix): string[] {
  const cols = columnLabels(m);
  const w = String(Math.max(1, ...cols.keys())).length;
  return ['columns:', ...[...cols.entries()].sort((a, b) => a[0] - b[0]).map(([n, l]) => `  ${String(n).padStart(w)} ${l}`)];
}

/** The glyph of every outcome, by outcome index (cells index outcomes). */
function glyphTable(m: Matrix): string[] {
  return m.outcomes.map(glyphOf);
}

const UTF16 = new TextDecoder('utf-16le');

const oneUnit = (g: string): boolean => g.length === 1 && (g.charCodeAt(0) < 0xd800 || g.charCodeAt(0) > 0xdfff);

/**
 * One glyph per cell of `cells`, as one string: UTF-16LE bytes decoded at once when every
 * glyph is one code unit (appending glyph by glyph is slow on rows of thousands of cells).
 */
function glyphRow(glyphs: readonly string[], cells: Uint32Array): string {
  if (!glyphs.every(oneUnit)) return Array.from(cells, (k) => glyphs[k] ?? '').join('');
  const codes = glyphs.map((g) => g.charCodeAt(0));
  const bytes = new Uint8Array(cells.length * 2);
  for (let k = 0; k < cells.length; k++) {
    const c = codes[cells[k] ?? 0] ?? 0x3f;
    bytes[2 * k] = c & 0xff;
    bytes[2 * k + 1] = c >> 8;
  }
  return UTF16.decode(bytes);
}

export function renderMatrixText(m: Matrix): string {
  const out: string[] = [];
  const w = String(Math.max(1, m.rows.length)).length;
  const labels = m.rows.map((r, i) => `${String(i + 1).padStart(w)} ${r.label}`);
  const labelWidth = Math.max(0, ...labels.map(textWidth));
  const glyphs = glyphTable(m);
  for (const s of m.sections) {
    if (out.length > 0) out.push('');
    out.push(`${s.title}: ${m.rows.length} source${m.rows.length === 1 ? '' : 's'} × ${s.columns.length} destination${s.columns.length === 1 ? '' : 's'} (rows: from, columns: to)`);
    out.push(...numberHeader(s.columns, labelWidth + 2));
    const nc = s.columns.length;
    m.rows.forEach((_, i) => {
      out.push(`${padEnd(labels[i] ?? '', labelWidth)}  ${glyphRow(glyphs, s.cells.subarray(i * nc, (i + 1) * nc))}`);
    });
    const other = usedOutcomes(s).map((k) => m.outcomes[k] as CellOutcome).filter((o) => glyphOf(o) === GLYPHS.other || glyphOf(o) === GLYPHS.notSimulated);
    for (const o of other) out.push(`${glyphOf(o)} ${detail(o)}`);
  }
  if (m.sections.length > 0) out.push('', ...legendLines(m));
  out.push('', `cells: ${GLYPH_LEGEND}`);
  return out.join('\n') + '\n';
}

export const CSV_HEADER = 'section,from,to,proto,port,verdict,reason';

/**
 * The CSV, one line per cell, in pieces (the header, then one piece per section row) that
 * concatenate to renderMatrixCsv: a large matrix is written without building one string of
 * every line (1,000 × 1,000 cells are about 100 MB).
 */
export function* matrixCsvChunks(m: Matrix): Generator<string> {
  yield `${CSV_HEADER}\n`;
  const outcomes = m.outcomes.map((o) => `${csvField(o.verdict)},${csvField(o.reason ?? '')}\n`);
  for (const s of m.sections) {
    const title = csvField(s.title);
    const columns = s.columns.map((c) => `,${csvField(c.label)},${csvField(c.proto)},${csvField(c.port === null ? '' : String(c.port))},`);
    const nc = columns.length;
    for (let i = 0; i < m.rows.length; i++) {
      const from = `${title},${csvField(m.rows[i]?.label ?? '')}`;
      let chunk = '';
      for (let j = 0; j < nc; j++) chunk += from + columns[j] + outcomes[s.cells[i * nc + j] ?? 0];
      if (chunk !== '') yield chunk;
    }
  }
}

export function renderMatrixCsv(m: Matrix): string {
  return [...matrixCsvChunks(m)].join('');
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function renderMatrixMarkdown(m: Matrix): string {
  const out: string[] = [];
  const glyphs = glyphTable(m);
  for (const s of m.sections) {
    if (out.length > 0) out.push('');
    out.push(`### ${s.title}`, '');
    out.push(`| from \\ to | ${s.columns.map((c) => String(c.n)).join(' | ')} |`);
    out.push(`|---|${s.columns.map(() => ':-:').join('|')}|`);
    const nc = s.columns.length;
    m.rows.forEach((r, i) => {
      const cells = Array.from(s.cells.subarray(i * nc, (i + 1) * nc), (k) => glyphs[k] ?? '');
      out.push(`| ${i + 1} \`${mdCell(r.label)}\` | ${cells.join(' | ')} |`);
    });
    const other = usedOutcomes(s).map((k) => m.outcomes[k] as CellOutcome).filter((o) => glyphOf(o) === GLYPHS.other || glyphOf(o) === GLYPHS.notSimulated);
    if (other.length > 0) out.push('', ...other.map((o) => `- ${glyphOf(o)} ${mdCell(detail(o))}`));
  }
  const cols = columnLabels(m);
  out.push('', 'Columns:', '', ...[...cols.entries()].sort((a, b) => a[0] - b[0]).map(([n, l]) => `${n}. \`${mdCell(l)}\``));
  out.push('', `Cells: ${GLYPH_LEGEND}`);
  return out.join('\n') + '\n';
}

export function matrixToJson(m: Matrix): unknown {
  return {
    schema: 'cilium-trace/matrix/v1',
    cluster: m.cluster,
    rows: m.rows.map((r, i) => ({ n: i + 1, label: r.label, kind: r.kind, node: r.node })),
    outcomes: m.outcomes.map((o) => ({ glyph: glyphOf(o), verdict: o.verdict, reason: o.reason, macro: o.macro, fn: o.fn, direction: o.direction })),
    sections: m.sections.map((s) => ({
      title: s.title,
      columns: s.columns.map((c) => ({ n: c.n, label: c.label, kind: c.kind, proto: c.proto, port: c.port })),
      // cells[row][column]: an index into outcomes
      cells: m.rows.map((_, i) => Array.from(s.cells.subarray(i * s.columns.length, (i + 1) * s.columns.length))),
    })),
    stats: { cells: m.stats.cells, distinctFlowsTraced: m.stats.traces },
  };
}
