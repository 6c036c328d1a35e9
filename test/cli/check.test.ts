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
    assert.deepEqual(j.summary, { expectations: 8, passed: 7, failed: 1, not_simulated: 0, goldens: null });
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
    assert.match(run.stdout, /golden traces in scenarios\/ci-example\/goldens \(level minimal\): 8 match\n$/);
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
      assert.match(first.stdout, /: 8 missing\n/);
      const created = await runCli(['check', ...BEFORE, ...EXP, '--golden', dir, '--update']);
      assert.equal(created.code, 0);
      assert.match(created.stdout, /: 8 created\n$/);
      assert.deepEqual(readdirSync(dir).sort(), readdirSync(join(ROOT, CI, 'goldens')).sort());
      for (const f of readdirSync(dir)) assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(ROOT, CI, 'goldens', f), 'utf8'), f);
      const updated = await runCli(['check', ...AFTER, ...EXP, '--golden', dir, '--update']);
      assert.equal(updated.code, 1, 'the failing expectation still fails');
      assert.match(updated.stdout, /: 7 match, 1 updated\n$/);
      const again = await runCli(['check', ...AFTER, ...EXP, '--golden', dir, '-l', 'summary', '--update']);
      assert.match(again.stdout, /\(level summary\): 8 updated\n$/);
      assert.match(readFileSync(join(dir, 'api-to-db.txt'), 'utf8'), /^cluster shop · Cilium v1.18.3 \(newest, no version given\)/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('check: bad input is exit 2, one positioned line per problem', () => {
  // Issue 16 (CI): a bad item of an -e file is a failed (INVALID) case naming every problem
  // of it, positioned; the rest run and the exit is 1, not 2.
  it('every problem of an expectations file', async () => {
    const args = ['check', ...BEFORE, '-e', 'test/cli/fixtures/bad-expectations.yaml'];
    const run = await runCli(args);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, '');
    expectGolden('check-bad-expectations.txt', transcript(args, run));
    const problems = run.stdout.split('\n').filter((l) => l.startsWith('  test/cli/fixtures/bad-expectations.yaml:'));
    assert.equal(problems.length, 9);
    for (const line of problems) assert.match(line, /^ {2}test\/cli\/fixtures\/bad-expectations\.yaml:\d+:\d+: .+ \(expected .+\)$/);
  });

  it('unknown pods and services, at the position of the value', async () => {
    const run = await runCli(['check', ...BEFORE, '-e', 'test/cli/fixtures/unknown-pod.yaml']);
    assert.equal(run.code, 1);
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('  test/')).map((l) => l.slice(2));
    assert.equal(lines.length, 2);
    // The closest names are pods and the workloads their names show (api-1: StatefulSet api).
    assert.equal(lines[0], "test/cli/fixtures/unknown-pod.yaml:2:7: unknown pod 'shop/nope' (expected a pod, NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE, node:NAME, svc:NAME or an IPv4 address; closest: monitoring/prometheus, monitoring/prometheus-0, shop/api, shop/api-1, shop/api-2, shop/db, shop/db-0, shop/frontend, shop/frontend-1, shop/frontend-2)");
    assert.match(lines[1] ?? '', /^test\/cli\/fixtures\/unknown-pod\.yaml:7:7: unknown service 'shop\/missing' \(expected one of: svc:shop\/api\)$/);
  });

  it('usage errors', async () => {
    const none = await runCli(['check', '--scenario', 'default']);
    assert.deepEqual([none.code, none.stdout, none.stderr], [2, '', 'cilium-trace: no expectations (expected an expect: list in the scenario, a kind: Expectations input, or -e FILE)\n'], 'no expect: list and no -e');
    assert.equal((await runCli(['check', ...BEFORE, ...EXP, '--update'])).code, 2, '--update without --golden');
    assert.equal((await runCli(['check', ...BEFORE, ...EXP, '-o', 'csv'])).code, 2, 'no csv for check');
    const missing = await runCli(['check', ...BEFORE, '-e', 'nope.yaml']);
    assert.equal(missing.stderr, 'nope.yaml:1:1: cannot read file (no such file)\n');
    assert.equal(missing.code, 2);
  });
});

describe('check: expectations inside the scenario (expect:)', () => {
  const FX = 'test/cli/fixtures';
  const SCN = ['-f', `${FX}/expect-scenario.yaml`];
  const OPENED = [...SCN, '-f', `${FX}/expect-allow-icmp.yaml`];

  it('no -e: runs the scenario\'s own list; all pass, exit 0', async () => {
    const args = ['check', ...SCN];
    const run = await runCli(args);
    assert.equal(run.code, 0, run.stderr);
    expectGolden('check-expect-pass.txt', transcript(args, run));
  });

  it('a failing in-scenario expectation: exit 1, the table and the reviewer block at the item in the scenario', async () => {
    const args = ['check', ...OPENED];
    const run = await runCli(args);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^FAIL    no-ping +pod1 → pod3 icmp +DROPPED \(POLICY_DENIED\)  FORWARDED /m);
    assert.match(run.stdout, /^FAIL no-ping \(test\/cli\/fixtures\/expect-scenario\.yaml:32:5\)$/m);
    expectGolden('check-expect-fail.txt', transcript(args, run));
  });

  it('a bad expect: item is exit 2 with every problem of the scenario, for check and for trace alike', async () => {
    const lines = [
      "test/cli/fixtures/bad-expect-scenario.yaml:8:48: unknown field 'colour' (expected one of: name, namespace, node, ip, labels, serviceAccount, identity, endpointId, mac, hostVeth)",
      "test/cli/fixtures/bad-expect-scenario.yaml:15:5: missing 'to' (expected a pod, namespace/pod, node:NAME, svc:NAMESPACE/NAME or an IPv4 address)",
      "test/cli/fixtures/bad-expect-scenario.yaml:15:11: duplicate name 'ok' (expected each name once; first at line 11)",
      "test/cli/fixtures/bad-expect-scenario.yaml:17:12: proto 'tcp/80' carries a port (expected proto: tcp and port: 80)",
      "test/cli/fixtures/bad-expect-scenario.yaml:18:13: unknown verdict 'ALLOWED' (expected FORWARDED or DROPPED)",
      'test/cli/fixtures/bad-expect-scenario.yaml:19:48: icmp takes no port (expected no port with proto: icmp)',
      "test/cli/fixtures/bad-expect-scenario.yaml:19:77: unknown drop reason 'NOPE' (expected a Hubble drop reason name, e.g. POLICY_DENIED)",
      'test/cli/fixtures/bad-expect-scenario.yaml:20:5: an expectation must be a mapping (expected from, to, proto, port, expect)',
    ];
    for (const args of [['check', '-f', `${FX}/bad-expect-scenario.yaml`], ['pod1', 'pod2', '-f', `${FX}/bad-expect-scenario.yaml`]]) {
      const run = await runCli(args);
      assert.deepEqual([run.code, run.stdout, run.stderr], [2, '', lines.join('\n') + '\n'], args.join(' '));
    }
  });

  it('the trace command ignores expect: (same output as without the list)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-expect-'));
    try {
      const text = readFileSync(join(ROOT, FX, 'expect-scenario.yaml'), 'utf8');
      const stripped = join(dir, 'expect-scenario.yaml');
      writeFileSync(stripped, text.slice(0, text.indexOf('\nexpect:\n') + 1));
      const withList = await runCli(['pod1', 'pod3', 'icmp', ...SCN]);
      assert.equal(withList.code, 1, withList.stderr);
      assert.match(withList.stdout, /^icmp echo-request 10\.0\.0\.157 > 10\.0\.1\.105/);
      assert.match(withList.stdout, /DROPPED — DROP_POLICY \(133\) "Policy denied" \[POLICY_DENIED\] in policy_can_ingress4 \(ingress\) on node2\n$/); // v1.18.3 bpf/lib/policy.h (the fixture names no release)
      // the same runs on the copy without the list, its file name put back
      const onCopy = async (args: readonly string[]) => {
        const run = await runCli(args.map((a) => (a === `${FX}/expect-scenario.yaml` ? stripped : a)));
        return { ...run, stdout: run.stdout.replaceAll(stripped, `${FX}/expect-scenario.yaml`) };
      };
      assert.deepEqual(withList, await onCopy(['pod1', 'pod3', 'icmp', ...SCN]));
      for (const args of [['pod1', 'pod3', 'tcp/80', ...SCN, '-o', 'json'], ['matrix', ...SCN, '-p', 'tcp/80']]) {
        assert.deepEqual(await runCli(args), await onCopy(args), args.join(' '));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scenario and -e file together: the scenario\'s first; a name used in both is reported at the file', async () => {
    const args = ['check', ...BEFORE, ...EXP];
    const run = await runCli(args);
    assert.equal(run.code, 0, run.stderr);
    const names = [...run.stdout.matchAll(/^PASS +(\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(names, ['kubelet-probes-db', 'frontends-across-nodes', 'frontend-to-api', 'frontend-to-api-service', 'api-to-db', 'frontend-not-to-db', 'prometheus-scrapes-api', 'prometheus-not-to-db']);
    const dir = mkdtempSync(join(tmpdir(), 'ct-expect-'));
    try {
      const file = join(dir, 'more.yaml');
      writeFileSync(file, '- { name: ping-pod2, from: pod1, to: pod2, expect: DROPPED }\n- { name: no-ping, from: pod1, to: pod2, expect: DROPPED }\n- { from: pod1, to: pod9, expect: DROPPED }\n');
      const both = await runCli(['check', ...SCN, '-e', file]);
      assert.deepEqual([both.code, both.stderr], [1, '']);
      assert.match(both.stdout, /\n {2}\S+more\.yaml:2:11: duplicate name 'no-ping' \(expected each name once; first at test\/cli\/fixtures\/expect-scenario\.yaml:32\)\n/);
      writeFileSync(file, '- { name: ping-pod2, from: pod1, to: pod2, expect: DROPPED }\n');
      const ok = await runCli(['check', ...SCN, '-e', file]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual([...ok.stdout.matchAll(/^PASS +(\S+)/gm)].map((m) => m[1]), ['client-to-server', 'no-ping', '-', 'ping-pod2']);
      assert.match(ok.stdout, /\n4 expectations: 4 passed, 0 failed\n$/);
      // problems of the scenario and of the file in one run
      writeFileSync(file, '- { from: pod1, to: pod2, expect: MAYBE }\n');
      const bad = await runCli(['check', '-f', `${FX}/bad-expect-scenario.yaml`, '-e', file]);
      assert.equal(bad.code, 2);
      assert.equal(bad.stderr.split('\n').filter((l) => l.startsWith(`${file}:1:35: unknown verdict 'MAYBE'`)).length, 1);
      assert.equal(bad.stderr.split('\n').filter((l) => l.startsWith(`${FX}/bad-expect-scenario.yaml:`)).length, 8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-o json and --junit carry the in-scenario expectations with their positions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-expect-'));
    try {
      const xmlFile = join(dir, 'report.xml');
      const run = await runCli(['check', ...OPENED, '-o', 'json', '--junit', xmlFile]);
      assert.equal(run.code, 1);
      const j = JSON.parse(run.stdout) as { schema: string; cluster: string; summary: unknown; results: Array<{ name: string | null; position: string; pass: boolean; flow: unknown; expect: unknown }> };
      assert.equal(j.schema, 'cilium-trace/check/v1');
      assert.deepEqual(j.summary, { expectations: 3, passed: 2, failed: 1, not_simulated: 0, goldens: null });
      assert.deepEqual(
        j.results.map((r) => [r.name, r.position, r.pass]),
        [
          ['client-to-server', 'test/cli/fixtures/expect-scenario.yaml:26:5', true],
          ['no-ping', 'test/cli/fixtures/expect-scenario.yaml:32:5', false],
          [null, 'test/cli/fixtures/expect-scenario.yaml:37:7', true],
        ],
      );
      assert.deepEqual(j.results[1]?.expect, { verdict: 'DROPPED', reason: 'POLICY_DENIED' });
      expectGolden('check-expect-junit.xml', readFileSync(xmlFile, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--golden: --update writes one file per in-scenario expectation (name, else flow); a change is a diff', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-expect-golden-'));
    try {
      const created = await runCli(['check', ...SCN, '--golden', dir, '--update']);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /\(level minimal\): 3 created\n$/);
      assert.deepEqual(readdirSync(dir).sort(), ['client-to-server.txt', 'no-ping.txt', 'pod1-pod2-tcp-22.txt']);
      const again = await runCli(['check', ...SCN, '--golden', dir]);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /\(level minimal\): 3 match\n$/);
      const changed = await runCli(['check', ...OPENED, '--golden', dir]);
      assert.equal(changed.code, 1);
      assert.match(changed.stdout, /\(level minimal\): 2 match, 1 differ\n/);
      assert.match(changed.stdout, new RegExp(`^differs: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/no-ping\\.txt \\(run with --update to accept the new trace\\)$`, 'm'));
      assert.match(changed.stdout, /^\+FORWARDED — delivered to default\/pod3 on node2 by redirect \(ifindex \[default\/pod3\]\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('check: expect: lists in several inputs', () => {
  const SCENARIO = [
    'apiVersion: cilium-trace/v1',
    'kind: Scenario',
    'metadata: { name: multi }',
    'nodes: [{ name: node1, ip: 1.2.3.167, podCIDR: 10.0.0.0/24 }]',
    'pods:',
    '  - { name: a, node: node1, ip: 10.0.0.10 }',
    '  - { name: b, node: node1, ip: 10.0.0.11 }',
    'expect:',
    '  - { name: a-to-b, from: a, to: b, expect: FORWARDED }',
    '',
  ].join('\n');
  const MORE = (name: string): string =>
    ['apiVersion: v1', 'kind: Namespace', 'metadata: { name: other }', '---', 'apiVersion: cilium-trace/v1', 'kind: Scenario', 'metadata: { name: more }', 'expect:', `  - { name: ${name}, from: b, to: a, expect: FORWARDED }`, ''].join('\n');

  it('-f DIR and multi-document files: every Scenario document\'s list, in input order; names unique across files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-expect-dir-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), SCENARIO);
      writeFileSync(join(dir, 'b.yaml'), MORE('b-to-a'));
      const run = await runCli(['check', '-f', dir]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual([...run.stdout.matchAll(/^PASS +(\S+)/gm)].map((m) => m[1]), ['a-to-b', 'b-to-a']);
      writeFileSync(join(dir, 'b.yaml'), MORE('a-to-b'));
      const dup = await runCli(['check', '-f', dir]);
      // A bad expect: item is a failed case of check, as in an -e file (issue 16), not a lost run.
      assert.deepEqual([dup.code, dup.stderr], [1, '']);
      assert.ok(dup.stdout.includes(`\n  ${dir}/b.yaml:9:13: duplicate name 'a-to-b' (expected each name once; first at ${dir}/a.yaml:9)\n`), dup.stdout);
      assert.match(dup.stdout, /\n2 expectations: 1 passed, 1 failed\n/);
      const traced = await runCli(['a', 'b', '-f', join(dir, 'a.yaml')]);
      assert.equal(traced.code, 0, traced.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a kind: Expectations file among the inputs (-f DIR) is run by check, ignored by the trace, and -e naming it runs it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-expect-kind-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), SCENARIO);
      const file = join(dir, 'expectations.yaml');
      writeFileSync(file, ['apiVersion: cilium-trace/v1', 'kind: Expectations', 'expectations:', '  - { name: b-to-a, from: b, to: a, proto: tcp, port: 80, expect: FORWARDED }', ''].join('\n'));
      const run = await runCli(['check', '-f', dir]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual([...run.stdout.matchAll(/^PASS +(\S+)/gm)].map((m) => m[1]), ['a-to-b', 'b-to-a']);
      const once = await runCli(['check', '-f', dir, '-e', file]);
      assert.equal(once.stdout, run.stdout);
      const traced = await runCli(['a', 'b', '-f', dir]);
      const plain = await runCli(['a', 'b', '-f', join(dir, 'a.yaml')]);
      assert.deepEqual([traced.code, traced.stdout, traced.stderr], [plain.code, plain.stdout, plain.stderr]);
      writeFileSync(file, ['apiVersion: cilium-trace/v1', 'kind: Expectations', 'expectation:', '  - { from: b, to: a, expect: FORWARDED }', ''].join('\n'));
      const bad = await runCli(['a', 'b', '-f', dir]);
      assert.deepEqual([bad.code, bad.stderr], [2, `${file}:1:1: missing 'expectations' (expected a list of {from, to, proto, port, expect})\n${file}:3:1: unknown key 'expectation' in the expectations file (expected one of: apiVersion, kind, expectations)\n`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
