// The shareable report formats of the trace command, -o markdown | html, behind one call.
// The HTML report inlines the SVG diagram, which needs the WebAssembly Graphviz: loaded here,
// only for -o html, so the renderers themselves stay pure.
import type { TraceResult } from '../trace/tree.js';
import type { ReportOptions } from './report-model.js';

export type ReportFormat = 'markdown' | 'html';

export function isReportFormat(f: string): f is ReportFormat {
  return f === 'markdown' || f === 'html';
}

/** `reply`: undefined without --reply; null when the forward packet was not delivered. */
export async function renderTraceReportAs(format: ReportFormat, forward: TraceResult, reply: TraceResult | null | undefined, options: ReportOptions): Promise<string> {
  if (format === 'markdown') return (await import('./markdown.js')).renderTraceMarkdown(forward, reply, options);
  // Without the WebAssembly Graphviz the report is still written, saying why it has no diagram.
  const { renderSvg } = await import('./diagram-svg.js');
  const svg = await renderSvg(forward, reply ?? null).catch((e: unknown) => ({ missing: e instanceof Error ? e.message : String(e) }));
  return (await import('./html.js')).renderTraceHtml(forward, reply, svg, options);
}
