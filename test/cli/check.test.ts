// `cilium-trace check`: expectations pass (exit 0) and fail (exit 1) with a reviewer's
// explanation, bad input is exit 2 with one positioned line per problem, golden traces are
// compared (unified diff) and rewritten with --update, JUnit XML is byte-stable.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/run-cli.js';
import { AFTER, BEFORE, CI, expectGolden, transcript } from './golden-support.js';

process.chdir(ROOT);
const EXP = ['-e', `${CI}/expectations.yaml`];

describe('check', () => {
  it('all expectations pass: exit 0', async () => {
    const args = ['check', ...BEFORE, ...EXP];
    const run = await runCli(args);
    assert.equal(run.code, 0, run.stderr);
    expectGolden('check-before.txt', transcript(args, run));
  });

  it('a failing expectation: exit 1, the deciding step, the rule behind it and the trace', async () => {
    const args = ['check', ...AFTER, ...EXP];
    const run = await runCli(args);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^FAIL +frontend-not-to-db/m);
    assert.match(run.stdout, /allowed by:\n +↳ CiliumNetworkPolicy shop\/db-ingress .*after\/policies\.yaml:20\)/);
    expectGolden('check-after.txt', transcript(args, run));
  });

  it('a flow dropped against the expectation shows why and the smallest policy that allows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-check-'));
    try {
      const file = join(dir, 'exp.yaml');
      writeFileSync(file, '- { name: db-from-prometheus, from: monitoring/prometheus-0, to: shop/db-0, proto: tcp, port: 5432, expect: FORWARDED }\n');
      const run = await runCli(['check', ...BEFORE, '-e', file]);
      assert.equal(run.code, 1);
      assert.match(run.stdout, /decided by: ingress policy of shop\/db-0 \(endpoint \d+\): match none/);
      assert.match(run.stdout, /  why:\n    ingress policy of shop\/db-0/);
      assert.match(run.stdout, /what would allow it \(the smallest policy to add\):\n    apiVersion: cilium.io\/v2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-o json is versioned and carries every result', async () => {
    const run = await runCli(['check', ...AFTER, ...EXP, '-o', 'json']);
    assert.equal(run.code, 1);
    const j = JSON.parse(run.stdout) as { schema: string; summary: { failed: number; passed: number }; results: Array<{ name: string; pass: boolean; actual: { verdict: string } }> };
    assert.equal(j.schema, 'cilium-trace/check/v1');
    assert.deepEqual(j.summary, { expectations: 6, passed: 5, failed: 1, goldens: null });
    assert.deepEqual(j.results.filter((r) => !r.pass).map((r) => [r.name, r.actual.verdict]), [['frontend-not-to-db', 'FORWARDED']]);
  });

  it('--junit writes deterministic, escaped JUnit XML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-junit-'));
    try {
      const file = join(dir, 'report.xml');
      const run = await runCli(['check', ...AFTER, ...EXP, '--junit', file]);
      assert.equal(run.code, 1);
      const xml = readFileSync(file, 'utf8');
      assert.match(xml, /<failure message="expected DROPPED \(POLICY_DENIED\), got FORWARDED" type="FORWARDED">/);
      assert.ok(xml.includes('10.20.0.11:43210 &gt; 10.20.1.31:5432'));
      assert.ok(!/timestamp|hostname/.test(xml));
      expectGolden('check-after-junit.xml', xml);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('check --golden', () => {
  it('the shipped goldens match the main-branch policies', async () => {
    const run = await runCli(['check', ...BEFORE, ...EXP, '--golden', `${CI}/goldens`]);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /golden traces in scenarios\/ci-example\/goldens \(level minimal\): 6 match\n$/);
  });

  it('a changed trace is a unified diff and exit 1', async () => {
    const args = ['check', ...AFTER, ...EXP, '--golden', `${CI}/goldens`];
    const run = await runCli(args);
    assert.equal(run.code, 1);
    expectGolden('check-after-golden.txt', transcript(args, run));
  });

  it('--update writes missing and changed files; then they match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-golden-'));
    try {
      const first = await runCli(['check', ...BEFORE, ...EXP, '--golden', dir]);
      assert.equal(first.code, 1, 'missing goldens fail');
      assert.match(first.stdout, /: 6 missing\n/);
      const created = await runCli(['check', ...BEFORE, ...EXP, '--golden', dir, '--update']);
      assert.equal(created.code, 0);
      assert.match(created.stdout, /: 6 created\n$/);
      assert.deepEqual(readdirSync(dir).sort(), readdirSync(join(ROOT, CI, 'goldens')).sort());
      for (const f of readdirSync(dir)) assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(ROOT, CI, 'goldens', f), 'utf8'), f);
      const updated = await runCli(['check', ...AFTER, ...EXP, '--golden', dir, '--update']);
      assert.equal(updated.code, 1, 'the failing expectation still fails');
      assert.match(updated.stdout, /: 5 match, 1 updated\n$/);
      const again = await runCli(['check', ...AFTER, ...EXP, '--golden', dir, '-l', 'summary', '--update']);
      assert.match(again.stdout, /\(level summary\): 6 updated\n$/);
      assert.match(readFileSync(join(dir, 'api-to-db.txt'), 'utf8'), /^cluster shop · Cilium 1.13/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('check: bad input is exit 2, one positioned line per problem', () => {
  it('every problem of an expectations file', async () => {
    const args = ['check', ...BEFORE, '-e', 'test/cli/fixtures/bad-expectations.yaml'];
    const run = await runCli(args);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    expectGolden('check-bad-expectations.txt', transcript(args, run));
    for (const line of run.stderr.trimEnd().split('\n')) assert.match(line, /^test\/cli\/fixtures\/bad-expectations\.yaml:\d+:\d+: .+ \(expected .+\)$/);
  });

  it('unknown pods and services, at the position of the value', async () => {
    const run = await runCli(['check', ...BEFORE, '-e', 'test/cli/fixtures/unknown-pod.yaml']);
    assert.equal(run.code, 2);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /^test\/cli\/fixtures\/unknown-pod\.yaml:2:7: unknown pod 'shop\/nope' \(expected a pod, svc:NAME or an IPv4 address; pods: /);
    assert.match(lines[1] ?? '', /^test\/cli\/fixtures\/unknown-pod\.yaml:7:7: unknown service 'shop\/missing' \(expected one of: svc:shop\/api\)$/);
  });

  it('usage errors', async () => {
    assert.equal((await runCli(['check', ...BEFORE])).code, 2, 'no -e');
    assert.equal((await runCli(['check', ...BEFORE, ...EXP, '--update'])).code, 2, '--update without --golden');
    assert.equal((await runCli(['check', ...BEFORE, ...EXP, '-o', 'csv'])).code, 2, 'no csv for check');
    const missing = await runCli(['check', ...BEFORE, '-e', 'nope.yaml']);
    assert.equal(missing.stderr, 'nope.yaml:1:1: cannot read file (no such file)\n');
    assert.equal(missing.code, 2);
  });
});
