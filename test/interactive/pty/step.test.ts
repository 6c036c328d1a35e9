// --step in a real terminal (tmux): Enter walks, m shows the map with the hit row, p the
// packet, b goes back, q restores the screen and exits with the trace's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster } from '../../../src/controlplane/cluster.js';
import { ipv4 } from '../../../src/net/ip.js';
import { loadDefaultScenario } from '../../../src/scenario/load.js';
import { traceFlow, withConntrackCopy } from '../../../src/trace/run.js';
import { buildStepModel, orderedOf } from '../../../src/interactive/step-model.js';
import { TMUX_MISSING, TmuxSession, tmuxAvailable } from './tmux.js';

const skip = tmuxAvailable() ? false : TMUX_MISSING;

/** The step index of pod1 → pod3's first ipcache lookup, from the same model the UI builds. */
function ipcacheStep(): { index: number; total: number } {
  const seed = buildCluster(loadDefaultScenario());
  const dp = withConntrackCopy(seed.datapath);
  const r = traceFlow(seed, { src: { kind: 'pod', ip: ipv4('10.0.0.157') }, dstIp: ipv4('10.0.1.105'), proto: 'icmp', dport: null, sport: 43210, traceArp: false }, dp);
  const m = buildStepModel({ traces: [{ label: 'forward', result: r }], datapath: dp, labelsOf: () => undefined, level: 'detailed', explainer: null });
  const index = m.steps.findIndex((_, k) => { const n = orderedOf(m, k)?.node; return n?.kind === 'lookup' && n.map === 'cilium_ipcache'; });
  return { index, total: m.steps.length };
}

test('cilium-trace pod1 pod3 icmp --step in a terminal: Enter, m, p, b, q', { skip, timeout: 90000 }, async () => {
  const { index, total } = ipcacheStep();
  const t = new TmuxSession('step');
  try {
    t.start('node bin/cilium-trace.cjs pod1 pod3 icmp --step');
    await t.waitFor(new RegExp(`cilium-trace --step · step 1 of ${total}`));
    assert.match(t.screen(), /^> node1 \/ default\/pod1 netns — kernel$/m);
    assert.match(t.screen(), /Enter\/space next · b back · m map · p packet · e explain · \? keys · q quit/);
    t.keys(...new Array<string>(index).fill('Enter'));
    await t.waitFor(new RegExp(`step ${index + 1} of ${total}`));
    assert.match(t.screen(), /^> +lookup cilium_ipcache 10\.0\.1\.105\/32 → identity=14753/m);
    t.keys('m');
    const map = await t.waitFor(/^> 10\.0\.1\.105\/32 +identity=14753 encryptkey=0 tunnelendpoint=1\.2\.3\.168 nodeid=32012/m);
    assert.match(map, /^cilium_ipcache on node1 — cilium bpf ipcache list$/m);
    assert.match(map, /^ {2}IP PREFIX\/ADDRESS {3}IDENTITY$/m);
    t.keys('p');
    const pkt = await t.waitFor(/^packet after this step/m);
    assert.match(pkt, /^ +eth {3}36:b0:81:dd:cb:53 > 5a:e7:3b:d0:b8:c5$/m);
    assert.match(pkt, /^ +ip {4}10\.0\.0\.157 > 10\.0\.1\.105 {2}ttl 64 {2}proto icmp$/m);
    t.keys('b');
    await t.waitFor(new RegExp(`step ${index} of ${total}`));
    t.keys('q');
    const after = await t.waitFor(/\[exit \d+\]/);
    assert.match(after, /^FORWARDED — delivered to default\/pod3 on node2 by redirect_peer \(ifindex 39\)\n\[exit 0\]$/m);
    assert.doesNotMatch(after, /Enter\/space next/, 'the alternate screen is gone');
  } finally {
    t.kill();
  }
});

test('--step refuses without a terminal on stdin, even inside one', { skip, timeout: 60000 }, async () => {
  const t = new TmuxSession('step-pipe');
  try {
    t.start('echo | node bin/cilium-trace.cjs pod1 pod3 icmp --step');
    const s = await t.waitFor(/\[exit \d+\]/);
    assert.match(s, /^cilium-trace: --step needs a terminal \(stdin and stdout must be a TTY\); leave out --step to print the whole trace\n\[exit 2\]$/m);
  } finally {
    t.kill();
  }
});
