// Issue 16 (CI): a malformed item of a Scenario's `expect:` list is a failed case of `check`
// (table, -o json, JUnit still written; exit 1), as a bad item of an -e expectations file is,
// not exit 2 for the whole run. A load that fails for another reason still lists every
// problem, the expect: items' included; other commands still refuse the bad list (exit 2).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';

const FX = 'test/cli/fixtures';
const SCN = ['-f', `${FX}/bad-expect-items.yaml`];
const dir = mkdtempSync(join(tmpdir(), 'ct-check-items-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ITEM_PROBLEMS = [
  `${FX}/bad-expect-items.yaml:15:5: missing 'to' (expected a pod, namespace/pod, node:NAME, svc:NAMESPACE/NAME or an IPv4 address)`,
  `${FX}/bad-expect-items.yaml:15:11: duplicate name 'ok' (expected each name once; first at line 11)`,
  `${FX}/bad-expect-items.yaml:17:12: proto 'tcp/80' carries a port (expected proto: tcp and port: 80)`,
  `${FX}/bad-expect-items.yaml:18:13: unknown verdict 'ALLOWED' (expected FORWARDED or DROPPED)`,
  `${FX}/bad-expect-items.yaml:19:65: icmp takes no port (expected no port with proto: icmp)`,
  `${FX}/bad-expect-items.yaml:19:94: unknown drop reason 'NOPE' (expected a Hubble drop reason name, e.g. POLICY_DENIED)`,
];

describe('check: bad Scenario expect: items are failed cases', () => {
  it('the good item runs and passes; the bad ones are INVALID rows with their problems; exit 1, JUnit written', async () => {
    const junit = join(dir, 'report.xml');
    const r = await runCli(['check', ...SCN, '--junit', junit]);
    assert.deepEqual([r.code, r.stderr], [1, '']);
    assert.match(r.stdout, /^PASS {5}ok {10}pod1 → pod2 icmp {2}FORWARDED {2}FORWARDED /m);
    assert.match(r.stdout, /^INVALID {2}- {11}pod1 → \? \? +- +NOT TRACED/m);
    assert.match(r.stdout, /^INVALID {2}ping-back {3}pod2 → pod1 \? +- +NOT TRACED/m);
    assert.match(r.stdout, /^INVALID {2}to-nowhere {2}pod1 → pod9 \? +- +NOT TRACED/m);
    assert.match(r.stdout, /\n4 expectations: 1 passed, 3 failed\n/);
    for (const p of ITEM_PROBLEMS) assert.ok(r.stdout.includes(`\n  ${p}\n`), p);
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuite name="cilium-trace check bad-expect-items\.yaml" tests="4" failures="3" errors="0" skipped="0" time="0">/);
    assert.match(xml, /<testcase name="ok" classname="cilium-trace\.check\.bad-expect-items" time="0"\/>/);
    assert.match(xml, /<testcase name="ping-back" classname="cilium-trace\.check\.bad-expect-items" time="0">\n {6}<failure message="invalid expectation: icmp takes no port \(expected no port with proto: icmp\)" type="INVALID">/);
    assert.match(xml, /<testcase name="pod1 → \? \?" classname="cilium-trace\.check\.bad-expect-items" time="0">\n {6}<failure message="invalid expectation: missing &apos;to&apos;/);
  });

  it('-o json carries them as invalid results with their positions', async () => {
    const r = await runCli(['check', ...SCN, '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const json = JSON.parse(r.stdout) as { summary: { expectations: number; passed: number; failed: number }; results: Array<{ name: string | null; pass: boolean; actual: unknown; invalid?: Array<{ position: string; message: string }> }> };
    assert.deepEqual(json.summary, { ...json.summary, expectations: 4, passed: 1, failed: 3 });
    assert.deepEqual(json.results.map((x) => [x.name, x.pass, x.actual === null]), [['ok', true, false], [null, false, true], ['ping-back', false, true], ['to-nowhere', false, true]]);
    assert.deepEqual(json.results[2]?.invalid, [
      { position: `${FX}/bad-expect-items.yaml:19:65`, message: 'icmp takes no port (expected no port with proto: icmp)' },
      { position: `${FX}/bad-expect-items.yaml:19:94`, message: "unknown drop reason 'NOPE' (expected a Hubble drop reason name, e.g. POLICY_DENIED)" },
    ]);
  });

  it('a load lost for another reason lists every problem, the items\' too; exit 2', async () => {
    const broken = join(dir, 'broken.yaml');
    const text = readFileSync(`${FX}/bad-expect-items.yaml`, 'utf8').replace('ip: 10.0.0.243 }', 'ip: 10.0.0.243, colour: blue }');
    writeFileSync(broken, text);
    const r = await runCli(['check', '-f', broken]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /broken\.yaml:9:48: unknown field 'colour'/);
    assert.deepEqual(lines.slice(1), ITEM_PROBLEMS.map((p) => p.replace(`${FX}/bad-expect-items.yaml`, broken)));
  });

  it('other commands read the list strictly: a trace of the same cluster is exit 2 with the items\' problems', async () => {
    const r = await runCli(['pod1', 'pod2', ...SCN]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', ITEM_PROBLEMS.join('\n') + '\n']);
  });
});
