// `-o dot`: the packet's path as a Graphviz digraph. Each node is a cluster box holding the
// places the packet passes on it (pod netns, host-side veth, cilium_* devices, the native
// device); the wire and the network outside sit between the clusters. The path is a chain of
// numbered edges (the numbers Mermaid's autonumber gives the same steps); a drop is a red
// octagon reached by a red edge; the reply, with --reply, is dashed. Deterministic text.
import type { TraceResult } from '../trace/tree.js';
import { pathDiagram, type Place, type PlaceKind, type Step } from './diagram-model.js';
import { textWidth } from './text-width.js';

export interface DotOptions {
  /**
   * 'dejavu' (the DOT behind -o svg): text in DejaVu Sans, whose widths the WebAssembly Graphviz
   * knows, and every box at least as wide as its lines measure in that font (text-width.ts),
   * so no label is clipped with the fonts common on Linux (F27). Default: Helvetica, left to
   * the Graphviz that renders the DOT, which measures the font it finds.
   */
  readonly font?: 'helvetica' | 'dejavu';
}

/** Box margin (inches) left and right of the text, as the node default below sets it. */
const MARGIN_X = 0.15;
/** Points of room added to each measured line: kerning and pixel rounding differ between renderers. */
const SLACK = 4;

/** A DOT double-quoted string; lines joined with \n (centred). */
export function dotString(lines: string | readonly string[]): string {
  const list = typeof lines === 'string' ? [lines] : lines;
  return `"${list.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n]+/g, ' ')).join('\\n')}"`;
}

type Attrs = Readonly<Record<string, string>>;

const BOX: Attrs = { fillcolor: '"#ffffff"', color: '"#4a5568"' };
const ROUND: Attrs = { shape: 'ellipse', style: 'filled', fillcolor: '"#edf2f7"', color: '"#718096"' };
const PLACE_STYLE: Readonly<Record<PlaceKind, Attrs>> = {
  pod: { fillcolor: '"#e6f0fa"', color: '"#2c5282"' },
  socket: { fillcolor: '"#e6f0fa"', color: '"#2c5282"', style: '"rounded,filled,dashed"' },
  host: { fillcolor: '"#f7fafc"', color: '"#4a5568"' },
  veth: BOX,
  tunnel: { fillcolor: '"#fefcbf"', color: '"#975a16"' },
  device: BOX,
  native: { fillcolor: '"#edf2f7"', color: '"#2d3748"' },
  wire: ROUND,
  network: ROUND,
};

/**
 * Height in the picture: pods on top, then the host-side veths, the cilium_* devices, the
 * native devices and the wire at the bottom, so a cross-node path reads as a U: down one
 * node's stack, across the wire, up the other's.
 */
const LEVEL: Readonly<Record<PlaceKind, number>> = { pod: 0, socket: 0, host: 0, veth: 1, device: 2, tunnel: 2, native: 3, wire: 4, network: 4 };

function attrs(a: Attrs): string {
  return Object.entries(a).map(([k, v]) => `${k}=${v}`).join(', ');
}

const RED = '#c53030';
const FORWARD = '#2b6cb0';
const REPLY = '#6b46c1';
const GREEN = '#2f855a';

/** `width` (inches) for a node whose lines are measured: the widest line, the margins, the slack. */
function widthAttr(lines: readonly string[], size: number, margin: number): Attrs {
  const widest = Math.max(...lines.map((l) => textWidth(l, size)));
  return { width: ((widest + SLACK) / 72 + 2 * margin).toFixed(2) };
}

/** A place's box: its name, what it is, and the numbered steps that stay on it (tc after kernel). */
function placeLine(p: Place, extra: Attrs, own: readonly Step[], startLines: readonly string[], measure: boolean): string {
  const lines = [p.name, ...(p.detail ? [p.detail] : []), ...startLines];
  for (const s of own) lines.push(`${s.n}. ${s.lines[0] ?? ''}`, ...s.lines.slice(1), ...s.notes);
  const sized = measure && PLACE_STYLE[p.kind] !== ROUND ? widthAttr(lines, 11, MARGIN_X) : {};
  return `${p.id} [${attrs({ label: dotString(lines), ...PLACE_STYLE[p.kind], ...extra, ...sized })}];`;
}

/** A Graphviz HTML-like label in bold (its metrics are the bold font's, unlike a "… Bold" fontname). */
function boldLabel(text: string): string {
  return `<<B>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}</B>>`;
}

const GREY = '#718096';

/** The pod a dropped packet was going to, dashed: the packet never got there. */
function intendedLine(p: Place, measure: boolean): string {
  const lines = [p.name, ...(p.detail ? [p.detail] : []), 'intended destination', '(not reached)'];
  const sized = measure ? widthAttr(lines, 11, MARGIN_X) : {};
  return `${p.id} [${attrs({ label: dotString(lines), style: '"rounded,dashed"', color: `"${GREY}"`, fontcolor: `"${GREY}"`, ...sized })}];`;
}

export function renderDot(forward: TraceResult, reply: TraceResult | null = null, options: DotOptions = {}): string {
  const measure = options.font === 'dejavu';
  const font = measure ? 'DejaVu Sans' : 'Helvetica';
  const d = pathDiagram(forward, reply);
  const verdict = forward.verdict === 'FORWARDED' ? 'FORWARDED' : forward.verdict === 'DROPPED' ? 'DROPPED' : 'NOT SIMULATED';
  const ending = d.phases[0]?.end.text ?? verdict;
  const title = reply === null ? [d.title, ending] : [d.title, ending, `reply: ${d.phases[1]?.end.text ?? ''}`];
  const start = d.phases[0]?.start;
  const ends = new Set(d.phases.filter((p) => p.end.verdict === 'FORWARDED').map((p) => p.end.place.id));
  const extra = (p: Place): Attrs => (p === start ? { penwidth: '2' } : ends.has(p.id) ? { penwidth: '2', color: `"${GREEN}"` } : {});

  const out: string[] = [
    'digraph cilium_trace {',
    `  graph [rankdir=TB, newrank=true, label=${dotString(title)}, labelloc=t, fontname="${font}", fontsize=14, nodesep=0.5, ranksep=0.45, pad=0.3];`,
    `  node [shape=box, style="rounded,filled", fontname="${font}", fontsize=11, margin="${MARGIN_X},0.06"];`,
    `  edge [fontname="${font}", fontsize=10, color="${FORWARD}", fontcolor="${FORWARD}", arrowsize=0.7];`,
  ];
  // Steps that stay on one place are written into its box: dot draws self-loop labels
  // outside the cluster boxes.
  const own = (p: Place): Step[] => d.phases.flatMap((ph) => ph.steps.filter((s) => s.from === p && s.to === p));
  const startLines = (p: Place): string[] => d.phases.flatMap((ph) => (ph.start === p ? ph.startLines : []));
  // Each step between two places is a small text node on the path (place → text → place),
  // so its label stays inside the node's box (dot lets edge labels stick out of clusters).
  // A step going up the picture is written bottom → top with dir=back, so dot ranks the
  // upper place above and still draws the arrow towards it.
  const stepNodes = new Map<string | null, string[]>();
  const edges: string[] = [];
  for (const phase of d.phases) {
    const reply = phase.name === 'reply';
    const colour = reply ? `, color="${REPLY}", style=dashed` : '';
    for (const s of phase.steps) {
      if (s.from === s.to) continue;
      const id = `s${s.n}`;
      const lines = [`${s.n}. ${s.lines[0] ?? ''}`, ...s.lines.slice(1), ...s.notes];
      const home = s.from.node !== null && s.from.node === s.to.node ? s.from.node : null;
      const list = stepNodes.get(home) ?? [];
      const denied = s.notes.some((n) => n.includes(': DENIED'));
      const sized = measure ? `, width=${widthAttr(lines, 10, 0).width ?? ''}` : '';
      list.push(`${id} [label=${dotString(lines)}, shape=plain, style="", fontsize=10, fontcolor="${denied ? RED : reply ? REPLY : FORWARD}"${sized}];`);
      stepNodes.set(home, list);
      const up = LEVEL[s.from.kind] > LEVEL[s.to.kind];
      edges.push(up ? `  ${s.to.id} -> ${id} [dir=back${colour}];` : `  ${s.from.id} -> ${id} [dir=none${colour}];`);
      edges.push(up ? `  ${id} -> ${s.from.id} [dir=none${colour}];` : reply ? `  ${id} -> ${s.to.id} [${colour.slice(2)}];` : `  ${id} -> ${s.to.id};`);
    }
  }
  // A drop's intended destination sits in its node's box, a node the path may not reach.
  const intended = d.phases.flatMap((ph) => (ph.end.intended ? [ph.end.intended] : [])).filter((p, i, all) => all.findIndex((q) => q.key === p.key) === i);
  const nodes = [...d.nodes, ...intended.flatMap((p) => (p.node !== null && !d.nodes.includes(p.node) ? [p.node] : []))].filter((n, i, all) => all.indexOf(n) === i);
  for (const [gi, node] of nodes.entries()) {
    out.push(`  subgraph cluster_${gi + 1} {`);
    const [label, labelFont] = measure ? [boldLabel(node), font] : [dotString(node), 'Helvetica-Bold'];
    out.push(`    label=${label}; style="rounded,filled"; fillcolor="#fbfbfd"; color="#a0aec0"; fontname="${labelFont}"; fontsize=13;`);
    for (const p of d.places.filter((x) => x.node === node)) out.push(`    ${placeLine(p, extra(p), own(p), startLines(p), measure)}`);
    for (const p of intended.filter((x) => x.node === node)) out.push(`    ${intendedLine(p, measure)}`);
    for (const line of stepNodes.get(node) ?? []) out.push(`    ${line}`);
    out.push('  }');
  }
  for (const p of d.places.filter((x) => x.node === null)) out.push(`  ${placeLine(p, extra(p), own(p), startLines(p), measure)}`);
  for (const line of stepNodes.get(null) ?? []) out.push(`  ${line}`);
  for (const level of [0, 1, 2, 3]) {
    const same = [...d.places, ...intended].filter((p) => LEVEL[p.kind] === level);
    if (same.length > 1) out.push(`  { rank=same; ${same.map((p) => p.id).join('; ')}; }`);
  }
  out.push(...edges);
  for (const phase of d.phases) {
    const e = phase.end;
    if (e.verdict === 'DROPPED') {
      const id = phase.name === 'reply' ? 'drop_reply' : 'drop';
      const [head, ...rest] = e.text.replace(/^DROPPED: /, '').split(' in ');
      out.push(`  ${id} [label=${dotString(['DROPPED', head ?? '', ...(rest.length ? [`in ${rest.join(' in ')}`] : [])])}, shape=octagon, style=filled, fillcolor="#fed7d7", color="${RED}", fontcolor="${RED}", penwidth=2];`);
      out.push(`  ${e.place.id} -> ${id} [label=${dotString(`${e.n ?? ''}. dropped`)}, color="${RED}", fontcolor="${RED}", penwidth=2];`);
      // Where it was going: a dashed grey edge, drawn upwards like the path's own (dir=back).
      const x = intended.find((q) => q.key === e.intended?.key);
      if (x) {
        const edge = `style=dashed, color="${GREY}", fontcolor="${GREY}", label=${dotString('intended')}`;
        out.push(LEVEL[e.place.kind] > LEVEL[x.kind] ? `  ${x.id} -> ${e.place.id} [dir=back, ${edge}];` : `  ${e.place.id} -> ${x.id} [${edge}];`);
      }
    } else if (e.verdict === 'NOT_SIMULATED') {
      const id = phase.name === 'reply' ? 'unsimulated_reply' : 'unsimulated';
      out.push(`  ${id} [label=${dotString(['not simulated', e.text.replace(/^NOT SIMULATED: /, '')])}, shape=note, style=filled, fillcolor="#fefcbf", color="#975a16"];`);
      out.push(`  ${e.place.id} -> ${id} [style=dotted, color="#975a16"];`);
    }
  }
  out.push('}');
  return out.join('\n') + '\n';
}
