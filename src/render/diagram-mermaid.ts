// `-o mermaid`: the packet's path as a Mermaid sequenceDiagram that GitHub renders as is.
// Participants are the places the packet passes (boxed per node, the wire between them),
// arrows are the numbered steps (autonumber), labelled with the redirect or wire that moved
// the packet and the hook and program that ran; the drop is a crossed arrow on a red band.
// Text is escaped with Mermaid's entity codes (#59; for ';', #35; for '#', #lt; #gt; …),
// participant ids are simple identifiers (p1, p2, …) with `as LABEL`.
import type { TraceResult } from '../trace/tree.js';
import { pathDiagram, type Place } from './diagram-model.js';

const ENTITIES: Readonly<Record<string, string>> = {
  '#': '#35;',
  ';': '#59;',
  '<': '#lt;',
  '>': '#gt;',
  '"': '#quot;',
  '%': '#37;',
  '&': '#amp;',
};

/** Message, note and title text: everything but the characters Mermaid's lexer takes. */
export function mermaidText(s: string): string {
  return s.replace(/[#;<>"%&]/g, (c) => ENTITIES[c] ?? c).replace(/\s+/g, ' ').trim();
}

/** Participant labels (`as …`) also end at ':' ',' and '@'. */
function mermaidLabel(s: string): string {
  return mermaidText(s).replace(/[:,@]/g, (c) => `#${c.charCodeAt(0)};`);
}

const DROP_BAND = 'rgb(255, 221, 221)';
const REPLY_BAND = 'rgb(236, 236, 255)';

export function renderMermaid(forward: TraceResult, reply: TraceResult | null = null): string {
  const d = pathDiagram(forward, reply);
  const out: string[] = ['sequenceDiagram', `    title ${mermaidText(d.title)}`, '    autonumber'];
  const declare = (p: Place, indent: string): void => {
    out.push(`${indent}participant ${p.id} as ${mermaidLabel(p.name)}`);
  };
  // A drop's intended destination is a participant of its node's box, named as such; the
  // drop is a crossed arrow towards it.
  const intended = d.phases.flatMap((ph) => (ph.end.intended ? [ph.end.intended] : [])).filter((p, i, all) => all.findIndex((q) => q.key === p.key) === i);
  const declareIntended = (p: Place, indent: string): void => {
    out.push(`${indent}participant ${p.id} as ${mermaidLabel(`${p.name} (intended destination)`)}`);
  };
  const done = new Set<string>();
  for (const p of d.places) {
    if (p.node === null) {
      declare(p, '    ');
      continue;
    }
    if (done.has(p.node)) continue;
    done.add(p.node);
    out.push(`    box transparent ${mermaidLabel(p.node)}`);
    for (const q of d.places.filter((x) => x.node === p.node)) declare(q, '        ');
    for (const q of intended.filter((x) => x.node === p.node)) declareIntended(q, '        ');
    out.push('    end');
  }
  for (const q of intended.filter((x) => x.node !== null && !done.has(x.node))) {
    out.push(`    box transparent ${mermaidLabel(q.node ?? '')}`);
    declareIntended(q, '        ');
    out.push('    end');
  }
  const first = d.places[0];
  const last = d.places[d.places.length - 1];
  // A note over the rightmost participant would stick out of its box: put it on the left.
  const noteAt = (p: Place): string => (p === last && p !== first ? `left of ${p.id}` : `over ${p.id}`);
  const span = first && last && first !== last ? `${first.id},${last.id}` : (first?.id ?? 'p1');
  for (const phase of d.phases) {
    const ind = phase.name === 'reply' ? '        ' : '    ';
    if (phase.name === 'reply') {
      out.push(`    Note over ${span}: reply: ${mermaidText(phase.title)}`);
      out.push(`    rect ${REPLY_BAND}`);
    }
    for (const line of phase.startLines) out.push(`${ind}Note ${noteAt(phase.start)}: ${mermaidText(line)}`);
    for (const s of phase.steps) {
      out.push(`${ind}${s.from.id}->>${s.to.id}: ${mermaidText(s.lines.join(' · '))}`);
      for (const note of s.notes) out.push(`${ind}Note ${noteAt(s.to)}: ${mermaidText(note)}`);
    }
    const e = phase.end;
    if (e.verdict === 'DROPPED') {
      out.push(`${ind}rect ${DROP_BAND}`);
      const to = e.intended ? intended.find((q) => q.key === e.intended?.key) ?? e.place : e.place;
      out.push(`${ind}    ${e.place.id}-x${to.id}: ${mermaidText(e.text)}`);
      out.push(`${ind}end`);
    } else {
      out.push(`${ind}Note ${noteAt(e.place)}: ${mermaidText(e.text)}`);
    }
    if (phase.name === 'reply') out.push('    end');
  }
  return out.join('\n') + '\n';
}
