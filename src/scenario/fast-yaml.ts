// A fast reader for the YAML most cluster files are written in: block mappings and lists,
// one-line flow collections (`{ app: web }`, `[a, b]`), plain and simply quoted scalars,
// comments and `---` between documents — what `kubectl get -o yaml` prints and what people
// write by hand. It builds the loader's model (ast.ts) directly, several times faster and
// with far less memory than the general `yaml` package, which matters for clusters of tens
// of thousands of pods.
//
// Literal block scalars (`|`, `|-`, `|+`: kubectl prints last-applied-configuration so) are
// read too (fast-yaml-block.ts). It gives up on anything else — anchors and aliases, tags,
// folded scalars, multi-line scalars or flow collections, escapes, tabs, control
// characters, any syntax error, duplicate keys, deep nesting — and then only the document
// it was reading (or the item of a large List) is read by the `yaml` package, which
// reports errors exactly (see `Fallback`); the rest of the file stays on the fast path. So
// for every text it accepts it must build what the `yaml` package (YAML 1.2 core schema)
// would build; the differential property tests in test/fuzz check that. This file reads the
// structure (documents, mappings, lists, what is read later or apart); fast-yaml-lines.ts
// reads lines, keys and scalars.
import { InputError, type Problem } from '../errors.js';
import { isMap, isSeq, MapNode, ScalarNode, SeqNode, type YNode } from './ast.js';
import { blockScalar } from './fast-yaml-block.js';
import { addPair, DASH, GIVE_UP, HASH, LineReader, SPACE, type FastLimits } from './fast-yaml-lines.js';

export { resolvePlain, type FastLimits } from './fast-yaml-lines.js';

/** Thrown when the text has more documents than the limit: a problem, not a reason to re-read it. */
class TooManyDocuments {
  constructor(readonly line: number) {}
}

/** Thrown when a document read by the fallback does not fit (the whole file is then read by it). */
class WholeFile {}
const WHOLE_FILE = new WholeFile();

/** Thrown when the items of a document that is not a List after all were handed over as a List's. */
class NotAList {}
const NOT_A_LIST = new NotAList();

/**
 * The documents of `text` (null for an empty one), or undefined when the text is not in the
 * subset this reader handles (then use the `yaml` package). No fallback: for tests.
 */
export function fastParseYaml(text: string, limits: FastLimits): Array<YNode | null> | undefined {
  const docs: Array<YNode | null> = [];
  return streamYaml(text, limits, { onDocument: (d) => docs.push(d) }) === true ? docs : undefined;
}

/** What the full parser made of a part of the text: its documents, or its problems. */
export type SlowResult = { readonly docs: ReadonlyArray<YNode | null>; readonly problems: readonly Problem[] };

/**
 * Reads `text.slice(from, to)` with the full parser: a part that starts at the start of line
 * `line` and holds nodes nested `depth` deep in the file (positions and the depth limit are
 * those of the whole file).
 */
export type Fallback = (from: number, to: number, line: number, depth: number) => SlowResult;

/** What streamYaml hands over, as soon as it is read. */
export interface YamlStream {
  /** Each document's root (null for an empty one), in order, once the document is read. */
  onDocument(root: YNode | null): void;
  /**
   * With this, the items of a `kind: List` (or `kind: …List`) document's top-level `items`
   * are handed over one by one as they are read, and left out of the document: a large
   * List never has to be held in memory at once.
   */
  onListItem?(item: YNode, index: number): void;
  /** A document starts: what is handed over from now on is taken back by `restart(false)`. */
  documentStart?(): void;
  /** Takes back what was handed over: since the current document started, or (`all`) since the start. */
  restart?(all: boolean): void;
}

/**
 * Reads `text` and hands its documents over as they are read: true when done; the problems
 * `fallback` found in the documents it read; false when the text must be read whole by the
 * `yaml` package (without `fallback`, as soon as anything is not in the subset this reader
 * handles; then what was handed over must be discarded); or the line of the first document
 * over the limit on documents (then the text is refused).
 */
export function streamYaml(text: string, limits: FastLimits, out: YamlStream, fallback?: Fallback, lazyIn?: string): boolean | { tooManyDocumentsAt: number } | { problems: Problem[] } {
  const reader = new FastReader(text, limits, out, fallback, fallback ? lazyIn : undefined);
  try {
    reader.documents();
    return reader.problems.length > 0 ? { problems: reader.problems } : true;
  } catch (e) {
    if (e === GIVE_UP || e === WHOLE_FILE) return false;
    if (e instanceof TooManyDocuments) return { tooManyDocumentsAt: e.line };
    throw e;
  }
}

/** Is there a `...` document end marker line? */
function hasEndMarker(t: string): boolean {
  for (let i = t.startsWith('...') ? 0 : t.indexOf('\n...'); i >= 0; i = t.indexOf('\n...', i + 1)) {
    const c = t.charCodeAt(i === 0 && t.startsWith('...') ? 3 : i + 4);
    if (Number.isNaN(c) || c === 32 || c === 9 || c === 10 || c === 13) return true;
  }
  return false;
}

/** Is this the `kind` of a List whose items can be streamed? (collectObject's rule.) */
function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && kind.endsWith('List');
}

class FastReader extends LineReader {

  /**
   * Keys, values and list items of the collections being read, stacked: each collection
   * copies its own span out at the end, so its arrays are exactly as long as needed (tens of
   * thousands of small mappings would otherwise each carry two mostly empty growth buffers).
   */
  private readonly keyStack: ScalarNode[] = [];
  private readonly valueStack: YNode[] = [];
  private readonly itemStack: YNode[] = [];
  /** Tops of the stacks (not their lengths: shrinking an array's length is slow; stale slots get overwritten). */
  private pairTop = 0;
  private itemTop = 0;

  /** Problems the fallback found in the documents it read. */
  readonly problems: Problem[] = [];

  constructor(
    text: string,
    limits: FastLimits,
    private readonly out: YamlStream,
    /** Reads a document or List item the fast path gives up on; without it, the whole text is given up. */
    private readonly fallback?: Fallback,
    /** Collections two levels below an object's root are read when first asked for (needs `fallback`); the file's name. */
    private readonly lazy?: string,
  ) {
    super(text, limits);
  }

  /** Depth of the root mapping of the object being read: a document's, or a List item's. */
  private objectDepth = 1;

  documents(): void {
    let count = 0;
    this.skip();
    let afterFirst = false;
    while (!this.eof) {
      // A document spans from its `---` line (the first one from the start of the text) to the next.
      const start = afterFirst ? this.ls : 0;
      const line = afterFirst ? this.lineNo : 1;
      if (afterFirst && count >= this.limits.maxDocuments) throw new TooManyDocuments(this.lineNo);
      count++;
      this.out.documentStart?.();
      this.objectDepth = 1;
      try {
        this.document(afterFirst);
      } catch (e) {
        if (e === NOT_A_LIST) {
          // Read it again, its items in it.
          this.out.restart?.(false);
          this.pairTop = 0;
          this.itemTop = 0;
          this.seek(start, line, start);
          this.objectDepth = 1;
          this.listed = false;
          this.document(afterFirst);
          this.listed = true;
        } else {
          if (e !== GIVE_UP || !this.apart()) throw e;
          this.readApart(start, line);
        }
      }
      afterFirst = true;
    }
  }

  /** May the fallback read a document apart? Not when directives or `...` end markers tie them together. */
  private apart(): boolean {
    const t = this.text;
    this.apartOk ??= this.fallback !== undefined && !t.startsWith('%') && !t.includes('\n%') && !hasEndMarker(t);
    return this.apartOk;
  }

  private apartOk: boolean | undefined;
  /** May a document's `items` be handed over as a List's before its `kind` is known? */
  private listed = true;

  /** One document: the text's first one (which needs no `---`), or one after a `---` line. */
  private document(afterFirst: boolean): void {
    if (!afterFirst && !this.isMarker()) {
      this.out.onDocument(this.body());
      return;
    }
    if (!this.isMarker()) throw GIVE_UP;
    this.nextLine();
    this.skip();
    if (this.eof || this.isMarker()) this.out.onDocument(null);
    else this.out.onDocument(this.body());
  }

  /**
   * The document from `start` (line `line`) on, read by the fallback after what was handed
   * over of it is taken back; its problems are kept, and reading goes on after it.
   */
  private readApart(start: number, line: number): void {
    const fallback = this.fallback as Fallback;
    this.out.restart?.(false);
    this.pairTop = 0;
    this.itemTop = 0;
    const end = this.documentEnd(start);
    const got = fallback(start, end, line, 0);
    if (got.problems.length > 0) this.problems.push(...got.problems);
    else if (got.docs.length !== 1) throw WHOLE_FILE;
    else this.out.onDocument(got.docs[0] ?? null);
    this.seek(start, line, end);
  }

  /** Where the document that starts at `start` ends: the next `---` line, or the end of the text. */
  private documentEnd(start: number): number {
    const t = this.text;
    for (let m = t.indexOf('\n---', start); m >= 0; m = t.indexOf('\n---', m + 1)) {
      const c = t.charCodeAt(m + 4);
      if (m + 4 >= t.length || c === SPACE || c === 10 || c === 9 || c === 13) return m + 1;
    }
    return t.length;
  }

  /**
   * Where the List item whose `- ` is at `start` (column `indent` + 1) ends: the next line
   * indented no more than it that is neither blank nor a comment, or the end of the text.
   */
  private itemEnd(start: number, indent: number): number {
    const t = this.text;
    for (let nl = t.indexOf('\n', start); nl >= 0; nl = t.indexOf('\n', nl + 1)) {
      let i = nl + 1;
      while (t.charCodeAt(i) === SPACE) i++;
      if (i >= t.length) return t.length;
      const c = t.charCodeAt(i);
      if (c === 10 || c === HASH) continue;
      if (i - nl - 1 <= indent) return nl + 1;
    }
    return t.length;
  }

  /** One document's root node; what follows must be the next `---` or the end. */
  private body(): YNode {
    const node = this.node(1);
    this.skip();
    if (!this.eof && !this.isMarker()) throw GIVE_UP;
    return node;
  }

  /** The block node starting on the current (significant) line. */
  private node(depth: number, stream = false): YNode {
    if (depth > this.limits.maxDepth) throw GIVE_UP;
    const cs = this.ls + this.ind;
    if (this.isSeqItem(cs)) return this.seq(this.ind, depth, stream);
    return this.map(this.ind, cs, depth);
  }

  /** A block list; with `stream`, its items go to onListItem instead of into the list. */
  private seq(indent: number, depth: number, stream = false): SeqNode {
    const emit = stream ? this.out.onListItem : undefined;
    let index = 0;
    const t = this.text;
    const items = this.itemStack;
    const base = this.itemTop;
    const line = this.lineNo;
    const col = indent + 1;
    for (;;) {
      this.skip();
      if (this.eof || this.ind < indent) break;
      if (this.ind > indent) throw GIVE_UP;
      if (indent === 0 && this.isMarker()) break;
      const d = this.ls + this.ind;
      if (!this.isSeqItem(d)) break; // the mapping this list is a value of goes on
      let item: YNode;
      if (!emit || !this.fallback) item = this.item(d, indent, depth);
      else {
        // A List's item the fast path gives up on is read apart (a List is most of a dump).
        const start = this.ls;
        const itemLine = this.lineNo;
        const pairs = this.pairTop;
        const listed = this.itemTop;
        try {
          this.objectDepth = depth + 1;
          item = this.item(d, indent, depth);
        } catch (e) {
          if (e !== GIVE_UP || !this.apart()) throw e;
          this.pairTop = pairs;
          this.itemTop = listed;
          item = this.itemApart(start, itemLine, indent, depth);
        }
      }
      if (emit) emit.call(this.out, item, index++);
      else items[this.itemTop++] = item;
    }
    const own = items.slice(base, this.itemTop);
    this.itemTop = base;
    if (emit) this.objectDepth = depth - 1; // back in the List document's root
    return new SeqNode(own, line, col);
  }

  /**
   * The block collection (a mapping, or a list) that is the value of a key indented
   * `keyIndent`, starting on the current line, made to be read when first asked for: its
   * lines are skipped now; undefined when it is something else (read it now).
   */
  private later(keyIndent: number, depth: number): YNode | undefined {
    const t = this.text;
    const first = this.ls + this.ind;
    const seq = this.isSeqItem(first);
    if (!seq && !this.isKeyAt(first)) return undefined;
    const start = this.ls;
    const line = this.lineNo;
    const col = this.ind + 1;
    const indentless = seq && this.ind === keyIndent;
    const objectDepth = this.objectDepth;
    let lines = 1;
    let end = t.length;
    for (let nl = this.le; nl < t.length; lines++) {
      const next = nl + 1;
      nl = t.indexOf('\n', next);
      if (nl < 0) nl = t.length;
      // Deeper than the key: its first keyIndent + 1 characters are spaces (most lines: look no further).
      const deep = next + keyIndent + 1;
      let i = next;
      while (i < deep && t.charCodeAt(i) === SPACE) i++;
      if (i === deep || i === nl || t.charCodeAt(i) === HASH) continue;
      if (indentless && i - next === keyIndent && t.charCodeAt(i) === DASH && (i + 1 === nl || t.charCodeAt(i + 1) === SPACE)) continue;
      end = next;
      break;
    }
    this.lineNo = line + lines - 1;
    this.load(end);
    if (seq) {
      return new SeqNode([], line, col, () => {
        const node = this.readLater(start, end, line, col, keyIndent, depth, indentless, objectDepth);
        return isSeq(node) ? node.items : this.notThere(line, col, 'a list');
      });
    }
    return new MapNode([], [], line, col, () => {
      const node = this.readLater(start, end, line, col, keyIndent, depth, false, objectDepth);
      return isMap(node) ? { keys: node.keys, values: node.values } : this.notThere(line, col, 'a mapping');
    });
  }

  private notThere(line: number, col: number, what: string): never {
    throw new InputError([{ pos: { file: this.lazy ?? '', line, col }, message: `invalid YAML: expected ${what} here` }]);
  }

  /** A collection made by later(), read now: by the fast path, else by the fallback (problems are thrown). */
  private readLater(start: number, end: number, line: number, col: number, keyIndent: number, depth: number, indentless: boolean, objectDepth: number): YNode | null | undefined {
    const r = new FastReader(this.text, this.limits, { onDocument: () => undefined }, this.fallback, this.lazy);
    r.objectDepth = objectDepth;
    r.seek(start, line, start);
    try {
      const node = r.isSeqItem(r.ls + r.ind) ? r.seq(indentless ? keyIndent : r.ind, depth) : r.map(r.ind, r.ls + r.ind, depth);
      r.skip();
      if (r.eof ? end !== this.text.length : r.ls !== end) throw GIVE_UP;
      return node;
    } catch (e) {
      if (e !== GIVE_UP) throw e;
    }
    const got = (this.fallback as Fallback)(start, end, line, depth - 1);
    if (got.problems.length > 0) throw new InputError(got.problems);
    if (got.docs.length !== 1) this.notThere(line, col, 'one collection');
    return got.docs[0];
  }

  /** The item of a block list whose `- ` is at `d`. */
  private item(d: number, indent: number, depth: number): YNode {
    const t = this.text;
    let p = d + 1;
    while (p < this.le && t.charCodeAt(p) === SPACE) p++;
    if (p === this.le || t.charCodeAt(p) === HASH) {
      if (p < this.le) this.comment(p);
      this.nextLine();
      this.skip();
      if (this.eof || this.ind <= indent || (this.ind === 0 && this.isMarker())) throw GIVE_UP; // empty item
      return this.node(depth + 1);
    }
    if (this.isSeqItem(p)) throw GIVE_UP; // `- - x`
    if (this.isKeyAt(p)) return this.map(p - this.ls, p, depth + 1);
    return this.value(p, depth + 1, indent);
  }

  /** The List item from `start` (line `line`) on, read by the fallback; a problem gives up the document. */
  private itemApart(start: number, line: number, indent: number, depth: number): YNode {
    const end = this.itemEnd(start, indent);
    const got = (this.fallback as Fallback)(start, end, line, depth - 1); // the list is the part's root
    const seq = got.docs[0];
    const item = isSeq(seq) && seq.items.length === 1 ? seq.items[0] : undefined;
    if (got.problems.length > 0 || got.docs.length !== 1 || !item) throw GIVE_UP;
    this.seek(start, line, end);
    return item;
  }

  /** A value written after `key:` or `- ` at `p`; the next line is current after it. */
  private value(p: number, depth: number, parentIndent: number): YNode {
    if (this.text.charCodeAt(p) === 124) { // `|`: a literal block scalar
      const r = blockScalar(this.text, p, this.le, parentIndent);
      if (!r) throw GIVE_UP;
      const node = new ScalarNode(r.value, r.value, this.lineNo, p - this.ls + 1);
      this.seek(this.le + 1, this.lineNo + 1, r.end);
      return node;
    }
    const node = this.inline(p, depth);
    this.nextLine();
    return node;
  }

  /** A block mapping at `indent`; its first key starts at `first` (after `- ` in a list item). */
  private map(indent: number, first: number, depth: number): MapNode {
    if (depth > this.limits.maxDepth) throw GIVE_UP;
    const t = this.text;
    const keys = this.keyStack;
    const values = this.valueStack;
    const base = this.pairTop;
    let seen: Set<unknown> | undefined;
    let start = first;
    let line = 0;
    let col = 0;
    for (;;) {
      if (this.pairTop > base) {
        this.skip();
        if (this.eof || this.ind < indent) break;
        if (this.ind > indent) throw GIVE_UP;
        if (indent === 0 && this.isMarker()) break;
        start = this.ls + this.ind;
        if (this.isSeqItem(start)) throw GIVE_UP; // a list where a key belongs
      }
      const keyLine = this.lineNo;
      const keyCol = start - this.ls + 1;
      const key = this.key(start, keyLine, keyCol);
      if (this.pairTop === base) {
        line = keyLine;
        col = keyCol;
      }
      let p = this.end;
      while (p < this.le && t.charCodeAt(p) === SPACE) p++;
      let value: YNode;
      if (p === this.le || t.charCodeAt(p) === HASH) {
        if (p < this.le) this.comment(p);
        const emptyCol = p - this.ls + 1; // where yaml places an empty value
        // A List document's `items` may be handed over one by one (see YamlStream).
        const stream = depth === 1 && key.value === 'items' && this.out.onListItem !== undefined && this.isList(base);
        this.nextLine();
        this.skip();
        const later = !stream && this.lazy && depth + 1 >= this.objectDepth + 2;
        if (!this.eof && this.ind > indent && !(this.ind === 0 && this.isMarker())) value = (later && this.later(indent, depth + 1)) || this.node(depth + 1, stream);
        else if (!this.eof && this.ind === indent && this.isSeqItem(this.ls + this.ind)) value = (later && this.later(indent, depth + 1)) || this.seq(indent, depth + 1, stream);
        else value = new ScalarNode(null, '', keyLine, emptyCol);
      } else {
        value = this.value(p, depth + 1, indent);
      }
      seen = addPair(keys, values, base, this.pairTop, seen, key, value);
      this.pairTop++;
    }
    const own = new MapNode(keys.slice(base, this.pairTop), values.slice(base, this.pairTop), line, col);
    this.pairTop = base;
    if (depth === 1 && this.listed && this.out.onListItem && !this.isListDocument(own)) throw NOT_A_LIST;
    return own;
  }

  /** Is a document root whose `items` may have been handed over really a List? */
  private isListDocument(root: MapNode): boolean {
    let items: YNode | null | undefined;
    let kind: YNode | null | undefined;
    root.keys.forEach((k, i) => {
      if (k?.kind === 'scalar' && k.value === 'items') items = root.values[i];
      if (k?.kind === 'scalar' && k.value === 'kind') kind = root.values[i];
    });
    // Streamed items leave an empty list behind.
    if (!isSeq(items) || items.items.length > 0) return true;
    return kind?.kind === 'scalar' && isListKind(kind.value);
  }

  /**
   * May the `items` of the document whose root mapping is being read (its keys so far from
   * `base`) be handed over as a List's? Yes if its `kind` so far says List; when `kind` comes
   * later (kubectl prints it after `items`), yes, and map() checks it at the end.
   */
  private isList(base: number): boolean {
    for (let i = base; i < this.pairTop; i++) {
      if (this.keyStack[i]?.value !== 'kind') continue;
      const v = this.valueStack[i];
      return v !== undefined && v.kind === 'scalar' && isListKind(v.value);
    }
    return this.listed;
  }
}
