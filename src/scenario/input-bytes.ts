// Reading input files and standard input as text, within a size limit, and refusing what
// is not UTF-8 text. Every refusal is one positioned problem for the file.
import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Position, Problem } from '../errors.js';

/**
 * The default limit on the size of one input (a file, or standard input): 4 GiB. JSON is
 * read as a stream, so a large dump costs the objects kept, not its size; YAML has its own
 * ceiling, the longest string (input-sources.ts).
 */
export const DEFAULT_MAX_INPUT_SIZE = 4 * 1024 * 1024 * 1024;

export interface ReadLimits {
  /** Bytes one input may have (--max-input-size). */
  readonly maxInputSize: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxInputSize: DEFAULT_MAX_INPUT_SIZE };

/** The bytes of an input, or its size when it is too large (-1: read as a stream, size unknown). */
export type ReadResult = { readonly bytes: Uint8Array } | { readonly tooLarge: number };

const CHUNK = 1 << 20;

/**
 * Reads an open file descriptor to its end, stopping once more than `max` bytes arrived
 * (so /dev/zero or an endless pipe cannot exhaust memory).
 */
export function readFdCapped(fd: number, max: number): ReadResult {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, max + 1 - total));
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue; // a non-blocking stdin: try again
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    total += n;
    if (total > max) return { tooLarge: -1 };
  }
  return { bytes: Buffer.concat(chunks, total) };
}

/** Reads a file by path; a regular file larger than `max` is refused without reading it. */
export function readFileCapped(path: string, max: number): ReadResult {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > max) return { tooLarge: st.size };
    return readFdCapped(fd, max);
  } finally {
    closeSync(fd);
  }
}

export function tooLargeProblem(file: string, size: number, max: number): Problem {
  const more = size > max ? `${size} bytes` : `more than ${max} bytes`; // size -1: a stream
  return {
    pos: { file, line: 1, col: 1 },
    message: `input is too large (${more}; the limit is ${max} bytes, raise it with --max-input-size BYTES)`,
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of UTF-8 bytes, or the problem that makes them not UTF-8 text. */
export function decodeUtf8(file: string, bytes: Uint8Array): { text: string } | { problem: Problem } {
  const nul = bytes.indexOf(0);
  if (nul < 0) {
    // Node's own checks are several times faster than a fatal TextDecoder on large inputs.
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (isAscii(buf)) return { text: buf.toString('latin1') };
    if (isUtf8(buf)) return { text: decoder.decode(buf) };
  }
  const bad = firstInvalidUtf8(bytes);
  const at = nul >= 0 && (bad < 0 || nul < bad) ? nul : bad;
  const what = at === nul ? 'a NUL byte: binary or UTF-16 data?' : `invalid byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}`;
  return { problem: { pos: bytePosition(file, bytes, Math.max(at, 0)), message: `not UTF-8 text (${what})` } };
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    let cp = c & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Line and column (in characters) of a byte offset, from the valid bytes before it. */
function bytePosition(file: string, b: Uint8Array, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (b[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const prefix = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(b.subarray(lineStart, offset));
  return { file, line, col: prefix.length + 1 };
}
