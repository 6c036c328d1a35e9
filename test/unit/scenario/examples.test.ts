// The example manifests shipped under scenarios/k8s/: each directory loads as one cluster,
// with what the examples are about.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { formatIpv4 } from '../../../src/net/ip.js';
import { loadInputs } from '../../../src/scenario/load.js';
import type { Scenario } from '../../../src/scenario/types.js';
import { fromRoot } from './root.js';

const K8S = fromRoot('scenarios', 'k8s');

function load(name: string): Scenario {
  return loadInputs([join(K8S, name)], () => assert.fail('no stdin'));
}

describe('scenarios/k8s examples', () => {
  const dirs = readdirSync(K8S).filter((d) => statSync(join(K8S, d)).isDirectory()).sort();

  it('include star-wars and netpol-recipes', () => {
    assert.ok(dirs.includes('star-wars') && dirs.includes('netpol-recipes'), dirs.join(', '));
  });

  for (const dir of dirs) {
    it(`${dir} loads, deterministically, and holds no machine paths`, () => {
      const a = load(dir);
      assert.deepEqual(load(dir), a);
      assert.equal(a.name, dir);
      assert.ok(a.nodes.length >= 2 && a.pods.length >= 3);
      for (const f of readdirSync(join(K8S, dir))) {
        assert.doesNotMatch(readFileSync(join(K8S, dir, f), 'utf8'), /\/(home|work|Users|tmp)\//, f);
      }
    });
  }

  it('star-wars: the demo app, its Service and the L3/L4 policy rule1', () => {
    const s = load('star-wars');
    assert.deepEqual(
      s.pods.map((p) => [p.name, p.node, formatIpv4(p.ip), p.labels['org'], p.labels['class']]),
      [
        ['deathstar-54bb8475cc-4gcv4', 'kind-worker', '10.244.1.42', 'empire', 'deathstar'],
        ['deathstar-54bb8475cc-lq2tr', 'kind-worker2', '10.244.2.113', 'empire', 'deathstar'],
        ['tiefighter', 'kind-worker2', '10.244.2.58', 'empire', 'tiefighter'],
        ['xwing', 'kind-worker', '10.244.1.205', 'alliance', 'xwing'],
      ],
    );
    for (const p of s.pods.filter((x) => x.labels['class'] === 'deathstar')) {
      assert.deepEqual(p.containerPorts, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    }
    const [svc] = s.services;
    assert.equal(svc && `${svc.namespace}/${svc.name} ${svc.clusterIP !== undefined && formatIpv4(svc.clusterIP)}`, 'default/deathstar 10.96.84.170');
    assert.deepEqual(svc?.selector, { class: 'deathstar', org: 'empire' });
    assert.deepEqual(s.skipped.map((x) => `${x.kind} ${x.name}`), ['Deployment default/deathstar', 'ReplicaSet default/deathstar-54bb8475cc']);
    assert.deepEqual(s.namespaces.map((n) => n.name), ['default']);
    const [rule1] = s.policies;
    assert.equal(rule1?.name, 'rule1');
    const [rule] = rule1?.rules ?? [];
    assert.deepEqual(rule?.endpointSelector.matchLabels, { org: 'empire', class: 'deathstar' });
    assert.deepEqual(rule?.ingress?.map((x) => [x.peers?.map((p) => p.matchLabels), x.ports?.map((p) => [p.port, p.protocol])]), [
      [[{ org: 'empire' }], [[80, 'TCP']]],
    ]);
    assert.match(rule1?.pos.file ?? '', /star-wars\/sw_l3_l4_policy\.yaml$/);
  });

  it('netpol-recipes: four NetworkPolicies in shop, pods in four namespaces', () => {
    const s = load('netpol-recipes');
    assert.deepEqual(
      s.policies.map((p) => [p.kind, p.namespace, p.name]),
      [
        ['NetworkPolicy', 'shop', 'default-deny-ingress'],
        ['NetworkPolicy', 'shop', 'web-allow-production'],
        ['NetworkPolicy', 'shop', 'db-allow-same-namespace'],
        ['NetworkPolicy', 'shop', 'db-deny-egress-except-dns'],
      ],
    );
    const [denyAll, fromProd, sameNs, dnsOnly] = s.policies.map((p) => p.networkPolicy);
    assert.deepEqual([denyAll?.policyTypes, denyAll?.ingress], [['Ingress'], undefined]);
    assert.deepEqual(fromProd?.ingress?.[0]?.ports?.map((p) => p.port), ['http']);
    assert.deepEqual(sameNs?.ingress?.[0]?.peers?.map((p) => [p.podSelector?.matchLabels, p.namespaceSelector]), [[{}, undefined]]);
    assert.deepEqual(dnsOnly?.egress?.[0]?.peers?.[0]?.namespaceSelector?.matchLabels, { 'kubernetes.io/metadata.name': 'kube-system' });
    assert.deepEqual(
      s.namespaces.map((n) => [n.name, n.labels['purpose'] ?? null]),
      [
        ['shop', null],
        ['prod', 'production'],
        ['dev', 'development'],
        ['kube-system', null],
      ],
    );
    assert.deepEqual(new Set(s.pods.map((p) => p.namespace)), new Set(['shop', 'prod', 'dev', 'kube-system']));
    assert.deepEqual(
      s.services.map((x) => [x.name, x.clusterIP === undefined ? 'None' : formatIpv4(x.clusterIP)]),
      [
        ['web', '10.96.112.40'],
        ['db', 'None'],
        ['kube-dns', '10.96.0.10'],
      ],
    );
  });
});
