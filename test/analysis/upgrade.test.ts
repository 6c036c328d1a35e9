// The upgrade view's mechanisms on small trace trees: which release changes a pair of traces
// crosses (features.ts `since` between the two releases) and which lookups the two releases
// print differently (the same map family at the same place of the path).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cellWhyLines, featuresOf, mapFamily, mapFormatChanges, releaseChangeLines, releaseChanges, upgradeFlowJson, upgradeFlowText } from '../../src/analysis/upgrade.js';
import { diffFlows } from '../../src/analysis/flow-diff.js';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { loadDefaultScenario } from '../../src/scenario/load.js';
import { resolveDestination, resolveSource } from '../../src/cli/endpoints.js';
import { DEFAULT_SPORT, traceFlow } from '../../src/trace/run.js';
import type { Feature } from '../../src/cilium/releases/features.js';
import type { TraceNode, TraceResult } from '../../src/trace/tree.js';

function trace(cilium: string, children: TraceNode[]): TraceResult {
  const hop: TraceNode = { kind: 'hop', node: 'node1', where: 'lxc1', hook: 'tc ingress', children };
  return { context: { cilium }, hops: [hop] } as unknown as TraceResult;
}
const note = (feature: Feature): TraceNode => ({ kind: 'note', text: feature, feature });
const lookup = (map: string, key: string, result: string | null): TraceNode => ({ kind: 'lookup', map, key, result });

describe('release changes behind an upgrade', () => {
  it('features.ts policy-lpm-prefix-length (since 1.16.4): crossed by 1.13.0 → 1.18.3, not by 1.16.15 → 1.18.3', () => {
    const notes = [note('policy-lpm-prefix-length'), note('ipcache-v2'), note('policy-lpm')];
    const long = releaseChanges(trace('v1.13.0', []), trace('v1.18.3', notes));
    assert.deepEqual(long.map((c) => [c.feature, c.since, c.before, c.after]), [
      ['policy-lpm', '1.14.0', false, true],
      ['policy-lpm-prefix-length', '1.16.4', false, true],
      ['ipcache-v2', '1.18.0', false, true],
    ]);
    const short = releaseChanges(trace('v1.16.15', [note('policy-lpm')]), trace('v1.18.3', notes));
    assert.deepEqual(short.map((c) => c.feature), ['ipcache-v2']);
  });

  it('a downgrade crosses the same changes (the older release may be either side)', () => {
    const down = releaseChanges(trace('v1.18.3', [note('no-tunnel-map')]), trace('v1.13.0', []));
    assert.deepEqual(down.map((c) => [c.feature, c.before, c.after]), [['no-tunnel-map', true, false]]);
  });

  it('no feature on the path: the view says so instead of naming one', () => {
    const lines = releaseChangeLines([], trace('v1.16.15', []), trace('v1.18.3', []));
    assert.deepEqual(lines, ['release changes (v1.16.15 → v1.18.3): no release change recorded on this path']);
  });

  it('features are read from notes at any depth, once each', () => {
    const fn: TraceNode = { kind: 'fn', fn: 'f', file: 'bpf/bpf_lxc.c', line: 1, children: [note('tcx'), note('tcx')] };
    assert.deepEqual(featuresOf(trace('v1.16.15', [fn, note('ep-not-ready')])), ['tcx', 'ep-not-ready']);
  });
});

describe('map formats: the same lookup printed by two releases', () => {
  it('v1.18.3 pkg/maps/ipcache/ipcache.go:33 cilium_ipcache_v2 and policymap.go:36 cilium_policy_v2_ pair with the v1.13.0 names', () => {
    assert.equal(mapFamily('cilium_ipcache_v2'), 'cilium_ipcache');
    assert.equal(mapFamily('cilium_policy_v2_00505'), 'cilium_policy_00505');
    assert.equal(mapFamily('cilium_lb4_services_v2'), 'cilium_lb4_services');
    const before = trace('v1.13.0', [
      lookup('cilium_ipcache', '10.0.1.105/32', 'identity=14753'),
      lookup('cilium_lxc', '10.0.0.157:0', 'id=505'),
      lookup('cilium_policy_00505', '{identity=14753 egress}', 'Allow'),
      lookup('cilium_ipcache', '10.0.1.105/32', 'identity=14753'),
    ]);
    const after = trace('v1.18.3', [
      lookup('cilium_ipcache_v2', '10.0.1.105/32', 'identity=14753 flags=hastunnel'),
      lookup('cilium_lxc', '10.0.0.157:0', 'id=505'),
      lookup('cilium_lb4_services_v2', '10.96.0.10:80/TCP', null),
      lookup('cilium_policy_v2_00505', '{identity=14753 egress}', 'Allow'),
      lookup('cilium_ipcache_v2', '10.0.1.105/32', 'identity=14753 flags=hastunnel'),
    ]);
    const changes = mapFormatChanges(before, after);
    // The lxc lookup prints the same; the lb lookup only 1.18 makes pairs with nothing; the
    // second ipcache lookup repeats the first pair and is listed once.
    assert.deepEqual(changes.map((c) => [c.before.map, c.after.map, c.after.result]), [
      ['cilium_ipcache', 'cilium_ipcache_v2', 'identity=14753 flags=hastunnel'],
      ['cilium_policy_00505', 'cilium_policy_v2_00505', 'Allow'],
    ]);
  });

  it('identical lookups: no format change', () => {
    const t = [lookup('cilium_lxc', '10.0.0.157:0', 'id=505')];
    assert.deepEqual(mapFormatChanges(trace('v1.13.0', t), trace('v1.18.3', t)), []);
  });
});

describe('matrix form: why a cell changed', () => {
  it('drop reason before/after and the features of that cell\'s two traces (features.ts ep-not-ready, since 1.16.0)', () => {
    const before = trace('v1.13.0', []);
    const after = trace('v1.16.15', [note('ep-not-ready')]);
    const lines = cellWhyLines([{
      change: { section: 'tcp/80', from: 'default/pod1', to: 'default/pod2', kind: 'removed path', before: { verdict: 'FORWARDED', reason: null, macro: null, fn: null, direction: null }, after: { verdict: 'DROPPED', reason: 'EP_NOT_READY', macro: 'DROP_EP_NOT_READY', fn: 'tail_call_policy', direction: 'ingress' } },
      before, after, changes: releaseChanges(before, after),
    }]);
    assert.deepEqual(lines, [
      'why each cell changed:',
      '  tcp/80 default/pod1 → default/pod2: FORWARDED → DROPPED (EP_NOT_READY)',
      '    drop reason: none (FORWARDED) → EP_NOT_READY (DROP_EP_NOT_READY in tail_call_policy)',
      '    release changes (v1.13.0 → v1.16.15) recorded on these paths:',
      '      ep-not-ready (1.16.0, seen after): a missing policy program drops with DROP_EP_NOT_READY (203) [bpf/lib/maps.h tail_call_policy@1.16.0]',
    ]);
  });
});

describe('flow form on a real path', () => {
  // A real v1.13.0 trace of pod1 → pod3, and the same tree as v1.18.3 would name its ipcache
  // (pkg/maps/ipcache/ipcache.go:33) with the note that says why: what the datapath helpers'
  // traces record once their work is in, built here so the view is held to it now.
  const cluster = buildCluster(loadDefaultScenario({ cilium: { profile: '1.13', why: '--cilium 1.13' } }));
  const dst = resolveDestination(cluster, { text: 'pod3', col: 1 });
  const before = traceFlow(cluster, { src: resolveSource(cluster, { text: 'pod1', col: 1 }, dst.ip), dstIp: dst.ip, proto: 'icmp', dport: null, sport: DEFAULT_SPORT, traceArp: false });
  const rename = (nodes: readonly TraceNode[]): TraceNode[] => nodes.map((n) => {
    if (n.kind === 'lookup' && n.map === 'cilium_ipcache') return { ...n, map: 'cilium_ipcache_v2' };
    return 'children' in n ? { ...n, children: rename(n.children) } : n;
  });
  const [first, ...rest] = rename(before.hops);
  const withNote = first && 'children' in first ? [{ ...first, children: [note('ipcache-v2'), ...first.children] }, ...rest] : [];
  const after = { ...before, context: { ...before.context, cilium: 'v1.18.3', profile: '1.18', profileWhy: '--cilium2 1.18' }, hops: withNote } as TraceResult;
  const labels = { before: '--scenario default, Cilium v1.13.0: --cilium 1.13', after: '--scenario default, Cilium v1.18.3: --cilium2 1.18' };

  it('the ipcache lookups pair up as a format change, and ipcache-v2 (1.18.0) is named behind them', () => {
    const d = diffFlows(before, after);
    assert.equal(d.identical, false, 'the renamed lookups are different steps');
    const text = upgradeFlowText(d, labels);
    assert.match(text, /\nbefore \(--scenario default, Cilium v1\.13\.0: --cilium 1\.13\): FORWARDED — delivered to default\/pod3 on node2 /);
    assert.match(text, /\nfirst divergence \(step \d+\):\n  only before: lookup cilium_ipcache 10\.0\.1\.105\/32 → /);
    assert.match(text, /\n\nmap formats \(the same lookup, as each release prints it\):\n  cilium_ipcache → cilium_ipcache_v2\n    before: cilium_ipcache 10\.0\.1\.105\/32 → identity=14753 [^\n]+\n    after:  cilium_ipcache_v2 10\.0\.1\.105\/32 → identity=14753 /);
    assert.match(text, /\n\nrelease changes \(v1\.13\.0 → v1\.18\.3\) recorded on these paths:\n  ipcache-v2 \(1\.18\.0, seen after\): the ipcache map is cilium_ipcache_v2 \[pkg\/maps\/ipcache\/ipcache\.go@1\.18\.0\]\n\nsteps /);
    assert.match(text, /\nchanged: FORWARDED → FORWARDED\n$/);
    const j = upgradeFlowJson(d, labels) as { upgrade: { before: string; after: string; mapFormats: Array<{ before: { map: string }; after: { map: string } }>; releaseChanges: Array<{ feature: string; seenAfter: boolean }> } };
    assert.deepEqual([j.upgrade.before, j.upgrade.after], ['v1.13.0', 'v1.18.3']);
    assert.deepEqual([...new Set(j.upgrade.mapFormats.map((m) => `${m.before.map}>${m.after.map}`))], ['cilium_ipcache>cilium_ipcache_v2']);
    assert.deepEqual(j.upgrade.releaseChanges.map((c) => [c.feature, c.seenAfter]), [['ipcache-v2', true]]);
  });
});
