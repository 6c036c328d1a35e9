// The loader's own view of a parsed YAML document: mappings, lists and scalars with the
// line and column messages point at, aliases already resolved. Both YAML front ends build
// it: the fast reader for the block-style YAML that kubectl and editors write
// (fast-yaml.ts), and the `yaml` package for everything else (yaml-text.ts). The readers
// (raw.ts and the files that use it) only ever see this model.
//
// A collection deep in an object may be read only when its contents are first asked for
// (`later`): most of what kubectl prints (managedFields, status, defaulted specs) is never
// looked at. Reading it then may throw an InputError, when the text there is not valid.

/** A scalar as the YAML 1.2 core schema resolves it (string, number, boolean, null, …). */
export class ScalarNode {
  get kind(): 'scalar' {
    return 'scalar';
  }
  constructor(
    readonly value: unknown,
    /** The scalar's text after unquoting ('' for an empty value); undefined if unknown. */
    readonly source: string | undefined,
    readonly line: number,
    readonly col: number,
  ) {}
}

/** The contents of a mapping read later. */
export type LaterMap = () => { keys: Array<YNode | null>; values: Array<YNode | null> };

/**
 * A mapping, as two parallel lists (keys[i] maps to values[i]; null where the input leaves
 * a key or value undefined); line/col are those of its first key (as editors show it), else
 * of the mapping.
 */
export class MapNode {
  get kind(): 'map' {
    return 'map';
  }
  constructor(
    private k: Array<YNode | null>,
    private v: Array<YNode | null>,
    readonly line: number,
    readonly col: number,
    private later?: LaterMap,
  ) {}

  get keys(): Array<YNode | null> {
    if (this.later) this.read(this.later);
    return this.k;
  }

  get values(): Array<YNode | null> {
    if (this.later) this.read(this.later);
    return this.v;
  }

  private read(later: LaterMap): void {
    const got = later();
    this.k = got.keys;
    this.v = got.values;
    this.later = undefined;
  }
}

/** The items of a list read later. */
export type LaterSeq = () => Array<YNode | null>;

export class SeqNode {
  get kind(): 'seq' {
    return 'seq';
  }
  constructor(
    /** null for an item the input leaves undefined (an alias to nothing). */
    private i: Array<YNode | null>,
    readonly line: number,
    readonly col: number,
    private later?: LaterSeq,
  ) {}

  get items(): Array<YNode | null> {
    if (this.later) {
      this.i = this.later();
      this.later = undefined;
    }
    return this.i;
  }
}

export type YNode = ScalarNode | MapNode | SeqNode;

export function isScalar(n: unknown): n is ScalarNode {
  return n instanceof ScalarNode;
}

export function isMap(n: unknown): n is MapNode {
  return n instanceof MapNode;
}

export function isSeq(n: unknown): n is SeqNode {
  return n instanceof SeqNode;
}
