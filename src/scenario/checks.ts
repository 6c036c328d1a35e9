// Format checks for single values (names, addresses, labels) and the duplicate detector
// shared by nodes and pods. Parsers return the value, or an Invalid saying what is wrong.
import type { Position } from '../errors.js';
import { formatPrefix, maskOf, parseIpv4, parseIpv4Prefix, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
import { parseMac, type Mac } from '../net/mac.js';
import type { Sink } from './raw.js';

/** A parse failure; a class (not a string) because some parsed values are strings. */
export class Invalid {
  constructor(readonly message: string) {}
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Kubernetes object names (nodes, pods, policies, service accounts): RFC 1123 subdomain. */
export function dnsSubdomain(what: string) {
  return (text: string): string | Invalid => {
    if (text.length <= 253 && DNS_SUBDOMAIN.test(text)) return text;
    return new Invalid(`invalid ${what} '${text}' (expected lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)`);
  };
}

/** Namespaces: RFC 1123 label. */
export function dnsLabel(what: string) {
  return (text: string): string | Invalid => {
    if (text.length <= 63 && DNS_LABEL.test(text)) return text;
    return new Invalid(`invalid ${what} '${text}' (expected at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)`);
  };
}

/** A Kubernetes label key: optional `dns-subdomain/` prefix, then a name of ≤63 chars. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `invalid label key '${key}' (expected the prefix before '/' to be a DNS subdomain, e.g. example.com/app)`;
  }
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    return `invalid label key '${key}' (expected at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`;
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && LABEL_NAME.test(value))) return undefined;
  return `invalid label value '${value}' (expected at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`;
}

/** Linux interface names (dev_valid_name): 1..15 bytes, no '/', ':' or whitespace. */
export function ifName(text: string): string | Invalid {
  if (text.length > 15) return new Invalid(`interface name '${text}' is too long (expected at most 15 characters)`);
  if (text === '' || text === '.' || text === '..' || /[/:\s]/.test(text)) {
    return new Invalid(`invalid interface name '${text}' (expected 1..15 characters without '/', ':' or spaces)`);
  }
  return text;
}

export function ipAddress(text: string): Ipv4 | Invalid {
  const ip = parseIpv4(text);
  if (ip === undefined) return new Invalid(`invalid IPv4 address '${text}' (expected a dotted quad, e.g. 10.0.0.1)`);
  const reason = unusable(ip);
  return reason ? new Invalid(`${text} is ${reason} (expected a unicast host address)`) : ip;
}

/** Addresses a node or pod can never have. */
function unusable(ip: Ipv4): string | undefined {
  const first = ip >>> 24;
  if (first === 0) return 'in 0.0.0.0/8 ("this network")';
  if (first === 127) return 'a loopback address';
  if (first >= 224 && first < 240) return 'a multicast address';
  if (first >= 240) return 'a reserved address';
  return undefined;
}

/** Pod CIDRs: strict (no host bits), and large enough for cilium_host plus one pod. */
export function podCidr(text: string, label: string): Ipv4Prefix | Invalid {
  const loose = parseIpv4Prefix(text, false);
  if (!loose) return new Invalid(`invalid IPv4 prefix '${text}' (expected address/length, e.g. 10.0.0.0/24)`);
  if (!parseIpv4Prefix(text, true)) return new Invalid(`${label} ${text} has host bits set (expected ${formatPrefix(loose)})`);
  if (loose.len > 30) return new Invalid(`${label} ${text} is too small (expected a prefix length of at most /30)`);
  return loose;
}

export function macAddress(text: string): Mac | Invalid {
  const m = parseMac(text);
  if (!m) return new Invalid(`invalid MAC address '${text}' (expected six colon-separated hex bytes, e.g. 52:54:00:12:34:56)`);
  if (m === '00:00:00:00:00:00') return new Invalid(`MAC address ${m} is all zeros (expected a unicast MAC)`);
  if (parseInt(m.slice(0, 2), 16) & 1) return new Invalid(`MAC address ${m} is a multicast address (expected a unicast MAC)`);
  return m;
}

/** Why `ip` cannot be a host in `cidr` (network or broadcast address), if it cannot. */
export function reservedInPrefix(cidr: Ipv4Prefix, ip: Ipv4): string | undefined {
  const broadcast = (cidr.addr | ~maskOf(cidr.len)) >>> 0;
  if (ip === cidr.addr) return `the network address of ${formatPrefix(cidr)}`;
  if (ip === broadcast) return `the broadcast address of ${formatPrefix(cidr)}`;
  return undefined;
}

/** Something that must be unique: `key` claimed by `owner` at `pos`. */
export interface Claim {
  readonly key: string;
  readonly owner: string;
  readonly pos: Position;
  /** The value is a default derived from a name (MAC, veth name, cilium_host address). */
  readonly derived?: boolean;
}

/**
 * Where an earlier object is, as seen from a later one: `line 12` in the same file,
 * `cluster.yaml:12` in another.
 */
export function firstAt(first: Position, later: Position): string {
  return first.file === later.file ? `line ${first.line}` : `${first.file}:${first.line}`;
}

/**
 * Reports every claim whose key was already claimed earlier in the input (files in the
 * order given), at the later claim; `message` gets the later and the first claim. Two
 * derived values collide only when what they derive from does (a duplicate name), which
 * is reported on its own.
 */
export function reportDuplicates(sink: Sink, claims: readonly Claim[], message: (later: Claim, first: Claim) => string): void {
  // Only keys claimed more than once can report anything: sort just their claims (the
  // relative order of the reports is the same), and nothing at all in the usual case.
  if (claims.length < 2) return;
  const counts = new Map<string, number>();
  let repeated = 0;
  for (const c of claims) {
    const n = counts.get(c.key) ?? 0;
    if (n === 1) repeated++;
    counts.set(c.key, n + 1);
  }
  if (repeated === 0) return;
  const ordered = claims.filter((c) => (counts.get(c.key) ?? 0) > 1).sort((a, b) => sink.compare(a.pos, b.pos));
  const first = new Map<string, Claim>();
  for (const c of ordered) {
    const earlier = first.get(c.key);
    if (!earlier) first.set(c.key, c);
    else if (!(earlier.derived && c.derived)) sink.report(c.pos, message(c, earlier));
  }
}

/** A Kubernetes port name (IsValidPortName): an IANA service name in lowercase. */
export function k8sPortName(text: string, label: string): string | Invalid {
  if (text.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(text) && /[a-z]/.test(text) && !text.includes('--')) return text;
  return new Invalid(`invalid ${label} '${text}' (expected at most 15 lowercase letters, digits and '-', with at least one letter)`);
}
