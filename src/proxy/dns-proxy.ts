// The DNS proxy of the agent (not BPF). Sources, same at v1.13.0, v1.16.15 and v1.18.3:
// pkg/fqdn/matchpattern/matchpattern.go ToRegexp/ToAnchoredRegexp (a pattern is lowercased, `*`
// becomes [-a-zA-Z0-9_]* so it stays inside one label, `.` a literal dot, the whole name
// anchored; `*` alone matches every name), pkg/policy/api/fqdn.go ToRegex (matchName is made a
// FQDN with a trailing dot, matchPattern sanitized the same way unless it is `*`), and
// pkg/fqdn/dnsproxy/proxy.go CheckAllowed (the query name is lowercased and made a FQDN, then
// matched against each rule of the endpoint's port) and ServeDNS (a query no rule allows is
// answered with --tofqdns-dns-reject-response-code, default refused, by sendRefused).

/** One `rules.dns` item as the redirect lists it (src/scenario/policy-extras.ts dnsText). */
export interface DnsRule {
  readonly text: string;
  /** The anchored regex CheckAllowed matches the query name with; null = an allow without DNS rules (any name). */
  readonly regex: string | null;
}

const DNS_CHARS = '[-a-zA-Z0-9_]';

/** dns.FQDN: a name with its trailing dot. */
export function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** matchpattern.ToRegexp of a sanitized pattern. */
export function patternRegex(pattern: string): string {
  const p = pattern.trim().toLowerCase();
  if (p === '*') return `(^(${DNS_CHARS}+[.])+$)|(^[.]$)`;
  return `^${p.replace(/\*/g, `${DNS_CHARS}*`).replace(/\./g, '[.]')}$`;
}

/** FQDNSelector.ToRegex: matchName is a FQDN, matchPattern sanitized (FQDN unless `*`). */
export function selectorRegex(sel: { matchName?: string | undefined; matchPattern?: string | undefined }): string {
  if (sel.matchName) return patternRegex(fqdn(sel.matchName));
  const p = (sel.matchPattern ?? '').trim();
  return patternRegex(p === '*' ? p : fqdn(p));
}

/** A redirect's rule text back to the rule: 'matchName X', 'matchPattern Y', 'any name', 'anything (…)'. */
export function dnsRuleOf(text: string): DnsRule {
  if (text.startsWith('anything')) return { text, regex: null };
  const name = /^matchName (\S+)/.exec(text)?.[1];
  const pattern = /matchPattern (\S+)$/.exec(text)?.[1];
  return { text, regex: selectorRegex({ matchName: name, matchPattern: name ? undefined : pattern ?? '' }) };
}

/** The name CheckAllowed matches: lowercased, with its trailing dot. */
export function queryName(name: string): string {
  return fqdn(name.trim().toLowerCase());
}

export interface DnsVerdict {
  readonly allowed: boolean;
  readonly qname: string;
  readonly matched?: DnsRule;
  readonly misses: readonly DnsRule[];
}

/** CheckAllowed for one endpoint, port and server identity: the rules are ORed. */
export function evaluateDns(rules: readonly DnsRule[], name: string): DnsVerdict {
  const qname = queryName(name);
  const misses: DnsRule[] = [];
  for (const r of rules) {
    if (r.regex === null || new RegExp(r.regex).test(qname)) return { allowed: true, qname, matched: r, misses };
    misses.push(r);
  }
  return { allowed: false, qname, misses };
}

/** A name as the probe or a `dns:` section gives it (FQDNMatchNameRegexString of pkg/policy/api/fqdn.go). */
export function nameProblem(name: string): string | undefined {
  if (!/^([-a-zA-Z0-9_]+[.]?)+$/.test(name)) return `${JSON.stringify(name)} is not a DNS name (letters, digits, '-', '_' and dots)`;
  return undefined;
}

/**
 * The upstream socket's SO_MARK: setSoMark@v1.13.0 MagicMarkIdentity 0x0F00, setSoMarks from
 * v1.15 (v1.16.15 proxy.go:843-846) MagicMarkEgress 0x0B00; with the endpoint's identity.
 */
export function upstreamMark(identity: number, magic: 0x0f00 | 0x0b00 = 0x0f00): number {
  return (magic | ((identity & 0xffff) << 16) | ((identity & 0xff0000) >> 16)) >>> 0;
}

/** A query the probe gives (--dns-query, with the --resolve answers for its name). */
export interface DnsQuery {
  /** The name as CheckAllowed sees it: lowercased, with the trailing dot. */
  readonly name: string;
  /** The answers the user gave for it (--resolve), in order; empty = none given. */
  readonly answers: readonly string[];
}
