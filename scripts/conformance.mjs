#!/usr/bin/env node
// Cilium's own connectivity tests as a conformance run: every case of
// ../shared/conformance/cilium-cli (a cluster.yaml and the verdicts cilium-cli asserts on it)
// is loaded under the newest profile and each probe traced with `cilium-trace check`.
// One line per case, then each miss with the trace's verdict, drop reason and the probe's `why`.
// Exit 0 when every probe passes (or the cases are absent), 1 on any miss.
// Usage: node scripts/conformance.mjs [DIR] [--cilium PROFILE]   (after the build; DIR defaults to
// ../shared/conformance/cilium-cli from the project root, PROFILE to the newest)
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const at = args.indexOf('--cilium');
const chosen = at >= 0 ? args.splice(at, 2)[1] : undefined;
const dir = resolve(root, args[0] ?? '../shared/conformance/cilium-cli');
const bin = join(root, 'bin', 'cilium-trace.cjs');

if (!existsSync(dir)) {
  console.log(`conformance: ${dir} not found: the cilium-cli connectivity cases are not on this machine, skipped`);
  process.exit(0);
}
const releases = join(root, 'dist', 'src', 'cilium', 'releases', 'release.js');
if (!existsSync(join(root, 'dist', 'cilium-trace.cjs')) || !existsSync(releases)) {
  console.error('conformance: the build is missing (dist/): run npm run build first');
  process.exit(2);
}
// The cases describe current Cilium: the newest profile the build models, unless --cilium says otherwise.
const profile = chosen ?? (await import(pathToFileURL(releases).href)).NEWEST.profile;

const cases = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'cluster.yaml')))
  .map((d) => d.name)
  .sort();

/** `check -o json` of one case; the probes' notes (why) come from expect.json, in the same order. */
function runCase(name) {
  const caseDir = join(dir, name);
  const expectFile = existsSync(join(caseDir, 'expect.yaml')) ? 'expect.yaml' : 'expect.json';
  const probes = JSON.parse(readFileSync(join(caseDir, 'expect.json'), 'utf8'));
  const argv = [bin, 'check', '-f', 'cluster.yaml', '-e', expectFile, '--cilium', profile, '-o', 'json'];
  return new Promise((done) => {
    execFile(process.execPath, argv, { cwd: caseDir, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      let report;
      try {
        report = JSON.parse(stdout);
      } catch {
        const code = err && typeof err.code === 'number' ? err.code : 0;
        done({ name, total: probes.length, passed: 0, misses: [], error: `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}` });
        return;
      }
      const misses = [];
      report.results.forEach((r, i) => {
        if (r.pass && !r.not_simulated) return;
        const probe = probes[i] ?? {};
        misses.push({ r, probe });
      });
      done({ name, total: report.summary.expectations, passed: report.summary.expectations - misses.length, misses });
    });
  });
}

/** Two at a time: CI has two CPUs. */
async function runAll() {
  const results = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runCase(cases[i]);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

const started = Date.now();
const results = await runAll();
const width = Math.max(...cases.map((c) => c.length), 10);
let total = 0;
let passed = 0;
for (const c of results) {
  total += c.total;
  passed += c.passed;
  console.log(`${c.name.padEnd(width)}  ${c.passed}/${c.total}${c.error ? `  LOAD FAILED (${c.error})` : ''}`);
}
console.log(`${'total'.padEnd(width)}  ${passed}/${total}  (${cases.length} cases, Cilium profile ${profile}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);

const missed = results.filter((c) => c.misses.length > 0 || c.error);
if (missed.length > 0) {
  console.log('\nmisses:');
  for (const c of missed) {
    if (c.error) console.log(`  ${c.name}: the case did not load: ${c.error}`);
    for (const { r, probe } of c.misses) {
      const f = r.flow;
      const flow = `${f.from} -> ${f.to} ${f.proto ?? 'icmp'}${f.port ? `/${f.port}` : ''}`;
      const want = `${r.expect.verdict}${r.expect.reason ? ` (${r.expect.reason})` : ''}`;
      const got = r.not_simulated ? `not simulated (${r.not_simulated})` : `${r.actual.verdict}${r.actual.reason ? ` (${r.actual.reason})` : ''}`;
      console.log(`  ${c.name} ${r.position}: ${flow}: expected ${want}, trace ${got}`);
      if (r.decidedBy?.text) console.log(`      decided by: ${r.decidedBy.text}`);
      if (probe.why) console.log(`      why: ${probe.why}`);
      if (probe.source) console.log(`      source: ${probe.source}`);
    }
  }
}
process.exit(missed.length > 0 ? 1 : 0);
