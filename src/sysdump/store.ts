// The entries of a sysdump, from a zip or from its unpacked directory, as one listing of
// '/'-separated paths and the text of an entry. A zip is read in one pass, in 1 MiB chunks,
// through fflate's streaming Unzip (synchronous, as the rest of the loader is): nothing is
// extracted to disk, and only the entries cilium-trace reads (no container logs, no
// profiles) are inflated and kept.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type * as Fflate from 'fflate';
import type { UnzipFile } from 'fflate';

// fflate builds its Huffman tables when it is loaded: only a zip input loads it (start-up).
let fflateModule: typeof Fflate | undefined;
function fflate(): typeof Fflate {
  fflateModule ??= createRequire(import.meta.url)('fflate') as typeof Fflate;
  return fflateModule;
}

export interface Store {
  /** Every entry (files only), '/'-separated, in sorted order. */
  readonly names: readonly string[];
  /** The entry's text, undefined when it is not there or was not kept. */
  read(name: string): string | undefined;
  /** Entries that could not be inflated (a damaged zip), to say so. */
  readonly damaged?: readonly string[];
}

/** Entries worth keeping: cluster YAML/JSON, bugtool command files and state headers, flows. */
export function wanted(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (/^(logs|gops|metrics|profiling|pprof)-/.test(base) || base.endsWith('.log') || base.endsWith('.tar.gz') || base.endsWith('.html')) return false;
  if (name.includes('/conf/') || name.includes('/templates/')) return false;
  return /\.(ya?ml|json|md|txt|h)$/.test(base);
}

/** An entry larger than this is listed but not kept (a bugtool text dump is far smaller). */
export const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

export function dirStore(root: string): Store {
  const names: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(dir, e.name), rel);
      else if (e.isFile()) names.push(rel);
    }
  };
  walk(root, '');
  names.sort();
  const set = new Set(names);
  return {
    names,
    read: (name) => {
      if (!set.has(name)) return undefined;
      const p = join(root, ...name.split('/'));
      if (statSync(p).size > MAX_ENTRY_BYTES) return undefined;
      return readFileSync(p, 'utf8');
    },
  };
}

/** Does the file start like a zip (a local file header, or the end record of an empty zip)? */
export function isZip(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4);
    const n = readSync(fd, b, 0, 4, 0);
    return n === 4 && b[0] === 0x50 && b[1] === 0x4b && ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Does a zip's tail hold its end-of-central-directory record (PK\\5\\6, in the last 22 bytes
 * plus at most a 64 KiB comment)? A streaming reader sees entries as they come, so a
 * truncated zip would otherwise load as a smaller sysdump without a word.
 */
export function hasEndRecord(tail: Uint8Array): boolean {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6) return true;
  }
  return false;
}

/** The last bytes of a file, where a zip's end record is. */
export function fileTail(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const n = Math.min(size, 22 + 0xffff);
    const buf = Buffer.alloc(n);
    readSync(fd, buf, 0, n, size - n);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** A zip read from its bytes in chunks (a file, or a Buffer in tests). */
export function zipStore(chunks: Iterable<Uint8Array>): Store {
  const kept = new Map<string, Buffer>();
  const names: string[] = [];
  const failed: string[] = [];
  const { Unzip, UnzipInflate } = fflate();
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.onfile = (f: UnzipFile) => {
    if (f.name.endsWith('/')) return;
    names.push(f.name);
    if (!wanted(f.name) || (f.originalSize !== undefined && f.originalSize > MAX_ENTRY_BYTES)) return;
    const parts: Uint8Array[] = [];
    let size = 0;
    f.ondata = (err, data, final) => {
      if (err) {
        failed.push(f.name);
        return;
      }
      size += data.length;
      if (size <= MAX_ENTRY_BYTES) parts.push(data);
      if (final && size <= MAX_ENTRY_BYTES) kept.set(f.name, Buffer.concat(parts));
    };
    f.start();
  };
  let last: Uint8Array | undefined;
  for (const c of chunks) {
    if (last) unzip.push(last, false);
    last = c;
  }
  unzip.push(last ?? new Uint8Array(0), true);
  names.sort();
  return { names, read: (name) => kept.get(name)?.toString('utf8'), damaged: failed };
}

/** The chunks of a file, 1 MiB at a time. */
export function* fileChunks(path: string): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}
