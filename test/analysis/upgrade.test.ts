// The upgrade view's mechanisms on small trace trees: which release changes a pair of traces
// crosses (features.ts `since` between the two releases) and which lookups the two releases
// print differently (the same map family at the same place of the path).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cellWhyLines, featuresOf, mapFamily, mapFormatChanges, releaseChangeLines, releaseChanges } from '../../src/analysis/upgrade.js';
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
