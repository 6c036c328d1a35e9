// The L7 side of v1.13.0's policy resolution, as far as the datapath sees it: which toPorts
// items redirect to a proxy (pkg/policy/l4.go createL4Filter, addPolicyForSelector), how the
// rules of one peer and port merge (pkg/policy/rule.go mergePortProto), and which listener of
// the node the redirect goes to (pkg/proxy/proxy.go findProxyPortByType). The proxies
// themselves (Envoy, the DNS proxy) are not simulated: the rules are kept to be named.
import type { TrafficDirection } from '../maps/policymap.js';
import type { L7Spec, UnresolvedPeer } from '../scenario/types.js';
import type { HttpRuleSet } from '../proxy/envoy-http.js';
import { fnv1a } from '../util/hash.js';

const TCP = 6;

/** The PerSelectorPolicy of an allow with L7 rules: its parser and the rules the proxy applies. */
export interface SelectorRedirect {
  readonly parser: string;
  readonly rules: readonly string[];
  /** A CiliumEnvoyConfig listener (parser crd). */
  readonly listener?: string;
  /** Parser http: the rules structured for the simulated Envoy; null = a rule without L7 rules (anything). */
  readonly http?: HttpRuleSet;
}

/**
 * createL4Filter (pkg/policy/l4.go:732-800): TLS contexts or serverNames make the parser
 * tls; DNS rules make it dns on any protocol; HTTP, Kafka and l7proto rules count on TCP
 * only; a listener makes it crd. No parser, no redirect (addPolicyForSelector is not called).
 */
export function l7Redirect(l7: L7Spec, proto: number, from: string): SelectorRedirect | undefined {
  let parser: string | undefined;
  let rules: readonly string[] = [];
  if (l7.tls.length > 0) {
    parser = 'tls';
    rules = l7.tls;
  }
  if (l7.dns.length > 0) {
    parser = 'dns';
    rules = l7.dns;
  } else if (proto === TCP) {
    if (l7.http.length > 0) [parser, rules] = ['http', l7.http];
    else if (l7.kafka.length > 0) [parser, rules] = ['kafka', l7.kafka];
    else if (l7.l7proto) [parser, rules] = [l7.l7proto, l7.l7];
  }
  if (l7.listener) return { parser: 'crd', rules: [`${l7.listener} (from ${from})`], listener: l7.listener };
  if (parser === 'http') return { parser, rules, http: l7.httpRules ?? [] };
  return parser ? { parser, rules: rules.length > 0 ? rules : ['anything'] } : undefined;
}

/** mergePortProto for one selector: redirects are ORed; a rule without L7 rules allows anything at L7. */
export function mergeRedirects(a: SelectorRedirect | undefined, b: SelectorRedirect | undefined, from: string): SelectorRedirect | undefined {
  if (!a && !b) return undefined;
  const anything = `anything (${from} has no L7 rules for it)`;
  if (!a || !b) {
    const r = (a ?? b) as SelectorRedirect;
    return { ...r, rules: [...r.rules, anything], ...(r.http ? { http: [...r.http, null] } : {}) };
  }
  const http = a.http || b.http ? [...(a.http ?? [null]), ...(b.http ?? [null]).filter((x) => !(a.http ?? []).some((y) => y?.text === x?.text))] : undefined;
  return { ...a, rules: [...a.rules, ...b.rules.filter((x) => !a.rules.includes(x))], ...(http ? { http } : {}) };
}

/**
 * findProxyPortByType (pkg/proxy/proxy.go:342-365): one listener per parser type and
 * direction on each node; HTTP and DNS have their own, CRD listeners their name, every
 * other parser (Kafka, TLS, l7proto) the proxylib one.
 */
export function proxyListener(parser: string, direction: TrafficDirection, crd?: string): string {
  if (parser === 'crd' && crd) return crd;
  if (parser === 'dns') return 'cilium-dns-egress';
  if (parser === 'http') return `cilium-http-${direction}`;
  return `cilium-proxylib-${direction}`;
}

/**
 * The proxy port a node's agent gives a listener: v1.13.0 draws it at random from
 * 10000-20000 (pkg/proxy/proxy.go:234-259 allocatePort; daemon/cmd/daemon.go:658 StartProxySupport(10000, 20000, …));
 * a hash of node and listener stands in for the draw, so output stays the same.
 */
export function proxyPortOf(node: string, listener: string): number {
  return 10000 + (fnv1a(`${node}/${listener}`) % 10001);
}

/** The condition under which such a peer matches, known only at run time. */
const PENDING_WHY: Readonly<Record<UnresolvedPeer['kind'], string>> = {
  toFQDNs: 'the address is in an answer the DNS proxy saw for that name',
  toServices: 'the address is an endpoint of that selector-less Service (pkg/k8s/watchers/watcher.go:620)',
  toGroups: "the cloud provider's API lists the address in that group",
  fromGroups: "the cloud provider's API lists the address in that group",
};

export function pendingWhy(kind: UnresolvedPeer['kind']): string {
  return PENDING_WHY[kind];
}
