// `-o html`: a trace (and its reply) as ONE self-contained HTML file for an incident ticket or a
// projector: inline CSS, the inline SVG diagram, no URL and no script needed to read it. The
// verdict and why come first; the hops and their map lookups fold in <details>; printing
// unfolds everything. Every piece of trace text is escaped. Pure: the SVG comes in as text.
import type { TraceResult } from '../trace/tree.js';
import { hopTitle, traceReport, verdictWord, type ReportOptions, type TraceReport } from './report-model.js';
import { TOOL_VERSION } from '../version.js';

/** Text and attribute values: the five characters HTML gives a meaning. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Graphviz's SVG document as an element to inline: no XML declaration, doctype, comments or namespaces. */
export function inlineSvg(svg: string): string {
  const at = svg.indexOf('<svg');
  // The namespace attributes go too: HTML puts <svg> in the SVG namespace itself, and the file
  // then holds no URL at all.
  return at < 0 ? '' : svg.slice(at).replace(/<!--[\s\S]*?-->\n?/g, '').replace(/ xmlns(:xlink)?="[^"]*"/g, '').trimEnd();
}

const CSS = `
:root { color-scheme: light; --fg: #1a202c; --dim: #4a5568; --line: #cbd5e0; --ok: #2f855a; --bad: #c53030; --warn: #975a16; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: var(--fg); margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.25rem; margin: 0 0 .5rem; word-break: break-word; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.verdict { font-size: 1.1rem; padding: .6rem .8rem; border-left: .4rem solid; background: #f7fafc; word-break: break-word; }
.verdict.FORWARDED, .verdict.PASS { border-color: var(--ok); }
.verdict.DROPPED, .verdict.FAIL, .verdict.INVALID { border-color: var(--bad); }
.verdict.NOT_SIMULATED { border-color: var(--warn); }
.verdict.FORWARDED strong, .verdict.PASS strong, td.PASS, strong.PASS { color: var(--ok); }
.verdict.DROPPED strong, .verdict.FAIL strong, td.FAIL, td.FAIL a, strong.FAIL, td.INVALID, td.INVALID a, strong.INVALID { color: var(--bad); }
.verdict.NOT_SIMULATED strong, td.NOT_SIMULATED, td.NOT_SIMULATED a, strong.NOT_SIMULATED { color: var(--warn); }
td.FAIL, td.INVALID, td.NOT_SIMULATED { font-weight: bold; }
.context, .foot { color: var(--dim); font-size: .85rem; }
pre { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: .8rem; background: #f7fafc; border: 1px solid var(--line); padding: .5rem; overflow-x: auto; white-space: pre; }
code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: .85em; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .2rem .4rem; text-align: left; vertical-align: top; }
th { background: #edf2f7; }
td.n { text-align: right; }
details { margin: .3rem 0; }
summary { cursor: pointer; }
details.hop > summary { font-weight: bold; }
details.hop > summary .events { font-weight: normal; color: var(--dim); }
details.hop { border-left: 2px solid var(--line); padding-left: .6rem; }
figure { margin: .5rem 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
ul.why { margin: .25rem 0; }
@media print {
  body { max-width: none; margin: 0; }
  details::details-content { content-visibility: visible; display: contents; }
  details > summary { list-style: none; }
  pre { white-space: pre-wrap; word-break: break-all; }
  figure svg { max-height: 100vh; }
}
`.trim();

/** The whole document around a report's body: head, inline style, the footer. */
export function htmlPage(title: string, body: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="cilium-trace ${esc(TOOL_VERSION)}">`,
    `<title>${esc(title)}</title>`,
    `<style>\n${CSS}\n</style>`,
    '</head>',
    '<body>',
    ...body,
    `<p class="foot">cilium-trace ${esc(TOOL_VERSION)}: a simulation of the Cilium datapath from the cluster's files, not a capture.</p>`,
    '</body>',
    '</html>',
  ].join('\n') + '\n';
}

/** The explanation's indented lines as nested lists (two spaces a level), each inner list inside its item. */
function nestedList(lines: readonly string[]): string[] {
  const out: string[] = [];
  let depth = -1;
  for (const l of lines) {
    const d = Math.floor((l.length - l.trimStart().length) / 2);
    if (depth >= 0 && d <= depth) out.push('</li>');
    for (; depth > d; depth--) out.push('</ul>', '</li>');
    for (; depth < d; depth++) out.push(depth < 0 ? '<ul class="why">' : '<ul>', ...(depth + 1 < d ? ['<li>'] : []));
    out.push(`<li>${esc(l.trim())}`);
  }
  if (depth >= 0) out.push('</li>');
  for (; depth > 0; depth--) out.push('</ul>', '</li>');
  if (depth === 0) out.push('</ul>');
  return out;
}

function verdictBlock(r: TraceReport): string {
  const [word, ...rest] = r.verdictText.split(' — ');
  return `<p class="verdict ${r.verdict}"><strong>${esc(word ?? verdictWord(r.verdict))}</strong> — ${esc(rest.join(' — '))}</p>`;
}

function hopBlocks(r: TraceReport, idPrefix: string): string[] {
  const out = ['<table class="path">', '<tr><th>#</th><th>node</th><th>where</th><th>hook · program</th><th>what happened</th></tr>'];
  for (const h of r.hops) {
    out.push(`<tr><td class="n">${h.n}</td><td>${esc(h.node)}</td><td><code>${esc(h.where)}</code></td><td>${esc(h.hook)}${h.program ? ` · <code>${esc(h.program)}</code>` : ''}</td><td>${esc(h.events)}</td></tr>`);
  }
  out.push('</table>');
  for (const h of r.hops) {
    out.push(`<details class="hop" id="${idPrefix}${h.n}"><summary>${h.n}. ${esc(hopTitle(h))} <span class="events">${esc(h.events)}</span></summary>`);
    if (h.lines.length > 0) out.push(`<pre>${esc(h.lines.join('\n'))}</pre>`);
    if (h.lookups.length > 0) {
      out.push(`<details class="lookups"><summary>${h.lookups.length} map lookup${h.lookups.length === 1 ? '' : 's'}</summary>`, '<table>', '<tr><th>map</th><th>key</th><th>result</th></tr>');
      for (const l of h.lookups) {
        const extra = [...(l.note ? [esc(l.note)] : []), ...l.provenance.map((p) => `↳ ${esc(p)}`)].map((x) => `<br>${x}`).join('');
        out.push(`<tr><td><code>${esc(l.map)}</code></td><td><code>${esc(l.key)}</code></td><td>${l.result === null ? 'miss' : `<code>${esc(l.result)}</code>`}${extra}</td></tr>`);
      }
      out.push('</table>', '</details>');
    }
    out.push('</details>');
  }
  return out;
}

function traceSection(r: TraceReport, heading: string, level: 'h1' | 'h2'): string[] {
  const out = [`<${level}>${esc(heading)}${esc(r.header)}</${level}>`, verdictBlock(r), `<p class="context">${esc(r.context)}</p>`];
  if (r.why.length > 0) out.push('<h3>Why</h3>', ...nestedList(r.why));
  if (r.suggestion) out.push('<h3>What would allow it (the smallest policy to add)</h3>', `<pre>${esc(r.suggestion)}</pre>`);
  if (r.settings.length + r.notes.length > 0) {
    out.push('<details class="settings"><summary>Settings and assumptions</summary>', '<ul>');
    out.push(...r.settings.map((s) => `<li>setting: ${esc(s)}</li>`), ...r.notes.map((n) => `<li>note: ${esc(n)}</li>`), '</ul>', '</details>');
  }
  return out;
}

/**
 * A trace and, with --reply, its reply (null: not delivered, so no reply), with `svg` (the
 * `-o svg` diagram of both) inlined between the verdicts and the hops, or why it is missing.
 */
export function renderTraceHtml(forward: TraceResult, reply: TraceResult | null | undefined, svg: string | { readonly missing: string }, options: ReportOptions = {}): string {
  const f = traceReport(forward, options);
  const body = traceSection(f, '', 'h1');
  const rep = reply ? traceReport(reply, options) : null;
  if (rep) body.push(...traceSection(rep, 'Reply: ', 'h2'));
  else if (reply === null) body.push('<h2>Reply</h2>', '<p>no reply: the forward packet was not delivered</p>');
  const picture = typeof svg === 'string' ? inlineSvg(svg) : '';
  if (picture) body.push('<h2>Diagram</h2>', `<figure>\n${picture}\n</figure>`);
  else if (typeof svg !== 'string') body.push('<h2>Diagram</h2>', `<p class="context">not drawn: ${esc(svg.missing)}</p>`);
  body.push(`<h2>Hops${rep ? ' of the packet' : ''}</h2>`, ...hopBlocks(f, 'hop-'));
  if (rep) body.push('<h2>Hops of the reply</h2>', ...hopBlocks(rep, 'reply-hop-'));
  return htmlPage(`cilium-trace: ${verdictWord(f.verdict)} ${f.header}`, body);
}
