// `cilium-trace completion bash|zsh|fish`: scripts carry the subcommands, options, map names
// and topics; pod, node (node:NAME) and service (svc:NS/NAME) names come at Tab from the hidden
// `cilium-trace __complete`, for the cluster the -f/--scenario typed on the line load. The bash
// script is valid bash (bash -n) and, sourced, completes what it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/run-cli.js';
import { clusterOptionsFromWords } from '../../src/cli/commands/completion.js';

process.chdir(ROOT);

const hasBash = spawnSync('bash', ['-c', 'exit 0']).status === 0;

async function script(shell: string, ...more: string[]): Promise<string> {
  const r = await runCli(['completion', shell, ...more]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

/** Runs the sourced bash script on each command line (cilium-trace on PATH is this checkout); one output line per case. */
function bashComplete(s: string, lines: readonly string[]): string[] {
  const bin = mkdtempSync(join(tmpdir(), 'ct-complete-'));
  try {
    writeFileSync(join(bin, 'cilium-trace'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin', 'cilium-trace.cjs'))} "$@"\n`);
    chmodSync(join(bin, 'cilium-trace'), 0o755);
    const body = lines.map((line) => `t ${JSON.stringify(line)}`).join('\n');
    const program = `${s}\nt() { COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}; COMPREPLY=(); _cilium_trace_complete; echo "\${COMPREPLY[*]}"; }\n${body}\n`;
    const run = spawnSync('bash', ['--norc', '--noprofile'], { input: program, encoding: 'utf8', cwd: ROOT, env: { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: ROOT } });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.split('\n').slice(0, lines.length);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

test('bash: syntactically valid, with the subcommands and options; cluster names are asked for, not embedded', async (t) => {
  const s = await script('bash');
  for (const w of ['devices', 'explain', 'completion', 'maps', 'ipcache', '--calls', '--explain', 'l3-policy']) {
    assert.ok(s.includes(w), `bash script mentions ${w}`);
  }
  for (const w of ['pod1', 'node:node1', '__complete ']) assert.equal(s.includes(w), w === '__complete ', w);
  assert.match(s, /^ {2}if \[\[ -n "\$names" \]\]; then candidates="\$candidates \$\(cilium-trace __complete "\$names" -- "\$\{words\[@\]:1\}" 2>\/dev\/null\)"; fi$/m);
  assert.match(s, /^complete -o default -F _cilium_trace_complete cilium-trace$/m);
  if (!hasBash) return t.skip('bash not installed');
  const check = spawnSync('bash', ['-n'], { input: s, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
});

test('bash: sourced, it completes pods, node:NAME, svc:NS/NAME from the -f or --scenario on the line, map names, topics and option values', (t) => {
  if (!hasBash) return t.skip('bash not installed');
  return script('bash').then((s) => {
    const cases: Array<[string, string]> = [
      ['cilium-trace po', 'pod1 pod2 pod3'], // the embedded default cluster
      ['cilium-trace --scenario services po', 'pod1 pod2 pod3'],
      ['cilium-trace -f scenarios/l3-policy.yaml ap', 'app1 app2'],
      ['cilium-trace -f scenarios/l3-policy.yaml app2 default/', 'default/app1 default/app2'],
      ['cilium-trace --file=scenarios/l3-policy.yaml app2 node:', 'runtime1'], // bash splits at ':', so only the rest is completed
      ['cilium-trace -f scenarios/l3-policy.yaml po', ''],
      ['cilium-trace -f scenarios/nope.yaml po', ''], // a cluster that does not load completes no names
      ['cilium-trace --scenario services pod1 node:n', 'node1 node2'],
      ['cilium-trace --scenario services pod1 svc:default/w', 'default/web default/web-np'],
      ['cilium-trace maps ip', 'ipcache'],
      ['cilium-trace maps policy pod', 'pod1 pod2 pod3'],
      ['cilium-trace maps -f scenarios/l3-policy.yaml policy ap', 'app1 app2'],
      ['cilium-trace explain DROP_POLICY_D', 'DROP_POLICY_DENY'],
      ['cilium-trace --scenario l3', 'l3-policy'],
      ['cilium-trace pod1 pod2 -l s', 'summary'],
      ['cilium-trace devices --node ', 'node1 node2'],
      ['cilium-trace devices -f scenarios/l3-policy.yaml --node ', 'runtime1'],
      ['cilium-trace devices --ca', '--calls'],
      ['cilium-trace completion ', 'bash fish zsh'],
    ];
    assert.deepEqual(bashComplete(s, cases.map(([line]) => line)), cases.map(([, want]) => want));
  });
});

test('__complete (hidden): the names of the cluster the typed words load, one a line; nothing for a cluster that does not load', async () => {
  const l3 = await runCli(['__complete', 'endpoints', '--', '-f', 'scenarios/l3-policy.yaml', 'app2']);
  assert.deepEqual(l3, { stdout: 'app1\napp2\ndefault/app1\ndefault/app2\nnode:runtime1\n', stderr: '', code: 0 });
  const services = await runCli(['__complete', 'endpoints', '--', '--scenario', 'services']);
  assert.match(services.stdout, /^svc:default\/web\n/m);
  assert.deepEqual((await runCli(['__complete', 'nodes', '--', '--scenario=services'])).stdout, 'node1\nnode2\n');
  assert.deepEqual((await runCli(['__complete', 'nodes', '--'])).stdout, 'node1\nnode2\n', 'the embedded default cluster');
  assert.deepEqual((await runCli(['__complete', '--describe', 'pods', '--', '-fscenarios/l3-policy.yaml'])).stdout, 'app1\tpod\napp2\tpod\ndefault/app1\tpod\ndefault/app2\tpod\n');
  for (const words of [['-f', 'scenarios/nope.yaml'], ['-f', 'scenarios/l3-policy.yaml', '--scenario', 'services'], ['--scenario', 'nope'], ['--cilium', '9.9']]) {
    assert.deepEqual(await runCli(['__complete', 'endpoints', '--', ...words]), { stdout: '', stderr: '', code: 0 }, words.join(' '));
  }
  assert.equal((await runCli(['__complete', 'everything', '--'])).code, 2);
  const help = await runCli(['--help']);
  assert.doesNotMatch(help.stdout, /__complete/, 'hidden from help');
});

test('the typed words: -f/--file (repeatable, =, -fPATH, ~), --scenario, --cilium, --max-input-size; stdin is skipped', () => {
  assert.deepEqual(clusterOptionsFromWords(['-f', 'a.yaml', 'pod1', '--file=b/', '-fc.yaml', '--file', '~/d.yaml', '-f', '-', '--cilium', '1.16', '--max-input-size', '99', 'pod2'], '/home/u'), { file: ['a.yaml', 'b/', 'c.yaml', '/home/u/d.yaml'], cilium: '1.16', maxInputSize: '99' });
  assert.deepEqual(clusterOptionsFromWords(['maps', '--scenario', 'services', 'policy'], '/h'), { scenario: 'services' });
  assert.deepEqual(clusterOptionsFromWords(['pod1', '-l', 'summary'], '/h'), {});
});

test('zsh and fish scripts ask __complete for the names with the words typed so far', async () => {
  const zsh = await script('zsh');
  const fish = await script('fish');
  assert.match(zsh, /^#compdef cilium-trace\n/);
  assert.match(zsh, /^ {2}compdef _cilium_trace cilium-trace$/m);
  assert.match(zsh, /^ {2}local -a typed=\("\$\{\(@Q\)words\[2,CURRENT-1\]\}"\) names$/m);
  assert.match(zsh, /^ {4}"\"\) names=\(\$\{\(f\)"\$\(cilium-trace __complete endpoints -- "\$\{typed\[@\]\}" 2>\/dev\/null\)"\}\); compadd -a subcommands names ;;$/m);
  assert.match(zsh, /^ {4}maps\) names=\(\$\{\(f\)"\$\(cilium-trace __complete pods -- /m);
  assert.match(zsh, /^ {4}"devices --node"\) names=\(\$\{\(f\)"\$\(cilium-trace __complete nodes -- /m);
  assert.match(fish, /^complete -c cilium-trace -e$/m);
  assert.match(fish, /^complete -c cilium-trace -f -n 'not __fish_seen_subcommand_from [a-z ]+' -a '\(cilium-trace __complete --describe endpoints -- \(commandline -opc\)\[2\.\.-1\] 2>\/dev\/null\)'$/m);
  assert.match(fish, /-n '__fish_seen_subcommand_from devices' -l node -x -a '\(cilium-trace __complete nodes -- \(commandline -opc\)\[2\.\.-1\] 2>\/dev\/null\)'/);
  for (const s of [zsh, fish]) {
    for (const w of ['ipcache', 'devices', 'explain', 'DROP_POLICY']) assert.ok(s.includes(w), `mentions ${w}`);
    assert.ok(!s.includes('pod1') && !s.includes('__complete endpoints bash'), 'no cluster names embedded');
  }
  assert.ok(zsh.includes('--calls') && fish.includes('-l calls'));
});

test('the script is the same whatever cluster is around; naming one at generation is a usage error', async () => {
  const def = await script('bash');
  assert.match(def, /^# bash completion for cilium-trace, generated by `cilium-trace completion bash`\.$/m);
  for (const args of [['completion', 'bash', '--scenario', 'l3-policy'], ['--scenario', 'l3-policy', 'completion', 'bash'], ['completion', 'zsh', '-f', 'scenarios/l3-policy.yaml']]) {
    const r = await runCli(args);
    assert.deepEqual([r.code, r.stdout], [2, ''], args.join(' '));
    assert.equal(r.stderr, 'cilium-trace: completion takes no cluster: the script reads pod, node and service names at Tab from the -f/--scenario on the line being completed (generate it without -f/--scenario)\n');
  }
});

test('an unknown shell is a usage error (exit 2)', async () => {
  const r = await runCli(['completion', 'tcsh']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "cilium-trace: unknown shell 'tcsh' (expected one of: bash, zsh, fish)\n");
});
