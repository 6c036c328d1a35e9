// Kubernetes NetworkPolicy as Cilium v1.13 converts it (semantic 9, pkg/k8s/network_policy.go
// ParseNetworkPolicy). Semantics per https://kubernetes.io/docs/concepts/services-networking/network-policies/
// and the recipes of https://github.com/ahmetb/kubernetes-network-policy-recipes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix } from '../../src/net/ip.js';
import { absent, allows, build, ep, idOf, key, knp, nsDoc, TCP, trace, UDP, verdict, type PodDef } from './policy-support.js';

const PODS: PodDef[] = [
  { name: 'web', ns: 'shop', ip: '10.0.1.10', labels: { app: 'web' } },
  { name: 'db', ns: 'shop', node: 'n2', ip: '10.0.2.10', labels: { app: 'db' } },
  { name: 'prod-client', ns: 'prod', node: 'n2', ip: '10.0.2.20', labels: { app: 'client' } },
  { name: 'prod-other', ns: 'prod', node: 'n2', ip: '10.0.2.21', labels: { app: 'other' } },
  { name: 'dev-client', ns: 'dev', ip: '10.0.1.20', labels: { app: 'client' } },
];
const NAMESPACES = [nsDoc('shop'), nsDoc('prod', { purpose: 'production' }), nsDoc('dev', { purpose: 'development' })];

// "Default deny all ingress traffic" (network-policies/#default-deny-all-ingress-traffic).
test('deny all ingress: podSelector {} + policyTypes [Ingress] selects every pod of the namespace and allows nothing', () => {
  const c = build(PODS, ...NAMESPACES, knp('default-deny', `
    podSelector: {}
    policyTypes: [Ingress]
  `, 'shop'));
  for (const p of ['web', 'db']) {
    assert.equal(ep(c, p).policy.ingressEnforced, true);
    assert.equal(ep(c, p).policy.egressEnforced, false);
    assert.deepEqual(ep(c, p).policy.entries.filter((e) => e.key.direction === 'ingress').map((e) => e.key.identity), [1]);
  }
  assert.equal(ep(c, 'prod-client').policy.ingressEnforced, false);
  assert.equal(verdict(trace(c, 'prod-client', 'web', 'tcp', 80)), 133);
  assert.equal(verdict(trace(c, 'web', 'prod-client', 'tcp', 80)), 'FORWARDED');
});

// Recipe 06 "allow all traffic from a namespace": namespaceSelector on namespace labels
// (io.cilium.k8s.namespace.labels.<key> in Cilium).
test('allow from a namespace: namespaceSelector matches the namespace\'s labels', () => {
  const c = build(PODS, ...NAMESPACES, knp('from-prod', `
    podSelector: { matchLabels: { app: web } }
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: production } } }] }]
  `, 'shop'));
  allows(c, 'web', key(idOf(c, 'prod-client'), 0, 0));
  allows(c, 'web', key(idOf(c, 'prod-other'), 0, 0));
  absent(c, 'web', key(idOf(c, 'dev-client'), 0, 0));
  assert.equal(verdict(trace(c, 'prod-client', 'web', 'tcp', 443)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'dev-client', 'web', 'tcp', 443)), 133);
});

// network-policies/#behavior-of-to-and-from-selectors: both selectors in one peer = AND,
// two peers = OR.
test('AND vs OR: namespaceSelector and podSelector in one peer vs in two peers', () => {
  const and = build(PODS, ...NAMESPACES, knp('and', `
    podSelector: { matchLabels: { app: web } }
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: production } }, podSelector: { matchLabels: { app: client } } }] }]
  `, 'shop'));
  allows(and, 'web', key(idOf(and, 'prod-client'), 0, 0));
  absent(and, 'web', key(idOf(and, 'prod-other'), 0, 0));
  absent(and, 'web', key(idOf(and, 'dev-client'), 0, 0));
  const or = build(PODS, ...NAMESPACES, knp('or', `
    podSelector: { matchLabels: { app: web } }
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: production } } }, { podSelector: { matchLabels: { app: db } } }] }]
  `, 'shop'));
  allows(or, 'web', key(idOf(or, 'prod-client'), 0, 0));
  allows(or, 'web', key(idOf(or, 'prod-other'), 0, 0));
  allows(or, 'web', key(idOf(or, 'db'), 0, 0));
  absent(or, 'web', key(idOf(or, 'dev-client'), 0, 0));
});

test('peers: podSelector alone is the policy\'s namespace; namespaceSelector {} is every namespace but no reserved identity', () => {
  const c = build(PODS, ...NAMESPACES, knp('peers', `
    podSelector: { matchLabels: { app: web } }
    ingress:
      - from: [{ podSelector: { matchLabels: { app: client } } }]
        ports: [{ port: 1 }]
      - from: [{ namespaceSelector: {} }]
        ports: [{ port: 2 }]
  `, 'dev'));
  // The policy lives in `dev`, where no pod is app=web: nothing is selected.
  assert.equal(ep(c, 'web').policy.ingressEnforced, false);
  const c2 = build(PODS, ...NAMESPACES, knp('peers', `
    podSelector: { matchLabels: { app: web } }
    ingress:
      - from: [{ podSelector: { matchLabels: { app: db } } }]
        ports: [{ port: 1 }]
      - from: [{ namespaceSelector: {} }]
        ports: [{ port: 2 }]
  `, 'shop'));
  allows(c2, 'web', key(idOf(c2, 'db'), 1, TCP));
  for (const p of ['db', 'web', 'prod-client', 'prod-other', 'dev-client']) allows(c2, 'web', key(idOf(c2, p), 2, TCP));
  for (const reserved of [0, 2, 6]) absent(c2, 'web', key(reserved, 2, TCP));
});

// network-policies/#networkpolicy-resource (ipBlock, except) — a CIDR rule in Cilium; the
// except part is cut out of the allowed prefixes. 0.0.0.0/0 also selects reserved:world.
test('ipBlock with except: CIDR identities for the remaining prefixes; verdicts by longest prefix', () => {
  const c = build(PODS, ...NAMESPACES, knp('egress-cidr', `
    podSelector: { matchLabels: { app: db } }
    policyTypes: [Egress]
    egress:
      - to: [{ ipBlock: { cidr: 192.0.2.0/24, except: [192.0.2.128/25] } }]
        ports: [{ port: 5432 }]
      - to: [{ ipBlock: { cidr: 0.0.0.0/0 } }]
        ports: [{ port: 443 }]
  `, 'shop'));
  assert.deepEqual(c.cidrIdentities.map((x) => formatPrefix(x.prefix)), ['192.0.2.0/25']);
  allows(c, 'db', key(c.cidrIdentities[0]!.identity, 5432, TCP, 'egress'));
  allows(c, 'db', key(2, 443, TCP, 'egress'));
  assert.equal(verdict(trace(c, 'db', '192.0.2.10', 'tcp', 5432)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'db', '192.0.2.200', 'tcp', 5432)), 133);
  assert.equal(verdict(trace(c, 'db', '8.8.8.8', 'tcp', 443)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'db', 'web', 'tcp', 443)), 133, 'ipBlock never selects pods');
});

// network-policies/#networkpolicy-resource: "If no policyTypes are specified on a
// NetworkPolicy then by default Ingress will always be set and Egress will be set if the
// NetworkPolicy has any egress rules". Cilium: default-deny ingress when there are no ingress
// rules and Egress is not the only type; default-deny egress only when Egress is listed.
test('policyTypes defaulting: absent → Ingress (+ Egress with egress rules); [Egress] without rules → deny all egress', () => {
  const absentTypes = build(PODS, ...NAMESPACES, knp('egress-rules', `
    podSelector: { matchLabels: { app: db } }
    egress: [{ to: [{ podSelector: { matchLabels: { app: web } } }] }]
  `, 'shop'));
  const db = ep(absentTypes, 'db').policy;
  assert.equal(db.ingressEnforced, true, 'Ingress is always implied');
  assert.equal(db.egressEnforced, true);
  assert.deepEqual(db.entries.filter((e) => e.key.direction === 'ingress').map((e) => e.key.identity), [1]);
  allows(absentTypes, 'db', key(idOf(absentTypes, 'web'), 0, 0, 'egress'));

  const egressOnly = build(PODS, ...NAMESPACES, knp('deny-egress', `
    podSelector: {}
    policyTypes: [Egress]
  `, 'shop'));
  assert.equal(ep(egressOnly, 'db').policy.ingressEnforced, false);
  assert.equal(ep(egressOnly, 'db').policy.egressEnforced, true);
  assert.equal(ep(egressOnly, 'db').policy.entries.filter((e) => e.key.direction === 'egress').length, 0);
  assert.equal(verdict(trace(egressOnly, 'db', 'web', 'tcp', 80)), 133);
});

// "ingress: [{}]" allows all; an absent or empty `from` is every source; an absent port is
// every port of the protocol (parsePorts: port "0"), protocol default TCP.
test('empty rule allows all; from absent/empty = all sources; port absent = every port of the protocol', () => {
  const c = build(PODS, ...NAMESPACES, knp('allow-all', `
    podSelector: { matchLabels: { app: web } }
    ingress: [{}]
  `, 'shop'), knp('db-ports', `
    podSelector: { matchLabels: { app: db } }
    ingress:
      - from: []
        ports: [{ protocol: UDP }, { port: 5432 }]
  `, 'shop'));
  allows(c, 'web', key(0, 0, 0));
  assert.equal(ep(c, 'web').policy.ingressEnforced, true);
  allows(c, 'db', key(0, 0, UDP));
  allows(c, 'db', key(0, 5432, TCP));
  absent(c, 'db', key(0, 0, 0));
  assert.equal(verdict(trace(c, 'dev-client', 'web', 'tcp', 1234)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'dev-client', 'db', 'tcp', 5432)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'dev-client', 'db', 'tcp', 5433)), 133);
});
