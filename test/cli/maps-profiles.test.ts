// `maps` per release: the map names and the agent CLI each release has. `maps` alone lists
// the kinds with their pinned names and the command `maps KIND` reproduces.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../support/run-cli.js';

process.chdir(ROOT);

function row(stdout: string, kind: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith(`${kind} `));
  assert.ok(line, `no ${kind} row in:\n${stdout}`);
  return line.trim().split(/\s{2,}/);
}

describe('maps without a kind: the maps of the node\'s release', () => {
  it('v1.13.0 cilium/cmd/bpf_tunnel_list.go, pkg/maps/ipcache/ipcache.go:31 cilium_ipcache, policymap.go:30 cilium_policy_', async () => {
    const run = await runCli(['maps', '--cilium', '1.13', '--node', 'node1']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^BPF maps of node1, Cilium v1\.13\.0: /);
    assert.deepEqual(row(run.stdout, 'ipcache'), ['ipcache', 'cilium_ipcache', 'cilium bpf ipcache list']);
    assert.deepEqual(row(run.stdout, 'policy'), ['policy', 'cilium_policy_00505, cilium_policy_01703', 'cilium bpf policy get EPID']);
    assert.deepEqual(row(run.stdout, 'tunnel'), ['tunnel', 'cilium_tunnel_map', 'cilium bpf tunnel list']);
    assert.doesNotMatch(run.stdout, /not in Cilium/);
  });

  it('v1.16.15 cilium-dbg/cmd (the CLI is cilium-dbg); the v1.13 map names still', async () => {
    const run = await runCli(['maps', '--cilium', '1.16', '--node', 'node1']);
    assert.deepEqual(row(run.stdout, 'ipcache'), ['ipcache', 'cilium_ipcache', 'cilium-dbg bpf ipcache list']);
    assert.deepEqual(row(run.stdout, 'policy'), ['policy', 'cilium_policy_00505, cilium_policy_01703', 'cilium-dbg bpf policy get EPID']);
    assert.deepEqual(row(run.stdout, 'tunnel'), ['tunnel', 'cilium_tunnel_map', 'cilium-dbg bpf tunnel list']);
  });

  it('v1.18.3 ipcache.go:33 cilium_ipcache_v2, policymap.go:36 cilium_policy_v2_, daemon/cmd/datapath.go:181-183 unpins the tunnel map', async () => {
    const run = await runCli(['maps', '--cilium', '1.18', '--node', 'node1']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(row(run.stdout, 'ipcache'), ['ipcache', 'cilium_ipcache_v2', 'cilium-dbg bpf ipcache list']);
    assert.deepEqual(row(run.stdout, 'policy'), ['policy', 'cilium_policy_v2_00505, cilium_policy_v2_01703', 'cilium-dbg bpf policy get EPID']);
    assert.ok(!run.stdout.split('\n').some((l) => l.startsWith('tunnel ')), run.stdout);
    assert.match(run.stdout, /\n\nnot in Cilium v1\.18\.3:\n  tunnel: no tunnel map: remote pod CIDRs are ipcache entries with a tunnel endpoint \(flag hastunnel\) \[/);
  });

  it('v1.18.3 has no cilium-dbg bpf tunnel list: maps tunnel is a usage error naming why', async () => {
    const run = await runCli(['maps', 'tunnel', '--cilium', '1.18']);
    assert.deepEqual(run, { stdout: '', stderr: "cilium-trace: Cilium v1.18.3 has no tunnel map: remote pod CIDRs are ipcache entries with a tunnel endpoint (flag hastunnel), and cilium-dbg has no 'bpf tunnel list' (see maps ipcache)\n", code: 2 });
  });

  it('a TARGET or --why without a kind is a usage error', async () => {
    const run = await runCli(['maps', '--why']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'cilium-trace: maps without a MAP lists the maps (expected MAP before TARGET, --why or --after)\n');
  });
});

describe('maps policy --why per release', () => {
  it('v1.18.3 cilium-dbg/cmd/bpf_policy_get.go:198-226: identity 0 is ANY in the table and in the why lines; v1.13.0 says reserved:unknown', async () => {
    const r18 = await runCli(['--cilium', '1.18', '--scenario', 'l3-policy', 'maps', 'policy', 'app1', '--why']);
    assert.equal(r18.code, 0, r18.stderr);
    assert.match(r18.stdout, /^Allow {4}Egress {6}ANY {2,}ANY /m);
    assert.match(r18.stdout, /^ {2}Allow Egress ANY ANY \(identity 0, any port, match all\):$/m);
    const r13 = await runCli(['--scenario', 'l3-policy', 'maps', 'policy', 'app1', '--why']);
    assert.match(r13.stdout, /^ {2}Allow Egress reserved:unknown ANY \(identity 0, any port, match all\):$/m);
  });
});
