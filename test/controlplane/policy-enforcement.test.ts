// Policy enforcement modes and automatic entries (semantic 8).
// https://docs.cilium.io/en/v1.13/security/policy/intro/#policy-enforcement-modes — default:
// an endpoint is enforced in a direction once a rule selecting it has rules for that
// direction (pkg/policy/repository.go computePolicyEnforcementAndRules: len(Ingress) > 0 ||
// len(IngressDeny) > 0); always / never.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { parseScenario } from '../../src/scenario/load.js';
import { absent, allows, BASE, build, cnp, denies, ep, idOf, key, podDoc, TCP, trace, verdict, type PodDef } from './policy-support.js';

const PODS: PodDef[] = [
  { name: 'server', ip: '10.0.1.10', labels: { app: 'server' } },
  { name: 'client', node: 'n2', ip: '10.0.2.10', labels: { app: 'client' } },
];

test('default mode: an egress-only rule leaves ingress unenforced ({0,0,0} allow-all) and enforces egress', () => {
  const c = build(PODS, cnp('egress-only', `
    endpointSelector: { matchLabels: { app: server } }
    egress: [{ toEndpoints: [{ matchLabels: { app: client } }] }]
  `));
  const p = ep(c, 'server').policy;
  assert.equal(p.ingressEnforced, false);
  assert.equal(p.egressEnforced, true);
  assert.match(p.ingress.reason, /^ingress not enforced/);
  assert.equal(p.egress.reason, 'egress enforced: selected by CiliumNetworkPolicy default/egress-only spec, which has egress rules');
  assert.deepEqual(p.egress.enforcedBy.map((r) => r.name), ['egress-only']);
  allows(c, 'server', key(0, 0, 0, 'ingress'));
  absent(c, 'server', key(0, 0, 0, 'egress'));
  assert.equal(verdict(trace(c, 'client', 'server', 'tcp', 80)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'server', 'client', 'tcp', 80)), 'FORWARDED');
});

test('default mode: an ingressDeny-only rule enforces ingress, so everything not allowed is dropped', () => {
  const c = build(PODS, cnp('deny-only', `
    endpointSelector: { matchLabels: { app: server } }
    ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: nobody } }] }]
  `));
  assert.equal(ep(c, 'server').policy.ingressEnforced, true);
  absent(c, 'server', key(0, 0, 0));
  assert.equal(verdict(trace(c, 'client', 'server', 'tcp', 80)), 133);
});

test('default mode: `ingress: [{}]` enforces and allows nothing (default deny); `ingress: []` does not enforce', () => {
  const c = build(PODS, cnp('deny', `
    endpointSelector: { matchLabels: { app: server } }
    ingress: [{}]
  `), cnp('empty-list', `
    endpointSelector: { matchLabels: { app: client } }
    ingress: []
  `));
  assert.equal(ep(c, 'server').policy.ingressEnforced, true);
  assert.deepEqual(ep(c, 'server').policy.entries.filter((e) => e.key.direction === 'ingress').map((e) => e.key.identity), [1]);
  assert.equal(ep(c, 'client').policy.ingressEnforced, false);
  assert.equal(verdict(trace(c, 'client', 'server', 'tcp', 80)), 133);
});

function withMode(mode: string, policy: string) {
  const text = BASE.replace('kubeProxyReplacement: false', `kubeProxyReplacement: false, policyEnforcement: ${mode}`) + PODS.map(podDoc).join('') + '---\n' + policy;
  return buildCluster(parseScenario(text, 'x.yaml'));
}

test('always: both directions enforced for every endpoint, even with no rule; never: nothing enforced, not even by rules', () => {
  const always = withMode('always', '');
  for (const e of always.endpoints) {
    assert.equal(e.policy.ingressEnforced && e.policy.egressEnforced, true);
    assert.match(e.policy.ingress.reason, /policyEnforcement=always/);
  }
  assert.equal(verdict(trace(always, 'client', 'server', 'tcp', 80)), 133);
  const never = withMode('never', cnp('deny', `
    endpointSelector: { matchLabels: { app: server } }
    ingressDeny: [{ fromEntities: [all] }]
  `));
  assert.equal(ep(never, 'server').policy.ingressEnforced, false);
  allows(never, 'server', key(0, 0, 0));
  assert.equal(verdict(trace(never, 'client', 'server', 'tcp', 80)), 'FORWARDED');
});

// https://docs.cilium.io/en/v1.13/security/policy/language/#access-to-from-local-host — the
// local host may always reach endpoints (allow-localhost=auto is "always" in Kubernetes
// mode, pkg/policy/mapstate.go DetermineAllowLocalhostIngress); with remote-node identities
// (the v1.13 default) there is no {6,0,0} entry.
test('automatic entries: {1,0,0,ingress} for every endpoint, no remote-node entry; a host L3 deny wins', () => {
  const c = build(PODS, cnp('restrict', `
    endpointSelector: { matchLabels: { app: server } }
    ingress: [{ fromEndpoints: [{ matchLabels: { app: client } }] }]
  `), cnp('no-host', `
    endpointSelector: { matchLabels: { app: client } }
    ingressDeny: [{ fromEntities: [host] }]
  `));
  allows(c, 'server', key(1, 0, 0));
  absent(c, 'server', key(6, 0, 0));
  allows(c, 'server', key(idOf(c, 'client'), 0, 0));
  denies(c, 'client', key(1, 0, 0));
  assert.ok(ep(c, 'client').policy.suppressed.some((s) => s.key.identity === 1 && /L3-only deny/.test(s.reason)));
  absent(c, 'server', key(idOf(c, 'client'), 80, TCP));
});
