// The 1.16/1.18 profiles held to the v1.18.3 (c160168901) and v1.16.15 (7513067408) source after
// the expert re-read (review of the 1.18 traces): one test per fixed finding, named after the
// source line it reflects. Runs the CLI in-process and reads exact trace lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, ROOT } from '../support/run-cli.js';

process.chdir(ROOT);

async function out(...args: string[]): Promise<string[]> {
  const r = await runCli(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n');
}
const grep = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l)).map((l) => l.trim());

test('v1.18.3 bpf/bpf_host.c:1132-1156 do_netdev traces from-network after resolve_srcid_ipv4, with ipcache_srcid (6 for the peer node)', async () => {
  const lines = await out('pod1', 'pod3', 'icmp', '--cilium', '1.18');
  const at = lines.findIndex((l) => l.includes('trace TRACE_FROM_NETWORK'));
  assert.ok(at > 0);
  assert.equal(lines[at]?.trim(), 'trace TRACE_FROM_NETWORK (from-network) identity 6->0 ifindex 2 state unknown');
  assert.ok(lines.slice(0, at).some((l) => l.includes('resolve_srcid_ipv4')), 'resolve_srcid_ipv4 runs first');
});

test('v1.18.3 bpf/bpf_host.c:1155 the external client of a NodePort is traced as world (2)', async () => {
  const lines = await out('--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--cilium', '1.18');
  assert.equal(grep(lines, /trace TRACE_FROM_NETWORK/)[0], 'trace TRACE_FROM_NETWORK (from-network) identity 2->0 ifindex 2 state unknown');
});

test('v1.16.15 bpf/bpf_host.c:1147 do_netdev traces from-network first, with identity 0', async () => {
  const lines = await out('pod1', 'pod3', 'icmp', '--cilium', '1.16');
  const at = lines.findIndex((l) => l.includes('trace TRACE_FROM_NETWORK'));
  assert.equal(lines[at]?.trim(), 'trace TRACE_FROM_NETWORK (from-network) identity 0->0 ifindex 2 state unknown');
  assert.ok(lines.slice(at).some((l) => l.includes('resolve_srcid_ipv4')), 'resolve_srcid_ipv4 runs after');
});
