// End-to-end paths beyond pod-to-pod: world, hosts, Services, replies, Geneve. Each test runs
// the whole control plane → maps → datapath chain and checks verdicts and key steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { ipv4 } from '../../src/net/ip.js';
import { loadDefaultScenario, loadScenarioFile, parseScenario } from '../../src/scenario/load.js';
import type { Scenario, ServiceSpec } from '../../src/scenario/types.js';
import { traceFlow, traceWithReply, type FlowSource, type FlowSpec } from '../../src/trace/run.js';
import type { TraceNode, TraceResult } from '../../src/trace/tree.js';
import { ROOT } from '../support/run-cli.js';

const pos = { file: 'test', line: 1, col: 1 };
const seed = buildCluster(loadDefaultScenario());
const l3 = buildCluster(loadScenarioFile(join(ROOT, 'scenarios', 'l3-policy.yaml'), 'scenarios/l3-policy.yaml'));

function flat(nodes: readonly TraceNode[]): TraceNode[] {
  return nodes.flatMap((n) => ('children' in n ? [n, ...flat(n.children)] : [n]));
}

function spec(src: FlowSource, dst: string, proto: FlowSpec['proto'] = 'icmp', dport: number | null = null): FlowSpec {
  return { src, dstIp: ipv4(dst), proto, dport, sport: 43210, traceArp: false };
}

const pod = (ip: string): FlowSource => ({ kind: 'pod', ip: ipv4(ip) });
const points = (r: TraceResult) => flat(r.hops).flatMap((n) => (n.kind === 'trace_point' ? [n.point] : []));

function withServices(sc: Scenario, services: ServiceSpec[]): Cluster {
  return buildCluster({ ...sc, services });
}

test('pod → world: no tunnel endpoint, pass_to_stack with TO_STACK, out of eth0 (FORWARDED)', () => {
  const r = traceFlow(seed, spec(pod('10.0.0.157'), '8.8.8.8', 'tcp', 443));
  assert.equal(r.verdict, 'FORWARDED');
  assert.equal(r.delivered?.target, 'the network outside the cluster');
  assert.ok(points(r).includes('TRACE_TO_STACK'));
  assert.ok(flat(r.hops).some((n) => n.kind === 'lookup' && n.map === 'cilium_ipcache' && n.key === '8.8.8.8/32' && n.result?.startsWith('identity=2 ')));
});

test('pod → own node IP: ENDPOINT_F_HOST, to the host stack', () => {
  const r = traceFlow(seed, spec(pod('10.0.0.157'), '1.2.3.167'));
  assert.equal(r.verdict, 'FORWARDED');
  assert.equal(r.delivered?.via, 'stack');
  assert.equal(r.delivered?.node, 'node1');
});

test('pod → remote node IP: remote-node identity, sent natively (not encapsulated) in tunnel mode', () => {
  const r = traceFlow(seed, spec(pod('10.0.0.157'), '1.2.3.168'));
  assert.equal(r.verdict, 'FORWARDED');
  assert.equal(r.delivered?.node, 'node2');
  assert.ok(!flat(r.hops).some((n) => n.kind === 'encap'));
  assert.ok(flat(r.hops).some((n) => n.kind === 'policy' && n.remoteId === 6));
});

test('host → remote pod: cil_from_host, identity host, VNI 6 on the wire', () => {
  const r = traceFlow(seed, spec({ kind: 'host', node: 'node1', ip: ipv4('1.2.3.167') }, '10.0.1.105'));
  assert.equal(r.verdict, 'FORWARDED');
  const enc = flat(r.hops).find((n) => n.kind === 'encap');
  assert.ok(enc && enc.kind === 'encap' && enc.vni === 6);
  assert.ok(points(r).includes('TRACE_FROM_HOST'));
});

test('host → local pod with enforced ingress: the reserved:host entry allows it (allow-localhost)', () => {
  const r = traceFlow(l3, spec({ kind: 'host', node: 'runtime1', ip: ipv4('10.0.2.15') }, '10.11.71.148', 'tcp', 80));
  assert.equal(r.verdict, 'FORWARDED');
  const pol = flat(r.hops).find((n) => n.kind === 'policy' && n.direction === 'ingress');
  assert.ok(pol && pol.kind === 'policy' && pol.remoteId === 1 && pol.match === 'L3-Only');
  assert.equal(r.delivered?.via, 'redirect', 'from the host: plain redirect (needs the backlog), not redirect_peer');
});

test('world → pod, kube-proxy replacement: cil_from_netdev delivers with redirect_peer', () => {
  const r = traceFlow(seed, spec({ kind: 'world', ip: ipv4('8.8.8.8'), entryNode: 'node2' }, '10.0.1.105', 'tcp', 80));
  assert.equal(r.verdict, 'FORWARDED');
  assert.equal(r.delivered?.via, 'redirect_peer');
  assert.ok(points(r).includes('TRACE_FROM_NETWORK'));
});

test('world → pod, no kube-proxy replacement: the stack routes to cilium_host; world is denied by l3-rule', () => {
  const r = traceFlow(l3, spec({ kind: 'world', ip: ipv4('8.8.8.8'), entryNode: 'runtime1' }, '10.11.71.148', 'tcp', 80));
  assert.equal(r.verdict, 'DROPPED');
  assert.equal(r.drop?.name, 'POLICY_DENIED');
  assert.ok(points(r).includes('TRACE_FROM_HOST'));
  const pol = flat(r.hops).find((n) => n.kind === 'policy');
  assert.ok(pol && pol.kind === 'policy' && pol.remoteId === 2);
});

const web = (sel: Record<string, string>): ServiceSpec[] => [
  { name: 'web', namespace: 'default', type: 'ClusterIP', clusterIP: ipv4('10.96.0.10'), ports: [{ port: 80, protocol: 'TCP', targetPort: 8080, pos }], selector: sel, pos },
  { name: 'empty', namespace: 'default', type: 'ClusterIP', clusterIP: ipv4('10.96.0.11'), ports: [{ port: 80, protocol: 'TCP', targetPort: 80, pos }], selector: { app: 'none' }, pos },
];

test('socket LB: connect() to a ClusterIP leaves the pod addressed to the backend', () => {
  const c = withServices(loadDefaultScenario(), web({ app: 'server' }));
  const r = traceFlow(c, spec(pod('10.0.0.157'), '10.96.0.10', 'tcp', 80));
  assert.equal(r.verdict, 'FORWARDED');
  assert.equal(r.delivered?.target, 'default/pod2', 'default backend: the first slot (10.0.0.243)');
  assert.ok(flat(r.hops).some((n) => n.kind === 'rewrite' && n.field === 'user_ip4:user_port' && n.to === '10.0.0.243:8080'));
  const other = traceFlow(c, { ...spec(pod('10.0.0.157'), '10.96.0.10', 'tcp', 80), backend: { ip: ipv4('10.0.1.105') } });
  assert.equal(other.delivered?.target, 'default/pod3', '--backend picks the other one');
});

test('a Service without backends: socket LB refuses connect() (EHOSTUNREACH, no drop reason); per-packet LB drops DROP_NO_SERVICE (158)', () => {
  const kpr = traceFlow(withServices(loadDefaultScenario(), web({ app: 'server' })), spec(pod('10.0.0.157'), '10.96.0.11', 'tcp', 80));
  assert.deepEqual([kpr.verdict, kpr.drop, kpr.refused?.errno, kpr.refused?.code, kpr.refused?.fn], ['DROPPED', null, 'EHOSTUNREACH', -113, 'cil_sock4_connect']);
  const l3sc = loadScenarioFile(join(ROOT, 'scenarios', 'l3-policy.yaml'), 'scenarios/l3-policy.yaml');
  const ppl = traceFlow(withServices(l3sc, web({ id: 'app1' })), spec(pod('10.11.90.17'), '10.96.0.11', 'tcp', 80));
  assert.deepEqual([ppl.verdict, ppl.drop?.code, ppl.drop?.fn], ['DROPPED', 158, 'lb4_local']);
});

test('per-packet LB: DNAT in __tail_handle_ipv4, policy on the backend port, reverse NAT on the reply', () => {
  const l3sc = loadScenarioFile(join(ROOT, 'scenarios', 'l3-policy.yaml'), 'scenarios/l3-policy.yaml');
  const c = withServices(l3sc, [{ name: 'web', namespace: 'default', type: 'ClusterIP', clusterIP: ipv4('10.96.0.10'), ports: [{ port: 8000, protocol: 'TCP', targetPort: 80, pos }], selector: { id: 'app1' }, pos }]);
  const { forward, reply } = traceWithReply(c, spec(pod('10.11.90.17'), '10.96.0.10', 'tcp', 8000));
  assert.equal(forward.verdict, 'FORWARDED');
  assert.ok(flat(forward.hops).some((n) => n.kind === 'rewrite' && n.field === 'daddr:dport' && n.to === '10.11.71.148:80'));
  assert.ok(reply && reply.verdict === 'FORWARDED');
  assert.ok(flat(reply.hops).some((n) => n.kind === 'rewrite' && n.field === 'saddr:sport' && n.to === '10.96.0.10:8000'), 'lb4_rev_nat restores the VIP');
  assert.ok(flat(reply.hops).some((n) => n.kind === 'ct' && n.result === 'CT_REPLY'));
});

test('replies come back through a deny-all ingress; a new connection the other way is dropped', () => {
  // app1's ingress allows only app2 on 80/TCP; app1 itself may open connections (egress unenforced).
  const { forward, reply } = traceWithReply(l3, spec(pod('10.11.71.148'), '10.11.90.17', 'tcp', 5432));
  assert.equal(forward.verdict, 'FORWARDED');
  assert.ok(reply);
  assert.equal(reply.verdict, 'FORWARDED', 'the reply is CT_REPLY at app1: v1.13 skips policy enforcement for return traffic');
  const fresh = traceFlow(l3, spec(pod('10.11.90.17'), '10.11.71.148', 'tcp', 5432));
  assert.equal(fresh.verdict, 'DROPPED');
});

test('Geneve: cilium_geneve, UDP 6081, VNI = source identity', () => {
  const c = buildCluster(loadScenarioFile(join(ROOT, 'scenarios', 'geneve.yaml'), 'scenarios/geneve.yaml'));
  const client = c.endpoints.find((e) => e.pod.name === 'client');
  assert.ok(client);
  const r = traceFlow(c, spec(pod('10.244.1.23'), '10.244.2.40', 'tcp', 80));
  assert.equal(r.verdict, 'FORWARDED');
  const enc = flat(r.hops).find((n) => n.kind === 'encap');
  assert.ok(enc && enc.kind === 'encap' && enc.type === 'geneve' && enc.dport === 6081 && enc.vni === client.identity);
  assert.ok(r.hops.some((h) => h.kind === 'hop' && h.where === 'cilium_geneve'));
  assert.equal(r.delivered?.via, 'redirect', 'legacy host routing: bpf_redirect to the veth');
});

test('traces do not leak conntrack state into each other', () => {
  const a = traceFlow(seed, spec(pod('10.0.0.157'), '10.0.1.105'));
  const b = traceFlow(seed, spec(pod('10.0.0.157'), '10.0.1.105'));
  assert.deepEqual(a, b);
  assert.equal(seed.datapath.nodes.get('node1')?.maps.ctAny.entries().length, 0);
});

test('pod → a remote node\'s cilium_host IP: the ipcache has a tunnel endpoint, so it is encapsulated', () => {
  const r = traceFlow(seed, spec(pod('10.0.0.157'), '10.0.1.2'));
  const enc = flat(r.hops).find((n) => n.kind === 'encap');
  assert.ok(enc && enc.kind === 'encap' && enc.vni === 47204 && enc.outerDst === '1.2.3.168');
});

test('native routing, legacy host routing: pass_to_stack, kernel route via the peer node, cil_from_host delivers', () => {
  const text = [
    'apiVersion: cilium-trace/v1', 'kind: Scenario', 'metadata: { name: native-legacy }', 'cluster: { routing: native }',
    'nodes:', '  - { name: a, ip: 192.168.30.11, podCIDR: 10.50.0.0/24 }', '  - { name: b, ip: 192.168.30.12, podCIDR: 10.50.1.0/24 }',
    'pods:', '  - { name: x, node: a, ip: 10.50.0.5, labels: { app: x } }', '  - { name: y, node: b, ip: 10.50.1.5, labels: { app: y } }',
  ].join('\n');
  const c = buildCluster(parseScenario(text, 'native-legacy.yaml'));
  const r = traceFlow(c, spec(pod('10.50.0.5'), '10.50.1.5', 'tcp', 80));
  assert.equal(r.verdict, 'FORWARDED');
  assert.ok(!flat(r.hops).some((n) => n.kind === 'encap'));
  assert.ok(points(r).includes('TRACE_TO_STACK'));
  assert.ok(points(r).includes('TRACE_FROM_HOST'), 'the receiver delivers through cilium_host');
  const pol = flat(r.hops).find((n) => n.kind === 'policy' && n.direction === 'ingress');
  const x = c.endpoints.find((e) => e.pod.name === 'x');
  assert.ok(pol && pol.kind === 'policy' && x && pol.remoteId === x.identity, 'the source identity is re-derived from the ipcache');
});

test('a pod whose ingress denies everything still gets the replies of its own connections', () => {
  const text = [
    'apiVersion: cilium-trace/v1', 'kind: Scenario', 'metadata: { name: deny-all }',
    'nodes:', '  - { name: a, ip: 192.168.30.11, podCIDR: 10.50.0.0/24 }', '  - { name: b, ip: 192.168.30.12, podCIDR: 10.50.1.0/24 }',
    'pods:', '  - { name: locked, node: a, ip: 10.50.0.5, labels: { app: locked } }', '  - { name: peer, node: b, ip: 10.50.1.5, labels: { app: peer } }',
    'policies:', '  - apiVersion: cilium.io/v2', '    kind: CiliumNetworkPolicy', '    metadata: { name: deny-all-ingress, namespace: default }',
    '    spec:', '      endpointSelector: { matchLabels: { app: locked } }', '      ingress: [{}]',
  ].join('\n');
  const c = buildCluster(parseScenario(text, 'deny-all.yaml'));
  const { forward, reply } = traceWithReply(c, spec(pod('10.50.0.5'), '10.50.1.5', 'tcp', 443));
  assert.equal(forward.verdict, 'FORWARDED');
  assert.equal(reply?.verdict, 'FORWARDED');
  const policies = reply ? flat(reply.hops).filter((n) => n.kind === 'policy' || (n.kind === 'lookup' && n.map.startsWith('cilium_policy_'))) : [];
  assert.deepEqual(policies, [], 'bpf_lxc.c ipv4_policy: CT_REPLY goes to skip_policy_enforcement, no lookup at all');
  assert.ok(reply && points(reply).some((p) => p === 'TRACE_TO_LXC'), 'the reply passes');
  const toLxc = reply ? flat(reply.hops).find((n) => n.kind === 'trace_point' && n.point === 'TRACE_TO_LXC') : undefined;
  assert.ok(toLxc && toLxc.kind === 'trace_point' && toLxc.reason === 'reply');
  const reverse = traceFlow(c, spec(pod('10.50.1.5'), '10.50.0.5', 'tcp', 443));
  assert.equal(reverse.verdict, 'DROPPED');
  assert.equal(reverse.drop?.name, 'POLICY_DENIED');
});

test('--ct established on a single packet is marked as assumed', () => {
  const r = traceFlow(seed, { ...spec(pod('10.0.0.157'), '10.0.1.105', 'tcp', 80), ctState: 'CT_ESTABLISHED' });
  assert.ok(flat(r.hops).some((n) => n.kind === 'ct' && n.result === 'CT_ESTABLISHED' && n.assumed));
  assert.ok(r.context.notes.includes('ct: CT_ESTABLISHED (assumed, --ct)'));
  // --ct stands in for conntrack state only: the outer VXLAN packet still gets its host-local
  // NAT pair on node1's eth0 (nat.h:619-623), which is not a conntrack entry.
  assert.ok(!flat(r.hops).some((n) => n.kind === 'ct_create' && n.map !== 'cilium_snat_v4_external'), 'no conntrack entry is created for an established connection');
});
