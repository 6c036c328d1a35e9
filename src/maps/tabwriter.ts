// A faithful subset of Go's text/tabwriter, configured as the cilium CLI configures it
// (cilium/cmd/helpers.go TablePrinter: minwidth 5, tabwidth 0, padding 3, padchar ' ',
// flags 0). Cells are tab-terminated; the text after the last tab of a line is a trailing
// cell that takes no part in alignment. A column's width is set per block of consecutive
// lines that have a terminated cell in that column, as Go does.

const MIN_WIDTH = 5;
const PADDING = 3;

export function tabwrite(text: string): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const cells = lines.map((l) => l.split('\t'));
  // widths[i][c]: width of column c for line i (only for terminated cells).
  const widths: number[][] = cells.map((row) => new Array<number>(Math.max(0, row.length - 1)).fill(0));
  const maxCols = Math.max(0, ...cells.map((r) => r.length - 1));
  for (let col = 0; col < maxCols; col++) {
    let i = 0;
    while (i < cells.length) {
      if ((cells[i]?.length ?? 0) - 1 <= col) { i++; continue; }
      let j = i;
      let width = MIN_WIDTH;
      while (j < cells.length && (cells[j]?.length ?? 0) - 1 > col) {
        width = Math.max(width, [...(cells[j]?.[col] ?? '')].length + PADDING);
        j++;
      }
      for (let k = i; k < j; k++) (widths[k] as number[])[col] = width;
      i = j;
    }
  }
  return cells
    .map((row, i) => row.map((cell, c) => (c < row.length - 1 ? cell + ' '.repeat(Math.max(0, ((widths[i] as number[])[c] ?? 0) - [...cell].length)) : cell)).join(''))
    .map((l) => l + '\n')
    .join('');
}
