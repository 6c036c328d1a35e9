// Where a JSON text goes wrong, and where a key sits in it: JSON.parse's messages differ by
// Node release and often carry no offset, but a flows-file problem must be `file:line:col`.
// A small recursive-descent scanner, run only on a line that failed or holds a bad field.

export type JsonPath = ReadonlyArray<string | number>;

interface Scan {
  readonly text: string;
  i: number;
  /** Offsets of the values (keys for object members) seen so far, by joined path. */
  readonly at: Map<string, number>;
}

class ScanError extends Error {
  constructor(readonly offset: number, readonly what: string) {
    super(what);
  }
}

const ws = (s: Scan): void => {
  while (s.i < s.text.length && ' \t\r\n'.includes(s.text[s.i] as string)) s.i++;
};

function expected(s: Scan, what: string): never {
  const got = s.i >= s.text.length ? 'end of line' : `'${s.text[s.i]}'`;
  throw new ScanError(s.i, `${what} (got ${got})`);
}

function str(s: Scan): string {
  if (s.text[s.i] !== '"') expected(s, 'expected a string');
  const start = s.i;
  s.i++;
  while (s.i < s.text.length && s.text[s.i] !== '"') {
    if (s.text[s.i] === '\\') s.i++;
    s.i++;
  }
  if (s.i >= s.text.length) throw new ScanError(start, 'unterminated string');
  s.i++;
  return JSON.parse(s.text.slice(start, s.i)) as string;
}

function value(s: Scan, path: string[]): void {
  ws(s);
  s.at.set(path.join('.'), s.i);
  const c = s.text[s.i];
  if (c === '{') {
    s.i++;
    ws(s);
    if (s.text[s.i] === '}') { s.i++; return; }
    for (;;) {
      ws(s);
      const keyAt = s.i;
      const key = str(s);
      s.at.set([...path, key].join('.'), keyAt);
      ws(s);
      if (s.text[s.i] !== ':') expected(s, `expected ':' after "${key}"`);
      s.i++;
      value(s, [...path, key]);
      ws(s);
      if (s.text[s.i] === ',') { s.i++; continue; }
      if (s.text[s.i] === '}') { s.i++; return; }
      expected(s, "expected ',' or '}'");
    }
  }
  if (c === '[') {
    s.i++;
    ws(s);
    if (s.text[s.i] === ']') { s.i++; return; }
    for (let n = 0; ; n++) {
      value(s, [...path, String(n)]);
      ws(s);
      if (s.text[s.i] === ',') { s.i++; continue; }
      if (s.text[s.i] === ']') { s.i++; return; }
      expected(s, "expected ',' or ']'");
    }
  }
  if (c === '"') { str(s); return; }
  const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(s.text.slice(s.i, s.i + 400));
  if (!m) expected(s, 'expected a JSON value');
  s.i += m[0].length;
}

/** The 0-based offset and reason of the first error in a JSON text, or undefined when it is valid. */
export function jsonErrorAt(text: string): { readonly offset: number; readonly what: string } | undefined {
  const s: Scan = { text, i: 0, at: new Map() };
  try {
    value(s, []);
    ws(s);
    if (s.i < text.length) expected(s, 'expected the end of the line after the JSON value');
    return undefined;
  } catch (e) {
    if (e instanceof ScanError) return { offset: e.offset, what: e.what };
    throw e;
  }
}

/** The 0-based offset of the value at `path` (a key, or an array element) in a valid JSON text, else of its nearest ancestor. */
export function jsonOffsetOf(text: string, path: JsonPath): number {
  const s: Scan = { text, i: 0, at: new Map() };
  try {
    value(s, []);
  } catch {
    // a valid text is expected; fall back to what was seen
  }
  for (let n = path.length; n >= 0; n--) {
    const at = s.at.get(path.slice(0, n).map(String).join('.'));
    if (at !== undefined) return at;
  }
  return 0;
}
