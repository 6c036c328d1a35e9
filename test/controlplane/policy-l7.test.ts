// What Cilium v1.13.0 accepts but cilium-trace does not simulate, as the control plane turns it
// into map state: L7 rules become proxy redirects (pkg/policy/l4.go createL4Filter,
// __canSkipTruthTable; pkg/policy/rule.go mergePortProto; pkg/proxy/proxy.go listeners),
// peers learnt at run time (toFQDNs, toServices, toGroups) and requirements select nothing
// and never widen a rule to every peer, IPv6 peers are set aside the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyPortOf } from '../../src/controlplane/l7.js';
import { absent, allows, build, cnp, ep, idOf, key, policyMap, TCP, trace, UDP, verdict, type PodDef } from './policy-support.js';

const PODS: PodDef[] = [
  { name: 'web', ip: '10.0.1.10', labels: { app: 'web' } },
  { name: 'client', ip: '10.0.1.20', labels: { app: 'client' } },
  { name: 'other', node: 'n2', ip: '10.0.2.30', labels: { app: 'other' } },
  { name: 'dns', node: 'n2', ip: '10.0.2.53', labels: { app: 'dns' } },
];

// https://docs.cilium.io/en/v1.13/security/policy/language/#layer-7-examples — the entry of
// an HTTP rule carries the proxy port of the node's cilium-http-ingress listener.
test('http rules: the L3/L4 entry redirects to the node\'s cilium-http-ingress listener; the trace ends NOT_SIMULATED naming the rules', () => {
  const c = build(PODS, cnp('l7', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts:
          - ports: [{ port: "80", protocol: TCP }]
            rules: { http: [{ method: GET, path: "/public" }, { method: POST, path: "/api/.*", headers: ["X-Token: 1"] }] }
  `));
  const e = allows(c, 'web', key(idOf(c, 'client'), 80, TCP));
  assert.equal(e.proxyPort, proxyPortOf('n1', 'cilium-http-ingress'));
  assert.ok(e.proxyPort >= 10000 && e.proxyPort <= 20000);
  assert.deepEqual(e.redirect, {
    parser: 'http', listener: 'cilium-http-ingress', rules: ['GET /public', 'POST /api/.* header "X-Token: 1"'],
    // The same rules structured for the simulated Envoy (pkg/envoy/server.go:968-1024 getHTTPRule).
    http: [
      { text: 'GET /public', method: 'GET', path: '/public', headers: [] },
      { text: 'POST /api/.* header "X-Token: 1"', method: 'POST', path: '/api/.*', headers: [{ name: 'X-Token', value: '1' }] },
    ],
  });
  const t = trace(c, 'client', 'web', 'tcp', 80);
  assert.equal(verdict(t), 'NOT_SIMULATED');
  assert.equal(t.notSimulated?.text, `the ingress policy entry redirects to the proxy (80/TCP from identity ${idOf(c, 'client')}; proxy port ${e.proxyPort}, listener cilium-http-ingress); Envoy would then apply: GET /public; POST /api/.* header "X-Token: 1"`);
  // The L3/L4 part is enforced: another peer, or another port, is dropped as before.
  assert.equal(verdict(trace(c, 'other', 'web', 'tcp', 80)), 133);
  assert.equal(verdict(trace(c, 'client', 'web', 'tcp', 81)), 133);
});

// createL4Filter: DNS rules redirect on any protocol, HTTP/Kafka rules on TCP only (no parser, no redirect on UDP).
test('dns rules redirect on TCP and UDP to cilium-dns-egress; http rules on UDP make no redirect', () => {
  const c = build(PODS, cnp('dns', `
    endpointSelector: { matchLabels: { app: client } }
    egress:
      - toEndpoints: [{ matchLabels: { app: dns } }]
        toPorts:
          - ports: [{ port: "53", protocol: ANY }]
            rules: { dns: [{ matchPattern: "*" }] }
      - toEndpoints: [{ matchLabels: { app: web } }]
        toPorts:
          - ports: [{ port: "8080", protocol: UDP }]
            rules: { http: [{ method: GET }] }
  `));
  const dns = idOf(c, 'dns');
  for (const proto of [TCP, UDP]) {
    const e = allows(c, 'client', key(dns, 53, proto, 'egress'));
    assert.equal(e.redirect?.listener, 'cilium-dns-egress');
    assert.deepEqual(e.redirect?.rules, ['matchPattern *']);
  }
  const udp = allows(c, 'client', key(idOf(c, 'web'), 8080, UDP, 'egress'));
  assert.equal(udp.proxyPort, 0);
  assert.equal(udp.redirect, undefined);
  const t = trace(c, 'client', 'dns', 'udp', 53);
  assert.match(t.notSimulated?.text ?? '', /^the egress policy entry redirects to the proxy \(53\/UDP to identity \d+; proxy port \d+, listener cilium-dns-egress\); the DNS proxy would then apply: matchPattern \*$/);
  assert.deepEqual(t.notSimulated?.proxy?.rules, ['matchPattern *']);
});

// mergePortProto: for one peer and port, isRedirect is ORed and a rule without L7 rules adds an
// allow-all L7 rule; a deny of the same peer and port wins over the redirect.
test('an L7 rule and a plain rule on one peer and port: one redirect that also allows anything; a deny still wins', () => {
  const merged = build(PODS, cnp('l7', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ method: GET }] } }]
  `), cnp('plain', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `));
  const e = allows(merged, 'web', key(idOf(merged, 'client'), 80, TCP));
  assert.deepEqual(e.redirect?.rules, ['GET /.*', 'anything (CiliumNetworkPolicy default/plain spec has no L7 rules for it)']);
  const denied = build(PODS, cnp('l7', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ method: GET }] } }]
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `));
  assert.equal(verdict(trace(denied, 'client', 'web', 'tcp', 80)), 181);
});

// __canSkipTruthTable (pkg/policy/l4.go:46-80): an L3/L4 allow is skipped when the L4-only
// key redirects ("must redirect if L4-only redirects"); an L3/L4 redirect is kept when the
// L4-only key does not redirect.
test('__canSkip with redirects: L4-only redirect swallows a plain L3/L4 allow; a redirecting L3/L4 key beside a plain L4-only one stays', () => {
  const swallow = build(PODS, cnp('l4only-l7', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ path: "/" }] } }]
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `));
  absent(swallow, 'web', key(idOf(swallow, 'client'), 80, TCP));
  assert.equal(allows(swallow, 'web', key(0, 80, TCP)).redirect?.parser, 'http');
  const keep = build(PODS, cnp('l3l4-l7', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ path: "/" }] } }]
  `));
  assert.equal(allows(keep, 'web', key(idOf(keep, 'client'), 80, TCP)).redirect?.parser, 'http');
  assert.equal(allows(keep, 'web', key(0, 80, TCP)).redirect, undefined);
  assert.equal(verdict(trace(keep, 'other', 'web', 'tcp', 80)), 'FORWARDED');
  assert.equal(verdict(trace(keep, 'client', 'web', 'tcp', 80)), 'NOT_SIMULATED');
});

// pkg/policy/api/fqdn.go GetAsEndpointSelectors (EndpointSelectorNone) and
// EgressRule.AllowsWildcarding: toFQDNs, toServices and toRequires never make an item
// select every peer; the egress direction is enforced all the same.
test('toFQDNs, toServices and toRequires select nothing and never every peer; toServices ends NOT_SIMULATED, toFQDNs (no answer seen) drops', () => {
  const c = build(PODS, cnp('run-time', `
    endpointSelector: { matchLabels: { app: client } }
    egress:
      - toFQDNs: [{ matchPattern: "*.example.com" }]
        toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
      - toServices: [{ k8sService: { serviceName: external-db, namespace: default } }]
        toPorts: [{ ports: [{ port: "5432", protocol: TCP }] }]
      - toRequires: [{ matchLabels: { env: prod } }]
        toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
  `));
  const p = ep(c, 'client').policy;
  assert.equal(p.egressEnforced, true);
  assert.deepEqual(p.entries.filter((e) => e.key.direction === 'egress'), []);
  assert.deepEqual(p.pending.map((x) => [x.what, x.ports]), [
    ['CiliumNetworkPolicy default/run-time spec egress[0] toFQDNs[0] matchPattern *.example.com', [{ port: 443, proto: TCP }]],
    ['CiliumNetworkPolicy default/run-time spec egress[1] toServices[0] k8sService default/external-db', [{ port: 5432, proto: TCP }]],
  ]);
  assert.deepEqual(policyMap(c, 'client').pending, p.pending);
  // src/controlplane/fqdn.ts: the selector selects only addresses of answers a DNS proxy forwarded; none here.
  assert.equal(verdict(trace(c, 'client', '93.184.216.34', 'tcp', 443)), 133);
  assert.match(trace(c, 'client', '172.16.0.9', 'tcp', 5432).notSimulated?.text ?? '', /toServices\[0\] k8sService default\/external-db would allow it/);
  assert.equal(verdict(trace(c, 'client', '93.184.216.34', 'tcp', 80)), 133);
  // Inside the cluster the peers learnt at run time play no part: a pod is dropped on 8080 (toRequires selects nothing).
  assert.equal(verdict(trace(c, 'client', 'web', 'tcp', 443)), 133);
  assert.equal(verdict(trace(c, 'client', 'web', 'tcp', 8080)), 133);
});

// watcher.go:620: v1.13.0 translates toServices only for Services without a selector.
test('toServices naming a Service with a selector selects nothing in v1.13.0: a plain drop, no NOT_SIMULATED', () => {
  const text = `---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { clusterIP: 10.96.0.80, selector: { app: web }, ports: [{ port: 80 }] }
`;
  const c = build(PODS, text, cnp('svc', `
    endpointSelector: { matchLabels: { app: client } }
    egress:
      - toServices: [{ k8sService: { serviceName: web } }]
  `));
  assert.deepEqual(ep(c, 'client').policy.pending, []);
  assert.equal(verdict(trace(c, 'client', '93.184.216.34', 'tcp', 80)), 133);
});

// IPv6 peers cannot match an IPv4 packet; an item whose peers are all IPv6 selects nothing
// (not every peer), as in the cilium-cli test manifests' `toCIDR: [::/0]` items.
test('an item with only IPv6 CIDRs selects nothing; beside IPv4 ones the IPv4 part applies', () => {
  const c = build(PODS, cnp('v6', `
    endpointSelector: { matchLabels: { app: client } }
    egress:
      - toCIDR: ["::/0"]
        toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
      - toCIDR: ["0.0.0.0/0", "::/0"]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `));
  assert.equal(verdict(trace(c, 'client', '93.184.216.34', 'tcp', 443)), 133);
  assert.equal(verdict(trace(c, 'client', '93.184.216.34', 'tcp', 80)), 'FORWARDED');
  assert.equal(c.scenario.ipv6Ignored.length, 2);
});

// PortRule.Ports is optional in the CRD; mergeIngress/mergeEgress loop over the ports, so an
// item without ports allows nothing (it is not an L3-only rule).
test('a toPorts item without ports allows nothing', () => {
  const c = build(PODS, cnp('no-ports', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ rules: { http: [{ method: GET }] } }]
  `));
  assert.equal(verdict(trace(c, 'client', 'web', 'tcp', 80)), 133);
});
