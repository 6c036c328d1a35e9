// The HTTP half of Envoy's cilium.l7policy filter as Cilium configures it. Not BPF: the Go that
// builds the rules is the source (v1.13.0 pkg/envoy/server.go:968-1060 getHTTPRule; v1.16.15
// pkg/envoy/xds_server.go:1162; v1.18.3 pkg/envoy/policy/envoy_l7_rules_translator.go:62, same
// translation). Each `rules.http` item becomes header matchers that must all match: `path` →
// `:path`, `method` → `:method`, `host` → `:authority`, each a SafeRegexMatch with the GoogleRE2
// engine (a full-string match: `/v1/` does not match `/v1/x`); `headers` items "Name: value" an
// ExactMatch of the value, "Name" a PresentMatch. Items are ORed. A selector of the same port
// without L7 rules (an L3/L4-only allow merged in) yields a rule with no HTTP part, which lets
// every request through (getPortNetworkPolicyRule). Denied requests get Envoy's local reply
// 403 with body "Access denied" (--http-403-msg, pkg/option/config.go).

/** One `rules.http` item, structured, with the text shown for it. */
export interface HttpRule {
  readonly text: string;
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  /** `headers`: value undefined = presence only. */
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value?: string }>;
  /** `headerMatches` without a mismatch action (FAIL_ON_MISMATCH): the value must be there, exactly. */
  readonly headerMatches?: ReadonlyArray<{ readonly name: string; readonly value?: string; readonly mismatch?: string }>;
}

/** One selector's rules for the port: HTTP items, or `null` for a rule without L7 rules ("anything"). */
export type HttpRuleSet = ReadonlyArray<HttpRule | null>;

/** A request as the probe gives it (--http 'METHOD PATH', --header, --host). */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

export const HTTP_403_BODY = 'Access denied';

/** Why one rule does not match the request ('' = it matches). */
export function ruleMismatch(rule: HttpRule, req: HttpRequest): string {
  const bad: string[] = [];
  const re = (field: string, pattern: string | undefined, value: string) => {
    if (pattern === undefined || pattern === '') return;
    if (!fullMatch(pattern, value)) bad.push(`${field} ${JSON.stringify(value)} does not match the regex ${JSON.stringify(pattern)} (full-string RE2 match)`);
  };
  re(':method', rule.method, req.method);
  re(':path', rule.path, req.path);
  re(':authority', rule.host, req.host);
  for (const h of rule.headers) {
    const got = headerOf(req, h.name);
    if (got === undefined) bad.push(`header ${h.name} is missing`);
    else if (h.value !== undefined && got !== h.value) bad.push(`header ${h.name} is ${JSON.stringify(got)}, not exactly ${JSON.stringify(h.value)}`);
  }
  for (const h of rule.headerMatches ?? []) {
    if (h.mismatch !== undefined && h.mismatch !== '') continue; // LOG/ADD/DELETE/REPLACE: the request goes on
    const got = headerOf(req, h.name);
    if (got === undefined || (h.value !== undefined && got !== h.value)) bad.push(`headerMatches ${h.name}${h.value !== undefined ? ` = ${JSON.stringify(h.value)}` : ''} fails (no mismatch action)`);
  }
  return bad.join('; ');
}

export interface HttpVerdict {
  readonly allowed: boolean;
  /** The rule that let it through (null: a selector without L7 rules). */
  readonly matched?: HttpRule | null;
  /** Each rule that did not match and why. */
  readonly misses: ReadonlyArray<{ readonly rule: HttpRule; readonly why: string }>;
}

export function evaluateHttp(rules: HttpRuleSet, req: HttpRequest): HttpVerdict {
  const misses: Array<{ rule: HttpRule; why: string }> = [];
  for (const r of rules) {
    if (r === null) return { allowed: true, matched: null, misses };
    const why = ruleMismatch(r, req);
    if (why === '') return { allowed: true, matched: r, misses };
    misses.push({ rule: r, why });
  }
  return { allowed: false, misses };
}

/** RE2 full match, approximated with an anchored JS regex (the syntax the rules use is common to both). */
export function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return false; // Envoy refuses an invalid regex; no request matches it
  }
}

function headerOf(req: HttpRequest, name: string): string | undefined {
  const n = name.toLowerCase(); // HTTP header names are case-insensitive; Envoy lowercases them
  if (n === 'host' || n === ':authority') return req.host;
  return req.headers.find((h) => h.name.toLowerCase() === n)?.value;
}

/** The smallest rule that would allow the request: its method and path, escaped as RE2 literals. */
export function proposeRule(req: HttpRequest): string {
  return `{method: ${req.method}, path: ${escapeRe(req.path)}}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The probe's request line: 'PUT /v1/exhaust-port' (method optional: GET). */
export function parseRequestLine(text: string): { method: string; path: string } | string {
  const parts = text.trim().split(/\s+/);
  if (parts.length === 1 && parts[0]?.startsWith('/')) return { method: 'GET', path: parts[0] };
  if (parts.length !== 2 || !parts[0] || !parts[1]) return "expected 'METHOD /PATH', e.g. 'PUT /v1/exhaust-port'";
  if (!/^[A-Z][A-Z-]*$/.test(parts[0])) return `method ${JSON.stringify(parts[0])} is not an HTTP method (upper case, e.g. GET, POST, PUT)`;
  if (!parts[1].startsWith('/')) return `path ${JSON.stringify(parts[1])} does not start with /`;
  return { method: parts[0], path: parts[1] };
}

/** A --header value: 'Name: value' (exact) as a request header. */
export function parseHeader(text: string): { name: string; value: string } | string {
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s?(.*)$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) return "expected 'Name: value', e.g. 'X-Has-Force: True'";
  return { name: m[1], value: m[2] };
}

/** The URL Envoy's access log (and so monitor and Hubble) prints: http://HOST/PATH. */
export function requestUrl(req: HttpRequest): string {
  return `http://${req.host}${req.path}`;
}
