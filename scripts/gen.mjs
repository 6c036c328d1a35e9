#!/usr/bin/env node
// npm run gen -- --nodes N --pods N --policies N --services N [--seed S] [-o FILE]
//                 [--realistic [--lean] [--core] [--format yaml|json]]
// Writes a cluster as Kubernetes manifests to FILE or stdout, the same bytes for the same
// arguments. A pair of pods to trace goes to stderr. Without --realistic: Lists of the
// fields that matter (scripts/lib/gen-cluster.mjs). With it: a dump as `kubectl get … -A
// -o yaml` (or `-o json`) prints it, managedFields, last-applied annotations, status,
// Deployments and ReplicaSets included, with EndpointSlices and Cilium's objects unless
// --core (scripts/lib/gen-realistic.mjs); --lean writes the same objects without that
// noise. The format follows FILE's extension (.json) or --format.
import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCluster } from './lib/gen-cluster.mjs';
import { RealisticCluster } from './lib/gen-realistic.mjs';
import { jsonListChunks, yamlListChunks } from './lib/kube-print.mjs';

const USAGE = 'usage: npm run gen -- --nodes N --pods N --policies N --services N [--seed S] [-o FILE] [--realistic [--lean] [--core] [--format yaml|json]]';

function count(name, text, fallback) {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) {
    process.stderr.write(`gen: --${name} '${text}' is not a non-negative integer\n${USAGE}\n`);
    process.exit(2);
  }
  return Number(text);
}

let args;
try {
  args = parseArgs({
    options: {
      nodes: { type: 'string' }, pods: { type: 'string' }, policies: { type: 'string' }, services: { type: 'string' },
      seed: { type: 'string' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' },
      realistic: { type: 'boolean' }, lean: { type: 'boolean' }, core: { type: 'boolean' }, format: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (e) {
  process.stderr.write(`gen: ${e.message}\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const opts = {
  nodes: count('nodes', args.nodes, 3),
  pods: count('pods', args.pods, 30),
  policies: count('policies', args.policies, 10),
  services: count('services', args.services, 5),
  seed: count('seed', args.seed, 1),
};
const format = args.format ?? (args.output?.endsWith('.json') ? 'json' : 'yaml');
if (format !== 'yaml' && format !== 'json') {
  process.stderr.write(`gen: --format '${format}' (expected yaml or json)\n${USAGE}\n`);
  process.exit(2);
}
if ((args.lean || args.core || args.format) && !args.realistic) {
  process.stderr.write(`gen: --lean, --core and --format go with --realistic\n${USAGE}\n`);
  process.exit(2);
}

/** Writes text chunks to FILE or stdout as they are made (a JSON dump can exceed a string's limit). */
function write(chunks) {
  const fd = args.output ? openSync(resolve(process.env.INIT_CWD ?? process.cwd(), args.output), 'w') : 1;
  let pending = '';
  for (const chunk of chunks) {
    pending += chunk;
    if (pending.length >= 1 << 22) {
      writeSync(fd, pending);
      pending = '';
    }
  }
  if (pending) writeSync(fd, pending);
  if (fd !== 1) closeSync(fd);
}

if (args.realistic) {
  let cluster;
  try {
    cluster = new RealisticCluster(opts);
  } catch (e) {
    process.stderr.write(`gen: ${e.message}\n`);
    process.exit(2);
  }
  const objects = cluster.objects({ lean: args.lean === true, core: args.core === true });
  write(format === 'json' ? jsonListChunks(objects) : yamlListChunks(objects));
  const c = cluster.counts();
  process.stderr.write(`gen: ${args.lean ? 'lean' : 'realistic'}${args.core ? ' core' : ''} ${format}: ${c.nodes} nodes, ${c.namespaces} namespaces, ${c.deployments} deployments, ${c.pods} pods (${c.nodes} of them Cilium agents), ${c.services} services, ${c.policies} policies\n`);
  if (cluster.hints) process.stderr.write(`gen: try: cilium-trace -f ${args.output ?? 'FILE'} ${cluster.hints.src} ${cluster.hints.dst} ${cluster.hints.proto}\n`);
  process.exit(0);
}

let out;
try {
  out = generateCluster(opts);
} catch (e) {
  process.stderr.write(`gen: ${e.message}\n`);
  process.exit(2);
}
write([out.text]);
const c = out.counts;
process.stderr.write(`gen: ${c.nodes} nodes, ${c.namespaces} namespaces, ${c.deployments} deployments, ${c.pods} pods, ${c.services} services, ${c.policies} policies (${c.cnp} CNP, ${c.knp} NetworkPolicy, ${c.cidr} CIDR, ${c.deny} deny, ${c.ccnp} CCNP)\n`);
if (out.hints) process.stderr.write(`gen: try: cilium-trace -f ${args.output ?? 'FILE'} ${out.hints.src} ${out.hints.dst} ${out.hints.proto}\n`);
