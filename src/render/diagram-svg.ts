// `-o svg`: the DOT diagram laid out by Graphviz compiled to WebAssembly
// (@hpcc-js/wasm-graphviz: the wasm is inlined in the package, so nothing is fetched at run
// time and no system binary is needed). Loaded lazily, only for -o svg, so start-up of every
// other command is unaffected.
import { UsageError } from '../errors.js';
import type { TraceResult } from '../trace/tree.js';
import { renderDot } from './diagram-dot.js';
import { SVG_FONT_STACK } from './text-width.js';

interface GraphvizLike {
  dot(src: string, format?: 'svg'): string;
}

let loaded: Promise<GraphvizLike> | undefined;

/** The Graphviz instance, loaded once; a UsageError (exit 2) if the package cannot load. */
export function loadGraphviz(): Promise<GraphvizLike> {
  loaded ??= import('@hpcc-js/wasm-graphviz')
    .then((m) => m.Graphviz.load() as Promise<GraphvizLike>)
    .catch((e: unknown) => {
      loaded = undefined;
      const why = e instanceof Error ? e.message : String(e);
      throw new UsageError(`-o svg needs the WebAssembly Graphviz (@hpcc-js/wasm-graphviz), which did not load (${why}); use -o dot and render it with Graphviz instead`);
    });
  return loaded;
}

/** DOT text → SVG text. */
export async function dotToSvg(dot: string): Promise<string> {
  const gv = await loadGraphviz();
  return gv.dot(dot, 'svg');
}

/**
 * The boxes are sized for DejaVu Sans (diagram-dot.ts, font 'dejavu'); the text names the
 * whole font stack, widest first, so a viewer without DejaVu picks a narrower font, never a
 * wider one. The font is not embedded: DejaVu Sans alone is 760 kB, some 40 times the picture.
 */
export async function renderSvg(forward: TraceResult, reply: TraceResult | null = null): Promise<string> {
  const svg = await dotToSvg(renderDot(forward, reply, { font: 'dejavu' }));
  return svg.replace(/font-family="DejaVu Sans"/g, `font-family="${SVG_FONT_STACK}"`);
}
