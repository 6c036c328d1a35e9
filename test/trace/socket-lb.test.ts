// Socket LB end to end (control plane → maps → engine → datapath): connect() from the host
// netns (host processes and hostNetwork pods) is translated too, because cil_sock4_connect is
// attached at the cgroup v2 root (newcomer trial F3); a Service without backends refuses the
// call (bpf_sock.c:324-325, :463-466) and the matrix agrees with single traces; Hubble shows
// the trace-sock events of pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { ipv4 } from '../../src/net/ip.js';
import { parseScenario } from '../../src/scenario/load.js';
import { traceFlow, type FlowSource, type FlowSpec } from '../../src/trace/run.js';
import type { TraceNode } from '../../src/trace/tree.js';
import { cellAt, computeMatrix } from '../../src/analysis/matrix.js';
import { cellOutcome } from '../../src/analysis/outcome.js';
import { renderHubble } from '../../src/render/hubble.js';
import { renderMonitor } from '../../src/render/monitor.js';
import { ROOT } from '../support/run-cli.js';

const AGENT = `---
apiVersion: v1
kind: Pod
metadata: { name: agent, namespace: kube-system, labels: { app: agent } }
spec: { nodeName: node1, hostNetwork: true, containers: [{ name: a }] }
status: { phase: Running, podIP: 1.2.3.167 }
`;
const text = readFileSync(join(ROOT, 'scenarios', 'services.yaml'), 'utf8');
const cluster = buildCluster(parseScenario(text + AGENT, 'services.yaml'));

function flat(nodes: readonly TraceNode[]): TraceNode[] {
  return nodes.flatMap((n) => ('children' in n ? [n, ...flat(n.children)] : [n]));
}

const spec = (src: FlowSource, dst: string, dport: number): FlowSpec => ({ src, dstIp: ipv4(dst), proto: 'tcp', dport, sport: 43210, traceArp: false });
const host: FlowSource = { kind: 'host', node: 'node1', ip: ipv4('1.2.3.167') };
const agent: FlowSource = { kind: 'host', node: 'node1', ip: ipv4('1.2.3.167'), pod: 'kube-system/agent' };

test('bpf_sock.c:455-462 host netns → ClusterIP: cil_sock4_connect translates 10.96.0.10:80 to a backend before the first packet (no "leaves the cluster")', () => {
  const r = traceFlow(cluster, spec(host, '10.96.0.10', 80));
  assert.equal(r.verdict, 'FORWARDED');
  assert.equal(r.delivered?.target, 'default/pod2');
  const first = r.hops[0];
  assert.ok(first && first.kind === 'hop' && first.where === 'host netns socket' && first.hook === 'cgroup/connect4');
  assert.ok(flat(r.hops).some((n) => n.kind === 'rewrite' && n.field === 'user_ip4:user_port' && n.to === '10.0.0.243:80'));
  assert.ok(!flat(r.hops).some((n) => n.kind === 'kernel' && n.op === 'wire' && n.text.includes('leaves the cluster')));
});

test('bpf_sock.c:324-325 hostNetwork pod → Service without backends: connect() refused with EHOSTUNREACH, the matrix cell says the same', () => {
  const r = traceFlow(cluster, spec(agent, '10.96.0.40', 80));
  assert.equal(r.verdict, 'DROPPED');
  assert.equal(r.drop, null, 'no Cilium drop reason exists for a refused connect');
  assert.deepEqual(r.refused, { syscall: 'connect', errno: 'EHOSTUNREACH', code: -113, fn: 'cil_sock4_connect', file: 'bpf/bpf_sock.c', node: 'node1' });
  assert.equal(renderMonitor(r), '', 'no packet: no trace, drop or policy event');
  assert.equal(renderHubble(r), '', 'no drop flow, and no trace-sock event before the count check');
  const m = computeMatrix(cluster, { ports: [{ proto: 'tcp', port: 80 }], services: true, namespaces: [], selectors: [], keying: 'exact' });
  const s = m.sections.find((x) => x.columns.some((c) => c.label === 'svc:default/empty tcp/80'));
  assert.ok(s);
  const row = m.rows.findIndex((x) => x.label === 'kube-system/agent');
  const col = s.columns.findIndex((c) => c.label === 'svc:default/empty tcp/80');
  assert.deepEqual(cellAt(m, s, row, col), cellOutcome(r));
  assert.deepEqual(cellOutcome(r), { verdict: 'DROPPED', reason: 'EHOSTUNREACH', macro: 'SYS_REJECT', fn: 'cil_sock4_connect', direction: null });
});

test('parser/sock/parser.go:80-86 Hubble: a pod\'s trace-sock events are SOCK flows (TRACED, TRANSLATED); a host process\'s are skipped (unknown cgroup)', () => {
  const pod = traceFlow(cluster, spec({ kind: 'pod', ip: ipv4('10.0.0.157') }, '10.96.0.10', 80));
  const flows = renderHubble(pod).trim().split('\n').map((l) => JSON.parse(l) as { flow: { Type: string; verdict: string; IP: { source: string; destination: string }; sock_xlate_point?: string; destination_service?: { name: string } } });
  const sock = flows.filter((f) => f.flow.Type === 'SOCK').map((f) => `${f.flow.verdict} ${f.flow.IP.source} > ${f.flow.IP.destination} ${f.flow.sock_xlate_point} ${f.flow.destination_service?.name ?? '-'}`);
  assert.deepEqual(sock, ['TRACED 10.0.0.157 > 10.96.0.10 SOCK_XLATE_POINT_PRE_DIRECTION_FWD web', 'TRANSLATED 10.0.0.157 > 10.0.0.243 SOCK_XLATE_POINT_POST_DIRECTION_FWD -']);
  assert.ok(!renderMonitor(pod).includes('xlate'), 'cilium monitor (INFO) does not print trace-sock events (format.go:131-135)');
  const fromHost = traceFlow(cluster, spec(host, '10.96.0.10', 80));
  assert.ok(flat(fromHost.hops).some((n) => n.kind === 'trace_sock'), 'the datapath sends them');
  assert.ok(!renderHubble(fromHost).includes('"SOCK"'), 'hubble-skip-unknown-cgroup-ids (default true)');
  const fromAgent = traceFlow(cluster, spec(agent, '10.96.0.10', 80));
  assert.ok(renderHubble(fromAgent).includes('"Type":"SOCK"'), 'a hostNetwork pod has a pod cgroup');
});
