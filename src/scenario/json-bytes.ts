// The bytes under the JSON reader (json-stream.ts): a window over an input read in chunks,
// with the line and the column (in UTF-16 units, as the `yaml` package counts them) of
// every offset on the current line, and JSON's tokens: white space, strings, words.
// Offsets are into the current window; reading more keeps the window from `pos` on.
import { firstInvalidUtf8 } from './input-bytes.js';

/** An input's bytes, in chunks: a chunk, the end (undefined), or why reading stopped (a message at 1:1). */
export interface ByteSource {
  next(): Uint8Array | undefined | { readonly stop: string };
}

/** One chunk of bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  let done = false;
  return {
    next: () => {
      if (done || bytes.length === 0) return undefined;
      done = true;
      return bytes;
    },
  };
}

type Latin1 = { latin1Slice?(start: number, end: number): string };
/** Bytes as Latin-1 text (ASCII here): Buffer's own method when it has one, without toString's checks. */
const latin1: (b: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as Latin1).latin1Slice === 'function'
    ? (b, start, end) => (b as Latin1 as Required<Latin1>).latin1Slice(start, end)
    : (b, start, end) => b.toString('latin1', start, end);

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const INTERN_SLOTS = 8192;
const MAX_INTERNED = 48;

/** How far a collection's closer is looked for before the input is taken as not laid out by kubectl. */
const MAX_REGION = 16 * 1024 * 1024;

/** Bytes allowed in a JSON number or literal (true, false, null). */
function wordByte(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || (c >= 65 && c <= 90);
}

/** Shared by every reader: a cache, so sharing is invisible. */
const INTERNED: string[] = new Array<string>(INTERN_SLOTS).fill('');
const NO_BYTES = Buffer.alloc(0);

export class JsonBytes {
  buf: Buffer = NO_BYTES;
  pos = 0;
  private end = 0;
  /** Absolute offset of buf[0]. */
  private base = 0;
  private eof = false;
  line = 1;
  /** Absolute offset where the current line starts, and UTF-16 units fewer than bytes before `pos` on it. */
  private lineStart = 0;
  private adjust = 0;
  private stopped: { line: number; col: number; message: string } | undefined;
  /** Short strings (keys, enum values, timestamps) are made once (dumps repeat them by the million). */
  private readonly interned = INTERNED;

  /** `start`: where the bytes are in the file: line, and column of their first byte (for a part read later). */
  constructor(
    private readonly source: ByteSource,
    start?: { line: number; col: number },
  ) {
    if (start) {
      this.line = start.line;
      this.lineStart = 1 - start.col;
    }
  }

  /** Indentation of the current line (spaces before its first token), once skipSpace() passed its start. */
  indent = 0;
  private indentLine = 0;

  /** Why the input could not be read to its end (too large, not UTF-8, unreadable), if so. */
  stop(): { line: number; col: number; message: string } | undefined {
    return this.stopped;
  }

  private halt(line: number, col: number, message: string): void {
    this.stopped ??= { line, col, message };
    this.eof = true;
  }

  /** Reads the next chunk, keeping the window from `pos`; false at the end. */
  private more(): boolean {
    if (this.eof) return false;
    const chunk = this.source.next();
    if (chunk === undefined || 'stop' in chunk) {
      if (chunk) this.halt(1, 1, chunk.stop);
      this.eof = true;
      return false;
    }
    const keep = this.pos;
    const rest = this.end - keep;
    let buf: Buffer;
    if (rest === 0) buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    else {
      buf = Buffer.allocUnsafe(rest + chunk.length);
      this.buf.copy(buf, 0, keep, this.end);
      buf.set(chunk, rest);
    }
    this.base += keep;
    this.pos = 0;
    this.end = buf.length;
    this.buf = buf;
    return true;
  }

  /** The byte at `i` (reading more if needed), or -1 at the end. `i` must not be before `pos`. */
  at(i: number): number {
    while (i >= this.end) {
      const before = this.base;
      if (!this.more()) return -1;
      i -= this.base - before;
    }
    return this.buf[i] as number;
  }

  absolute(i: number): number {
    return this.base + i;
  }

  /** Column (1-based) of offset `i`, which is on the current line. */
  col(i: number): number {
    return this.base + i - this.lineStart - this.adjust + 1;
  }

  skipSpace(): void {
    for (;;) {
      const buf = this.buf;
      const end = this.end;
      let i = this.pos;
      while (i < end) {
        const c = buf[i] as number;
        if (c === 32) i++;
        else if (c === 10) {
          i++;
          this.line++;
          this.lineStart = this.base + i;
          this.adjust = 0;
        } else if (c === 13 || c === 9) i++;
        else {
          this.pos = i;
          if (this.indentLine !== this.line) {
            this.indent = this.base + i - this.lineStart;
            this.indentLine = this.line;
          }
          return;
        }
      }
      this.pos = i;
      if (!this.more()) return;
    }
  }

  /** The characters of a JSON number or literal at `pos`, or undefined if there are none. */
  word(): string | undefined {
    let i = this.pos;
    for (;;) {
      while (i < this.end && wordByte(this.buf[i] as number)) i++;
      if (i < this.end) break;
      const before = this.base;
      if (!this.more()) break;
      i -= this.base - before;
    }
    if (i === this.pos) return undefined;
    const s = this.ascii(this.pos, i);
    this.pos = i;
    return s;
  }

  /**
   * The string whose opening quote is at `pos`, `pos` then after its closing quote; undefined
   * if it is not valid JSON (or not UTF-8: then `stop()` says so).
   */
  string(): string | undefined {
    const end = this.scan();
    if (end < 0) return undefined;
    const start = this.pos + 1;
    const flags = this.flags;
    let s: string;
    if (flags === 0) s = this.ascii(start, end);
    else {
      let raw: string;
      if (flags & 2) {
        const text = this.utf8(start, end);
        if (text === undefined) return undefined;
        raw = text;
        this.adjust += end - start - raw.length;
      } else raw = latin1(this.buf, start, end);
      if (flags & 1) {
        try {
          s = JSON.parse(`"${raw}"`) as string;
        } catch {
          return undefined;
        }
      } else s = raw;
    }
    this.pos = end + 1;
    return s;
  }

  /**
   * For a collection opened by the byte at `pos` (`{` or `[`) at the end of a line indented
   * `indent`, in pretty-printed JSON (kubectl's): its bytes up to the closer that starts a
   * line indented as much, and the line and column of its first entry, `pos` then at that
   * closer; undefined (`pos` unchanged) when the text is not laid out so. The bytes are not
   * checked: whoever reads the collection does it.
   */
  region(indent: number): { bytes: Buffer; line: number; col: number; first: { line: number; col: number } } | undefined {
    if (this.noRegions) return undefined;
    // Offsets from `pos` (the opener) stay right when more() moves the window.
    const ahead = (o: number): number => this.at(this.pos + o);
    const closer = ahead(0) === 0x7b ? 0x7d : 0x5d;
    let o = 1;
    while (ahead(o) === 32 || ahead(o) === 13) o++;
    if (ahead(o) !== 10) return undefined;
    const nl = o;
    o++;
    while (ahead(o) === 32) o++;
    const inner = o - nl - 1;
    if (inner <= indent || ahead(o) === 10 || ahead(o) < 0) return undefined;
    // Line by line to the first that is the closer indented `indent`: no line in between is
    // indented less (they are all deeper), so it is this collection's. Offsets are from `pos`.
    let k = nl; // a newline
    let lines = 0;
    let closeAt: number;
    for (;;) {
      const ls = k + 1;
      if (!this.have(ls + indent + 1)) return undefined;
      lines++;
      const buf = this.buf;
      const p = this.pos + ls;
      if (buf[p + indent] === closer && (indent === 0 || buf[p + indent - 1] === 32)) {
        let sp = 0;
        while (sp < indent && buf[p + sp] === 32) sp++;
        if (sp === indent) {
          closeAt = this.pos + ls + indent;
          break;
        }
      }
      let next = buf.indexOf(10, p);
      while (next < 0) {
        const searched = this.end - this.pos;
        if (!this.have(searched + 1)) return undefined;
        next = this.buf.indexOf(10, this.pos + searched);
      }
      k = next - this.pos;
    }
    const start = this.pos;
    const line = this.line;
    const col = this.col(start);
    this.line += lines;
    this.lineStart = this.base + closeAt - indent;
    this.adjust = 0;
    this.indent = indent;
    this.indentLine = this.line;
    this.pos = closeAt;
    return { bytes: this.buf.subarray(start, closeAt + 1), line, col, first: { line: line + 1, col: inner + 1 } };
  }

  private noRegions = false;

  /** Are there `n` bytes from `pos` (reading more as needed)? Not past MAX_REGION (then no more regions). */
  private have(n: number): boolean {
    while (this.end - this.pos < n) {
      if (this.end - this.pos > MAX_REGION) {
        this.noRegions = true; // not laid out as kubectl does: read the rest as it comes
        return false;
      }
      if (!this.more()) return false;
    }
    return true;
  }

  /** Like string(), without making the string; false if it is not valid. */
  skipString(): boolean {
    const end = this.scan();
    if (end < 0) return false;
    const start = this.pos + 1;
    if (this.flags & 2) {
      const text = this.utf8(start, end);
      if (text === undefined) return false;
      this.adjust += end - start - text.length;
    }
    if (this.flags & 1 && !/^(?:[^\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*$/.test(latin1(this.buf, start, end))) return false;
    this.pos = end + 1;
    return true;
  }

  /** Of the string scanned last: 1 it has escapes, 2 it has non-ASCII bytes. */
  private flags = 0;

  /** Offset of the closing quote of the string at `pos` (reading more as needed), or -1. */
  private scan(): number {
    let i = this.pos + 1;
    let flags = 0;
    for (;;) {
      const buf = this.buf;
      const end = this.end;
      while (i < end) {
        const c = buf[i] as number;
        if (c === 34) {
          this.flags = flags;
          return i;
        }
        if (c === 92) {
          flags |= 1;
          i += 2;
        } else if (c < 32) {
          if (c === 0) this.halt(this.line, this.col(i), 'not UTF-8 text (a NUL byte: binary or UTF-16 data?)');
          return -1;
        } else {
          if (c >= 128) flags |= 2;
          i++;
        }
      }
      const before = this.base;
      if (!this.more()) return -1;
      i -= this.base - before;
    }
  }

  /** UTF-8 text of [start, end) on the current line, or undefined (then `stop()` says where it is not UTF-8). */
  private utf8(start: number, end: number): string | undefined {
    const bytes = this.buf.subarray(start, end);
    try {
      return fatal.decode(bytes);
    } catch {
      const bad = Math.max(0, firstInvalidUtf8(bytes));
      const col = this.col(start) + lenient.decode(bytes.subarray(0, bad)).length;
      this.halt(this.line, col, `not UTF-8 text (invalid byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')})`);
      return undefined;
    }
  }

  /** ASCII bytes [start, end) as a string, short ones shared. */
  private ascii(start: number, end: number): string {
    const n = end - start;
    const buf = this.buf;
    if (n > MAX_INTERNED) return latin1(buf, start, end);
    let h = n;
    for (let k = start; k < end; k++) h = (Math.imul(h, 31) + (buf[k] as number)) | 0;
    const slot = h & (INTERN_SLOTS - 1);
    const hit = this.interned[slot] as string;
    if (hit.length === n) {
      let k = 0;
      while (k < n && hit.charCodeAt(k) === buf[start + k]) k++;
      if (k === n) return hit;
    }
    const s = latin1(buf, start, end);
    this.interned[slot] = s;
    return s;
  }
}
