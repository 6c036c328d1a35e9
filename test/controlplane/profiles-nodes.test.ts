// fromNodes/toNodes per release and per enable-node-selector-labels: the seed cluster
// (scenarios/default.yaml) with node2 labelled node-role=ingress and a CNP allowing
// `fromNodes: [{matchLabels: {node-role: ingress}}]` into the app=server pods; the host of
// node2 sends to pod2 on node1 through the tunnel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { ipv4 } from '../../src/net/ip.js';
import { parseScenario } from '../../src/scenario/load.js';
import { readInputs } from '../../src/scenario/inputs.js';
import { traceFlow } from '../../src/trace/run.js';
import type { TraceResult } from '../../src/trace/tree.js';
import { explainPolicyDrop } from '../../src/explain/policy-drop.js';
import { renderTrace } from '../../src/render/text.js';
import { ep, verdict } from './policy-support.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SEED = readFileSync(join(ROOT, 'scenarios', 'default.yaml'), 'utf8');

type Profile = '1.13' | '1.16' | '1.18';

const POLICY = (role: string) => `policies:
  - apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: { name: ingress-nodes }
    spec:
      endpointSelector: { matchLabels: { app: server } }
      ingress:
        - fromNodes: [{ matchLabels: { node-role: ${role} } }]
`;

/** The seed cluster under `profile`, node2 labelled, the flag as given (undefined: not written). */
function build(profile: Profile, flag: boolean | undefined, role = 'ingress', extra = ''): Cluster {
  let text = SEED.replace('  cilium: "1.13"\n', `  cilium: "${profile}"\n${flag === undefined ? '' : `  nodeSelectorLabels: ${flag}\n`}`);
  text = text.replace('    nodeId: 32012\n', '    nodeId: 32012\n    labels: { node-role: ingress }\n');
  assert.ok(text.includes('node-role: ingress') && text.includes(`cilium: "${profile}"`));
  return buildCluster(parseScenario(`${text}${POLICY(role)}${extra}`, 'x.yaml'));
}

/** The host of node2 (its InternalIP) to pod2 on node1, TCP 80. */
function fromNode2(c: Cluster): TraceResult {
  return traceFlow(c, { src: { kind: 'host', node: 'node2', ip: ipv4('1.2.3.168') }, dstIp: ep(c, 'pod2').pod.ip, proto: 'tcp', dport: 80, sport: 43210, traceArp: false });
}

/** pod2's policy map as the release's CLI prints it, trailing blanks cut. */
function table(c: Cluster): string[] {
  const e = ep(c, 'pod2');
  const pm = [...c.datapath.nodes.get('node1')!.maps.policy.values()].find((m) => m.endpointId === e.pod.endpointId)!;
  return pm.dump((id) => c.identities.labelStrings(id)).split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
}

/** node1's ipcache lines of node2's addresses. */
function node2Entries(c: Cluster): string[] {
  return c.datapath.nodes.get('node1')!.maps.ipcache.dump().split('\n').map((l) => l.trimEnd()).filter((l) => l.startsWith('1.2.3.168/32') || l.startsWith('10.0.1.2/32'));
}

const REFUSED = (line: number) => `x.yaml:${line}:11 CiliumNetworkPolicy default/ingress-nodes is not enforced: the agent of Cilium 1.16.0 and later refuses it (FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set (pkg/policy/api/rule_validation.go@v1.16.15:23, @v1.18.3:25); it is off (its default: set cluster.nodeSelectorLabels or cilium-config enable-node-selector-labels))`;
const warnings = (c: Cluster) => c.scenario.warnings.map((w) => `${w.pos ? `${w.pos.file}:${w.pos.line}:${w.pos.col} ` : ''}${w.message}`);

test('v1.16.15 pkg/policy/api/rule_validation.go:215-217, v1.18.3 rule_validation.go:226-228: flag off, the policy is refused and node2 stays remote-node (6)', () => {
  for (const profile of ['1.16', '1.18'] as const) {
    for (const flag of [undefined, false]) {
      const c = build(profile, flag);
      // The fromNodes key: one line further down when the flag is written.
      assert.deepEqual(warnings(c), [REFUSED(flag === undefined ? 87 : 88)], `${profile} ${flag}`);
      assert.deepEqual(ep(c, 'pod2').policy.selectingRules, [], profile);
      assert.equal(verdict(fromNode2(c)), 'FORWARDED', profile);
      assert.ok(node2Entries(c).every((l) => l.includes('identity=6 ')), node2Entries(c).join('\n'));
      assert.equal(c.identities.all().some((i) => i.scope === 'remote-node'), false);
    }
  }
});

test('v1.13.0 CRD: fromNodes is pruned, the rule keeps an empty ingress item: host of node2 -> pod2 is dropped; nodeSelectorLabels is ignored', () => {
  const c = build('1.13', true);
  assert.deepEqual(warnings(c), [
    "x.yaml:14:23 cluster.nodeSelectorLabels (enable-node-selector-labels) is an option of Cilium 1.16 and later: v1.13.0 ignores it",
    "x.yaml:88:11 'fromNodes' ignored: not in Cilium v1.13.0's CRD (node selectors of a later release), so the API server prunes it",
  ]);
  assert.equal(verdict(fromNode2(c)), 133);
  assert.ok(node2Entries(c).every((l) => l.includes('identity=6 ')), node2Entries(c).join('\n'));
});

test('v1.16.15 pkg/node/manager/manager.go:631-634, pkg/identity/identity.go:279-284, cache/allocator.go:300: flag on, nodes get remote-node scope identities with node: labels', () => {
  const c = build('1.16', true);
  assert.deepEqual(warnings(c), []);
  // node1 (no labels) and node2, numbered in node-name order from 2<<24 | 1.
  assert.deepEqual(c.identities.labelStrings(33554433), ['reserved:remote-node']);
  assert.deepEqual(c.identities.labelStrings(33554434), ['node:node-role=ingress', 'reserved:remote-node']);
  assert.deepEqual(node2Entries(c), [
    '1.2.3.168/32        identity=33554434 encryptkey=0 tunnelendpoint=0.0.0.0, flags=<none>',
    '10.0.1.2/32         identity=33554434 encryptkey=0 tunnelendpoint=1.2.3.168, flags=<none>',
  ]);
  // The local host keeps reserved:host (manager.go:609-610): node1's own addresses are identity 1.
  assert.ok(c.datapath.nodes.get('node1')!.maps.ipcache.dump().includes('1.2.3.167/32        identity=1 '));
});

test('v1.16.15 pkg/k8s/apis/cilium.io/utils/utils.go:120-127: fromNodes selects node2 (node:node-role=ingress, reserved:remote-node): allowed, map line per release', () => {
  const c16 = build('1.16', true);
  assert.deepEqual(table(c16), [
    'POLICY   DIRECTION   LABELS (source:key[=value])   PORT/PROTO   PROXY PORT   AUTH TYPE   BYTES   PACKETS   PREFIX',
    'Allow    Ingress     reserved:host                 ANY          NONE         disabled    0       0         0',
    'Allow    Ingress     node:node-role=ingress        ANY          NONE         disabled    0       0         0',
    '                     reserved:remote-node',
    'Allow    Egress      reserved:unknown              ANY          NONE         disabled    0       0         0',
  ]);
  const r = fromNode2(c16);
  assert.equal(verdict(r), 'FORWARDED');
  const text = renderTrace(r, 'detailed').split('\n').map((l) => l.trim());
  assert.ok(text.includes('source identity 33554434 from the ipcache: the sending node\'s own identity (remote-node scope 0x02000000, enable-node-selector-labels)'), text.join('\n'));
  assert.ok(text.includes('policy ingress of endpoint 505 for identity 33554434: ALLOWED (match L3-Only)'), text.join('\n'));
  assert.ok(text.includes('↳ CiliumNetworkPolicy default/ingress-nodes spec ingress[0] fromNodes[0] {node-role=ingress}: allow any port (x.yaml:88)'), text.join('\n'));
});

test('v1.18.3 pkg/node/manager/manager.go:634-639, utils.go:74-78,136-143: node identities carry the cluster label and fromNodes matches the local cluster', () => {
  const c = build('1.18', true);
  assert.deepEqual(warnings(c), []);
  assert.deepEqual(c.identities.labelStrings(33554433), ['k8s:io.cilium.k8s.policy.cluster=default', 'reserved:remote-node']);
  assert.deepEqual(c.identities.labelStrings(33554434), ['k8s:io.cilium.k8s.policy.cluster=default', 'node:node-role=ingress', 'reserved:remote-node']);
  assert.deepEqual(node2Entries(c), [
    '1.2.3.168/32        identity=33554434 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
    '10.0.1.2/32         identity=33554434 encryptkey=0 tunnelendpoint=1.2.3.168 flags=hastunnel',
  ]);
  assert.deepEqual(table(c), [
    'POLICY   DIRECTION   LABELS (source:key[=value])                PORT/PROTO   PROXY PORT   AUTH TYPE   BYTES   PACKETS   PREFIX',
    'Allow    Ingress     reserved:host                              ANY          NONE         disabled    -       -         0',
    'Allow    Ingress     k8s:io.cilium.k8s.policy.cluster=default   ANY          NONE         disabled    -       -         0',
    '                     node:node-role=ingress',
    '                     reserved:remote-node',
    'Allow    Egress      ANY                                        ANY          NONE         disabled    -       -         0',
  ]);
  assert.equal(verdict(fromNode2(c)), 'FORWARDED');
});

test('v1.16.15 utils.go:120-127: a fromNodes selector node2 does not match selects nothing: dropped, --why suggests fromNodes', () => {
  for (const profile of ['1.16', '1.18'] as const) {
    const c = build(profile, true, 'worker');
    const r = fromNode2(c);
    assert.equal(verdict(r), 133, profile);
    const why = explainPolicyDrop(c, r)!;
    const labels = profile === '1.18' ? 'k8s:io.cilium.k8s.policy.cluster=default, node:node-role=ingress, reserved:remote-node' : 'node:node-role=ingress, reserved:remote-node';
    assert.ok(why.lines.includes(`The peer is identity 33554434 (${labels}).`), why.lines.join('\n'));
    assert.ok(why.suggestion?.includes('  ingress:\n    - fromNodes:\n        - matchLabels:\n            node-role: ingress\n      toPorts:'), why.suggestion ?? '');
  }
});

test('v1.16.15 utils.go:124 (reserved:remote-node Exists): fromNodes never selects the local host nor a pod with the same label', () => {
  const pod = `---
apiVersion: v1
kind: Pod
metadata: { name: fake, namespace: default, labels: { node-role: ingress } }
spec: { nodeName: node2, containers: [{ name: c }] }
status: { podIP: 10.0.1.77 }
`;
  const c = build('1.16', true, 'ingress', pod);
  const fake = ep(c, 'fake').identity;
  const ids = ep(c, 'pod2').policy.entries.filter((e) => e.key.direction === 'ingress').map((e) => e.key.identity);
  assert.deepEqual(ids.sort((a, b) => a - b), [1, 33554434]); // 1: allow-localhost, not the selector
  assert.equal(ids.includes(fake), false);
});

test('v1.16.15 pkg/policy/api/rule_validation.go:196-211: fromNodes with fromEndpoints in one item is refused whatever the flag', () => {
  const both = `policies:
  - apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: { name: both }
    spec:
      endpointSelector: { matchLabels: { app: server } }
      ingress:
        - fromEndpoints: [{ matchLabels: { app: client } }]
          fromNodes: [{ matchLabels: { node-role: ingress } }]
`;
  const text = SEED.replace('  cilium: "1.13"\n', '  cilium: "1.16"\n  nodeSelectorLabels: true\n') + both;
  const c = buildCluster(parseScenario(text, 'x.yaml'));
  assert.deepEqual(warnings(c), ['x.yaml:88:11 CiliumNetworkPolicy default/both is not enforced: the agent of Cilium 1.16.0 and later refuses it ("combining FromEndpoints and FromNodes is not supported yet": fromEndpoints and fromNodes cannot be combined in one rule; write two rules)']);
  assert.deepEqual(ep(c, 'pod2').policy.selectingRules, []);
});

test('v1.16.15 pkg/k8s/apis/cilium.io/utils/utils.go:239-246: toNodes allows pod2 to node2 and not to its own host (reserved:host has no reserved:remote-node)', () => {
  for (const profile of ['1.16', '1.18'] as const) {
    const text = SEED.replace('  cilium: "1.13"\n', `  cilium: "${profile}"\n  nodeSelectorLabels: true\n`).replace('    nodeId: 32012\n', '    nodeId: 32012\n    labels: { node-role: ingress }\n');
    const c = buildCluster(parseScenario(`${text}${POLICY('ingress').replace('ingress:\n        - fromNodes', 'egress:\n        - toNodes')}`, 'x.yaml'));
    const to = (ip: string) => traceFlow(c, { src: { kind: 'pod', ip: ep(c, 'pod2').pod.ip }, dstIp: ipv4(ip), proto: 'tcp', dport: 80, sport: 43210, traceArp: false });
    assert.equal(verdict(to('1.2.3.168')), 'FORWARDED', profile);
    assert.equal(verdict(to('1.2.3.167')), 133, profile);
    const egress = ep(c, 'pod2').policy.entries.filter((e) => e.key.direction === 'egress').map((e) => e.key.identity);
    assert.deepEqual(egress, [33554434], profile);
  }
});

test('v1.16.15 daemon/cmd/daemon_main.go:1134, manager.go:631-634: Kubernetes input, Node metadata.labels and cilium-config enable-node-selector-labels=true', () => {
  const node = (name: string, ip: string, cidr: string, labels: string) => `apiVersion: v1
kind: Node
metadata: { name: ${name}, labels: ${labels} }
spec: { podCIDR: ${cidr} }
status:
  addresses: [{ type: InternalIP, address: ${ip} }]
`;
  const config = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cilium-config, namespace: kube-system }\ndata:\n  enable-node-selector-labels: "true"\n';
  const docs = [
    node('a', '192.168.0.1', '10.0.1.0/24', '{ kubernetes.io/hostname: a }'),
    node('b', '192.168.0.2', '10.0.2.0/24', '{ kubernetes.io/hostname: b, node-role: ingress }'),
    config,
  ];
  const s = readInputs([{ file: 'k.yaml', text: docs.join('---\n') }], 'k', { profile: '1.16', why: '--cilium 1.16' });
  assert.equal(s.cluster.nodeSelectorLabels, true);
  assert.deepEqual(s.nodes.map((n) => n.labels), [{ 'kubernetes.io/hostname': 'a' }, { 'kubernetes.io/hostname': 'b', 'node-role': 'ingress' }]);
  const c = buildCluster(s);
  // Every label of the Node (the node-labels filter is empty by default, daemon_main.go:1137).
  assert.deepEqual(c.identities.labelStrings(33554434), ['node:kubernetes.io/hostname=b', 'node:node-role=ingress', 'reserved:remote-node']);
  assert.match(c.datapath.nodes.get('a')!.maps.ipcache.dump(), /^192\.168\.0\.2\/32 +identity=33554434 /m);
});
