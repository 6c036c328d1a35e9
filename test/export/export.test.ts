// `cilium-trace export sysdump`: the layout of real-state.md §2 per release (cilium- command
// files in v1.13, cilium-dbg- from v1.15; the tunnel map only before v1.18; ct list with
// --time-diff in v1.18's bugtool), contents from the maps printers, and round trips: the
// exported objects load back into the same maps and verdicts, and the exported Hubble flows
// replay without a disagreement.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';

const CLUSTER = 'test/replay/fixtures/cluster.yaml';
const TS = '20261206-101500';
const dir = mkdtempSync(join(tmpdir(), 'export-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function walk(root: string, base = root): string[] {
  return readdirSync(root).flatMap((n) => {
    const p = join(root, n);
    return statSync(p).isDirectory() ? walk(p, base) : [relative(base, p)];
  }).sort();
}

async function exported(name: string, ...args: string[]): Promise<{ top: string; files: string[]; stdout: string }> {
  const out = join(dir, name);
  const r = await runCli(['export', 'sysdump', '-f', CLUSTER, '-o', out, '--timestamp', TS, ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const top = join(out, `cilium-sysdump-${TS}`);
  return { top, files: walk(top), stdout: r.stdout };
}

const read = (top: string, file: string): string => readFileSync(join(top, file), 'utf8');

describe('export sysdump, Cilium 1.18 (the fixture cluster)', async () => {
  const { top, files, stdout } = await exported('v118');
  const w1 = 'cilium-bugtool-cilium-l8sjc-20261206-101500/cmd/';
  const w2 = 'cilium-bugtool-cilium-k9xcx-20261206-101500/cmd/';

  it('says what it wrote', () => {
    assert.equal(stdout, `wrote 31 files to ${top}/ (cluster replay-demo, Cilium v1.18.3; nodes kind-worker 192.168.10.11, kind-worker2 192.168.10.12; 6 flows traced)\n`);
  });

  it('has the layout of a cilium-cli sysdump: cluster Lists, a bugtool cmd/ directory and a hubble-flows file per agent pod', () => {
    const cluster = files.filter((f) => !f.includes('/') && !f.startsWith('hubble-flows-'));
    assert.deepEqual(cluster, [
      'cilium-configmap-20261206-101500.yaml', 'cilium-daemonset-20261206-101500.yaml', 'cilium-sysdump.log',
      'ciliumclusterwidenetworkpolicies-20261206-101500.yaml', 'ciliumendpoints-20261206-101500.yaml', 'ciliumidentities-20261206-101500.yaml',
      'ciliumnetworkpolicies-20261206-101500.yaml', 'ciliumnodes-20261206-101500.yaml', 'k8s-namespaces-20261206-101500.yaml',
      'k8s-networkpolicies-20261206-101500.yaml', 'k8s-nodes-20261206-101500.yaml', 'k8s-pods-20261206-101500.yaml', 'k8s-services-20261206-101500.yaml',
    ]);
    assert.deepEqual(files.filter((f) => f.startsWith('hubble-flows-')), ['hubble-flows-cilium-k9xcx-20261206-101500.json', 'hubble-flows-cilium-l8sjc-20261206-101500.json']);
    assert.deepEqual(files.filter((f) => f.startsWith(w1)).map((f) => f.slice(w1.length)), [
      'cilium-dbg-bpf-ct-list-global---time-diff.md', 'cilium-dbg-bpf-egress-list.md', 'cilium-dbg-bpf-endpoint-list.md', 'cilium-dbg-bpf-ipcache-list.md',
      'cilium-dbg-bpf-lb-list.md', 'cilium-dbg-bpf-nat-list.md', 'cilium-dbg-bpf-policy-get---all---numeric.md', 'cilium-debuginfo-20261206-101500+0000-UTC.json',
    ]);
  });

  it('maps the agent pods to their nodes in k8s-pods (k8s-app=cilium, spec.nodeName), and the debuginfo names the node and the version', () => {
    const pods = read(top, `k8s-pods-${TS}.yaml`);
    assert.ok(pods.includes('      labels:\n        k8s-app: cilium\n      name: cilium-l8sjc\n      namespace: kube-system\n'), pods);
    assert.ok(/name: cilium-k9xcx[\s\S]*?nodeName: kind-worker2\n/.test(pods));
    assert.deepEqual(JSON.parse(read(top, `${w2}cilium-debuginfo-${TS}+0000-UTC.json`)), { 'cilium-version': '1.18.3 c160168901 2025-10-22T19:15:36+00:00', 'cilium-status': { cluster: { self: 'kind-worker2' } } });
    assert.match(read(top, `cilium-daemonset-${TS}.yaml`), /image: quay\.io\/cilium\/cilium:v1\.18\.3\n/);
    assert.ok(read(top, `cilium-configmap-${TS}.yaml`).includes('  routing-mode: tunnel\n  tunnel-protocol: vxlan\n'));
  });

  it('the command files hold what the maps printers print (ipcache, endpoint); the policy maps --numeric under "Endpoint ID"/"Path" headers', async () => {
    for (const [node, cmd] of [['kind-worker', w1], ['kind-worker2', w2]] as const) {
      assert.equal(read(top, `${cmd}cilium-dbg-bpf-ipcache-list.md`), (await runCli(['maps', 'ipcache', '--node', node, '-f', CLUSTER])).stdout);
      assert.equal(read(top, `${cmd}cilium-dbg-bpf-endpoint-list.md`), (await runCli(['maps', 'endpoint', '--node', node, '-f', CLUSTER])).stdout);
    }
    const policy = read(top, `${w2}cilium-dbg-bpf-policy-get---all---numeric.md`);
    assert.ok(policy.startsWith([
      'Endpoint ID: 2087',
      'Path: /sys/fs/bpf/tc/globals/cilium_policy_v2_02087',
      '',
      'POLICY   DIRECTION   IDENTITY   PORT/PROTO   PROXY PORT   AUTH TYPE   BYTES   PACKETS   PREFIX   ',
      'Allow    Ingress     1          ANY          NONE         disabled    -       -         0        ',
      'Allow    Ingress     33333      8080/TCP     NONE         disabled    -       -         24       ',
    ].join('\n')), policy);
  });

  it('the conntrack map holds the entries of the traced flows', () => {
    const ct = read(top, `${w1}cilium-dbg-bpf-ct-list-global---time-diff.md`);
    assert.match(ct, /^ICMP OUT 10\.0\.1\.23:1 -> 10\.0\.1\.30:0 expires=\d+ Packets=0 /m);
  });

  it('round trip: the exported objects load into the same maps and give the same verdicts', async () => {
    const yamls = files.filter((f) => f.endsWith('.yaml')).flatMap((f) => ['-f', join(top, f)]);
    for (const node of ['kind-worker', 'kind-worker2']) {
      const back = await runCli(['maps', 'ipcache', '--node', node, ...yamls]);
      assert.equal(back.stdout, (await runCli(['maps', 'ipcache', '--node', node, '-f', CLUSTER])).stdout);
    }
    const policy = await runCli(['maps', 'policy', 'server-5d4f7c9b8-xyz12', ...yamls]);
    assert.equal(policy.stdout, (await runCli(['maps', 'policy', 'server-5d4f7c9b8-xyz12', '-f', CLUSTER])).stdout);
    for (const [src, code] of [['client-6f8b9c7d5-abcde', 1], ['frontend-7d9c8b6f5-fghij', 0]] as const) {
      const back = await runCli([...yamls, src, 'server-5d4f7c9b8-xyz12', 'tcp/8080', '-l', 'minimal']);
      const orig = await runCli(['-f', CLUSTER, src, 'server-5d4f7c9b8-xyz12', 'tcp/8080', '-l', 'minimal']);
      assert.equal(back.code, code);
      assert.equal(back.stdout, orig.stdout);
    }
  });

  it('round trip: each node\'s exported Hubble flows replay on the cluster with every drop explained (exit 0)', async () => {
    for (const f of files.filter((x) => x.startsWith('hubble-flows-'))) {
      const r = await runCli(['replay', join(top, f), '-f', CLUSTER]);
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /\n {2}\d+ flows \(\d+ events\): (\d+) agree .*, 0 disagree, 0 unmapped, 0 not simulated, 0 not compared\n/);
    }
  });

  it('round trip: both nodes\' flows files at once are one view: a packet forwarded on one node and dropped on the other is one flow', async () => {
    const both = files.filter((x) => x.startsWith('hubble-flows-')).map((f) => join(top, f));
    const r = await runCli(['replay', ...both, '-f', CLUSTER]);
    assert.equal(r.code, 0, r.stdout);
    const [server, client] = both as [string, string];
    assert.ok(r.stdout.includes(`(${server} lines 2-4; ${client} lines 5-6): default/client-6f8b9c7d5-abcde (10.0.1.23) → default/server-5d4f7c9b8-xyz12 (10.0.2.45) ICMPv4 type 8\n  hubble:    DROPPED POLICY_DENIED (133) on kind-worker2, kind-worker INGRESS at bpf_lxc.c:2135 (5 events: trace, policy-verdict, drop)\n  simulated: DROPPED POLICY_DENIED (133) DROP_POLICY in policy_can_ingress4 (bpf/lib/policy.h) on kind-worker2 ingress\n  agrees: the drop is explained\n`), r.stdout);
  });

  it('round trip through the sysdump reader: -f DIR traces over the exported (real) maps with the same verdicts, drift finds none, and replay -f DIR replays the flows inside it', async () => {
    const sysdump = join(dir, 'v118');
    for (const [src, code] of [['client-6f8b9c7d5-abcde', 1], ['frontend-7d9c8b6f5-fghij', 0]] as const) {
      const real = await runCli(['-f', sysdump, src, 'server-5d4f7c9b8-xyz12', 'tcp/8080', '-l', 'minimal']);
      const orig = await runCli(['-f', CLUSTER, src, 'server-5d4f7c9b8-xyz12', 'tcp/8080', '-l', 'minimal']);
      assert.equal(real.code, code, real.stderr);
      assert.equal(real.stdout.trimEnd().split('\n').at(-1), orig.stdout.trimEnd().split('\n').at(-1));
      assert.match(real.stderr, /node kind-worker2: maps read from the sysdump: ipcache, endpoint, policy, lb; the others computed\n/);
    }
    const drift = await runCli(['drift', '-f', sysdump]);
    assert.equal(drift.code, 0, drift.stdout);
    assert.ok(drift.stdout.startsWith(`drift: ${sysdump} (Cilium v1.18.3): the real maps agree with the maps computed from the objects\n`), drift.stdout);
    const replayed = await runCli(['replay', '-f', sysdump, '-o', 'json']);
    assert.equal(replayed.code, 0, replayed.stdout);
    const report = JSON.parse(replayed.stdout) as { inputs: string[]; summary: Record<string, number> };
    assert.deepEqual(report.inputs, files.filter((f) => f.startsWith('hubble-flows-')).map((f) => join(top, f)));
    assert.deepEqual([report.summary['disagree'], report.summary['unmapped'], report.summary['unexplained_drops'], report.summary['agree_dropped']], [0, 0, 0, 2]);
  });

  it('is deterministic: a second export is byte-identical', async () => {
    const again = await exported('v118-again');
    assert.deepEqual(again.files, files);
    for (const f of files) assert.equal(read(again.top, f), read(top, f), f);
  });
});

describe('export sysdump, Cilium 1.13 (--cilium 1.13)', async () => {
  const { top, files } = await exported('v113', '--cilium', '1.13', '--flow', 'client-6f8b9c7d5-abcde server-5d4f7c9b8-xyz12 tcp/8080');
  const cmd = 'cilium-bugtool-cilium-k9xcx-20261206-101500/cmd/';

  it('names the command files cilium-…, keeps the tunnel map, and lists ct without --time-diff', () => {
    assert.deepEqual(files.filter((f) => f.startsWith(cmd)).map((f) => f.slice(cmd.length)), [
      'cilium-bpf-ct-list-global.md', 'cilium-bpf-egress-list.md', 'cilium-bpf-endpoint-list.md', 'cilium-bpf-ipcache-list.md', 'cilium-bpf-lb-list.md',
      'cilium-bpf-nat-list.md', 'cilium-bpf-policy-get---all---numeric.md', 'cilium-bpf-tunnel-list.md', 'cilium-debuginfo-20261206-101500+0000-UTC.json',
    ]);
    assert.ok(read(top, `cilium-configmap-${TS}.yaml`).includes('  tunnel: vxlan\n'));
    assert.match(read(top, `cilium-daemonset-${TS}.yaml`), /image: quay\.io\/cilium\/cilium:v1\.13\.0\n/);
  });

  it('prints each policy map under its path (v1.13 listAllMaps), with the 1.13 columns', () => {
    const policy = read(top, `${cmd}cilium-bpf-policy-get---all---numeric.md`);
    assert.ok(policy.startsWith('/sys/fs/bpf/tc/globals/cilium_policy_02087:\n\nPOLICY   DIRECTION   IDENTITY   PORT/PROTO   PROXY PORT   BYTES   PACKETS   \n'), policy);
  });

  it('its flows replay under 1.13 with the drop explained', async () => {
    const r = await runCli(['replay', join(top, 'hubble-flows-cilium-k9xcx-20261206-101500.json'), '-f', CLUSTER, '--cilium', '1.13', '-o', 'json']);
    assert.equal(r.code, 0, r.stdout);
    const report = JSON.parse(r.stdout) as { cilium: string; flows: Array<{ status: string; hubble: { verdict: string } }> };
    assert.equal(report.cilium, 'v1.13.0');
    assert.deepEqual(report.flows.map((f) => [f.hubble.verdict, f.status]), [['DROPPED', 'agree']]);
  });

  it('the hubble-flows file of the server node holds the --flow trace: policy verdict and drop, POLICY_DENIED', () => {
    const lines = read(top, 'hubble-flows-cilium-k9xcx-20261206-101500.json').trimEnd().split('\n').map((l) => JSON.parse(l) as { flow: { verdict: string; drop_reason_desc?: string; event_type: { type: number } } });
    assert.deepEqual(lines.map((l) => [l.flow.verdict, l.flow.drop_reason_desc ?? null, l.flow.event_type.type]).filter((x) => x[0] === 'DROPPED'), [['DROPPED', 'POLICY_DENIED', 5], ['DROPPED', 'POLICY_DENIED', 1]]);
  });
});

describe('export sysdump, Cilium 1.16 (--cilium 1.16)', async () => {
  const { top, files } = await exported('v116', '--cilium', '1.16');
  const cmd = 'cilium-bugtool-cilium-k9xcx-20261206-101500/cmd/';

  it('names the command files cilium-dbg- (v1.15 on) and still has the tunnel map; ct list without --time-diff', () => {
    assert.deepEqual(files.filter((f) => f.startsWith(cmd)).map((f) => f.slice(cmd.length)), [
      'cilium-dbg-bpf-ct-list-global.md', 'cilium-dbg-bpf-egress-list.md', 'cilium-dbg-bpf-endpoint-list.md', 'cilium-dbg-bpf-ipcache-list.md', 'cilium-dbg-bpf-lb-list.md',
      'cilium-dbg-bpf-nat-list.md', 'cilium-dbg-bpf-policy-get---all---numeric.md', 'cilium-dbg-bpf-tunnel-list.md', 'cilium-debuginfo-20261206-101500+0000-UTC.json',
    ]);
    assert.equal(JSON.parse(read(top, `${cmd}cilium-debuginfo-${TS}+0000-UTC.json`))['cilium-version'], '1.16.15 7513067408 2025-09-17T14:13:05+02:00');
    assert.ok(read(top, `${cmd}cilium-dbg-bpf-policy-get---all---numeric.md`).startsWith('Endpoint ID: 2087\nPath: /sys/fs/bpf/tc/globals/cilium_policy_02087\n\nPOLICY   DIRECTION   IDENTITY   PORT/PROTO   PROXY PORT   AUTH TYPE   BYTES   PACKETS   PREFIX   \n'));
  });
});

describe('export sysdump of the real-cluster fixture (kubectl output, LRP, egress gateway), Cilium 1.13', () => {
  it('reads back with no drift and replays its flows with every drop explained (the local redirect and egress gateway policies copied)', async () => {
    const out = join(dir, 'real');
    const r = await runCli(['export', 'sysdump', '-f', 'test/fixtures/real-cluster', '--cilium', '1.13', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const top = join(out, 'cilium-sysdump-20000101-000000');
    const files = walk(top);
    assert.ok(files.includes('ciliumlocalredirectpolicies-20000101-000000.yaml') && files.includes('ciliumegressgatewaypolicies-20000101-000000.yaml'), files.join('\n'));
    assert.match(read(top, 'ciliumlocalredirectpolicies-20000101-000000.yaml'), /kind: CiliumLocalRedirectPolicy\n/);
    const drift = await runCli(['drift', '-f', out]);
    assert.equal(drift.code, 0, drift.stdout);
    assert.ok(drift.stdout.startsWith(`drift: ${out} (Cilium v1.13.0): the real maps agree with the maps computed from the objects\n`), drift.stdout);
    const replayed = await runCli(['replay', '-f', out]);
    assert.equal(replayed.code, 0, replayed.stdout);
    assert.match(replayed.stdout, /\n {2}\d+ flows \(\d+ events\): \d+ agree \(\d+ forwarded, [1-9]\d* dropped\), 0 disagree, 0 unmapped, 0 not simulated, 0 not compared\n/);
  });
});

describe('export sysdump usage', () => {
  it('needs -o, refuses an existing sysdump directory and a bad --timestamp (exit 2)', async () => {
    const none = await runCli(['export', 'sysdump', '-f', CLUSTER]);
    assert.deepEqual([none.code, none.stderr], [2, 'cilium-trace: export sysdump needs -o DIR (the directory to write into)\n']);
    const bad = await runCli(['export', 'sysdump', '-f', CLUSTER, '-o', join(dir, 'x'), '--timestamp', '2026-12-06']);
    assert.deepEqual([bad.code, bad.stderr], [2, "cilium-trace: bad --timestamp '2026-12-06' (expected Go layout 20060102-150405, e.g. 20000101-000000)\n"]);
    const first = await runCli(['export', 'sysdump', '-f', CLUSTER, '-o', join(dir, 'twice')]);
    assert.equal(first.code, 0);
    const second = await runCli(['export', 'sysdump', '-f', CLUSTER, '-o', join(dir, 'twice')]);
    assert.deepEqual([second.code, second.stderr], [2, `cilium-trace: ${join(dir, 'twice', 'cilium-sysdump-20000101-000000')} already exists (expected a new sysdump directory)\n`]);
  });
});
