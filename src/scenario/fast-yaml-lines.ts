// The line and scalar level of the fast YAML reader (fast-yaml.ts): lines and their
// indentation, comments, `---`, keys, plain and simply quoted scalars, one-line flow
// collections, and the YAML 1.2 core schema's reading of plain scalars. Anything else gives
// up (GIVE_UP), and the structure reader decides what reads it instead.
import { MapNode, ScalarNode, SeqNode, type YNode } from './ast.js';
import { badChar, UNSUPPORTED_CHARS } from './fast-yaml-block.js';

/** Thrown to abandon the fast path; never escapes fastParseYaml. */
class GiveUp {}
export const GIVE_UP = new GiveUp();

export const SPACE = 32;
export const HASH = 35;
const COLON = 58;
export const DASH = 45;
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

/** A text read line by line: where the reader is, and the scalars and flow collections on a line. */
export abstract class LineReader {
  /** Start and end (exclusive, at the newline) of the current line, its indent and number. */
  protected ls = 0;
  protected le = 0;
  protected ind = 0;
  protected lineNo = 0;
  protected eof = false;

  /** Offset just after what key(), quoted(), flow() and flowScalar() read last (no result objects). */
  protected end = 0;

  constructor(
    protected readonly text: string,
    protected readonly limits: FastLimits,
  ) {
    this.load(0);
  }

  protected load(start: number): void {
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

  protected nextLine(): void {
    if (!this.eof) this.load(this.le + 1);
  }

  /** Continues at the line starting at `offset`, line `line` + the newlines since `from`. */
  protected seek(from: number, line: number, offset: number): void {
    let n = line - 1;
    for (let i = this.text.indexOf('\n', from); i >= 0 && i < offset; i = this.text.indexOf('\n', i + 1)) n++;
    this.lineNo = n;
    this.load(offset);
  }

  /** Skips blank and comment-only lines. */
  protected skip(): void {
    const t = this.text;
    while (!this.eof) {
      const cs = this.ls + this.ind;
      if (cs < this.le && t.charCodeAt(cs) !== HASH) return;
      if (cs < this.le) this.comment(cs);
      this.nextLine();
    }
  }

  /** A comment from `from` to the end of the line: only its characters need checking. */
  protected comment(from: number): void {
    if (UNSUPPORTED_CHARS.test(this.text.slice(from, this.le))) throw GIVE_UP;
  }

  /** `---` at column 0 (possibly followed by a comment); `...` and `--- content` give up. */
  protected isMarker(): boolean {
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

  protected isSeqItem(at: number): boolean {
    return this.text.charCodeAt(at) === DASH && (at + 1 === this.le || this.text.charCodeAt(at + 1) === SPACE);
  }

  /** Is there an implicit key (`key:` followed by a space or the end of the line) at `p`? */
  protected isKeyAt(p: number): boolean {
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
  protected quoteEnd(p: number): number {
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
  protected quoted(p: number, line: number): ScalarNode {
    const end = this.quoteEnd(p);
    if (end < 0) throw GIVE_UP;
    let s = this.text.slice(p + 1, end - 1);
    if (this.text.charCodeAt(p) === SQUOTE && s.indexOf("''") >= 0) s = s.replace(/''/g, "'");
    this.end = end;
    return new ScalarNode(s, s, line, p - this.ls + 1);
  }

  /** The key of a block mapping entry at `p`; this.end is set after its `:`. */
  protected key(p: number, line: number, col: number): ScalarNode {
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
  protected inline(p: number, depth: number): YNode {
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
  protected flow(p: number, depth: number): YNode {
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

  protected flowItem(i: number, depth: number): YNode {
    const c = this.text.charCodeAt(i);
    if (c === LBRACE || c === LBRACKET) return this.flow(i, depth);
    return this.flowScalar(i, false);
  }

  /** A scalar inside a flow collection; a plain one ends at `,` `]` `}` (or `:` for a key). */
  protected flowScalar(i: number, isKey: boolean): ScalarNode {
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
export function addPair(keys: ScalarNode[], values: YNode[], base: number, top: number, seen: Set<unknown> | undefined, key: ScalarNode, value: YNode): Set<unknown> | undefined {
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
