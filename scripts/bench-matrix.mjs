#!/usr/bin/env node
// Benchmark of the connectivity matrix (`cilium-trace matrix`), phase by phase: load + control
// plane, the matrix (keys, then one trace per distinct key), CSV and text rendering. Needs
// `npm run build`.
//   node scripts/bench-matrix.mjs [REPLICAS=20] [--exact-nodes | --no-cache]
//     the cluster of test/analysis/bench-cluster.ts: 10 nodes, 50 deployments × REPLICAS pods
//     spread over every node, 30 CiliumNetworkPolicies; all pods × all pods on tcp/80;
//   node scripts/bench-matrix.mjs --gen PODS [--services] [--exact-nodes | --no-cache]
//     the cluster of `npm run bench` item 4 (scripts/lib/gen-cluster.mjs, seed 1: 50 nodes,
//     PODS pods, 100 policies, 40 Services) on tcp/8080.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseScenario } from '../dist/src/scenario/load.js';
import { buildCluster } from '../dist/src/controlplane/cluster.js';
import { computeMatrix } from '../dist/src/analysis/matrix.js';
import { matrixCsvChunks, renderMatrixText } from '../dist/src/analysis/matrix-render.js';
import { BENCH_DEFAULT, benchScenarioText } from '../dist/test/analysis/bench-cluster.js';
import { generateCluster } from './lib/gen-cluster.mjs';

const { values, positionals } = parseArgs({
  options: { gen: { type: 'string' }, services: { type: 'boolean' }, 'exact-nodes': { type: 'boolean' }, 'no-cache': { type: 'boolean' } },
  allowPositionals: true,
});
const keying = values['no-cache'] ? 'none' : values['exact-nodes'] ? 'exact' : 'symmetric';

const since = (t) => performance.now() - t;
let t = performance.now();
let text;
let port;
let shapeText;
if (values.gen !== undefined) {
  const pods = Number(values.gen);
  text = generateCluster({ nodes: 50, pods, policies: 100, services: 40, seed: 1 }).text;
  port = { proto: 'tcp', port: 8080 };
  shapeText = `gen-cluster 50 nodes / ${pods} pods / 100 policies / 40 services`;
} else {
  const replicas = Number(positionals.find((a) => /^\d+$/.test(a)) ?? BENCH_DEFAULT.replicas);
  text = benchScenarioText({ ...BENCH_DEFAULT, replicas });
  port = { proto: 'tcp', port: 80 };
  shapeText = `bench-cluster ${BENCH_DEFAULT.nodes} nodes / ${BENCH_DEFAULT.deployments} × ${replicas} pods / ${BENCH_DEFAULT.policies} policies`;
}
const gen = since(t);
t = performance.now();
const scenario = parseScenario(text, 'bench.yaml');
const cluster = buildCluster(scenario);
const load = since(t);
t = performance.now();
let traced = 0;
const m = computeMatrix(cluster, { ports: [port], services: values.services === true, namespaces: [], selectors: [], keying, progress: () => { traced++; } });
const compute = since(t);
t = performance.now();
let csvBytes = 0;
for (const chunk of matrixCsvChunks(m)) csvBytes += Buffer.byteLength(chunk);
const csv = since(t);
t = performance.now();
const textOut = renderMatrixText(m);
const render = since(t);

const counts = new Map();
for (const s of m.sections) for (const k of s.cells) counts.set(k, (counts.get(k) ?? 0) + 1);
const outcome = (o) => `${o.verdict}${o.reason ? ` ${o.reason} (${o.direction})` : ''}`;
console.log(`cluster: ${shapeText}: ${cluster.endpoints.length} pods, ${scenario.policies.length} policies, ${cluster.identities.all().filter((i) => !i.reserved).length} pod identities (generated in ${gen.toFixed(0)} ms)`);
console.log(`matrix:  ${m.stats.cells} cells, ${m.stats.traces} distinct flows traced (keying ${keying}, nodes abstracted: ${m.stats.nodesAbstracted})`);
console.log(`cells:   ${[...counts.entries()].map(([k, n]) => `${outcome(m.outcomes[k])}: ${n}`).join(', ')}`);
console.log(`time:    load+build ${load.toFixed(0)} ms · matrix ${compute.toFixed(0)} ms (${traced} traces) · csv ${csv.toFixed(0)} ms (${(csvBytes / 2 ** 20).toFixed(0)} MiB) · text ${render.toFixed(0)} ms (${textOut.length} chars) · ${((compute * 1e6) / m.stats.cells).toFixed(0)} ns/cell`);
