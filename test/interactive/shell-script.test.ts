// `cilium-trace shell` with piped input, through the real binary: the lines run as a script
// and the process exits with 0 (every command succeeded) or 2 (one failed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/run-cli.js';

function shell(input: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'cilium-trace.cjs'), 'shell', ...args], { input, cwd: ROOT, encoding: 'utf8', timeout: 60000, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.error, undefined);
  return r;
}

const SCRIPT = `# the class demo, in short
trace pod1 pod3 icmp -l minimal
maps ct --node node2
policy add
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: pod3-from-nobody
spec:
  endpointSelector:
    matchLabels:
      app: server
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: nobody

trace pod1 pod3 icmp -l minimal
trace pod1 nosuchpod icmp
ct flush
policy remove default/pod3-from-nobody
trace pod1 pod3 icmp -l minimal
exit
trace pod1 pod3 icmp
`;

test('a piped script: trace, maps, inline policy, the trace dropped, an error, ct flush, forwarded again, exit', () => {
  const r = shell(SCRIPT);
  assert.equal(r.status, 2, 'one command failed');
  const out = r.stdout;
  const verdicts = [...out.matchAll(/^(FORWARDED|DROPPED) — .*$/gm)].map((m) => m[0]);
  assert.deepEqual(verdicts, [
    'FORWARDED — delivered to default/pod3 on node2 by redirect_peer (ifindex 39)',
    'DROPPED — DROP_POLICY (133) "Policy denied" [POLICY_DENIED] in policy_can_access_ingress (ingress) on node2',
    'FORWARDED — delivered to default/pod3 on node2 by redirect_peer (ifindex 39)',
  ]);
  assert.match(out, /^# the class demo, in short\ncilium-trace> trace pod1 pod3 icmp -l minimal\n/);
  assert.match(out, /^cilium-trace> maps ct --node node2\nICMP IN 10\.0\.0\.157:1 -> 10\.0\.1\.105:0 expires=1060 /m);
  assert.match(out, /^\.\.\. {3}name: pod3-from-nobody$/m);
  assert.match(out, /^added CiliumNetworkPolicy default\/pod3-from-nobody \(<inline 1>:1\)$/m);
  // node1: the ICMP OUT entry and its related entry (conntrack.h map_related), and for the outer
  // VXLAN packet on eth0 a host-local NAT pair and its conntrack entry (nat.h:619-623, :280-283);
  // node2: the ICMP IN entry and its related entry.
  assert.match(out, /^conntrack and NAT maps emptied on every node \(7 entries removed\)$/m);
  assert.match(out, /^removed CiliumNetworkPolicy default\/pod3-from-nobody \(from <inline 1>:1\); 0 policies in force$/m);
  assert.equal(out.match(/^cilium-trace> /gm)?.length, 9, 'nothing after exit ran');
  assert.equal(r.stderr, "<command line>:1:12: unknown pod 'nosuchpod' (expected a pod, NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE, node:NAME, svc:NAME or an IPv4 address; closest: default/pod1, default/pod2, default/pod3)\n");
});

test('a script where every command succeeds exits 0, whatever the verdicts', () => {
  const r = shell('trace pod1 pod3 -l minimal\npolicy add\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: deny}\nspec: {endpointSelector: {}, ingress: [{}]}\n\ntrace pod1 pod3 -l minimal\n', '--no-echo');
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stdout, /cilium-trace>/);
  assert.match(r.stdout, /^DROPPED — /m);
  assert.equal(r.stderr, '');
});

test('an empty script exits 0', () => {
  const r = shell('', '--no-echo');
  assert.equal(r.status, 0);
  assert.equal(r.stdout + r.stderr, '');
});

test('the shipped demo script runs clean', () => {
  const demo = shell(readFileSync(join(ROOT, 'scenarios', 'demo', 'seed-walkthrough.cilium-trace'), 'utf8'));
  assert.equal(demo.stderr, '');
  assert.equal(demo.status, 0);
  const verdicts = [...demo.stdout.matchAll(/^(FORWARDED|DROPPED) — .*$/gm)].map((m) => m[1]);
  assert.deepEqual(verdicts, ['FORWARDED', 'FORWARDED', 'FORWARDED', 'DROPPED', 'FORWARDED', 'DROPPED', 'FORWARDED']);
  assert.match(demo.stdout, /→ CT_REPLY/);
  assert.match(demo.stdout, /^what would allow it \(the smallest policy to add\):$/m);
});

test('cluster options: --scenario and -f; -f - is refused (stdin carries the commands)', () => {
  const l3 = shell('pods\n', '--scenario', 'l3-policy', '--no-echo');
  assert.equal(l3.status, 0);
  assert.match(l3.stdout, /^default\/app1 /m);
  const f = shell('nodes\n', '-f', 'scenarios/native.yaml', '--no-echo');
  assert.equal(f.status, 0);
  const dash = shell('pods\n', '-f', '-');
  assert.equal(dash.status, 2);
  assert.equal(dash.stderr, 'cilium-trace: the shell reads its commands from standard input: -f - is not available here (give a file or directory)\n');
  const bad = shell('pods\n', '--scenario', 'nope');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^cilium-trace: unknown scenario 'nope'/);
});

test('trace --step in a script is an error, not a hang', () => {
  const r = shell('trace pod1 pod3 --step\npods\n', '--no-echo');
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'error: --step needs a terminal: this shell is reading a script\n');
  assert.match(r.stdout, /^POD /m);
});
