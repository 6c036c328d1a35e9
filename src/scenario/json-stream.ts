// JSON input (`kubectl get … -o json`) read as a stream of bytes into the loader's model
// (ast.ts), with the positions the `yaml` package gives the same text: a 1 GiB dump is
// never held as text, and the items of a List are handed over one by one and dropped.
// Collections two levels below an object's root (managedFields, status.conditions,
// spec.volumes, …) are, when laid out as kubectl prints them, kept as bytes and read only
// if a reader looks into them (json-bytes.ts region()); otherwise `metadata.managedFields`
// is checked but not built. Values are what the yaml package (YAML 1.2 core schema) makes
// of JSON; the differential test in test/fuzz checks it. Concatenated JSON values (`jq`
// output) are read as documents.
import { InputError, type Problem } from '../errors.js';
import { isMap, isSeq, MapNode, ScalarNode, SeqNode, type YNode } from './ast.js';
import { resolvePlain, type FastLimits, type YamlStream } from './fast-yaml.js';
import { bytesSource, JsonBytes, type ByteSource } from './json-bytes.js';

/** How a JSON read ended: done, or one problem; `yamlMayRead`: the YAML reader may know better (valid YAML, not JSON). */
export type JsonOutcome = { readonly ok: true } | { readonly problem: Problem; readonly yamlMayRead: boolean };

class Stop {
  constructor(
    readonly line: number,
    readonly col: number,
    readonly message: string,
    readonly yamlMayRead: boolean,
  ) {}
}

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

const isListKind = (k: unknown): boolean => typeof k === 'string' && k.endsWith('List');

/**
 * Reads every JSON value of `source` and hands each over as a document; the items of a
 * top-level List's `items` go to `out.onListItem` as they are read when it is given.
 */
export function streamJson(file: string, source: ByteSource, limits: FastLimits, out: YamlStream): JsonOutcome {
  const r = new JsonReader(new JsonBytes(source), limits, out, file);
  try {
    r.documents();
    return { ok: true };
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return { problem: { pos: { file, line: e.line, col: e.col }, message: e.message }, yamlMayRead: e.yamlMayRead };
  }
}

const NO_OUT: YamlStream = { onDocument: () => undefined };

class JsonReader {
  constructor(
    readonly bytes: JsonBytes,
    private readonly limits: FastLimits,
    private readonly out: YamlStream,
    private readonly file: string,
  ) {}

  /** Depth of the root object being read: a document's, or a List item's. */
  private objectDepth = 1;

  /** Stops at offset `i` of the current line: not JSON there (or not readable: too large, not UTF-8). */
  fail(i: number, what: string): never {
    const b = this.bytes;
    const c = b.at(i);
    const stop = b.stop();
    if (stop) throw new Stop(stop.line, stop.col, stop.message, false);
    if (c === 0) throw new Stop(b.line, b.col(i), 'not UTF-8 text (a NUL byte: binary or UTF-16 data?)', false);
    const found = c < 0 ? 'the end of the input' : c > 32 && c < 127 ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
    throw new Stop(b.line, b.col(i), `invalid JSON: expected ${what}, found ${found}`, true);
  }

  private stopHere(message: string): never {
    const b = this.bytes;
    throw new Stop(b.line, b.col(b.pos), message, true);
  }

  documents(): void {
    const b = this.bytes;
    let count = 0;
    for (;;) {
      b.skipSpace();
      if (b.at(b.pos) < 0) {
        const stop = b.stop();
        if (stop) throw new Stop(stop.line, stop.col, stop.message, false);
        return;
      }
      if (count >= this.limits.maxDocuments) this.stopHere(`too many JSON values (more than ${this.limits.maxDocuments} in one file)`);
      count++;
      this.out.documentStart?.();
      this.objectDepth = 1;
      this.out.onDocument(this.value(1, undefined, true));
    }
  }

  /** The value at the current position; `parentKey` names the key it is the value of. */
  value(depth: number, parentKey: string | undefined, top = false): YNode {
    const b = this.bytes;
    b.skipSpace();
    const c = b.at(b.pos);
    if (c === LBRACE) return this.object(depth, parentKey, top);
    if (c === LBRACKET) return this.array(depth);
    const line = b.line;
    const col = b.col(b.pos);
    if (c === QUOTE) {
      const s = b.string();
      if (s === undefined) this.fail(b.pos, 'a string');
      return new ScalarNode(s, s, line, col);
    }
    const text = b.word();
    if (text === 'true' || text === 'false' || text === 'null') return new ScalarNode(text === 'null' ? null : text === 'true', text, line, col);
    if (text !== undefined && /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/.test(text)) return new ScalarNode(resolvePlain(text), text, line, col);
    if (text !== undefined) throw new Stop(line, col, `invalid JSON: expected a JSON value, found '${text.slice(0, 20)}'`, true);
    return this.fail(b.pos, 'a JSON value');
  }

  private deeper(depth: number): void {
    if (depth > this.limits.maxDepth) this.stopHere(`nesting too deep (more than ${this.limits.maxDepth} levels of mappings and lists)`);
  }

  private object(depth: number, parentKey: string | undefined, top: boolean): MapNode {
    this.deeper(depth);
    const b = this.bytes;
    const line = b.line;
    const col = b.col(b.pos);
    b.pos++;
    const keys: ScalarNode[] = [];
    const values: YNode[] = [];
    let seen: Set<string> | undefined;
    let kind: unknown;
    let streamed: { line: number; col: number } | undefined;
    b.skipSpace();
    if (b.at(b.pos) === RBRACE) {
      b.pos++;
      return new MapNode(keys, values, line, col);
    }
    for (;;) {
      b.skipSpace();
      if (b.at(b.pos) !== QUOTE) this.fail(b.pos, 'a key in quotes');
      const keyLine = b.line;
      const keyCol = b.col(b.pos);
      const keyIndent = b.indent;
      const k = b.string();
      if (k === undefined) this.fail(b.pos, 'a key');
      b.skipSpace();
      if (b.at(b.pos) !== COLON) this.fail(b.pos, "':'");
      b.pos++;
      if (keys.length < 16) {
        for (const x of keys) if (x.value === k) throw new Stop(keyLine, keyCol, `duplicate key '${k}' (expected each key once per mapping)`, true);
      } else {
        seen ??= new Set(keys.map((x) => x.value as string));
        if (seen.has(k)) throw new Stop(keyLine, keyCol, `duplicate key '${k}' (expected each key once per mapping)`, true);
        seen.add(k);
      }
      keys.push(new ScalarNode(k, k, keyLine, keyCol));
      b.skipSpace();
      let v: YNode | undefined;
      const c0 = b.at(b.pos);
      if ((c0 === LBRACE || c0 === LBRACKET) && depth + 1 >= this.objectDepth + 2) {
        const region = b.region(keyIndent);
        if (region) {
          v = this.later(region, depth + 1, k);
          b.pos++;
        }
      }
      if (v) {
        // read later
      } else if (k === 'managedFields' && parentKey === 'metadata' && c0 === LBRACKET) {
        // Nothing reads it: checked, and left out (an empty list where it was).
        const l = b.line;
        const cl = b.col(b.pos);
        this.skip(depth + 1);
        v = new SeqNode([], l, cl);
      } else if (top && k === 'items' && this.out.onListItem && b.at(b.pos) === LBRACKET && (kind === undefined || isListKind(kind))) {
        streamed = { line: b.line, col: b.col(b.pos) };
        v = this.array(depth + 1, true);
      } else {
        v = this.value(depth + 1, k);
      }
      if (top && k === 'kind' && v.kind === 'scalar') kind = v.value;
      values.push(v);
      b.skipSpace();
      const c = b.at(b.pos);
      b.pos++;
      if (c === RBRACE) break;
      if (c !== COMMA) this.fail(b.pos - 1, "',' or '}'");
    }
    // Items handed over as a List's when the object is not one: the YAML reader reads it whole.
    if (streamed && !isListKind(kind)) throw new Stop(streamed.line, streamed.col, `'items' of an object of kind ${JSON.stringify(kind ?? null)} read as a List's`, true);
    return new MapNode(keys, values, keys[0]?.line ?? line, keys[0]?.col ?? col);
  }

  private array(depth: number, stream = false): SeqNode {
    this.deeper(depth);
    const b = this.bytes;
    const line = b.line;
    const col = b.col(b.pos);
    b.pos++;
    const items: YNode[] = [];
    let index = 0;
    b.skipSpace();
    if (b.at(b.pos) === RBRACKET) {
      b.pos++;
      return new SeqNode(items, line, col);
    }
    for (;;) {
      if (stream) this.objectDepth = depth + 1;
      const item = this.value(depth + 1, undefined);
      if (stream) this.out.onListItem?.(item, index++);
      else items.push(item);
      b.skipSpace();
      const c = b.at(b.pos);
      b.pos++;
      if (c === RBRACKET) break;
      if (c !== COMMA) this.fail(b.pos - 1, "',' or ']'");
    }
    return new SeqNode(items, line, col);
  }

  /** A collection kept as its bytes (json-bytes.ts region()), read when first asked for. */
  private later(region: NonNullable<ReturnType<JsonBytes['region']>>, depth: number, parentKey: string): YNode {
    const { bytes, line, col, first } = region;
    const { limits, file, objectDepth } = this;
    const read = (): YNode => {
      const r = new JsonReader(new JsonBytes(bytesSource(bytes), { line, col }), limits, NO_OUT, file);
      r.objectDepth = objectDepth;
      try {
        const v = r.value(depth, parentKey);
        r.bytes.skipSpace();
        if (r.bytes.at(r.bytes.pos) >= 0) r.fail(r.bytes.pos, 'the end of the collection');
        return v;
      } catch (e) {
        if (e instanceof Stop) throw new InputError([{ pos: { file, line: e.line, col: e.col }, message: e.message }]);
        throw e;
      }
    };
    if (bytes[0] === LBRACE) {
      return new MapNode([], [], first.line, first.col, () => {
        const m = read();
        return isMap(m) ? { keys: m.keys, values: m.values } : { keys: [], values: [] };
      });
    }
    return new SeqNode([], line, col, () => {
      const s = read();
      return isSeq(s) ? s.items : [];
    });
  }

  /** Reads a value without building it (its keys are not checked for duplicates). */
  private skip(depth: number): void {
    this.deeper(depth);
    const b = this.bytes;
    b.skipSpace();
    const c = b.at(b.pos);
    if (c === QUOTE) {
      if (!b.skipString()) this.fail(b.pos, 'a string');
      return;
    }
    if (c !== LBRACE && c !== LBRACKET) {
      this.value(depth, undefined);
      return;
    }
    const close = c === LBRACE ? RBRACE : RBRACKET;
    b.pos++;
    b.skipSpace();
    if (b.at(b.pos) === close) {
      b.pos++;
      return;
    }
    for (;;) {
      if (close === RBRACE) {
        b.skipSpace();
        if (b.at(b.pos) !== QUOTE || !b.skipString()) this.fail(b.pos, 'a key in quotes');
        b.skipSpace();
        if (b.at(b.pos) !== COLON) this.fail(b.pos, "':'");
        b.pos++;
      }
      this.skip(depth + 1);
      b.skipSpace();
      const d = b.at(b.pos);
      b.pos++;
      if (d === close) return;
      if (d !== COMMA) this.fail(b.pos - 1, close === RBRACE ? "',' or '}'" : "',' or ']'");
    }
  }
}

