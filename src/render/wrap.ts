// Wrapping text output for a terminal (F21): a line wider than the terminal breaks between
// words, its continuation rows indented under the step (the line's own indentation plus
// four), so a 100-column terminal does not cut `DROP_POLICY i` / `n policy_can_egress4`.
// Only on a terminal: pipes, files and goldens get the lines as they are.

const ANSI = /\u001b\[[0-9;]*m/g;

/** Columns a string takes on the terminal: characters, not colour escapes. */
export function visibleWidth(s: string): number {
  let n = 0;
  for (const _ of s.replace(ANSI, '')) n++;
  return n;
}

/** One line as rows of at most `width` columns (a single word wider than a row stays whole). */
export function wrapLine(line: string, width: number): string[] {
  if (width < 20 || visibleWidth(line) <= width) return [line];
  const plain = line.replace(ANSI, '');
  const lead = plain.length - plain.trimStart().length;
  const indent = ' '.repeat(Math.min(lead + 4, Math.floor(width / 2)));
  // Split after the leading spaces (and any colour escape before them), keeping the escapes.
  const head = /^(?:\u001b\[[0-9;]*m)*\s*/.exec(line)?.[0] ?? '';
  const words = line.slice(head.length).split(' ');
  const rows: string[] = [];
  let row = head;
  let used = visibleWidth(head);
  let fresh = true;
  for (const word of words) {
    const w = visibleWidth(word);
    if (!fresh && used + 1 + w > width) {
      rows.push(row.trimEnd());
      row = indent + word;
      used = indent.length + w;
      continue;
    }
    row += fresh ? word : ` ${word}`;
    used += (fresh ? 0 : 1) + w;
    fresh = false;
  }
  rows.push(row);
  return rows;
}

/** Every line of a text wrapped to `width` (a trailing newline kept). */
export function wrapText(text: string, width: number): string {
  return text.split('\n').flatMap((l) => wrapLine(l, width)).join('\n');
}

/** The text for a terminal `width` columns wide, unchanged when there is none (a pipe or file). */
export function fitWidth(text: string, width: number | undefined): string {
  return width === undefined ? text : wrapText(text, width);
}
