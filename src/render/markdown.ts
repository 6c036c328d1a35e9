// `-o markdown`: a trace (and its reply) as GitHub-flavoured Markdown for a pull-request
// comment or an incident ticket: the verdict and why first, then a table of the hops, then
// each hop's steps and map lookups folded in <details> (GitHub renders them collapsed).
// Every piece of trace text is escaped: backslash escapes in prose, code spans and fences
// sized to what they hold, `|` escaped in table cells. Pure functions to strings.
import type { TraceResult } from '../trace/tree.js';
import { hopTitle, traceReport, verdictWord, type ReportOptions, type TraceReport } from './report-model.js';
import { renderMermaid } from './diagram-mermaid.js';

/**
 * Prose: every character Markdown or inline HTML could take as syntax is backslash-escaped,
 * except where GitHub gives it none, so the raw text stays readable: `_` inside a word
 * (DROP_POLICY), `>` after the start of a line, brackets that cannot close a link (`]` is
 * escaped before `(`, `[` and `:`; no link definitions are written). `|` matters only in a
 * table: see cell().
 */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*<~&]|\](?=[([:])|_(?![A-Za-z0-9])|(?<![A-Za-z0-9])_|^[>#+=-]|^\d+(?=[.)])/g, (m) => (/^\d/.test(m) ? `${m}\\` : `\\${m}`));
}

/** A code span that holds any text: a backtick run longer than any inside it. */
export function mdCode(s: string): string {
  const flat = s.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const tick = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${tick}${pad}${flat}${pad}${tick}`;
}

/** A table cell: GFM splits rows on `|` before it parses code spans, so it is escaped everywhere. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** A fenced block that holds any text: a fence longer than any backtick run inside. */
export function mdFence(lines: readonly string[], lang = 'text'): string[] {
  const longest = Math.max(0, ...lines.flatMap((l) => [...l.matchAll(/`+/g)].map((m) => m[0].length)));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...lines, fence];
}

/** The explanation's indented lines as a nested list (two spaces a level). */
function nestedList(lines: readonly string[]): string[] {
  return lines.map((l) => {
    const depth = Math.floor((l.length - l.trimStart().length) / 2);
    return `${'  '.repeat(depth)}- ${mdText(l.trim())}`;
  });
}

function verdictHead(r: TraceReport): string {
  const [word, ...rest] = r.verdictText.split(' — ');
  return `**${mdText(word ?? verdictWord(r.verdict))}** — ${mdText(rest.join(' — '))}`;
}

function section(r: TraceReport, title: string): string[] {
  const out = [`## ${title}: ${mdText(r.header)}`, '', verdictHead(r), ''];
  out.push(`<sub>${mdText(r.context)}</sub>`, '');
  if (r.why.length > 0) out.push('**Why**', '', ...nestedList(r.why), '');
  if (r.suggestion) out.push('**What would allow it** (the smallest policy to add)', '', ...mdFence(r.suggestion.split('\n'), 'yaml'), '');
  if (r.settings.length + r.notes.length > 0) {
    out.push('<details><summary>Settings and assumptions</summary>', '');
    out.push(...r.settings.map((s) => `- setting: ${mdText(s)}`), ...r.notes.map((n) => `- note: ${mdText(n)}`), '', '</details>', '');
  }
  out.push(`**Path** (${r.hops.length} hop${r.hops.length === 1 ? '' : 's'})`, '');
  out.push('| # | node | where | hook · program | what happened |', '|--:|---|---|---|---|');
  for (const h of r.hops) {
    out.push(`| ${h.n} | ${cell(mdText(h.node))} | ${cell(mdCode(h.where))} | ${cell(mdText(h.hook))}${h.program ? ` · ${cell(mdCode(h.program))}` : ''} | ${cell(mdText(h.events))} |`);
  }
  out.push('');
  for (const h of r.hops) {
    const lookups = h.lookups.length === 0 ? '' : `, ${h.lookups.length} map lookup${h.lookups.length === 1 ? '' : 's'}`;
    out.push(`<details><summary>${h.n}. ${mdText(hopTitle(h))}${lookups}</summary>`, '');
    if (h.lines.length > 0) out.push(...mdFence(h.lines), '');
    if (h.lookups.length > 0) {
      out.push('| map | key | result |', '|---|---|---|');
      for (const l of h.lookups) {
        const result = l.result === null ? 'miss' : mdCode(l.result);
        const extra = [...(l.note ? [mdText(l.note)] : []), ...l.provenance.map((p) => `↳ ${mdText(p)}`)];
        out.push(`| ${cell(mdCode(l.map))} | ${cell(mdCode(l.key))} | ${cell(result)}${extra.length ? cell(`<br>${extra.join('<br>')}`) : ''} |`);
      }
      out.push('');
    }
    out.push('</details>', '');
  }
  return out;
}

/** A trace and, with --reply, its reply (null: the forward packet was not delivered). */
export function renderTraceMarkdown(forward: TraceResult, reply?: TraceResult | null, options: ReportOptions = {}): string {
  const out = section(traceReport(forward, options), 'cilium-trace');
  if (reply !== undefined) {
    if (reply === null) out.push('## Reply', '', 'no reply: the forward packet was not delivered', '');
    else out.push(...section(traceReport(reply, options), 'Reply'));
  }
  // The -o mermaid diagram, which GitHub draws from a mermaid block; folded, as it is tall.
  const diagram = renderMermaid(forward, reply ?? null).trimEnd().split('\n');
  out.push('<details><summary>Diagram</summary>', '', ...mdFence(diagram, 'mermaid'), '', '</details>', '');
  return out.join('\n').replace(/\n+$/, '') + '\n';
}
