import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { formatIpv4, formatPrefix } from '../../../src/net/ip.js';
import {
  listShippedScenarios,
  loadDefaultScenario,
  loadScenarioFile,
  parseScenario,
  resolveShippedScenario,
} from '../../../src/scenario/load.js';
import type { PodSpec, Scenario } from '../../../src/scenario/types.js';
import { fromRoot } from './root.js';

function pod(s: Scenario, name: string): PodSpec {
  const p = s.pods.find((x) => x.name === name);
  assert.ok(p, `pod ${name}`);
  return p;
}

function loadShipped(name: string): Scenario {
  const found = resolveShippedScenario(name);
  assert.ok(found, `shipped scenario ${name}`);
  return loadScenarioFile(found.path, found.display);
}

describe('shipped scenarios', () => {
  it('lists and resolves them by name', () => {
    const names = listShippedScenarios();
    assert.ok(names.includes('default') && names.includes('l3-policy'), names.join(', '));
    assert.deepEqual(names, [...names].sort());
    assert.equal(resolveShippedScenario('default')?.display, 'scenarios/default.yaml');
    assert.equal(resolveShippedScenario('nope'), undefined);
    assert.equal(resolveShippedScenario('../package'), undefined);
  });

  it('loads the default scenario with the seed values', () => {
    const s = loadDefaultScenario();
    assert.equal(s.name, 'seed-000');
    assert.equal(s.file, 'scenarios/default.yaml');
    assert.equal(s.cluster.tunnelPort, 8472);
    assert.equal(s.cluster.bpfHostRouting, true);
    assert.equal(s.cluster.kubeProxyReplacement, true);
    assert.equal(s.cluster.profile, '1.13');
    const pod1 = pod(s, 'pod1');
    assert.equal(formatIpv4(pod1.ip), '10.0.0.157');
    assert.equal(pod1.identity, 47204);
    assert.equal(pod1.namespace, 'default');
    assert.equal(pod1.serviceAccount, 'default');
    assert.deepEqual(pod1.labels, { app: 'client' });
    const pod2 = pod(s, 'pod2');
    assert.equal(pod2.endpointId, 505);
    assert.deepEqual(pod2.hostVeth, { name: 'lxc1466f225c091', ifindex: 21, mac: 'e6:5b:ce:77:aa:3d', tcPins: { ingress: { id: 1717, tag: 'a6c2cf4a8cf17a1c' } } });
    const [node1, node2] = s.nodes;
    assert.equal(node2?.nodeId, 32012);
    assert.equal(node1 && formatIpv4(node1.ciliumHostIp), '10.0.0.2');
    assert.deepEqual(node1?.ciliumHost, { name: 'cilium_host', ifindex: 4, mac: '3a:65:ff:db:e0:28' });
    assert.deepEqual(node1?.tunnelDevice, { name: 'cilium_vxlan', ifindex: 5, mac: '82:89:58:47:c7:bd', tcPins: { ingress: { id: 1509, tag: '10c7559775622132' } } });
    assert.deepEqual(node1?.ciliumNet.name, 'cilium_net');
    assert.deepEqual(node1 && formatPrefix(node1.podCIDR), '10.0.0.0/24');
  });

  it('records positions of the YAML mappings', () => {
    const s = loadDefaultScenario();
    assert.deepEqual(pod(s, 'pod1').pos, { file: 'scenarios/default.yaml', line: 47, col: 5 });
    assert.deepEqual(s.nodes[0]?.pos, { file: 'scenarios/default.yaml', line: 23, col: 5 });
    assert.deepEqual(s.cluster.pos, { file: 'scenarios/default.yaml', line: 12, col: 3 });
  });

  it('loads l3-policy with deterministic defaults', () => {
    const a = loadShipped('l3-policy');
    const b = loadShipped('l3-policy');
    assert.deepEqual(a, b);
    const app1 = pod(a, 'app1');
    assert.equal(app1.identity, undefined);
    assert.ok(app1.endpointId >= 1 && app1.endpointId <= 4095);
    assert.match(app1.hostVeth.name, /^lxc[0-9a-f]{12}$/);
    assert.equal(formatIpv4(a.nodes[0]?.ciliumHostIp ?? 0), '10.11.0.1');
    assert.equal(a.cluster.bpfHostRouting, false);
  });

  it('parses the l3-rule policy into one ingress section', () => {
    const s = loadShipped('l3-policy');
    assert.equal(s.policies.length, 1);
    const p = s.policies[0];
    assert.ok(p);
    assert.equal(p.name, 'l3-rule');
    assert.equal(p.namespace, 'default');
    assert.equal(p.kind, 'CiliumNetworkPolicy');
    assert.equal(p.rules.length, 1);
    const [rule] = p.rules;
    assert.ok(rule);
    assert.deepEqual(rule.endpointSelector.matchLabels, { 'any:id': 'app1' });
    assert.equal(rule.egress, undefined);
    assert.equal(rule.ingress?.length, 1);
    const section = rule.ingress?.[0];
    assert.deepEqual(section?.peers?.map((sel) => sel.matchLabels), [{ 'any:id': 'app2' }]);
    assert.deepEqual(section?.ports?.map(({ port, protocol }) => ({ port, protocol })), [{ port: 80, protocol: 'TCP' }]);
  });
});

describe('loadScenarioFile', () => {
  it('turns an unreadable file into a positioned input error', () => {
    assert.throws(
      () => loadScenarioFile(fromRoot('test', 'fixtures', 'bad', 'does-not-exist.yaml'), 'missing.yaml'),
      (e: unknown) => e instanceof InputError && e.message === 'missing.yaml:1:1: cannot read file (no such file)',
    );
    assert.throws(
      () => loadScenarioFile(fromRoot('scenarios'), 'scenarios'),
      (e: unknown) => e instanceof InputError && e.message === 'scenarios:1:1: cannot read file (it is a directory)',
    );
  });

  it('reads the same model as parseScenario', () => {
    const path = fromRoot('scenarios', 'default.yaml');
    assert.deepEqual(loadScenarioFile(path, 'x.yaml'), parseScenario(readFileSync(path, 'utf8'), 'x.yaml'));
  });
});
