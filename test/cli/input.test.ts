// Input paths a user reaches from a shell: manifests on stdin, several -f, directories, the
// `skipped` notice, and bad input through the real binary (one line, exit 2, no stack trace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/run-cli.js';

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
    'cilium-trace: warning: no cilium-config ConfigMap among the inputs: the datapath settings are the defaults of Cilium v1.18.3 (add kubectl -n kube-system get cm cilium-config -o yaml; -l detailed shows each setting)\n' +
      'cilium-trace: skipped 2 objects not modelled: Deployment (1), ReplicaSet (1)\n',
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
  assert.equal(cli(['completion']).status, 2);
  assert.equal(cli(['maps', 'nope']).status, 2);
});

// Inputs as they come (issue 12, newcomer finding F14): a repository's directory tree.
const DUMP = ['-f', 'test/cli/fixtures/shop-dump'];
const REPO = 'test/cli/fixtures/repo';

test('a directory is read recursively; dotfiles, Helm and kustomize files and YAML without kind get one note', async () => {
  const r = await runCli([...DUMP, '-f', REPO, 'shop/db-0', 'shop/api-7c5d9f8b6-h8rtk', 'tcp/8080', '-l', 'minimal']);
  // The CiliumNetworkPolicy two levels down (k8s/base) is enforced; .github is not entered
  // (its YAML is broken), and the PrometheusRule's '{{ $labels.instance }}' is no template.
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\nDROPPED — DROP_POLICY \(133\) "Policy denied" \[POLICY_DENIED\] in policy_can_access_ingress \(ingress\) on worker-2\n$/);
  assert.deepEqual(r.stderr.split('\n').filter((l) => l.startsWith('cilium-trace: skipped')), [
    `cilium-trace: skipped 6 inputs that are not Kubernetes objects: ${REPO}/.editorconfig.yml (dotfile), ${REPO}/chart/Chart.yaml (Helm chart file), ${REPO}/chart/values.yaml (Helm values), ${REPO}/docs/owners.yaml:2 (no kind), ${REPO}/k8s/base/kustomization.yaml (kustomize file), ${REPO}/k8s/overlays/prod/kustomization.yaml (kustomize file)`,
    'cilium-trace: skipped 3 objects not modelled: Deployment (1), PrometheusRule (1), ReplicaSet (1)',
  ]);
});

test('a Helm/Go template gets one line per file saying to render it first; exit 2', async () => {
  const r = await runCli([...DUMP, '-f', 'test/cli/fixtures/helm-chart', 'shop/db', 'shop/api']);
  assert.deepEqual([r.code, r.stdout], [2, '']);
  assert.equal(r.stderr, [
    "test/cli/fixtures/helm-chart/templates/netpol.yaml:4:9: a Helm/Go template ('{{'), not Kubernetes objects: render it first (helm template RELEASE CHART > rendered.yaml) and pass the output",
    "test/cli/fixtures/helm-chart/templates/service.yaml:4:9: a Helm/Go template ('{{'), not Kubernetes objects: render it first (helm template RELEASE CHART > rendered.yaml) and pass the output",
    '',
  ].join('\n'));
});

test('an input with no object at all says what it passed over; exit 2', async () => {
  const file = await runCli(['-f', `${REPO}/chart/values.yaml`, 'a', 'b']);
  assert.deepEqual([file.code, file.stderr], [2, `${REPO}/chart/values.yaml:1:1: no Kubernetes objects in the input (skipped: ${REPO}/chart/values.yaml (no kind)) (expected kubectl get -o yaml output or a cilium-trace Scenario)\n`]);
  const dir = await runCli(['-f', `${REPO}/chart`, 'a', 'b']);
  assert.deepEqual([dir.code, dir.stderr], [2, `${REPO}/chart:1:1: directory has no Kubernetes manifests, in it or below it (skipped: ${REPO}/chart/Chart.yaml (Helm chart file), ${REPO}/chart/values.yaml (Helm values))\n`]);
});
