// The LB maps the v1.13.0 agent writes (tier 2: scenario in, `cilium bpf lb list` text out):
// per node, the ClusterIPs plus the NodePort frontends on the node's own address and the
// 0.0.0.0 surrogate; the backend map is cilium_lb4_backends_v3. Named after source lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCluster } from '../../src/controlplane/cluster.js';
import { LB_BACKENDS_MAP, formatBackendValue } from '../../src/maps/lbmap.js';
import { ipv4 } from '../../src/net/ip.js';
import { parseScenario } from '../../src/scenario/load.js';
import { ROOT } from '../support/run-cli.js';

const text = readFileSync(join(ROOT, 'scenarios', 'services.yaml'), 'utf8');
const prov = { kind: 'agent' as const, what: 'test' };

/** The frontend rows (slot 0) of a dump, "address | value". */
function frontends(dump: string): string[] {
  return dump.split('\n').filter((l) => /^\d/.test(l)).map((l) => l.replace(/\s+$/, '').replace(/\s{2,}/, ' | '));
}

test('pkg/k8s/service.go:235-242 + node_addressing.go:92-96 node1\'s LB map: NodePort on 1.2.3.167 and the 0.0.0.0 surrogate (lbmap.go:559-560: non-routable), not on node2\'s address', () => {
  const cluster = buildCluster(parseScenario(text, 'services.yaml'));
  assert.deepEqual(frontends(cluster.datapath.nodes.get('node1')?.maps.lb.dump() ?? ''), [
    '0.0.0.0:30080 | 0.0.0.0:0 (6) (0) [NodePort, non-routable]',
    '1.2.3.167:30080 | 0.0.0.0:0 (5) (0) [NodePort]',
    '10.96.0.10:80 | 0.0.0.0:0 (3) (0) [ClusterIP, non-routable]',
    '10.96.0.20:80 | 0.0.0.0:0 (4) (0) [ClusterIP, non-routable]',
    '10.96.0.30:8080 | 0.0.0.0:0 (1) (0) [ClusterIP, non-routable]',
    '10.96.0.40:80 | 0.0.0.0:0 (2) (0) [ClusterIP, non-routable]',
  ]);
  const node2 = frontends(cluster.datapath.nodes.get('node2')?.maps.lb.dump() ?? '');
  assert.ok(node2.includes('1.2.3.168:30080 | 0.0.0.0:0 (5) (0) [NodePort]') && !node2.some((l) => l.startsWith('1.2.3.167:')));
});

test('pkg/k8s/service.go:217 without kube-proxy replacement (EnableNodePort off) no NodePort frontend is written', () => {
  const legacy = text.replace('kubeProxyReplacement: true', 'kubeProxyReplacement: false').replace('bpfHostRouting: true', 'bpfHostRouting: false').replace('masquerade: bpf', 'masquerade: iptables');
  const lb = buildCluster(parseScenario(legacy, 'services.yaml')).datapath.nodes.get('node1')?.maps.lb.dump() ?? '';
  assert.ok(!lb.includes(':30080'));
  assert.ok(lb.includes('10.96.0.20:80'));
});

test('config.go:201 LB4_BACKEND_MAP is cilium_lb4_backends_v3; ipv4.go:526-529 Backend4ValueV3.String() prints proto://address[@cluster_id], no port', () => {
  assert.equal(LB_BACKENDS_MAP, 'cilium_lb4_backends_v3');
  assert.equal(formatBackendValue({ address: ipv4('10.0.1.105'), port: 80, proto: 0, flags: 0, provenance: prov }), 'ANY://10.0.1.105');
  assert.equal(formatBackendValue({ address: ipv4('10.0.1.105'), port: 80, proto: 0, flags: 0, clusterId: 3, provenance: prov }), 'ANY://10.0.1.105@3');
});
