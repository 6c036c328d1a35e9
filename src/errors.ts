// Typed errors and the mapping of results and errors to exit codes.
// Exit codes: 0 forwarded, 1 dropped, 2 bad input or usage, 3 internal bug, 4 the packet
// reached something cilium-trace does not simulate (its own code, so CI can tell it from bad input).

export const EXIT = { FORWARDED: 0, DROPPED: 1, BAD_INPUT: 2, INTERNAL: 3, NOT_SIMULATED: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The exit code of one or more traced verdicts (a trace and its reply, a step session): 0
 * when all were forwarded, 1 when any was dropped, else 4 (a path that is not simulated).
 */
export function verdictExitCode(verdicts: readonly string[]): ExitCode {
  if (verdicts.every((v) => v === 'FORWARDED')) return EXIT.FORWARDED;
  return verdicts.includes('DROPPED') ? EXIT.DROPPED : EXIT.NOT_SIMULATED;
}

export interface Position {
  readonly file: string;
  readonly line: number; // 1-based
  readonly col: number; // 1-based
}

export interface Problem {
  readonly pos: Position;
  readonly message: string;
}

/**
 * A message as one line of plain text: control characters (newlines, tabs, escape
 * sequences), line separators and bidirectional overrides that input may carry into a
 * message are written as escapes (`\n`, `\u001b`), so an error is always one line and
 * cannot restyle the terminal.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    switch (c) {
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

export function formatProblem(p: Problem): string {
  return oneLine(`${p.pos.file}:${p.pos.line}:${p.pos.col}: ${p.message}`);
}

function comparePos(a: Position, b: Position): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col;
}

/** Bad input: one or more positioned problems. Always exit 2. */
export class InputError extends Error {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const sorted = [...problems].sort((a, b) => comparePos(a.pos, b.pos) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = sorted;
  }
  lines(): string[] {
    return this.problems.map(formatProblem);
  }
}

/** Bad command-line usage (no file position). Exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'UsageError';
  }
}

export function isInputLike(e: unknown): e is InputError | UsageError {
  return e instanceof InputError || e instanceof UsageError;
}
