// Tracing over a sysdump's real maps (provenance names file and line), --maps computed,
// diff --maps computed --maps2 real, and `drift` on the planted stale entries of both
// release layouts — and on a copy with the plants undone, which has none.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, runCli } from '../support/run-cli.js';

const FIX = join(ROOT, 'test', 'fixtures', 'sysdump');
const V118 = join(FIX, 'v1.18', 'cilium-sysdump-20261206-101500');
const V113 = join(FIX, 'v1.13', 'cilium-sysdump-20261206-094500');
const ZIP = join(FIX, 'cilium-sysdump-20261206-101500.zip');
const FRONTEND = 'frontend-7c9d8e5f6-fk4lp';
const SERVER = 'server-5d4f7c9b8-xyz12';

const tmp = mkdtempSync(join(tmpdir(), 'ct-sysdump-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The headline of each drift item: `<map> <key>: <kind>`. */
const heads = (out: string): string[] => out.split('\n').filter((l) => /^ {2}cilium[_ ]\S+ .*: (differs|only in the real map|missing from the real map)$/.test(l)).map((l) => l.trim());

describe('trace over the real maps', () => {
  it('v1.18: frontend → server is dropped over the real maps (the policy map lacks the entry); lookups name file and line', async () => {
    const r = await runCli(['-f', V118, FRONTEND, SERVER, 'tcp/8080']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\nDROPPED — DROP_POLICY \(133\) "Policy denied" \[POLICY_DENIED\] in policy_can_ingress4 \(ingress\) on kind-worker2\n$/);
    assert.match(r.stdout, /lookup cilium_ipcache_v2 10\.0\.2\.45\/32 → identity=41000 encryptkey=0 tunnelendpoint=192\.168\.10\.12 flags=hastunnel\n {10}↳ sysdump: node kind-worker, cilium-dbg-bpf-ipcache-list\.md line 3\n/);
    assert.match(r.stdout, /lookup cilium_lxc 10\.0\.2\.45:0 → id=2087 {2}sec_id=41235 flags=0x0000 ifindex=15 {2}mac=3A:D0:8C:17:E2:59 nodemac=CE:44:71:0B:9F:26 parent_ifindex=0 {2}\n {10}↳ sysdump: node kind-worker2, cilium-dbg-bpf-endpoint-list\.md line 3\n/);
    assert.match(r.stdout, /lookup cilium_policy_v2_02087 Ingress: 33333 8080\/TCP \(prefix 24\) → miss/);
    // The objects allow it: the explanation names the rule and the drift, and proposes no policy.
    assert.match(r.stdout, /\n {2}The maps computed from the objects allow this: CiliumNetworkPolicy default\/server-allow-frontend spec ingress\[0\] fromEndpoints\[0\] \{app=frontend\}: allow 8080\/TCP \(.*ciliumnetworkpolicies-20261206-101500\.yaml:14\)\.\n {2}The real cilium_policy_v2_02087 on kind-worker2 \(read from the sysdump\) has no such entry: the map has drifted from the policy, and adding a policy would not help\.\n/);
    assert.doesNotMatch(r.stdout, /what would allow it/);
    const stderr = r.stderr.split('\n');
    assert.ok(stderr.includes('cilium-trace: node kind-worker: maps read from the sysdump: ipcache, endpoint, policy, lb; the others computed'), r.stderr);
    assert.ok(stderr.includes(`${V118}/cilium-bugtool-cilium-q9wzr-20261206-101500/cmd/cilium-dbg-bpf-policy-get---all---numeric.md:18:1: warning: the command failed: exit status 1 (rows before it are read)`), r.stderr);
    assert.ok(stderr.includes('cilium-trace: warning: node kind-control-plane (agent pod cilium-7xk2p) has no bugtool in the sysdump (a --quick or --node-list sysdump, or the agent was not running): its maps are computed, not read'), r.stderr);
  });

  it('the zip traces as its directory', async () => {
    const dir = await runCli(['-f', V118, FRONTEND, SERVER, 'tcp/8080']);
    const zip = await runCli(['-f', ZIP, FRONTEND, SERVER, 'tcp/8080']);
    assert.equal(zip.code, 1);
    assert.equal(zip.stdout.replaceAll(ZIP + '/cilium-sysdump-20261206-101500', 'X').replace(/^cluster \S+/m, 'cluster'), dir.stdout.replaceAll(V118, 'X').replace(/^cluster \S+/m, 'cluster'));
  });

  it('a drop the objects also make (client is not allowed) still proposes the policy', async () => {
    const r = await runCli(['-f', V118, 'client-645b68dcf7-2jmrw', SERVER, 'tcp/8080']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\n {2}None of them has an entry for identity 28567 in ingress, and no wildcard entry covers 8080\/TCP\.\n/);
    assert.match(r.stdout, /\nwhat would allow it \(the smallest policy to add\):\n/);
  });

  it('--maps computed: the maps computed from the objects allow it', async () => {
    const r = await runCli(['-f', V118, '--maps', 'computed', FRONTEND, SERVER, 'tcp/8080']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /sysdump: node/);
    assert.match(r.stderr, /--maps computed: the sysdump's map dumps are not read/);
  });

  it('v1.13 layout (cilium-… files, HASH policy map, tunnel map): dropped over the real maps', async () => {
    const r = await runCli(['-f', V113, FRONTEND, SERVER, 'tcp/8080']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Cilium v1\.13\.0 \(cilium-version 1\.13\.0 in /);
    assert.match(r.stdout, /↳ sysdump: node kind-worker2, cilium-bpf-endpoint-list\.md line 2\n/);
    assert.match(r.stdout, /\nDROPPED — DROP_POLICY \(133\)/);
    assert.match(r.stderr, /cilium-bpf-endpoint-list\.md:4:1: warning: stderr mixed into the endpoint list: level=warning msg=/);
  });

  it('--maps real needs a sysdump; a bad value is a usage error', async () => {
    const r = await runCli(['--maps', 'real', 'pod1', 'pod2']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'cilium-trace: --maps real needs a sysdump input (expected -f cilium-sysdump-<time>.zip or its unpacked directory)\n');
    const bad = await runCli(['--maps', 'both', 'pod1', 'pod2']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "cilium-trace: bad --maps 'both' (expected real or computed)\n");
  });

  it('diff --maps computed --maps2 real: where the two traces part', async () => {
    const r = await runCli(['diff', '-f', V118, '--maps', 'computed', '--maps2', 'real', FRONTEND, SERVER, 'tcp/8080']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /\n ~ {3}lookup cilium_policy_v2_02087 Ingress: 33333 8080\/TCP \(prefix 24\)\n {7}before: Ingress: 33333 8080\/TCP \(prefix 24\): Allow proxy_port=NONE lpm_prefix_length=24\n {7}after: {2}miss\n/);
    assert.match(r.stdout, /\nchanged: FORWARDED → DROPPED \(POLICY_DENIED\)\n$/);
    assert.match(r.stdout, /\n {4}after entry made by: sysdump: node kind-worker, cilium-dbg-bpf-ipcache-list\.md line 3\n/);
    assert.match(r.stdout, /before \(.*cilium-sysdump-20261206-101500 \(computed maps\)\): FORWARDED/);
  });
});

describe('drift', () => {
  it('v1.18: the four planted entries, each with the object it should come from; health endpoints apart; exit 1', async () => {
    const r = await runCli(['drift', '-f', V118]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(heads(r.stdout), [
      'cilium_ipcache_v2 10.0.2.45/32: differs',
      'cilium_ipcache_v2 10.0.2.99/32: only in the real map',
      'cilium_lb4_services_v2 10.96.120.15:80/TCP backend 10.0.2.77:8080: only in the real map',
      'cilium_policy_v2_02087 Ingress 33333 8080/TCP (prefix 24): missing from the real map',
    ]);
    assert.match(r.stdout, /^drift: .*cilium-sysdump-20261206-101500 \(Cilium v1\.18\.3\): 4 entries where the real maps and the maps computed from the objects disagree\n/);
    assert.match(r.stdout, /\n {4}real: {5}identity=41000 encryptkey=0 tunnelendpoint=192\.168\.10\.12 flags=hastunnel {2}\(sysdump: node kind-worker, cilium-dbg-bpf-ipcache-list\.md line 3\)\n {4}computed: identity=41235 encryptkey=0 tunnelendpoint=192\.168\.10\.12 flags=hastunnel\n {4}from: {5}pod default\/server-5d4f7c9b8-xyz12 \(.*k8s-pods-20261206-101500\.yaml:96\)\n/);
    assert.match(r.stdout, /\n {4}from: {5}CiliumNetworkPolicy default\/server-allow-frontend spec ingress\[0\] fromEndpoints\[0\] \{app=frontend\}: allow 8080\/TCP \(.*ciliumnetworkpolicies-20261206-101500\.yaml:14\)\n/);
    assert.match(r.stdout, /\n {4}from: {5}nothing: Service default\/server port http \(.*k8s-services-20261206-101500\.yaml:28\) has no such endpoint \(a backend that is gone\)\n/);
    assert.match(r.stdout, /\nnot modelled, not counted:\n {2}kind-worker cilium_ipcache_v2 10\.0\.1\.64\/32: identity=4 /);
  });

  it('v1.13: the same plants in the v1.13 formats', async () => {
    const r = await runCli(['drift', '-f', V113]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(heads(r.stdout), [
      'cilium_ipcache 10.0.2.45/32: differs',
      'cilium_ipcache 10.0.2.99/32: only in the real map',
      'cilium_lb4_services_v2 10.96.120.15:80 backend 10.0.2.77:8080: only in the real map',
      'cilium_policy_02087 Ingress 33333 8080/TCP: missing from the real map',
      'cilium endpoint list endpoint 2087 (10.0.2.45): differs',
    ]);
    // v1.13's endpoint map has no sec_id: the agent's endpoint list shows the identity it still uses.
    assert.match(r.stdout, /\n {2}cilium endpoint list endpoint 2087 \(10\.0\.2\.45\): differs\n {4}real: {5}identity 41000 \(k8s:app=server, [^)]*\) {2}\(sysdump: node kind-worker2, cilium-endpoint-list\.md line 4\)\n {4}computed: identity 41235\n {4}from: {5}pod default\/server-5d4f7c9b8-xyz12 /);
    assert.match(r.stdout, /\n {2}kind-worker2 cilium endpoint list endpoint 2921: identity 1 reserved:host — the host endpoint: not modelled\n/);
  });

  it('--node and -o json', async () => {
    const r = await runCli(['drift', '-f', V118, '--node', 'kind-worker2', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout) as { schema: string; release: string; drift: number; nodes: Array<{ node: string; items: Array<{ map: string; key: string; kind: string; computed?: string }> }> };
    assert.equal(j.schema, 'cilium-trace/drift/v1');
    assert.equal(j.release, 'v1.18.3');
    assert.equal(j.drift, 1);
    assert.deepEqual(j.nodes.map((n) => n.node), ['kind-worker2']);
    assert.deepEqual(j.nodes[0]!.items.map((i) => [i.map, i.key, i.kind, i.computed]), [['cilium_policy_v2_02087', 'Ingress 33333 8080/TCP (prefix 24)', 'missing', 'Allow']]);
  });

  it('a copy with the plants undone has no drift: exit 0', async () => {
    const dir = join(tmp, 'cilium-sysdump-20261206-101500');
    cpSync(V118, dir, { recursive: true });
    const edit = (rel: string, f: (s: string) => string): void => {
      const p = join(dir, rel);
      writeFileSync(p, f(readFileSync(p, 'utf8')));
    };
    const w1 = 'cilium-bugtool-cilium-tl8kg-20261206-101500/cmd/';
    const w2 = 'cilium-bugtool-cilium-q9wzr-20261206-101500/cmd/';
    edit(`${w1}cilium-dbg-bpf-ipcache-list.md`, (s) => s.replace('identity=41000', 'identity=41235').replace(/^10\.0\.2\.99\/32 .*\n/m, ''));
    edit(`${w1}cilium-dbg-bpf-lb-list.md`, (s) => s.replace(/^.*10\.0\.2\.77.*\n/m, ''));
    edit(`${w2}cilium-dbg-bpf-policy-get---all---numeric.md`, (s) => s.replace(/^(Allow +Ingress +1 .*\n)(?=Allow +Egress +0 .*\n\n\n>)/m, '$1Allow    Ingress     33333      8080/TCP     NONE         disabled    -       -         24       \n'));
    const r = await runCli(['drift', '-f', dir]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^drift: .* \(Cilium v1\.18\.3\): the real maps agree with the maps computed from the objects\n\nnode kind-worker \(compared: ipcache, endpoint, policy, lb, endpoint identities\)\n {2}no drift\n\nnode kind-worker2 \(compared: ipcache, endpoint, policy, lb, endpoint identities\)\n {2}no drift\n/);
  });

  it('no sysdump, an unknown node: exit 2', async () => {
    const r = await runCli(['drift', '-f', join(ROOT, 'scenarios', 'default.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^cilium-trace: drift needs a sysdump: .*default\.yaml is no cilium sysdump/);
    const n = await runCli(['drift', '-f', V118, '--node', 'nope']);
    assert.equal(n.code, 2);
    assert.match(n.stderr, /unknown node 'nope' \(expected one of: kind-control-plane, kind-worker, kind-worker2\)\n$/);
  });
});

describe('the library API', () => {
  it('loadCluster reads a sysdump like -f; maps: computed ignores its dumps; openSysdump is exported', async () => {
    const api = await import('../../src/index.js');
    const flow = { src: FRONTEND, dst: SERVER, proto: 'tcp/8080' };
    assert.equal(api.trace(api.loadCluster({ files: [ZIP] }), flow).verdict, 'DROPPED');
    assert.equal(api.trace(api.loadCluster({ files: [ZIP] }, { maps: 'computed' }), flow).verdict, 'FORWARDED');
    assert.deepEqual(api.openSysdump(ZIP).nodes.map((n) => n.name), ['kind-control-plane', 'kind-worker', 'kind-worker2']);
  });
});

describe('a damaged sysdump is bad input', () => {
  it('a truncated zip and a zip without cluster objects: one line each, exit 2', async () => {
    const cut = join(tmp, 'cut.zip');
    writeFileSync(cut, readFileSync(ZIP).subarray(0, 5000));
    const r = await runCli(['-f', cut, FRONTEND, SERVER]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `${cut}:1:1: cannot read the sysdump (no end of central directory record: a truncated or damaged zip?)\n`);
    const empty = join(tmp, 'empty.zip');
    writeFileSync(empty, Buffer.from('PK\u0005\u0006' + '\u0000'.repeat(18), 'latin1'));
    const e = await runCli(['-f', empty, FRONTEND, SERVER]);
    assert.equal(e.code, 2);
    assert.equal(e.stderr, `${empty}:1:1: the sysdump holds no cluster objects (expected k8s-pods-<time>.yaml, ciliumendpoints-<time>.yaml, … in cilium-sysdump-<time>/)\n`);
  });

  it('a .zip that is no zip at all: one line, exit 2 (not read as a YAML string)', async () => {
    const fake = join(tmp, 'fake.zip');
    writeFileSync(fake, 'not a zip\n');
    const r = await runCli(['-f', fake, FRONTEND, SERVER]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `${fake}:1:1: not a zip archive (no zip header; expected a cilium sysdump zip)\n`);
  });

  it('an entry whose data is damaged is a warning, and that map is computed', async () => {
    const bytes = Buffer.from(readFileSync(ZIP));
    const at = bytes.indexOf('cilium-dbg-bpf-ipcache-list.md');
    bytes.fill(0xff, at + 60, at + 90); // the deflated data after kind-worker's ipcache local header
    const bad = join(tmp, 'damaged.zip');
    writeFileSync(bad, bytes);
    const r = await runCli(['-f', bad, FRONTEND, SERVER, 'tcp/8080']);
    assert.equal(r.code, 1, r.stderr);
    const err = r.stderr.split('\n');
    assert.ok(err.includes(`${bad}/cilium-sysdump-20261206-101500/cilium-bugtool-cilium-tl8kg-20261206-101500/cmd/cilium-dbg-bpf-ipcache-list.md:1:1: warning: the entry could not be inflated (a damaged zip): it is not read`), r.stderr);
    assert.ok(err.includes('cilium-trace: node kind-worker: maps read from the sysdump: endpoint, policy, lb; the others computed'), r.stderr);
    assert.match(r.stdout, /lookup cilium_ipcache_v2 10\.0\.2\.45\/32 → identity=41235 .*\n {10}↳ pod default\/server-5d4f7c9b8-xyz12 /);
  });
});
