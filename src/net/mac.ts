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

/** A locally administered unicast MAC derived from 6 bytes of a hash. */
export function macFromBytes(bytes: Uint8Array): Mac {
  const b = Array.from(bytes.slice(0, 6));
  b[0] = ((b[0] ?? 0) & 0xfc) | 0x02;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':') as Mac;
}
