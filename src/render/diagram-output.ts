// The diagram output formats of the trace command, -o mermaid | dot | svg, behind one call.
import type { TraceResult } from '../trace/tree.js';
import { renderDot } from './diagram-dot.js';
import { renderMermaid } from './diagram-mermaid.js';

export type DiagramFormat = 'mermaid' | 'dot' | 'svg';

export const DIAGRAM_FORMATS: readonly DiagramFormat[] = ['mermaid', 'dot', 'svg'];

export function isDiagramFormat(f: string): f is DiagramFormat {
  return (DIAGRAM_FORMATS as readonly string[]).includes(f);
}

/** One diagram of the forward trace and, with --reply, its reply. */
export async function renderDiagram(format: DiagramFormat, forward: TraceResult, reply: TraceResult | null = null): Promise<string> {
  if (format === 'mermaid') return renderMermaid(forward, reply);
  if (format === 'dot') return renderDot(forward, reply);
  const { renderSvg } = await import('./diagram-svg.js');
  return renderSvg(forward, reply);
}
