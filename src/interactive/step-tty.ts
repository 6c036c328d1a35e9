// The thin terminal driver of --step: raw-mode keys in, whole screens out (alternate screen,
// cursor hidden), repainted on every key and on resize. All behaviour is in step-state.ts.
import type { Style } from '../render/style.js';
import type { StepModel } from './step-model.js';
import { INITIAL, press, render, type ScreenSize, type StepState } from './step-state.js';

export interface StepTerminal {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly output: NodeJS.WritableStream & { columns?: number; rows?: number; on(event: 'resize', f: () => void): unknown; off(event: 'resize', f: () => void): unknown };
}

const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';

/** Splits a chunk of terminal input into keys: escape sequences whole, other characters one by one. */
export function splitKeys(chunk: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < chunk.length) {
    if (chunk[i] === '\x1b' && (chunk[i + 1] === '[' || chunk[i + 1] === 'O')) {
      let j = i + 2;
      while (j < chunk.length && /[0-9;]/.test(chunk[j] ?? '')) j++;
      out.push(chunk.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (chunk[i] === '\r' && chunk[i + 1] === '\n') { out.push('\r'); i += 2; continue; }
    const cp = chunk.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    out.push(ch);
    i += ch.length;
  }
  return out;
}

/** Runs the step UI until q; resolves when the terminal is restored. */
export function runStepTerminal(model: StepModel, style: Style, term: StepTerminal): Promise<void> {
  const { input, output } = term;
  const size = (): ScreenSize => ({ columns: output.columns ?? 80, rows: output.rows ?? 24 });
  let state: StepState = INITIAL;
  const paint = (screen: string) => {
    output.write('\x1b[H' + screen.split('\n').map((l) => l + '\x1b[K').join('\r\n') + '\x1b[J');
  };
  return new Promise((resolve, reject) => {
    const finish = (err?: unknown) => {
      input.off('data', onData);
      input.off('end', onEnd);
      output.off('resize', onResize);
      input.setRawMode?.(false);
      input.pause();
      output.write(LEAVE);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onResize = () => paint(render(model, state, size(), style));
    const onEnd = () => finish(); // the terminal went away: restore what we can and stop
    const onData = (chunk: Buffer | string) => {
      try {
        for (const key of splitKeys(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))) {
          const r = press(model, state, key, size(), style);
          state = r.state;
          if (state.quit) { finish(); return; }
          paint(r.screen);
        }
      } catch (e) {
        finish(e);
      }
    };
    output.write(ENTER);
    input.setRawMode?.(true);
    input.on('data', onData);
    input.on('end', onEnd);
    output.on('resize', onResize);
    input.resume();
    paint(render(model, state, size(), style));
  });
}
