// Deterministic allocation helpers. Nothing in cilium-trace is random: numbers the real
// agent picks at random (identities, endpoint ids, node ids, MACs) are derived here from
// stable names, so the same input gives the same bytes on every machine.
import { createHash } from 'node:crypto';

/** 32-bit FNV-1a of a UTF-8 string. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function sha256Bytes(text: string): Uint8Array {
  return createHash('sha256').update(text, 'utf8').digest();
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
