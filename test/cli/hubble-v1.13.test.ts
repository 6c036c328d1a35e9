// `-o hubble` against v1.13.0's Hubble parsers (pkg/hubble/parser/threefour/parser.go,
// pkg/hubble/parser/common/endpoint.go, daemon/cmd/hubble.go) and `-o monitor`'s flow hash.
// Each test is named after the source line it reflects; values are exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { ipv4 } from '../../src/net/ip.js';
import { renderHubble } from '../../src/render/hubble.js';
import { loadDefaultScenario } from '../../src/scenario/load.js';
import { traceFlow } from '../../src/trace/run.js';
import type { TraceNode } from '../../src/trace/tree.js';
import { runCli } from '../support/run-cli.js';

type Flow = Record<string, unknown> & {
  readonly node_name: string;
  readonly trace_observation_point?: string;
  readonly IP: { readonly source: string; readonly destination: string };
  readonly source: Record<string, unknown>;
  readonly destination: Record<string, unknown>;
};

async function flows(argv: readonly string[]): Promise<Flow[]> {
  const run = await runCli([...argv, '-o', 'hubble']);
  assert.equal(run.stderr, '');
  return run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { flow: Flow }).flow);
}

function find(fs: readonly Flow[], node: string, point: string, src?: string): Flow {
  const f = fs.find((x) => x.node_name === node && x.trace_observation_point === point && (src === undefined || x.IP.source === src));
  assert.ok(f, `${node} ${point} ${src ?? ''}`);
  return f;
}

const POD1_LABELS = ['k8s:app=client', 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default', 'k8s:io.cilium.k8s.policy.cluster=default', 'k8s:io.cilium.k8s.policy.serviceaccount=default', 'k8s:io.kubernetes.pod.namespace=default'];
const POD3_LABELS = ['k8s:app=server', 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default', 'k8s:io.cilium.k8s.policy.cluster=default', 'k8s:io.cilium.k8s.policy.serviceaccount=default', 'k8s:io.kubernetes.pod.namespace=default'];

test('parser.go:443-461 decodeTrafficDirection: reason unknown → unset; known → EGRESS iff (Source == source endpoint ID) != reply', async () => {
  const fs = await flows(['pod1', 'pod3', 'tcp/80', '--reply']);
  // FROM_ENDPOINT, FROM_NETWORK, FROM_OVERLAY and the snat_fwd TO_OVERLAY/TO_NETWORK carry TRACE_REASON_UNKNOWN.
  for (const f of fs.filter((x) => ['FROM_ENDPOINT', 'FROM_NETWORK', 'FROM_OVERLAY', 'TO_NETWORK'].includes(x.trace_observation_point ?? ''))) {
    assert.equal(f.traffic_direction, undefined, `${f.node_name} ${f.trace_observation_point}`);
  }
  const toOverlay = fs.filter((x) => x.trace_observation_point === 'TO_OVERLAY');
  assert.deepEqual(toOverlay.map((f) => [f.node_name, f.IP.source, f.traffic_direction]), [
    ['node1', '10.0.0.157', 'EGRESS'], // bpf_lxc, Source 1703 = pod1, new
    ['node1', '10.0.0.157', undefined], // tail_handle_snat_fwd_ipv4: reason unknown, Source 0
    ['node2', '10.0.1.105', 'INGRESS'], // bpf_lxc, Source 2910 = pod3 (the source), reply
    ['node2', '10.0.1.105', undefined],
  ]);
  assert.equal(find(fs, 'node2', 'TO_ENDPOINT').traffic_direction, 'INGRESS'); // Source 2910, source pod1 remote, new
  assert.equal(find(fs, 'node1', 'TO_ENDPOINT').traffic_direction, 'EGRESS'); // Source 1703, source pod3 remote (ID 0), reply
});

test('parser.go:385-402, :205 decodeIsReply: is_reply only for a known reason; the deprecated reply with it', async () => {
  const fs = await flows(['pod1', 'pod3', 'tcp/80', '--reply']);
  const from = find(fs, 'node1', 'FROM_ENDPOINT');
  assert.equal('is_reply' in from, false);
  assert.equal('reply' in from, false);
  const fwd = find(fs, 'node2', 'TO_ENDPOINT');
  assert.equal(fwd.is_reply, false);
  assert.equal('reply' in fwd, false);
  const back = find(fs, 'node1', 'TO_ENDPOINT');
  assert.equal(back.is_reply, true);
  assert.equal(back.reply, true);
});

test('endpoint.go:67-115 ResolveEndpoint: ID only for an endpoint of the observing node; a remote pod from ipcache + K8s metadata', async () => {
  const fs = await flows(['pod1', 'pod3', 'icmp']);
  const f = find(fs, 'node1', 'FROM_ENDPOINT');
  assert.deepEqual(f.source, { ID: 1703, identity: 47204, namespace: 'default', labels: POD1_LABELS, pod_name: 'pod1' });
  assert.deepEqual(f.destination, { identity: 14753, namespace: 'default', labels: POD3_LABELS, pod_name: 'pod3' });
  const g = find(fs, 'node2', 'TO_ENDPOINT');
  assert.deepEqual(g.source, { identity: 47204, namespace: 'default', labels: POD1_LABELS, pod_name: 'pod1' });
  assert.deepEqual(g.destination, { ID: 2910, identity: 14753, namespace: 'default', labels: POD3_LABELS, pod_name: 'pod3' });
});

test('parser.go:227-259 decodeLayers Summary and parser.go:331-335 one boolean per TCP flag', async () => {
  const icmp = await flows(['pod1', 'pod3', 'icmp']);
  assert.equal(find(icmp, 'node1', 'FROM_ENDPOINT').Summary, 'ICMPv4 EchoRequest');
  assert.deepEqual(find(icmp, 'node1', 'FROM_ENDPOINT').l4, { ICMPv4: { type: 8 } });
  const outer = find(icmp, 'node1', 'TO_NETWORK');
  assert.equal(outer.Summary, 'UDP'); // the VXLAN payload on 8472 is not decoded
  assert.deepEqual(outer.l4, { UDP: { source_port: 51023, destination_port: 8472 } });
  const tcp = await flows(['pod1', 'pod3', 'tcp/80', '--reply']);
  assert.equal(find(tcp, 'node1', 'FROM_ENDPOINT').Summary, 'TCP Flags: SYN');
  const synAck = find(tcp, 'node1', 'TO_ENDPOINT');
  assert.equal(synAck.Summary, 'TCP Flags: SYN, ACK');
  assert.deepEqual(synAck.l4, { TCP: { source_port: 80, destination_port: 43210, flags: { SYN: true, ACK: true } } });
  const echoReply = (await flows(['pod1', 'pod3', 'icmp', '--reply'])).filter((f) => f.IP.source === '10.0.1.105');
  assert.equal(echoReply[0]?.Summary, 'ICMPv4 EchoReply');
  assert.deepEqual(echoReply[0]?.l4, { ICMPv4: {} }); // type 0 is a zero scalar: not printed
});

test('policy_log.h:65 __notify_common_hdr(CILIUM_NOTIFY_POLICY_VERDICT, 0): verdict events have sub_type 0; parser.go:433-442 drop direction from Source', async () => {
  const fs = await flows(['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080']);
  const verdict = fs.find((f) => (f.event_type as { type: number }).type === 5);
  assert.ok(verdict);
  assert.deepEqual(verdict.event_type, { type: 5 });
  assert.equal(verdict.traffic_direction, 'INGRESS');
  assert.equal('policy_match_type' in verdict, false); // match none = 0
  assert.equal('is_reply' in verdict, false); // a denied verdict has none
  const drop = fs.find((f) => (f.event_type as { type: number }).type === 1);
  assert.ok(drop);
  assert.deepEqual(drop.event_type, { type: 1, sub_type: 133 });
  assert.equal(drop.traffic_direction, 'INGRESS'); // Source 2173 (app1) is not the source endpoint 1769
  const out = await flows(['--scenario', 'world-host', 'frontend', '8.8.8.8', 'tcp/443']);
  const egressDrop = out.find((f) => (f.event_type as { type: number }).type === 1);
  assert.equal(egressDrop?.traffic_direction, 'EGRESS'); // Source 713 = the source endpoint
});

test('endpoint.go:99-107 and pkg/counter/prefixes.go:58-61: the world peer is identity 2 with labels ["reserved:world"]', async () => {
  const fs = await flows(['--scenario', 'world-host', 'frontend', '8.8.8.8', 'tcp/443']);
  assert.ok(fs.length >= 3);
  for (const f of fs) assert.deepEqual(f.destination, { identity: 2, labels: ['reserved:world'] });
});

test('endpoint.go:48-65, :88-94: the datapath label wins over the ipcache (NodePort SNAT source 10.0.1.2 is world, not remote-node)', async () => {
  const fs = await flows(['--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080']);
  const toEp = find(fs, 'node1', 'TO_ENDPOINT');
  assert.equal(toEp.IP.source, '10.0.1.2');
  assert.deepEqual(toEp.source, { identity: 2, labels: ['reserved:world'] });
  // FROM_OVERLAY carries label 0: the ipcache's remote-node for node2's cilium_host address.
  assert.deepEqual(find(fs, 'node1', 'FROM_OVERLAY').source, { identity: 6, labels: ['reserved:remote-node'] });
});

test('parser.go:186-190, :208-209 GetServiceByAddr on the observing node: destination_service of a NodePort and a ClusterIP', async () => {
  const np = await flows(['--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080']);
  assert.deepEqual(find(np, 'node2', 'FROM_NETWORK').destination_service, { name: 'web-np', namespace: 'default' });
  assert.equal('destination_service' in find(np, 'node2', 'TO_OVERLAY'), false); // 10.0.0.243:80 is a backend
  const cip = await flows(['--scenario', 'services', 'pod1', 'svc:web', 'tcp/80']);
  const pre = cip.find((f) => f.Type === 'SOCK' && f.sock_xlate_point === 'SOCK_XLATE_POINT_PRE_DIRECTION_FWD');
  assert.deepEqual(pre?.destination_service, { name: 'web', namespace: 'default' });
  assert.equal(pre?.socket_cookie !== undefined && typeof pre.socket_cookie, 'string'); // uint64 in protojson
});

test('parser.go:195, :302-307 decodeEthernet: the frame MACs at the observation point (outer ones on eth0)', async () => {
  const fs = await flows(['pod1', 'pod3', 'icmp']);
  assert.deepEqual(find(fs, 'node1', 'FROM_ENDPOINT').ethernet, { source: '36:b0:81:dd:cb:53', destination: '5a:e7:3b:d0:b8:c5' });
  assert.deepEqual(find(fs, 'node1', 'TO_NETWORK').ethernet, { source: '52:54:00:4e:1a:67', destination: '52:54:00:71:c3:a8' });
});

test('parser.go:551-553 and protojson EmitUnpopulated=false: no interface for ifindex 0, no null, no zero sub_type', async () => {
  const run = await runCli(['pod1', 'pod3', 'icmp', '-o', 'hubble']);
  assert.equal(run.stdout.includes('null'), false);
  assert.equal(run.stdout.includes('"sub_type":0'), false);
  const fs = run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { flow: Flow }).flow);
  assert.equal('interface' in find(fs, 'node1', 'FROM_ENDPOINT'), false);
  assert.deepEqual(find(fs, 'node2', 'TO_ENDPOINT').event_type, { type: 4 }); // TO_LXC is obs point 0
  assert.deepEqual(find(fs, 'node2', 'TO_ENDPOINT').interface, { index: 39, name: 'lxc7f3b8c29d10e' });
});

test('parser.go:170-176: a trace event\'s orig-ip replaces IP.source and is the address the source endpoint is resolved by', () => {
  const r = traceFlow(buildCluster(loadDefaultScenario()), { src: { kind: 'pod', ip: ipv4('10.0.0.157') }, dstIp: ipv4('10.0.1.105'), proto: 'icmp', dport: null, sport: 43210, traceArp: false });
  // The datapath's orig_sip may differ from the header (ipv4_policy saves it before reverse NAT):
  // give TO_LXC the address of pod2 (node1) and check Hubble takes it.
  const swap = (nodes: readonly TraceNode[]): TraceNode[] => nodes.map((n) => (n.kind === 'trace_point' && n.point === 'TRACE_TO_LXC' ? { ...n, origIp: '10.0.0.243' } : 'children' in n ? { ...n, children: swap(n.children) } : n));
  const lines = renderHubble({ ...r, hops: swap(r.hops), identityOf: r.identityOf, labelsOf: r.labelsOf, services: r.services, endpoints: r.endpoints }).trim().split('\n');
  const toEp = (JSON.parse(lines[lines.length - 1] ?? '{}') as { flow: Flow }).flow;
  assert.equal(toEp.trace_observation_point, 'TO_ENDPOINT');
  assert.deepEqual(toEp.IP, { source: '10.0.0.243', destination: '10.0.1.105', ipVersion: 'IPv4' });
  // pod2 is remote on node2: K8s metadata by address, identity from the event's label (47204).
  assert.equal(toEp.source.pod_name, 'pod2');
  assert.equal(toEp.source.identity, 47204);
  assert.equal('ID' in toEp.source, false);
});

test('lb.h:1407, :1130 (no BPF_F_INVALIDATE_HASH): skb->hash stays the same for every event of one packet on one node', async () => {
  const run = await runCli(['--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '-o', 'monitor']);
  const hashes = run.stdout.trim().split('\n').map((l) => /flow (0x[0-9a-f]+)/.exec(l)?.[1]);
  // node2: FROM_NETWORK, TO_OVERLAY after DNAT, TO_NETWORK of the outer packet; node1: the received outer packet and what it carries.
  assert.deepEqual(hashes, ['0x78268d12', '0x78268d12', '0x78268d12', '0xa911757e', '0xa911757e', '0xa911757e']);
});
