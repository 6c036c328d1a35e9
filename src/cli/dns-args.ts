// --dns-query NAME (the query a DNS flow carries, for the simulated DNS proxy) and --resolve
// NAME=IP[,IP…] (repeatable: the answers the DNS server gives; cilium-trace has no resolver).
// Errors are one positioned line (<cmdline>:1:COL), exit 2.
import { InputError } from '../errors.js';
import { formatIpv4, parseIpv4 } from '../net/ip.js';
import { nameProblem, queryName, type DnsQuery } from '../proxy/dns-proxy.js';
import type { ArgPos } from './endpoints.js';


const CMDLINE = '<command line>';

function problem(arg: ArgPos, message: string): InputError {
  return new InputError([{ pos: { file: CMDLINE, line: 1, col: arg.col }, message }]);
}

/** NAME=IP[,IP…] items: name (lowercased, with the trailing dot) → addresses. */
export function parseResolve(items: readonly ArgPos[]): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const a of items) {
    const eq = a.text.indexOf('=');
    if (eq <= 0) throw problem(a, `bad --resolve '${a.text}': expected NAME=IP[,IP…], e.g. api.github.com=140.82.112.6`);
    const name = a.text.slice(0, eq);
    const bad = nameProblem(name);
    if (bad) throw problem(a, `bad --resolve '${a.text}': ${bad}`);
    const ips = a.text.slice(eq + 1).split(',');
    const list = out.get(queryName(name)) ?? [];
    ips.forEach((ip, i) => {
      const at = { ...a, col: a.col + eq + 1 + ips.slice(0, i).reduce((n, x) => n + x.length + 1, 0) };
      const v = parseIpv4(ip);
      if (v === null || v === undefined) throw problem(at, `bad --resolve '${a.text}': ${JSON.stringify(ip)} is not an IPv4 address`);
      const text = formatIpv4(v);
      if (!list.includes(text)) list.push(text);
    });
    out.set(queryName(name), list);
  }
  return out;
}

export function parseDnsQuery(q: ArgPos | undefined, proto: string, resolve: ReadonlyMap<string, readonly string[]>): DnsQuery | undefined {
  if (!q) return undefined;
  if (proto !== 'udp' && proto !== 'tcp') throw problem(q, `--dns-query needs a UDP or TCP destination port (udp/53); this flow is ${proto}`);
  const bad = nameProblem(q.text);
  if (bad) throw problem(q, `bad --dns-query: ${bad}`);
  const name = queryName(q.text);
  return { name, answers: resolve.get(name) ?? [] };
}
