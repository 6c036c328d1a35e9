// What --step walks: the traces (forward, and the reply with --reply), their nodes in
// pre-order, the steps shown at the chosen level, and the datapath copy the traces ran on
// (its conntrack and NAT maps hold what the traces wrote). Built once; read-only after.
import type { ClusterDatapath } from '../node-state/node.js';
import { line, verdictLine, type Level } from '../render/text.js';
import { PLAIN } from '../render/style.js';
import type { TraceNode } from '../trace/tree.js';
import { mapPanel, writeId, type Panel } from './map-panel.js';
import { packetAt, packetLines } from './packet-view.js';
import { explainLines, type Explainer } from './step-explain.js';
import { flattenSteps, preorder, type OrderedNode, type Step, type StepTrace } from './steps.js';

export interface StepModelInput {
  readonly traces: readonly StepTrace[];
  /** The datapath the traces ran on (withConntrackCopy), kept for the map panel. */
  readonly datapath: ClusterDatapath;
  readonly labelsOf: (id: number) => readonly string[] | undefined;
  readonly level: Level;
  readonly explainer: Explainer | null;
}

export interface StepModel extends StepModelInput {
  readonly orders: readonly (readonly OrderedNode[])[];
  readonly steps: readonly Step[];
}

export type PanelKind = 'map' | 'packet' | 'explain' | 'help';

export function buildStepModel(input: StepModelInput): StepModel {
  const orders = input.traces.map((t) => preorder(t.result));
  return { ...input, orders, steps: flattenSteps(input.traces, orders, input.level) };
}

export function orderedOf(m: StepModel, i: number): OrderedNode | undefined {
  const s = m.steps[i];
  return s ? m.orders[s.trace]?.[s.seq] : undefined;
}

/** The Kubernetes node a step ran on. */
export function hostOf(m: StepModel, i: number): string {
  return orderedOf(m, i)?.host ?? '';
}

/** The hop a step belongs to (its index among its trace's hops), -1 for verdict steps. */
export function hopOf(m: StepModel, i: number): number {
  const s = m.steps[i];
  return s?.kind === 'node' ? (orderedOf(m, i)?.hop ?? -1) : -1;
}

const SUMMARY = new Set<TraceNode['kind']>(['hop', 'return', 'tail_call', 'lookup', 'policy', 'ct', 'encap', 'decap', 'redirect', 'drop', 'deliver', 'not_simulated', 'trace_point', 'kernel']);

function summaryLines(nodes: readonly TraceNode[], depth: number, out: string[]): void {
  for (const n of nodes) {
    if (n.kind === 'fn') { summaryLines(n.children, depth, out); continue; }
    if (!SUMMARY.has(n.kind)) continue;
    for (const l of line(n, PLAIN, false)) out.push('  '.repeat(depth) + l);
    if ('children' in n) summaryLines(n.children, depth + 1, out);
  }
}

/** A step's own lines, unindented (plain text; the screen styles whole lines). */
export function stepBody(m: StepModel, i: number): string[] {
  const s = m.steps[i];
  if (!s) return [];
  const r = m.traces[s.trace]?.result;
  if (s.kind === 'verdict') {
    if (!r) return [];
    const out = [verdictLine(r)];
    const e = r.explanation;
    if (e) {
      out.push('why:', ...e.lines.map((l) => `  ${l}`));
      if (e.suggestion) out.push('what would allow it (the smallest policy to add):', ...e.suggestion.trimEnd().split('\n').map((l) => `  ${l}`));
    }
    return out;
  }
  const n = orderedOf(m, i)?.node;
  if (!n) return [];
  if (m.level === 'minimal' && n.kind === 'hop') {
    const out = line(n, PLAIN, false);
    summaryLines(n.children, 1, out);
    return out;
  }
  return line(n, PLAIN, true);
}

function laterWrites(m: StepModel, i: number, host: string): Set<string> {
  const s = m.steps[i];
  const out = new Set<string>();
  if (!s) return out;
  m.orders.forEach((order, t) => {
    if (t < s.trace) return;
    order.forEach((o, seq) => {
      if (t === s.trace && seq <= s.upto) return;
      if (o.host === host && o.node.kind === 'ct_create') out.add(writeId(o.node.map, o.node.key));
    });
  });
  return out;
}

function decidingLookup(order: readonly OrderedNode[], seq: number): Extract<TraceNode, { kind: 'lookup' }> | undefined {
  for (let i = seq - 1; i >= 0; i--) {
    const n = order[i]?.node;
    if (n?.kind === 'lookup' && n.map.startsWith('cilium_policy_') && n.result !== null) return n;
    if (n?.kind === 'policy') return undefined;
  }
  return undefined;
}

/** The `?` key table: keys, then what they do, in one column (the widest key sets it). */
const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['Enter, space, n, →', 'next step'],
  ['b, ←, Backspace', 'previous step'],
  ['Home / End (g / G)', 'first / last step'],
  ['m', 'the map this step read: the whole map as the cilium CLI prints it, the row marked >'],
  ['p', 'the packet headers after this step (inner and outer when encapsulated)'],
  ['e', 'what this step means'],
  ['↑ ↓ (k j) PgUp PgDn', "scroll the open panel, else the step's own text"],
  ['Esc', 'close the panel (the open panel follows you from step to step)'],
  ['q', 'quit; on a panel that has the whole screen: back to the step'],
  ['Ctrl-C', 'quit'],
];
const KEY_COLUMN = Math.max(...KEYS.map(([k]) => [...k].length)) + 2;
export const HELP: readonly string[] = KEYS.map(([k, what]) => k + ' '.repeat(KEY_COLUMN - [...k].length) + what);

export function panelContent(m: StepModel, i: number, kind: PanelKind): Panel {
  const s = m.steps[i];
  const r = s ? m.traces[s.trace]?.result : undefined;
  const order = s ? (m.orders[s.trace] ?? []) : [];
  const plain = (title: string, lines: readonly string[]): Panel => ({ title, lines: lines.map((text) => ({ text, mark: null })), focus: null });
  if (kind === 'help') return plain('keys', HELP);
  if (!s || !r) return plain(kind, []);
  const o = orderedOf(m, i);
  if (kind === 'packet') {
    const where = s.kind === 'verdict' ? 'at the end of the trace' : 'after this step';
    return plain(`packet ${where} (derived from the trace's frame, rewrite, encap and decap steps)`, packetLines(packetAt(r, order, s.upto)));
  }
  if (kind === 'explain') return plain('what this step means', explainLines(s.kind === 'verdict' ? null : (o?.node ?? null), hostOf(m, i), r, m.explainer));
  if (s.kind === 'verdict' || !o) return plain('no map', ['the verdict reads no map; b goes back to the steps that did']);
  const host = o.host;
  return mapPanel(m.datapath, host, o.node, { datapath: m.datapath, labelsOf: m.labelsOf, laterWrites: laterWrites(m, i, host), decidingLookup: decidingLookup(order, s.seq) });
}
