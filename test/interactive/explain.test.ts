// `cilium-trace explain TOPIC` / `explain --list` and the trace's `--explain` prose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../support/run-cli.js';
import { allDropReasons } from '../../src/cilium/drop-reasons.js';
import { TRACE_POINTS } from '../../src/cilium/trace-points.js';
import { RESERVED_IDENTITIES } from '../../src/cilium/identities.js';
import { allTopics, closeMatches, findTopic } from '../../src/explain/topics/index.js';

process.chdir(ROOT);
const ANSI = /\u001b\[[0-9;]*m/g;

async function explain(...args: string[]) {
  return runCli(['explain', ...args]);
}

function section(text: string, heading: string): string {
  const m = new RegExp(`^${heading}\\n((?:  .*\\n)+)`, 'm').exec(text);
  assert.ok(m, `no '${heading}' in:\n${text}`);
  return (m[1] ?? '').replace(/\n  /g, ' ').trim();
}

test('explain a drop code: 133, -133, DROP_POLICY, POLICY_DENIED and lower case give the same text', async () => {
  const runs = await Promise.all(['133', '-133', 'DROP_POLICY', 'POLICY_DENIED', 'policy_denied', 'drop_policy'].map((q) => explain(q)));
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  }
  const text = runs[0]?.stdout ?? '';
  for (const r of runs.slice(2)) assert.equal(r.stdout, text);
  assert.equal(runs[1]?.stdout, text);
  assert.match(text, /^DROP_POLICY — drop reason -133 "Policy denied" \(Hubble POLICY_DENIED\)\n/);
  assert.match(section(text, 'What it is'), /no entry of the endpoint's policy map/);
  assert.match(section(text, 'When it happens'), /first hit/);
  assert.match(section(text, 'What to check next'), /maps policy POD --why/);
  assert.match(section(text, 'Cilium source'), /bpf\/lib\/policy\.h/);
  for (const line of text.split('\n')) assert.ok(line.length <= 80, `wider than 80 columns: ${line}`);
});

test('explain an observation point by datapath, monitor or Hubble name', async () => {
  const [a, b, c] = await Promise.all([explain('TRACE_TO_LXC'), explain('to-endpoint'), explain('TO_ENDPOINT')]);
  assert.equal(a?.code, 0);
  assert.equal(a?.stdout, b?.stdout);
  assert.equal(a?.stdout, c?.stdout);
  assert.match((a?.stdout ?? '').replace(/\n  /g, ' '), /^TRACE_TO_LXC — observation point 0, monitor 'to-endpoint', Hubble TO_ENDPOINT \(101\)/);
  assert.match(section(a?.stdout ?? '', 'Cilium source'), /bpf\/bpf_lxc\.c/);
});

test('explain a function and a program a trace shows', async () => {
  const fn = await explain('handle_ipv4_from_lxc');
  assert.equal(fn.code, 0);
  assert.match(fn.stdout, /^handle_ipv4_from_lxc — bpf\/bpf_lxc\.c\n/);
  assert.match(section(fn.stdout, 'When it happens'), /cilium_ipcache/);
  const prog = await explain('handle_policy');
  assert.match(prog.stdout, /cilium_call_policy\[EPID\]/);
  const byPoint = await explain('from-container');
  assert.match(byPoint.stdout, /^cil_from_container — /, 'an unambiguous ELF section names its program');
});

test('explain a map, by name or by a concrete name of a pattern map', async () => {
  const ipcache = await explain('cilium_ipcache');
  assert.equal(ipcache.code, 0);
  assert.match(ipcache.stdout, /^cilium_ipcache — LPM trie/);
  const pm = await explain('cilium_policy_01703');
  assert.equal(pm.code, 0);
  assert.match(pm.stdout, /^cilium_policy_01703: see cilium_policy_\*\n\ncilium_policy_\* — /);
  for (const name of ['cilium_calls_01703', 'cilium_calls_hostns_00554', 'cilium_calls_netdev_00002', 'cilium_calls_overlay_2']) {
    assert.equal(findTopic(name)?.id, 'cilium_calls_*', name);
  }
  for (const name of ['cilium_call_policy', 'cilium_tunnel_map', 'cilium_ct4_global', 'cilium_ct_any4_global', 'cilium_lb4_services_v2', 'cilium_lb4_backends_v3', 'cilium_lb4_reverse_nat', 'cilium_snat_v4_external', 'cilium_lxc']) {
    assert.equal(findTopic(name)?.id, name);
  }
});

test('explain a reserved identity by name or number; other numbers by range', async () => {
  const [host, one, world, two] = await Promise.all([explain('host'), explain('1'), explain('world'), explain('2')]);
  assert.equal(host?.code, 0);
  assert.equal(host?.stdout, one?.stdout);
  assert.equal(world?.stdout, two?.stdout);
  assert.match(host?.stdout ?? '', /^host — reserved identity 1 \(reserved:host\)/);
  assert.match(section(world?.stdout ?? '', 'What it is'), /0\.0\.0\.0\/0/);
  for (const [name, id] of Object.entries(RESERVED_IDENTITIES)) {
    assert.equal(findTopic(String(id))?.id, name);
    assert.equal(findTopic(`reserved:${name}`)?.id, name);
  }
  assert.equal(findTopic('47204')?.id, 'cluster-identity');
  assert.equal(findTopic(String(2 ** 24 + 1))?.id, 'local-identity');
  const cluster = await explain('47204');
  assert.match(cluster.stdout, /^47204: see cluster-identity\n/);
});

test('an unknown topic: exit 2, one line on stderr naming close matches', async () => {
  const r = await explain('DROP_POLICI');
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, "cilium-trace: unknown topic 'DROP_POLICI' (close matches: DROP_POLICY; all topics: cilium-trace explain --list)\n");
  const fn = await explain('handle_ipv4_from_lcx');
  assert.match(fn.stderr, /^cilium-trace: unknown topic 'handle_ipv4_from_lcx' \(close matches: handle_ipv4_from_lxc[,;]/);
  assert.equal(fn.stderr.split('\n').length, 2);
  const num = await explain('--', '-5');
  assert.equal(num.code, 2);
  assert.match(num.stderr, /^cilium-trace: unknown topic '-5' \(numbers name drop reasons/);
  const none = await explain();
  assert.equal(none.code, 2);
  assert.deepEqual(closeMatches('zzzzzzzzzzzz'), []);
});

test('explain --list lists every topic once, grouped by kind', async () => {
  const r = await explain('--list');
  assert.equal(r.code, 0);
  for (const t of allTopics()) assert.match(r.stdout, new RegExp(`^  ${t.id.replace(/[*]/g, '\\*')}(\\s|$)`, 'm'), t.id);
  assert.match(r.stdout, /^drop reasons \(by code, DROP_\* macro or Hubble name\):$/m);
  for (const line of r.stdout.split('\n')) assert.ok([...line].length <= 80, `wider than 80 columns: ${line}`);
});

test('every drop reason, observation point and reserved identity has a topic', () => {
  for (const d of allDropReasons()) {
    assert.equal(findTopic(String(d.code))?.id, d.macro);
    assert.equal(findTopic(`-${d.code}`)?.id, d.macro);
    assert.equal(findTopic(d.hubble)?.id, d.macro);
  }
  for (const [id, p] of Object.entries(TRACE_POINTS)) {
    assert.equal(findTopic(id)?.id, id);
    assert.equal(findTopic(p.monitor)?.id, id);
    assert.equal(findTopic(p.hubble)?.id, id);
  }
  for (const t of allTopics()) {
    assert.ok(t.what.length > 20 && t.when.length > 20 && t.next.length > 10 && t.source.length > 0, `${t.id} has prose`);
    for (const s of t.see ?? []) assert.ok(findTopic(s), `${t.id}: see-also '${s}' is a topic`);
  }
});

test('--explain: prose under the steps that have a topic, each topic once; minimal and json unchanged', async () => {
  const plain = await runCli(['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080']);
  const ex = await runCli(['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080', '--explain']);
  assert.equal(ex.code, 1);
  assert.match(ex.stdout, /^( +)» DROP_POLICY: Policy denied: .*\n\1» next: /m);
  assert.match(ex.stdout, /^ {2}» cil_from_container: /m);
  assert.equal((ex.stdout.match(/» cilium_policy_\*: /g) ?? []).length, 1, 'a topic once per trace');
  assert.equal(ex.stdout.split('\n').filter((l) => !/^\s*» /.test(l)).join('\n'), plain.stdout, 'only lines added');
  const summary = await runCli(['pod1', 'pod3', '-l', 'summary', '--explain']);
  assert.match(summary.stdout, /^ {4}» TRACE_TO_OVERLAY: /m);
  for (const args of [['-l', 'minimal'], ['-o', 'json']]) {
    const a = await runCli(['pod1', 'pod3', ...args]);
    const b = await runCli(['pod1', 'pod3', ...args, '--explain']);
    assert.equal(b.stdout, a.stdout, args.join(' '));
  }
  const colour = await runCli(['pod1', 'pod2', '--explain', '--color']);
  const nocolour = await runCli(['pod1', 'pod2', '--explain']);
  assert.equal(colour.stdout.replace(ANSI, ''), nocolour.stdout);
});
