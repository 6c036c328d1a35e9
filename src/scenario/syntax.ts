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

function messageOf(err: YAMLError, text: string): string {
  if (err.code === 'DUPLICATE_KEY') {
    const key = /^\s*["']?([^"':\n]*)/.exec(text.slice(err.pos[0]))?.[1]?.trim() ?? '';
    return `duplicate key '${key}' (expected each key once per mapping)`;
  }
  return `invalid YAML: ${lowerFirst(err.message)}`;
}

/** yaml's errors and warnings, at most one per line since the first explains the rest. */
export function syntaxProblems(docs: readonly Document.Parsed[], text: string, at: (offset: number) => Position): Problem[] {
  const seen = new Set<number>();
  const out: Problem[] = [];
  for (const err of docs.flatMap((d) => [...d.errors, ...d.warnings])) {
    const pos = at(offsetOf(err, text));
    if (seen.has(pos.line)) continue;
    seen.add(pos.line);
    out.push({ pos, message: messageOf(err, text) });
  }
  return out;
}
