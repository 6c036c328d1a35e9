// The trace tree flattened into the steps of --step: one step per tree node (pre-order, as
// the detailed text reads top to bottom), pruned like the text levels (summary skips fn and
// note nodes, minimal keeps one step per hop), plus a verdict step closing each trace.
// Every step remembers where it sits in the full pre-order walk, so the packet and map
// panels fold over every node up to it whatever the level shown.
import type { Level } from '../render/text.js';
import type { TraceNode, TraceResult } from '../trace/tree.js';

export interface StepTrace {
  readonly label: 'forward' | 'reply';
  readonly result: TraceResult;
}

/** One node of a trace in pre-order, with the Kubernetes node it ran on. */
export interface OrderedNode {
  readonly node: TraceNode;
  /** The enclosing hop and fn nodes, outermost first. */
  readonly ancestors: readonly TraceNode[];
  readonly host: string;
  /** Index of the hop (among the trace's top-level hops) this node belongs to. */
  readonly hop: number;
}

export interface Step {
  readonly kind: 'node' | 'verdict';
  /** Index into the model's traces. */
  readonly trace: number;
  /** Index into that trace's pre-order list (the verdict step: the last node). */
  readonly seq: number;
  /** The panels see every node up to this pre-order index (a minimal-level hop: its last descendant). */
  readonly upto: number;
  /** Display depth (nesting below the hop). */
  readonly depth: number;
  /** The ancestors shown as context at this level (hop, and fn nodes unless summary/minimal). */
  readonly context: readonly TraceNode[];
}

const SUMMARY_KINDS = new Set<TraceNode['kind']>(['hop', 'return', 'tail_call', 'lookup', 'policy', 'ct', 'encap', 'decap', 'redirect', 'drop', 'deliver', 'not_simulated', 'trace_point', 'kernel']);

/** Every node of a trace in pre-order (hop and fn nodes before their children). */
export function preorder(r: TraceResult): OrderedNode[] {
  const out: OrderedNode[] = [];
  const walk = (nodes: readonly TraceNode[], ancestors: readonly TraceNode[], host: string, hop: number): void => {
    for (const n of nodes) {
      out.push({ node: n, ancestors, host, hop });
      if ('children' in n) walk(n.children, [...ancestors, n], n.kind === 'hop' ? n.node : host, hop);
    }
  };
  r.hops.forEach((h, i) => walk([h], [], h.kind === 'hop' ? h.node : '', i));
  return out;
}

function lastDescendant(order: readonly OrderedNode[], seq: number): number {
  const self = order[seq];
  if (!self) return seq;
  let end = seq;
  for (let i = seq + 1; i < order.length && (order[i]?.ancestors.includes(self.node) ?? false); i++) end = i;
  return end;
}

function shown(n: TraceNode, level: Level): boolean {
  if (level === 'minimal') return n.kind === 'hop';
  if (level === 'summary') return SUMMARY_KINDS.has(n.kind);
  return true;
}

export function flattenSteps(traces: readonly StepTrace[], orders: readonly (readonly OrderedNode[])[], level: Level): Step[] {
  const steps: Step[] = [];
  traces.forEach((_, t) => {
    const order = orders[t] ?? [];
    order.forEach((o, seq) => {
      if (!shown(o.node, level)) return;
      const context = o.ancestors.filter((a) => shown(a, level));
      const upto = level === 'minimal' ? lastDescendant(order, seq) : seq;
      steps.push({ kind: 'node', trace: t, seq, upto, depth: context.length, context });
    });
    const last = Math.max(0, order.length - 1);
    steps.push({ kind: 'verdict', trace: t, seq: last, upto: last, depth: 0, context: [] });
  });
  return steps;
}
