// CLI behaviour that golden files do not pin: the README's usage block is the real --help,
// colour only when asked or on a terminal, and stripping ANSI gives exactly the plain text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/run-cli.js';

process.chdir(ROOT);
const ANSI = /\u001b\[[0-9;]*m/g;

test('README usage block equals --help', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /## Usage\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.equal(block?.trimEnd(), help.stdout.trimEnd());
});

test('README starts with the two commands', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /^# cilium-trace\n\n```sh\nnpm ci && npx cilium-trace pod1 pod3 icmp\nnpm test\n```/);
});

test('no colour on a pipe; colour on a TTY, off again with NO_COLOR or --no-color', async () => {
  const plain = await runCli(['pod1', 'pod3']);
  assert.doesNotMatch(plain.stdout, ANSI);
  const tty = await runCli(['pod1', 'pod3'], {}, true);
  assert.match(tty.stdout, ANSI);
  assert.equal(tty.stdout.replace(ANSI, ''), plain.stdout);
  assert.doesNotMatch((await runCli(['pod1', 'pod3'], { NO_COLOR: '1' }, true)).stdout, ANSI);
  assert.doesNotMatch((await runCli(['pod1', 'pod3', '--no-color'], {}, true)).stdout, ANSI);
  const forced = await runCli(['pod1', 'pod3'], { FORCE_COLOR: '1' });
  assert.equal(forced.stdout.replace(ANSI, ''), plain.stdout);
  assert.match(forced.stdout, ANSI);
});

test('seed facts: VNI 47204 to 1.2.3.168:8472, redirect_peer to ifindex 39', async () => {
  const r = await runCli(['pod1', 'pod3', 'icmp', '-o', 'json']);
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.stdout) as { verdict: string; drop_reason: unknown; steps: unknown[] };
  assert.equal(doc.verdict, 'FORWARDED');
  assert.equal(doc.drop_reason, null);
  const all: Array<Record<string, unknown>> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') { all.push(v as Record<string, unknown>); Object.values(v).forEach(walk); }
  };
  walk(doc.steps);
  assert.ok(all.some((o) => JSON.stringify(o.encap) === JSON.stringify({ type: 'vxlan', vni: 47204, outer_src: '1.2.3.167', outer_dst: '1.2.3.168', sport: (o.encap as { sport?: number } | undefined)?.sport, dport: 8472, ttl: 64 })));
  assert.ok(all.some((o) => JSON.stringify(o.redirect) === JSON.stringify({ helper: 'redirect_peer', ifindex: 39, device: 'lxc7f3b8c29d10e', ingress: true })));
  assert.ok(all.some((o) => JSON.stringify(o.tail_call) === JSON.stringify({ map: 'cilium_calls_01703', slot: 7, slot_name: 'CILIUM_CALL_IPV4_FROM_LXC', program: 'tail_handle_ipv4' })));
  assert.ok(all.some((o) => o.map === 'cilium_ipcache' && o.key === '10.0.1.105/32' && o.result === 'identity=14753 encryptkey=0 tunnelendpoint=1.2.3.168 nodeid=32012'));
});

test('l3-policy: tcp/80 forwarded (exit 0), tcp/8080 POLICY_DENIED (exit 1)', async () => {
  const ok = await runCli(['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/80', '-o', 'json']);
  assert.equal(ok.code, 0);
  assert.equal((JSON.parse(ok.stdout) as { verdict: string }).verdict, 'FORWARDED');
  const no = await runCli(['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080', '-o', 'json']);
  assert.equal(no.code, 1);
  const d = JSON.parse(no.stdout) as { verdict: string; drop_reason: { code: number; name: string; text: string } };
  assert.equal(d.verdict, 'DROPPED');
  assert.deepEqual([d.drop_reason.code, d.drop_reason.name, d.drop_reason.text], [133, 'POLICY_DENIED', 'Policy denied']);
});

test('an empty ingress rule is default deny, not allow-all', async () => {
  const { parseScenario } = await import('../../src/scenario/load.js');
  const { buildCluster } = await import('../../src/controlplane/cluster.js');
  const text = readFileSync(join(ROOT, 'scenarios', 'l3-policy.yaml'), 'utf8').replace(/      ingress:\n[\s\S]*$/, '      ingress:\n        - {}\n');
  const cluster = buildCluster(parseScenario(text, 'x.yaml'));
  const app1 = cluster.endpoints.find((e) => e.pod.name === 'app1');
  assert.ok(app1);
  assert.equal(app1.policy.ingressEnforced, true);
  assert.deepEqual(app1.policy.entries.filter((e) => e.key.direction === 'ingress').map((e) => e.key.identity), [1]);
});

test('every text trace starts with the parsed packet and ends with the verdict', async () => {
  const { GOLDEN_CASES } = await import('../golden/cases.js');
  const traces = GOLDEN_CASES.filter((c) => !['maps', 'validate'].includes(c.args[0] ?? '') && !c.args.includes('-o') && !c.args.includes('--reply'));
  assert.ok(traces.length > 20);
  for (const c of traces) {
    const r = await runCli(c.args);
    if (r.code === 2 && r.stdout === '') continue; // bad input: nothing traced
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^(icmp|tcp|udp) /, `${c.name}: first line`);
    assert.match(lines[lines.length - 1] ?? '', /^(FORWARDED|DROPPED|NOT SIMULATED) — /, `${c.name}: last line`);
  }
});

test('--version prints the tool version of package.json and the release each profile models', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `cilium-trace ${pkg.version}\nmodels the datapath of:\n  profile 1.13: Cilium v1.13.0 (upstream commit c9723a8df3)\n  profile 1.16: Cilium v1.16.15 (upstream commit 7513067408)\n  profile 1.18: Cilium v1.18.3 (upstream commit c160168901)\n`);
});

test('F20: in -l summary no hop header stands empty (a hook without a program says the packet passes)', async () => {
  for (const args of [['--scenario', 'world-host', '203.0.113.7', 'frontend', 'tcp/80'], ['--scenario', 'geneve', 'client', 'web', 'tcp/80'], ['--scenario', 'world-host', 'frontend', '8.8.8.8', 'tcp/443']]) {
    const r = await runCli([...args, '-l', 'summary']);
    const lines = r.stdout.split('\n');
    lines.forEach((l, i) => {
      if (/^\S.* — (tc|kernel|wire)/.test(l)) assert.match(lines[i + 1] ?? '', /^  \S/, `${args.join(' ')}: hop "${l}" has nothing under it`);
    });
  }
});
