// A longest-prefix-match table for IPv4, standing in for BPF_MAP_TYPE_LPM_TRIE.
// One hash table per prefix length; a lookup walks from /32 down, which is what the
// trie returns for a full-length (V4_CACHE_KEY_LEN) key.
import { maskOf, type Ipv4, type Ipv4Prefix } from '../net/ip.js';

export class LpmTable<V> {
  private readonly byLen: Array<Map<number, { prefix: Ipv4Prefix; value: V }>> = [];
  private readonly lens = new Set<number>();

  set(prefix: Ipv4Prefix, value: V): void {
    let table = this.byLen[prefix.len];
    if (!table) {
      table = new Map();
      this.byLen[prefix.len] = table;
      this.lens.add(prefix.len);
    }
    table.set(prefix.addr, { prefix, value });
  }

  /** `skip`: prefixes to look through, as if absent (a node's view of a shared table). */
  lookup(ip: Ipv4, skip?: (p: Ipv4Prefix) => boolean): { prefix: Ipv4Prefix; value: V } | undefined {
    for (let len = 32; len >= 0; len--) {
      const table = this.byLen[len];
      if (!table) continue;
      const hit = table.get((ip & maskOf(len)) >>> 0);
      if (hit && !(skip && skip(hit.prefix))) return hit;
    }
    return undefined;
  }

  exact(prefix: Ipv4Prefix): V | undefined {
    return this.byLen[prefix.len]?.get(prefix.addr)?.value;
  }

  entries(): Array<{ prefix: Ipv4Prefix; value: V }> {
    const out: Array<{ prefix: Ipv4Prefix; value: V }> = [];
    for (const len of [...this.lens].sort((a, b) => b - a)) {
      for (const e of this.byLen[len]?.values() ?? []) out.push(e);
    }
    return out;
  }

  get size(): number {
    let n = 0;
    for (const len of this.lens) n += this.byLen[len]?.size ?? 0;
    return n;
  }
}
