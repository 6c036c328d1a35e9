// `-o svg`: the DOT diagram laid out by Graphviz compiled to WebAssembly
// (@hpcc-js/wasm-graphviz: the wasm is inlined in the package, so nothing is fetched at run
// time and no system binary is needed). Loaded lazily, only for -o svg, so start-up of every
// other command is unaffected.
import { UsageError } from '../errors.js';
import type { TraceResult } from '../trace/tree.js';
import { renderDot } from './diagram-dot.js';

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

export async function renderSvg(forward: TraceResult, reply: TraceResult | null = null): Promise<string> {
  return dotToSvg(renderDot(forward, reply));
}
