// Reading a bugtool command file: the command's stdout and stderr interleaved, no Markdown
// wrapper (bugtool/cmd/root.go writeCmdToFile, --enable-markdown off by default), and on
// failure a trailer `> Error while running '<cmd>':  <err>`. Parsers keep the rows they
// understand and turn every other line into a note with its line number: never a failure.

export interface LineNote {
  readonly line: number;
  readonly message: string;
}

export interface Parsed<T> {
  readonly rows: T[];
  readonly notes: LineNote[];
}

export interface Line {
  /** 1-based, as an editor shows it. */
  readonly n: number;
  readonly text: string;
}

/** The lines with their numbers, without trailing white space and carriage returns. */
export function linesOf(text: string): Line[] {
  return text.split('\n').map((t, i) => ({ n: i + 1, text: t.replace(/\s+$/, '') }));
}

const ERROR_TRAILER = /^> Error while running '([^']*)':\s*(.*)$/;
/** Log lines the agent CLI writes to stderr (logrus text, slog): `level=warning msg=…`, `time=… level=…`. */
const LOG_LINE = /^(time="?[^ ]+"? )?level=\w+ |^(WARN|WARNING|ERRO|ERROR|INFO|DEBU)\[|^Error: |^Warning: /;

/**
 * A line that is no table row: the error trailer, a stderr log line, or empty. Returns the
 * note to make (undefined for an empty line), or false when the line is for the parser.
 */
export function noise(l: Line, what: string): LineNote | undefined | false {
  if (l.text === '') return undefined;
  const err = ERROR_TRAILER.exec(l.text);
  if (err) return { line: l.n, message: `the command failed: ${err[2] || err[1]} (rows before it are read)` };
  if (LOG_LINE.test(l.text)) return { line: l.n, message: `stderr mixed into the ${what}: ${clip(l.text)}` };
  return false;
}

export function clip(s: string, max = 100): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** `key=value` tokens of a value string (commas stripped: v1.16 prints `, flags=`). */
export function keyValues(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const tok of s.split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) out.set(tok.slice(0, eq), tok.slice(eq + 1).replace(/,$/, ''));
  }
  return out;
}

export const IPV4 = '(?:\\d{1,3}\\.){3}\\d{1,3}';

/** u8proto names (pkg/u8proto/u8proto.go) to numbers; a number stays a number. */
export function protoNumber(name: string): number | undefined {
  const known: Record<string, number> = { ANY: 0, ICMP: 1, TCP: 6, UDP: 17, ICMPv6: 58, SCTP: 132 };
  if (Object.hasOwn(known, name)) return known[name];
  return /^\d+$/.test(name) ? Number(name) : undefined;
}

/** A whole number, or undefined. */
export function int(s: string | undefined, base = 10): number | undefined {
  if (s === undefined) return undefined;
  if (base === 16) return /^(0x)?[0-9a-fA-F]+$/.test(s) ? parseInt(s.replace(/^0x/, ''), 16) : undefined;
  return /^\d+$/.test(s) ? Number(s) : undefined;
}
