// `cilium-trace diff --cilium OLD --cilium2 NEW`: one cluster as two Cilium releases. The
// assertions hold what is release-specific already (which release each side ran as and why,
// the sections of the view, the exit code that follows the verdicts), not trace contents the
// per-release datapath is still changing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../support/run-cli.js';
import { CI } from './golden-support.js';

process.chdir(ROOT);

/** Exit 0 exactly when the view ends "identical", else 1. */
function exitFollowsVerdict(run: { stdout: string; code: number }): void {
  const last = run.stdout.trimEnd().split('\n').pop() ?? '';
  assert.equal(run.code, last.startsWith('identical') ? 0 : 1, run.stdout);
}

describe('diff --cilium2: the upgrade view of one flow', () => {
  it('each side names its release (v1.13.0, v1.18.3) and the option that chose it', async () => {
    const run = await runCli(['diff', '--cilium', '1.13', '--cilium2', '1.18', 'pod1', 'pod3', 'icmp']);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^icmp echo-request 10\.0\.0\.157 > 10\.0\.1\.105 /);
    assert.match(run.stdout, /\nbefore \(--scenario default, Cilium v1\.13\.0: --cilium 1\.13\): (FORWARDED|DROPPED|NOT_SIMULATED) /);
    assert.match(run.stdout, /\nafter  \(--scenario default, Cilium v1\.18\.3: --cilium2 1\.18\): (FORWARDED|DROPPED|NOT_SIMULATED) /);
    assert.match(run.stdout, /\n\nmap formats[ :]/);
    assert.match(run.stdout, /\n\nrelease changes \(v1\.13\.0 → v1\.18\.3\)/);
    exitFollowsVerdict(run);
  });

  it('the same release on both sides is the plain flow diff: identical, exit 0, no upgrade sections', async () => {
    const run = await runCli(['diff', '--scenario', 'l3-policy', '--cilium2', '1.13', 'app2', 'app1', 'tcp/8080']);
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /\nbefore \(--scenario l3-policy\): DROPPED /);
    assert.doesNotMatch(run.stdout, /release changes/);
    assert.match(run.stdout, /identical: same verdict, same steps\n$/);
  });

  it('-o json carries both releases, the map formats and the release changes', async () => {
    const run = await runCli(['diff', '-f', 'scenarios/l3-policy.yaml', '--cilium', '1.16', '--cilium2', '1.18', 'app2', 'app1', 'tcp/8080', '-o', 'json']);
    const j = JSON.parse(run.stdout) as { mode: string; identical: boolean; before: { cluster: string }; upgrade: { before: string; after: string; mapFormats: unknown[]; releaseChanges: unknown[] } };
    assert.equal(j.mode, 'flow');
    assert.deepEqual([j.upgrade.before, j.upgrade.after], ['v1.16.15', 'v1.18.3']);
    assert.ok(Array.isArray(j.upgrade.mapFormats) && Array.isArray(j.upgrade.releaseChanges));
    assert.equal(j.before.cluster, 'scenarios/l3-policy.yaml, Cilium v1.16.15: --cilium 1.16');
    assert.equal(run.code, j.identical ? 0 : 1);
  });

  it('bad input: the cluster from stdin cannot be read twice; an unknown release is named', async () => {
    const stdin = await runCli(['diff', '-f', '-', '--cilium2', '1.18', 'pod1', 'pod3']);
    assert.equal(stdin.code, 2);
    assert.equal(stdin.stderr, 'cilium-trace: standard input (-) can be read once: the upgrade view reads its cluster twice (expected -f PATH)\n');
    const bad = await runCli(['diff', '--cilium2', '1.17', 'pod1', 'pod3']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^cilium-trace: bad --cilium2 '1\.17' \(expected one of: 1\.13, /);
  });
});

describe('diff --cilium2 without a flow: the matrix cells an upgrade changes', () => {
  it('one cluster: the labels name the releases; exit follows the summary', async () => {
    const run = await runCli(['diff', '--cilium', '1.16', '--cilium2', '1.18']);
    assert.match(run.stdout, /^before: --scenario default, Cilium v1\.16\.15: --cilium 1\.16\nafter:  --scenario default, Cilium v1\.18\.3: --cilium2 1\.18\n/);
    exitFollowsVerdict(run);
  });

  it('a changed cell gets its drop reason before/after and, with no feature on its traces, says so', async () => {
    const args = ['diff', '-f', `${CI}/cluster.yaml`, '-f', `${CI}/before`, '--f2', `${CI}/cluster.yaml`, '--f2', `${CI}/after`, '-p', 'tcp/5432', '--cilium', '1.13', '--cilium2', '1.16'];
    const run = await runCli(args);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /\nwhy each cell changed:\n  tcp\/5432 shop\/frontend-1 → shop\/db-0: DROPPED \(POLICY_DENIED\) → FORWARDED\n    drop reason: POLICY_DENIED \(DROP_POLICY in \w+\) → none \(FORWARDED\)\n    release changes \(v1\.13\.0 → v1\.16\.15\)/);
    const json = JSON.parse((await runCli([...args, '-o', 'json'])).stdout) as { upgrade: { cells: Array<{ from: string; before: { reason: string }; after: { verdict: string } }> } };
    assert.deepEqual(json.upgrade.cells.map((c) => [c.from, c.before.reason, c.after.verdict]), [['shop/frontend-1', 'POLICY_DENIED', 'FORWARDED'], ['shop/frontend-2', 'POLICY_DENIED', 'FORWARDED']]);
    const md = (await runCli([...args, '-o', 'markdown'])).stdout;
    assert.match(md, /\n\*\*Why each cell changed:\*\*\n\n- tcp\/5432 `shop\/frontend-1` → `shop\/db-0`: drop reason POLICY_DENIED \(DROP_POLICY in \w+\) → none \(FORWARDED\); /);
  });

  it('two clusters of the same release: no upgrade section (the 1.13 diff is unchanged)', async () => {
    const run = await runCli(['diff', '-f', `${CI}/cluster.yaml`, '-f', `${CI}/before`, '--f2', `${CI}/cluster.yaml`, '--f2', `${CI}/after`, '-p', 'tcp/5432']);
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stdout, /why each cell changed|Cilium v/);
  });
});
