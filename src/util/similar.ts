// Edit distance, for "did you mean" lists in error messages.

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
export function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/**
 * The names to show when `query` names nothing: all of them when there are at most `max`,
 * else the `max` closest (by edit distance, then name) followed by how many were left out,
 * so the message stays one readable line on a 50,000-pod cluster. `keyOf` gives the part of
 * a name the query is compared with (the name without its namespace, when none was typed).
 */
export function nameHint(query: string, names: readonly string[], max = 10, keyOf: (name: string) => string = (n) => n): string {
  if (names.length <= max) return [...names].sort().join(', ') || 'none';
  const scored = names.map((n) => ({ n, d: levenshtein(query, keyOf(n)) }));
  scored.sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
  return `${scored.slice(0, max).map((s) => s.n).join(', ')} (the ${max} closest of ${names.length})`;
}
