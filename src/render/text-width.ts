// How wide a line of text is in DejaVu Sans, the first font of the diagram's font stack and
// the wider of the two sans fonts common on Linux (Liberation Sans, Arial's metrics, is
// narrower), so a box sized for it holds the text in the others of the stack too (F27). Per-character advance widths from the
// font itself (font-metrics.ts); a character the table lacks counts as one em.
import { DEJAVU_SANS, DEJAVU_SANS_BOLD, UNITS_PER_EM } from './font-metrics.js';

/** The CSS font-family the SVG text uses, widest first. */
// Bitstream Vera Sans has DejaVu's widths (DejaVu grew from it); Verdana, a little wider, is not listed.
export const SVG_FONT_STACK = "'DejaVu Sans', 'Bitstream Vera Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";

/** Width in the units of `size` (points in, points out). */
export function textWidth(text: string, size: number, bold = false): number {
  const table = bold ? DEJAVU_SANS_BOLD : DEJAVU_SANS;
  let units = 0;
  for (const ch of text) units += table[ch] ?? UNITS_PER_EM;
  return (units * size) / UNITS_PER_EM;
}
