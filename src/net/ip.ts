// IPv4 addresses and prefixes. Everything else works with the numeric form (an unsigned
// 32-bit host-order number) and these helpers.

export type Ipv4 = number & { readonly __brand: 'Ipv4' };

export interface Ipv4Prefix {
  readonly addr: Ipv4; // base address (host bits cleared)
  readonly len: number;
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses a dotted-quad IPv4 address; undefined when malformed: four decimal octets 0..255,
 * without leading zeros (Cilium and Kubernetes reject them).
 */
export function parseIpv4(text: string): Ipv4 | undefined {
  const m = DOTTED.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = m[i] as string;
    if (o.length > 1 && o.startsWith('0')) return undefined;
    const v = Number(o);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n as Ipv4;
}

/** Parses "a.b.c.d/len". `strict` rejects host bits set (as Kubernetes podCIDR validation does). */
export function parseIpv4Prefix(text: string, strict = true): Ipv4Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIpv4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (len > 32) return undefined;
  const base = (ip & maskOf(len)) >>> 0;
  if (strict && base !== ip) return undefined;
  return { addr: base as Ipv4, len };
}

export function maskOf(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

export function prefixContains(p: Ipv4Prefix, ip: Ipv4): boolean {
  return ((ip & maskOf(p.len)) >>> 0) === p.addr;
}

export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  const len = Math.min(a.len, b.len);
  return ((a.addr & maskOf(len)) >>> 0) === ((b.addr & maskOf(len)) >>> 0);
}

export function formatIpv4(ip: number): string {
  return `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

export function formatPrefix(p: Ipv4Prefix): string {
  return `${formatIpv4(p.addr)}/${p.len}`;
}

export function ipv4(text: string): Ipv4 {
  const ip = parseIpv4(text);
  if (ip === undefined) throw new Error(`bad IPv4 address ${text}`);
  return ip;
}

export function prefix(text: string): Ipv4Prefix {
  const p = parseIpv4Prefix(text);
  if (!p) throw new Error(`bad IPv4 prefix ${text}`);
  return p;
}

export const IP_ZERO = 0 as Ipv4;
