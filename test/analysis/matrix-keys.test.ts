// The matrix cache key is sound: on generated clusters (every routing and load-balancing
// mode, hostNetwork pods, named ports, allow and deny rules with endpoints, entities and
// CIDRs, ClusterIP and NodePort Services), every cell of a cached matrix equals a fresh
// single trace. Deterministic: fast-check with a fixed seed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { parseScenario } from '../../src/scenario/load.js';
import { cellAt, computeMatrix, type Matrix, type PortSpec } from '../../src/analysis/matrix.js';
import { flowSourceOf } from '../../src/analysis/matrix-trace.js';
import { cellOutcome } from '../../src/analysis/outcome.js';
import { DEFAULT_SPORT, traceFlow } from '../../src/trace/run.js';
import type { Ipv4 } from '../../src/net/ip.js';

const NODES = ['n1', 'n2', 'n3'] as const;
const APPS = ['a', 'b', 'c'] as const;
const NAMESPACES = ['x', 'y'] as const;
const PORTS: readonly PortSpec[] = [{ proto: 'icmp', port: null }, { proto: 'tcp', port: 80 }, { proto: 'udp', port: 53 }, { proto: 'tcp', port: 30080 }];

const mode = fc.constantFrom(
  'routing: tunnel, kubeProxyReplacement: false, bpfHostRouting: false',
  'routing: tunnel, kubeProxyReplacement: true, bpfHostRouting: false',
  'routing: tunnel, kubeProxyReplacement: true, bpfHostRouting: true, masquerade: bpf',
  'routing: native, kubeProxyReplacement: false, bpfHostRouting: false',
  'routing: native, kubeProxyReplacement: true, bpfHostRouting: true, masquerade: bpf',
  'routing: tunnel, kubeProxyReplacement: true, bpfHostRouting: false, policyEnforcement: always',
);

const pod = fc.record({
  node: fc.integer({ min: 0, max: NODES.length - 1 }),
  app: fc.constantFrom(...APPS),
  ns: fc.constantFrom(...NAMESPACES),
  http: fc.constantFrom<number | null>(null, 80, 8080),
  hostNetwork: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});

const peer = fc.oneof(
  fc.constantFrom(...APPS).map((a) => `{ fromEndpoints: [{ matchLabels: { app: ${a} } }]`),
  fc.constantFrom(...APPS).map((a) => `{ fromEndpoints: [{ matchLabels: { app: ${a}, k8s:io.kubernetes.pod.namespace: x } }]`),
  fc.constantFrom('host', 'remote-node', 'world', 'cluster', 'all').map((e) => `{ fromEntities: [${e}]`),
  fc.constantFrom('10.0.2.0/24', '192.168.0.0/16', '10.0.1.11/32').map((c) => `{ fromCIDR: [${c}]`),
);
// Port "0" with a protocol makes the L3-Proto {id, 0, proto} and Proto-Only {0, 0, proto} keys.
const ports = fc.constantFrom('', ', toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]', ', toPorts: [{ ports: [{ port: http, protocol: TCP }] }]', ', toPorts: [{ ports: [{ port: "53", protocol: ANY }] }]', ', toPorts: [{ ports: [{ port: "30080", protocol: TCP }] }]', ', toPorts: [{ ports: [{ port: "0", protocol: TCP }] }]', ', toPorts: [{ ports: [{ port: "0", protocol: UDP }] }]');
const section = fc.tuple(fc.constantFrom('ingress', 'egress', 'ingressDeny', 'egressDeny'), peer, ports).map(([s, p, port]) => {
  const rule = s.startsWith('egress') ? p.replace('fromEndpoints', 'toEndpoints').replace('fromEntities', 'toEntities').replace('fromCIDR', 'toCIDR') : p;
  return `  ${s}: [${rule}${port} }]`;
});
const policy = fc.record({ app: fc.constantFrom(...APPS), ns: fc.constantFrom(...NAMESPACES), sections: fc.array(section, { minLength: 1, maxLength: 3 }) });
const service = fc.record({ app: fc.constantFrom(...APPS), ns: fc.constantFrom(...NAMESPACES), nodePort: fc.boolean(), named: fc.boolean() });

const scenario = fc.record({
  mode,
  pods: fc.array(pod, { minLength: 3, maxLength: 8 }),
  policies: fc.array(policy, { maxLength: 3 }),
  services: fc.array(service, { maxLength: 2 }),
});

type Gen = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function scenarioText(g: Gen): string {
  const docs = [`apiVersion: cilium-trace/v1
kind: Scenario
metadata: { name: keys }
cluster: { ${g.mode} }
nodes:
${NODES.map((n, i) => `  - { name: ${n}, ip: 192.168.0.${i + 1}, podCIDR: 10.0.${i + 1}.0/24 }`).join('\n')}
`];
  for (const ns of NAMESPACES) docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns}, labels: { team: ${ns} } }\n`);
  g.pods.forEach((p, i) => {
    const ip = p.hostNetwork ? `192.168.0.${p.node + 1}` : `10.0.${p.node + 1}.${10 + i}`;
    const cports = p.http === null ? '' : `{ containerPort: ${p.http}, name: http, protocol: TCP }`;
    docs.push(`apiVersion: v1
kind: Pod
metadata: { name: p${i}, namespace: ${p.ns}, labels: { app: ${p.app} } }
spec: { nodeName: ${NODES[p.node]}, ${p.hostNetwork ? 'hostNetwork: true, ' : ''}containers: [{ name: c, ports: [${cports}] }] }
status: { podIP: ${ip} }
`);
  });
  g.policies.forEach((p, i) => {
    docs.push(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: pol-${i}, namespace: ${p.ns} }
spec:
  endpointSelector: { matchLabels: { app: ${p.app} } }
${[...new Map(p.sections.map((s) => [s.split(':')[0], s])).values()].join('\n')}
`);
  });
  g.services.forEach((s, i) => {
    docs.push(`apiVersion: v1
kind: Service
metadata: { name: svc-${i}, namespace: ${s.ns} }
spec: { type: ${s.nodePort ? 'NodePort' : 'ClusterIP'}, clusterIP: 10.96.0.${10 + i}, selector: { app: ${s.app} }, ports: [{ port: 80, targetPort: ${s.named ? 'http' : 80}, protocol: TCP${s.nodePort ? `, nodePort: ${30080 + i}` : ''} }] }
`);
  });
  return docs.join('---\n');
}

function wrongCells(cluster: Cluster, m: Matrix): string[] {
  const wrong: string[] = [];
  for (const s of m.sections) {
    m.rows.forEach((src, i) => {
      s.columns.forEach((col, j) => {
        const single = cellOutcome(traceFlow(cluster, { src: flowSourceOf(src), dstIp: col.ip as Ipv4, proto: col.proto, dport: col.port, sport: DEFAULT_SPORT, traceArp: false }));
        const got = cellAt(m, s, i, j);
        if (JSON.stringify(got) !== JSON.stringify(single)) wrong.push(`${s.title}: ${src.label} → ${col.label}: matrix ${got.verdict} ${got.reason ?? ''}, trace ${single.verdict} ${single.reason ?? ''}`);
      });
    });
  }
  return wrong;
}

// A hostNetwork pod's column is its node's address, which is also every NodePort's frontend:
// where the backend runs decides the verdict, so symmetric nodes must not share such cells.
// Socket LB sits at the cgroup v2 root, so a hostNetwork pod's connect() to any node's
// NodePort is translated on its own node (the 0.0.0.0 surrogate, bpf_sock.c:195-206): h1 →
// h3:30080 reaches the backend on n1 from the local host, h2 → h3:30080 arrives as
// remote-node, which the backend's ingress policy (host only) denies.
describe('matrix cache keys: a NodePort on the hostNetwork columns', () => {
  const pods = [['web', 'n1', '10.0.1.10', 'web'], ['c1', 'n1', '10.0.1.20', 'client'], ['c3', 'n3', '10.0.3.20', 'client'], ['h1', 'n1', '192.168.0.1', 'agent'], ['h2', 'n2', '192.168.0.2', 'agent'], ['h3', 'n3', '192.168.0.3', 'agent']];
  const text = [`apiVersion: cilium-trace/v1
kind: Scenario
metadata: { name: nodeport }
cluster: { routing: tunnel, kubeProxyReplacement: true, bpfHostRouting: false }
nodes:
${NODES.map((n, i) => `  - { name: ${n}, ip: 192.168.0.${i + 1}, podCIDR: 10.0.${i + 1}.0/24 }`).join('\n')}
`, ...pods.map(([name, node, ip, app]) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default, labels: { app: ${app} } }
spec: { nodeName: ${node}, ${app === 'agent' ? 'hostNetwork: true, ' : ''}containers: [{ name: c, ports: [{ containerPort: 80, name: http }] }] }
status: { podIP: ${ip} }
`), `apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { type: NodePort, clusterIP: 10.96.0.10, selector: { app: web }, ports: [{ port: 80, targetPort: 80, nodePort: 30080, protocol: TCP }] }
`, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: default }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress: [{ fromEntities: [host] }]
`].join('---\n');
  const cluster = buildCluster(parseScenario(text, 'nodeport.yaml'));
  for (const keying of ['symmetric', 'exact'] as const) {
    it(`keying ${keying}`, () => {
      const m = computeMatrix(cluster, { ports: [{ proto: 'tcp', port: 30080 }], services: true, namespaces: [], selectors: [], keying });
      assert.equal(m.stats.nodesAbstracted, keying === 'symmetric');
      const s = m.sections[0];
      assert.ok(s);
      const row = (l: string) => m.rows.findIndex((r) => r.label === `default/${l}`);
      assert.equal(cellAt(m, s, row('h1'), row('h3')).verdict, 'FORWARDED');
      assert.equal(cellAt(m, s, row('h2'), row('h3')).verdict, 'DROPPED');
      assert.deepEqual(wrongCells(cluster, m), []);
    });
  }
});

// policy.h __policy_can_access probes 3 (L3-Proto {id, 0, proto}) and 4 (Proto-Only {0, 0, proto}):
// the cells they decide must equal single traces, with the keys sharing cells between pods.
describe('matrix cache keys: L3-Proto and Proto-Only entries', () => {
  const pods = [['s1', 'n1', '10.0.1.10', 'server'], ['s2', 'n2', '10.0.2.10', 'server'], ['c1', 'n1', '10.0.1.20', 'client'], ['c3', 'n3', '10.0.3.20', 'client'], ['o2', 'n2', '10.0.2.30', 'other']];
  const text = [`apiVersion: cilium-trace/v1
kind: Scenario
metadata: { name: proto }
cluster: { routing: tunnel, kubeProxyReplacement: true, bpfHostRouting: true, masquerade: bpf }
nodes:
${NODES.map((n, i) => `  - { name: ${n}, ip: 192.168.0.${i + 1}, podCIDR: 10.0.${i + 1}.0/24 }`).join('\n')}
`, ...pods.map(([name, node, ip, app]) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default, labels: { app: ${app} } }
spec: { nodeName: ${node}, containers: [{ name: c }] }
status: { podIP: ${ip} }
`), `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: server, namespace: default }
spec:
  endpointSelector: { matchLabels: { app: server } }
  ingress:
    - { fromEndpoints: [{ matchLabels: { app: client } }], toPorts: [{ ports: [{ port: "0", protocol: TCP }] }] }
    - { fromEntities: [all], toPorts: [{ ports: [{ port: "0", protocol: UDP }] }] }
`].join('---\n');
  const cluster = buildCluster(parseScenario(text, 'proto.yaml'));
  for (const keying of ['symmetric', 'exact'] as const) {
    it(`keying ${keying}`, () => {
      const m = computeMatrix(cluster, { ports: [{ proto: 'tcp', port: 8080 }, { proto: 'udp', port: 5353 }, { proto: 'icmp', port: null }], services: false, namespaces: [], selectors: [], keying });
      const row = (l: string) => m.rows.findIndex((r) => r.label === `default/${l}`);
      const at = (proto: string, src: string, dst: string) => {
        const s = m.sections.find((x) => x.title.includes(proto));
        assert.ok(s, proto);
        return cellAt(m, s, row(src), row(dst)).verdict;
      };
      assert.equal(at('tcp', 'c3', 's1'), 'FORWARDED', 'L3-Proto {client, 0, TCP}');
      assert.equal(at('tcp', 'o2', 's1'), 'DROPPED', 'no L3-Proto entry for other');
      assert.equal(at('udp', 'o2', 's2'), 'FORWARDED', 'Proto-Only {0, 0, UDP}');
      assert.equal(at('icmp', 'c1', 's2'), 'DROPPED');
      assert.deepEqual(wrongCells(cluster, m), []);
    });
  }
});

describe('matrix cache keys on generated clusters', () => {
  it('every cell equals a single trace (symmetric and exact keying)', () => {
    fc.assert(
      fc.property(scenario, (g) => {
        const text = scenarioText(g);
        const cluster = buildCluster(parseScenario(text, 'keys.yaml'));
        for (const keying of ['symmetric', 'exact'] as const) {
          const m = computeMatrix(cluster, { ports: PORTS, services: true, namespaces: [], selectors: [], keying });
          const wrong = wrongCells(cluster, m);
          assert.deepEqual(wrong, [], `keying ${keying}:\n${text}`);
        }
      }),
      { seed: Number(process.env['MATRIX_KEY_SEED'] ?? 20250607), numRuns: Number(process.env['MATRIX_KEY_RUNS'] ?? 25) },
    );
  });
});
