// One input's documents, whatever its format: YAML text through the fast reader (each
// document or List item it does not take goes to the `yaml` package), JSON through the
// streaming reader (bytes in, never the whole text; a List's items handed over one by one).
// JSON that turns out not to be JSON (YAML flow style, comments) is read as YAML when its
// text can be had.
import type { Problem } from '../errors.js';
import { bytesSource, type ByteSource } from './json-bytes.js';
import { streamJson } from './json-stream.js';
import { readYamlText, YAML_LIMITS, type YamlReader } from './yaml-text.js';

/** One input: its text and the name messages and provenance show for it. */
export interface InputText {
  readonly file: string;
  readonly text: string;
}

/** A JSON input read as a stream: its bytes from the start, and (if it can be had) its whole text. */
export interface InputStream {
  readonly file: string;
  readonly bytes: () => ByteSource;
  /** The text, for the YAML reader when the bytes are not JSON; undefined when it cannot be read again. */
  readonly wholeText: () => { text: string } | { problems: Problem[] } | undefined;
}

export type Input = InputText | InputStream;

/** Does this text (or its first bytes) start like JSON: `{` or `[` after white space? */
export function looksLikeJson(first: number): boolean {
  return first === 0x7b || first === 0x5b;
}

function firstSignificant(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 0xfeff) return c;
  }
  return -1;
}

/**
 * Hands the documents of `input` (and the items of its Lists) to `out` as they are read;
 * returns the problems instead when it cannot be read (then `out.restart(true)` was called).
 */
export function readInput(input: Input, out: YamlReader): Problem[] {
  if ('bytes' in input) return readJson(input.file, input.bytes(), input.wholeText, out);
  if (!looksLikeJson(firstSignificant(input.text))) return readYamlText(input.file, input.text, out);
  const text = input.text.replace(/^\uFEFF/, '');
  return readJson(input.file, bytesSource(Buffer.from(text)), () => ({ text }), out);
}

function readJson(file: string, bytes: ByteSource, text: InputStream['wholeText'], out: YamlReader): Problem[] {
  const r = streamJson(file, bytes, YAML_LIMITS, out);
  if ('ok' in r) return [];
  out.restart(true);
  if (!r.yamlMayRead) return [r.problem];
  const t = text();
  if (t === undefined) return [r.problem];
  if ('problems' in t) return t.problems;
  return readYamlText(file, t.text, out);
}
