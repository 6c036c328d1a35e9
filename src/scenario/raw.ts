// Typed, positioned reading of a parsed YAML document. Readers never throw: they record
// a Problem and return undefined, so one pass reports every mistake in the file.
import type { Position, Problem } from '../errors.js';
import type { Feature } from '../cilium/releases/features.js';
import { isMap, isScalar, isSeq, ScalarNode, type MapNode, type YNode } from './ast.js';
import { Invalid } from './checks.js';
import { FIELDS, LATER_FIELDS, PRUNED_FIELD_SETS, type FieldSet } from './fields.js';

/** A node of the loader's YAML model (ast.ts). */
export type Node = YNode;

/** A value together with the position of the YAML token it came from. */
export interface Field<T> {
  readonly value: T;
  readonly pos: Position;
}

/** One value to read: a map entry or a list item, with the name used in messages. */
export interface Entry {
  readonly label: string;
  readonly node: Node;
  readonly pos: Position;
  /** For a map entry, where its key is. */
  readonly keyPos?: Position;
}

export type Reader<T> = (src: Source, e: Entry) => T | undefined;

/**
 * Where the problems of one load go, for every file read together. It knows the order the
 * files were given in, so "first defined" means first in the input, across files.
 */
export class Sink {
  readonly problems: Problem[] = [];
  /** What was read but is not simulated, or ignored as the API server would: one line each, never an error. */
  readonly warnings: Problem[] = [];
  /** IPv6 addresses and prefixes set aside (the traces are IPv4): said once, with the first. */
  readonly ipv6: Array<{ readonly what: string; readonly pos: Position }> = [];
  private readonly ranks = new Map<string, number>();

  addFile(file: string): void {
    if (!this.ranks.has(file)) this.ranks.set(file, this.ranks.size);
  }

  report(pos: Position, message: string): undefined {
    this.problems.push({ pos, message });
    return undefined;
  }

  warn(pos: Position, message: string): void {
    this.warnings.push({ pos, message });
  }

  /**
   * A warning that holds only for releases without `feature` (endPort is pruned by v1.13.0):
   * the profile is chosen after the objects are read, so the load keeps it or drops it then.
   */
  warnUnless(feature: Feature, pos: Position, message: string): void {
    const w: Problem & { unless: Feature } = { pos, message, unless: feature };
    this.warnings.push(w);
  }

  /**
   * A warning that holds only for releases with `feature` (see warnUnless); with `offOption`,
   * only while that agent option is off too (the cluster settings are known at the end).
   */
  warnIf(feature: Feature, pos: Position, message: string, offOption?: 'nodeSelectorLabels'): void {
    const w: Problem & { onlyWith: Feature; offOption?: 'nodeSelectorLabels' } = offOption ? { pos, message, onlyWith: feature, offOption } : { pos, message, onlyWith: feature };
    this.warnings.push(w);
  }

  /** Input order: files as given, then line and column. */
  compare(a: Position, b: Position): number {
    if (a.file !== b.file) return (this.ranks.get(a.file) ?? Infinity) - (this.ranks.get(b.file) ?? Infinity) || (a.file < b.file ? -1 : 1);
    return a.line - b.line || a.col - b.col;
  }
}

/** One YAML document of one file; problems go to the shared sink. */
export class Source {
  constructor(
    readonly file: string,
    readonly sink: Sink = new Sink(),
  ) {
    sink.addFile(file);
  }

  /** Position of a node; a mapping is placed at its first key, as editors show it. */
  posOf(node: Node): Position {
    return { file: this.file, line: node.line, col: node.col };
  }

  report(pos: Position, message: string): undefined {
    return this.sink.report(pos, message);
  }

  warn(pos: Position, message: string): void {
    this.sink.warn(pos, message);
  }

  warnUnless(feature: Feature, pos: Position, message: string): void {
    this.sink.warnUnless(feature, pos, message);
  }

  warnIf(feature: Feature, pos: Position, message: string, offOption?: 'nodeSelectorLabels'): void {
    this.sink.warnIf(feature, pos, message, offOption);
  }

  /** Aliases are resolved when the document is read; an undefined one is null. */
  deref(value: Node | null | undefined): Node | undefined {
    return value ?? undefined;
  }
}

/** How a node looks, for "x is <this> (expected …)" messages. */
export function describe(node: Node): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (!isScalar(node)) return 'an alias';
  const v = node.value;
  if (v === null || v === undefined) return 'empty';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return 'a value of an unsupported type';
}

export function typeError(src: Source, e: Entry, expected: string): undefined {
  return src.report(e.pos, `${e.label} is ${describe(e.node)} (expected ${expected})`);
}

/** A mapping whose keys have been checked against a field set. */
export class MapView {
  constructor(
    readonly src: Source,
    /** How messages name this mapping: `metadata`, `nodes[1]`, `the document`. */
    readonly label: string,
    readonly pos: Position,
    private readonly entries: { get(key: string): Entry | undefined },
    /** Keys present but reported as unknown or unsupported. */
    readonly rejected: ReadonlySet<string>,
  ) {}

  entry(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  /** Reads a field that must be present; reports it missing at the mapping. */
  req<T>(key: string, read: Reader<T>): T | undefined {
    const e = this.entries.get(key);
    if (!e) return this.src.report(this.pos, `missing required field '${key}' in ${this.label}`);
    return read(this.src, e);
  }

  opt<T>(key: string, read: Reader<T>): T | undefined {
    const e = this.entries.get(key);
    return e ? read(this.src, e) : undefined;
  }
}

/** Why a field of a Kubernetes object is ignored: the v1.13.0 schema does not have it. */
function prunedMessage(key: string, known: readonly string[]): string {
  const later = LATER_FIELDS[key];
  if (later) return `'${key}' ignored: not in Cilium v1.13.0's CRD (${later}), so the API server prunes it`;
  // Fields of later releases the loader reads (enableDefaultDeny, fromNodes, …) are not v1.13.0's: not listed.
  return `unknown field '${key}' ignored, as the API server prunes it (expected one of: ${known.filter((k) => !LATER_FIELDS[k]).join(', ')})`;
}

/** `key:` with nothing after it, or `null`/`~`: the API server prunes it, as if absent. */
function isNull(node: Node | null | undefined): boolean {
  return !node || (isScalar(node) && node.value === null);
}

/** The fields of a set as a Set, made once per set (policies read thousands of mappings). */
const KNOWN_FIELDS = new Map<FieldSet, ReadonlySet<string>>();
function knownFields(set: FieldSet): ReadonlySet<string> {
  let known = KNOWN_FIELDS.get(set);
  if (!known) KNOWN_FIELDS.set(set, (known = new Set(FIELDS[set])));
  return known;
}

/** No key rejected: one shared empty set (large inputs read hundreds of thousands of mappings). */
const NOTHING_REJECTED: ReadonlySet<string> = new Set();

/** Reads a mapping, reporting keys that are not in `set` (a warning for Kubernetes objects, which the API server prunes). */
export function readMap(src: Source, e: Entry, set: FieldSet): MapView | undefined {
  if (!isMap(e.node)) return typeError(src, e, 'a mapping');
  const known: readonly string[] = FIELDS[set];
  const isKnown = knownFields(set);
  const entries = new Map<string, Entry>();
  let rejected: Set<string> | undefined;
  const { keys, values } = e.node;
  for (let i = 0; i < keys.length; i++) {
    const key = src.deref(keys[i]);
    if (!key || !isScalar(key) || typeof key.value !== 'string') {
      src.report(key ? src.posOf(key) : src.posOf(e.node), `field name is ${key ? describe(key) : 'missing'} (expected a string)`);
      continue;
    }
    const name = key.value;
    const keyPos = src.posOf(key);
    if (!isKnown.has(name)) {
      if (PRUNED_FIELD_SETS.has(set)) src.warn(keyPos, prunedMessage(name, known));
      else src.report(keyPos, `unknown field '${name}' (expected one of: ${known.join(', ')})`);
      (rejected ??= new Set()).add(name);
      continue;
    }
    // Kubernetes objects: a null value is pruned (an empty `matchLabels:` is no matchLabels).
    if (PRUNED_FIELD_SETS.has(set) && isNull(src.deref(values[i]))) continue;
    entries.set(name, valueEntry(src, name, keyPos, values[i] ?? null));
  }
  return new MapView(src, e.label, src.posOf(e.node), entries, rejected ?? NOTHING_REJECTED);
}

/**
 * Reads a mapping without checking its keys: Kubernetes objects as kubectl prints them
 * carry many fields (status, managedFields, …) that cilium-trace does not need, so an
 * entry is only made when a reader asks for its key.
 */
export function looseMap(src: Source, e: Entry, label: string = e.label): MapView | undefined {
  if (!isMap(e.node)) return typeError(src, e, 'a mapping');
  return new MapView(src, label, src.posOf(e.node), new LooseEntries(src, e.node), NOTHING_REJECTED);
}


/**
 * The string-keyed entries of a mapping, made on first use (the last of equal keys wins) and
 * kept by key index, so asking twice gives the same Entry.
 */
class LooseEntries {
  private made: Array<Entry | undefined> | undefined;
  private index: Map<string, number> | undefined;

  constructor(
    private readonly src: Source,
    private readonly node: MapNode,
  ) {}

  get(key: string): Entry | undefined {
    const i = this.find(key);
    if (i < 0) return undefined;
    const hit = this.made?.[i];
    if (hit) return hit;
    const k = this.node.keys[i];
    if (!k) return undefined;
    const entry = valueEntry(this.src, key, this.src.posOf(k), this.node.values[i] ?? null);
    (this.made ??= new Array<Entry | undefined>(this.node.keys.length))[i] = entry;
    return entry;
  }

  private find(key: string): number {
    const keys = this.node.keys;
    if (keys.length <= 8) {
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i];
        if (isScalar(k) && k.value === key) return i;
      }
      return -1;
    }
    if (!this.index) {
      this.index = new Map();
      keys.forEach((k, i) => {
        if (isScalar(k) && typeof k.value === 'string') this.index?.set(k.value, i);
      });
    }
    return this.index.get(key) ?? -1;
  }
}

function valueEntry(src: Source, label: string, keyPos: Position, value: Node | null): Entry {
  const node = src.deref(value);
  // `key:` with nothing after it: point at the key, not at the end of the line.
  if (!node || (isScalar(node) && node.value === null && !node.source)) {
    return { label, node: node ?? new ScalarNode(null, undefined, keyPos.line, keyPos.col), pos: keyPos, keyPos };
  }
  return { label, node, pos: src.posOf(node), keyPos };
}

/** The document root as an Entry, for readMap. */
export function rootEntry(src: Source, node: Node): Entry {
  return { label: 'the document', node, pos: src.posOf(node) };
}

// ---- scalar readers -------------------------------------------------------------------

export const str: Reader<Field<string>> = (src, e) => {
  if (!isScalar(e.node) || typeof e.node.value !== 'string') return typeError(src, e, 'a string');
  return { value: e.node.value, pos: e.pos };
};

export function int(min: number, max: number): Reader<Field<number>> {
  return (src, e) => {
    const v = isScalar(e.node) ? e.node.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) return typeError(src, e, `an integer ${min}..${max}`);
    if (v < min || v > max) return src.report(e.pos, `${e.label} ${v} is out of range (expected ${min}..${max})`);
    return { value: v, pos: e.pos };
  };
}

export const bool: Reader<Field<boolean>> = (src, e) => {
  const v = isScalar(e.node) ? e.node.value : undefined;
  if (typeof v !== 'boolean') return typeError(src, e, 'true or false');
  return { value: v, pos: e.pos };
};

export function oneOf<T extends string>(values: readonly T[]): Reader<Field<T>> {
  return (src, e) => {
    const s = str(src, e);
    if (!s) return undefined;
    const hit = values.find((v) => v === s.value);
    if (hit === undefined) return src.report(e.pos, `unknown ${e.label} '${s.value}' (expected one of: ${values.join(', ')})`);
    return { value: hit, pos: e.pos };
  };
}

/** A string that must be exactly `expected` (apiVersion, kind); some others are known but unsupported. */
export function exactly(expected: string, what: string, unsupported: readonly string[] = []): Reader<Field<string>> {
  return (src, e) => {
    const s = str(src, e);
    if (!s || s.value === expected) return s;
    if (unsupported.includes(s.value)) return src.report(e.pos, `${what} '${s.value}' is not supported yet (expected ${expected})`);
    return src.report(e.pos, `unknown ${what} '${s.value}' (expected ${expected})`);
  };
}

/** Reads a string and converts or checks it with `parse`. */
export function parsed<T>(parse: (text: string, label: string) => T | Invalid): Reader<Field<T>> {
  return (src, e) => {
    const s = str(src, e);
    if (!s) return undefined;
    const v = parse(s.value, e.label);
    if (v instanceof Invalid) return src.report(e.pos, v.message);
    return { value: v, pos: e.pos };
  };
}

/** Reads a list, returning one Entry per item labelled `<label>[i]`. */
export const list: Reader<Entry[]> = (src, e) => {
  if (!isSeq(e.node)) return typeError(src, e, 'a list');
  const out: Entry[] = [];
  e.node.items.forEach((item, i) => {
    const node = src.deref(item);
    if (node) out.push({ label: `${e.label}[${i}]`, node, pos: src.posOf(node) });
  });
  return out;
};

export interface StringPair {
  readonly key: Field<string>;
  readonly value: Field<string>;
}

/** Reads a string→string mapping (labels, annotations); `noun` names one entry in messages. */
export function stringMap(noun: string): Reader<StringPair[]> {
  return (src, e) => {
    if (!isMap(e.node)) return typeError(src, e, 'a mapping of strings to strings');
    const out: StringPair[] = [];
    const { keys, values } = e.node;
    for (let i = 0; i < keys.length; i++) {
      const k = src.deref(keys[i]);
      if (!k || !isScalar(k) || typeof k.value !== 'string') {
        src.report(k ? src.posOf(k) : e.pos, `${noun} key is ${k ? describe(k) : 'missing'} (expected a string)`);
        continue;
      }
      const keyPos = src.posOf(k);
      const v = valueEntry(src, `${noun} '${k.value}'`, keyPos, values[i] ?? null);
      const value = isScalar(v.node) && typeof v.node.value === 'string' ? { value: v.node.value, pos: v.pos } : quoteHint(src, v);
      if (value) out.push({ key: { value: k.value, pos: keyPos }, value });
    }
    return out;
  };
}

/** Kubernetes rejects non-string label values; say how to write the intended string. */
function quoteHint(src: Source, e: Entry): undefined {
  if (isScalar(e.node) && e.node.value !== null && typeof e.node.value !== 'object') {
    const text = String(e.node.source ?? e.node.value);
    return src.report(e.pos, `${e.label} is ${describe(e.node)} (expected a string; quote it as Kubernetes requires: "${text}")`);
  }
  return typeError(src, e, 'a string');
}

/** A list whose items are each read with `read`; undefined if the list itself is wrong. */
export function listOf<T>(read: Reader<T>): Reader<T[]> {
  return (src, e) => {
    const items = list(src, e);
    if (!items) return undefined;
    const out: T[] = [];
    for (const item of items) {
      const v = read(src, item);
      if (v !== undefined) out.push(v);
    }
    return out;
  };
}
