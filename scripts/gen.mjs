#!/usr/bin/env node
// npm run gen -- --nodes N --pods N --policies N --services N [--seed S] [-o FILE]
// Writes a realistic cluster as Kubernetes manifests (multi-document YAML) to FILE or stdout,
// the same bytes for the same arguments. A pair of pods to trace goes to stderr.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCluster } from './lib/gen-cluster.mjs';

const USAGE = 'usage: npm run gen -- --nodes N --pods N --policies N --services N [--seed S] [-o FILE]';

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
let out;
try {
  out = generateCluster(opts);
} catch (e) {
  process.stderr.write(`gen: ${e.message}\n`);
  process.exit(2);
}
if (args.output) writeFileSync(resolve(process.env.INIT_CWD ?? process.cwd(), args.output), out.text);
else process.stdout.write(out.text);
const c = out.counts;
process.stderr.write(`gen: ${c.nodes} nodes, ${c.namespaces} namespaces, ${c.deployments} deployments, ${c.pods} pods, ${c.services} services, ${c.policies} policies (${c.cnp} CNP, ${c.knp} NetworkPolicy, ${c.cidr} CIDR, ${c.deny} deny, ${c.ccnp} CCNP)\n`);
if (out.hints) process.stderr.write(`gen: try: cilium-trace -f ${args.output ?? 'FILE'} ${out.hints.src} ${out.hints.dst} ${out.hints.proto}\n`);
