// MAC addresses, kept as normalised lower-case text internally; `formatMacUpper` gives
// the Uint64MAC.String form the cilium CLI prints (upper-case hex, colon separated).

export type Mac = string & { readonly __brand: 'Mac' };

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export function parseMac(text: string): Mac | undefined {
  return MAC.test(text) ? (text.toLowerCase() as Mac) : undefined;
}

export function mac(text: string): Mac {
  const m = parseMac(text);
  if (!m) throw new Error(`bad MAC ${text}`);
  return m;
}

export function formatMacUpper(m: Mac): string {
  return m.toUpperCase();
}

/** Character codes of the lower-case hex digits (MACs are formatted for every pod). */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const COLON = 58;

/** A locally administered unicast MAC derived from 6 bytes of a hash. */
export function macFromBytes(bytes: Uint8Array): Mac {
  if (bytes.length < 6) {
    const b = Array.from(bytes);
    b[0] = ((b[0] ?? 0) & 0xfc) | 0x02;
    return b.map((x) => x.toString(16).padStart(2, '0')).join(':') as Mac;
  }
  const b0 = ((bytes[0] as number) & 0xfc) | 0x02;
  const hi = (b: number): number => HEX[b >> 4] as number;
  const lo = (b: number): number => HEX[b & 15] as number;
  const b = (i: number): number => bytes[i] as number;
  // One flat string from character codes, not a template (a tree of concatenations per pod).
  return String.fromCharCode(
    hi(b0), lo(b0), COLON, hi(b(1)), lo(b(1)), COLON, hi(b(2)), lo(b(2)), COLON,
    hi(b(3)), lo(b(3)), COLON, hi(b(4)), lo(b(4)), COLON, hi(b(5)), lo(b(5)),
  ) as Mac;
}
