// The matrix's cells are the verdicts single traces give: for every shipped scenario and a
// generated multi-node cluster, every cell is compared with traceFlow on the full cluster
// (no cache, no narrowed endpoint list).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { loadInputs, parseScenario } from '../../src/scenario/load.js';
import { cellAt, computeMatrix, type Matrix, type PortSpec } from '../../src/analysis/matrix.js';
import { flowSourceOf } from '../../src/analysis/matrix-trace.js';
import { nodesSymmetric } from '../../src/analysis/matrix-keys.js';
import { cellOutcome } from '../../src/analysis/outcome.js';
import { DEFAULT_SPORT, traceFlow } from '../../src/trace/run.js';
import type { Ipv4 } from '../../src/net/ip.js';
import { ROOT } from '../support/run-cli.js';
import { benchScenarioText } from './bench-cluster.js';
import { build, type PodDef } from '../controlplane/policy-support.js';

const PORTS: readonly PortSpec[] = [{ proto: 'icmp', port: null }, { proto: 'tcp', port: 80 }, { proto: 'udp', port: 53 }];

// Every shipped scenario, read from the directory so a new one is covered too: each
// scenarios/*.yaml, each Kubernetes example under scenarios/k8s/, the CI example before and after.
const SHIPPED: ReadonlyArray<readonly [string, readonly string[]]> = [
  ...readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort().map((f) => [f.replace(/\.yaml$/, ''), [`scenarios/${f}`]] as const),
  ...readdirSync(join(ROOT, 'scenarios', 'k8s')).sort().map((d) => [`k8s/${d}`, [`scenarios/k8s/${d}`]] as const),
  ['ci-example before', ['scenarios/ci-example/cluster.yaml', 'scenarios/ci-example/before']],
  ['ci-example after', ['scenarios/ci-example/cluster.yaml', 'scenarios/ci-example/after']],
];

function load(paths: readonly string[]): Cluster {
  return buildCluster(loadInputs(paths.map((p) => join(ROOT, p)), () => ''));
}

/** Every cell against a fresh single trace; returns the number of cells checked. */
function assertCellsAreTraces(cluster: Cluster, m: Matrix): number {
  let n = 0;
  for (const s of m.sections) {
    m.rows.forEach((src, i) => {
      s.columns.forEach((col, j) => {
        const single = traceFlow(cluster, { src: flowSourceOf(src), dstIp: col.ip as Ipv4, proto: col.proto, dport: col.port, sport: DEFAULT_SPORT, traceArp: false });
        assert.deepEqual(cellAt(m, s, i, j), cellOutcome(single), `${s.title}: ${src.label} → ${col.label}`);
        n++;
      });
    });
  }
  return n;
}

describe('matrix cells equal single traces', () => {
  it('covers every shipped scenario', () => {
    for (const n of ['default', 'geneve', 'l3-policy', 'native', 'services', 'world-host', 'k8s/netpol-recipes', 'k8s/star-wars', 'ci-example after']) assert.ok(SHIPPED.some(([name]) => name === n), n);
  });

  for (const [name, paths] of SHIPPED) {
    it(`scenario ${name}`, () => {
      const cluster = load(paths);
      const m = computeMatrix(cluster, { ports: PORTS, services: true, namespaces: [], selectors: [], keying: 'symmetric' });
      assert.ok(m.rows.length > 0);
      assert.equal(assertCellsAreTraces(cluster, m), m.stats.cells);
    });
  }

  for (const routing of ['tunnel', 'native'] as const) {
    it(`generated cluster, 4 nodes, ${routing} routing (nodes abstracted, cache shared across nodes)`, () => {
      const cluster = buildCluster(parseScenario(benchScenarioText({ nodes: 4, deployments: 8, replicas: 5, policies: 6, routing }), 'bench.yaml'));
      assert.equal(nodesSymmetric(cluster), true);
      const m = computeMatrix(cluster, { ports: PORTS.slice(0, 2), services: false, namespaces: [], selectors: [], keying: 'symmetric' });
      assert.ok(m.stats.nodesAbstracted);
      assert.ok(m.stats.traces < m.stats.cells / 4, `${m.stats.traces} traces for ${m.stats.cells} cells`);
      assertCellsAreTraces(cluster, m);
    });
  }
});

describe('matrix options', () => {
  const cluster = load(['scenarios/ci-example/cluster.yaml', 'scenarios/ci-example/after']);
  it('filters by namespace and label', () => {
    const m = computeMatrix(cluster, { ports: [PORTS[1] as PortSpec], services: false, namespaces: ['shop'], selectors: [['app', 'api']], keying: 'symmetric' });
    assert.deepEqual(m.rows.map((r) => r.label), ['shop/api-1', 'shop/api-2']);
  });
  it('without the cache traces every cell and agrees with the cache', () => {
    const opts = { ports: PORTS, services: true, namespaces: [], selectors: [], keying: 'symmetric' } as const;
    const cached = computeMatrix(cluster, opts);
    const all = computeMatrix(cluster, { ...opts, keying: 'none' });
    assert.equal(all.stats.traces, all.stats.cells);
    assert.ok(cached.stats.traces < all.stats.traces);
    for (const [k, s] of cached.sections.entries()) {
      const t = all.sections[k];
      assert.ok(t);
      cached.rows.forEach((_, i) => s.columns.forEach((_c, j) => assert.deepEqual(cellAt(cached, s, i, j), cellAt(all, t, i, j))));
    }
  });
  it('reports progress once per distinct flow', () => {
    const seen: number[] = [];
    const m = computeMatrix(cluster, { ports: [PORTS[0] as PortSpec], services: false, namespaces: [], selectors: [], keying: 'symmetric', progress: (done, total) => { seen.push(done); assert.ok(done <= total); } });
    assert.equal(seen.length, m.stats.traces);
  });
  it('reports keyed cells a row at a time, ending at every cell', () => {
    const seen: Array<[number, number]> = [];
    const m = computeMatrix(cluster, { ports: PORTS.slice(0, 2), services: true, namespaces: [], selectors: [], keying: 'symmetric', cellProgress: (done, total) => { seen.push([done, total]); } });
    assert.equal(seen.length, m.rows.length * 3);
    assert.deepEqual(seen[seen.length - 1], [m.stats.cells, m.stats.cells]);
    assert.ok(seen.every(([d], i) => i === 0 || d > (seen[i - 1]?.[0] ?? 0)));
  });
});

// The cases that break a naive (identity, node) key: replicas with one identity but
// different container ports behind an ingress named port, hostNetwork pods (the node's
// address; host locally, remote-node elsewhere), an egress named port, a pod talking to itself.
describe('matrix cells equal single traces where a naive cache key would not', () => {
  const pods: readonly PodDef[] = [
    { name: 'web-a', node: 'n1', ip: '10.0.1.10', labels: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] },
    { name: 'web-b', node: 'n1', ip: '10.0.1.11', labels: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
    { name: 'web-c', node: 'n2', ip: '10.0.2.10', labels: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
    { name: 'client-a', node: 'n1', ip: '10.0.1.20', labels: { app: 'client' } },
    { name: 'client-b', node: 'n2', ip: '10.0.2.20', labels: { app: 'client' } },
    { name: 'agent-1', node: 'n1', ip: '192.168.0.1', labels: { app: 'agent' }, hostNetwork: true },
    { name: 'agent-2', node: 'n2', ip: '192.168.0.2', labels: { app: 'agent' }, hostNetwork: true },
  ];
  const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: default }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: client } }]
      toPorts: [{ ports: [{ port: http, protocol: TCP }] }]
    - fromEntities: [host]
  egress:
    - toEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: http, protocol: TCP }] }]
`;
  const cluster = build(pods, policy);
  for (const keying of ['symmetric', 'exact'] as const) {
    it(`keying ${keying}`, () => {
      const m = computeMatrix(cluster, { ports: [{ proto: 'tcp', port: 80 }, { proto: 'tcp', port: 8080 }, { proto: 'icmp', port: null }], services: false, namespaces: [], selectors: [], keying });
      assert.equal(m.rows.length, 7);
      assertCellsAreTraces(cluster, m);
      const s80 = m.sections[0];
      assert.ok(s80);
      const row = (l: string) => m.rows.findIndex((r) => r.label === `default/${l}`);
      assert.equal(cellAt(m, s80, row('client-a'), row('web-b')).verdict, 'FORWARDED');
      assert.equal(cellAt(m, s80, row('client-a'), row('web-a')).verdict, 'DROPPED', 'web-a names 8080 http');
    });
  }
});
