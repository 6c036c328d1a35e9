// Union of all rules, the per-identity cache and the explanation/validation API
// (semantics 10 and 11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCluster } from '../../src/controlplane/validate.js';
import { allows, build, ccnp, cnp, ep, idOf, key, knp, TCP, UDP, type PodDef } from './policy-support.js';

const PODS: PodDef[] = [
  { name: 'server', ip: '10.0.1.10', labels: { app: 'server' }, ports: [{ name: 'http', port: 8080 }] },
  { name: 'server2', node: 'n2', ip: '10.0.2.10', labels: { app: 'server' }, ports: [{ name: 'http', port: 8080 }] },
  { name: 'client', node: 'n2', ip: '10.0.2.11', labels: { app: 'client' } },
  { name: 'agent', node: 'n2', ip: '192.168.0.2', labels: { app: 'agent' }, hostNetwork: true },
];

// https://docs.cilium.io/en/v1.13/security/policy/intro/#rule-basics — "policy rules are
// additive": every rule of every kind that selects an endpoint contributes to its policy.
test('union: CNP, CCNP and NetworkPolicy rules selecting one endpoint all contribute', () => {
  const c = build(PODS, cnp('a', `
    endpointSelector: { matchLabels: { app: server } }
    ingress: [{ fromEndpoints: [{ matchLabels: { app: client } }], toPorts: [{ ports: [{ port: "80", protocol: TCP }] }] }]
  `), ccnp('b', `
    endpointSelector: { matchLabels: { app: server } }
    ingress: [{ fromEntities: [health] }]
  `), knp('c', `
    podSelector: { matchLabels: { app: server } }
    ingress: [{ from: [{ podSelector: { matchLabels: { app: client } } }], ports: [{ port: 53, protocol: UDP }] }]
  `));
  allows(c, 'server', key(idOf(c, 'client'), 80, TCP));
  allows(c, 'server', key(4, 0, 0));
  allows(c, 'server', key(idOf(c, 'client'), 53, UDP));
  assert.deepEqual(ep(c, 'server').policy.selectingRules.map((r) => r.label), [
    'CiliumNetworkPolicy default/a spec',
    'CiliumClusterwideNetworkPolicy b spec',
    'NetworkPolicy default/c spec',
  ]);
});

test('cache: one resolution per identity (and per container-port set when ingress named ports are used)', () => {
  const c = build(PODS, cnp('a', `
    endpointSelector: { matchLabels: { app: server } }
    ingress: [{ fromEndpoints: [{ matchLabels: { app: client } }] }]
  `));
  assert.equal(idOf(c, 'server'), idOf(c, 'server2'));
  assert.equal(ep(c, 'server').policy, ep(c, 'server2').policy, 'same object: computed once');
  const ident = c.identities.get(idOf(c, 'server'))!;
  assert.equal(c.policy.resolve(ident, ep(c, 'server').pod), ep(c, 'server').policy);
  assert.deepEqual(c.policy.rulesSelecting(ident).map((r) => r.name), ['a']);
  assert.deepEqual(c.policy.rulesSelecting(c.identities.get(idOf(c, 'client'))!), []);
});

test('explanations: selecting rules with positions, enforcement with reasons, entries with provenance', () => {
  const c = build(PODS, cnp('a', `
    endpointSelector: { matchLabels: { app: server } }
    ingress: [{ fromEndpoints: [{ matchLabels: { app: client } }], toPorts: [{ ports: [{ port: http, protocol: TCP }] }] }]
  `));
  const p = ep(c, 'server').policy;
  const [rule] = p.selectingRules;
  assert.ok(rule);
  assert.equal(rule.kind, 'CiliumNetworkPolicy');
  assert.equal(rule.pos.file, 'x.yaml');
  assert.ok(rule.pos.line > 1);
  assert.equal(rule.ingress, true);
  assert.equal(rule.egress, false);
  assert.deepEqual(p.ingress.enforcedBy.map((r) => r.name), ['a']);
  assert.match(p.egress.reason, /^egress not enforced/);
  const entry = p.entries.find((e) => e.key.identity === idOf(c, 'client'));
  assert.deepEqual(entry?.key, key(idOf(c, 'client'), 8080, TCP));
  assert.equal(entry?.provenance[0]?.what, 'CiliumNetworkPolicy default/a spec ingress[0] fromEndpoints[0] {app=client}: allow http/TCP (named port = 8080)');
});

test('validateCluster: policies that select nothing, peers that match no pod (or only hostNetwork pods), unresolved named ports', () => {
  const c = build(PODS, cnp('nobody', `
    endpointSelector: { matchLabels: { app: ghost } }
    ingress: [{}]
  `), cnp('peers', `
    endpointSelector: { matchLabels: { app: server } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: ghost } }, { matchLabels: { app: agent } }, { matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: grpc, protocol: TCP }, { port: http, protocol: TCP }] }]
  `));
  const msgs = validateCluster(c).map((p) => p.message);
  assert.deepEqual(msgs, [
    'CiliumNetworkPolicy default/nobody spec: endpointSelector {app=ghost} selects no pod',
    'CiliumNetworkPolicy default/peers spec ingress[0] fromEndpoints[0] {app=ghost} matches no pod',
    'CiliumNetworkPolicy default/peers spec ingress[0] fromEndpoints[1] {app=agent} matches no pod (it matches only hostNetwork pods default/agent: use the host or remote-node entity)',
    "CiliumNetworkPolicy default/peers spec ingress[0]: named port 'grpc'/TCP resolves nowhere: the endpoint has no container port named 'grpc'",
  ]);
  const sorted = validateCluster(c).map((p) => p.pos.line);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => a - b));
});
