// Kubernetes objects as input: multi-document streams, kubectl's `kind: List`, directories
// and stdin, the mapping of each modelled kind, skipped kinds, missing data, and inputs
// mixed with Scenario documents and spread over several files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { formatIpv4, formatPrefix } from '../../../src/net/ip.js';
import { readInputs, type InputText } from '../../../src/scenario/inputs.js';
import { loadInputs, parseScenario, STDIN_NAME } from '../../../src/scenario/load.js';
import { loadNotes } from '../../../src/scenario/load-notes.js';
import type { PodSpec, Scenario } from '../../../src/scenario/types.js';

function errors(inputs: InputText[]): string[] {
  try {
    readInputs(inputs, 'x');
  } catch (e) {
    if (e instanceof InputError) return e.lines();
    throw e;
  }
  return [];
}

function pod(s: Scenario, id: string): PodSpec {
  const p = s.pods.find((x) => `${x.namespace}/${x.name}` === id);
  assert.ok(p, `pod ${id}`);
  return p;
}

const NODES = `apiVersion: v1
kind: Node
metadata:
  name: n1
spec:
  podCIDR: 10.0.1.0/24
status:
  addresses:
    - { type: Hostname, address: n1 }
    - { type: InternalIP, address: 192.168.0.1 }
---
apiVersion: v1
kind: Node
metadata:
  name: n2
spec:
  podCIDRs: ["fd00:1::/64", 10.0.2.0/24]
status:
  addresses:
    - { type: InternalIP, address: "fc00::2" }
    - { type: InternalIP, address: 192.168.0.2 }
`;

const WEB = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: { app: web }
spec:
  nodeName: n1
  containers:
    - name: a
      ports:
        - { name: http, containerPort: 8080 }
        - { containerPort: 9090, protocol: UDP }
    - name: b
      ports:
        - { name: metrics, containerPort: 9100, protocol: TCP }
status:
  phase: Running
  podIP: 10.0.1.10
`;

describe('multi-document input and kind: List', () => {
  it('reads Nodes and Pods from a multi-document stream, with Kubernetes defaults', () => {
    const s = parseScenario(`${NODES}---\n${WEB}`, 'cluster.yaml');
    assert.equal(s.name, 'cluster');
    assert.equal(s.file, 'cluster.yaml');
    assert.deepEqual(
      s.nodes.map((n) => [n.name, formatIpv4(n.ip), formatPrefix(n.podCIDR), formatIpv4(n.ciliumHostIp), n.tunnelDevice.name, n.device.name]),
      [
        ['n1', '192.168.0.1', '10.0.1.0/24', '10.0.1.1', 'cilium_vxlan', 'eth0'],
        ['n2', '192.168.0.2', '10.0.2.0/24', '10.0.2.1', 'cilium_vxlan', 'eth0'],
      ],
    );
    const web = pod(s, 'default/web');
    assert.equal(web.serviceAccount, 'default');
    assert.equal(web.hostNetwork, false);
    assert.deepEqual(web.labels, { app: 'web' });
    assert.deepEqual(web.containerPorts, [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { port: 9090, protocol: 'UDP' },
      { name: 'metrics', port: 9100, protocol: 'TCP' },
    ]);
    assert.ok(web.endpointId >= 1 && web.endpointId <= 4095);
    assert.match(web.hostVeth.name, /^lxc[0-9a-f]{12}$/);
    assert.deepEqual(web.pos, { file: 'cluster.yaml', line: 23, col: 1 });
    assert.deepEqual(s.cluster, { ...s.cluster, name: 'default', profile: '1.18', profileWhy: 'newest, no version given', routing: 'tunnel', tunnelProtocol: 'vxlan', tunnelPort: 8472 });
  });

  it('reads the items of a List (and typed lists such as PodList) like separate documents', () => {
    const indent = (t: string) => t.replace(/^/gm, '    ').replace(/^ {4}/, '  - ').trimEnd();
    const docs = `${NODES}---\n${WEB}`.split('---\n');
    const list = `apiVersion: v1\nkind: List\nmetadata: { resourceVersion: "" }\nitems:\n${docs.slice(0, 2).map(indent).join('\n')}\n---\napiVersion: v1\nkind: PodList\nitems:\n${indent(docs[2] ?? '')}\n`;
    const a = parseScenario(`${NODES}---\n${WEB}`, 'x.yaml');
    const b = parseScenario(list, 'x.yaml');
    const strip = (s: Scenario) => ({ nodes: s.nodes.map((n) => ({ ...n, pos: null })), pods: s.pods.map((p) => ({ ...p, pos: null })) });
    assert.deepEqual(strip(b), strip(a));
    assert.deepEqual(pod(b, 'default/web').pos, { file: 'x.yaml', line: 29, col: 5 });
  });

  it('accepts JSON (it is YAML)', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.0.1.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.1' }] } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns1' }, spec: { nodeName: 'n1' }, status: { podIP: '10.0.1.5' } },
      ],
    }, null, 2);
    const s = parseScenario(json, 'cluster.json');
    assert.equal(s.name, 'cluster');
    assert.equal(formatIpv4(pod(s, 'ns1/p').ip), '10.0.1.5');
  });
});

describe('kinds', () => {
  it('takes the first IPv4 of status.podIPs, spec.serviceAccountName, and the namespace of metadata', () => {
    const s = parseScenario(
      `${NODES}---
apiVersion: v1
kind: Pod
metadata: { name: api, namespace: shop }
spec:
  nodeName: n2
  serviceAccountName: api-sa
  serviceAccount: ignored-when-serviceAccountName-is-set
status:
  podIPs: [{ ip: "fd00:1::5" }, { ip: 10.0.2.5 }]
---
apiVersion: v1
kind: Pod
metadata: { name: old, namespace: shop }
spec: { nodeName: n2, serviceAccount: legacy }
status: { podIP: 10.0.2.6 }
`,
      'x.yaml',
    );
    assert.equal(formatIpv4(pod(s, 'shop/api').ip), '10.0.2.5');
    assert.equal(pod(s, 'shop/api').serviceAccount, 'api-sa');
    assert.equal(pod(s, 'shop/old').serviceAccount, 'legacy');
  });

  it('gives hostNetwork pods the node IP, endpoint 0 and the node device, without duplicate-IP errors', () => {
    const s = parseScenario(
      `${NODES}---
apiVersion: v1
kind: Pod
metadata: { name: cilium-abcde, namespace: kube-system }
spec: { nodeName: n1, hostNetwork: true }
status: { podIP: 192.168.0.1, podIPs: [{ ip: 192.168.0.1 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: kube-proxy-x, namespace: kube-system }
spec:
  nodeName: n1
  hostNetwork: true
  containers: [{ name: p, ports: [{ name: metrics, containerPort: 10249 }] }]
status: { phase: Pending }
---
${WEB}`,
      'x.yaml',
    );
    const node = s.nodes.find((n) => n.name === 'n1');
    assert.ok(node);
    for (const id of ['kube-system/cilium-abcde', 'kube-system/kube-proxy-x']) {
      const p = pod(s, id);
      assert.equal(p.hostNetwork, true);
      assert.equal(p.ip, node.ip);
      assert.equal(p.endpointId, 0);
      assert.equal(p.mac, node.device.mac);
      assert.deepEqual(p.hostVeth, node.device);
    }
    assert.deepEqual(pod(s, 'kube-system/kube-proxy-x').containerPorts, [{ name: 'metrics', port: 10249, protocol: 'TCP' }]);
    // hostNetwork pods take no ifindex: the first endpoint pod still gets 7.
    assert.equal(pod(s, 'default/web').hostVeth.ifindex, 7);
  });

  it('labels namespaces with kubernetes.io/metadata.name, and lists the ones pods use without a Namespace object', () => {
    const s = parseScenario(
      `${NODES}---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { team: shop, kubernetes.io/metadata.name: wrong }
---
apiVersion: v1
kind: Pod
metadata: { name: a, namespace: other }
spec: { nodeName: n1 }
status: { podIP: 10.0.1.20 }
---
${WEB}`,
      'x.yaml',
    );
    assert.deepEqual(
      s.namespaces.map((n) => [n.name, n.labels, n.pos.line]),
      [
        ['shop', { team: 'shop', 'kubernetes.io/metadata.name': 'shop' }, 23],
        ['other', { 'kubernetes.io/metadata.name': 'other' }, 29],
        ['default', { 'kubernetes.io/metadata.name': 'default' }, 35],
      ],
    );
  });

  it('prefers a CiliumNode pod CIDR and takes cilium_host from its CiliumInternalIP', () => {
    const s = parseScenario(
      `${NODES.replace('podCIDR: 10.0.1.0/24', 'providerID: x')}---
apiVersion: cilium.io/v2
kind: CiliumNode
metadata: { name: n1 }
spec:
  addresses:
    - { type: InternalIP, ip: 192.168.0.1 }
    - { type: CiliumInternalIP, ip: 10.0.7.163 }
  ipam:
    podCIDRs: [10.0.7.0/24]
`,
      'x.yaml',
    );
    const n1 = s.nodes.find((n) => n.name === 'n1');
    assert.equal(n1 && formatPrefix(n1.podCIDR), '10.0.7.0/24');
    assert.equal(n1 && formatIpv4(n1.ciliumHostIp), '10.0.7.163');
    assert.deepEqual(s.skipped, []);
  });

  it('reads Services with Kubernetes defaults; headless and named target ports', () => {
    const s = parseScenario(
      `${NODES}---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  clusterIP: 10.96.0.20
  selector: { app: web }
  ports:
    - { name: http, port: 80, targetPort: http }
    - { name: alt, port: 8080, protocol: UDP }
---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: shop }
spec:
  type: NodePort
  clusterIP: None
  selector: {}
  ports: [{ port: 5432, targetPort: 5433, nodePort: 30432 }]
---
apiVersion: v1
kind: Service
metadata: { name: ext, namespace: shop }
spec: { type: ExternalName, externalName: example.com }
`,
      'x.yaml',
    );
    const [web, db] = s.services;
    assert.ok(web && db);
    assert.equal(web.type, 'ClusterIP');
    assert.equal(web.clusterIP !== undefined && formatIpv4(web.clusterIP), '10.96.0.20');
    assert.deepEqual(web.selector, { app: 'web' });
    assert.deepEqual(
      web.ports.map(({ name, port, protocol, targetPort, nodePort }) => ({ name, port, protocol, targetPort, nodePort })),
      [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', nodePort: undefined },
        { name: 'alt', port: 8080, protocol: 'UDP', targetPort: 8080, nodePort: undefined },
      ],
    );
    assert.equal(db.type, 'NodePort');
    assert.equal(db.clusterIP, undefined);
    assert.equal(db.selector, undefined, 'an empty selector means no selector');
    assert.deepEqual(db.ports.map((p) => [p.port, p.targetPort, p.nodePort]), [[5432, 5433, 30432]]);
    assert.deepEqual(s.skipped.map((x) => [x.kind, x.name]), [['Service', 'shop/ext']]);
  });

  it('lists kinds it does not model, and finished pods, as skipped (never an error)', () => {
    // (CiliumEndpoints, CiliumIdentities and IPv4 EndpointSlices are read: cilium-objects.test.ts.)
    const kinds = ['Deployment', 'ReplicaSet', 'ConfigMap', 'Secret', 'ServiceAccount', 'Endpoints', 'EndpointSlice'];
    const others = kinds.map((k, i) => `apiVersion: any/v1\nkind: ${k}\nmetadata: { name: o${i}${i % 2 ? ', namespace: ns' : ''} }\n`).join('---\n');
    const s = parseScenario(
      `${NODES}---\n${others}---
apiVersion: v1
kind: Pod
metadata: { name: job-x }
spec: { nodeName: n1 }
status: { phase: Succeeded }
---
apiVersion: v1
kind: Pod
metadata: { name: crashed }
spec: { nodeName: n1 }
status: { phase: Failed, podIP: 10.0.1.9 }
`,
      'x.yaml',
    );
    assert.deepEqual(
      s.skipped.map((x) => [x.kind, x.name]),
      kinds.map((k, i) => [k, i % 2 ? `ns/o${i}` : `o${i}`]),
    );
    assert.deepEqual(s.skipped[0]?.pos, { file: 'x.yaml', line: 23, col: 1 });
    // Finished pods are not "objects not modelled" (F15): they have no endpoint any more.
    assert.deepEqual(s.skippedPods.map((p) => [p.id, p.why, p.ip === undefined ? undefined : formatIpv4(p.ip)]), [
      ['default/job-x', 'Succeeded', undefined],
      ['default/crashed', 'Failed', '10.0.1.9'],
    ]);
    assert.deepEqual(loadNotes(s).filter((l) => !l.includes('no cilium-config')), ['cilium-trace: skipped 2 pods without a Cilium endpoint (not running): default/job-x (Succeeded), default/crashed (Failed; its IP 10.0.1.9 is free)']);
    assert.deepEqual(s.pods, []);
  });
});

describe('missing data', () => {
  it('skips pods without a Cilium endpoint (not scheduled, no IP yet) with why, never an error', () => {
    const text = `${NODES}---
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  nodeName: n1
status:
  phase: Pending
---
apiVersion: v1
kind: Pod
metadata: { name: nowhere }
`;
    assert.deepEqual(errors([{ file: 'c.yaml', text }]), []);
    const s = readInputs([{ file: 'c.yaml', text }], 'c');
    assert.deepEqual(s.skippedPods.map((p) => [p.id, p.why, `${p.pos.line}:${p.pos.col}`]), [
      ['default/web', 'Pending, no IP yet: no status.podIP', '23:1'],
      ['default/nowhere', 'not scheduled: no spec.nodeName', '32:1'],
    ]);
  });

  it('reports Nodes without pod CIDR or InternalIP', () => {
    const text = 'apiVersion: v1\nkind: Node\nmetadata: { name: bare }\n';
    assert.deepEqual(errors([{ file: 'n.yaml', text }]), [
      "n.yaml:1:1: node bare has no InternalIP (status.addresses has no IPv4 InternalIP; expected a node as kubectl get nodes -o yaml shows it)",
      "n.yaml:1:1: node bare has no pod CIDR (spec.podCIDR is empty; expected an IPv4 pod CIDR, or the node's CiliumNode with spec.ipam.podCIDRs: kubectl get ciliumnodes -o yaml)",
    ]);
  });

  it('reports a pod on a node that no Node object or scenario node defines', () => {
    const text = `${NODES}---\n${WEB.replace('nodeName: n1', 'nodeName: n3')}`;
    assert.deepEqual(errors([{ file: 'c.yaml', text }]), ["c.yaml:29:13: unknown node 'n3' (expected one of: n1, n2)"]);
  });
});

const SCENARIO = `apiVersion: cilium-trace/v1
kind: Scenario
metadata: { name: mixed, description: scenario plus manifests }
cluster: { tunnelProtocol: geneve, kubeProxyReplacement: true }
nodes:
  - { name: s1, ip: 192.168.0.9, podCIDR: 10.0.9.0/24 }
pods:
  - { name: client, node: n1, ip: 10.0.1.50, labels: { app: client } }
`;

describe('several inputs', () => {
  it('mixes a Scenario document with Kubernetes objects; the Scenario names it and sets the cluster', () => {
    const s = readInputs(
      [
        { file: 'cluster.yaml', text: NODES },
        { file: 'scenario.yaml', text: SCENARIO },
        { file: 'apps.yaml', text: WEB.replace('nodeName: n1', 'nodeName: s1').replace('10.0.1.10', '10.0.9.10') },
      ],
      'cluster',
    );
    assert.equal(s.name, 'mixed');
    assert.equal(s.description, 'scenario plus manifests');
    assert.equal(s.file, 'cluster.yaml');
    assert.equal(s.cluster.tunnelProtocol, 'geneve');
    assert.equal(s.cluster.kubeProxyReplacement, true);
    assert.deepEqual(s.cluster.pos, { file: 'scenario.yaml', line: 4, col: 12 });
    assert.deepEqual(
      s.nodes.map((n) => [n.name, n.tunnelDevice.name, n.pos.file]),
      [
        ['n1', 'cilium_geneve', 'cluster.yaml'],
        ['n2', 'cilium_geneve', 'cluster.yaml'],
        ['s1', 'cilium_geneve', 'scenario.yaml'],
      ],
    );
    assert.deepEqual(
      s.pods.map((p) => [p.name, p.node, p.pos.file]),
      [
        ['client', 'n1', 'scenario.yaml'],
        ['web', 's1', 'apps.yaml'],
      ],
    );
  });

  it('merges several Scenario documents but takes one cluster section', () => {
    const second = SCENARIO.replace('name: mixed', 'name: second').replace(/^cluster:.*\n/m, '').replace(/nodes:\n.*\n/, 'nodes:\n  - { name: s2, ip: 192.168.0.8, podCIDR: 10.0.8.0/24 }\n').replace('client', 'client2').replace('10.0.1.50', '10.0.1.51');
    const s = readInputs([{ file: 'a.yaml', text: `${SCENARIO}---\n${second}` }, { file: 'b.yaml', text: NODES }], 'a');
    assert.equal(s.name, 'mixed');
    assert.deepEqual(s.nodes.map((n) => n.name), ['s1', 's2', 'n1', 'n2']);
    assert.deepEqual(s.pods.map((p) => p.name), ['client', 'client2']);
    assert.deepEqual(errors([{ file: 'a.yaml', text: SCENARIO }, { file: 'b.yaml', text: `${NODES}---\n${SCENARIO.replace(/nodes:[\s\S]*/, '')}` }]), [
      'b.yaml:26:1: second cluster section (the first is at a.yaml:4; cluster settings belong in one Scenario document)',
    ]);
  });

  it('finds duplicates across files and reports them in their own file', () => {
    const web2 = WEB.replace('10.0.1.10', '10.0.1.11');
    const other = `apiVersion: v1
kind: Pod
metadata: { name: other }
spec: { nodeName: n2 }
status: { podIP: 10.0.1.10 }
`;
    assert.deepEqual(
      errors([
        { file: 'cluster.yaml', text: `${NODES}---\n${WEB}` },
        { file: 'more.yaml', text: `${web2}---\n${NODES.split('---\n')[0] ?? ''}---\n${other}` },
      ]),
      [
        "more.yaml:4:9: duplicate pod 'default/web' (first defined at cluster.yaml:26)",
        "more.yaml:23:9: duplicate node name 'n1' (first defined at cluster.yaml:4)",
        "more.yaml:25:12: podCIDR 10.0.1.0/24 overlaps n1's pod CIDR 10.0.1.0/24 (first defined at cluster.yaml:6)",
        'more.yaml:29:36: duplicate IP address 192.168.0.1 (first used by node n1 at cluster.yaml:10)',
        'more.yaml:35:18: duplicate IP address 10.0.1.10 (first used by pod default/web at cluster.yaml:40)',
        "more.yaml:35:18: pod IP 10.0.1.10 is outside n2's pod CIDR 10.0.2.0/24",
      ],
    );
  });

  it('reports an empty file among others', () => {
    assert.deepEqual(errors([{ file: 'a.yaml', text: NODES }, { file: 'empty.yaml', text: '# nothing\n' }]), [
      'empty.yaml:1:1: file is empty (expected a cilium-trace Scenario or Kubernetes objects)',
    ]);
  });
});

describe('loadInputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cilium-trace-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const [node1, node2] = NODES.split('---\n');
  writeFileSync(join(dir, 'b-node2.yaml'), node2 ?? '');
  writeFileSync(join(dir, 'a-node1.yml'), node1 ?? '');
  writeFileSync(join(dir, 'c-web.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'n1' }, status: { podIP: '10.0.1.10' } }));
  writeFileSync(join(dir, 'notes.txt'), 'not: [yaml');
  mkdirSync(join(dir, 'sub.yaml'));
  writeFileSync(join(dir, 'sub.yaml', 'd-db.yaml'), WEB.replace('name: web', 'name: db').replace('10.0.1.10', '10.0.1.11'));
  writeFileSync(join(dir, 'sub.yaml', '.editorconfig.yml'), 'not: [yaml');
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git', 'config.yaml'), 'not: [yaml');
  mkdirSync(join(dir, 'chart'));
  writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 0.1.0\n');
  writeFileSync(join(dir, 'chart', 'values.yaml'), 'replicas: 2\n');
  writeFileSync(join(dir, 'chart', 'extra.yaml'), '# defaults\nreplicas: 3\n---\n' + WEB.replace('name: web', 'name: cache').replace('10.0.1.10', '10.0.1.12'));

  it('reads a directory and those below it: .yaml, .yml and .json files in sorted order, without dotfiles or Helm/kustomize files', () => {
    const s = loadInputs([`${dir}/`], () => assert.fail('stdin is not read'));
    assert.equal(s.file, `${dir}/a-node1.yml`);
    assert.equal(s.name, dir.split('/').pop());
    assert.deepEqual(s.nodes.map((n) => [n.name, n.pos.file]), [
      ['n1', `${dir}/a-node1.yml`],
      ['n2', `${dir}/b-node2.yaml`],
    ]);
    assert.deepEqual(s.pods.map((p) => [p.name, p.pos.file]), [
      ['web', `${dir}/c-web.json`],
      ['cache', `${dir}/chart/extra.yaml`],
      ['db', `${dir}/sub.yaml/d-db.yaml`],
    ]);
    // .git is not entered; what was passed over is listed (the CLI prints it as one note).
    assert.deepEqual(s.ignoredInputs, [
      { where: `${dir}/chart/Chart.yaml`, why: 'Helm chart file' },
      { where: `${dir}/chart/values.yaml`, why: 'Helm values' },
      { where: `${dir}/sub.yaml/.editorconfig.yml`, why: 'dotfile' },
      { where: `${dir}/chart/extra.yaml:2`, why: 'no kind' },
    ]);
  });

  it('reads stdin once for -, shown as <stdin>, in the order given', () => {
    let reads = 0;
    const stdin = () => {
      reads++;
      return `${WEB}`;
    };
    const s = loadInputs(['-', join(dir, 'a-node1.yml'), '-'], stdin);
    assert.equal(reads, 1);
    assert.equal(s.name, 'stdin');
    assert.equal(s.file, STDIN_NAME);
    assert.deepEqual(s.pods[0]?.pos, { file: '<stdin>', line: 1, col: 1 });
    assert.equal(s.nodes[0]?.pos.file, join(dir, 'a-node1.yml'));
  });

  it('names the scenario after the first file and reports unreadable paths at line 1', () => {
    assert.equal(loadInputs([join(dir, 'a-node1.yml'), join(dir, 'b-node2.yaml')], () => '').name, 'a-node1');
    assert.throws(
      () => loadInputs([join(dir, 'missing.yaml'), join(dir, 'sub.yaml', 'nope')], () => ''),
      (e: unknown) =>
        e instanceof InputError &&
        e.message === `${dir}/missing.yaml:1:1: cannot read file (no such file)\n${dir}/sub.yaml/nope:1:1: cannot read file (no such file)`,
    );
    const empty = join(dir, 'empty-dir');
    mkdirSync(empty);
    assert.throws(
      () => loadInputs([empty], () => ''),
      (e: unknown) => e instanceof InputError && e.message === `${empty}:1:1: directory has no .yaml, .yml or .json files, in it or below it`,
    );
    writeFileSync(join(empty, 'Chart.yaml'), 'apiVersion: v2\n');
    writeFileSync(join(empty, 'values.yaml'), 'a: 1\n');
    assert.throws(
      () => loadInputs([empty], () => ''),
      (e: unknown) => e instanceof InputError && e.message === `${empty}:1:1: directory has no Kubernetes manifests, in it or below it (skipped: ${empty}/Chart.yaml (Helm chart file), ${empty}/values.yaml (Helm values))`,
    );
  });
});
