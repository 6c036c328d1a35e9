// A read-only map whose keys are known up front and whose values are made on first use.
// The control plane hands the datapath its nodes this way: a trace touches two or three
// nodes of a thousand, and only those are ever built.

export class LazyMap<K, V> implements ReadonlyMap<K, V> {
  private readonly made = new Map<K, V>();
  private readonly known: ReadonlySet<K>;

  /** `keys` in iteration order; `make` builds the value of a key, once. */
  constructor(
    private readonly keyOrder: readonly K[],
    private readonly make: (key: K) => V,
  ) {
    this.known = new Set(keyOrder);
  }

  get size(): number {
    return this.keyOrder.length;
  }

  has(key: K): boolean {
    return this.known.has(key);
  }

  get(key: K): V | undefined {
    const hit = this.made.get(key);
    if (hit !== undefined || !this.known.has(key)) return hit;
    const value = this.make(key);
    this.made.set(key, value);
    return value;
  }

  /** Whether the value of `key` has been made already (for tests and statistics). */
  isMade(key: K): boolean {
    return this.made.has(key);
  }

  keys(): MapIterator<K> {
    return this.keyOrder[Symbol.iterator]() as MapIterator<K>;
  }

  values(): MapIterator<V> {
    return this.keyOrder.map((k) => this.get(k) as V)[Symbol.iterator]() as MapIterator<V>;
  }

  entries(): MapIterator<[K, V]> {
    return this.keyOrder.map((k): [K, V] => [k, this.get(k) as V])[Symbol.iterator]() as MapIterator<[K, V]>;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const k of this.keyOrder) callback.call(thisArg, this.get(k) as V, k, this);
  }
}
