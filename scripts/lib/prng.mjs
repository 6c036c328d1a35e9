// A small seeded PRNG (mulberry32) for the scale generator and the benchmarks. Scripts only:
// nothing under src/ may use randomness (the output must not depend on it).

/** mulberry32: a 32-bit state, good enough to shuffle and pick; the same seed, the same sequence. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one generator: integers, picks, weighted picks, lowercase ids. */
export function rng(seed) {
  const next = mulberry32(seed);
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const chance = (p) => next() < p;
  const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
  const id = (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += ALNUM[Math.floor(next() * ALNUM.length)];
    return s;
  };
  return { next, int, pick, chance, id };
}
