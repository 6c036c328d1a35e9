// --step on a projector-sized terminal (80×24): the step's own text scrolls with ↓/j/PgDn and
// says how much is hidden, a panel without room beside the listing takes the whole screen
// (Esc or q gives it back), and every key does something visible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { loadScenario } from '../../src/cli/cluster-source.js';
import { ipv4 } from '../../src/net/ip.js';
import { loadDefaultScenario } from '../../src/scenario/load.js';
import { traceFlow, withConntrackCopy, type FlowSpec } from '../../src/trace/run.js';
import { explainer } from '../../src/interactive/explain-source.js';
import { buildStepModel, orderedOf, type StepModel } from '../../src/interactive/step-model.js';
import { INITIAL, keyOf, panelIsFull, press, reduce, render, type ScreenSize, type StepState } from '../../src/interactive/step-state.js';

const SMALL: ScreenSize = { columns: 80, rows: 24 };
const BIG: ScreenSize = { columns: 110, rows: 40 };

function modelOf(scenario: string | null, spec: FlowSpec): StepModel {
  const cluster = buildCluster(scenario ? loadScenario({ scenario }) : loadDefaultScenario());
  const dp = withConntrackCopy(cluster.datapath);
  const traces = [{ label: 'forward' as const, result: traceFlow(cluster, spec, dp) }];
  return buildStepModel({ traces, datapath: dp, labelsOf: (id) => cluster.identities.labelStrings(id), level: 'detailed', explainer });
}

/** app2 → app1 tcp/8080 in the l3-policy scenario: dropped, with a proposed policy at the end. */
const dropped = modelOf('l3-policy', { src: { kind: 'pod', ip: ipv4('10.11.90.17') }, dstIp: ipv4('10.11.71.148'), proto: 'tcp', dport: 8080, sport: 43210, traceArp: false });
/** pod1 → pod3 icmp in the default cluster. */
const forwarded = modelOf(null, { src: { kind: 'pod', ip: ipv4('10.0.0.157') }, dstIp: ipv4('10.0.1.105'), proto: 'icmp', dport: null, sport: 43210, traceArp: false });

const lastStep = (m: StepModel): StepState => ({ ...INITIAL, index: m.steps.length - 1 });

function run(m: StepModel, st: StepState, size: ScreenSize, ...input: string[]): { state: StepState; screen: string } {
  let r = { state: st, screen: render(m, st, size) };
  for (const k of input) r = press(m, r.state, k, size);
  return r;
}

function assertFits(screen: string, size: ScreenSize): void {
  const lines = screen.split('\n');
  assert.equal(lines.length, size.rows, screen);
  for (const l of lines) assert.ok([...l].length <= size.columns, `wider than ${size.columns}: ${l}`);
}

test('80×24: the verdict of a drop says how many lines are hidden; PgDn reaches the proposed policy', () => {
  const first = run(dropped, lastStep(dropped), SMALL);
  assertFits(first.screen, SMALL);
  assert.match(first.screen, /^> DROPPED — DROP_POLICY \(133\) "Policy denied" \[POLICY_DENIED\] in$/m);
  const more = /^ {2}… (\d+) more lines \(↓ or PgDn to scroll\)$/m.exec(first.screen);
  assert.ok(more, first.screen);
  assert.doesNotMatch(first.screen, /toPorts:/);
  const down = run(dropped, first.state, SMALL, '\x1b[6~');
  assertFits(down.screen, SMALL);
  assert.match(down.screen, /^ {2}… \d+ lines above \(↑ or PgUp\)$/m);
  // The last line of the proposed policy is on the screen, and nothing is hidden below it.
  assert.match(down.screen, /^ {16}- port: "8080"\n {18}protocol: TCP\n/m);
  assert.doesNotMatch(down.screen, /more lines/);
  // At the end a further ↓ says so instead of doing nothing.
  const end = run(dropped, down.state, SMALL, 'j');
  assert.deepEqual(end.state.bodyScroll, down.state.bodyScroll);
  assert.match(end.screen, /^the end of this step \(↑ scrolls up\)$/m);
  assertFits(end.screen, SMALL);
});

test('80×24: j and k move the step text; each j shows the next line of the listing', () => {
  const top = run(dropped, lastStep(dropped), SMALL);
  const content = (s: string) => s.split('\n').slice(4, 22).filter((l) => !l.startsWith('  … '));
  const below = (s: string) => Number(/… (\d+) more lines/.exec(s)?.[1]);
  // The first j puts the "above" marker where the first line was and shows one new line.
  const one = run(dropped, top.state, SMALL, 'j');
  assert.equal(one.state.bodyScroll, 2);
  assert.match(one.screen, /^ {2}… 2 lines above \(↑ or PgUp\)$/m);
  assert.equal(below(one.screen), below(top.screen) - 1);
  assert.deepEqual(content(one.screen).slice(0, -1), content(top.screen).slice(2));
  // Each further j: one line more above, one less below, the listing moved up by one.
  const two = run(dropped, one.state, SMALL, '\x1b[B');
  assert.equal(below(two.screen), below(one.screen) - 1);
  assert.deepEqual(content(two.screen).slice(0, -1), content(one.screen).slice(1));
  const back = run(dropped, two.state, SMALL, 'k', '\x1b[A');
  assert.equal(back.state.bodyScroll, 0);
  assert.equal(back.screen, top.screen);
  assert.match(run(dropped, back.state, SMALL, 'k').screen, /^the top of this step \(↓ scrolls down\)$/m);
});

test('80×24: e on the drop takes the whole screen; Esc and q give the step back, q then quits', () => {
  const e = run(dropped, lastStep(dropped), SMALL, 'e');
  assertFits(e.screen, SMALL);
  assert.equal(panelIsFull(dropped, e.state, SMALL), true);
  assert.match(e.screen, /^cilium-trace --step · step \d+ of \d+ · panel on the whole screen\nwhat this step means\n {2}The trace ends: DROPPED\.$/m);
  assert.match(e.screen, /^Esc or q back to the step · ↑ ↓ PgUp PgDn scroll · Enter\/space next · b back$/m);
  assert.doesNotMatch(e.screen, /^> DROPPED/m, 'the listing gave its rows to the panel');
  // The panel scrolls on the whole screen too.
  const scrolled = run(dropped, e.state, SMALL, '\x1b[6~');
  assert.ok((scrolled.state.scroll ?? 0) > 0);
  assert.match(scrolled.screen, /lines above \(↑ or PgUp\)/);
  for (const back of ['q', '\x1b']) {
    const r = run(dropped, e.state, SMALL, back);
    assert.deepEqual([r.state.panel, r.state.quit], [null, false], JSON.stringify(back));
    assert.match(r.screen, /^Enter\/space next · b back · m map · p packet · e explain · \? keys · q quit$/m);
  }
  assert.equal(run(dropped, e.state, SMALL, 'q', 'q').state.quit, true);
  assert.equal(run(dropped, e.state, SMALL, '\x03').state.quit, true, 'Ctrl-C always quits');
  // On a big terminal the same panel sits under the listing, and q quits.
  const big = run(dropped, lastStep(dropped), BIG, 'e');
  assert.equal(panelIsFull(dropped, big.state, BIG), false);
  assert.match(big.screen, /^> DROPPED — DROP_POLICY/m);
  assert.match(big.screen, /^what this step means$/m);
  assert.equal(run(dropped, big.state, BIG, 'q').state.quit, true);
});

test('80×24: m on the ipcache lookup shows the whole map with the hit row; a short panel stays beside the listing', () => {
  const i = forwarded.steps.findIndex((_, k) => { const n = orderedOf(forwarded, k)?.node; return n?.kind === 'lookup' && n.map === 'cilium_ipcache'; });
  const st: StepState = { ...INITIAL, index: i };
  const m = run(forwarded, st, SMALL, 'm');
  assertFits(m.screen, SMALL);
  assert.equal(panelIsFull(forwarded, m.state, SMALL), true);
  assert.match(m.screen, /^cilium_ipcache on node1 — cilium bpf ipcache list$/m);
  assert.match(m.screen, /^> 10\.0\.1\.105\/32 {7}identity=14753 encryptkey=0 tunnelendpoint=1\.2\.3\.168\n {22}nodeid=32012$/m);
  // Steps move under a panel that has the screen; the panel follows.
  const next = run(forwarded, m.state, SMALL, '\r');
  assert.deepEqual([next.state.index, next.state.panel], [i + 1, 'map']);
  const p = run(forwarded, st, SMALL, 'p');
  assert.equal(panelIsFull(forwarded, p.state, SMALL), false);
  assert.match(p.screen, /^> {11}lookup cilium_ipcache 10\.0\.1\.105\/32 → identity=14753 encryptkey=0$/m);
  assert.match(p.screen, /^packet after this step/m);
  assertFits(p.screen, SMALL);
});

test('no key is swallowed: each one changes the state or the screen, at either end and with or without a panel', () => {
  const inputs = ['\r', ' ', 'n', 'b', 'g', 'G', 'm', 'p', 'e', '?', 'h', '\x1b', 'k', 'j', '\x1b[A', '\x1b[B', '\x1b[5~', '\x1b[6~', 'q', '\x03', 'z', '\x1b[15~'];
  const states: StepState[] = [INITIAL, lastStep(dropped), reduce(dropped, lastStep(dropped), 'explain', SMALL), reduce(dropped, INITIAL, 'packet', SMALL), reduce(dropped, INITIAL, 'help', SMALL)];
  for (const st of states) {
    for (const input of inputs) {
      const before = render(dropped, st, SMALL);
      const after = press(dropped, st, input, SMALL);
      const same = JSON.stringify(after.state) === JSON.stringify(st) && after.screen === before;
      assert.ok(!same, `key ${JSON.stringify(input)} (${keyOf(input) ?? 'unknown'}) did nothing at step ${st.index + 1} with panel ${st.panel}`);
    }
  }
});

test('every size from 40×12 to 120×40 fills the screen exactly, panels open or not', () => {
  const i = forwarded.steps.findIndex((_, k) => orderedOf(forwarded, k)?.node.kind === 'policy');
  for (const size of [{ columns: 40, rows: 12 }, { columns: 60, rows: 16 }, SMALL, { columns: 100, rows: 30 }, { columns: 120, rows: 40 }]) {
    for (const [m, st] of [[dropped, lastStep(dropped)], [forwarded, { ...INITIAL, index: i }]] as const) {
      for (const panel of [null, 'map', 'packet', 'explain', 'help'] as const) {
        const state = { ...st, panel };
        assertFits(render(m, state, size), size);
        assertFits(render(m, reduce(m, state, 'pagedown', size), size), size);
      }
    }
  }
});
