// Running out of heap, said as one line instead of V8's fatal error and native stack trace.
// V8 cannot hand an out-of-memory condition back to JavaScript, so the places whose memory
// grows with the input (the loader, as it reads objects) ask here now and then, and stop
// with a HeapLimitError while there is still room to report it: when the heap is three
// quarters full, a full garbage collection tells what is really live; past 85% of the limit,
// the input is too large for this heap.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { UsageError } from '../errors.js';

/** The input does not fit in the heap: one line saying what was too big and what to do. Exit 2. */
export class HeapLimitError extends UsageError {
  constructor(what: string, limitBytes: number) {
    const mib = Math.round(limitBytes / 2 ** 20);
    const more = Math.max(1024, 2 ** Math.ceil(Math.log2(mib * 2)));
    super(`out of memory ${what}: the input is too large for the heap limit of ${mib} MiB; give Node more (NODE_OPTIONS=--max-old-space-size=${more}) or load fewer objects`);
    this.name = 'HeapLimitError';
  }
}

/** How often (in calls) the heap is looked at: a look costs about a microsecond. */
const EVERY = 64;
const FULL = 0.85;

let calls = 0;
let trigger: number | undefined;
let collect: (() => void) | undefined;

/** A full garbage collection: `gc` if Node exposes it, else exposed once for this check. */
function fullGc(): void {
  if (!collect) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') collect = g;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  collect();
}

/**
 * Throws a HeapLimitError when the live heap is near its limit; `what` says what was being
 * done ("reading FILE (N objects read)"). `bytes`: about to allocate that much at once.
 */
export function checkHeap(what: () => string, bytes = 0): void {
  if (bytes === 0 && ++calls % EVERY !== 0) return;
  const s = getHeapStatistics();
  const limit = s.heap_size_limit;
  trigger ??= limit * 0.75;
  if (s.used_heap_size + bytes < trigger) return;
  fullGc();
  const live = getHeapStatistics().used_heap_size;
  if (live + bytes > limit * FULL) throw new HeapLimitError(what(), limit);
  trigger = live + (limit - live) / 2;
}
