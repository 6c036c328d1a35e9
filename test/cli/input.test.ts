// Input paths a user reaches from a shell: manifests on stdin, several -f, directories, the
// `skipped` notice, and bad input through the real binary (one line, exit 2, no stack trace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/run-cli.js';

const BIN = join(ROOT, 'bin', 'cilium-trace.cjs');

function cli(args: readonly string[], input?: string) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

test('kubectl output on stdin (-f -) traces like the files it came from', () => {
  const files = ['cluster.yaml', 'http-sw-app.yaml', 'sw_l3_l4_policy.yaml'].map((f) => readFileSync(join(ROOT, 'scenarios', 'k8s', 'star-wars', f), 'utf8'));
  const viaStdin = cli(['-f', '-', 'xwing', 'svc:deathstar', 'tcp/80', '-l', 'minimal'], files.join('\n---\n'));
  const viaDir = cli(['-f', 'scenarios/k8s/star-wars', 'xwing', 'svc:deathstar', 'tcp/80', '-l', 'minimal']);
  assert.equal(viaStdin.status, 1);
  assert.equal(viaStdin.stdout, viaDir.stdout);
  assert.equal(
    viaStdin.stderr,
    'cilium-trace: skipped 2 objects not modelled: Deployment (1), ReplicaSet (1)\n' +
      'cilium-trace: warning: no cilium-config ConfigMap among the inputs: the datapath settings are the defaults of Cilium v1.13.0 (add kubectl -n kube-system get cm cilium-config -o yaml; -l detailed shows each setting)\n',
  );
});

test('several -f are one cluster', () => {
  const r = cli(['-f', 'scenarios/k8s/star-wars/cluster.yaml', '-f', 'scenarios/k8s/star-wars/http-sw-app.yaml', 'xwing', 'svc:deathstar', 'tcp/80', '-o', 'json']);
  assert.equal(r.status, 0, 'no policy loaded: forwarded');
  assert.equal((JSON.parse(r.stdout) as { verdict: string }).verdict, 'FORWARDED');
});

test('bad input through the binary: one positioned line per problem, exit 2, no stack trace', () => {
  const r = cli(['-f', 'test/fixtures/bad/several-problems.yaml', 'pod1', 'pod2']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, readFileSync(join(ROOT, 'test', 'fixtures', 'bad', 'several-problems.expected'), 'utf8'));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('an unknown option and a missing argument exit 2, not 1', () => {
  assert.equal(cli(['--bogus']).status, 2);
  assert.equal(cli(['pod1']).status, 2);
  assert.equal(cli(['maps']).status, 2);
  assert.equal(cli(['maps', 'nope']).status, 2);
});
