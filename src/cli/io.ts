// The CLI's window on the world, injectable so tests run main() in-process.
import { fstatSync, statSync, writeSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Tty from 'node:tty';
import { oneLine } from '../errors.js';

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly stdoutIsTTY: boolean;
  /** For progress indicators, which only ever go to a terminal. */
  readonly stderrIsTTY?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The terminal's width when stdout is one (asked only when needed: it creates the stream). */
  readonly columns?: () => number | undefined;
}

/**
 * Is this fd a terminal? The file is asked first: pipes and files (CI, `| less`, `> out`) and
 * /dev/null never are, and loading node:tty (which loads net and the streams) is a sizeable
 * part of a trace's start-up.
 */
function isTerminal(fd: number): boolean {
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch {
    return false; // closed
  }
  if (!st.isCharacterDevice()) return false;
  try {
    if (st.rdev === statSync('/dev/null').rdev) return false;
  } catch {
    // no /dev/null here: ask the terminal driver
  }
  return (createRequire(import.meta.url)('node:tty') as typeof Tty).isatty(fd);
}

/**
 * Writes all of a string to fd before returning, as process.stdout does on Linux for files,
 * pipes and terminals, without creating the stream. A closed pipe (`cilium-trace … | head`)
 * ends the program quietly, as other Unix tools do; an fd someone made non-blocking (EAGAIN)
 * is handed to Node's stream, which queues the rest.
 */
function fdWriter(fd: 1 | 2): (s: string) => void {
  let stream: NodeJS.WriteStream | undefined;
  const viaStream = (data: string | Uint8Array): void => {
    if (!stream) {
      stream = fd === 1 ? process.stdout : process.stderr;
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
      });
    }
    stream.write(data);
  };
  return (s) => {
    if (stream) return viaStream(s);
    const buf = Buffer.from(s, 'utf8');
    for (let off = 0; off < buf.length; ) {
      try {
        off += writeSync(fd, buf, off, buf.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
        if (code !== 'EAGAIN') throw e;
        return viaStream(buf.subarray(off));
      }
    }
  };
}

export function processIo(): Io {
  const stdoutIsTTY = isTerminal(1);
  return {
    stdout: fdWriter(1),
    stderr: fdWriter(2),
    stdoutIsTTY,
    columns: () => (stdoutIsTTY ? process.stdout.columns : undefined),
    stderrIsTTY: isTerminal(2),
    env: process.env,
  };
}

/** The terminal's width when stdout is a terminal that says it; undefined on pipes and files. */
export function terminalWidth(io: Io): number | undefined {
  if (!io.stdoutIsTTY) return undefined;
  const w = io.columns?.();
  return w !== undefined && w > 0 ? w : undefined;
}

/** Colour: --color/--no-color, then NO_COLOR, FORCE_COLOR, and else only on a terminal. */
export function useColour(io: Io, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '0') return true;
  return io.stdoutIsTTY;
}

/**
 * commander's output settings for every command: help and errors through io, and its usage
 * errors ("error: unknown option '--x'\n(Did you mean --y?)") in the CLI's own one-line
 * form, `cilium-trace: unknown option '--x' (Did you mean --y?)`, with the user's text escaped.
 */
export function commanderOutput(io: Io): { writeOut: (s: string) => void; writeErr: (s: string) => void; outputError: (s: string, write: (s: string) => void) => void } {
  return {
    writeOut: io.stdout,
    writeErr: io.stderr,
    outputError: (s, write) => write(`cilium-trace: ${oneLine(s.replace(/^error: /, '').trimEnd().replace(/\n+/g, ' '))}\n`),
  };
}
