#!/usr/bin/env node
// Benchmark of the connectivity matrix (`cilium-trace matrix`): a generated cluster
// (test/analysis/bench-cluster.ts: 10 nodes, 50 deployments × 20 replicas spread over every
// node, 30 CiliumNetworkPolicies), all pods × all pods on tcp/80. Needs `npm run build`.
// Usage: node scripts/bench-matrix.mjs [REPLICAS=20] [--exact-nodes | --no-cache]
import { performance } from 'node:perf_hooks';
import { parseScenario } from '../dist/src/scenario/load.js';
import { buildCluster } from '../dist/src/controlplane/cluster.js';
import { computeMatrix } from '../dist/src/analysis/matrix.js';
import { renderMatrixText } from '../dist/src/analysis/matrix-render.js';
import { BENCH_DEFAULT, benchScenarioText } from '../dist/test/analysis/bench-cluster.js';

const replicas = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? BENCH_DEFAULT.replicas);
const keying = process.argv.includes('--no-cache') ? 'none' : process.argv.includes('--exact-nodes') ? 'exact' : 'symmetric';
const shape = { ...BENCH_DEFAULT, replicas };

const since = (t) => performance.now() - t;
let t = performance.now();
const scenario = parseScenario(benchScenarioText(shape), 'bench.yaml');
const cluster = buildCluster(scenario);
const load = since(t);
t = performance.now();
const m = computeMatrix(cluster, { ports: [{ proto: 'tcp', port: 80 }], services: false, namespaces: [], selectors: [], keying });
const compute = since(t);
t = performance.now();
const text = renderMatrixText(m);
const render = since(t);

const counts = new Map();
for (const s of m.sections) for (const k of s.cells) counts.set(k, (counts.get(k) ?? 0) + 1);
const outcome = (o) => `${o.verdict}${o.reason ? ` ${o.reason} (${o.direction})` : ''}`;
console.log(`cluster: ${cluster.endpoints.length} pods on ${shape.nodes} nodes, ${scenario.policies.length} policies, ${cluster.identities.all().filter((i) => !i.reserved).length} pod identities`);
console.log(`matrix:  ${m.stats.cells} cells, ${m.stats.traces} distinct flows traced (keying ${keying}, nodes abstracted: ${m.stats.nodesAbstracted})`);
console.log(`cells:   ${[...counts.entries()].map(([k, n]) => `${outcome(m.outcomes[k])}: ${n}`).join(', ')}`);
console.log(`time:    load+build ${load.toFixed(0)} ms · matrix ${compute.toFixed(0)} ms · text ${render.toFixed(0)} ms (${text.length} chars) · ${((compute * 1e6) / m.stats.cells).toFixed(0)} ns/cell`);
