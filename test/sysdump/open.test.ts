// openSysdump on the hand-written fixtures: directory and zip (a committed zip written with
// data descriptors, as cilium-cli's Go zip writer does, and one zipped in memory) read the
// same; nodes mapped through the agent pods; the release from the DaemonSet or a debuginfo.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { isSysdumpPath, openSysdump, openSysdumpZipBytes } from '../../src/sysdump/index.js';
import { ROOT } from '../support/run-cli.js';

const FIX = join(ROOT, 'test', 'fixtures', 'sysdump');
const V118 = join(FIX, 'v1.18', 'cilium-sysdump-20261206-101500');
const V113 = join(FIX, 'v1.13', 'cilium-sysdump-20261206-094500');
const ZIP = join(FIX, 'cilium-sysdump-20261206-101500.zip');

/** A directory's files as zip entries (path → bytes), under `prefix`. */
function entries(dir: string, prefix: string, out: Record<string, Uint8Array> = {}): Record<string, Uint8Array> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) entries(p, `${prefix}${name}/`, out);
    else out[`${prefix}${name}`] = readFileSync(p);
  }
  return out;
}

describe('openSysdump', () => {
  it('v1.18 directory: three nodes through k8s-pods, one without a bugtool (a note), release from the DaemonSet image', () => {
    const sd = openSysdump(V118);
    assert.equal(sd.kind, 'directory');
    assert.equal(sd.timestamp, '20261206-101500'); // given the top directory itself: from its files' names
    assert.deepEqual(sd.nodes.map((n) => [n.name, n.ciliumPod, n.mappedBy, n.bugtool !== undefined]), [
      ['kind-control-plane', 'cilium-7xk2p', 'k8s-pods', false],
      ['kind-worker', 'cilium-tl8kg', 'k8s-pods', true],
      ['kind-worker2', 'cilium-q9wzr', 'k8s-pods', true],
    ]);
    assert.equal(sd.release?.profile, '1.18');
    assert.equal(sd.release?.version, 'v1.18.3');
    assert.match(sd.release?.why ?? '', /^image cilium:v1\.18\.3 in .*cilium-daemonset-20261206-101500\.yaml$/);
    assert.deepEqual(sd.clusterInputs.map((i) => i.file.slice(i.file.lastIndexOf('/') + 1)), [
      'cilium-configmap-20261206-101500.yaml', 'cilium-daemonset-20261206-101500.yaml', 'k8s-namespaces-20261206-101500.yaml', 'k8s-nodes-20261206-101500.yaml',
      'ciliumnodes-20261206-101500.yaml', 'k8s-pods-20261206-101500.yaml', 'ciliumendpoints-20261206-101500.yaml', 'ciliumidentities-20261206-101500.yaml',
      'k8s-services-20261206-101500.yaml', 'k8s-endpointslices-20261206-101500.yaml', 'ciliumnetworkpolicies-20261206-101500.yaml',
    ]);
    assert.ok(sd.files('kind-worker').includes('cilium-dbg-bpf-ipcache-list.md'));
    assert.ok(sd.files('kind-worker').includes('state/globals/node_config.h'));
    assert.deepEqual(sd.files('kind-control-plane'), []);
    assert.equal(sd.read('kind-worker2', 'no-such-file.md'), undefined);
    assert.match(sd.read('cilium-q9wzr', 'cilium-dbg-bpf-lb-list.md') ?? '', /^SERVICE ADDRESS /); // by agent pod too
    assert.deepEqual(sd.flows.map((f) => [f.node, f.ciliumPod]), [['kind-worker2', 'cilium-q9wzr']]);
    assert.equal(sd.flows[0]!.text().split('\n').filter((l) => l.startsWith('{"flow"')).length, 2);
    assert.deepEqual(sd.notes.map((n) => n.message), ['node kind-control-plane (agent pod cilium-7xk2p) has no bugtool in the sysdump (a --quick or --node-list sysdump, or the agent was not running): its maps are computed, not read']);
  });

  it('v1.13 directory: no DaemonSet, so the release comes from a debuginfo; the packed bugtool is a note', () => {
    const sd = openSysdump(V113);
    assert.equal(sd.release?.profile, '1.13');
    assert.equal(sd.release?.version, 'v1.13.0');
    assert.match(sd.release?.why ?? '', /^cilium-version 1\.13\.0 in .*cilium-bugtool-cilium-tl8kg-20261206-094500\/cmd\/cilium-debuginfo-20261206-094503\.412\+0000-UTC\.json$/);
    assert.deepEqual(sd.notes.map((n) => n.message), [
      'bugtool of cilium-7xk2p was left packed (cilium-cli could not extract it): its maps are not read',
      'node kind-control-plane (agent pod cilium-7xk2p) has no bugtool in the sysdump (a --quick or --node-list sysdump, or the agent was not running): its maps are computed, not read',
    ]);
    assert.ok(sd.files('kind-worker').includes('cilium-bpf-tunnel-list.md'));
  });

  it('the committed zip (data descriptors, one top directory) reads as its directory, entry for entry', () => {
    assert.equal(isSysdumpPath(ZIP), true);
    const zip = openSysdump(ZIP);
    const dir = openSysdump(V118);
    assert.equal(zip.kind, 'zip');
    assert.equal(zip.timestamp, '20261206-101500');
    assert.deepEqual(zip.nodes, dir.nodes.map((n) => ({ ...n, ...(n.bugtool ? { bugtool: `cilium-sysdump-20261206-101500/${n.bugtool}` } : {}) })));
    for (const n of dir.nodes) {
      assert.deepEqual(zip.files(n.name), dir.files(n.name));
      for (const f of dir.files(n.name)) assert.equal(zip.read(n.name, f), dir.read(n.name, f), f);
    }
    assert.deepEqual(zip.clusterInputs.map((i) => i.text), dir.clusterInputs.map((i) => i.text));
    assert.equal(zip.display('kind-worker', 'x.md'), `${ZIP}/cilium-sysdump-20261206-101500/cilium-bugtool-cilium-tl8kg-20261206-101500/cmd/x.md`);
  });

  it('a zip made in memory (sizes in the local headers) of the v1.13 fixture', () => {
    const bytes = zipSync(entries(V113, 'cilium-sysdump-20261206-094500/'), { level: 6, mtime: new Date('2026-12-06T09:45:00Z') });
    const sd = openSysdumpZipBytes(bytes, 'mem.zip');
    assert.equal(sd.release?.profile, '1.13');
    assert.deepEqual(sd.nodes.map((n) => n.name), ['kind-control-plane', 'kind-worker', 'kind-worker2']);
    assert.equal(sd.read('kind-worker', 'cilium-bpf-tunnel-list.md'), readFileSync(join(V113, 'cilium-bugtool-cilium-tl8kg-20261206-094500', 'cmd', 'cilium-bpf-tunnel-list.md'), 'utf8'));
  });

  it('a plain directory of manifests is no sysdump', () => {
    assert.equal(isSysdumpPath(join(ROOT, 'test', 'fixtures', 'k8s-export')), false);
    assert.equal(isSysdumpPath(join(ROOT, 'scenarios', 'default.yaml')), false);
  });

  it('without a DaemonSet or debuginfo: the release from status --verbose, else from the command files\' names', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ct-sysdump-open-'));
    after(() => rmSync(tmp, { recursive: true, force: true }));
    const dir = join(tmp, 'cilium-sysdump-20261206-094500');
    cpSync(V113, dir, { recursive: true });
    for (const pod of ['cilium-tl8kg', 'cilium-q9wzr']) rmSync(join(dir, `cilium-bugtool-${pod}-20261206-094500`, 'cmd', 'cilium-debuginfo-20261206-094503.412+0000-UTC.json'));
    assert.match(openSysdump(dir).release?.why ?? '', /^command files named cilium-… \(before v1\.15\) in /);
    writeFileSync(join(dir, 'cilium-bugtool-cilium-q9wzr-20261206-094500', 'cmd', 'cilium-status---verbose.md'), 'KVStore:                 Ok   Disabled\nKubernetes:              Ok   1.29 (v1.29.2) [linux/amd64]\nCilium:                  Ok   1.13.0 (v1.13.0-c9723a8d)\n');
    const r = openSysdump(dir).release;
    assert.equal(r?.version, 'v1.13.0');
    assert.match(r?.why ?? '', /^Cilium 1\.13\.0 in .*cilium-bugtool-cilium-q9wzr-20261206-094500\/cmd\/cilium-status---verbose\.md$/);
  });
});
