// IPv6 is not simulated (Cilium v1.13 runs it beside IPv4; the tracer models IPv4 only), but
// it must be recognised so that an IPv6 address is reported as "not simulated" rather than
// as a malformed IPv4 one, and a malformed IPv4 address with a colon is not called IPv6.
import { createRequire } from 'node:module';
import type * as IpAddress from 'ip-address';

let ipAddress: typeof IpAddress | undefined;

/** An IPv6 address or prefix (2001:db8::1, 2001:db8::/32, ::ffff:10.0.0.1), as RFC 4291 writes it. */
export function isIpv6(text: string): boolean {
  if (!text.includes(':')) return false;
  // Loaded on first use: only error paths get here, and its set-up costs start-up time.
  ipAddress ??= createRequire(import.meta.url)('ip-address') as typeof IpAddress;
  return ipAddress.Address6.isValid(text);
}
