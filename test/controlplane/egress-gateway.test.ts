// CiliumEgressGatewayPolicy → cilium_egress_gw_policy_v4 as v1.13.0 fills it
// (pkg/egressgateway/policy.go ParseCEGP, regenerateGatewayConfig): one entry per selected
// endpoint IP and destination CIDR on every node; the gateway is the last node, by name, the
// nodeSelector matches (the v1.13.0 loop has no break); only that node knows the egress IP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { readInputs } from '../../src/scenario/inputs.js';
import { traceFlow } from '../../src/trace/run.js';
import { ipv4 } from '../../src/net/ip.js';

const node = (name: string, ip: string, cidr: string, labels: string) => `---
apiVersion: v1
kind: Node
metadata: { name: ${name}, labels: { ${labels} } }
spec: { podCIDR: ${cidr} }
status: { addresses: [{ type: InternalIP, address: ${ip} }] }
`;
const pod = (name: string, ns: string, nodeName: string, ip: string, app: string) => `---
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns}, labels: { app: ${app} } }
spec: { nodeName: ${nodeName} }
status: { phase: Running, podIP: ${ip} }
`;

// The input names no release (it would get the newest): the tests below hold it to v1.13.0.
const V113 = { profile: '1.13', why: '--cilium 1.13' } as const;
const load13 = (text: string) => readInputs([{ file: 'egw.yaml', text }], 'egw', V113);

const TEXT = [
  node('a-node', '192.168.0.1', '10.0.1.0/24', 'egress: "yes"'),
  node('b-node', '192.168.0.2', '10.0.2.0/24', 'egress: "yes"'),
  node('c-node', '192.168.0.3', '10.0.3.0/24', 'egress: "no"'),
  pod('api', 'shop', 'a-node', '10.0.1.10', 'api'),
  pod('web', 'shop', 'c-node', '10.0.3.10', 'web'),
  pod('api', 'other', 'c-node', '10.0.3.20', 'api'),
  `---
apiVersion: cilium.io/v2
kind: CiliumEgressGatewayPolicy
metadata: { name: partner }
spec:
  selectors:
    - podSelector: { matchLabels: { app: api } }
      namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: shop } }
  destinationCIDRs: [203.0.113.0/24, 198.51.100.0/28]
  egressGateway:
    nodeSelector: { matchLabels: { egress: "yes" } }
    egressIP: 192.0.2.50
`,
].join('');

test('entries for the selected pods only, on every node; gateway b-node (the last match); the egress IP only on b-node', () => {
  const c = buildCluster(load13(TEXT));
  assert.equal(c.scenario.egressGateways[0]?.gatewayNode, 'b-node');
  const dumps = ['a-node', 'b-node', 'c-node'].map((n) => c.datapath.nodes.get(n)?.maps.egressGw?.dump());
  assert.equal(dumps[0], [
    'Source IP   Destination CIDR   Egress IP   Gateway IP',
    '10.0.1.10   198.51.100.0/28    0.0.0.0     192.168.0.2',
    '10.0.1.10   203.0.113.0/24     0.0.0.0     192.168.0.2',
    '',
  ].join('\n'));
  assert.equal(dumps[1], [
    'Source IP   Destination CIDR   Egress IP    Gateway IP',
    '10.0.1.10   198.51.100.0/28    192.0.2.50   192.168.0.2',
    '10.0.1.10   203.0.113.0/24     192.0.2.50   192.168.0.2',
    '',
  ].join('\n'));
  assert.equal(dumps[2], dumps[0]);
  assert.equal(c.datapath.nodes.get('a-node')?.config.enableEgressGateway, true);
});

test('a trace of a selected pod to a destination CIDR ends NOT_SIMULATED in bpf_lxc; other flows are not touched', () => {
  const c = buildCluster(load13(TEXT));
  const from = (ip: string, dst: string) => traceFlow(c, { src: { kind: 'pod', ip: ipv4(ip) }, dstIp: ipv4(dst), proto: 'tcp', dport: 443, sport: 43210, traceArp: false });
  const hit = from('10.0.1.10', '203.0.113.7');
  assert.equal(hit.verdict, 'NOT_SIMULATED');
  assert.equal(hit.notSimulated?.node, 'a-node');
  assert.match(hit.notSimulated?.text ?? '', /^CiliumEgressGatewayPolicy partner \(selectors namespaceSelector \{kubernetes\.io\/metadata\.name=shop\} podSelector \{app=api\}; destinations 203\.0\.113\.0\/24, 198\.51\.100\.0\/28\): v1\.13\.0 sends the packet through the tunnel to the gateway node b-node/);
  assert.equal(from('10.0.1.10', '8.8.8.8').verdict, 'FORWARDED');
  assert.equal(from('10.0.3.20', '203.0.113.7').verdict, 'FORWARDED', 'app=api in another namespace');
  assert.equal(from('10.0.3.10', '203.0.113.7').verdict, 'FORWARDED');
  // Inside the cluster identity_is_cluster skips the egress gateway.
  assert.equal(from('10.0.1.10', '10.0.3.10').verdict, 'FORWARDED');
});

test('v1.16.15 cilium-dbg/cmd/bpf_egress_list.go:84-93 (v1.18.3:104-113): no gateway node prints "Not Found"; v1.13.0 prints 0.0.0.0', () => {
  const noGateway = TEXT.replace('egress: "yes" } }\n    egressIP', 'egress: "nowhere" } }\n    egressIP');
  const dump = (profile: '1.13' | '1.18') => buildCluster(readInputs([{ file: 'egw.yaml', text: noGateway }], 'egw', { profile, why: 'test' })).datapath.nodes.get('a-node')?.maps.egressGw?.dump();
  assert.equal(dump('1.18'), [
    'Source IP   Destination CIDR   Egress IP   Gateway IP',
    '10.0.1.10   198.51.100.0/28    0.0.0.0     Not Found',
    '10.0.1.10   203.0.113.0/24     0.0.0.0     Not Found',
    '',
  ].join('\n'));
  assert.match(dump('1.13') ?? '', /^10\.0\.1\.10   198\.51\.100\.0\/28    0\.0\.0\.0     0\.0\.0\.0\n/m);
});
