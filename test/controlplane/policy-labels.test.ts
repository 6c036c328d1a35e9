// Security labels and identities (semantics 1 and 2): what labels a pod's identity is made of,
// and hostNetwork pods, which are no Cilium endpoints at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIdentityLabel } from '../../src/controlplane/labels.js';
import { build, ep, nsDoc, policyMap } from './policy-support.js';

// https://docs.cilium.io/en/v1.13/security/policy/kubernetes/#namespaces — "the namespace
// labels are available as io.cilium.k8s.namespace.labels.<key>"; the agent also adds the pod
// namespace, service account and cluster name (pkg/k8s/labels.go).
test('labels: pod labels as k8s:, every namespace label, namespace, service account and cluster', () => {
  const c = build([{ name: 'a', ns: 'shop', ip: '10.0.1.10', labels: { app: 'web' } }], nsDoc('shop', { team: 'blue' }));
  assert.deepEqual(c.identities.labelStrings(ep(c, 'a').identity), [
    'k8s:app=web',
    'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=shop',
    'k8s:io.cilium.k8s.namespace.labels.team=blue',
    'k8s:io.cilium.k8s.policy.cluster=default',
    'k8s:io.cilium.k8s.policy.serviceaccount=default',
    'k8s:io.kubernetes.pod.namespace=shop',
  ]);
});

// https://docs.cilium.io/en/v1.13/operations/performance/scalability/identity-relevant-labels/
// — the default label filter keeps app.kubernetes.io and namespace labels and drops other
// kubernetes.io, k8s.io and io.kubernetes labels and pod-template-hash & co.
test('label filter: identity-irrelevant labels are dropped, so replicas share one identity', () => {
  assert.equal(isIdentityLabel('app.kubernetes.io/name'), true);
  assert.equal(isIdentityLabel('io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name'), true);
  assert.equal(isIdentityLabel('pod-template-hash'), false);
  assert.equal(isIdentityLabel('controller-revision-hash'), false);
  // Not filtered in v1.13 (no ignore prefix matches at its start): each StatefulSet pod gets its own identity.
  assert.equal(isIdentityLabel('statefulset.kubernetes.io/pod-name'), true);
  assert.equal(isIdentityLabel('node.beta.kubernetes.io/instance-type'), false);
  assert.equal(isIdentityLabel('kubernetes.io/hostname'), false);
  assert.equal(isIdentityLabel('topology.k8s.io/zone'), true); // the `!k8s\.io` prefix is anchored at the start
  const c = build([
    { name: 'a1', ip: '10.0.1.10', labels: { app: 'web', 'pod-template-hash': 'x1' } },
    { name: 'a2', node: 'n2', ip: '10.0.2.10', labels: { app: 'web', 'pod-template-hash': 'y2' } },
    { name: 'b', ns: 'other', ip: '10.0.1.11', labels: { app: 'web' } },
  ]);
  assert.equal(ep(c, 'a1').identity, ep(c, 'a2').identity, 'same identity labels, same identity');
  assert.notEqual(ep(c, 'a1').identity, ep(c, 'b').identity, 'another namespace is another identity');
  assert.ok(!c.identities.labelStrings(ep(c, 'a1').identity)?.some((l) => l.includes('pod-template-hash')));
});

// https://docs.cilium.io/en/v1.13/security/policy/language/#entities-based — "host: the
// local host. This also includes all containers running in host networking mode on the local
// host"; remote-node: "any node in any of the connected clusters other than the local host".
test('hostNetwork pods: no endpoint, no policy map; their IP is the node\'s (host locally, remote-node elsewhere)', () => {
  const c = build([
    { name: 'a', ip: '10.0.1.10', labels: { app: 'a' } },
    { name: 'agent', node: 'n2', ip: '192.168.0.2', labels: { app: 'agent' }, hostNetwork: true },
  ]);
  assert.deepEqual(c.endpoints.map((e) => e.pod.name), ['a']);
  assert.deepEqual(c.hostNetworkPods.map((h) => `${h.pod.name}@${h.node.name}`), ['agent@n2']);
  assert.equal(c.datapath.nodes.get('n2')?.maps.policy.size, 0, 'no policy map on n2');
  assert.equal(c.datapath.nodes.get('n2')?.maps.ipcache.lookup(c.hostNetworkPods[0]!.pod.ip)?.info.secLabel, 1);
  assert.equal(c.datapath.nodes.get('n1')?.maps.ipcache.lookup(c.hostNetworkPods[0]!.pod.ip)?.info.secLabel, 6);
  assert.ok(!c.identities.all().some((i) => i.labels.some((l) => l.key === 'app' && l.value === 'agent')), 'no identity for the hostNetwork pod');
  assert.ok(policyMap(c, 'a'));
});
