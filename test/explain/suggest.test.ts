// The proposed fix of a policy drop must be real: adding it to the cluster and tracing the
// same flow again gives FORWARDED. And a deny drop proposes no allow (deny wins).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { ipv4 } from '../../src/net/ip.js';
import { parseScenario } from '../../src/scenario/load.js';
import { traceFlow, type FlowSpec } from '../../src/trace/run.js';
import { ROOT } from '../support/run-cli.js';

/** The scenario text with one more entry in its `policies:` list. */
function withPolicy(text: string, policyYaml: string): string {
  const doc = parseDocument(text);
  const policy = parseDocument(policyYaml).contents;
  if (!doc.has('policies')) doc.set('policies', doc.createNode([]));
  doc.addIn(['policies'], policy);
  return doc.toString();
}

const l3Text = readFileSync(join(ROOT, 'scenarios', 'l3-policy.yaml'), 'utf8');

function cluster(text: string): Cluster {
  return buildCluster(parseScenario(text, 'scenarios/l3-policy.yaml'));
}

const app2to8080: FlowSpec = { src: { kind: 'pod', ip: ipv4('10.11.90.17') }, dstIp: ipv4('10.11.71.148'), proto: 'tcp', dport: 8080, sport: 43210, traceArp: false };

test('a policy drop explains the enforcing endpoint, the selecting rule and the missing entry', () => {
  const r = traceFlow(cluster(l3Text), app2to8080);
  assert.equal(r.verdict, 'DROPPED');
  const e = r.explanation;
  assert.ok(e);
  assert.equal(e.direction, 'ingress');
  assert.equal(e.endpoint, 'default/app1');
  assert.equal(e.remoteIdentity, 36895);
  assert.ok(e.lines.some((l) => l.includes('CiliumNetworkPolicy default/l3-rule (scenarios/l3-policy.yaml:')));
  assert.ok(e.lines.some((l) => l.includes('only for other ports: 80/TCP')));
  assert.ok(e.suggestion?.includes('port: "8080"'));
});

test('the proposed policy, added to the cluster, makes the same flow FORWARDED', () => {
  const first = traceFlow(cluster(l3Text), app2to8080);
  const fix = first.explanation?.suggestion;
  assert.ok(fix);
  const fixed = traceFlow(cluster(withPolicy(l3Text, fix)), app2to8080);
  assert.equal(fixed.verdict, 'FORWARDED');
  // …and only this flow: port 8081 stays denied.
  const other = traceFlow(cluster(withPolicy(l3Text, fix)), { ...app2to8080, dport: 8081 });
  assert.equal(other.verdict, 'DROPPED');
});

test('an egress drop proposes an egress rule in the source namespace', () => {
  const text = withPolicy(l3Text, [
    'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: { name: app2-egress, namespace: default }',
    'spec:', '  endpointSelector: { matchLabels: { id: app2 } }', '  egress:', '    - toEndpoints: [{ matchLabels: { id: app1 } }]', '      toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]',
  ].join('\n'));
  const r = traceFlow(cluster(text), { ...app2to8080, proto: 'udp', dport: 53 });
  assert.equal(r.verdict, 'DROPPED');
  assert.equal(r.drop?.direction, 'egress');
  assert.equal(r.explanation?.direction, 'egress');
  const fix = r.explanation?.suggestion;
  assert.ok(fix && fix.includes('egress:') && fix.includes('toEndpoints'));
  const fixed = traceFlow(cluster(withPolicy(text, fix)), { ...app2to8080, proto: 'udp', dport: 53 });
  // The egress now passes; app1's ingress (l3-rule: app2 on 80/TCP only) still denies UDP 53.
  assert.equal(fixed.drop?.direction, 'ingress');
  const fix2 = fixed.explanation?.suggestion;
  assert.ok(fix2);
  assert.equal(traceFlow(cluster(withPolicy(withPolicy(text, fix), fix2)), { ...app2to8080, proto: 'udp', dport: 53 }).verdict, 'FORWARDED');
});

test('a world peer gets a toCIDR /32 proposal, and it works', () => {
  const text = readFileSync(join(ROOT, 'scenarios', 'world-host.yaml'), 'utf8');
  const c = (t: string) => buildCluster(parseScenario(t, 'scenarios/world-host.yaml'));
  const flow: FlowSpec = { src: { kind: 'pod', ip: ipv4('10.1.0.20') }, dstIp: ipv4('8.8.8.8'), proto: 'tcp', dport: 443, sport: 43210, traceArp: false };
  const r = traceFlow(c(text), flow);
  assert.equal(r.verdict, 'DROPPED');
  const fix = r.explanation?.suggestion;
  assert.ok(fix && fix.includes('toCIDR') && fix.includes('8.8.8.8/32'));
  assert.equal(traceFlow(c(withPolicy(text, fix)), flow).verdict, 'FORWARDED');
});

test('a deny rule proposes no allow: deny wins, the explanation says which rule to change', () => {
  const text = withPolicy(l3Text, [
    'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: { name: no-app2, namespace: default }',
    'spec:', '  endpointSelector: { matchLabels: { id: app1 } }', '  ingressDeny:', '    - fromEndpoints: [{ matchLabels: { id: app2 } }]',
  ].join('\n'));
  const r = traceFlow(cluster(text), { ...app2to8080, dport: 80 });
  assert.equal(r.drop?.name, 'POLICY_DENY');
  assert.equal(r.explanation?.suggestion, null);
  assert.ok(r.explanation?.lines.some((l) => l.includes('A deny entry matched') && l.includes('no-app2')));
});
