// `cilium-trace diff`: matrix cells whose verdict changed (exit 1) or none (exit 0), in
// every format; one flow in both clusters with the first divergence and the map entry.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../support/run-cli.js';
import { CI, expectGolden, transcript } from './golden-support.js';

process.chdir(ROOT);
const SIDES = ['-f', `${CI}/cluster.yaml`, '-f', `${CI}/before`, '-f2', `${CI}/cluster.yaml`, '-f2', `${CI}/after`];
const SAME = ['-f', `${CI}/cluster.yaml`, '-f', `${CI}/before`, '--f2', `${CI}/cluster.yaml`, '--file2', `${CI}/before`];

describe('diff of matrices', () => {
  it('changed cells: exit 1 (text, byte-exact)', async () => {
    const args = ['diff', ...SIDES, '-p', 'tcp/5432', '-p', 'tcp/8080', '--services'];
    const run = await runCli(args);
    assert.equal(run.code, 1);
    expectGolden('diff-matrix.txt', transcript(args, run));
  });

  it('identical: exit 0', async () => {
    const run = await runCli(['diff', ...SAME, '-p', 'tcp/5432']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /identical: 36 cells compared, none changed\n$/);
  });

  it('markdown, csv and json', async () => {
    const md = await runCli(['diff', ...SIDES, '-p', 'tcp/5432', '-o', 'markdown']);
    assert.equal(md.code, 1);
    expectGolden('diff-matrix-markdown.txt', md.stdout);
    const csv = await runCli(['diff', ...SIDES, '-p', 'tcp/5432', '-o', 'csv']);
    assert.equal(csv.stdout, 'section,from,to,before,before_reason,after,after_reason,change\ntcp/5432,shop/frontend-1,shop/db-0,DROPPED,POLICY_DENIED,FORWARDED,,added path\ntcp/5432,shop/frontend-2,shop/db-0,DROPPED,POLICY_DENIED,FORWARDED,,added path\n');
    const json = JSON.parse((await runCli(['diff', ...SIDES, '-p', 'tcp/5432', '-o', 'json'])).stdout) as { schema: string; mode: string; identical: boolean; changes: unknown[] };
    assert.deepEqual([json.schema, json.mode, json.identical, json.changes.length], ['cilium-trace/diff/v1', 'matrix', false, 2]);
  });

  it('pods only one side has are listed and count as a change', async () => {
    const run = await runCli(['diff', '--scenario', 'default', '--scenario2', 'l3-policy']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /only before: default\/pod1, default\/pod2, default\/pod3\nonly after: default\/app1, default\/app2\n/);
  });
});

describe('diff of one flow', () => {
  it('the first divergence is the policy map entry that differs (byte-exact)', async () => {
    const args = ['diff', ...SIDES, 'shop/frontend-1', 'shop/db-0', 'tcp/5432'];
    const run = await runCli(args);
    assert.equal(run.code, 1);
    // The example names no release: v1.18.3, whose policy map is an LPM trie (cilium-dbg/cmd/bpf_policy_get.go).
    assert.match(run.stdout, /first divergence \(step \d+\):\n  lookup cilium_policy_v2_\d+ Ingress: \d+ 5432\/TCP \(prefix 24\)\n    before: miss\n    after:  Ingress: \d+ 5432\/TCP \(prefix 24\): Allow proxy_port=NONE lpm_prefix_length=24\n/);
    expectGolden('diff-flow.txt', transcript(args, run));
  });

  it('same packet, same cluster: exit 0', async () => {
    const run = await runCli(['diff', ...SAME, 'shop/frontend-1', 'svc:shop/api']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /identical: same verdict, same steps\n$/);
  });

  it('json', async () => {
    const run = await runCli(['diff', ...SIDES, 'shop/frontend-1', 'shop/db-0', 'tcp/5432', '-o', 'json']);
    const j = JSON.parse(run.stdout) as { mode: string; firstDivergence: number; steps: Array<{ op: string }>; before: { verdict: string }; after: { verdict: string } };
    assert.equal(j.mode, 'flow');
    assert.equal(j.steps[j.firstDivergence - 1]?.op, '~');
    assert.deepEqual([j.before.verdict, j.after.verdict], ['DROPPED', 'FORWARDED']);
  });
});

describe('diff: bad usage is exit 2', () => {
  it('each case', async () => {
    const cases: string[][] = [
      ['diff', '-f', `${CI}/cluster.yaml`],
      ['diff', '--f2', `${CI}/cluster.yaml`],
      ['diff', ...SIDES, 'shop/frontend-1'],
      ['diff', ...SIDES, 'shop/frontend-1', 'shop/nope'],
      ['diff', ...SIDES, 'shop/frontend-1', 'shop/db-0', '-p', 'tcp/80'],
      ['diff', ...SIDES, 'shop/frontend-1', 'shop/db-0', '-o', 'csv'],
      ['diff', '-f', '2', '--f2', `${CI}/cluster.yaml`],
    ];
    for (const args of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.ok(run.stderr.length > 0, args.join(' '));
    }
  });
});
