// YAML text → the loader's model (ast.ts), within limits that keep hostile input from
// exhausting time, memory or the stack: nesting depth, number of documents, number of
// aliases and how far they expand ("billion laughs"). Block-style YAML goes through the
// fast reader; any document (or item of a large List) it does not take goes through the
// `yaml` package, driven token by token so the limits are checked before a document is
// composed. Every problem is one positioned line.
import type { CST, Document, Node } from 'yaml';
import type { Position, Problem } from '../errors.js';
import { MapNode, ScalarNode, SeqNode, type YNode } from './ast.js';
import { streamYaml, type Fallback, type YamlStream } from './fast-yaml.js';
import { yamlLib } from '../util/yaml-lib.js';
import { duplicateKeyMessage, syntaxProblems, type ExtraError } from './syntax.js';

/** The loader's limits on one input text (see the README, "Robustness and performance"). */
export const YAML_LIMITS = {
  /** Mappings and lists nested in each other. */
  maxDepth: 256,
  /** YAML documents in one file (`---` separated). */
  maxDocuments: 100_000,
  /** Alias nodes (`*name`) in one document. */
  maxAliases: 10_000,
  /** The `yaml` package's maxAliasCount: how many nodes aliases may expand to. */
  maxAliasCount: 1_000,
} as const;

export interface ParsedYaml {
  /** Each document's root (null for an empty document), when there are no problems. */
  readonly docs: Array<YNode | null>;
  readonly problems: Problem[];
}

/** A limit hit while reading tokens: where, and what to say. */
class LimitHit {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

const NUL = '\u0000';

/** The `yaml` package, loaded on first use: the fast reader reads most files without it. */
const yaml = yamlLib;

/** Parses one file's text into documents, or says what is wrong with it. */
export function parseYamlText(file: string, text: string): ParsedYaml {
  const docs: Array<YNode | null> = [];
  let mark = 0;
  const problems = readYamlText(file, text, {
    onDocument: (d) => docs.push(d),
    documentStart: () => {
      mark = docs.length;
    },
    restart: (all) => {
      docs.length = all ? 0 : mark;
    },
  });
  return problems.length > 0 ? { docs: [], problems } : { docs, problems: [] };
}

/**
 * Where readYamlText hands documents over: `documentStart` marks the start of each document
 * and `restart` discards what was handed over since (or, `all`, since the start).
 */
export interface YamlReader extends YamlStream {
  documentStart(): void;
  restart(all: boolean): void;
}

/**
 * Reads one file's text and hands its documents (and the items of large Lists) to `out` as
 * they are read, so they need not all be in memory at once; returns the problems instead
 * when the text is not usable (then `restart(true)` was called, or nothing handed over).
 */
/** An alias as a value or list item: `key: *name`, `- *name` (a quoted `'*'` is not one). */
const ALIAS_VALUE = /(?:^|[:\-\[,])[ \t]+\*[A-Za-z0-9_]/m;

export function readYamlText(file: string, text: string, out: YamlReader): Problem[] {
  const nul = text.indexOf(NUL);
  if (nul >= 0) return [{ pos: positionIn(file, text, nul), message: 'not UTF-8 text (a NUL character: binary or UTF-16 data?)' }];
  const apart: Fallback = (from, to, line, depth) => slowParse(file, text.slice(from, to), line - 1, depth);
  // Aliases (`ports: *a1`) tie parts of a document together that the fast reader reads apart
  // or later; kubectl never writes them, so a text that has one is read whole by the parser.
  const fast = ALIAS_VALUE.test(text) ? false : streamYaml(text, YAML_LIMITS, out, apart, file);
  if (fast === true) return [];
  out.restart(true);
  if (fast !== false) return 'problems' in fast ? fast.problems : [{ pos: { file, line: fast.tooManyDocumentsAt, col: 1 }, message: tooManyDocuments() }];
  const slow = slowParse(file, text);
  if (slow.problems.length > 0) return slow.problems;
  for (const d of slow.docs) out.onDocument(d);
  return [];
}

/** Line and column (1-based, in characters) of an offset, without a LineCounter. */
export function positionIn(file: string, text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { file, line, col: offset - lineStart + 1 };
}

/**
 * The `yaml` package's path alone (the fast reader's reference; also for tests). `text`
 * may be a part of the file that starts at the start of line `lineOffset` + 1, nested
 * `depthOffset` deep (for positions and the depth limit).
 */
export function slowParse(file: string, text: string, lineOffset = 0, depthOffset = 0): ParsedYaml {
  const { Composer, LineCounter, Parser } = yaml();
  const lc = new LineCounter();
  const at = (offset: number): Position => {
    const p = lc.linePos(offset);
    return { file, line: p.line + lineOffset, col: p.col };
  };
  const parser = new Parser(lc.addNewLine);
  // uniqueKeys is checked below in linear time (yaml's own check is quadratic per mapping).
  const composer = new Composer({ uniqueKeys: false });
  let docs: Document.Parsed[];
  try {
    docs = Array.from(composer.compose(guarded(parser.parse(text), depthOffset)));
  } catch (e) {
    if (e instanceof LimitHit) return { docs: [], problems: [{ pos: at(e.offset), message: e.message }] };
    throw e;
  }
  const converted: Array<YNode | null> = [];
  const extra: ExtraError[][] = [];
  const aliasProblems: Problem[] = [];
  for (const doc of docs) {
    const conv = new Converter(text, at);
    converted.push(conv.node(doc.contents));
    extra.push(conv.duplicates);
    aliasProblems.push(...conv.problems);
    if (conv.problems.length === 0 && conv.firstAlias !== undefined && doc.errors.length === 0) {
      const expansion = aliasExpansion(doc, conv.firstAlias);
      if (expansion) aliasProblems.push({ pos: at(conv.firstAlias.offset), message: expansion });
    }
  }
  const problems = [...syntaxProblems(docs, text, at, extra), ...aliasProblems];
  if (problems.length > 0) return { docs: [], problems };
  return { docs: converted, problems: [] };
}

function tooManyDocuments(): string {
  return `too many YAML documents (more than ${YAML_LIMITS.maxDocuments} in one file)`;
}

/** Checks each document token (count, depth, aliases) before the composer sees it. */
function* guarded(tokens: Generator<CST.Token>, depthOffset: number): Generator<CST.Token> {
  let documents = 0;
  for (const token of tokens) {
    if (token.type === 'document') {
      documents++;
      if (documents > YAML_LIMITS.maxDocuments) {
        throw new LimitHit(token.offset, tooManyDocuments());
      }
      checkTokenTree(token, depthOffset);
    }
    yield token;
  }
}

/** Depth and alias count of one document's tokens, walked without recursion. */
function checkTokenTree(doc: CST.Document, depthOffset: number): void {
  const stack: Array<{ token: CST.Token; depth: number }> = doc.value ? [{ token: doc.value, depth: depthOffset }] : [];
  let aliases = 0;
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as { token: CST.Token; depth: number };
    if (token.type === 'alias') {
      aliases++;
      if (aliases > YAML_LIMITS.maxAliases) throw new LimitHit(token.offset, `too many YAML aliases in one document (more than ${YAML_LIMITS.maxAliases})`);
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    const d = depth + 1;
    if (d > YAML_LIMITS.maxDepth) throw new LimitHit(token.offset, `nesting too deep (more than ${YAML_LIMITS.maxDepth} levels of mappings and lists)`);
    for (const item of token.items as CST.CollectionItem[]) {
      if (item.key) stack.push({ token: item.key, depth: d });
      if (item.value) stack.push({ token: item.value, depth: d });
    }
  }
}

/** The yaml package's alias-expansion guard (maxAliasCount), run on documents with aliases. */
function aliasExpansion(doc: Document.Parsed, first: { offset: number; name: string }): string | undefined {
  try {
    doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    return undefined;
  } catch (e) {
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      return `YAML aliases expand to too many nodes (more than ${YAML_LIMITS.maxAliasCount}, starting with *${first.name}: a "billion laughs" document?)`;
    }
    return undefined; // anything else is reported by the readers, as before
  }
}

/** yaml nodes → the loader's model: aliases resolved in one pass, duplicate keys found. */
class Converter {
  readonly duplicates: ExtraError[] = [];
  readonly problems: Problem[] = [];
  firstAlias: { offset: number; name: string } | undefined;
  private readonly anchors = new Map<string, YNode>();

  constructor(
    private readonly text: string,
    private readonly at: (offset: number) => Position,
  ) {}

  private readonly y = yaml();

  private pos(node: Node): { line: number; col: number } {
    const { isMap, isScalar } = this.y;
    if (isMap(node)) {
      const first = node.items[0]?.key;
      if (isScalar(first) && first.range) return this.at(first.range[0]);
    }
    return this.at(node.range?.[0] ?? 0);
  }

  node(n: unknown): YNode | null {
    const { isAlias, isMap, isScalar, isSeq } = this.y;
    if (isAlias(n)) {
      const offset = n.range?.[0] ?? 0;
      this.firstAlias ??= { offset, name: n.source };
      const target = this.anchors.get(n.source);
      if (target === undefined) {
        this.problems.push({ pos: this.at(offset), message: `unknown alias '*${n.source}' (expected an anchor &${n.source} before it in the document)` });
        return null;
      }
      return target;
    }
    if (isScalar(n)) {
      const { line, col } = this.pos(n);
      const out = new ScalarNode(n.value, n.source, line, col);
      if (n.anchor) this.anchors.set(n.anchor, out);
      return out;
    }
    if (isMap(n)) {
      const { line, col } = this.pos(n);
      const keys: Array<YNode | null> = [];
      const values: Array<YNode | null> = [];
      const out = new MapNode(keys, values, line, col);
      if (n.anchor) this.anchors.set(n.anchor, out);
      const seen = new Set<unknown>();
      for (const pair of n.items) {
        const k = pair.key;
        if (isScalar(k) && k.value === k.value) {
          if (seen.has(k.value)) this.duplicates.push({ offset: k.range?.[0] ?? 0, message: duplicateKeyMessage(this.text, k.range?.[0] ?? 0) });
          seen.add(k.value);
        }
        keys.push(this.node(k));
        values.push(this.node(pair.value));
      }
      return out;
    }
    if (isSeq(n)) {
      const { line, col } = this.pos(n);
      const items: Array<YNode | null> = [];
      const out = new SeqNode(items, line, col);
      if (n.anchor) this.anchors.set(n.anchor, out);
      for (const item of n.items) items.push(this.node(item));
      return out;
    }
    return null;
  }
}
