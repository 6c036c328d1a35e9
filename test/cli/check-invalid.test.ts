// Issue 16 (CI): expectations name flows as SRC/DST do (NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE,
// svc:, node:), and a bad expectation (stale pod name, bad port) is one failed case in the
// table, -o json and the JUnit file (still written), not a lost run: exit 1, not 2.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';
import { BEFORE } from './golden-support.js';

const dir = mkdtempSync(join(tmpdir(), 'ct-check-invalid-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FILE = join(dir, 'exp.yaml');
writeFileSync(FILE, [
  '- { name: by-workload, from: shop/frontend, to: shop/app=db, proto: tcp, port: 5432, expect: DROPPED, reason: POLICY_DENIED }',
  '- { name: by-selector, from: shop/app=frontend, to: svc:shop/api, expect: FORWARDED }',
  '- { name: from-node, from: node:node-b, to: shop/db, proto: tcp, port: 5432, expect: FORWARDED }',
  '- { name: stale-pod, from: shop/frontend-6b8f7c9d4-abcde, to: shop/api-1, proto: tcp, port: 8080, expect: FORWARDED }',
  '- { name: bad-port, from: shop/frontend-1, to: shop/api-1, proto: tcp, port: 70000, expect: FORWARDED }',
  '',
].join('\n'));

describe('check: expectations as SRC/DST, bad ones as failed cases', () => {
  it('workload, label selector, svc: and node: forms trace like the CLI; the two bad items are INVALID rows; exit 1', async () => {
    const junit = join(dir, 'report.xml');
    const r = await runCli(['check', ...BEFORE, '-e', FILE, '--junit', junit]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const rows = r.stdout.split('\n').filter((l) => /^(PASS|FAIL|INVALID) {2,}/.test(l)).map((l) => l.split(/ {2,}/).slice(0, 2).join(' '));
    assert.deepEqual(rows, ['PASS kubelet-probes-db', 'PASS frontends-across-nodes', 'PASS by-workload', 'PASS by-selector', 'PASS from-node', 'INVALID stale-pod', 'INVALID bad-port']);
    assert.match(r.stdout, /\n7 expectations: 5 passed, 2 failed\n/);
    assert.match(r.stdout, new RegExp(`\\n {2}${FILE.replace(/[.]/g, '\\.')}:4:\\d+: unknown pod 'shop/frontend-6b8f7c9d4-abcde' \\(expected a pod, NAMESPACE/WORKLOAD`));
    assert.match(r.stdout, new RegExp(`\\n {2}${FILE.replace(/[.]/g, '\\.')}:5:\\d+: bad port '70000' \\(expected 1\\.\\.65535\\)\\n`));
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuite name="[^"]*" tests="7" failures="2" errors="0" skipped="0" time="0">/);
    assert.match(xml, /<testcase name="stale-pod" [^>]*>\n {6}<failure message="invalid expectation: unknown pod &apos;shop\/frontend-6b8f7c9d4-abcde&apos;[^"]*" type="INVALID">/);
    assert.match(xml, /<testcase name="bad-port" [^>]*>\n {6}<failure message="invalid expectation: bad port &apos;70000&apos; \(expected 1\.\.65535\)" type="INVALID">/);
    assert.match(xml, /<testcase name="by-workload" classname="cilium-trace\.check\.shop" time="0"\/>/);
  });

  it('-o json: the invalid case has no actual verdict and lists its positioned problems', async () => {
    const r = await runCli(['check', ...BEFORE, '-e', FILE, '-o', 'json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { summary: { failed: number; passed: number }; results: Array<{ name: string; pass: boolean; actual: unknown; invalid?: Array<{ position: string; message: string }> }> };
    assert.deepEqual([doc.summary.passed, doc.summary.failed], [5, 2]);
    const bad = doc.results.find((x) => x.name === 'bad-port');
    assert.equal(bad?.actual, null);
    assert.deepEqual(bad?.invalid, [{ position: `${FILE}:5:78`, message: "bad port '70000' (expected 1..65535)" }]);
    assert.equal(doc.results.find((x) => x.name === 'by-workload')?.invalid, undefined);
  });

  it('--golden: an invalid case has no golden to compare (skipped), the others are compared', async () => {
    const g = join(dir, 'goldens');
    const w = await runCli(['check', ...BEFORE, '-e', FILE, '--golden', g, '--update']);
    assert.equal(w.code, 1);
    assert.match(w.stdout, /\(level minimal\): 5 created, 2 skipped\n$/);
    const again = await runCli(['check', ...BEFORE, '-e', FILE, '--golden', g]);
    assert.match(again.stdout, /\(level minimal\): 5 match, 2 skipped\n$/);
  });

  it('a file that is not a list of expectations is still bad input: exit 2', async () => {
    const f = join(dir, 'notalist.yaml');
    writeFileSync(f, 'expectations: 3\n');
    const r = await runCli(['check', ...BEFORE, '-e', f]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /notalist\.yaml:1:15: expectations must be a list/);
  });
});
