// The shell's session, in-process: commands in, text out, the state kept between them
// (conntrack, policies, settings), and errors that never end the session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { PLAIN } from '../../src/render/style.js';
import { ShellSession } from '../../src/interactive/shell-session.js';
import { exitCodeOf, runScript } from '../../src/interactive/shell-repl.js';
import { ROOT } from '../support/run-cli.js';

process.chdir(ROOT);

function session(cluster: { scenario?: string; file?: string[] } = {}) {
  const out = { stdout: '', stderr: '' };
  const s = new ShellSession({ cluster, out: { stdout: (t) => { out.stdout += t; }, stderr: (t) => { out.stderr += t; } }, style: PLAIN });
  const run = async (...lines: string[]) => {
    out.stdout = '';
    out.stderr = '';
    const statuses = [];
    for (const l of lines) statuses.push((await s.feed(l)).status);
    return { ...out, statuses };
  };
  return { s, run };
}

const DENY_POD3 = [
  'policy add',
  'apiVersion: cilium.io/v2',
  'kind: CiliumNetworkPolicy',
  'metadata:',
  '  name: pod3-ingress',
  'spec:',
  '  endpointSelector:',
  '    matchLabels:',
  '      app: server',
  '  ingress:',
  '    - fromEndpoints:',
  '        - matchLabels:',
  '            app: nobody',
  '',
];

test('trace takes the command line syntax and prints what the CLI prints', async () => {
  const { run } = session();
  const r = await run('trace pod1 pod3 icmp -l minimal');
  assert.deepEqual(r.statuses, ['ok']);
  assert.match(r.stdout, /^icmp echo-request 10\.0\.0\.157 > 10\.0\.1\.105 /);
  assert.match(r.stdout, /\nFORWARDED — delivered to default\/pod3 on node2 by redirect_peer \(ifindex 39\)\n$/);
  const j = await run("trace pod1 pod3 -o json");
  assert.equal(JSON.parse(j.stdout).schema, 'cilium-trace/trace/v1');
  const both = await run('trace pod1 pod3 tcp/80 --reply -o json');
  assert.equal(JSON.parse(both.stdout).schema, 'cilium-trace/trace-with-reply/v1');
});

test('conntrack is kept across traces: the reverse of a TCP flow is a reply, until ct flush', async () => {
  const { run } = session();
  await run('trace pod1 pod3 tcp/80');
  const back = await run('trace pod3 pod1 tcp/43210 --sport 80 -l summary');
  assert.match(back.stdout, /ct CT_EGRESS cilium_ct4_global TCP IN 10\.0\.0\.157:43210 -> 10\.0\.1\.105:80 → CT_REPLY/);
  assert.match((await run('trace pod1 pod3 tcp/80')).stdout, /note: ct: looked up in this shell's conntrack maps \(kept across traces; ct flush empties them\)/);
  assert.match((await run('trace pod1 pod3 tcp/80 -l summary')).stdout, /→ CT_ESTABLISHED/);
  const flush = await run('ct flush');
  assert.match(flush.stdout, /^conntrack and NAT maps emptied on every node \(\d+ entries removed\)\n$/);
  assert.match((await run('trace pod3 pod1 tcp/43210 --sport 80 -l summary')).stdout, /→ CT_NEW/);
});

test('maps: the CLI syntax; maps ct shows the session state', async () => {
  const { run } = session();
  assert.match((await run('maps ct --node node2')).stdout, /^\n$/);
  await run('trace pod1 pod3 icmp');
  const ct = await run('maps ct --node node2');
  assert.match(ct.stdout, /^ICMP IN 10\.0\.0\.157:1 -> 10\.0\.1\.105:0 expires=1060 /);
  assert.match((await run('maps ipcache --node node1')).stdout, /^10\.0\.1\.105\/32 {7}identity=14753 /m);
  assert.match((await run('maps policy pod2')).stdout, /^POLICY {3}DIRECTION/);
  const bad = await run('maps nosuch');
  assert.deepEqual(bad.statuses, ['error']);
  assert.match(bad.stderr, /^error: unknown map 'nosuch' \(expected one of: ipcache, endpoint, policy, tunnel, lb, egress, ct, nat, calls\)\n$/);
});

test('policy add (inline, ended by an empty line) drops the flow; policy remove brings it back', async () => {
  const { run } = session();
  assert.match((await run('trace pod1 pod3 -l minimal')).stdout, /FORWARDED/);
  const add = await run(...DENY_POD3);
  assert.deepEqual(add.statuses, ['ok', null, null, null, null, null, null, null, null, null, null, null, null, 'ok']);
  assert.equal(add.stdout, 'added CiliumNetworkPolicy default/pod3-ingress (<inline 1>:1)\n1 policy in force; conntrack entries kept (ct flush to start over)\n');
  assert.match((await run('policies')).stdout, /^default\/pod3-ingress {3}CiliumNetworkPolicy {3}<inline 1>:1$/m);
  const dropped = await run('trace pod1 pod3 -l summary');
  assert.match(dropped.stdout, /CiliumNetworkPolicy default\/pod3-ingress \(<inline 1>:6\)/);
  assert.match(dropped.stdout, /\nDROPPED — DROP_POLICY \(133\) "Policy denied" \[POLICY_DENIED\] in policy_can_access_ingress \(ingress\) on node2\n$/);
  const again = await run(...DENY_POD3);
  assert.match(again.stderr, /^error: CiliumNetworkPolicy default\/pod3-ingress already exists \(from <inline 1>:1\); policy remove default\/pod3-ingress first\n$/);
  assert.equal((await run('policy remove pod3-ingress')).stdout, 'removed CiliumNetworkPolicy default/pod3-ingress (from <inline 1>:1); 0 policies in force\n');
  assert.match((await run('trace pod1 pod3 -l minimal')).stdout, /FORWARDED/);
  assert.match((await run('policy remove pod3-ingress')).stderr, /^error: no policy 'pod3-ingress' \(policies: none\)\n$/);
});

test('policy add FILE and bad policy YAML: positioned errors, the session goes on', async () => {
  const { run } = session({ scenario: 'l3-policy' });
  const bad = await run('policy add', 'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: x}', 'spec: {endpointSelector: {}, ingress: [{fromEntities: [bogus]}]}', '');
  assert.deepEqual(bad.statuses.at(-1), 'error');
  assert.match(bad.stderr, /^<inline 1>:4:56: unknown entity 'bogus'/);
  // A field the API server would prune is a warning: the policy is added without it.
  const pruned = await run('policy add', 'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: y}', 'spec: {endpointSelector: {matchLabels: {id: app1}}, ingress: [{bogus: 1}]}', '');
  assert.deepEqual(pruned.statuses.at(-1), 'ok');
  assert.match(pruned.stderr, /^<inline 2>:4:64: warning: unknown field 'bogus' ignored, as the API server prunes it/);
  assert.equal((await run('policy remove y')).statuses.at(-1), 'ok');
  const pod = await run('policy add', 'apiVersion: v1', 'kind: Pod', 'metadata: {name: p}', '');
  assert.match(pod.stderr, /^error: policy add takes policies only \(expected CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, NetworkPolicy; got Pod in <inline 3>\)\n$/);
  assert.match((await run('policy add no/such/file.yaml')).stderr, /^error: cannot read no\/such\/file\.yaml \(no such file\)\n$/);
  assert.match((await run('policies')).stdout, /^default\/l3-rule {3}CiliumNetworkPolicy {3}scenarios\/l3-policy\.yaml:/m);
  assert.match((await run('trace app2 app1 tcp/80 -l minimal')).stdout, /FORWARDED/);
});

test('errors never end the session: unknown commands, pods, options and quotes', async () => {
  const { run } = session();
  const r = await run('bogus', 'trace nosuch pod3', 'trace pod1 pod3 --frobnicate', 'trace "pod1', 'set level loud', 'pods');
  assert.deepEqual(r.statuses, ['error', 'error', 'error', 'error', 'error', 'ok']);
  assert.equal(r.stderr, [
    "error: unknown command 'bogus' (expected one of: trace, maps, pods, nodes, services, identities, policies, policy, ct, set, explain, load, help, exit)",
    "<command line>:1:7: unknown pod 'nosuch' (expected a pod, NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE, node:NAME or an IPv4 address; closest: default/pod1, default/pod2, default/pod3)",
    "error: unknown option '--frobnicate'",
    'error: unterminated double quote at column 7',
    "error: bad level 'loud' (expected one of: detailed, summary, minimal)",
    '',
  ].join('\n'));
  assert.match(r.stdout, /^POD {12}NODE/);
});

test('set gives later traces their defaults; flags still win', async () => {
  const { run } = session();
  assert.deepEqual((await run('set level minimal', 'set ct established', 'set output text')).statuses, ['ok', 'ok', 'ok']);
  assert.equal((await run('set')).stdout, 'backend none (the first slot)\nct      established\nlevel   minimal\noutput  text\n');
  const t = await run('trace pod1 pod3');
  assert.match(t.stdout, /^icmp echo-request .*\n {2}node1 default\/pod1 netns kernel:/);
  assert.match((await run('trace pod1 pod3 -l summary')).stdout, /→ CT_ESTABLISHED \(assumed, --ct\)/);
  assert.match((await run('set ct none', 'trace pod1 pod3 -l summary')).stdout, /→ CT_NEW\n/);
  assert.match((await run('set backend 10.1.2.3:80', 'set')).stdout, /^backend 10\.1\.2\.3:80$/m);
  assert.match((await run('set backend nonsense')).stderr, /^error: bad backend 'nonsense' \(expected IP, IP:PORT or a pod: NAME, NAMESPACE\/WORKLOAD or NAMESPACE\/KEY=VALUE\)\n$/);
  assert.match((await run('set backend pod3')).stdout, /^backend pod3$/m, 'a pod name is a backend too');
});

test('trace takes workloads and selectors, says what it picked; set backend takes a pod', async () => {
  const { run } = session({ file: ['test/cli/fixtures/shop-dump'] });
  const t = await run('trace shop/frontend svc:shop/api tcp/8080 -l minimal');
  assert.deepEqual(t.statuses, ['ok']);
  assert.equal(t.stderr, [
    'note: svc shop/api has no port 8080; it has 80/TCP → targetPort http=8080',
    "note: SRC shop/frontend: Deployment shop/frontend (by its pods' names), 2 pods; tracing the first by name, shop/frontend-6b8f7c9d4-m2z9w",
    '',
  ].join('\n'));
  assert.match((await run('set backend shop/api-7c5d9f8b6-h8rtk')).stdout, /^backend shop\/api-7c5d9f8b6-h8rtk$/m);
  assert.match((await run('trace shop/db svc:shop/api -l minimal')).stdout, /\nFORWARDED — delivered to shop\/api-7c5d9f8b6-h8rtk on worker-2 /);
  // A destination that is no Service leaves the set backend aside; a --backend flag is checked.
  assert.deepEqual((await run('trace shop/db shop/app=api tcp/8080 -l minimal')).statuses, ['ok']);
  const bad = await run('trace shop/db svc:shop/api --backend shop/db');
  assert.deepEqual(bad.statuses, ['error']);
  assert.match(bad.stderr, /^error: --backend shop\/db \(StatefulSet shop\/db\) is not a backend of svc shop\/api port 80\/TCP \(expected one of: /);
});

test('listings, explain, help and load', async () => {
  const { run } = session({ scenario: 'services' });
  assert.match((await run('services')).stdout, /^svc:default\/web {2,}ClusterIP {2,}10\.96\./m);
  assert.match((await run('nodes')).stdout, /^NODE {4}IP {2,}POD CIDR {2,}CILIUM_HOST {3}PODS$/m);
  assert.match((await run('identities')).stdout, /^2 {2,}reserved:world$/m);
  assert.match((await run('explain 133')).stdout, /^DROP_POLICY — drop reason -133/);
  assert.match((await run('explain nonsense-topic')).stderr, /^error: unknown topic 'nonsense-topic'/);
  assert.match((await run('help')).stdout, /^commands \(Tab completes/);
  assert.match((await run('help trace')).stdout, /^Usage: trace SRC DST \[PROTO\[\/PORT\]\] \[options\]/);
  const l = await run('load --scenario l3-policy');
  assert.equal(l.stdout, 'loaded cluster l3-policy: 1 node, 2 pods, 0 services, 1 policy; conntrack empty\n');
  assert.match((await run('pods')).stdout, /default\/app1/);
  assert.match((await run('load -f -')).stderr, /^error: the shell reads its commands from standard input: -f - is not available here/);
  assert.match((await run('load --scenario nope')).stderr, /^error: unknown scenario 'nope'/);
  assert.match((await run('pods')).stdout, /default\/app1/, 'a failed load keeps the cluster');
});

test('a script: every line runs, exit 0 when all succeed, 2 when one failed; exit stops it', async () => {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => { stdout += t; }, stderr: (t: string) => { stderr += t; }, stdoutIsTTY: false, env: {} };
  const s = new ShellSession({ cluster: {}, out: io, style: PLAIN });
  const script = ['# narration', 'pods', '', 'trace pod1 pod3 -l minimal', 'trace nosuch pod3', 'nodes', 'exit', 'pods'].join('\n') + '\n';
  const code = await runScript(s, Readable.from([script]), io, { echo: true, style: PLAIN });
  assert.equal(code, 2);
  assert.match(stdout, /^# narration\ncilium-trace> pods\nPOD /);
  assert.match(stdout, /cilium-trace> nodes\nNODE /);
  assert.doesNotMatch(stdout, /cilium-trace> exit\n[\s\S]*cilium-trace> pods/);
  assert.equal(stdout.match(/cilium-trace> pods/g)?.length, 1);
  assert.match(stderr, /^<command line>:1:7: unknown pod 'nosuch'/);
  stdout = '';
  const ok = await runScript(new ShellSession({ cluster: {}, out: io, style: PLAIN }), Readable.from(['trace pod1 pod3 -l minimal\npolicy add\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: deny}\nspec: {endpointSelector: {}, ingress: [{}]}']), io, { echo: false, style: PLAIN });
  assert.equal(ok, 0, 'a dropped trace is still a successful command; YAML at the end of input is applied');
  assert.doesNotMatch(stdout, /cilium-trace>/);
  assert.match(stdout, /added CiliumNetworkPolicy default\/deny \(<inline 1>:1\)/);
  assert.equal(exitCodeOf(['ok', 'error', 'internal']), 3);
});
