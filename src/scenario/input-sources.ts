// Opening an input file or standard input: the first bytes tell JSON (`{` or `[`) from YAML.
// JSON is then read as a stream (json-stream.ts), in 1 MiB chunks, so a dump of any size
// within the limit costs the objects kept, not its text; YAML is read whole, as one string
// (at most V8's longest string, 512 MiB). JSON that is not JSON after all is read as YAML
// when its text can be had again: a file is read again, standard input is kept as it is
// read while it is no larger than 64 MiB.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants } from 'node:buffer';
import type { Problem } from '../errors.js';
import { decodeUtf8, readFdCapped, tooLargeProblem } from './input-bytes.js';
import type { Input } from './input-reader.js';
import type { ByteSource } from './json-bytes.js';

const CHUNK = 1 << 20;
const HEAD = 1 << 16;
/** The longest YAML input: it is read as one string, and a V8 string holds at most this many characters. */
export const MAX_TEXT_BYTES: number = constants.MAX_STRING_LENGTH;
/** Standard input kept as read, to be read as YAML if it is not JSON after all. */
const STDIN_KEPT = 64 * 1024 * 1024;

/** Reads into `buf` from the current position of `fd`: the bytes read, 0 at the end. */
function readSome(fd: number, buf: Buffer, offset = 0): number {
  for (;;) {
    try {
      return readSync(fd, buf, offset, buf.length - offset, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue; // a non-blocking stdin: try again
      if (code === 'EOF') return 0;
      throw e;
    }
  }
}

/** The first bytes of `fd` (up to 64 KiB, fewer only at its end). */
function readHead(fd: number): Buffer {
  const buf = Buffer.allocUnsafe(HEAD);
  let n = 0;
  while (n < HEAD) {
    const got = readSome(fd, buf, n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/** Is the first byte after a byte-order mark and white space `{` or `[`? */
function jsonHead(head: Uint8Array): boolean {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 32 || head[i] === 10 || head[i] === 13 || head[i] === 9)) i++;
  return head[i] === 0x7b || head[i] === 0x5b;
}

/** A YAML input longer than one string can be (`size` -1: a stream, size unknown). */
function tooLongForYaml(display: string, size: number): { problems: Problem[] } {
  const what = size >= 0 ? `${size} bytes` : `more than ${MAX_TEXT_BYTES} bytes`;
  return { problems: [{ pos: { file: display, line: 1, col: 1 }, message: `YAML input is too large to read as one text (${what}; at most ${MAX_TEXT_BYTES}): give it as JSON (kubectl get … -o json is read as a stream) or split it into files` }] };
}

/**
 * The YAML text of `fd` (whose first bytes are `head`), or its problems: larger than `max`
 * or than one string can be, not UTF-8.
 */
function readYaml(fd: number, head: Buffer, size: number, max: number, display: string): { input: Input } | { problems: Problem[] } {
  const cap = Math.min(max, MAX_TEXT_BYTES);
  if (size > MAX_TEXT_BYTES) return tooLongForYaml(display, size);
  if (size >= 0 && head.length < size) {
    // A file: read into one buffer of its size (chunks and a copy cost more than the reading).
    const all = Buffer.allocUnsafe(size);
    head.copy(all);
    let n = head.length;
    while (n < size) {
      const got = readSome(fd, all, n);
      if (got === 0) break;
      n += got;
    }
    const probe = Buffer.allocUnsafe(1);
    const extra = n === size ? readSome(fd, probe) : 0;
    if (n === size && extra === 0) {
      const text = yamlText(display, all);
      return 'problems' in text ? text : { input: { file: display, text: text.text } };
    }
    head = extra > 0 ? Buffer.concat([all, probe]) : all.subarray(0, n); // it changed while read: go on as with a stream
  }
  const rest = head.length > cap ? { tooLarge: -1 } : readFdCapped(fd, cap - head.length);
  if ('tooLarge' in rest) return cap < max ? tooLongForYaml(display, size) : { problems: [tooLargeProblem(display, size, max)] };
  const text = yamlText(display, head.length === 0 ? rest.bytes : Buffer.concat([head, rest.bytes]));
  return 'problems' in text ? text : { input: { file: display, text: text.text } };
}

/** The text of YAML bytes, or its problems (not UTF-8; longer than a string can be). */
export function yamlText(display: string, bytes: Uint8Array): { text: string } | { problems: Problem[] } {
  if (bytes.length > MAX_TEXT_BYTES) return tooLongForYaml(display, bytes.length);
  const decoded = decodeUtf8(display, bytes);
  return 'problem' in decoded ? { problems: [decoded.problem] } : { text: decoded.text };
}

/**
 * Chunks of `fd` from its current position, after `head`; more than `max` bytes in all
 * stops it. `onChunk` sees each chunk; `onEnd` is called once, at the end.
 */
function fdChunks(fd: number, head: Uint8Array, max: number, display: string, onEnd: () => void, onChunk?: (b: Uint8Array) => void): ByteSource {
  let total = 0;
  let first: Uint8Array | undefined = head.length > 0 ? head : undefined;
  let done = false;
  return {
    next: () => {
      if (done) return undefined;
      let chunk: Uint8Array;
      if (first) {
        chunk = first;
        first = undefined;
      } else {
        const buf = Buffer.allocUnsafe(CHUNK);
        const n = readSome(fd, buf);
        if (n === 0) {
          done = true;
          onEnd();
          return undefined;
        }
        chunk = buf.subarray(0, n);
      }
      total += chunk.length;
      if (total > max) {
        done = true;
        onEnd();
        return { stop: tooLargeProblem(display, -1, max).message };
      }
      onChunk?.(chunk);
      return chunk.length > 0 ? chunk : undefined;
    },
  };
}

/** A file as an input (or its problems): JSON as a stream, YAML as text. */
export function openFile(path: string, display: string, max: number): { input: Input } | { problems: Problem[] } {
  const fd = openSync(path, 'r');
  let closeFd = true;
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > max) return { problems: [tooLargeProblem(display, st.size, max)] };
    const head = readHead(fd);
    if (head.includes(0)) {
      const d = decodeUtf8(display, head);
      if ('problem' in d) return { problems: [d.problem] };
    }
    if (!jsonHead(head)) return readYaml(fd, head, st.isFile() ? st.size : -1, max, display);
    if (!st.isFile()) {
      // A pipe or device: read once, as it comes.
      closeFd = false;
      return { input: streamOnce(fd, head, max, display, () => closeSync(fd)) };
    }
    const bytes = (): ByteSource => {
      const again = openSync(path, 'r');
      return fdChunks(again, new Uint8Array(0), max, display, () => closeSync(again));
    };
    const wholeText = (): { text: string } | { problems: Problem[] } | undefined => {
      if (st.size > MAX_TEXT_BYTES) return undefined;
      const again = openSync(path, 'r');
      try {
        const r = readFdCapped(again, max);
        return 'tooLarge' in r ? { problems: [tooLargeProblem(display, r.tooLarge, max)] } : yamlText(display, r.bytes);
      } finally {
        closeSync(again);
      }
    };
    return { input: { file: display, bytes, wholeText } };
  } finally {
    if (closeFd) closeSync(fd);
  }
}

/**
 * An input that can be read only once (standard input, a pipe), whose first bytes are
 * `head`: JSON streamed, and kept while it is small enough to be read as YAML instead.
 */
function streamOnce(fd: number, head: Uint8Array, max: number, display: string, onEnd: () => void): Input {
  let kept: Uint8Array[] | undefined = [];
  let keptBytes = 0;
  let ended = false;
  const keep = (b: Uint8Array): void => {
    keptBytes += b.length;
    if (keptBytes > STDIN_KEPT) kept = undefined;
    kept?.push(b);
  };
  const source = fdChunks(fd, head, max, display, () => {
    ended = true;
    onEnd();
  }, keep);
  let used = false;
  return {
    file: display,
    bytes: () => {
      if (used) throw new Error(`${display} can be read only once`);
      used = true;
      return source;
    },
    wholeText: () => {
      // The rest, kept too, while it stays small enough.
      while (!ended && kept) {
        const c = source.next();
        if (c === undefined || 'stop' in c) break;
      }
      if (!kept || !ended) return undefined;
      return yamlText(display, Buffer.concat(kept));
    },
  };
}

/** Standard input as an input (or its problems). */
export function openStdin(fd: number, max: number, display: string): { input: Input } | { problems: Problem[] } {
  const head = readHead(fd);
  if (head.includes(0)) {
    const d = decodeUtf8(display, head);
    if ('problem' in d) return { problems: [d.problem] };
  }
  if (jsonHead(head)) return { input: streamOnce(fd, head, max, display, () => undefined) };
  return readYaml(fd, head, -1, max, display);
}
