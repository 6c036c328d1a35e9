// Plain aligned columns: two spaces between columns, the last column unpadded. Widths
// count code points (the output uses no wide characters), never the terminal's width.

export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function padEnd(s: string, width: number): string {
  const w = textWidth(s);
  return w >= width ? s : s + ' '.repeat(width - w);
}

export function alignColumns(rows: ReadonlyArray<readonly string[]>): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, textWidth(c)); });
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : padEnd(c, widths[i] ?? 0))).join('  ').trimEnd());
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
