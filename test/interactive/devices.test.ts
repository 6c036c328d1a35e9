// `cilium-trace devices`: tc filters per device as `tc filter show dev DEV ingress|egress`
// prints them, and with --calls the prog arrays slot by slot plus the cgroup programs.
// Golden files: test/interactive/fixtures/devices-*.txt, rewritten only when the test runs
// with UPDATE_FIXTURES=1 (then review the diff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/run-cli.js';
import { loadCluster } from '../../src/cli/cluster-source.js';
import { programTag, renderDevices, tcFilterShow } from '../../src/render/devices.js';

process.chdir(ROOT);

async function golden(name: string, args: readonly string[]): Promise<void> {
  const path = join(ROOT, 'test', 'interactive', 'fixtures', `${name}.txt`);
  const run = await runCli(args);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  if (process.env['UPDATE_FIXTURES'] === '1') writeFileSync(path, run.stdout);
  assert.equal(run.stdout, readFileSync(path, 'utf8'), `${name}: output changed; if intended, rerun with UPDATE_FIXTURES=1`);
}

test('devices --node node1 (golden)', async () => {
  await golden('devices-node1', ['devices', '--node', 'node1']);
});

test('devices --node node1 --calls (golden)', async () => {
  await golden('devices-node1-calls', ['devices', '--node', 'node1', '--calls']);
});

test("pkg/datapath/loader/netlink.go:191 and bpf/init.sh:444-445 (v1.13.0): seed note 000's tc filter lines, byte for byte (the Go loader names cilium-<ifname>, init.sh's tc names the overlay's object:[section])", async () => {
  const run = await runCli(['devices', '--node', 'node1']);
  const lines = run.stdout.split('\n');
  for (const seed of [
    'filter protocol all pref 1 bpf chain 0 handle 0x1 cilium-lxcdb54060a47de direct-action not_in_hw id 1703 name cil_from_contai tag 7bd3467ce6274e22 jited',
    'filter protocol all pref 1 bpf chain 0 handle 0x1 cilium-lxc1466f225c091 direct-action not_in_hw id 1717 name cil_from_contai tag a6c2cf4a8cf17a1c jited',
    'filter protocol all pref 1 bpf chain 0 handle 0x1 bpf_overlay.o:[from-overlay] direct-action not_in_hw id 1509 name cil_from_overla tag 10c7559775622132 jited',
  ]) assert.ok(lines.includes(seed), seed);
  assert.match(run.stdout, /^filter protocol all pref 1 bpf chain 0 handle 0x1 cilium-eth0 direct-action not_in_hw id \d+ name cil_to_netdev tag [0-9a-f]{16} jited$/m);
  assert.match(run.stdout, /^filter protocol all pref 1 bpf chain 0 handle 0x1 cilium-cilium_host direct-action not_in_hw id \d+ name cil_from_host tag [0-9a-f]{16} jited$/m);
  assert.match(run.stdout, /^filter protocol all pref 1 bpf chain 0 handle 0x1 bpf_overlay\.o:\[to-overlay\] direct-action/m);
});

test('tc filter lines: header ends in a space as iproute2 prints it (init.sh greps "bpf chain 0 $"); nothing on a hook without a program', () => {
  const cluster = loadCluster({});
  const node1 = cluster.datapath.nodes.get('node1');
  assert.ok(node1);
  const veth = [...node1.devices.values()].find((d) => d.name === 'lxcdb54060a47de');
  assert.ok(veth && veth.tc.ingress);
  assert.equal(tcFilterShow(veth, 'ingress')[0], 'filter protocol all pref 1 bpf chain 0 ');
  assert.deepEqual(tcFilterShow(veth, 'egress'), [], 'no program: tc prints nothing');
});

test('tags: each copy of a program compiled with other constants (endpoint, device) has its own tag; the overlay object is the same on every node', () => {
  const cluster = loadCluster({ scenario: 'l3-policy' });
  const tags = new Map<string, string>();
  for (const n of cluster.datapath.nodes.values()) {
    for (const d of n.devices.values()) {
      for (const p of [d.tc.ingress, d.tc.egress]) {
        if (!p) continue;
        assert.match(programTag(p), /^[0-9a-f]{16}$/);
        tags.set(`${n.name}/${d.name}/${p.section}`, programTag(p));
      }
    }
  }
  const fromContainer = [...tags].filter(([k]) => k.endsWith('/from-container')).map(([, t]) => t);
  assert.ok(fromContainer.length >= 2);
  assert.equal(new Set(fromContainer).size, fromContainer.length, 'one tag per endpoint');
});

test('devices: every node under a `node NAME` line, devices sorted by ifindex, both hooks listed', async () => {
  const run = await runCli(['devices']);
  assert.equal(run.code, 0);
  const out = run.stdout;
  assert.ok(out.startsWith('node node1\n$ tc filter show dev eth0 ingress\n'));
  assert.match(out, /\n\nnode node2\n\$ tc filter show dev eth0 ingress\n/);
  const node2 = out.slice(out.indexOf('node node2'));
  const devs = [...node2.matchAll(/^\$ tc filter show dev (\S+) ingress$/gm)].map((m) => m[1]);
  assert.deepEqual(devs, ['eth0', 'cilium_net', 'cilium_host', 'cilium_vxlan', 'lxc7f3b8c29d10e']);
  assert.equal([...out.matchAll(/^\$ tc filter show dev \S+ (ingress|egress)$/gm)].length, 2 * (6 + 5));
  const cluster = loadCluster({});
  assert.equal(out, renderDevices([...cluster.datapath.nodes.values()], { calls: false, nodeHeaders: true }));
});

test('devices --calls: cilium_call_policy, every calls map, the cgroup programs at the cgroup v2 root', async () => {
  const run = await runCli(['devices', '--node', 'node2', '--calls']);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^cilium_call_policy\[2910\] = handle_policy$/m);
  assert.match(run.stdout, /^cilium_calls_02910\[6\] = tail_handle_arp$/m);
  assert.match(run.stdout, /^cilium_calls_hostns_01082\[22\] = tail_handle_ipv4_from_host$/m);
  assert.match(run.stdout, /^cilium_calls_overlay_2\[7\] = tail_handle_ipv4$/m);
  assert.match(run.stdout, /^cgroup v2 root \(bpf_sock\.o\):\ncgroup\/connect4 = cil_sock4_connect\n/m);
});

test('devices without kube-proxy replacement: nothing on eth0, no cgroup programs; cluster options after the command', async () => {
  const run = await runCli(['devices', '--scenario', 'l3-policy', '--calls']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^\$ tc filter show dev eth0 ingress\n\$ tc filter show dev eth0 egress\n\n/m);
  assert.match(run.stdout, /^cgroup v2 root: no bpf_sock programs \(socket LB is off\)$/m);
  assert.doesNotMatch(run.stdout, /bpf_netdev_/);
  const before = await runCli(['--scenario', 'l3-policy', 'devices', '--calls']);
  assert.equal(before.stdout, run.stdout, 'cluster options before the command work too');
});

test('devices: an unknown node is a usage error (exit 2, one line)', async () => {
  const run = await runCli(['devices', '--node', 'nope']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, "cilium-trace: unknown node 'nope' (expected one of: node1, node2)\n");
});
