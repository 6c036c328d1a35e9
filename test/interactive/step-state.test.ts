// The --step state machine, driven directly: (model, state, key) → state + screen. No
// terminal: the screen is the text the TTY driver would paint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { ipv4 } from '../../src/net/ip.js';
import { colourStyle } from '../../src/render/style.js';
import type { Level } from '../../src/render/text.js';
import { loadDefaultScenario } from '../../src/scenario/load.js';
import { traceFlow, traceWithReply, withConntrackCopy, type FlowSpec } from '../../src/trace/run.js';
import type { TraceNode } from '../../src/trace/tree.js';
import { explainer } from '../../src/interactive/explain-source.js';
import { buildStepModel, orderedOf, type StepModel } from '../../src/interactive/step-model.js';
import { INITIAL, keyOf, press, reduce, render, type ScreenSize, type StepState } from '../../src/interactive/step-state.js';
import { splitKeys } from '../../src/interactive/step-tty.js';

const seed = buildCluster(loadDefaultScenario());
const SIZE: ScreenSize = { columns: 110, rows: 40 };
const ANSI = /\u001b\[[0-9;]*m/g;
const icmp: FlowSpec = { src: { kind: 'pod', ip: ipv4('10.0.0.157') }, dstIp: ipv4('10.0.1.105'), proto: 'icmp', dport: null, sport: 43210, traceArp: false };

function model(level: Level = 'detailed', withExplainer = false, reply = false): StepModel {
  const dp = withConntrackCopy(seed.datapath);
  const traces = reply
    ? (() => { const r = traceWithReply(seed, icmp, dp); return [{ label: 'forward' as const, result: r.forward }, ...(r.reply ? [{ label: 'reply' as const, result: r.reply }] : [])]; })()
    : [{ label: 'forward' as const, result: traceFlow(seed, icmp, dp) }];
  return buildStepModel({ traces, datapath: dp, labelsOf: (id) => seed.identities.labelStrings(id), level, explainer: withExplainer ? explainer : null });
}

/** The first step whose node satisfies `pred`. */
function stepWhere(m: StepModel, pred: (n: TraceNode) => boolean): number {
  const i = m.steps.findIndex((_, k) => { const o = orderedOf(m, k); return o !== undefined && pred(o.node); });
  assert.ok(i >= 0, 'no such step');
  return i;
}

function keys(m: StepModel, st: StepState, ...input: string[]): { state: StepState; screen: string } {
  let r = { state: st, screen: render(m, st, SIZE) };
  for (const k of input) r = press(m, r.state, k, SIZE);
  return r;
}

const at = (index: number): StepState => ({ ...INITIAL, index });

test('Enter and space go forward, b goes back; both stop at the ends with a message', () => {
  const m = model();
  let r = keys(m, INITIAL, 'b');
  assert.equal(r.state.index, 0);
  assert.match(r.screen, /this is the first step/);
  r = keys(m, INITIAL, '\r', ' ', 'n', '\x1b[C');
  assert.equal(r.state.index, 4);
  assert.match(r.screen, /step 5 of \d+/);
  r = keys(m, r.state, 'b', '\x1b[D', '\x7f');
  assert.equal(r.state.index, 1);
  const last = m.steps.length - 1;
  r = keys(m, INITIAL, 'G');
  assert.equal(r.state.index, last);
  r = keys(m, r.state, '\r');
  assert.equal(r.state.index, last);
  assert.match(r.screen, /this is the last step \(b goes back, q quits\)/);
  assert.equal(keys(m, r.state, 'g').state.index, 0);
});

test('the first step is the first hop; the last is the verdict', () => {
  const m = model();
  assert.match(render(m, INITIAL, SIZE), /^cilium-trace --step · step 1 of \d+\nicmp echo-request 10\.0\.0\.157 > 10\.0\.1\.105 .*\n\n> node1 \/ default\/pod1 netns — kernel$/m);
  const end = render(m, at(m.steps.length - 1), SIZE);
  assert.match(end, /^> FORWARDED — delivered to default\/pod3 on node2 by redirect_peer \(ifindex 39\)$/m);
});

test('the listing keeps the hop title and the enclosing functions as context', () => {
  const m = model();
  const i = stepWhere(m, (n) => n.kind === 'lookup' && n.map === 'cilium_ipcache');
  const screen = render(m, at(i), SIZE);
  assert.match(screen, /^ {2}node1 \/ lxcdb54060a47de — tc ingress — bpf_lxc\.o \[from-container\]$/m);
  assert.match(screen, /^ {10}lookup_ip4_remote_endpoint {2}bpf\/lib\/eps\.h:130$/m);
  assert.match(screen, /^> {11}lookup cilium_ipcache 10\.0\.1\.105\/32 → identity=14753/m);
});

test('m on a lookup: the whole map in the cilium CLI format, the hit row marked', () => {
  const m = model();
  const i = stepWhere(m, (n) => n.kind === 'lookup' && n.map === 'cilium_ipcache');
  const r = keys(m, at(i), 'm');
  assert.equal(r.state.panel, 'map');
  assert.match(r.screen, /^cilium_ipcache on node1 — cilium bpf ipcache list\n\(rows marked > are what this step read or wrote\)\n/m);
  assert.match(r.screen, /^ {2}IP PREFIX\/ADDRESS {3}IDENTITY$/m);
  assert.match(r.screen, /^> 10\.0\.1\.105\/32 {7}identity=14753 encryptkey=0 tunnelendpoint=1\.2\.3\.168 nodeid=32012$/m);
  assert.match(r.screen, /^ {2}10\.0\.0\.157\/32 {7}identity=47204/m);
  assert.equal(r.screen.split('\n').filter((l) => l.startsWith('> ')).length, 2, 'the step and its row');
  // m again closes it
  assert.equal(keys(m, r.state, 'm').state.panel, null);
});

test('m on a step that reads no map says so', () => {
  const m = model();
  const r = keys(m, INITIAL, 'm');
  assert.match(r.screen, /this step reads no BPF map \(m shows a map on lookup, conntrack, tail-call and policy steps\)/);
});

test('m on a policy verdict marks the entry that decided it; on a tail call the prog-array slot', () => {
  const m = model();
  const verdict = stepWhere(m, (n) => n.kind === 'policy' && n.direction === 'egress');
  const pol = keys(m, at(verdict), 'm').screen;
  assert.match(pol, /^cilium_policy_01703 on node1 — cilium bpf policy get 1703/m);
  assert.match(pol, /^> Allow {4}Egress {6}reserved:unknown {14}ANY/m);
  const tail = stepWhere(m, (n) => n.kind === 'tail_call');
  assert.match(keys(m, at(tail), 'm').screen, /^> cilium_calls_01703\[7\] = tail_handle_ipv4$/m);
});

test('m on a conntrack miss: no hit, the row a later step creates marked +', () => {
  const m = model();
  const miss = stepWhere(m, (n) => n.kind === 'ct' && n.dir === 'CT_EGRESS');
  const s = keys(m, at(miss), 'm').screen;
  assert.match(s, /^cilium_ct_any4_global on node1 — cilium bpf ct list global\n\(rows marked \+ are written by a later step: the dump is the map after the trace\)\n/m);
  assert.match(s, /^ {2}no row for ICMP OUT 10\.0\.0\.157:1 -> 10\.0\.1\.105:0: CT_NEW$/m);
  assert.match(s, /^\+ ICMP OUT 10\.0\.0\.157:1 -> 10\.0\.1\.105:0 expires=1060/m);
  const create = stepWhere(m, (n) => n.kind === 'ct_create');
  assert.match(keys(m, at(create), 'm').screen, /^> ICMP OUT 10\.0\.0\.157:1 -> 10\.0\.1\.105:0 expires=1060/m);
});

test('p after encapsulation shows the outer and the inner headers; after decap only the inner', () => {
  const m = model();
  const outer = stepWhere(m, (n) => n.kind === 'packet' && n.label === 'outer');
  const s = keys(m, at(outer), 'p').screen;
  assert.match(s, /^packet after this step/m);
  assert.match(s, /^ {2}outer {2}eth {3}52:54:00:4e:1a:67 > 52:54:00:71:c3:a8$/m);
  assert.match(s, /^ {9}ip {4}1\.2\.3\.167 > 1\.2\.3\.168 {2}ttl 64 {2}proto udp$/m);
  assert.match(s, /^ {9}udp {3}51023 > 8472$/m);
  assert.match(s, /^ {9}vxlan vni 47204 \(the source security identity\)$/m);
  assert.match(s, /^ {2}inner {2}eth {3}36:b0:81:dd:cb:53 > 5a:e7:3b:d0:b8:c5$/m);
  assert.match(s, /^ {9}ip {4}10\.0\.0\.157 > 10\.0\.1\.105 {2}ttl 64 {2}proto icmp$/m);
  const decap = stepWhere(m, (n) => n.kind === 'decap');
  const d = keys(m, at(decap), 'p').screen;
  assert.doesNotMatch(d, /outer {2}eth/);
  assert.match(d, /^ {9}ip {4}10\.0\.0\.157 > 10\.0\.1\.105 {2}ttl 64/m);
  // the TTL rewrite on node2 shows up in the next snapshot, and the panel follows the steps
  const ttl = stepWhere(m, (n) => n.kind === 'rewrite' && n.field === 'ttl');
  const t = keys(m, at(ttl - 1), 'p', '\r');
  assert.equal(t.state.panel, 'packet');
  assert.match(t.screen, /ttl 63 {2}proto icmp/);
});

test('e explains the step from its data, with the explain topic when there is one', () => {
  const m = model('detailed', true);
  const i = stepWhere(m, (n) => n.kind === 'lookup' && n.map === 'cilium_ipcache');
  const big = { columns: 110, rows: 80 };
  const s = render(m, reduce(m, at(i), 'explain', big), big);
  assert.match(s, /^ {2}A lookup in cilium_ipcache on node1, key 10\.0\.1\.105\/32\.$/m);
  assert.match(s, /^ {2}The entry is there because of: pod default\/pod3 \(scenarios\/default\.yaml:71\)\.$/m);
  assert.match(s, /^ {2}cilium-trace explain cilium_ipcache:$/m);
  const none = model();
  assert.match(render(none, reduce(none, at(i), 'explain', big), big), /explanations are not available in this build/);
});

test('q quits with an empty screen; unknown keys change nothing but the message', () => {
  const m = model();
  const r = keys(m, at(3), 'q');
  assert.equal(r.state.quit, true);
  assert.equal(r.screen, '');
  assert.equal(keys(m, at(3), '\x03').state.quit, true);
  const u = keys(m, at(3), 'z');
  assert.equal(u.state.index, 3);
  assert.match(u.screen, /unknown key "z" \(\? lists the keys\)/);
});

test('the screen is exactly the terminal size, and colour is only escapes around the same text', async () => {
  const m = model();
  for (const size of [{ columns: 80, rows: 24 }, { columns: 40, rows: 12 }, SIZE]) {
    for (const st of [INITIAL, at(20), reduce(m, at(20), 'map', size), reduce(m, at(48), 'packet', size)]) {
      const lines = render(m, st, size).split('\n');
      assert.equal(lines.length, size.rows);
      for (const l of lines) assert.ok([...l].length <= size.columns, `too wide: ${l}`);
    }
  }
  const st = reduce(m, at(20), 'map', SIZE);
  const coloured = render(m, st, SIZE, await colourStyle());
  assert.match(coloured, ANSI);
  assert.equal(coloured.replace(ANSI, ''), render(m, st, SIZE));
});

test('a long panel scrolls with the arrows and says what is hidden', () => {
  const m = model('detailed', true);
  const small = { columns: 100, rows: 24 };
  const i = stepWhere(m, (n) => n.kind === 'lookup' && n.map === 'cilium_ipcache');
  let st = reduce(m, at(i), 'explain', small);
  assert.match(render(m, st, small), /… \d+ more lines \(↓ or PgDn to scroll\)/);
  st = reduce(m, st, 'pagedown', small);
  assert.ok((st.scroll ?? 0) > 0);
  assert.match(render(m, st, small), /… \d+ lines above \(↑ or PgUp\)/);
  st = reduce(m, st, 'up', small);
  assert.equal(reduce(m, { ...st, panel: null }, 'down', small).message, 'nothing to scroll: this step fits on the screen (m, p or e opens a panel)');
});

test('levels: summary drops fn steps, minimal is one step per hop plus the verdict', () => {
  const detailed = model('detailed');
  const summary = model('summary');
  const minimal = model('minimal');
  const fwd = detailed.traces[0]?.result;
  assert.ok(fwd);
  assert.ok(summary.steps.length < detailed.steps.length);
  assert.ok(summary.steps.every((s, k) => s.kind === 'verdict' || orderedOf(summary, k)?.node.kind !== 'fn'));
  assert.equal(minimal.steps.length, fwd.hops.length + 1);
  assert.match(render(minimal, at(1), SIZE), /^> node1 \/ lxcdb54060a47de — tc ingress — bpf_lxc\.o \[from-container\]\n {4}trace TRACE_FROM_LXC/m);
});

test('--reply: the reply follows the forward trace, each closed by its verdict', () => {
  const m = model('minimal', false, true);
  assert.equal(m.traces.length, 2);
  const verdicts = m.steps.flatMap((s, k) => (s.kind === 'verdict' ? [k] : []));
  assert.equal(verdicts.length, 2);
  const reply = render(m, at((verdicts[0] ?? 0) + 1), SIZE);
  assert.match(reply, /^cilium-trace --step · reply · step \d+ of \d+\nicmp echo-reply 10\.0\.1\.105 > 10\.0\.0\.157/);
});

test('terminal input: escape sequences are whole keys', () => {
  assert.deepEqual(splitKeys('\r \x1b[A\x1b[6~qm\r\n'), ['\r', ' ', '\x1b[A', '\x1b[6~', 'q', 'm', '\r']);
  assert.equal(keyOf('\x1b[B'), 'down');
  assert.equal(keyOf('\x1b'), 'close');
  assert.equal(keyOf('x'), undefined);
});
