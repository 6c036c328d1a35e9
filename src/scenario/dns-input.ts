// The `dns:` section of a Scenario: the answers the DNS server gives (cilium-trace has no
// resolver), name → list of IPv4 addresses, e.g. `dns: {api.github.com: [140.82.112.6]}`.
// Names as the DNS proxy sees them: lowercased, with the trailing dot. Problems are positioned.
import type { Position } from '../errors.js';
import { formatIpv4, parseIpv4 } from '../net/ip.js';
import { nameProblem, queryName } from '../proxy/dns-proxy.js';
import { isMap, isScalar, isSeq } from './ast.js';
import type { MapView } from './raw.js';

export interface DnsAnswer {
  readonly name: string;
  readonly ips: readonly string[];
  readonly pos: Position;
}

export function readDnsAnswers(root: MapView, into: DnsAnswer[]): void {
  const e = root.entry('dns');
  if (!e) return;
  const src = root.src;
  if (!isMap(e.node)) {
    src.report(e.pos, "'dns' must be a mapping of names to lists of IPv4 addresses, e.g. api.github.com: [140.82.112.6]");
    return;
  }
  const { keys, values } = e.node;
  for (let i = 0; i < keys.length; i++) {
    const key = src.deref(keys[i]);
    if (!key || !isScalar(key) || typeof key.value !== 'string') {
      src.report(key ? src.posOf(key) : e.pos, 'a dns name must be a string');
      continue;
    }
    const pos = src.posOf(key);
    const bad = nameProblem(key.value);
    if (bad) {
      src.report(pos, `dns: ${bad}`);
      continue;
    }
    const value = src.deref(values[i]);
    const items = value && isSeq(value) ? value.items.map((n) => src.deref(n)) : value ? [value] : [];
    if (items.length === 0) src.report(pos, `dns: ${key.value} has no addresses (expected a list of IPv4 addresses)`);
    const ips: string[] = [];
    for (const n of items) {
      const ip = n && isScalar(n) && typeof n.value === 'string' ? parseIpv4(n.value) : undefined;
      if (ip === undefined) {
        src.report(n ? src.posOf(n) : pos, `dns: ${key.value}: ${n && isScalar(n) ? JSON.stringify(n.value) : 'this item'} is not an IPv4 address`);
        continue;
      }
      if (!ips.includes(formatIpv4(ip))) ips.push(formatIpv4(ip));
    }
    const name = queryName(key.value);
    if (into.some((a) => a.name === name)) src.report(pos, `dns: ${name} is given twice`);
    else into.push({ name, ips, pos });
  }
}
