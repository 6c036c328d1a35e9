// Tier 2: scenarios/l3-policy.yaml (seed note 001's `l3-rule`: app2 may reach app1 on
// 80/TCP) through the control plane. The note's policy map entry {36895, 80, TCP, ingress}
// must appear in app1's map; app2, selected by no rule, allows everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { buildCluster, type Cluster, type EndpointRecord } from '../../src/controlplane/cluster.js';
import { deviceByName, type NodeDatapath } from '../../src/node-state/node.js';
import { lxcCallsMapName, netdevCallsMapName } from '../../src/maps/callmap.js';
import { policyMapName, type PolicyMap } from '../../src/maps/policymap.js';

// dist/test/controlplane/<file>.js is three levels below the package root.
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const cluster: Cluster = buildCluster(loadScenarioFile(join(PACKAGE_ROOT, 'scenarios', 'l3-policy.yaml'), 'scenarios/l3-policy.yaml'));
const APP2_ID = 36895;

function endpoint(pod: string): EndpointRecord {
  const e = cluster.endpoints.find((x) => x.pod.name === pod);
  assert.ok(e, `pod ${pod} missing`);
  return e;
}

function runtime1(): NodeDatapath {
  const n = cluster.datapath.nodes.get('runtime1');
  assert.ok(n, 'node runtime1 missing');
  return n;
}

function policyOf(pod: string): PolicyMap {
  const pm = runtime1().maps.policy.get(policyMapName(endpoint(pod).pod.endpointId));
  assert.ok(pm, `policy map of ${pod} missing`);
  return pm;
}

const labelsOf = (id: number) => cluster.identities.labelStrings(id);
const trimLines = (s: string): string => s.split('\n').map((l) => l.trimEnd()).join('\n');

// `cilium bpf policy get` column widths for app1's map: 9, 12, then the longest label
// (k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default, 70) + 3, then
// PORT/PROTO, PROXY PORT, BYTES, PACKETS titles + 3.
const WIDTHS = [9, 12, 73, 13, 13, 8, 10];
const cols = (...cells: string[]): string => cells.map((c, i) => c.padEnd(WIDTHS[i] ?? 0, ' ')).join('');
const APP2_LABELS = [
  'k8s:id=app2',
  'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default',
  'k8s:io.cilium.k8s.policy.cluster=default',
  'k8s:io.cilium.k8s.policy.serviceaccount=default',
  'k8s:io.kubernetes.pod.namespace=default',
];
// Continuation rows ("\t\t%s\t\t\t\t\t\t\n" in bpf_policy_get.go) have one more, empty,
// terminated cell than main rows: it is padded to minwidth 5.
const APP1_DUMP = [
  cols('POLICY', 'DIRECTION', 'LABELS (source:key[=value])', 'PORT/PROTO', 'PROXY PORT', 'BYTES', 'PACKETS'),
  cols('Allow', 'Ingress', 'reserved:host', 'ANY', 'NONE', '0', '0'),
  cols('Allow', 'Ingress', 'k8s:id=app2', '80/TCP', 'NONE', '0', '0'),
  ...APP2_LABELS.slice(1).map((l) => cols('', '', l, '', '', '', '') + ' '.repeat(5)),
  cols('Allow', 'Egress', 'reserved:unknown', 'ANY', 'NONE', '0', '0'),
].map((l) => `${l}\n`).join('');

test('identities: app2 is pinned to the seed\'s 36895; app1 gets its own cluster identity', () => {
  assert.equal(endpoint('app2').identity, APP2_ID);
  assert.deepEqual(labelsOf(APP2_ID), APP2_LABELS);
  const app1 = endpoint('app1').identity;
  assert.notEqual(app1, APP2_ID);
  assert.ok(app1 >= 256 && app1 <= 65535, `app1 identity ${app1} outside the cluster range`);
});

test('ipcache: app2 and the host as seed note 001 shows them', () => {
  const dump = runtime1().maps.ipcache.dump();
  const line = (key: string) => dump.split('\n').find((l) => l.startsWith(`${key} `))?.replace(/ +/g, ' ').trimEnd();
  assert.equal(line('10.11.90.17/32'), '10.11.90.17/32 identity=36895 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0');
  assert.equal(line('10.0.2.15/32'), '10.0.2.15/32 identity=1 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0');
});

test('app1 policy map: the seed entry {36895, 80, TCP, ingress}, reserved:host, egress allow-all', () => {
  const pm = policyOf('app1');
  const seed = pm.lookup({ identity: APP2_ID, dport: 80, proto: 6, direction: 'ingress' });
  assert.ok(seed, 'seed entry missing');
  assert.equal(seed.deny, false);
  assert.equal(seed.proxyPort, 0);
  assert.ok(pm.lookup({ identity: 1, dport: 0, proto: 0, direction: 'ingress' }), 'reserved:host ingress missing');
  assert.ok(pm.lookup({ identity: 0, dport: 0, proto: 0, direction: 'egress' }), 'egress allow-all missing');
  // Ingress is enforced: no ingress wildcard, and nothing else.
  assert.equal(pm.lookup({ identity: 0, dport: 0, proto: 0, direction: 'ingress' }), undefined);
  assert.equal(pm.entries().length, 3);
});

test('app1 policy get: rows, order and widths (continuation rows compared without trailing blanks)', () => {
  assert.equal(trimLines(policyOf('app1').dump(labelsOf)), trimLines(APP1_DUMP));
});

test('app1 policy get byte for byte, continuation rows included', () => {
  assert.equal(policyOf('app1').dump(labelsOf), APP1_DUMP);
});

test('app2 policy map: no rule selects it, so allow-all both ways plus reserved:host', () => {
  assert.equal(policyOf('app2').dump(labelsOf),
    'POLICY   DIRECTION   LABELS (source:key[=value])   PORT/PROTO   PROXY PORT   BYTES   PACKETS   \n' +
    'Allow    Ingress     reserved:unknown              ANY          NONE         0       0         \n' +
    'Allow    Ingress     reserved:host                 ANY          NONE         0       0         \n' +
    'Allow    Egress      reserved:unknown              ANY          NONE         0       0         \n');
});

test('per-packet LB (no kube-proxy replacement): app1\'s calls map has tail calls 25 and 29', () => {
  const n = runtime1();
  assert.equal(n.config.enablePerPacketLb, true);
  assert.equal(n.config.enableNodePort, false);
  const calls = n.maps.progArrays.get(lxcCallsMapName(endpoint('app1').pod.endpointId));
  assert.ok(calls);
  assert.equal(calls.lookup(25)?.name, 'tail_handle_ipv4_cont');
  assert.equal(calls.lookup(29)?.name, 'tail_ipv4_ct_egress');
  assert.equal(calls.lookup(7)?.name, 'tail_handle_ipv4');
  assert.equal(calls.lookup(17), undefined, 'no NodePort: no tail_rev_nodeport_lb4');
});

test('no kube-proxy replacement: no bpf_host program on eth0', () => {
  const n = runtime1();
  const eth0 = deviceByName(n, 'eth0');
  assert.ok(eth0);
  assert.equal(eth0.tc.ingress, undefined);
  assert.equal(eth0.tc.egress, undefined);
  assert.equal(n.maps.progArrays.get(netdevCallsMapName(eth0.ifindex)), undefined);
  // cilium_host still runs bpf_host.
  assert.equal(deviceByName(n, 'cilium_host')?.tc.ingress?.name, 'cil_to_host');
});
