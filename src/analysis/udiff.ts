// A unified diff of two texts, line by line, in GNU `diff -u` format (3 lines of context,
// `@@ -a,b +c,d @@`, "\ No newline at end of file"). Myers' O((N+M)·D) algorithm, so a
// small change in a large file stays cheap. Returns '' when the texts are equal.

/** One step of an edit script; a and b count the lines before it on each side. */
export type Op = { readonly t: '=' | '-' | '+'; readonly a: number; readonly b: number };

interface Lines {
  /** Each line with its terminator, so "x" at EOF differs from "x\n" as in diff(1). */
  readonly keys: readonly string[];
  readonly text: readonly string[];
}

function splitLines(s: string): Lines {
  if (s === '') return { keys: [], text: [] };
  const parts = s.split('\n');
  const endsWithNl = parts[parts.length - 1] === '';
  if (endsWithNl) parts.pop();
  const keys = parts.map((l, i) => (i < parts.length - 1 || endsWithNl ? `${l}\n` : l));
  return { keys, text: parts };
}

/** The shortest edit script from a to b (Myers 1986, with the trace kept for backtracking). */
export function editScript(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let done = false;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[k - 1 + off] ?? 0) < (v[k + 1 + off] ?? 0)) ? (v[k + 1 + off] ?? 0) : (v[k - 1 + off] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[k + off] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const tv = trace[d] as Int32Array;
    const k = x - y;
    const prevK = k === -d || (k !== d && (tv[k - 1 + off] ?? 0) < (tv[k + 1 + off] ?? 0)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : (tv[prevK + off] ?? 0);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ t: '=', a: x, b: y });
    }
    if (d > 0) {
      if (x === prevX) ops.push({ t: '+', a: x, b: y - 1 });
      else ops.push({ t: '-', a: x - 1, b: y });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

function range(start: number, count: number): string {
  // GNU: an empty range names the line before it; a one-line range omits the count.
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

function emit(out: string[], mark: string, text: string, key: string): void {
  out.push(`${mark}${text}\n`);
  if (!key.endsWith('\n')) out.push('\\ No newline at end of file\n');
}

export function unifiedDiff(before: string, after: string, labelA: string, labelB: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = editScript(a.keys, b.keys);
  const changed = ops.map((o, i) => (o.t === '=' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return '';
  const out: string[] = [`--- ${labelA}\n`, `+++ ${labelB}\n`];
  let i = 0;
  while (i < changed.length) {
    let last = changed[i] as number;
    let j = i;
    // Merge changes whose context windows touch.
    while (j + 1 < changed.length && (changed[j + 1] as number) - last <= 2 * context + 1) last = changed[++j] as number;
    const from = Math.max(0, (changed[i] as number) - context);
    const to = Math.min(ops.length - 1, last + context);
    const slice = ops.slice(from, to + 1);
    const first = slice[0] as Op;
    // Op indices count the lines before the op on each side, whatever its kind.
    const aStart = first.a;
    const bStart = first.b;
    const aCount = slice.filter((o) => o.t !== '+').length;
    const bCount = slice.filter((o) => o.t !== '-').length;
    out.push(`@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n`);
    for (const o of slice) {
      if (o.t === '=') emit(out, ' ', a.text[o.a] ?? '', a.keys[o.a] ?? '\n');
      else if (o.t === '-') emit(out, '-', a.text[o.a] ?? '', a.keys[o.a] ?? '\n');
      else emit(out, '+', b.text[o.b] ?? '', b.keys[o.b] ?? '\n');
    }
    i = j + 1;
  }
  return out.join('');
}
