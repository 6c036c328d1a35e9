#!/usr/bin/env node
// npm run fuzz [-- --cases N] [--seed S] [--keep DIR]
// Runs N fuzz cases (default 100,000) through the CLI in one process: mutations of every
// shipped scenario, generated clusters, random bytes and random command lines (see
// test/fuzz/). Every run must exit 0, 1 or 2 with one-line, positioned errors and no stack
// trace. Prints the count and each failure (its command line and a reproducer file).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { caseArb } from '../dist/test/fuzz/arbitraries.js';
import { caseInput } from '../dist/test/fuzz/mutations.js';
import { contractViolation, FuzzSession } from '../dist/test/fuzz/harness.js';

const { values } = parseArgs({ options: { cases: { type: 'string' }, seed: { type: 'string' }, keep: { type: 'string' }, quiet: { type: 'boolean' } } });
const total = Number(values.cases ?? 100_000);
const seed = Number(values.seed ?? 20_240_613);
const keep = resolve(process.env.INIT_CWD ?? process.cwd(), values.keep ?? 'fuzz-failures');
const BATCH = 500;

const session = new FuzzSession();
const arb = caseArb();
const failures = [];
const started = performance.now();
let done = 0;
const codes = [0, 0, 0, 0];
try {
  for (let batch = 0; done < total; batch++) {
    const n = Math.min(BATCH, total - done);
    const cases = fc.sample(arb, { seed: seed + batch, numRuns: n });
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const r = await session.run(c);
      done++;
      if (r.code >= 0 && r.code <= 3) codes[r.code]++;
      const why = contractViolation(r);
      if (why) {
        const id = `seed ${seed + batch} case ${i}`;
        failures.push({ id, why, argv: r.argv, stderr: r.stderr.slice(0, 2000) });
        mkdirSync(keep, { recursive: true });
        const base = join(keep, `failure-${failures.length}`);
        mkdirSync(base, { recursive: true });
        for (const f of caseInput(c.input).files) writeFileSync(join(base, f.name), f.data);
        writeFileSync(join(base, 'README.txt'), `${id}\n${why}\nargv: ${JSON.stringify(c.argv)} ({F} = this directory or its file)\n--- stderr\n${r.stderr}`);
        process.stdout.write(`FAIL ${id}: ${why}\n  argv: ${JSON.stringify(r.argv)}\n  kept in ${base}\n`);
      }
    }
    if (!values.quiet && batch % 20 === 19) process.stdout.write(`  ${done} cases, ${failures.length} failures, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
} finally {
  session.close();
}
const secs = (performance.now() - started) / 1000;
process.stdout.write(`fuzz: ${done} cases in ${secs.toFixed(1)} s (seed ${seed}; exit 0: ${codes[0]}, 1: ${codes[1]}, 2: ${codes[2]}), ${failures.length} failures\n`);
process.exitCode = failures.length === 0 ? 0 : 1;
