// --step in a real 80×24 terminal (tmux), the size of a projector at a readable font: the
// proposed policy of a drop is reachable by scrolling the step, j shows the next line, and a
// panel with no room beside the listing takes the screen until Esc or q.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TMUX_MISSING, TmuxSession, tmuxAvailable } from './tmux.js';

const skip = tmuxAvailable() ? false : TMUX_MISSING;
const FOOTER = /^Enter\/space next · b back · m map · p packet · e explain · \? keys · q quit$/m;

/** The captured screen is the terminal: 24 rows of at most 80 columns. */
function assertFits(screen: string): void {
  const lines = screen.replace(/\n$/, '').split('\n');
  assert.equal(lines.length, 24, screen);
  for (const l of lines) assert.ok([...l].length <= 80, `wider than 80: ${l}`);
}

test('80×24: the fix of a dropped flow is reachable, j scrolls, e takes the screen, q gives it back', { skip, timeout: 90000 }, async () => {
  const t = new TmuxSession('step80-drop');
  try {
    t.start('node bin/cilium-trace.cjs --scenario l3-policy app2 app1 tcp/8080 --step', 80, 24);
    await t.waitFor(/cilium-trace --step · step 1 of \d+/);
    t.keys('G');
    const last = await t.waitFor(/^> DROPPED — DROP_POLICY \(133\)/m);
    assertFits(last);
    assert.match(last, /^ {2}what would allow it \(the smallest policy to add\):$/m);
    assert.match(last, /^ {2}… \d+ more lines \(↓ or PgDn to scroll\)$/m);
    assert.doesNotMatch(last, /toPorts:/);
    // j: one line further (the "above" marker takes the first row, one new line shows below)
    const lines = (s: string) => s.split('\n').filter((l) => l.startsWith('    '));
    t.keys('j');
    const one = await t.waitFor(/^ {2}… 2 lines above \(↑ or PgUp\)$/m);
    const before = lines(last);
    const after = lines(one);
    assert.equal(after[after.length - 1] !== before[before.length - 1], true, 'a new line at the bottom');
    assert.ok(after.includes(before[before.length - 1] as string));
    // PgDn: the whole proposed policy, nothing more below
    t.keys('PgDn');
    const fix = await t.waitFor(/^ {16}- port: "8080"\n {18}protocol: TCP$/m);
    assertFits(fix);
    assert.match(fix, /^ {4}kind: CiliumNetworkPolicy$/m);
    assert.match(fix, /^ {6}name: allow-app2-to-app1-tcp-8080-ingress$/m);
    assert.doesNotMatch(fix, /more lines/);
    assert.match(fix, FOOTER);
    // e: no room under the listing, so the explanation takes the screen
    t.keys('e');
    const e = await t.waitFor(/panel on the whole screen/);
    assertFits(e);
    assert.match(e, /^what this step means\n {2}The trace ends: DROPPED\.$/m);
    assert.match(e, /^ {2}cilium-trace explain DROP_POLICY:$/m);
    assert.match(e, /^Esc or q back to the step · ↑ ↓ PgUp PgDn scroll · Enter\/space next · b back$/m);
    t.keys('q');
    const back = await t.waitFor(FOOTER);
    assert.match(back, /^ {16}- port: "8080"$/m, 'the step comes back scrolled where it was');
    t.keys('q');
    const end = await t.waitFor(/\[exit \d+\]/);
    // The verdict left on the terminal wraps at its width, indented (F21).
    assert.match(end, /^DROPPED — DROP_POLICY \(133\) "Policy denied" \[POLICY_DENIED\] in\n {4}policy_can_access_ingress \(ingress\) on runtime1\n\[exit 1\]$/m);
  } finally {
    t.kill();
  }
});

test('80×24: cilium-trace pod1 pod3 icmp --step: m on the ipcache lookup takes the screen, Esc returns, PgDn on a step that fits says so', { skip, timeout: 90000 }, async () => {
  const t = new TmuxSession('step80-map');
  try {
    t.start('node bin/cilium-trace.cjs pod1 pod3 icmp --step', 80, 24);
    await t.waitFor(/cilium-trace --step · step 1 of \d+/);
    // The 23rd step is the first ipcache lookup (test/interactive/pty/step.test.ts finds it from the model).
    t.keys(...new Array<string>(22).fill('Enter'));
    const step = await t.waitFor(/^> +lookup cilium_ipcache 10\.0\.1\.105\/32 → identity=14753 encryptkey=0$/m);
    assertFits(step);
    t.keys('PgDn');
    await t.waitFor(/^nothing to scroll: this step fits on the screen \(m, p or e opens a panel\)$/m);
    t.keys('m');
    const map = await t.waitFor(/panel on the whole screen/);
    assertFits(map);
    assert.match(map, /^cilium_ipcache on node1 — cilium bpf ipcache list\n\(rows marked > are what this step read or wrote\)\n {2}IP PREFIX\/ADDRESS {3}IDENTITY$/m);
    assert.match(map, /^> 10\.0\.1\.105\/32 {7}identity=14753 encryptkey=0 tunnelendpoint=1\.2\.3\.168\n {22}nodeid=32012$/m);
    t.keys('Escape');
    const back = await t.waitFor(FOOTER);
    assert.match(back, /^> +lookup cilium_ipcache 10\.0\.1\.105\/32/m);
    t.keys('q');
    assert.match(await t.waitFor(/\[exit \d+\]/), /^FORWARDED — delivered to default\/pod3 on node2 by redirect_peer \(ifindex 39\)\n\[exit 0\]$/m);
  } finally {
    t.kill();
  }
});
