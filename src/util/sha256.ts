// SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, in plain TypeScript. The default MACs and
// veth names of every pod are derived from hashes of short names; node:crypto costs a Hash
// object and a native call per name (several microseconds), this a few hundred nanoseconds
// and no allocation but the result, which matters for clusters of 100,000 pods. Same bytes
// as createHash('sha256') (test/unit/util/sha256.test.ts compares them).

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** Scratch state, reused by every call (the function never yields). */
const W = new Int32Array(64);
const H = new Int32Array(8);
let buf = new Uint8Array(256);

/** Writes `text` as UTF-8 into `buf` (grown as needed); returns the byte length. */
function encode(text: string): number {
  if (buf.length < text.length * 3 + 72) buf = new Uint8Array(text.length * 3 + 72);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      buf[n++] = c;
      continue;
    }
    if (c < 0x800) {
      buf[n++] = 0xc0 | (c >> 6);
      buf[n++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        buf[n++] = 0xf0 | (c >> 18);
        buf[n++] = 0x80 | ((c >> 12) & 63);
        buf[n++] = 0x80 | ((c >> 6) & 63);
        buf[n++] = 0x80 | (c & 63);
        continue;
      }
    }
    // A lone surrogate becomes U+FFFD, as Buffer.from(text, 'utf8') writes it.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    buf[n++] = 0xe0 | (c >> 12);
    buf[n++] = 0x80 | ((c >> 6) & 63);
    buf[n++] = 0x80 | (c & 63);
  }
  return n;
}

/** W[0..15] from 64 bytes of `buf` at `offset`. */
function loadBlock(offset: number): void {
  for (let t = 0; t < 16; t++) {
    const j = offset + t * 4;
    W[t] = ((buf[j] as number) << 24) | ((buf[j + 1] as number) << 16) | ((buf[j + 2] as number) << 8) | (buf[j + 3] as number);
  }
}

/**
 * W[0..15] as the one padded block of `text`, when it is ASCII and at most 55 characters
 * (every derived name is): no UTF-8 buffer to fill. False when it is not.
 */
function loadShortAscii(text: string): boolean {
  const n = text.length;
  if (n > 55) return false;
  W.fill(0, 0, 16);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return false;
    W[i >> 2] = (W[i >> 2] as number) | (c << (24 - (i & 3) * 8));
  }
  W[n >> 2] = (W[n >> 2] as number) | (0x80 << (24 - (n & 3) * 8));
  W[15] = n * 8;
  return true;
}

function compress(): void {
  for (let t = 16; t < 64; t++) {
    const x = W[t - 15] as number;
    const y = W[t - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[t] = ((W[t - 16] as number) + s0 + (W[t - 7] as number) + s1) | 0;
  }
  let a = H[0] as number, b = H[1] as number, c = H[2] as number, d = H[3] as number;
  let e = H[4] as number, f = H[5] as number, g = H[6] as number, h = H[7] as number;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[t] as number) + (W[t] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = ((H[0] as number) + a) | 0;
  H[1] = ((H[1] as number) + b) | 0;
  H[2] = ((H[2] as number) + c) | 0;
  H[3] = ((H[3] as number) + d) | 0;
  H[4] = ((H[4] as number) + e) | 0;
  H[5] = ((H[5] as number) + f) | 0;
  H[6] = ((H[6] as number) + g) | 0;
  H[7] = ((H[7] as number) + h) | 0;
}

/** The 32-byte SHA-256 digest of `text` (UTF-8). */
export function sha256(text: string): Uint8Array {
  return digestInto(text, new Uint8Array(32));
}

const SCRATCH = new Uint8Array(32);

/**
 * The digest in a buffer shared by every call: read it before hashing again. For callers
 * that only look at a few bytes (derived MACs and veth names, one per pod).
 */
export function sha256Scratch(text: string): Uint8Array {
  return digestInto(text, SCRATCH);
}

function digestInto(text: string, out: Uint8Array): Uint8Array {
  H.set(INITIAL);
  if (loadShortAscii(text)) {
    compress();
  } else {
    const n = encode(text);
    // Padding: 0x80, zeros, then the bit length as a 64-bit big-endian number.
    const total = (((n + 8) >> 6) + 1) << 6;
    buf.fill(0, n, total);
    buf[n] = 0x80;
    const bits = n * 8;
    buf[total - 5] = Math.floor(bits / 2 ** 32) & 0xff;
    buf[total - 4] = (bits >>> 24) & 0xff;
    buf[total - 3] = (bits >>> 16) & 0xff;
    buf[total - 2] = (bits >>> 8) & 0xff;
    buf[total - 1] = bits & 0xff;
    for (let off = 0; off < total; off += 64) {
      loadBlock(off);
      compress();
    }
  }
  for (let i = 0; i < 8; i++) {
    const v = H[i] as number;
    out[i * 4] = v >>> 24;
    out[i * 4 + 1] = (v >>> 16) & 0xff;
    out[i * 4 + 2] = (v >>> 8) & 0xff;
    out[i * 4 + 3] = v & 0xff;
  }
  return out;
}

/** Character codes of the lower-case hex digits. */
const HEX_DIGIT: readonly number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** `prefix` and the lower-case hex of the first `count` bytes, as one flat string. */
export function hexOf(bytes: Uint8Array, count: number = bytes.length, prefix = ''): string {
  const codes: number[] = [];
  for (let i = 0; i < prefix.length; i++) codes.push(prefix.charCodeAt(i));
  for (let i = 0; i < count; i++) {
    const b = bytes[i] as number;
    codes.push(HEX_DIGIT[b >> 4] as number, HEX_DIGIT[b & 15] as number);
  }
  return String.fromCharCode(...codes);
}
