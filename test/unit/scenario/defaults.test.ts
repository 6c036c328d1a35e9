import assert from 'node:assert/strict';
import { DEFAULT_RELEASE } from '../../../src/cilium/releases/release.js';
import { NO_VERSION } from '../../../src/scenario/cluster.js';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { formatIpv4 } from '../../../src/net/ip.js';
import { macFromBytes } from '../../../src/net/mac.js';
import { allocateInRange, sha256Bytes, sha256Hex } from '../../../src/util/hash.js';
import { parseScenario } from '../../../src/scenario/load.js';

const HEAD = `apiVersion: cilium-trace/v1
kind: Scenario
metadata: { name: t }
`;

const NODES = `nodes:
  - name: b
    ip: 192.168.0.2
    podCIDR: 10.1.0.0/24
  - name: a
    ip: 192.168.0.1
    podCIDR: 10.0.0.0/24
    nodeId: 7
`;

function errors(text: string): string[] {
  try {
    parseScenario(text, 't.yaml');
  } catch (e) {
    if (e instanceof InputError) return e.lines();
    throw e;
  }
  return [];
}

describe('defaults', () => {
  it('fills cluster defaults', () => {
    const s = parseScenario(HEAD + NODES, 't.yaml');
    assert.deepEqual(
      { ...s.cluster, pos: undefined },
      {
        name: 'default',
        profile: DEFAULT_RELEASE.profile,
        profileWhy: NO_VERSION,
        routing: 'tunnel',
        tunnelProtocol: 'vxlan',
        tunnelPort: 8472,
        bpfHostRouting: false,
        kubeProxyReplacement: false,
        masquerade: 'iptables',
        policyEnforcement: 'default',
        mtu: 1500,
        pos: undefined,
      },
    );
    assert.deepEqual(s.cluster.pos, { file: 't.yaml', line: 1, col: 1 });
    assert.equal(s.description, '');
    assert.deepEqual(s.pods, []);
    assert.deepEqual(s.policies, []);
  });

  it('uses the geneve port and device name for geneve', () => {
    const s = parseScenario(HEAD + 'cluster: { tunnelProtocol: geneve }\n' + NODES, 't.yaml');
    assert.equal(s.cluster.tunnelPort, 6081);
    assert.equal(s.nodes[0]?.tunnelDevice.name, 'cilium_geneve');
  });

  it('allocates node ids in name order with pinned ids reserved', () => {
    const s = parseScenario(HEAD + NODES, 't.yaml');
    const taken = new Set([7]);
    assert.equal(s.nodes.find((n) => n.name === 'a')?.nodeId, 7);
    assert.equal(s.nodes.find((n) => n.name === 'b')?.nodeId, allocateInRange('node:b', 1, 65535, taken));
    assert.deepEqual(
      s.nodes.map((n) => n.name),
      ['b', 'a'],
      'document order is kept',
    );
  });

  it('derives devices, MACs and the cilium_host address', () => {
    const node = parseScenario(HEAD + NODES, 't.yaml').nodes[0];
    assert.ok(node);
    assert.equal(formatIpv4(node.ciliumHostIp), '10.1.0.1');
    assert.deepEqual(node.device, { name: 'eth0', ifindex: 2, mac: macFromBytes(sha256Bytes('b/eth0')) });
    assert.deepEqual(node.ciliumNet, { name: 'cilium_net', ifindex: 3, mac: macFromBytes(sha256Bytes('b/cilium_net')) });
    assert.deepEqual(node.ciliumHost, { name: 'cilium_host', ifindex: 4, mac: macFromBytes(sha256Bytes('b/cilium_host')) });
    assert.deepEqual(node.tunnelDevice, { name: 'cilium_vxlan', ifindex: 5, mac: macFromBytes(sha256Bytes('b/cilium_vxlan')) });
  });

  it('allocates endpoint ids host first, then pods by namespace/name', () => {
    const text = `${HEAD}${NODES}pods:
  - { name: z, node: a, ip: 10.0.0.10 }
  - { name: y, namespace: kube-system, node: a, ip: 10.0.0.11 }
  - { name: x, node: a, ip: 10.0.0.12, endpointId: 300 }
`;
    const s = parseScenario(text, 't.yaml');
    const taken = new Set([300]);
    const host = allocateInRange('host:a', 1, 4095, taken);
    const z = allocateInRange('ep:default/z', 1, 4095, taken);
    const y = allocateInRange('ep:kube-system/y', 1, 4095, taken);
    assert.equal(s.nodes.find((n) => n.name === 'a')?.hostEndpointId, host);
    assert.deepEqual(
      s.pods.map((p) => [p.name, p.endpointId]),
      [
        ['z', z],
        ['y', y],
        ['x', 300],
      ],
    );
  });

  it('gives host veths odd ifindexes from 7 around pinned ones, and derived names and MACs', () => {
    const text = `${HEAD}${NODES}pods:
  - { name: p1, node: a, ip: 10.0.0.10 }
  - { name: p2, node: a, ip: 10.0.0.11, hostVeth: { ifindex: 9 } }
  - { name: p3, node: a, ip: 10.0.0.12 }
  - { name: p4, node: b, ip: 10.1.0.12 }
`;
    const s = parseScenario(text, 't.yaml');
    assert.deepEqual(
      s.pods.map((p) => [p.name, p.hostVeth.ifindex]),
      [
        ['p1', 7],
        ['p2', 9],
        ['p3', 11],
        ['p4', 7],
      ],
    );
    const p1 = s.pods[0];
    assert.ok(p1);
    assert.equal(p1.hostVeth.name, `lxc${sha256Hex('default/p1').slice(0, 12)}`);
    assert.equal(p1.hostVeth.mac, macFromBytes(sha256Bytes('default/p1/hostveth')));
    assert.equal(p1.mac, macFromBytes(sha256Bytes('default/p1/eth0')));
  });

  it('accepts a trailing empty document and aliases', () => {
    const text = `${HEAD}${NODES}pods:
  - { name: p1, node: a, ip: 10.0.0.10, labels: &l { app: web } }
  - { name: p2, node: a, ip: 10.0.0.11, labels: *l }
---
`;
    const s = parseScenario(text, 't.yaml');
    assert.deepEqual(s.pods[1]?.labels, { app: 'web' });
  });
});

describe('validation details', () => {
  it('requires at least one node, here or as a Node object', () => {
    assert.deepEqual(errors(HEAD), ["t.yaml:1:1: no nodes (expected at least one in 'nodes' or as a Node object)"]);
    assert.deepEqual(errors(HEAD + 'nodes: []\n'), ["t.yaml:4:8: no nodes (expected at least one in 'nodes' or as a Node object)"]);
  });

  it('rejects a document that is not a mapping', () => {
    assert.deepEqual(errors('- a\n- b\n'), ['t.yaml:1:1: the document is a list (expected a mapping)']);
  });

  it('rejects a pod IP equal to the default cilium_host address', () => {
    const text = `${HEAD}${NODES}pods:\n  - { name: p1, node: a, ip: 10.0.0.1 }\n`;
    assert.deepEqual(errors(text), [
      't.yaml:13:30: duplicate IP address 10.0.0.1 (first used by cilium_host of node a by default at line 8)',
    ]);
  });

  it('rejects overlapping pod CIDRs and node IPs inside them', () => {
    const text = `${HEAD}nodes:
  - { name: a, ip: 10.0.1.5, podCIDR: 10.0.0.0/24 }
  - { name: b, ip: 192.168.0.2, podCIDR: 10.0.0.0/16 }
`;
    assert.deepEqual(errors(text), [
      't.yaml:5:20: node IP 10.0.1.5 is inside b\'s pod CIDR 10.0.0.0/16 (expected an address outside all pod CIDRs)',
      't.yaml:6:42: podCIDR 10.0.0.0/16 overlaps a\'s pod CIDR 10.0.0.0/24 (first defined at line 5)',
    ]);
  });

  it('rejects a duplicate pinned MAC', () => {
    const text = `${HEAD}nodes:
  - { name: a, ip: 192.168.0.1, podCIDR: 10.0.0.0/24, device: { mac: "02:00:00:00:00:01" } }
  - { name: b, ip: 192.168.0.2, podCIDR: 10.0.1.0/24, device: { mac: "02:00:00:00:00:01" } }
`;
    assert.deepEqual(errors(text), [
      't.yaml:6:70: duplicate MAC address 02:00:00:00:00:01 (first used by eth0 of node a at line 5)',
    ]);
  });

  it('reads ports as numbers or numeric strings, protocol ANY by default', () => {
    const text = `${HEAD}${NODES}policies:
  - apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: { name: p, namespace: prod }
    spec:
      endpointSelector: {}
      egress:
        - toPorts: [{ ports: [{ port: 53, protocol: UDP }, { port: "0" }] }]
        - toEndpoints:
            - matchExpressions: [{ key: k8s:app, operator: NotIn, values: [db] }]
`;
    const [p] = parseScenario(text, 't.yaml').policies;
    assert.equal(p?.namespace, 'prod');
    const [rule] = p?.rules ?? [];
    assert.deepEqual(rule?.endpointSelector.matchLabels, {});
    assert.deepEqual(
      rule?.egress?.map((s) => ({ peers: s.peers?.map((x) => x.matchExpressions), ports: s.ports?.map((x) => [x.port, x.protocol]) })),
      [
        { peers: undefined, ports: [[53, 'UDP'], [0, 'ANY']] },
        { peers: [[{ key: 'k8s:app', operator: 'NotIn', values: ['db'] }]], ports: undefined },
      ],
    );
  });
});
