// `cilium-trace shell` in a real terminal (tmux): prompt, Tab completion, history, a trace,
// trace --step and back, inline policy add, exit.
import { test } from 'node:test';
import { TMUX_MISSING, TmuxSession, tmuxAvailable } from './tmux.js';

const skip = tmuxAvailable() ? false : TMUX_MISSING;

test('the shell on a terminal', { skip, timeout: 120000 }, async () => {
  const t = new TmuxSession('shell');
  try {
    t.start('node bin/cilium-trace.cjs shell', 120, 50);
    await t.waitFor(/^cilium-trace shell · cluster seed-000: 2 nodes, 3 pods, 0 services, 0 policies$/m);
    await t.waitFor(/^cilium-trace>$/m);
    // Tab completes the command, then the pod name's common prefix, then lists the choices.
    t.type('tr');
    t.keys('Tab');
    await t.waitFor(/^cilium-trace> trace$/m); // 'trace ' (trailing blanks are not captured)
    t.type('pod1 po');
    t.keys('Tab');
    await t.waitFor(/^cilium-trace> trace pod1 pod$/m);
    t.keys('Tab');
    await t.waitFor(/^pod1 +pod2 +pod3$/m);
    t.type('3 icmp -l minimal');
    t.keys('Enter');
    await t.waitFor(/^FORWARDED — delivered to default\/pod3 on node2 by redirect_peer \(ifindex 39\)$/m, true);
    // history: Up recalls the trace
    t.keys('Up');
    await t.waitFor(/^cilium-trace> trace pod1 pod3 icmp -l minimal$/m);
    t.keys('C-u');
    // trace --step takes the terminal and gives it back
    t.type('trace pod1 pod3 --step');
    t.keys('Enter');
    await t.waitFor(/^cilium-trace --step · step 1 of \d+$/m);
    t.keys('Enter', 'm');
    await t.waitFor(/^> +route {2}10\.0\.1\.105 via 10\.0\.0\.2/m);
    t.keys('q');
    await t.waitFor(/^FORWARDED — delivered to default\/pod3 on node2 by redirect_peer \(ifindex 39\)\ncilium-trace>$/m, true);
    // inline policy, ended by an empty line
    t.type('policy add');
    t.keys('Enter');
    await t.waitFor(/^\.\.\.$/m);
    for (const l of ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: deny-pod3}', 'spec: {endpointSelector: {matchLabels: {app: server}}, ingress: [{}]}', '']) {
      t.type(l);
      t.keys('Enter');
    }
    await t.waitFor(/^added CiliumNetworkPolicy default\/deny-pod3 \(<inline 1>:1\)$/m, true);
    t.type('trace pod1 pod3 -l minimal');
    t.keys('Enter');
    await t.waitFor(/^DROPPED — DROP_POLICY \(133\) "Policy denied"/m, true);
    // the YAML lines stay out of the history: Up, Up is the policy add itself
    t.keys('Up', 'Up');
    await t.waitFor(/^cilium-trace> policy add$/m);
    t.keys('C-u');
    // an error does not end the session
    t.type('trace nosuch pod3');
    t.keys('Enter');
    await t.waitFor(/^<command line>:1:7: unknown pod 'nosuch'/m, true);
    t.type('exit');
    t.keys('Enter');
    await t.waitFor(/^\[exit 0\]$/m, true);
  } finally {
    t.kill();
  }
});
