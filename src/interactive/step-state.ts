// The --step state machine, pure: (model, state, key) → new state and the screen text for a
// terminal of a given size. The TTY driver (step-tty.ts) only reads keys, calls press() and
// paints what it returns; tests drive press() directly.
import { headerLine } from '../render/text.js';
import { PLAIN, type Style } from '../render/style.js';
import type { Panel, PanelLine } from './map-panel.js';
import { hopOf, panelContent, stepBody, type PanelKind, type StepModel } from './step-model.js';

export type StepKey = 'next' | 'back' | 'first' | 'last' | 'map' | 'packet' | 'explain' | 'help' | 'close' | 'up' | 'down' | 'pageup' | 'pagedown' | 'quit';

export interface StepState {
  readonly index: number;
  readonly panel: PanelKind | null;
  /** First panel row shown; null: scrolled to the row of interest (the hit row of a map). */
  readonly scroll: number | null;
  readonly message: string | null;
  readonly quit: boolean;
}

export interface ScreenSize {
  readonly columns: number;
  readonly rows: number;
}

export const INITIAL: StepState = { index: 0, panel: null, scroll: null, message: null, quit: false };

const KEYS: Readonly<Record<string, StepKey>> = {
  '\r': 'next', '\n': 'next', ' ': 'next', n: 'next', '\x1b[C': 'next', '\x1bOC': 'next',
  b: 'back', '\x7f': 'back', '\b': 'back', '\x1b[D': 'back', '\x1bOD': 'back',
  g: 'first', '\x1b[H': 'first', '\x1b[1~': 'first', '\x1bOH': 'first',
  G: 'last', '\x1b[F': 'last', '\x1b[4~': 'last', '\x1bOF': 'last',
  m: 'map', p: 'packet', e: 'explain', '?': 'help', h: 'help', '\x1b': 'close',
  k: 'up', '\x1b[A': 'up', '\x1bOA': 'up', j: 'down', '\x1b[B': 'down', '\x1bOB': 'down',
  '\x1b[5~': 'pageup', '\x1b[6~': 'pagedown',
  q: 'quit', Q: 'quit', '\x03': 'quit', '\x04': 'quit',
};

/** The key a terminal input sequence stands for (undefined: ignored). */
export function keyOf(input: string): StepKey | undefined {
  return KEYS[input];
}

type Mark = 'title' | 'dim' | 'current' | 'plain' | 'hit' | 'later' | 'panel';
interface Row { readonly text: string; readonly mark: Mark }

/** Hard-wraps a line to `width` columns, continuation rows indented like the line. */
function wrap(text: string, width: number): string[] {
  const chars = [...text];
  if (width < 8 || chars.length <= width) return [text];
  // Continuation rows: indented 2 more than the text after the 2-column gutter (> or +).
  const body = text.slice(2);
  const indent = ' '.repeat(Math.min(2 + body.length - body.trimStart().length + 2, Math.floor(width / 2)));
  const out: string[] = [];
  let rest = chars;
  let room = width;
  while (rest.length > room) {
    // Break after the last space of the row when there is one in its second half.
    const space = rest.lastIndexOf(' ', room - 1);
    const cut = space >= Math.floor(room / 2) ? space + 1 : room;
    out.push((out.length === 0 ? '' : indent) + rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
    room = width - indent.length;
  }
  out.push((out.length === 0 ? '' : indent) + rest.join(''));
  return out;
}

function rows(lines: readonly { text: string; mark: Mark }[], width: number): Row[] {
  return lines.flatMap((l) => wrap(l.text, width).map((text) => ({ text, mark: l.mark })));
}

function gutter(l: PanelLine): { text: string; mark: Mark } {
  if (l.mark === 'hit') return { text: `> ${l.text}`, mark: 'hit' };
  if (l.mark === 'later') return { text: `+ ${l.text}`, mark: 'later' };
  return { text: `  ${l.text}`, mark: 'panel' };
}

/** Rows of the listing: the current hop from its title to this step, older lines dropped to fit. */
function listing(m: StepModel, i: number, budget: number, width: number): Row[] {
  const s = m.steps[i];
  if (!s) return [];
  const hop = hopOf(m, i);
  let start = i;
  while (start > 0 && s.kind === 'node' && m.steps[start - 1]?.trace === s.trace && hopOf(m, start - 1) === hop) start--;
  const blocks: Array<{ j: number; rows: Row[]; keep: boolean }> = [];
  for (let j = start; j <= i; j++) {
    const st = m.steps[j];
    if (!st) continue;
    const pad = '  '.repeat(st.depth);
    const body = stepBody(m, j);
    const cur = j === i;
    const lines = body.map((t, k) => ({ text: `${cur && k === 0 ? '> ' : '  '}${pad}${t}`, mark: (cur ? 'current' : 'dim') as Mark }));
    const ordered = m.steps[j] ? m.orders[st.trace]?.[st.seq] : undefined;
    const curNode = m.orders[s.trace]?.[s.seq];
    const isContext = j === start || (ordered !== undefined && curNode !== undefined && curNode.ancestors.includes(ordered.node) && s.context.includes(ordered.node));
    blocks.push({ j, rows: rows(lines, width), keep: cur || isContext });
  }
  // Keep the hop title, the current step's context and the step itself; fill with the most
  // recent other steps while they fit (a ⋮ row stands for each gap).
  const chosen = new Set(blocks.filter((b) => b.keep).map((b) => b.j));
  const assemble = (set: ReadonlySet<number>): Row[] => {
    const out: Row[] = [];
    let last = start - 1;
    for (const b of blocks) {
      if (!set.has(b.j)) continue;
      if (b.j !== last + 1) out.push({ text: '  ⋮', mark: 'dim' });
      out.push(...b.rows);
      last = b.j;
    }
    return out;
  };
  for (let k = blocks.length - 1; k >= 0; k--) {
    const b = blocks[k];
    if (!b || chosen.has(b.j)) continue;
    const trial = new Set(chosen).add(b.j);
    if (assemble(trial).length > budget) break;
    chosen.add(b.j);
  }
  return assemble(chosen);
}

function panelRows(p: Panel, width: number): { rows: Row[]; focus: number | null } {
  const out: Row[] = [];
  let focus: number | null = null;
  p.lines.forEach((l, k) => {
    if (k === p.focus) focus = out.length;
    out.push(...rows([gutter(l)], width));
  });
  return { rows: out, focus };
}

function legend(p: Panel): string[] {
  const hit = p.lines.some((l) => l.mark === 'hit');
  const later = p.lines.some((l) => l.mark === 'later');
  const parts = [...(hit ? ['rows marked > are what this step read or wrote'] : []), ...(later ? ['rows marked + are written by a later step: the dump is the map after the trace'] : [])];
  return parts.length > 0 ? [`(${parts.join('; ')})`] : [];
}

const FOOTER = 'Enter/space next · b back · m map · p packet · e explain · ? keys · q quit';

interface Layout {
  readonly head: Row[];
  readonly body: Row[];
  readonly panel: { title: Row[]; rows: Row[]; height: number; scroll: number } | null;
  readonly foot: Row[];
}

function layout(m: StepModel, st: StepState, size: ScreenSize): Layout {
  const width = Math.max(20, size.columns);
  const s = m.steps[st.index];
  const t = s ? m.traces[s.trace] : undefined;
  const label = m.traces.length > 1 && t ? ` · ${t.label}` : '';
  const head = rows([
    { text: `cilium-trace --step${label} · step ${st.index + 1} of ${m.steps.length}`, mark: 'title' },
    { text: t ? headerLine(t.result) : '', mark: 'dim' },
    { text: '', mark: 'plain' },
  ], width);
  const foot = rows([
    ...(st.message ? [{ text: st.message, mark: 'dim' as Mark }] : []),
    { text: FOOTER, mark: 'dim' },
  ], width);
  const free = Math.max(4, size.rows - head.length - foot.length - 1);
  if (st.panel === null) return { head, body: listing(m, st.index, free, width), panel: null, foot };
  const p = panelContent(m, st.index, st.panel);
  const title = rows([{ text: '', mark: 'plain' }, { text: p.title, mark: 'title' }, ...legend(p).map((text) => ({ text, mark: 'dim' as Mark }))], width);
  const { rows: prow, focus } = panelRows(p, width);
  const body = listing(m, st.index, Math.max(3, Math.min(free - title.length - 3, Math.max(Math.floor(free * 0.4), free - title.length - prow.length))), width);
  const height = Math.max(3, free - body.length - title.length);
  const maxScroll = Math.max(0, prow.length - height);
  const auto = focus === null ? 0 : focus - Math.floor(height / 3);
  const scroll = Math.min(maxScroll, Math.max(0, st.scroll ?? auto));
  return { head, body, panel: { title, rows: prow, height, scroll }, foot };
}

function paint(r: Row, s: Style): string {
  switch (r.mark) {
    case 'title': return s.bold(r.text);
    case 'dim': return s.dim(r.text);
    case 'current': return s.bold(r.text);
    case 'hit': return s.accent(r.text);
    case 'later': return s.dim(r.text);
    default: return r.text;
  }
}

/** The screen for this state: at most size.rows lines, none wider than size.columns. */
export function render(m: StepModel, st: StepState, size: ScreenSize, style: Style = PLAIN): string {
  if (st.quit) return '';
  const l = layout(m, st, size);
  const out: Row[] = [...l.head, ...l.body];
  if (l.panel) {
    const { rows: prow, height, scroll } = l.panel;
    out.push(...l.panel.title);
    const shown = prow.slice(scroll, scroll + height);
    const below = prow.length - scroll - shown.length;
    if (below > 0 && shown.length > 0) shown[shown.length - 1] = { text: `  … ${below + 1} more lines (↓ or PgDn to scroll)`, mark: 'dim' };
    if (scroll > 0 && shown.length > 0) shown[0] = { text: `  … ${scroll + 1} lines above (↑ or PgUp)`, mark: 'dim' };
    out.push(...shown);
  }
  const room = size.rows - l.foot.length;
  const top = out.slice(0, Math.max(0, room - 1));
  while (top.length < room - 1) top.push({ text: '', mark: 'plain' });
  return [...top, { text: '', mark: 'plain' } as Row, ...l.foot].map((r) => paint(r, style)).join('\n');
}

/** The next state. */
export function reduce(m: StepModel, st: StepState, key: StepKey, size: ScreenSize): StepState {
  const last = m.steps.length - 1;
  const moved = (index: number): StepState => ({ ...st, index, scroll: null, message: null });
  const toggle = (panel: PanelKind): StepState => ({ ...st, panel: st.panel === panel ? null : panel, scroll: null, message: null });
  switch (key) {
    case 'next': return st.index >= last ? { ...st, message: 'this is the last step (b goes back, q quits)' } : moved(st.index + 1);
    case 'back': return st.index <= 0 ? { ...st, message: 'this is the first step' } : moved(st.index - 1);
    case 'first': return moved(0);
    case 'last': return moved(Math.max(0, last));
    case 'map': return toggle('map');
    case 'packet': return toggle('packet');
    case 'explain': return toggle('explain');
    case 'help': return toggle('help');
    case 'close': return { ...st, panel: null, scroll: null, message: null };
    case 'quit': return { ...st, quit: true };
    case 'up':
    case 'down':
    case 'pageup':
    case 'pagedown': {
      const l = layout(m, st, size);
      if (!l.panel) return { ...st, message: 'no panel to scroll (m, p or e opens one)' };
      const step = key === 'up' || key === 'down' ? 1 : Math.max(1, l.panel.height - 1);
      const scroll = l.panel.scroll + (key === 'up' || key === 'pageup' ? -step : step);
      return { ...st, scroll: Math.max(0, Math.min(Math.max(0, l.panel.rows.length - l.panel.height), scroll)), message: null };
    }
  }
}

/** One key press: the new state and what the screen shows now. Unknown input changes nothing. */
export function press(m: StepModel, st: StepState, input: string, size: ScreenSize, style: Style = PLAIN): { state: StepState; screen: string } {
  const key = keyOf(input);
  const next = key === undefined ? { ...st, message: `unknown key ${JSON.stringify(input)} (? lists the keys)` } : reduce(m, st, key, size);
  return { state: next, screen: render(m, next, size, style) };
}
