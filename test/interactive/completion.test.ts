// `cilium-trace completion bash|zsh|fish`: scripts carry the subcommands, options and the
// cluster's pod, node (node:NAME) and service (svc:NS/NAME) names; the bash script is valid
// bash (bash -n) and, sourced, completes what it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT, runCli } from '../support/run-cli.js';

process.chdir(ROOT);

const hasBash = spawnSync('bash', ['-c', 'exit 0']).status === 0;

async function script(shell: string, ...more: string[]): Promise<string> {
  const r = await runCli(['completion', shell, ...more]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

test('bash: syntactically valid, with the pod, node and service names and the subcommands', async (t) => {
  const s = await script('bash', '--scenario', 'services');
  for (const w of ['pod1', 'pod2', 'pod3', 'default/pod1', 'node:node1', 'node:node2', 'svc:default/web', 'devices', 'explain', 'completion', 'maps', 'ipcache', '--calls', '--explain']) {
    assert.ok(s.includes(w), `bash script mentions ${w}`);
  }
  assert.match(s, /^complete -o default -F _cilium_trace_complete cilium-trace$/m);
  if (!hasBash) return t.skip('bash not installed');
  const check = spawnSync('bash', ['-n'], { input: s, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('bash: sourced, it completes pods, node:NAME, svc:NS/NAME, map names, topics and option values', async (t) => {
  if (!hasBash) return t.skip('bash not installed');
  const s = await script('bash', '--scenario', 'services');
  const cases: Array<[string, string]> = [
    ['cilium-trace po', 'pod1 pod2 pod3'],
    ['cilium-trace pod1 node:n', 'node1 node2'], // bash splits at ':', so only the rest is completed
    ['cilium-trace pod1 svc:default/w', 'default/web default/web-np'],
    ['cilium-trace maps ip', 'ipcache'],
    ['cilium-trace maps policy pod', 'pod1 pod2 pod3'],
    ['cilium-trace explain DROP_POLICY_D', 'DROP_POLICY_DENY'],
    ['cilium-trace --scenario l3', 'l3-policy'],
    ['cilium-trace pod1 pod2 -l s', 'summary'],
    ['cilium-trace devices --node ', 'node1 node2'],
    ['cilium-trace devices --ca', '--calls'],
    ['cilium-trace completion ', 'bash fish zsh'],
  ];
  const body = cases.map(([line]) => `t ${JSON.stringify(line)}`).join('\n');
  const program = `${s}\nt() { COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}; COMPREPLY=(); _cilium_trace_complete; echo "\${COMPREPLY[*]}"; }\n${body}\n`;
  const run = spawnSync('bash', ['--norc', '--noprofile'], { input: program, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(run.stdout.split('\n').slice(0, cases.length), cases.map(([, want]) => want));
});

test('zsh and fish scripts carry the same names', async () => {
  const zsh = await script('zsh', '--scenario', 'services');
  const fish = await script('fish', '--scenario', 'services');
  assert.match(zsh, /^#compdef cilium-trace\n/);
  assert.match(zsh, /^ {2}compdef _cilium_trace cilium-trace$/m);
  assert.match(fish, /^complete -c cilium-trace -e$/m);
  for (const s of [zsh, fish]) {
    for (const w of ['pod1', 'default/pod3', 'node:node1', 'svc:default/web', 'ipcache', 'devices', 'explain', 'DROP_POLICY']) assert.ok(s.includes(w), `mentions ${w}`);
  }
  assert.ok(zsh.includes('--calls') && fish.includes('-l calls'));
  assert.match(fish, /-n '__fish_seen_subcommand_from devices' -l node -x -a 'node1 node2'/);
});

test('the names come from the cluster given at generation time', async () => {
  const def = await script('bash');
  assert.ok(def.includes('from cluster seed-000'));
  assert.ok(!def.includes('svc:'), 'the default cluster has no services');
  const l3 = await script('bash', '--scenario', 'l3-policy');
  assert.ok(l3.includes('app1') && l3.includes('app2') && !l3.includes('pod1'));
  const before = await runCli(['--scenario', 'l3-policy', 'completion', 'bash']);
  assert.equal(before.stdout, l3);
});

test('an unknown shell is a usage error (exit 2)', async () => {
  const r = await runCli(['completion', 'tcsh']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "cilium-trace: unknown shell 'tcsh' (expected one of: bash, zsh, fish)\n");
});
