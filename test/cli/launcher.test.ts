// The shipped launcher (bin/cilium-trace.cjs): it runs the bundle with its code cache, gives
// the same bytes as the modules in dist/src, and a plain trace loads nothing it does not use.
// Start-up time itself is measured by `npm run bench`, not here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli } from '../support/run-cli.js';

const BIN = join(ROOT, 'bin', 'cilium-trace.cjs');
const run = (args: string[], node: string[] = []) => spawnSync(process.execPath, [...node, BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });

test('the bundle gives the same bytes and exit codes as the modules', async () => {
  // The core bundle and, through import(), the extra one: subcommands, formats, explanations.
  const runs = [
    ['pod1', 'pod3', 'icmp'], ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'], ['nosuchpod', 'pod1'], ['--outptu'],
    ['maps', 'ipcache'], ['maps', 'policy', 'pod2', '--why'], ['validate', '--scenario', 'l3-policy'], ['devices', '--calls'],
    ['-o', 'json', 'pod1', 'pod2', 'tcp/80'], ['-o', 'monitor', 'pod1', 'pod3'], ['-o', 'hubble', '--reply', 'pod1', 'pod3'], ['-o', 'mermaid', 'pod1', 'pod3'], ['-o', 'svg', 'pod1', 'pod2'],
    ['--explain', '--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'], ['explain', 'POLICY_DENIED'], ['--help'],
    ['check', '-f', 'scenarios/ci-example/', '-f', 'scenarios/ci-example/after'], ['matrix', '--scenario', 'l3-policy', '-p', 'tcp/80'],
    ['diff', '-f', 'scenarios/ci-example/cluster.yaml', '-f', 'scenarios/ci-example/before', '-f2', 'scenarios/ci-example/cluster.yaml', '-f2', 'scenarios/ci-example/after'],
    ['exercise', 'list'], ['completion', 'bash'],
    ['-o', 'markdown', '--reply', '--explain', 'pod1', 'pod3'], ['-o', 'html', '--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'],
    ['check', '-f', 'scenarios/ci-example/', '-f', 'scenarios/ci-example/after', '-o', 'html'],
  ];
  for (const args of runs) {
    const spawned = run(args);
    const inProcess = await runCli(args);
    assert.equal(spawned.stdout, inProcess.stdout, args.join(' '));
    assert.equal(spawned.stderr, inProcess.stderr, args.join(' '));
    assert.equal(spawned.status, inProcess.code, args.join(' '));
  }
});

test('the code cache recorded at build time is accepted by this Node', () => {
  const { loadBundle } = createRequire(import.meta.url)(BIN) as { loadBundle: (cache: boolean) => { script: { cachedDataRejected?: boolean } } };
  assert.equal(loadBundle(true).script.cachedDataRejected, false);
});

test('a plain trace reads only the core bundle: no extra part, YAML or zip library, shell, crypto or child_process module', () => {
  // Printed at exit: the built-in modules this run loaded and the files it read or required.
  const probe = [
    "const fs = require('node:fs'); const read = []; const orig = fs.readFileSync;",
    'fs.readFileSync = function (f, ...rest) { read.push(String(f)); return orig.call(this, f, ...rest); };',
    "process.on('exit', () => process.stderr.write(JSON.stringify({ builtins: process.moduleLoadList, files: [...read, ...Object.keys(require.cache)] })));",
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', `${probe}; process.argv.splice(1, 0, ${JSON.stringify(BIN)}); require(${JSON.stringify(BIN)}).main()`, 'pod1', 'pod3', 'icmp'], { cwd: ROOT, encoding: 'utf8' });
  const loaded = JSON.parse(r.stderr) as { builtins: string[]; files: string[] };
  assert.ok(loaded.files.some((f) => f.endsWith('dist/cilium-trace.cjs')), 'the core bundle was not read');
  for (const m of ['readline', 'crypto', 'child_process', 'tty']) assert.ok(!loaded.builtins.includes(`NativeModule ${m}`), `${m} was loaded`);
  for (const f of ['cilium-trace-extra.cjs', 'node_modules/yaml', 'node_modules/ip-address', 'node_modules/chalk', 'node_modules/fflate']) assert.ok(!loaded.files.some((x) => x.includes(f)), `${f} was read`);
});

test('commander usage errors are one cilium-trace line with the user text escaped, exit 2', async () => {
  assert.deepEqual(await runCli(['--outptu', 'json']), { stdout: '', stderr: "cilium-trace: unknown option '--outptu' (Did you mean --output?)\n", code: 2 });
  assert.deepEqual(await runCli(['-o', 'js\u001b[31mon', 'pod1', 'pod3']), { stdout: '', stderr: "cilium-trace: option '-o, --output <format>' argument 'js\\u001b[31mon' is invalid. Allowed choices are text, json, monitor, hubble, mermaid, dot, svg, markdown, html.\n", code: 2 });
  assert.deepEqual(await runCli(['completion']), { stdout: '', stderr: "cilium-trace: missing required argument 'SHELL'\n", code: 2 });
});

test('options before a subcommand are read with their values, as commander reads them', async () => {
  const viaRoot = await runCli(['--scenario', 'l3-policy', 'maps', 'policy', 'app1']);
  const viaSub = await runCli(['maps', 'policy', 'app1', '--scenario', 'l3-policy']);
  assert.equal(viaRoot.code, 0);
  assert.equal(viaRoot.stdout, viaSub.stdout);
  // A value that is also a command name stays a value.
  const r = await runCli(['-f', 'maps', 'pod1', 'pod3']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'maps:1:1: cannot read file (no such file)\n');
  const help = await runCli(['--scenario', 'l3-policy', 'maps', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: cilium-trace maps MAP/);
});

test('IPv6 endpoints are said to be not simulated; a colon does not make an address IPv6', async () => {
  assert.equal((await runCli(['2001:db8::1', 'pod3'])).stderr, "<command line>:1:1: IPv6 source '2001:db8::1' is not simulated yet (expected an IPv4 address, a pod or node:NAME)\n");
  assert.equal((await runCli(['pod1', 'fe80::1'])).stderr, "<command line>:1:6: IPv6 destination 'fe80::1' is not simulated yet (expected an IPv4 address, a pod or svc:NAME)\n");
  assert.equal((await runCli(['pod1', '10.0.0.1:80'])).stderr, "<command line>:1:6: unknown pod '10.0.0.1:80' (expected a pod, NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE, node:NAME, svc:NAME or an IPv4 address; closest: default/pod1, default/pod2, default/pod3)\n");
});
