// Selectors (semantic 3): matchLabels/matchExpressions, label sources, namespace scoping of
// namespaced policies, empty selectors in CNP and CCNP, and the Star Wars demo end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { loadInputs } from '../../src/scenario/load.js';
import { ROOT } from '../support/run-cli.js';
import { absent, allows, build, ccnp, cnp, ep, idOf, key, lookup, nsDoc, TCP, trace, verdict, type PodDef } from './policy-support.js';

const PODS: PodDef[] = [
  { name: 'server', ip: '10.0.1.10', labels: { app: 'server' } },
  { name: 'web', ip: '10.0.1.11', labels: { app: 'web', tier: 'front' } },
  { name: 'batch', node: 'n2', ip: '10.0.2.10', labels: { app: 'batch', tier: 'back' } },
  { name: 'plain', node: 'n2', ip: '10.0.2.11', labels: { app: 'plain' } },
  { name: 'other-web', ns: 'other', node: 'n2', ip: '10.0.2.12', labels: { app: 'web' } },
];

// https://docs.cilium.io/en/v1.13/gettingstarted/demo/#apply-an-l3-l4-policy — rule1 lets
// org=empire reach the deathstar on 80/TCP; the xwing (org=alliance) is dropped.
// The demo's manifests name no release (they would get the newest): pinned to v1.13.0, whose HASH keys key() builds.
test('Star Wars demo: org=empire → deathstar 80/TCP allowed, the xwing is dropped (133)', () => {
  const c = buildCluster(loadInputs([join(ROOT, 'scenarios', 'k8s', 'star-wars')], () => '', { cilium: { profile: '1.13', why: '--cilium 1.13' } }));
  const deathstar = c.endpoints.find((e) => e.pod.name.startsWith('deathstar'))?.pod.name ?? '';
  allows(c, deathstar, key(idOf(c, 'tiefighter'), 80, TCP));
  absent(c, deathstar, key(idOf(c, 'xwing'), 80, TCP));
  const prov = allows(c, deathstar, key(idOf(c, 'tiefighter'), 80, TCP)).provenance.map((p) => p.what);
  assert.deepEqual(prov, ['CiliumNetworkPolicy default/rule1 spec ingress[0] fromEndpoints[0] {org=empire}: allow 80/TCP']);
  assert.equal(verdict(trace(c, 'tiefighter', deathstar, 'tcp', 80)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'xwing', deathstar, 'tcp', 80)), 133);
  assert.equal(verdict(trace(c, 'tiefighter', deathstar, 'tcp', 8080)), 133);
});

// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resource-types-that-support-set-based-requirements
// and https://docs.cilium.io/en/v1.13/security/policy/language/#endpoints-based (matchExpressions).
test('matchExpressions: In, NotIn, Exists, DoesNotExist', () => {
  const c = build(PODS, cnp('exprs', `
    endpointSelector: { matchLabels: { app: server } }
    ingress:
      - fromEndpoints:
          - matchExpressions: [{ key: app, operator: In, values: [web, batch] }]
        toPorts: [{ ports: [{ port: "1", protocol: TCP }] }]
      - fromEndpoints:
          - matchExpressions: [{ key: tier, operator: NotIn, values: [front] }]
        toPorts: [{ ports: [{ port: "2", protocol: TCP }] }]
      - fromEndpoints:
          - matchExpressions: [{ key: tier, operator: Exists }]
        toPorts: [{ ports: [{ port: "3", protocol: TCP }] }]
      - fromEndpoints:
          - matchExpressions: [{ key: tier, operator: DoesNotExist }]
        toPorts: [{ ports: [{ port: "4", protocol: TCP }] }]
  `));
  const ids = (port: number) => c.endpoints.filter((e) => lookup(c, 'server', key(e.identity, port, TCP))).map((e) => e.pod.name).sort();
  assert.deepEqual(ids(1), ['batch', 'web']);
  assert.deepEqual(ids(2), ['batch', 'plain', 'server']); // NotIn also matches pods without the label
  assert.deepEqual(ids(3), ['batch', 'web']);
  assert.deepEqual(ids(4), ['plain', 'server']);
});

// https://docs.cilium.io/en/v1.13/security/policy/kubernetes/#namespaces — a CNP's
// endpointSelector and fromEndpoints apply within the policy's namespace unless the selector
// names io.kubernetes.pod.namespace.
test('namespace scoping: peers of a CNP are in its namespace unless they name one', () => {
  const c = build(PODS, nsDoc('other'), cnp('scoped', `
    endpointSelector: { matchLabels: { app: server } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: web } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
      - fromEndpoints: [{ matchLabels: { app: web, k8s:io.kubernetes.pod.namespace: other } }]
        toPorts: [{ ports: [{ port: "81", protocol: TCP }] }]
  `));
  allows(c, 'server', key(idOf(c, 'web'), 80, TCP));
  absent(c, 'server', key(idOf(c, 'other-web'), 80, TCP));
  allows(c, 'server', key(idOf(c, 'other-web'), 81, TCP));
  absent(c, 'server', key(idOf(c, 'web'), 81, TCP));
});

test('namespace scoping: a CNP in another namespace never selects default pods', () => {
  const c = build(PODS, nsDoc('other'), cnp('elsewhere', `
    endpointSelector: { matchLabels: { app: web } }
    ingress: [{}]
  `, 'other'));
  assert.equal(ep(c, 'web').policy.ingressEnforced, false);
  assert.equal(ep(c, 'other-web').policy.ingressEnforced, true);
});

// https://docs.cilium.io/en/v1.13/security/policy/kubernetes/#namespaces ("allow all pods in
// the namespace": fromEndpoints: [{}] in a namespaced policy gets the namespace added,
// pkg/k8s/apis/cilium.io/utils/utils.go getEndpointSelector) — not the wildcard identity 0.
test('empty selector: fromEndpoints [{}] in a CNP = every pod of the policy\'s namespace', () => {
  const c = build(PODS, nsDoc('other'), cnp('ns-only', `
    endpointSelector: { matchLabels: { app: server } }
    ingress: [{ fromEndpoints: [{}] }]
  `));
  for (const p of ['server', 'web', 'batch', 'plain']) allows(c, 'server', key(idOf(c, p), 0, 0));
  absent(c, 'server', key(idOf(c, 'other-web'), 0, 0));
  absent(c, 'server', key(0, 0, 0));
  absent(c, 'server', key(2, 0, 0)); // reserved:world has no namespace label
});

// https://docs.cilium.io/en/v1.13/security/policy/kubernetes/#ciliumclusterwidenetworkpolicy —
// in a CCNP, getEndpointSelector adds "io.kubernetes.pod.namespace exists" to a selector that
// names no namespace, so `{}` is every pod of every namespace but no reserved identity; the
// CCNP's own endpointSelector is not scoped.
test('empty selector: fromEndpoints [{}] in a CCNP = every pod, no reserved identity', () => {
  const c = build(PODS, nsDoc('other'), ccnp('all-pods', `
    endpointSelector: {}
    ingress: [{ fromEndpoints: [{}] }]
  `));
  for (const e of c.endpoints) assert.equal(e.policy.ingressEnforced, true, `${e.pod.name} selected by the CCNP`);
  for (const p of ['server', 'web', 'batch', 'plain', 'other-web']) allows(c, 'server', key(idOf(c, p), 0, 0));
  for (const reserved of [0, 2, 4, 6]) absent(c, 'server', key(reserved, 0, 0));
});

// https://docs.cilium.io/en/v1.13/security/policy/language/#endpoints-based — selectors may
// name a label source: k8s:, reserved:, or any: (the default).
test('label sources: reserved:host is not namespace-scoped; k8s: and any: match pod labels; other sources do not', () => {
  const c = build(PODS, cnp('sources', `
    endpointSelector: { matchLabels: { app: server } }
    egress:
      - toEndpoints: [{ matchLabels: { reserved:host: "" } }]
      - toEndpoints: [{ matchLabels: { k8s:app: web } }]
        toPorts: [{ ports: [{ port: "1", protocol: TCP }] }]
      - toEndpoints: [{ matchLabels: { any:app: batch } }]
        toPorts: [{ ports: [{ port: "2", protocol: TCP }] }]
      - toEndpoints: [{ matchLabels: { container:app: plain } }]
        toPorts: [{ ports: [{ port: "3", protocol: TCP }] }]
  `));
  allows(c, 'server', key(1, 0, 0, 'egress'));
  allows(c, 'server', key(idOf(c, 'web'), 1, TCP, 'egress'));
  allows(c, 'server', key(idOf(c, 'batch'), 2, TCP, 'egress'));
  absent(c, 'server', key(idOf(c, 'plain'), 3, TCP, 'egress'));
  assert.equal(verdict(trace(c, 'server', 'web', 'tcp', 1)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'server', 'plain', 'tcp', 3)), 133);
});
