// Which release input gets when it names none: Kubernetes input (and a Scenario without
// cluster.cilium) gets the newest profile, and the header says so; the shipped seed scenarios
// and the embedded default cluster pin 1.13 (src/cilium/releases/release.ts DEFAULT_RELEASE,
// src/scenario/cluster.ts NO_VERSION).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_RELEASE, NEWEST, V1_18_3 } from '../../src/cilium/releases/release.js';
import { NO_VERSION } from '../../src/scenario/cluster.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { CILIUM_OPTION_HELP } from '../../src/version.js';
import { ROOT, runCli } from '../support/run-cli.js';

const STAR_WARS = ['-f', 'scenarios/k8s/star-wars', 'tiefighter', 'svc:deathstar', 'tcp/80'];
const SEEDS = ['default', 'geneve', 'l3-policy', 'native', 'services', 'world-host'];

interface Context { readonly cilium: string; readonly profile: string; readonly profile_reason: string }
const contextOf = (stdout: string): Context => (JSON.parse(stdout) as { context: Context }).context;

test('release.ts DEFAULT_RELEASE: the newest release, v1.18.3; the reason reads "newest, no version given"', () => {
  assert.equal(DEFAULT_RELEASE, NEWEST);
  assert.equal(DEFAULT_RELEASE, V1_18_3);
  assert.equal(NO_VERSION, 'newest, no version given');
  assert.match(CILIUM_OPTION_HELP, /\(default: what the input says: cluster\.cilium, the agent DaemonSet's image; else the newest, 1\.18\)$/);
});

test('Kubernetes input without a version: header "Cilium v1.18.3 (newest, no version given)", JSON context.profile_reason, the v1.18.3 defaults', async () => {
  const text = await runCli([...STAR_WARS, '-l', 'summary']);
  assert.equal(text.code, 0);
  assert.equal(text.stdout.split('\n')[1], 'cluster star-wars · Cilium v1.18.3 (newest, no version given) · tunnel vxlan:8472 · legacy host routing · per-packet LB');
  assert.equal(text.stderr.split('\n')[0], 'cilium-trace: warning: no cilium-config ConfigMap among the inputs: the datapath settings are the defaults of Cilium v1.18.3 (add kubectl -n kube-system get cm cilium-config -o yaml; -l detailed shows each setting)');
  const json = await runCli([...STAR_WARS, '-o', 'json']);
  assert.equal(json.code, 0);
  assert.deepEqual(contextOf(json.stdout), { ...contextOf(json.stdout), cilium: 'v1.18.3', profile: '1.18', profile_reason: 'newest, no version given' });
});

test('--cilium 1.13 still wins over Kubernetes input that names no release', async () => {
  const r = await runCli(['--cilium', '1.13', ...STAR_WARS, '-l', 'summary']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.split('\n')[1], 'cluster star-wars · Cilium v1.13.0 (--cilium 1.13) · tunnel vxlan:8472 · legacy host routing · per-packet LB');
});

test('a Scenario without cluster.cilium (the CI example) gets the newest profile too', async () => {
  const r = await runCli(['-f', 'scenarios/ci-example/cluster.yaml', '-f', 'scenarios/ci-example/before', 'shop/frontend-1', 'shop/api-2', 'tcp/8080', '-o', 'json']);
  assert.equal(r.code, 0);
  assert.deepEqual([contextOf(r.stdout).cilium, contextOf(r.stdout).profile_reason], ['v1.18.3', 'newest, no version given']);
});

test('the embedded default cluster pins v1.13.0: header and JSON say cluster.cilium "1.13"', async () => {
  const text = await runCli(['pod1', 'pod3', 'icmp', '-l', 'summary']);
  assert.equal(text.code, 0);
  assert.equal(text.stdout.split('\n')[1], 'cluster seed-000 · Cilium v1.13.0 (cluster.cilium "1.13") · tunnel vxlan:8472 · BPF host routing · socket LB');
  const json = await runCli(['pod1', 'pod3', 'icmp', '-o', 'json']);
  assert.deepEqual(contextOf(json.stdout), { ...contextOf(json.stdout), cilium: 'v1.13.0', profile: '1.13', profile_reason: 'cluster.cilium "1.13"' });
});

test('every shipped seed scenario pins 1.13 (cluster.cilium "1.13")', () => {
  for (const name of SEEDS) {
    const s = loadScenarioFile(join(ROOT, 'scenarios', `${name}.yaml`), `scenarios/${name}.yaml`);
    assert.deepEqual([s.cluster.profile, s.cluster.profileWhy], ['1.13', 'cluster.cilium "1.13"'], name);
  }
});
