// Deny rules (semantic 7): the map-state insertion rules that make deny win in a datapath
// that takes the first of its fixed probes (pkg/policy/mapstate.go DenyPreferredInsert, v1.13),
// checked on the map contents and on the datapath verdict (181 DROP_POLICY_DENY vs 133).
// https://docs.cilium.io/en/v1.13/security/policy/language/#deny-policies — "Deny policies
// take precedence over allow policies regardless of whether they are a CiliumNetworkPolicy,
// a CiliumClusterwideNetworkPolicy or even a Kubernetes NetworkPolicy."
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absent, allows, build, ccnp, cnp, denies, dump, ep, idOf, key, knp, TCP, trace, verdict, type PodDef } from './policy-support.js';

const PODS: PodDef[] = [
  { name: 'server', ip: '10.0.1.10', labels: { app: 'server' } },
  { name: 'client', node: 'n2', ip: '10.0.2.10', labels: { app: 'client' } },
  { name: 'friend', node: 'n2', ip: '10.0.2.11', labels: { app: 'friend' } },
];

test('L3-only deny vs L4-only allow: a {id, port, proto} deny companion keeps the deny ahead (181); others pass', () => {
  const c = build(PODS, cnp('open-80', `
    endpointSelector: { matchLabels: { app: server } }
    ingress: [{ toPorts: [{ ports: [{ port: "80", protocol: TCP }] }] }]
  `), cnp('no-client', `
    endpointSelector: { matchLabels: { app: server } }
    ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: client } }] }]
  `));
  const client = idOf(c, 'client');
  allows(c, 'server', key(0, 80, TCP));
  denies(c, 'server', key(client, 0, 0));
  const companion = denies(c, 'server', key(client, 80, TCP));
  assert.match(companion.provenance[0]!.what, /no-client spec ingressDeny\[0\] fromEndpoints\[0\] \{app=client\}: deny any port \(deny companion for the L4-only allow on 80\/6/);
  assert.equal(verdict(trace(c, 'client', 'server', 'tcp', 80)), 181);
  assert.equal(verdict(trace(c, 'friend', 'server', 'tcp', 80)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'friend', 'server', 'tcp', 81)), 133);
});

test('L3-L4 allow under an L3-only deny is not inserted; the deny wins (181)', () => {
  const c = build(PODS, cnp('allow-client', `
    endpointSelector: { matchLabels: { app: server } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `), ccnp('deny-client', `
    endpointSelector: { matchLabels: { app: server } }
    ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: client } }] }]
  `));
  const client = idOf(c, 'client');
  absent(c, 'server', key(client, 80, TCP));
  denies(c, 'server', key(client, 0, 0));
  const lost = ep(c, 'server').policy.suppressed.find((s) => s.key.identity === client && s.key.dport === 80);
  assert.ok(lost, 'the allow is kept as suppressed for explanations');
  assert.match(lost.reason, /L3-only deny/);
  assert.equal(verdict(trace(c, 'client', 'server', 'tcp', 80)), 181);
});

test('deny all ({0,0,0} deny): every other ingress entry is removed, the host allow too', () => {
  const c = build(PODS, cnp('allow-client', `
    endpointSelector: { matchLabels: { app: server } }
    ingress: [{ fromEndpoints: [{ matchLabels: { app: client } }] }]
    ingressDeny: [{ fromEntities: [all] }]
  `));
  denies(c, 'server', key(0, 0, 0));
  assert.equal(ep(c, 'server').policy.entries.filter((e) => e.key.direction === 'ingress').length, 1, dump(c, 'server'));
  absent(c, 'server', key(1, 0, 0));
  assert.equal(verdict(trace(c, 'client', 'server', 'tcp', 80)), 181);
});

test('same selector, port and protocol allowed and denied: deny (also across a NetworkPolicy)', () => {
  const c = build(PODS, knp('np-allow', `
    podSelector: { matchLabels: { app: server } }
    ingress:
      - from: [{ podSelector: { matchLabels: { app: client } } }]
        ports: [{ port: 80 }]
  `), cnp('deny-80', `
    endpointSelector: { matchLabels: { app: server } }
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `));
  denies(c, 'server', key(idOf(c, 'client'), 80, TCP));
  assert.equal(verdict(trace(c, 'client', 'server', 'tcp', 80)), 181);
});

test('L4-only deny for every peer skips the L3-L4 allows of that port (__canSkip: deny takes precedence)', () => {
  const c = build(PODS, cnp('mixed', `
    endpointSelector: { matchLabels: { app: server } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }, { port: "81", protocol: TCP }] }]
    ingressDeny:
      - toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `));
  denies(c, 'server', key(0, 80, TCP));
  absent(c, 'server', key(idOf(c, 'client'), 80, TCP));
  allows(c, 'server', key(idOf(c, 'client'), 81, TCP));
  assert.equal(verdict(trace(c, 'client', 'server', 'tcp', 80)), 181);
  assert.equal(verdict(trace(c, 'client', 'server', 'tcp', 81)), 'FORWARDED');
});

test('provenance: an entry wanted by several rules keeps all of them', () => {
  const c = build(PODS, cnp('a', `
    endpointSelector: { matchLabels: { app: server } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `), knp('b', `
    podSelector: { matchLabels: { app: server } }
    ingress:
      - from: [{ podSelector: { matchLabels: { app: client } } }]
        ports: [{ port: 80, protocol: TCP }]
  `));
  const e = allows(c, 'server', key(idOf(c, 'client'), 80, TCP));
  assert.deepEqual(e.provenance.map((p) => p.what), [
    'CiliumNetworkPolicy default/a spec ingress[0] fromEndpoints[0] {app=client}: allow 80/TCP',
    'NetworkPolicy default/b spec ingress[0] from[0] podSelector {app=client}: allow 80/TCP',
  ]);
  assert.ok(e.provenance.every((p) => p.kind === 'policy' && p.pos?.file === 'x.yaml'));
});
