// The loader's model (src/scenario/ast.ts) as plain data, every collection read (so parts
// read later are read now), with positions: two readers agree when these are deepEqual.
import { isMap, isScalar, isSeq, type YNode } from '../../src/scenario/ast.js';

export type Plain = null | { at: string; v: unknown; src?: string | undefined } | { at: string; map: Array<[Plain, Plain]> } | { at: string; seq: Plain[] };

export function plain(n: YNode | null | undefined): Plain {
  if (n === null || n === undefined) return null;
  const at = `${n.line}:${n.col}`;
  if (isScalar(n)) return { at, v: Object.is(n.value, -0) ? '-0' : Number.isNaN(n.value) ? 'NaN' : n.value, src: n.source };
  if (isMap(n)) return { at, map: n.keys.map((k, i) => [plain(k), plain(n.values[i])]) };
  if (isSeq(n)) return { at, seq: n.items.map(plain) };
  return null;
}

/** Documents as plain data, empty ones left out (readers skip them too). */
export function plainDocs(docs: ReadonlyArray<YNode | null>): Plain[] {
  return docs.filter((d) => d !== null && !(isScalar(d) && d.value === null && !d.source)).map(plain);
}
