// `-o dot`: the packet's path as a Graphviz digraph. Each node is a cluster box holding the
// places the packet passes on it (pod netns, host-side veth, cilium_* devices, the native
// device); the wire and the network outside sit between the clusters. The path is a chain of
// numbered edges (the numbers Mermaid's autonumber gives the same steps); a drop is a red
// octagon reached by a red edge; the reply, with --reply, is dashed. Deterministic text.
import type { TraceResult } from '../trace/tree.js';
import { pathDiagram, type Place, type PlaceKind, type Step } from './diagram-model.js';

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

/** A place's box: its name, what it is, and the numbered steps that stay on it (tc after kernel). */
function placeLine(p: Place, extra: Attrs, own: readonly Step[], startLines: readonly string[]): string {
  const lines = [p.name, ...(p.detail ? [p.detail] : []), ...startLines];
  for (const s of own) lines.push(`${s.n}. ${s.lines[0] ?? ''}`, ...s.lines.slice(1), ...s.notes);
  return `${p.id} [${attrs({ label: dotString(lines), ...PLACE_STYLE[p.kind], ...extra })}];`;
}

export function renderDot(forward: TraceResult, reply: TraceResult | null = null): string {
  const d = pathDiagram(forward, reply);
  const verdict = forward.verdict === 'FORWARDED' ? 'FORWARDED' : forward.verdict === 'DROPPED' ? 'DROPPED' : 'NOT SIMULATED';
  const ending = d.phases[0]?.end.text ?? verdict;
  const title = reply === null ? [d.title, ending] : [d.title, ending, `reply: ${d.phases[1]?.end.text ?? ''}`];
  const start = d.phases[0]?.start;
  const ends = new Set(d.phases.filter((p) => p.end.verdict === 'FORWARDED').map((p) => p.end.place.id));
  const extra = (p: Place): Attrs => (p === start ? { penwidth: '2' } : ends.has(p.id) ? { penwidth: '2', color: `"${GREEN}"` } : {});

  const out: string[] = [
    'digraph cilium_trace {',
    `  graph [rankdir=TB, newrank=true, label=${dotString(title)}, labelloc=t, fontname="Helvetica", fontsize=14, nodesep=0.5, ranksep=0.45, pad=0.3];`,
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, margin="0.15,0.06"];',
    `  edge [fontname="Helvetica", fontsize=10, color="${FORWARD}", fontcolor="${FORWARD}", arrowsize=0.7];`,
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
      list.push(`${id} [label=${dotString(lines)}, shape=plain, style="", fontsize=10, fontcolor="${denied ? RED : reply ? REPLY : FORWARD}"];`);
      stepNodes.set(home, list);
      const up = LEVEL[s.from.kind] > LEVEL[s.to.kind];
      edges.push(up ? `  ${s.to.id} -> ${id} [dir=back${colour}];` : `  ${s.from.id} -> ${id} [dir=none${colour}];`);
      edges.push(up ? `  ${id} -> ${s.from.id} [dir=none${colour}];` : reply ? `  ${id} -> ${s.to.id} [${colour.slice(2)}];` : `  ${id} -> ${s.to.id};`);
    }
  }
  for (const [gi, node] of d.nodes.entries()) {
    out.push(`  subgraph cluster_${gi + 1} {`);
    out.push(`    label=${dotString(node)}; style="rounded,filled"; fillcolor="#fbfbfd"; color="#a0aec0"; fontname="Helvetica-Bold"; fontsize=13;`);
    for (const p of d.places.filter((x) => x.node === node)) out.push(`    ${placeLine(p, extra(p), own(p), startLines(p))}`);
    for (const line of stepNodes.get(node) ?? []) out.push(`    ${line}`);
    out.push('  }');
  }
  for (const p of d.places.filter((x) => x.node === null)) out.push(`  ${placeLine(p, extra(p), own(p), startLines(p))}`);
  for (const line of stepNodes.get(null) ?? []) out.push(`  ${line}`);
  for (const level of [0, 1, 2, 3]) {
    const same = d.places.filter((p) => LEVEL[p.kind] === level);
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
    } else if (e.verdict === 'NOT_SIMULATED') {
      const id = phase.name === 'reply' ? 'unsimulated_reply' : 'unsimulated';
      out.push(`  ${id} [label=${dotString(['not simulated', e.text.replace(/^NOT SIMULATED: /, '')])}, shape=note, style=filled, fillcolor="#fefcbf", color="#975a16"];`);
      out.push(`  ${e.place.id} -> ${id} [style=dotted, color="#975a16"];`);
    }
  }
  out.push('}');
  return out.join('\n') + '\n';
}
