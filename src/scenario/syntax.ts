// YAML syntax errors as positioned problems. The yaml package reports some errors where
// it gave up (the line after an unclosed bracket or quote); we point at the opener instead.
import type { Document, YAMLError } from 'yaml';
import type { Position, Problem } from '../errors.js';

const OPENERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Flow sequence/, '['],
  [/^Flow map/, '{'],
  [/^Missing closing "quote/, '"'],
  [/^Missing closing 'quote/, "'"],
];

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Offset of the token the user has to fix. */
function offsetOf(err: YAMLError, text: string): number {
  const start = err.pos[0];
  for (const [re, opener] of OPENERS) {
    if (!re.test(err.message)) continue;
    const at = text.lastIndexOf(opener, start - 1);
    if (at >= 0) return at;
  }
  return start;
}

/** The message for a key written twice in one mapping, the key read from the text at `offset`. */
export function duplicateKeyMessage(text: string, offset: number): string {
  const key = /^\s*["']?([^"':\n]*)/.exec(text.slice(offset, offset + 1100))?.[1]?.trim() ?? '';
  return `duplicate key '${key}' (expected each key once per mapping)`;
}

function messageOf(err: YAMLError, text: string): string {
  if (err.code === 'DUPLICATE_KEY') return duplicateKeyMessage(text, err.pos[0]);
  return `invalid YAML: ${lowerFirst(err.message)}`;
}

/** An error found outside the yaml package (duplicate keys), for one document. */
export interface ExtraError {
  readonly offset: number;
  readonly message: string;
}

/**
 * yaml's errors and warnings, at most one per line since the first explains the rest.
 * `extra[i]` are more errors of document i (duplicate keys found by the loader itself),
 * merged with yaml's by position.
 */
export function syntaxProblems(docs: readonly Document.Parsed[], text: string, at: (offset: number) => Position, extra: ReadonlyArray<readonly ExtraError[]> = []): Problem[] {
  const seen = new Set<number>();
  const out: Problem[] = [];
  docs.forEach((d, i) => {
    const mine = [...(extra[i] ?? [])];
    const errors: ExtraError[] = [];
    for (const err of d.errors) {
      const offset = offsetOf(err, text);
      while (mine.length > 0 && (mine[0] as ExtraError).offset < offset) errors.push(mine.shift() as ExtraError);
      errors.push({ offset, message: messageOf(err, text) });
    }
    errors.push(...mine, ...d.warnings.map((w) => ({ offset: offsetOf(w, text), message: messageOf(w, text) })));
    for (const e of errors) {
      const pos = at(e.offset);
      if (seen.has(pos.line)) continue;
      seen.add(pos.line);
      out.push({ pos, message: e.message });
    }
  });
  return out;
}
