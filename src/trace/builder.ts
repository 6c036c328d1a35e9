// Builds the trace tree while the datapath runs: a stack of open nodes. `frame` opens a
// function node around a body, so the tree mirrors the simulated call chain. Each frame
// cites where the modelled release defines the function (file and line).
import type { CiliumRelease } from '../cilium/releases/release.js';
import type { TraceNode } from './tree.js';

type Container = Extract<TraceNode, { children: TraceNode[] }>;

/**
 * Set by the test suite: a frame whose name the release does not define in the cited file is
 * a bug in the simulation, and fails the trace instead of printing a citation without a line.
 */
const STRICT_CITATIONS = process.env['CILIUM_TRACE_STRICT_CITATIONS'] === '1';

export class TraceBuilder {
  readonly hops: TraceNode[] = [];
  private readonly stack: Container[] = [];

  constructor(private readonly release: CiliumRelease) {}

  private get top(): TraceNode[] {
    const t = this.stack[this.stack.length - 1];
    return t ? t.children : this.hops;
  }

  add(node: TraceNode): void {
    this.top.push(node);
  }

  /** Starts a new hop at the top level, closing whatever was open. */
  hop(node: string, where: string, hook: string, program?: string): void {
    this.stack.length = 0;
    const h: Container = program === undefined ? { kind: 'hop', node, where, hook, children: [] } : { kind: 'hop', node, where, hook, program, children: [] };
    this.hops.push(h);
    this.stack.push(h);
  }

  /** The line of a function's definition, or of a label inside the innermost open function that has it. */
  private cite(file: string, fn: string): number | undefined {
    const labels = this.release.labelSites(file, fn);
    if (labels.size > 0) {
      for (let i = this.stack.length - 1; i >= 0; i--) {
        const open = this.stack[i];
        const line = open && open.kind === 'fn' ? labels.get(open.fn) : undefined;
        if (line !== undefined) return line;
      }
    }
    return this.release.variants.get(`${file}\t${fn}`)?.line ?? this.release.site(file, fn);
  }

  frame<T>(fn: string, file: string, body: () => T): T {
    const line = this.cite(file, fn);
    if (line === undefined && STRICT_CITATIONS) {
      throw new Error(`uncited frame: Cilium ${this.release.version} defines no ${fn} in ${file} (scripts/bpf-sites.mjs, bpf-index)`);
    }
    const f: Container = { kind: 'fn', fn, file, line: line ?? null, children: [] };
    this.top.push(f);
    this.stack.push(f);
    try {
      return body();
    } finally {
      // A tail call may have reset the stack; only unwind what this frame still owns.
      const i = this.stack.lastIndexOf(f);
      if (i >= 0) this.stack.length = i;
    }
  }

  /**
   * The line a drop notification carries: the send_drop_notify* call inside `fn` of `file` at
   * the modelled release (`nth` picks among several calls, in source order).
   */
  dropLine(file: string, fn: string, nth = 0): number | null {
    const line = this.release.dropSites(file, fn)[nth];
    if (line === undefined && STRICT_CITATIONS) {
      throw new Error(`uncited drop: Cilium ${this.release.version} has no send_drop_notify call #${nth} in ${fn} of ${file} (scripts/source-sites.mjs)`);
    }
    return line ?? null;
  }

  /** A tail call never returns: the called program continues at the hop's top level. */
  resetToHop(): void {
    this.stack.length = Math.min(this.stack.length, 1);
  }
}
