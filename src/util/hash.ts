// Deterministic allocation helpers. Nothing in cilium-trace is random: numbers the real
// agent picks at random (identities, endpoint ids, node ids, MACs) are derived here from
// stable names, so the same input gives the same bytes on every machine.
// SHA-256 is computed in plain TypeScript (sha256.ts): no node:crypto to load at start-up,
// and no Hash object per name when a large cluster derives 100,000s of them.
import { hexOf, sha256 } from './sha256.js';

/** 32-bit FNV-1a of a UTF-8 string. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Names are ASCII; anything else is hashed over its UTF-8 bytes, as Buffer gives them.
    if (c >= 0x80) return fnv1aBytes(h, Buffer.from(text.slice(i), 'utf8'));
    h ^= c;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function fnv1aBytes(h: number, bytes: Uint8Array): number {
  for (const byte of bytes) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function sha256Hex(text: string): string {
  return hexOf(sha256(text));
}

export function sha256Bytes(text: string): Uint8Array {
  return sha256(text);
}

/**
 * Picks a number in [min, max] for `key`: start at hash(key) and probe linearly past
 * numbers already taken. Callers allocate keys in sorted order so the result is stable.
 */
export function allocateInRange(key: string, min: number, max: number, taken: Set<number>): number {
  const span = max - min + 1;
  if (taken.size >= span) throw new Error(`no free number in [${min}, ${max}] for ${key}`);
  let n = min + (fnv1a(key) % span);
  while (taken.has(n)) n = n === max ? min : n + 1;
  taken.add(n);
  return n;
}
