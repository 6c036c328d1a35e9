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
// would build; the differential property tests in test/fuzz check that.
import { InputError, type Problem } from '../errors.js';
import { isMap, isSeq, MapNode, ScalarNode, SeqNode, type YNode } from './ast.js';
import { badChar, blockScalar, UNSUPPORTED_CHARS } from './fast-yaml-block.js';

/** Thrown to abandon the fast path; never escapes fastParseYaml. */
class GiveUp {}
const GIVE_UP = new GiveUp();

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

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const DQUOTE = 34;
const SQUOTE = 39;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const COMMA = 44;
const BACKSLASH = 92;

/** yaml's limit on implicit keys (1024 characters); longer keys go to the full parser. */
const MAX_KEY_LENGTH = 1000;

/** Characters a plain scalar may not start with (YAML c-indicator), besides `-`, handled apart. */
function badPlainStart(c: number): boolean {
  switch (c) {
    case 63: // ?
    case COLON:
    case COMMA:
    case LBRACKET:
    case RBRACKET:
    case LBRACE:
    case RBRACE:
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case SQUOTE:
    case DQUOTE:
    case 37: // %
    case 64: // @
    case 96: // `
      return true;
    default:
      return false;
  }
}

const NULL_RE = /^(?:~|[Nn]ull|NULL)$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A plain scalar as the YAML 1.2 core schema resolves it, tested in the yaml package's order. */
export function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Most scalars start with a letter that no core tag starts with: a string.
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
    // null and booleans have 4 or 5 letters: skip the tests for every other name, tier, type, …
    if (s.length !== 4 && s.length !== 5) return s;
    if (c === 110 || c === 78) return NULL_RE.test(s) ? null : s; // n N
    if (c === 116 || c === 84 || c === 102 || c === 70) return BOOL_RE.test(s) ? (c === 116 || c === 84) : s; // t T f F
    return s;
  }
  // Shortcuts for what clusters are full of, with the results of the tests below: ports
  // (digits only: INT) and addresses (two dots or more: no number, null or bool has that).
  if (c >= 48 && c <= 57) {
    if (allDigits(s)) return parseInt(s, 10);
    const dot = s.indexOf('.');
    if (dot >= 0 && s.indexOf('.', dot + 1) >= 0) return s;
  }
  if (s === '' || NULL_RE.test(s)) return null;
  if (INT_OCT.test(s)) return parseInt(s.substring(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.substring(2), 16);
  if (FLOAT_NAN.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}

export interface FastLimits {
  readonly maxDepth: number;
  readonly maxDocuments: number;
}

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

class FastReader {
  /** Start and end (exclusive, at the newline) of the current line, its indent and number. */
  private ls = 0;
  private le = 0;
  private ind = 0;
  private lineNo = 0;
  private eof = false;

  /** Offset just after what key(), quoted(), flow() and flowScalar() read last (no result objects). */
  private end = 0;

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
    private readonly text: string,
    private readonly limits: FastLimits,
    private readonly out: YamlStream,
    /** Reads a document or List item the fast path gives up on; without it, the whole text is given up. */
    private readonly fallback?: Fallback,
    /** Collections two levels below an object's root are read when first asked for (needs `fallback`); the file's name. */
    private readonly lazy?: string,
  ) {
    this.load(0);
  }

  /** Depth of the root mapping of the object being read: a document's, or a List item's. */
  private objectDepth = 1;

  private load(start: number): void {
    const t = this.text;
    if (start >= t.length) {
      this.eof = true;
      this.ls = this.le = t.length;
      this.ind = 0;
      return;
    }
    this.eof = false;
    this.ls = start;
    const nl = t.indexOf('\n', start);
    this.le = nl < 0 ? t.length : nl;
    this.lineNo++;
    let i = start;
    while (i < this.le && t.charCodeAt(i) === SPACE) i++;
    this.ind = i - start;
  }

  private nextLine(): void {
    if (!this.eof) this.load(this.le + 1);
  }

  /** Continues at the line starting at `offset`, line `line` + the newlines since `from`. */
  private seek(from: number, line: number, offset: number): void {
    let n = line - 1;
    for (let i = this.text.indexOf('\n', from); i >= 0 && i < offset; i = this.text.indexOf('\n', i + 1)) n++;
    this.lineNo = n;
    this.load(offset);
  }

  /** Skips blank and comment-only lines. */
  private skip(): void {
    const t = this.text;
    while (!this.eof) {
      const cs = this.ls + this.ind;
      if (cs < this.le && t.charCodeAt(cs) !== HASH) return;
      if (cs < this.le) this.comment(cs);
      this.nextLine();
    }
  }

  /** A comment from `from` to the end of the line: only its characters need checking. */
  private comment(from: number): void {
    if (UNSUPPORTED_CHARS.test(this.text.slice(from, this.le))) throw GIVE_UP;
  }

  /** `---` at column 0 (possibly followed by a comment); `...` and `--- content` give up. */
  private isMarker(): boolean {
    if (this.ind !== 0) return false;
    const t = this.text;
    const ls = this.ls;
    const c = t.charCodeAt(ls);
    if ((c !== DASH && c !== 46) || t.charCodeAt(ls + 1) !== c || t.charCodeAt(ls + 2) !== c) return false;
    if (ls + 3 < this.le && t.charCodeAt(ls + 3) !== SPACE) return false; // `---x` is a plain scalar
    if (c === 46) throw GIVE_UP; // `...`
    let i = ls + 3;
    while (i < this.le && t.charCodeAt(i) === SPACE) i++;
    if (i < this.le && t.charCodeAt(i) !== HASH) throw GIVE_UP; // content after ---
    if (i < this.le) this.comment(i);
    return true;
  }

  private isSeqItem(at: number): boolean {
    return this.text.charCodeAt(at) === DASH && (at + 1 === this.le || this.text.charCodeAt(at + 1) === SPACE);
  }

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

  /** Is there an implicit key (`key:` followed by a space or the end of the line) at `p`? */
  private isKeyAt(p: number): boolean {
    const t = this.text;
    const le = this.le;
    const c = t.charCodeAt(p);
    if (c === LBRACE || c === LBRACKET) return false;
    let i = p;
    if (c === DQUOTE || c === SQUOTE) {
      i = this.quoteEnd(p);
      if (i < 0) return false;
      while (i < le && t.charCodeAt(i) === SPACE) i++;
      return i < le && t.charCodeAt(i) === COLON && (i + 1 === le || t.charCodeAt(i + 1) === SPACE);
    }
    for (; i < le; i++) {
      const ch = t.charCodeAt(i);
      if (ch === COLON && (i + 1 === le || t.charCodeAt(i + 1) === SPACE)) return true;
      if (ch === HASH && i > p && t.charCodeAt(i - 1) === SPACE) return false;
      if ((ch < 32 || ch >= 127) && badChar(ch)) throw GIVE_UP;
    }
    return false;
  }

  /** Offset just after the closing quote of the quoted scalar at `p` on this line, or -1. */
  private quoteEnd(p: number): number {
    const t = this.text;
    const q = t.charCodeAt(p);
    for (let i = p + 1; i < this.le; i++) {
      const ch = t.charCodeAt(i);
      if ((ch < 32 || ch >= 127) && badChar(ch)) throw GIVE_UP;
      if (q === DQUOTE && ch === BACKSLASH) return -1;
      if (ch === q) {
        if (q === SQUOTE && t.charCodeAt(i + 1) === SQUOTE && i + 1 < this.le) {
          i++;
          continue;
        }
        return i + 1;
      }
    }
    return -1;
  }

  /** The quoted scalar at `p`; this.end is set after its closing quote. */
  private quoted(p: number, line: number): ScalarNode {
    const end = this.quoteEnd(p);
    if (end < 0) throw GIVE_UP;
    let s = this.text.slice(p + 1, end - 1);
    if (this.text.charCodeAt(p) === SQUOTE && s.indexOf("''") >= 0) s = s.replace(/''/g, "'");
    this.end = end;
    return new ScalarNode(s, s, line, p - this.ls + 1);
  }

  /** The key of a block mapping entry at `p`; this.end is set after its `:`. */
  private key(p: number, line: number, col: number): ScalarNode {
    const t = this.text;
    const le = this.le;
    const c = t.charCodeAt(p);
    if (c === DQUOTE || c === SQUOTE) {
      const node = this.quoted(p, line);
      const after = this.end;
      let i = after;
      while (i < le && t.charCodeAt(i) === SPACE) i++;
      if (!(i < le && t.charCodeAt(i) === COLON && (i + 1 === le || t.charCodeAt(i + 1) === SPACE))) throw GIVE_UP;
      if (after - p > MAX_KEY_LENGTH) throw GIVE_UP;
      this.end = i + 1;
      return node;
    }
    if (badPlainStart(c) || (c === DASH && (p + 1 === le || t.charCodeAt(p + 1) === SPACE))) throw GIVE_UP;
    for (let i = p; i < le; i++) {
      const ch = t.charCodeAt(i);
      if (ch === COLON && (i + 1 === le || t.charCodeAt(i + 1) === SPACE)) {
        let e = i;
        while (e > p && t.charCodeAt(e - 1) === SPACE) e--;
        if (e - p > MAX_KEY_LENGTH) throw GIVE_UP;
        const s = t.slice(p, e);
        this.end = i + 1;
        return new ScalarNode(resolvePlain(s), s, line, col);
      }
      if (ch === HASH && i > p && t.charCodeAt(i - 1) === SPACE) break;
      if ((ch < 32 || ch >= 127) && badChar(ch)) throw GIVE_UP;
    }
    throw GIVE_UP; // not a `key: value` line
  }

  /** A value written on the line of its key or list item: a scalar or a one-line flow collection. */
  private inline(p: number, depth: number): YNode {
    const t = this.text;
    const le = this.le;
    const c = t.charCodeAt(p);
    let node: YNode;
    if (c === DQUOTE || c === SQUOTE) {
      node = this.quoted(p, this.lineNo);
    } else if (c === LBRACE || c === LBRACKET) {
      node = this.flow(p, depth);
    } else {
      if (badPlainStart(c) || (c === DASH && (p + 1 === le || t.charCodeAt(p + 1) === SPACE))) throw GIVE_UP;
      let end = le;
      for (let i = p; i < le; i++) {
        const ch = t.charCodeAt(i);
        if (ch === HASH && t.charCodeAt(i - 1) === SPACE) {
          this.comment(i);
          end = i;
          break;
        }
        if (ch === COLON && (i + 1 === le || t.charCodeAt(i + 1) === SPACE)) throw GIVE_UP; // `a: b: c`
        if ((ch < 32 || ch >= 127) && badChar(ch)) throw GIVE_UP;
      }
      while (end > p && t.charCodeAt(end - 1) === SPACE) end--;
      const s = t.slice(p, end);
      return new ScalarNode(resolvePlain(s), s, this.lineNo, p - this.ls + 1);
    }
    // After a quoted scalar or a flow collection: only spaces and a comment.
    const after = this.end;
    let i = after;
    while (i < le && t.charCodeAt(i) === SPACE) i++;
    if (i < le && !(t.charCodeAt(i) === HASH && i > after)) throw GIVE_UP;
    if (i < le) this.comment(i);
    return node;
  }

  /** A flow collection that opens and closes on this line; this.end is set after it. */
  private flow(p: number, depth: number): YNode {
    if (depth > this.limits.maxDepth) throw GIVE_UP;
    const t = this.text;
    const le = this.le;
    const line = this.lineNo;
    const isMap = t.charCodeAt(p) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    const keys: ScalarNode[] = [];
    const values: YNode[] = [];
    const items: YNode[] = [];
    let seen: Set<unknown> | undefined;
    let firstKey: ScalarNode | undefined;
    let i = p + 1;
    const spaces = () => {
      while (i < le && t.charCodeAt(i) === SPACE) i++;
    };
    spaces();
    if (i < le && t.charCodeAt(i) === close) {
      i++;
    } else {
      for (;;) {
        spaces();
        if (i >= le) throw GIVE_UP;
        if (isMap) {
          const k = this.flowScalar(i, true);
          i = this.end;
          spaces();
          if (t.charCodeAt(i) !== COLON) throw GIVE_UP;
          i++;
          if (i < le && t.charCodeAt(i) !== SPACE) throw GIVE_UP;
          spaces();
          const v = this.flowItem(i, depth + 1);
          i = this.end;
          firstKey ??= k;
          seen = addPair(keys, values, 0, keys.length, seen, k, v);
        } else {
          items.push(this.flowItem(i, depth + 1));
          i = this.end;
        }
        spaces();
        const ch = t.charCodeAt(i);
        if (i < le && ch === close) {
          i++;
          break;
        }
        if (!(i < le && ch === COMMA)) throw GIVE_UP;
        i++;
        spaces();
        if (i >= le || t.charCodeAt(i) === close) throw GIVE_UP; // trailing comma
      }
    }
    const col = p - this.ls + 1;
    this.end = i;
    if (isMap) return new MapNode(keys, values, firstKey?.line ?? line, firstKey?.col ?? col);
    return new SeqNode(items, line, col);
  }

  private flowItem(i: number, depth: number): YNode {
    const c = this.text.charCodeAt(i);
    if (c === LBRACE || c === LBRACKET) return this.flow(i, depth);
    return this.flowScalar(i, false);
  }

  /** A scalar inside a flow collection; a plain one ends at `,` `]` `}` (or `:` for a key). */
  private flowScalar(i: number, isKey: boolean): ScalarNode {
    const t = this.text;
    const le = this.le;
    const c = t.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) return this.quoted(i, this.lineNo);
    if (i >= le || badPlainStart(c) || (c === DASH && (i + 1 === le || t.charCodeAt(i + 1) === SPACE))) throw GIVE_UP;
    let j = i;
    for (; j < le; j++) {
      const ch = t.charCodeAt(j);
      if (ch === COMMA || ch === RBRACKET || ch === RBRACE) break;
      if (ch === COLON) {
        if (isKey && (j + 1 === le || t.charCodeAt(j + 1) === SPACE)) break;
        throw GIVE_UP; // `a:b` in flow, or a single-pair mapping in a list
      }
      if (ch === LBRACKET || ch === LBRACE || ch === HASH) throw GIVE_UP;
      if ((ch < 32 || ch >= 127) && badChar(ch)) throw GIVE_UP;
    }
    let e = j;
    while (e > i && t.charCodeAt(e - 1) === SPACE) e--;
    if (e === i) throw GIVE_UP;
    const s = t.slice(i, e);
    this.end = j;
    return new ScalarNode(resolvePlain(s), s, this.lineNo, i - this.ls + 1);
  }
}

/**
 * Puts a pair at `top` of the mapping whose pairs start at `base` in keys/values; a key
 * written twice goes to the full parser, which reports it. Large mappings keep a set of
 * their keys (`seen`, returned) so duplicate detection stays linear.
 */
function addPair(keys: ScalarNode[], values: YNode[], base: number, top: number, seen: Set<unknown> | undefined, key: ScalarNode, value: YNode): Set<unknown> | undefined {
  const k = key.value;
  if (k !== k) throw GIVE_UP; // NaN keys: let the full parser decide
  if (top - base < 16) {
    for (let i = base; i < top; i++) if (keys[i]?.value === k) throw GIVE_UP;
  } else {
    if (!seen) {
      seen = new Set();
      for (let i = base; i < top; i++) seen.add(keys[i]?.value);
    }
    if (seen.has(k)) throw GIVE_UP;
    seen.add(k);
  }
  keys[top] = key;
  values[top] = value;
  return seen;
}
