// End-to-end NAT paths (control plane → maps → datapath → kernel): BPF masquerade and its
// reverse, the host-local SNAT of the outer VXLAN packet, the prog arrays the loader fills,
// and iptables masquerading in the kernel (POSTROUTING before tc egress).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { ipv4 } from '../../src/net/ip.js';
import { loadDefaultScenario, loadScenarioFile } from '../../src/scenario/load.js';
import { traceWithReply, withConntrackCopy, type FlowSpec } from '../../src/trace/run.js';
import { renderTrace } from '../../src/render/text.js';
import type { TraceNode } from '../../src/trace/tree.js';
import { ROOT } from '../support/run-cli.js';

const seed = buildCluster(loadDefaultScenario());
const worldHost = buildCluster(loadScenarioFile(join(ROOT, 'scenarios', 'world-host.yaml'), 'scenarios/world-host.yaml'));

function flat(nodes: readonly TraceNode[]): TraceNode[] {
  return nodes.flatMap((n) => ('children' in n ? [n, ...flat(n.children)] : [n]));
}

const spec = (src: string, dst: string, proto: FlowSpec['proto'], dport: number | null): FlowSpec =>
  ({ src: { kind: 'pod', ip: ipv4(src) }, dstIp: ipv4(dst), proto, dport, sport: 43210, traceArp: false });

test('common.h:126 / loader: slot 38 tail_handle_snat_fwd_ipv4 is in the netdev, hostns, overlay and endpoint arrays', () => {
  const node1 = seed.datapath.nodes.get('node1');
  assert.ok(node1);
  const arrays = [...node1.maps.progArrays.values()].filter((a) => a.name.startsWith('cilium_calls_'));
  assert.deepEqual(arrays.map((a) => a.name).sort(), ['cilium_calls_00505', 'cilium_calls_01703', 'cilium_calls_hostns_00554', 'cilium_calls_netdev_00002', 'cilium_calls_netdev_00003', 'cilium_calls_overlay_2']);
  for (const a of arrays) assert.equal(a.lookup(38)?.name, 'tail_handle_snat_fwd_ipv4', a.name);
  for (const a of arrays) assert.equal(a.lookup(19), undefined, `${a.name}: slot 19 is compiled only in dual-stack/host-firewall/egress-gateway builds`);
});

test('nat.h:619-623 maps nat after pod1 → pod3: node1 holds the HostLocal=1 pair of the outer VXLAN packet, port kept', () => {
  const dp = withConntrackCopy(seed.datapath);
  traceWithReply(seed, spec('10.0.0.157', '10.0.1.105', 'tcp', 80), dp);
  const dump = dp.nodes.get('node1')?.maps.nat.dump().split('\n').filter((l) => l !== '') ?? [];
  const out = dump.find((l) => l.startsWith('UDP OUT 1.2.3.167:'));
  assert.ok(out, dump.join('\n'));
  const m = /^UDP OUT 1\.2\.3\.167:(\d+) -> 1\.2\.3\.168:8472 XLATE_SRC 1\.2\.3\.167:(\d+) Created=0sec HostLocal=1$/.exec(out);
  assert.ok(m && m[1] === m[2], out);
  assert.ok(Number(m[1]) >= 32768, 'a kernel VXLAN source port');
});

test('nodeport.h:1719-1773 pod1 → 8.8.8.8 --reply: masqueraded as 1.2.3.167:43210, translated back, no "not simulated" note', () => {
  const { forward, reply } = traceWithReply(seed, spec('10.0.0.157', '8.8.8.8', 'tcp', 443));
  assert.equal(forward.verdict, 'FORWARDED');
  assert.ok(flat(forward.hops).some((n) => n.kind === 'kernel' && n.op === 'wire' && n.text.startsWith('1.2.3.167 > 8.8.8.8')));
  assert.equal(reply?.verdict, 'FORWARDED');
  assert.equal(reply?.delivered?.target, 'default/pod1');
  assert.ok(reply && flat(reply.hops).some((n) => n.kind === 'rewrite' && n.field === 'daddr:dport' && n.from === '1.2.3.167:43210' && n.to === '10.0.0.157:43210'));
  assert.ok(reply && !reply.context.notes.some((t) => t.includes('not simulated')), reply?.context.notes.join('; '));
});

test('iptables.go:1143-1150 iptables MASQUERADE runs in POSTROUTING (ip_output) before tc egress: the wire shows 172.16.0.11, the reply comes back', () => {
  const { forward, reply } = traceWithReply(worldHost, spec('10.1.0.20', '1.1.1.1', 'tcp', 443));
  assert.equal(forward.verdict, 'FORWARDED');
  const minimal = renderTrace(forward, 'minimal');
  assert.match(minimal, /wire: 172\.16\.0\.11 > 1\.1\.1\.1 leaves the cluster through eth0/);
  assert.doesNotMatch(minimal, /wire: 10\.1\.0\.20 > 1\.1\.1\.1/);
  const nodes = flat(forward.hops);
  const masq = nodes.findIndex((n) => n.kind === 'rewrite' && n.field === 'saddr:sport' && n.to === '172.16.0.11:43210 (port kept)');
  const tx = nodes.findIndex((n) => n.kind === 'kernel' && n.op === 'tx' && n.text === 'eth0 (ifindex 2)');
  assert.ok(masq >= 0 && tx > masq, 'MASQUERADE before the device transmit');
  assert.ok(!nodes.some((n) => n.kind === 'not_simulated'));
  assert.equal(reply?.verdict, 'FORWARDED');
  assert.equal(reply?.delivered?.target, 'shop/frontend');
  assert.ok(reply && flat(reply.hops).some((n) => n.kind === 'rewrite' && n.field === 'daddr:dport' && n.from === '172.16.0.11:43210' && n.to === '10.1.0.20:43210'));
});
