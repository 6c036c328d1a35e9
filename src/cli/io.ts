// The CLI's window on the world, injectable so tests run main() in-process.
import { oneLine } from '../errors.js';

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly stdoutIsTTY: boolean;
  /** For progress indicators, which only ever go to a terminal. */
  readonly stderrIsTTY?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): Io {
  // A closed pipe (cilium-trace … | head) ends output quietly, as other Unix tools do.
  const quietOnEpipe = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  };
  process.stdout.on('error', quietOnEpipe);
  process.stderr.on('error', quietOnEpipe);
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
  };
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
