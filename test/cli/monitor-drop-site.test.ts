// Drop notifications carry the source file id (bpf/source_names_to_ids.h) and the line of the
// send_drop_notify call at the modelled release (bpf/lib/drop.h: __FILE_NAME__, __LINE__).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';
import { V1_13_0 } from '../../src/cilium/releases/release.js';

test('bpf_lxc.c:1165 an egress policy drop is reported by tail_handle_ipv4_cont: `file 2:1165`', async () => {
  const run = await runCli(['--scenario', 'world-host', 'frontend', '8.8.8.8', 'tcp/443', '-o', 'monitor']);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^xx drop \(Policy denied\) flow 0x[0-9a-f]+ to endpoint 0, ifindex 7, file 2:1165, , identity 30630->world: 10\.1\.0\.20:43210 -> 8\.8\.8\.8:443 tcp SYN$/m);
});

test('bpf_lxc.c:1902 an ingress policy drop is reported by tail_ipv4_policy: `file 2:1902`', async () => {
  const run = await runCli(['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080', '-o', 'monitor']);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^xx drop \(Policy denied\) .* file 2:1902, , identity 36895->40026: /m);
});

test('the drop-site table is v1.13.0 source: tail_handle_ipv4_cont 1165, tail_ipv4_policy 1902, cil_from_container 1353', () => {
  assert.deepEqual(V1_13_0.dropSites('bpf/bpf_lxc.c', 'tail_handle_ipv4_cont'), [1165]);
  assert.deepEqual(V1_13_0.dropSites('bpf/bpf_lxc.c', 'tail_ipv4_policy'), [1902]);
  assert.deepEqual(V1_13_0.dropSites('bpf/bpf_lxc.c', 'cil_from_container'), [1353]);
  assert.deepEqual(V1_13_0.dropSites('bpf/bpf_lxc.c', 'handle_ipv4_from_lxc'), [], 'it returns the drop; its caller notifies');
});
