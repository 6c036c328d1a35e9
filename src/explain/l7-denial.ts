// Why Envoy answered 403, and the smallest HTTP rule that would let the request through: the
// explanation of a trace whose request the HTTP rules deny (src/proxy/envoy-http.ts).
import type { PolicyExplanation } from './policy-drop.js';
import type { L7Record, TraceResult } from '../trace/tree.js';

export function explainL7Denial(r: Pick<TraceResult, 'l7' | 'endpoints' | 'labelsOf'>): PolicyExplanation | null {
  const l = r.l7;
  if (!l || l.verdict !== 'DENIED') return null;
  const local = l.direction === 'ingress' ? l.dst : l.src;
  const ep = r.endpoints.find((e) => e.ip === local);
  const remoteId = l.direction === 'ingress' ? l.srcId : l.dstId;
  const lines = l.dns ? [
    `The DNS proxy (${l.listener}, proxy port ${l.proxyPort} on ${l.node}) answered the query ${l.dns.query} ${l.dns.qtype} with REFUSED: no rules.dns item of this port and peer matches (pkg/fqdn/dnsproxy/proxy.go CheckAllowed, sendRefused).`,
    'Each rules.dns item is a regex on the lowercased name with its trailing dot: matchName exactly, matchPattern with * standing for any characters inside one label (* alone: every name); the items are ORed.',
    ...l.from.map((f) => `The redirect comes from: ${f}.`),
    ...l.misses.map((m) => `Rule ${m.rule}: ${m.why}.`),
  ] : [
    `Envoy (${l.listener}, proxy port ${l.proxyPort} on ${l.node}) answered ${l.method} ${l.url} with 403 "Access denied": no HTTP rule of this port and peer matches.`,
    "Cilium configures each rules.http item as header matchers that must all match (method, path and host are full-string RE2 regexes; headers exact, or present when given without a value); the items are ORed.",
    ...l.from.map((f) => `The redirect comes from: ${f}.`),
    ...l.misses.map((m) => `Rule ${m.rule}: ${m.why}.`),
  ];
  return {
    direction: l.direction,
    endpoint: ep ? `${ep.namespace}/${ep.pod}` : local,
    endpointId: ep?.endpointId ?? 0,
    remoteIdentity: remoteId,
    remoteLabels: [...(r.labelsOf(remoteId) ?? [])],
    lines,
    suggestion: l.dns ? `# add to toPorts[].rules.dns of the rule above (egress, port ${l.dport}):\n- matchName: "${l.dns.query.replace(/\.$/, '')}"\n` : suggestion(l),
    suggestionName: null,
  };
}

/** The item to add to that toPorts entry's rules.http: the request's method and path as literal regexes. */
function suggestion(l: L7Record): string {
  const path = l.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `# add to toPorts[].rules.http of the rule above (${l.direction}, port ${l.dport}/TCP):\n- method: "${l.method}"\n  path: "${path.replace(/\\/g, '\\\\')}"\n`;
}
