// The parts of a Cilium rule that v1.13.0 accepts but cilium-trace does not simulate: L7
// rules and TLS/listener redirects of a toPorts item, peers the agent learns at run time
// (toFQDNs, toServices, toGroups, fromGroups), requirement selectors (toRequires,
// fromRequires) and host policies. Each is read as written, so the L3/L4 part of its rule is
// enforced, and said once on stderr as `file:line:col: warning: …`, never refused: the API
// server accepted it. What a trace meets of them ends NOT_SIMULATED, naming the rule.
import { isMap, isScalar, isSeq } from './ast.js';
import { list, looseMap, type Entry, type MapView, type Source } from './raw.js';
import { compact } from '../util/compact.js';
import type { L7Spec, UnresolvedPeer } from './types.js';
import type { HttpRule } from '../proxy/envoy-http.js';

/** A string field of a loosely read mapping, or undefined. */
function text(m: MapView | undefined, key: string): string | undefined {
  const e = m?.entry(key);
  return e && isScalar(e.node) && (typeof e.node.value === 'string' || typeof e.node.value === 'number') ? String(e.node.value) : undefined;
}

/** The mappings of a list field (other items are skipped: the L7 part is only described, never enforced). */
function maps(src: Source, m: MapView | undefined, key: string): MapView[] {
  const e = m?.entry(key);
  if (!e || !isSeq(e.node)) return [];
  return (list(src, e) ?? []).flatMap((item) => (isMap(item.node) ? [looseMap(src, item) as MapView] : []));
}

function strings(src: Source, m: MapView | undefined, key: string): string[] {
  const e = m?.entry(key);
  if (!e || !isSeq(e.node)) return [];
  return (list(src, e) ?? []).flatMap((item) => (isScalar(item.node) && item.node.value !== null ? [String(item.node.value)] : []));
}

/** One `rules.http` item as Envoy matches it (method, path, host regexes; headers). */
function httpText(src: Source, r: MapView): string {
  const parts = [text(r, 'method') ?? '*', text(r, 'path') ?? '/.*'];
  const host = text(r, 'host');
  if (host) parts.push(`host ${host}`);
  for (const h of strings(src, r, 'headers')) parts.push(`header "${h}"`);
  for (const h of headerMatchesOf(r)) parts.push(`headerMatch ${h.name}${h.value !== undefined ? `=${h.value}` : ''}${h.mismatch ? ` (mismatch ${h.mismatch})` : ''}`);
  return parts.join(' ');
}

function headerMatchesOf(r: MapView): Array<{ name: string; value?: string; mismatch?: string }> {
  return maps(r.src, r, 'headerMatches').flatMap((h) => {
    const name = text(h, 'name');
    return name === undefined ? [] : [compact({ name, value: text(h, 'value'), mismatch: text(h, 'mismatch') })];
  });
}

/**
 * The same item structured as getHTTPRule reads it (pkg/envoy/server.go:968-1024 at v1.13.0):
 * a header "Name value" (SplitN on the first space, the colon trimmed) must have that exact
 * value, a header of one word only be present.
 */
function httpRule(src: Source, r: MapView): HttpRule {
  const headers = strings(src, r, 'headers').map((h) => {
    const i = h.indexOf(' ');
    return i < 0 ? { name: h } : { name: h.slice(0, i).replace(/:+$/, ''), value: h.slice(i + 1) };
  });
  const hm = headerMatchesOf(r);
  return compact<HttpRule>({ text: httpText(src, r), method: text(r, 'method'), path: text(r, 'path'), host: text(r, 'host'), headers, ...(hm.length ? { headerMatches: hm } : {}) });
}

function kafkaText(r: MapView): string {
  const what = text(r, 'role') ?? text(r, 'apiKey') ?? 'any request';
  const topic = text(r, 'topic');
  const client = text(r, 'clientID');
  return [what, topic ? `topic ${topic}` : '', client ? `clientID ${client}` : ''].filter(Boolean).join(' ');
}

function dnsText(r: MapView): string {
  const name = text(r, 'matchName');
  const pattern = text(r, 'matchPattern');
  return [name ? `matchName ${name}` : '', pattern !== undefined ? `matchPattern ${pattern}` : ''].filter(Boolean).join(' ') || 'any name';
}

/** `rules.l7` items (PortRuleL7, a map of strings): `{key=value, …}`. */
function l7Items(r: MapView | undefined): string[] {
  const e = r?.entry('l7');
  if (!e || !isSeq(e.node)) return [];
  return e.node.items.flatMap((item) => {
    if (!isMap(item)) return [];
    const pairs = item.keys.map((k, i) => {
      const v = item.values[i];
      return `${isScalar(k) ? String(k.value) : '?'}=${v && isScalar(v) ? String(v.value) : ''}`;
    });
    return [`{${pairs.join(', ')}}`];
  });
}

/** The L7 part of one toPorts item (`m` read with the portRule field set), with a warning per field present. */
export function readL7(m: MapView): L7Spec | undefined {
  const src = m.src;
  const rules = m.entry('rules');
  const r = rules && isMap(rules.node) ? looseMap(src, rules) : undefined;
  const httpItems = maps(src, r, 'http');
  const http = httpItems.map((x) => httpText(src, x));
  const httpRules = httpItems.map((x) => httpRule(src, x));
  const kafka = maps(src, r, 'kafka').map(kafkaText);
  const dns = maps(src, r, 'dns').map(dnsText);
  const l7proto = text(r, 'l7proto');
  const l7 = l7Items(r);
  const tls: string[] = [];
  for (const k of ['terminatingTLS', 'originatingTLS', 'serverNames'] as const) if (m.entry(k)) tls.push(k === 'serverNames' ? `serverNames ${strings(src, m, k).join(', ')}` : k);
  const le = m.entry('listener');
  const lm = le && isMap(le.node) ? looseMap(src, le) : undefined;
  const ec = lm?.entry('envoyConfig');
  const ecm = ec && isMap(ec.node) ? looseMap(src, ec) : undefined;
  const listener = lm ? `${text(ecm, 'kind') ?? 'CiliumEnvoyConfig'} ${text(ecm, 'name') ?? '?'} listener ${text(lm, 'name') ?? '?'}` : undefined;
  if (!rules && tls.length === 0 && !listener) return undefined;
  if (rules) {
    const kinds = [http.length ? 'http' : '', kafka.length ? 'kafka' : '', dns.length ? 'dns' : '', l7proto ? `l7proto ${l7proto}` : ''].filter(Boolean).join(', ') || 'empty';
    const what = kinds === 'dns' ? 'its DNS proxy redirect' : 'its proxy redirect';
    if (kinds === 'http') src.warn(rules.keyPos ?? rules.pos, `HTTP rules are simulated (Envoy's matching) only for a request given with --http: without one, a packet that reaches its proxy redirect ends NOT_SIMULATED`);
    else if (kinds === 'dns') src.warn(rules.keyPos ?? rules.pos, `DNS rules are simulated (the DNS proxy's matching) only for a query given with --dns-query or a DNS name as DST: without one, a packet that reaches its DNS proxy redirect ends NOT_SIMULATED`);
    else src.warn(rules.keyPos ?? rules.pos, `L7 rules (${kinds}) are not simulated: the L3/L4 part of this toPorts item is enforced; a packet that reaches ${what} ends NOT_SIMULATED`);
  }
  for (const k of ['terminatingTLS', 'originatingTLS', 'serverNames', 'listener'] as const) {
    const e = m.entry(k);
    if (e) src.warn(e.keyPos ?? e.pos, `'${k}' is not simulated: the L3/L4 part of this toPorts item is enforced; a packet that reaches its proxy redirect ends NOT_SIMULATED`);
  }
  return compact<L7Spec>({ http, ...(httpRules.length ? { httpRules } : {}), kafka, dns, l7proto, l7, tls, listener, pos: m.pos });
}

const UNRESOLVED_WHY: Readonly<Record<UnresolvedPeer['kind'], string>> = {
  toFQDNs: 'its addresses come from the DNS answers the agent sees at run time',
  toServices: 'v1.13.0 turns it into toCIDRSet rules for the endpoints of Services without a selector only (pkg/k8s/watchers/watcher.go:620)',
  toGroups: "its addresses come from the cloud provider's API at run time",
  fromGroups: "its addresses come from the cloud provider's API at run time",
};

/** toFQDNs, toServices, toGroups or fromGroups of one rule item: peers not simulated, with one warning. */
export function readUnresolved(m: MapView, kind: UnresolvedPeer['kind']): UnresolvedPeer[] | undefined {
  const e = m.entry(kind);
  if (!e) return undefined;
  const src = m.src;
  const items = isSeq(e.node) ? (list(src, e) ?? []) : [];
  if (kind === 'toFQDNs') src.warn(e.keyPos ?? e.pos, `'toFQDNs' selects the addresses of DNS answers a DNS proxy has forwarded; the simulated agents start with none: give the name as DST (SRC NAME PROTO --resolve NAME=IP) to trace the lookup, then the connection over the maps the answer fills`);
  else src.warn(e.keyPos ?? e.pos, `'${kind}' is not simulated (${UNRESOLVED_WHY[kind]}): it allows no peer here, and a trace that only it could allow ends NOT_SIMULATED`);
  return items.map((item, i) => unresolvedPeer(src, kind, item, i));
}

function unresolvedPeer(src: Source, kind: UnresolvedPeer['kind'], item: Entry, i: number): UnresolvedPeer {
  const m = isMap(item.node) ? looseMap(src, item) : undefined;
  const at = `${kind}[${i}]`;
  if (kind === 'toFQDNs') return { kind, text: `${at} ${m ? dnsText(m) : '?'}`, pos: item.pos };
  if (kind === 'toServices') {
    const sm = m?.entry('k8sService');
    const s = sm && isMap(sm.node) ? looseMap(src, sm) : undefined;
    const name = text(s, 'serviceName');
    if (s && name) {
      const ns = text(s, 'namespace');
      return compact<UnresolvedPeer>({ kind, text: `${at} k8sService ${ns ? `${ns}/` : ''}${name}`, service: { name, namespace: ns }, pos: item.pos });
    }
    return { kind, text: `${at} k8sServiceSelector`, pos: item.pos };
  }
  const provider = m ? ['aws'].find((p) => m.entry(p)) : undefined;
  return { kind, text: `${at} ${provider ?? 'group'}`, pos: item.pos };
}

/** toRequires / fromRequires: read (their selectors are checked by the caller) and ignored, with one warning. */
export function warnRequires(m: MapView, key: 'toRequires' | 'fromRequires'): void {
  const e = m.entry(key);
  if (!e) return;
  const peers = key === 'toRequires' ? 'toEndpoints' : 'fromEndpoints';
  m.src.warn(e.keyPos ?? e.pos, `'${key}' is not simulated: v1.13.0 adds these requirements to the ${peers} of every rule selecting these endpoints; here they are ignored, so a trace may allow what the cluster denies`);
}
