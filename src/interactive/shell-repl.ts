// The shell's two drivers around ShellSession. On a terminal: node:readline with a prompt,
// Tab completion and in-session history; `trace --step` closes readline, runs the step UI
// and reopens it with the same history. From a pipe or file: the lines run as a script,
// echoed (prompt + command, comments as they are) so a piped class demo reads like a
// session; the exit code is 0 if every command succeeded, 2 if any failed, 3 on an
// internal error. A dropped trace is a successful command.
import { createInterface, type Interface } from 'node:readline';
import type { Io } from '../cli/io.js';
import type { Style } from '../render/style.js';
import { complete } from './shell-complete.js';
import type { ShellSession, Status } from './shell-session.js';
import { runStepMode, type StepRun } from './step-cli.js';
import type { StepTerminal } from './step-tty.js';

export const PROMPT = 'cilium-trace> ';
export const CONTINUE = '... ';

export function exitCodeOf(statuses: Iterable<Status>): number {
  let code = 0;
  for (const s of statuses) code = Math.max(code, s === 'internal' ? 3 : s === 'error' ? 2 : 0);
  return code;
}

export interface ScriptOptions {
  readonly echo: boolean;
  readonly style: Style;
}

/** Runs every line of `input` as a command; resolves to the exit code. */
export async function runScript(session: ShellSession, input: NodeJS.ReadableStream, io: Io, opts: ScriptOptions): Promise<number> {
  const rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
  const statuses: Status[] = [];
  for await (const line of rl) {
    if (opts.echo) {
      const trimmed = line.trim();
      if (session.collecting) io.stdout(`${CONTINUE}${line}\n`);
      else if (trimmed.startsWith('#')) io.stdout(opts.style.dim(line) + '\n');
      else if (trimmed === '') io.stdout('\n');
      else io.stdout(`${opts.style.bold(PROMPT + line)}\n`);
    }
    const r = await session.feed(line);
    if (r.status) statuses.push(r.status);
    if (r.exit) break;
  }
  rl.close();
  const last = session.finishInput();
  if (last) statuses.push(last);
  return exitCodeOf(statuses);
}

/** Filled by runInteractive: how the session's `trace --step` reaches the terminal. */
export interface StepHook {
  run?: (r: StepRun) => Promise<void>;
}

export interface InteractiveOptions {
  readonly terminal: StepTerminal;
  readonly banner: string;
}

/** The interactive loop; resolves to 0 when the user leaves (exit, quit or Ctrl-D). */
export function runInteractive(session: ShellSession, io: Io, opts: InteractiveOptions, hook: StepHook): Promise<number> {
  const { input, output } = opts.terminal;
  const history: string[] = [];
  let rl: Interface;
  let pausedForStep = false;
  let busy = false;
  const queue: string[] = [];
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      rl.close();
      input.pause();
      resolve(0);
    };
    const open = () => {
      rl = createInterface({
        input, output, terminal: true, prompt: PROMPT, history: [...history], historySize: 1000, removeHistoryDuplicates: true,
        completer: (line: string) => complete(line, session.completionWords()),
      });
      rl.on('line', (line) => { void onLine(line); });
      // readline passes its own history array: inline YAML lines do not belong in it.
      rl.on('history', (h) => {
        if (session.collecting && h.length > 0) h.shift();
        history.splice(0, history.length, ...h);
      });
      rl.on('SIGINT', () => {
        const cancelled = session.cancelInline();
        rl.write(null, { ctrl: true, name: 'e' });
        rl.write(null, { ctrl: true, name: 'u' });
        output.write(cancelled ? '\n(policy add cancelled)\n' : '\n');
        rl.setPrompt(PROMPT);
        rl.prompt();
      });
      rl.on('close', () => { if (!pausedForStep) { output.write('\n'); finish(); } });
      rl.setPrompt(session.collecting ? CONTINUE : PROMPT);
      rl.prompt();
    };
    hook.run = async (run) => {
      pausedForStep = true;
      rl.close();
      try {
        await runStepMode(run, io, opts.terminal);
      } finally {
        pausedForStep = false;
        open();
      }
    };
    const onLine = async (line: string) => {
      queue.push(line);
      if (busy) return;
      busy = true;
      while (queue.length > 0) {
        const r = await session.feed(queue.shift() as string);
        if (r.exit) { busy = false; finish(); return; }
      }
      busy = false;
      if (done) return;
      rl.setPrompt(session.collecting ? CONTINUE : PROMPT);
      rl.prompt();
    };
    io.stdout(opts.banner);
    open();
  });
}
