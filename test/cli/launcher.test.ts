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
  for (const args of [['pod1', 'pod3', 'icmp'], ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'], ['maps', 'ipcache'], ['-o', 'json', 'pod1', 'pod2', 'tcp/80'], ['nosuchpod', 'pod1']]) {
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

test('a plain trace loads no YAML library, no colour library and no shell, crypto or child_process module', () => {
  // Printed at exit: the built-in modules and files this run loaded.
  const probe = "process.on('exit', () => process.stderr.write(JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })))";
  const r = spawnSync(process.execPath, ['-e', `${probe}; process.argv.splice(1, 0, ${JSON.stringify(BIN)}); require(${JSON.stringify(BIN)})`, 'pod1', 'pod3', 'icmp'], { cwd: ROOT, encoding: 'utf8' });
  const loaded = JSON.parse(r.stderr) as { builtins: string[]; files: string[] };
  for (const m of ['readline', 'crypto', 'child_process']) assert.ok(!loaded.builtins.includes(`NativeModule ${m}`), `${m} was loaded`);
  for (const m of ['node_modules/yaml', 'node_modules/chalk']) assert.ok(!loaded.files.some((f) => f.includes(m)), `${m} was loaded`);
});

test('commander usage errors are one cilium-trace line with the user text escaped, exit 2', async () => {
  assert.deepEqual(await runCli(['--outptu', 'json']), { stdout: '', stderr: "cilium-trace: unknown option '--outptu' (Did you mean --output?)\n", code: 2 });
  assert.deepEqual(await runCli(['-o', 'js\u001b[31mon', 'pod1', 'pod3']), { stdout: '', stderr: "cilium-trace: option '-o, --output <format>' argument 'js\\u001b[31mon' is invalid. Allowed choices are text, json, monitor, hubble, mermaid, dot, svg.\n", code: 2 });
  assert.deepEqual(await runCli(['maps']), { stdout: '', stderr: "cilium-trace: missing required argument 'MAP'\n", code: 2 });
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
  assert.equal((await runCli(['pod1', '10.0.0.1:80'])).stderr, "<command line>:1:6: unknown pod '10.0.0.1:80' (expected a pod, svc:NAME or an IPv4 address; pods: default/pod1, default/pod2, default/pod3)\n");
});
