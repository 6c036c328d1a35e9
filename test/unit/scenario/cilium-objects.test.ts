// Cilium's own objects as input: CiliumNodes (pod CIDRs of cluster-pool, multi-pool and ENI
// IPAM, cilium_host's CiliumInternalIP) and the agent's Node annotations; CiliumEndpoints and
// CiliumIdentities (the cluster's endpoint ids and identity numbers); EndpointSlices (the
// backends of Services without a selector). Stale or contradictory objects are warnings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { formatIpv4, formatPrefix } from '../../../src/net/ip.js';
import { readInputs } from '../../../src/scenario/inputs.js';
import type { Scenario } from '../../../src/scenario/types.js';

function load(text: string): Scenario {
  return readInputs([{ file: 'c.yaml', text }], 'c');
}

function errors(text: string): string[] {
  try {
    load(text);
  } catch (e) {
    if (e instanceof InputError) return e.lines();
    throw e;
  }
  return [];
}

/** Positioned warnings (the note that no cilium-config was given has none: cilium-config.test.ts). */
const warnings = (s: Scenario): string[] => (s.warnings ?? []).flatMap((w) => (w.pos ? [`${w.pos.file}:${w.pos.line}:${w.pos.col}: ${w.message}`] : []));

const node = (name: string, ip: string, extra = '', podCIDR = ''): string => `apiVersion: v1
kind: Node
metadata:
  name: ${name}${extra}
spec:${podCIDR ? `\n  podCIDR: ${podCIDR}` : ' {}'}
status:
  addresses:
  - address: ${ip}
    type: InternalIP
`;

const pod = (name: string, nodeName: string, ip: string, labels = 'app: web', ns = 'default'): string => `apiVersion: v1
kind: Pod
metadata:
  labels: { ${labels} }
  name: ${name}
  namespace: ${ns}
spec:
  nodeName: ${nodeName}
status:
  phase: Running
  podIP: ${ip}
`;

describe('CiliumNodes and the agent’s Node annotations', () => {
  it('cluster-pool: the first CIDR of spec.ipam.podCIDRs is the pod CIDR, the others are routed too', () => {
    const s = load(`${node('n1', '192.168.0.1', '', '10.244.0.0/24')}---
apiVersion: cilium.io/v2
kind: CiliumNode
metadata: { name: n1 }
spec:
  addresses:
  - { ip: 192.168.0.1, type: InternalIP }
  - { ip: 10.0.7.19, type: CiliumInternalIP }
  ipam:
    podCIDRs: ["fd00::/96", 10.0.7.0/24, 10.0.9.0/24]
---
${pod('a', 'n1', '10.0.9.4')}`);
    const n = s.nodes[0];
    assert.ok(n);
    assert.deepEqual([formatPrefix(n.podCIDR), n.extraPodCIDRs?.map(formatPrefix), formatIpv4(n.ciliumHostIp)], ['10.0.7.0/24', ['10.0.9.0/24'], '10.0.7.19']);
    assert.equal(s.pods[0]?.node, 'n1', 'a pod in the secondary CIDR is on its node');
  });

  it('multi-pool (Cilium 1.14+ CRD): the allocated CIDRs of spec.ipam.pools', () => {
    const s = load(`${node('n1', '192.168.0.1')}---
apiVersion: cilium.io/v2
kind: CiliumNode
metadata: { name: n1 }
spec:
  ipam:
    pools:
      allocated:
      - { pool: default, cidrs: [10.10.0.0/27, 10.10.0.64/27] }
`);
    assert.deepEqual([formatPrefix(s.nodes[0]?.podCIDR ?? { addr: 0, len: 0 } as never), s.nodes[0]?.extraPodCIDRs?.map(formatPrefix)], ['10.10.0.0/27', ['10.10.0.64/27']]);
  });

  it('ENI (and Azure, CRD) IPAM: the node has a pool of addresses, no CIDR; cilium_host is the router address', () => {
    const s = load(`${node('ip-192-168-1-10.ec2.internal', '192.168.1.10')}---
apiVersion: cilium.io/v2
kind: CiliumNode
metadata: { name: ip-192-168-1-10.ec2.internal }
spec:
  eni: { instance-id: i-0c3b2a19f5d8e7a6b }
  ipam:
    pool:
      192.168.1.52: { resource: eni-0a1b2c3d4e5f60718 }
      192.168.1.31: { resource: eni-0a1b2c3d4e5f60718 }
      192.168.1.77: { resource: eni-0a1b2c3d4e5f60718 }
status:
  ipam:
    used:
      192.168.1.31: { owner: router, resource: eni-0a1b2c3d4e5f60718 }
      192.168.1.77: { owner: default/web, resource: eni-0a1b2c3d4e5f60718 }
---
${pod('web', 'ip-192-168-1-10.ec2.internal', '192.168.1.77')}`);
    const n = s.nodes[0];
    assert.ok(n);
    assert.deepEqual([formatPrefix(n.podCIDR), n.extraPodCIDRs?.map(formatPrefix), formatIpv4(n.ciliumHostIp)], ['192.168.1.31/32', ['192.168.1.52/32', '192.168.1.77/32'], '192.168.1.31']);
    assert.equal(formatIpv4(s.pods[0]?.ip ?? 0 as never), '192.168.1.77');
  });

  it('network.cilium.io/ipv4-cilium-host and ipv4-pod-cidr on the Node (written with annotate-k8s-node)', () => {
    const annotated = '\n  annotations:\n    network.cilium.io/ipv4-cilium-host: 10.244.1.201\n    io.cilium.network.ipv4-pod-cidr: 10.244.1.0/24';
    const s = load(`${node('n1', '192.168.0.1', annotated)}---\n${pod('a', 'n1', '10.244.1.5')}`);
    assert.deepEqual([formatPrefix(s.nodes[0]?.podCIDR ?? { addr: 0, len: 0 } as never), formatIpv4(s.nodes[0]?.ciliumHostIp ?? 0 as never)], ['10.244.1.0/24', '10.244.1.201']);
  });

  it('a pod outside every known pod CIDR: the error says where cluster-pool keeps them', () => {
    assert.deepEqual(errors(`${node('cp-1', '192.168.56.10', '', '10.244.0.0/24')}---\n${pod('a', 'cp-1', '10.0.0.15')}`), [
      "c.yaml:22:10: pod IP 10.0.0.15 is in no node's pod CIDR (cp-1's is 10.244.0.0/24): Cilium's cluster-pool IPAM keeps pod CIDRs in the CiliumNodes; add kubectl get ciliumnodes -o yaml to the inputs",
    ]);
  });
});

const CEP = (name: string, id: number, identity: number, ip: string, labels: string[]): string => `apiVersion: cilium.io/v2
kind: CiliumEndpoint
metadata:
  name: ${name}
  namespace: default
status:
  id: ${id}
  identity:
    id: ${identity}
    labels:
${labels.map((l) => `    - ${l}`).join('\n')}
  networking:
    addressing:
    - ipv4: ${ip}
    node: 192.168.0.1
  state: ready
`;

const WEB_LABELS = [
  'k8s:app=web',
  'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default',
  'k8s:io.cilium.k8s.policy.cluster=default',
  'k8s:io.cilium.k8s.policy.serviceaccount=default',
  'k8s:io.kubernetes.pod.namespace=default',
];

describe('CiliumEndpoints and CiliumIdentities', () => {
  const nodes = `${node('n1', '192.168.0.1', '', '10.0.1.0/24')}---\n${node('n2', '192.168.0.2', '', '10.0.2.0/24')}`;

  it('pin each pod’s endpoint id, identity and the identity’s labels', () => {
    const s = load(`${nodes}---\n${pod('web-1', 'n1', '10.0.1.10')}---\n${CEP('web-1', 2087, 41235, '10.0.1.10', WEB_LABELS)}`);
    const p = s.pods[0];
    assert.deepEqual([p?.endpointId, p?.identity, p?.securityLabels], [2087, 41235, WEB_LABELS]);
    assert.deepEqual(warnings(s), []);
  });

  it('leave out what is stale: another address, a taken endpoint id, an identity whose labels disagree; and say so', () => {
    const s = load(`${nodes}---
${pod('web-1', 'n1', '10.0.1.10')}---
${pod('web-2', 'n1', '10.0.1.11')}---
${pod('web-3', 'n2', '10.0.2.12')}---
${pod('web-4', 'n1', '10.0.1.13')}---
${CEP('web-1', 2087, 41235, '10.0.1.99', WEB_LABELS)}---
${CEP('web-4', 300, 41235, '10.0.1.13', WEB_LABELS)}---
${CEP('web-2', 300, 41235, '10.0.1.11', WEB_LABELS)}---
${CEP('web-3', 300, 41236, '10.0.2.12', WEB_LABELS)}---
${CEP('gone', 12, 41235, '10.0.1.77', WEB_LABELS)}`);
    assert.deepEqual(s.pods.map((p) => [p.name, p.endpointId, p.identity ?? null]), [['web-1', 1854, null], ['web-2', 300, 41235], ['web-3', 300, null], ['web-4', 642, 41235]]);
    assert.deepEqual(warnings(s), [
      'c.yaml:71:1: CiliumEndpoint default/web-1 has address 10.0.1.99, its pod 10.0.1.10: stale, not used',
      'c.yaml:98:7: CiliumEndpoint default/web-4 has endpoint id 300 on node n1, as default/web-2 has: stale, not used',
      'c.yaml:142:9: CiliumEndpoint default/web-3 has identity 41236 for the labels CiliumEndpoint default/web-2 has as identity 41235: stale, not used',
      'c.yaml:155:1: 1 CiliumEndpoint (default/gone) names no running pod of the inputs: not used',
    ]);
  });

  it('a CiliumIdentity numbers the pods whose labels it lists (and ignores names that are no identity)', () => {
    const s = load(`${nodes}---
${pod('web-1', 'n1', '10.0.1.10')}---
apiVersion: cilium.io/v2
kind: CiliumIdentity
metadata:
  name: "41235"
security-labels:
${WEB_LABELS.map((l) => `  ${l.slice(0, l.indexOf('='))}: ${l.slice(l.indexOf('=') + 1)}`).join('\n')}
---
apiVersion: cilium.io/v2
kind: CiliumIdentity
metadata: { name: world }
`);
    assert.deepEqual(s.ciliumIdentities?.map((i) => [i.id, i.labels]), [[41235, WEB_LABELS]]);
    assert.deepEqual(warnings(s), ["c.yaml:46:1: CiliumIdentity 'world' is not a cluster identity number (256..16777215): ignored"]);
  });
});

describe('EndpointSlices', () => {
  const svc = (name: string, selector: string): string => `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: default }
spec:
  clusterIP: 10.96.0.1
  ports:
  - { name: https, port: 443, protocol: TCP, targetPort: 6443 }${selector}
`;

  it('give a Service without a selector its ready addresses, port by name', () => {
    const s = load(`${node('n1', '192.168.0.1', '', '10.0.1.0/24')}---
${svc('kubernetes', '')}---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  labels: { kubernetes.io/service-name: kubernetes }
  name: kubernetes
  namespace: default
addressType: IPv4
endpoints:
- addresses: [192.168.0.1]
  conditions: { ready: true }
- addresses: [192.168.0.9]
  conditions: { ready: false }
- addresses: [192.168.0.2]
ports:
- { name: https, port: 6443, protocol: TCP }
`);
    assert.deepEqual(s.services[0]?.endpoints?.map((b) => [formatIpv4(b.ip), b.ports]), [
      ['192.168.0.1', { https: { port: 6443, protocol: 'TCP' } }],
      ['192.168.0.2', { https: { port: 6443, protocol: 'TCP' } }],
    ]);
    assert.deepEqual(warnings(s), []);
  });

  it('a selector-less Service without any: one warning (a trace to it finds no backend)', () => {
    const s = load(`${node('n1', '192.168.0.1', '', '10.0.1.0/24')}---\n${svc('kubernetes', '')}`);
    assert.equal(s.services[0]?.endpoints, undefined);
    assert.deepEqual(warnings(s), ['c.yaml:12:1: Service default/kubernetes has no selector and no EndpointSlice among the inputs: no backends (add kubectl get endpointslices -A -o yaml)']);
  });
});
