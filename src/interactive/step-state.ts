// The --step state machine, pure: (model, state, key) → new state and the screen text for a
// terminal of a given size. The TTY driver (step-tty.ts) only reads keys, calls press() and
// paints what it returns; tests drive press() directly.
import { headerLine } from '../render/text.js';
import { PLAIN, type Style } from '../render/style.js';
import type { Panel, PanelLine } from './map-panel.js';
import { hopOf, panelContent, stepBody, type PanelKind, type StepModel } from './step-model.js';

export type StepKey = 'next' | 'back' | 'first' | 'last' | 'map' | 'packet' | 'explain' | 'help' | 'close' | 'up' | 'down' | 'pageup' | 'pagedown' | 'quit' | 'exit';

export interface StepState {
  readonly index: number;
  readonly panel: PanelKind | null;
  /** First panel row shown; null: scrolled to the row of interest (the hit row of a map). */
  readonly scroll: number | null;
  /** First row of the step's own text shown; null: where the current step starts when it does not fit. */
  readonly bodyScroll: number | null;
  readonly message: string | null;
  readonly quit: boolean;
}

export interface ScreenSize {
  readonly columns: number;
  readonly rows: number;
}

export const INITIAL: StepState = { index: 0, panel: null, scroll: null, bodyScroll: null, message: null, quit: false };

const KEYS: Readonly<Record<string, StepKey>> = {
  '\r': 'next', '\n': 'next', ' ': 'next', n: 'next', '\x1b[C': 'next', '\x1bOC': 'next',
  b: 'back', '\x7f': 'back', '\b': 'back', '\x1b[D': 'back', '\x1bOD': 'back',
  g: 'first', '\x1b[H': 'first', '\x1b[1~': 'first', '\x1bOH': 'first',
  G: 'last', '\x1b[F': 'last', '\x1b[4~': 'last', '\x1bOF': 'last',
  m: 'map', p: 'packet', e: 'explain', '?': 'help', h: 'help', '\x1b': 'close',
  k: 'up', '\x1b[A': 'up', '\x1bOA': 'up', j: 'down', '\x1b[B': 'down', '\x1bOB': 'down',
  '\x1b[5~': 'pageup', '\x1b[6~': 'pagedown',
  q: 'quit', Q: 'quit', '\x03': 'exit', '\x04': 'exit',
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
  // Continuation rows: indented 2 more than the text after the 2-column gutter (> or +); a
  // table row (columns apart by 2+ spaces: the key table, a map dump) hangs under its second column.
  const body = text.slice(2);
  const column = /^(\s*\S.*?\s{2,})\S/.exec(body)?.[1]?.length;
  const own = column !== undefined && 2 + column <= Math.floor(width / 2) ? 2 + column : 2 + body.length - body.trimStart().length + 2;
  const indent = ' '.repeat(Math.min(own, Math.floor(width / 2)));
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

/** A one-row message: cut with … when wider than the screen. */
function clipText(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, width - 1).join('') + '…';
}

function rows(lines: readonly { text: string; mark: Mark }[], width: number): Row[] {
  return lines.flatMap((l) => wrap(l.text, width).map((text) => ({ text, mark: l.mark })));
}

function gutter(l: PanelLine): { text: string; mark: Mark } {
  if (l.mark === 'hit') return { text: `> ${l.text}`, mark: 'hit' };
  if (l.mark === 'later') return { text: `+ ${l.text}`, mark: 'later' };
  return { text: `  ${l.text}`, mark: 'panel' };
}

/**
 * Rows of the listing: the current hop from its title to this step, older lines dropped to
 * fit; `current` is the row where this step starts (its rows run to the end).
 */
function listing(m: StepModel, i: number, budget: number, width: number): { rows: Row[]; current: number } {
  const s = m.steps[i];
  if (!s) return { rows: [], current: 0 };
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
  const all = assemble(chosen);
  return { rows: all, current: all.length - (blocks[blocks.length - 1]?.rows.length ?? 0) };
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
/** The footer while a panel has the whole screen: q gives the screen back instead of quitting. */
const FULL_FOOTER = 'Esc or q back to the step · ↑ ↓ PgUp PgDn scroll · Enter/space next · b back';
/** A panel shown beside the listing with fewer rows than this (and more to show) takes the screen. */
const MIN_PANEL_ROWS = 10;

/**
 * A scrolled view of `all` in `height` rows: a marker row stands for the rows above and one
 * for the rows below, so every hidden line is counted and no shown line is covered.
 */
interface View {
  readonly all: readonly Row[];
  readonly height: number;
  /** The first row shown, clamped. */
  readonly scroll: number;
  readonly maxScroll: number;
}

function view(all: readonly Row[], height: number, scroll: number): View {
  const maxScroll = all.length <= height ? 0 : all.length - (height - 1);
  return { all, height, scroll: Math.max(0, Math.min(maxScroll, scroll)), maxScroll };
}

function shown(v: View, below: (n: number) => string, above: (n: number) => string): Row[] {
  if (v.all.length <= v.height) return [...v.all];
  const top = v.scroll > 0 ? 1 : 0;
  let room = v.height - top;
  if (v.scroll + room < v.all.length) room--;
  const rest = v.all.length - v.scroll - room;
  return [
    ...(top ? [{ text: `  … ${v.scroll} line${v.scroll === 1 ? '' : 's'} above (${above(v.scroll)})`, mark: 'dim' as Mark }] : []),
    ...v.all.slice(v.scroll, v.scroll + room),
    ...(rest > 0 ? [{ text: `  … ${rest} more line${rest === 1 ? '' : 's'} (${below(rest)})`, mark: 'dim' as Mark }] : []),
  ];
}

/** Rows one page key moves: the view less its markers, one row kept for overlap. */
function page(v: View): number {
  return Math.max(1, v.height - 3);
}

interface Layout {
  readonly head: Row[];
  /** The listing of the current step; absent when a panel has the whole screen. */
  readonly body: View | null;
  readonly panel: { title: Row[]; view: View; full: boolean } | null;
  readonly foot: Row[];
}

function layout(m: StepModel, st: StepState, size: ScreenSize): Layout {
  const width = Math.max(20, size.columns);
  const s = m.steps[st.index];
  const t = s ? m.traces[s.trace] : undefined;
  const label = m.traces.length > 1 && t ? ` · ${t.label}` : '';
  const title = `cilium-trace --step${label} · step ${st.index + 1} of ${m.steps.length}`;
  const head = rows([
    { text: title, mark: 'title' },
    { text: t ? headerLine(t.result) : '', mark: 'dim' },
    { text: '', mark: 'plain' },
  ], width);
  // The message takes the blank row above the key line, so it never shrinks the views.
  const foot = (full: boolean): Row[] => [
    { text: st.message ? clipText(st.message, width) : '', mark: st.message ? 'dim' : 'plain' },
    ...rows([{ text: full ? FULL_FOOTER : FOOTER, mark: 'dim' }], width),
  ];
  const free = Math.max(4, size.rows - head.length - foot(false).length);
  // The listing's default view starts at the current step when it does not fit below its context.
  const bodyView = (budget: number): View => {
    const l = listing(m, st.index, budget, width);
    const auto = l.rows.length <= budget ? 0 : l.current;
    return view(l.rows, budget, st.bodyScroll ?? auto);
  };
  if (st.panel === null) return { head, body: bodyView(free), panel: null, foot: foot(false) };
  const p = panelContent(m, st.index, st.panel);
  const ptitle = rows([{ text: p.title, mark: 'title' }, ...legend(p).map((text) => ({ text, mark: 'dim' as Mark }))], width);
  const { rows: prow, focus } = panelRows(p, width);
  const panelView = (height: number): View => view(prow, height, st.scroll ?? (focus === null ? 0 : focus - Math.floor(height / 3)));
  // Beside the listing: the listing gets what the panel does not need, at least 40% (3 rows).
  const budget = Math.max(3, Math.min(free - ptitle.length - 4, Math.max(Math.floor(free * 0.4), free - ptitle.length - 1 - prow.length)));
  const body = bodyView(budget);
  const bodyRows = Math.min(body.all.length, budget);
  const height = free - bodyRows - ptitle.length - 1;
  if (height >= Math.min(prow.length, MIN_PANEL_ROWS)) {
    return { head, body: view(body.all, bodyRows, body.scroll), panel: { title: [{ text: '', mark: 'plain' }, ...ptitle], view: panelView(height), full: false }, foot: foot(false) };
  }
  // No room beside the listing: the panel takes the screen (Esc or q gives it back).
  const top = rows([{ text: `${title} · ${st.panel === 'help' ? 'keys' : 'panel'} on the whole screen`, mark: 'dim' }], width);
  const ff = foot(true);
  const fullHeight = Math.max(3, size.rows - top.length - ptitle.length - ff.length);
  return { head: top, body: null, panel: { title: ptitle, view: panelView(fullHeight), full: true }, foot: ff };
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

const PANEL_BELOW = (): string => '↓ or PgDn to scroll';
const PANEL_ABOVE = (): string => '↑ or PgUp';

/** The screen for this state: at most size.rows lines, none wider than size.columns. */
export function render(m: StepModel, st: StepState, size: ScreenSize, style: Style = PLAIN): string {
  if (st.quit) return '';
  const l = layout(m, st, size);
  const out: Row[] = [...l.head];
  if (l.body) {
    const besidePanel = l.panel !== null;
    out.push(...shown(l.body, () => (besidePanel ? 'Esc closes the panel, then ↓ scrolls' : '↓ or PgDn to scroll'), () => (besidePanel ? 'Esc, then ↑' : '↑ or PgUp')));
  }
  if (l.panel) out.push(...l.panel.title, ...shown(l.panel.view, PANEL_BELOW, PANEL_ABOVE));
  const room = Math.max(0, size.rows - l.foot.length);
  const top = out.slice(0, room);
  while (top.length < room) top.push({ text: '', mark: 'plain' });
  return [...top, ...l.foot].slice(0, size.rows).map((r) => paint(r, style)).join('\n');
}

/** Whether the open panel has the whole screen at this size (then q closes it instead of quitting). */
export function panelIsFull(m: StepModel, st: StepState, size: ScreenSize): boolean {
  return st.panel !== null && layout(m, st, size).panel?.full === true;
}

function scrolled(m: StepModel, st: StepState, key: 'up' | 'down' | 'pageup' | 'pagedown', size: ScreenSize): StepState {
  const l = layout(m, st, size);
  const v = l.panel ? l.panel.view : l.body;
  if (!v) return st;
  const what = l.panel ? 'the panel' : 'this step';
  if (v.maxScroll === 0) return { ...st, message: `nothing to scroll: ${what} fits on the screen${l.panel ? '' : ' (m, p or e opens a panel)'}` };
  const by = key === 'up' || key === 'down' ? 1 : page(v);
  const up = key === 'up' || key === 'pageup';
  const to = Math.max(0, Math.min(v.maxScroll, v.scroll + (up ? -by : by)));
  // Row 1 alone under the "above" marker would show nothing new: step over it.
  const next = to === 1 ? (up ? 0 : Math.min(2, v.maxScroll)) : to;
  const edge = next === v.scroll ? (up ? `the top of ${what}` : `the end of ${what}`) : null;
  const message = edge ? `${edge} (${up ? '↓ scrolls down' : '↑ scrolls up'})` : null;
  return l.panel ? { ...st, scroll: next, message } : { ...st, bodyScroll: next, message };
}

/** The next state. */
export function reduce(m: StepModel, st: StepState, key: StepKey, size: ScreenSize): StepState {
  const last = m.steps.length - 1;
  const moved = (index: number): StepState => ({ ...st, index, scroll: null, bodyScroll: null, message: null });
  const toggle = (panel: PanelKind): StepState => ({ ...st, panel: st.panel === panel ? null : panel, scroll: null, message: null });
  switch (key) {
    case 'next': return st.index >= last ? { ...st, message: 'this is the last step (b goes back, q quits)' } : moved(st.index + 1);
    case 'back': return st.index <= 0 ? { ...st, message: 'this is the first step' } : moved(st.index - 1);
    case 'first': return st.index === 0 ? { ...st, message: 'this is the first step' } : moved(0);
    case 'last': return st.index >= last ? { ...st, message: 'this is the last step (b goes back, q quits)' } : moved(Math.max(0, last));
    case 'map': return toggle('map');
    case 'packet': return toggle('packet');
    case 'explain': return toggle('explain');
    case 'help': return toggle('help');
    case 'close': return st.panel === null ? { ...st, message: 'no panel is open (q quits)' } : { ...st, panel: null, scroll: null, message: null };
    case 'exit': return { ...st, quit: true };
    case 'quit': return panelIsFull(m, st, size) ? { ...st, panel: null, scroll: null, message: null } : { ...st, quit: true };
    case 'up':
    case 'down':
    case 'pageup':
    case 'pagedown':
      return scrolled(m, st, key, size);
  }
}

/** One key press: the new state and what the screen shows now. Unknown input changes nothing. */
export function press(m: StepModel, st: StepState, input: string, size: ScreenSize, style: Style = PLAIN): { state: StepState; screen: string } {
  const key = keyOf(input);
  const next = key === undefined ? { ...st, message: `unknown key ${JSON.stringify(input)} (? lists the keys)` } : reduce(m, st, key, size);
  return { state: next, screen: render(m, next, size, style) };
}
