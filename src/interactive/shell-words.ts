// Splits a shell line into words as a POSIX shell would for the simple cases a trace or maps
// command needs: whitespace separates, '…' and "…" quote, \ escapes outside single quotes,
// # starts a comment at the start of a word. Each word keeps its 1-based column, so an
// unknown pod is reported at the column the user typed it.
import { UsageError } from '../errors.js';

export interface Word {
  readonly text: string;
  readonly col: number;
}

export function splitWords(line: string): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] ?? '')) i++;
    if (i >= line.length || line[i] === '#') break;
    const col = i + 1;
    let text = '';
    while (i < line.length && !/\s/.test(line[i] ?? '')) {
      const c = line[i] as string;
      if (c === "'" || c === '"') {
        const end = line.indexOf(c, i + 1);
        if (end < 0) throw new UsageError(`unterminated ${c === "'" ? 'single' : 'double'} quote at column ${i + 1}`);
        text += c === '"' ? line.slice(i + 1, end).replace(/\\(["\\$`])/g, '$1') : line.slice(i + 1, end);
        i = end + 1;
      } else if (c === '\\' && i + 1 < line.length) {
        text += line[i + 1];
        i += 2;
      } else {
        text += c;
        i++;
      }
    }
    out.push({ text, col });
  }
  return out;
}
