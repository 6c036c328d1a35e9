// The all-ports matrix checked against single traces: for every pair's set, in clusters with
// a port range, an ICMP type, an L7 port, a deny and a default-deny (and a hostNetwork pod,
// a Service), under each release, traces on sampled ports — inside each range, at both
// edges, just outside — must agree with it: FORWARDED exactly where the set allows without
// the proxy, NOT_SIMULATED at a proxy redirect exactly where it says (L7), DROPPED elsewhere.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadCluster, trace, type Cluster, type TraceResult } from '../../src/index.js';
import { computeConnectivity, pairSetAt, type Connectivity } from '../../src/analysis/ports-matrix.js';
import { renderConnectivityText } from '../../src/analysis/ports-render.js';
import { DOMAIN, type PortSet, type SetProto } from '../../src/analysis/ports-set.js';

export const PORTS_CLUSTER = `apiVersion: cilium-trace/v1
kind: Scenario
metadata: { name: ports }
cluster: { routing: tunnel, tunnelProtocol: vxlan, kubeProxyReplacement: true }
nodes:
  - { name: node-a, ip: 192.168.10.11, podCIDR: 10.20.0.0/24 }
  - { name: node-b, ip: 192.168.10.12, podCIDR: 10.20.1.0/24 }
pods:
  - { name: frontend-1, namespace: shop, node: node-a, ip: 10.20.0.11, labels: { app: frontend } }
  - { name: frontend-2, namespace: shop, node: node-b, ip: 10.20.1.11, labels: { app: frontend } }
  - { name: api-1, namespace: shop, node: node-a, ip: 10.20.0.21, labels: { app: api } }
  - { name: api-2, namespace: shop, node: node-b, ip: 10.20.1.21, labels: { app: api } }
  - { name: db-0, namespace: shop, node: node-b, ip: 10.20.1.31, labels: { app: db } }
  - { name: batch-0, namespace: jobs, node: node-a, ip: 10.20.0.41, labels: { app: batch } }
---
apiVersion: v1
kind: Pod
metadata: { name: agent-a, namespace: kube-system, labels: { app: agent } }
spec: { nodeName: node-a, hostNetwork: true, containers: [{ name: agent, image: agent }] }
status: { phase: Running, podIP: 192.168.10.11, hostIP: 192.168.10.11 }
---
apiVersion: v1
kind: Service
metadata: { name: api, namespace: shop }
spec:
  clusterIP: 10.96.10.10
  selector: { app: api }
  ports:
    - { name: http, port: 80, targetPort: 8080, protocol: TCP }
    - { name: admin, port: 9090, targetPort: 9090, protocol: TCP }
---
# A port range, an ICMP type and an L7 port into the API.
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api-ingress, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: frontend } }]
      toPorts: [{ ports: [{ port: "8000", endPort: 8099, protocol: TCP }] }]
    - fromEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: jobs, app: batch } }]
      toPorts: [{ ports: [{ port: "8050", endPort: 8099, protocol: TCP }, { port: "53", protocol: UDP }] }]
    - fromEndpoints: [{ matchLabels: { app: frontend } }]
      icmps: [{ fields: [{ type: 8 }] }]
    - fromEndpoints: [{ matchLabels: { app: frontend } }]
      toPorts: [{ ports: [{ port: "9090", protocol: TCP }], rules: { http: [{ method: GET, path: "/metrics" }] } }]
---
# All of shop may reach the database, but a deny keeps the frontends off 5432.
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: db-ingress, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: db } }
  ingress:
    - fromEndpoints: [{ matchLabels: {} }]
  ingressDeny:
    - fromEndpoints: [{ matchLabels: { app: frontend } }]
      toPorts: [{ ports: [{ port: "5432", protocol: TCP }] }]
---
# Default deny for the batch job's egress, but for the API's range and UDP 53 to shop through the DNS proxy.
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: batch-egress, namespace: jobs }
spec:
  endpointSelector: { matchLabels: { app: batch } }
  egress:
    - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: shop, app: api } }]
      toPorts: [{ ports: [{ port: "8050", endPort: 8200, protocol: TCP }] }]
    - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: shop } }]
      toPorts: [{ ports: [{ port: "53", protocol: UDP }], rules: { dns: [{ matchPattern: "*" }] } }]
`;

/** Extra ports sampled on every pair, besides each range's edges: the tunnel port, well-known ports. */
const FIXED: Readonly<Record<'TCP' | 'UDP', readonly number[]>> = { TCP: [1, 80, 5432, 8000, 8080, 9090, 65535], UDP: [1, 53, 8472, 65535] };

export function samplePorts(set: PortSet, proto: 'TCP' | 'UDP'): number[] {
  const [lo, hi] = DOMAIN[proto];
  const pts = new Set<number>(FIXED[proto]);
  for (const r of set.ranges) {
    if (r.proto !== proto) continue;
    for (const p of [r.lo - 1, r.lo, Math.floor((r.lo + r.hi) / 2), r.hi, r.hi + 1]) pts.add(p);
  }
  return [...pts].filter((p) => p >= lo && p <= hi).sort((a, b) => a - b);
}

const proxied = (r: TraceResult, direction: 'ingress' | 'egress') => r.verdict === 'NOT_SIMULATED' && (r.notSimulated?.text ?? '').includes(`the ${direction} policy entry redirects to the proxy`);

/** The trace's verdict against the set's claim for this port; a message when they disagree. */
export function disagreement(set: PortSet, proto: SetProto, port: number, r: TraceResult): string | undefined {
  const hit = set.find(proto, port);
  const claim = hit ? (hit.l7 ? 'allowed through the proxy' : 'allowed') : 'not allowed';
  const ok =
    r.verdict === 'FORWARDED' ? hit !== undefined && !hit.l7
    : r.verdict === 'DROPPED' ? hit === undefined
    // An egress redirect ends the trace before the destination's ingress lookup, which may deny.
    : proxied(r, 'ingress') ? hit?.l7 === true
    : proxied(r, 'egress') ? hit === undefined || hit.l7
    : false;
  return ok ? undefined : `${proto} ${port}: the set says ${claim}, the trace ${r.verdict}${r.drop ? ` (${r.drop.name})` : ''}${r.notSimulated ? ` (${r.notSimulated.text})` : ''}`;
}

export interface CheckCount {
  traces: number;
  forwarded: number;
  dropped: number;
  proxied: number;
}

/** Every pair of `c` checked by traces; returns the disagreements and what was traced. */
export function checkByTraces(cluster: Cluster, c: Connectivity): { problems: string[]; count: CheckCount } {
  const problems: string[] = [];
  const count: CheckCount = { traces: 0, forwarded: 0, dropped: 0, proxied: 0 };
  const run = (src: string, dst: string, proto: string, backend?: string) => {
    const r = trace(cluster, { src, dst, proto, ...(backend ? { backend } : {}) });
    count.traces++;
    if (r.verdict === 'FORWARDED') count.forwarded++;
    else if (r.verdict === 'DROPPED') count.dropped++;
    else count.proxied++;
    return r;
  };
  c.rows.forEach((src, i) => {
    c.rows.forEach((dst, j) => {
      const set = pairSetAt(c, i, j);
      if (!set) return; // the same address: loopback, left out
      for (const proto of ['TCP', 'UDP'] as const) {
        const nodePorts = dst.kind === 'host' ? (c.nodePortRanges.get(dst.ip) ?? []) : [];
        for (const port of samplePorts(set, proto)) {
          if (nodePorts.some((r) => r.proto === proto && r.lo <= port && port <= r.hi)) continue; // the Service's port: left out
          const why = disagreement(set, proto, port, run(src.label, dst.label, `${proto.toLowerCase()}/${port}`));
          if (why) problems.push(`${src.label} => ${dst.label}: ${why}`);
        }
      }
      const why = disagreement(set, 'ICMP', 8, run(src.label, dst.label, 'icmp'));
      if (why) problems.push(`${src.label} => ${dst.label}: ${why}`);
    });
  });
  return { problems, count };
}

/** Each Service port: the backends the traces reach (one trace per backend) must be the count the set gives. */
export function checkServices(cluster: Cluster, c: Connectivity): string[] {
  const problems: string[] = [];
  c.rows.forEach((src, i) => {
    if (c.serviceLeftOut.has(i)) return; // kube-proxy's translation: not simulated
    c.services.forEach((svc, k) => {
      const reach = c.serviceCells[i * c.services.length + k] ?? [];
      const ports = [...new Set(cluster.scenario.services.filter((s) => `svc:${s.namespace}/${s.name}` === svc.label).flatMap((s) => s.ports.map((p) => p.port)))];
      for (const port of ports) {
        const backends = cluster.endpoints.filter((e) => cluster.scenario.services.some((s) => `svc:${s.namespace}/${s.name}` === svc.label && s.selector && s.namespace === e.pod.namespace && Object.entries(s.selector).every(([key, v]) => e.pod.labels[key] === v)));
        const results = backends.map((b) => trace(cluster, { src: src.label, dst: svc.label, proto: `tcp/${port}`, backend: `${b.pod.namespace}/${b.pod.name}` }));
        const reached = results.filter((r) => r.verdict === 'FORWARDED' || proxied(r, 'ingress')).length;
        // A backend whose trace is not simulated (lb4_local's loopback case) is not counted.
        const total = results.filter((r) => r.verdict !== 'NOT_SIMULATED' || proxied(r, 'ingress') || proxied(r, 'egress')).length;
        const got = reach.find((r) => r.port === port);
        if ((got?.reached ?? 0) !== reached || (got !== undefined && got.total !== total)) problems.push(`${src.label} => ${svc.label} TCP ${port}: the set says ${got?.reached ?? 0} of ${got?.total ?? '?'} backends, the traces ${reached} of ${total}`);
        if (got && got.l7 !== results.some((r) => proxied(r, 'ingress'))) problems.push(`${src.label} => ${svc.label} TCP ${port}: (L7) ${got.l7}, the traces disagree`);
      }
    });
  });
  return problems;
}

const ALL = { namespaces: [], selectors: [] } as const;
const quiet = <T>(f: () => T): T => f(); // warnings of the loader go to the result, not stderr

describe('all-ports matrix agrees with single traces', () => {
  for (const cilium of ['1.13', '1.16', '1.18']) {
    it(`port range, ICMP type, L7, deny, default-deny, hostNetwork, Service under ${cilium}`, () => {
      const cluster = quiet(() => loadCluster({ texts: [{ name: 'ports.yaml', text: PORTS_CLUSTER }] }, { cilium }));
      const c = computeConnectivity(cluster, ALL);
      const { problems, count } = checkByTraces(cluster, c);
      assert.deepEqual(problems, []);
      // Not vacuous: each kind of verdict was met, many times.
      assert.ok(count.traces > 500, `${count.traces} traces`);
      assert.ok(count.forwarded > 50 && count.dropped > 50 && count.proxied >= 4, JSON.stringify(count));
      assert.deepEqual(checkServices(cluster, c), []);
    });
  }

  it('the sets as the releases make them (byte-exact lines)', () => {
    const lines = (cilium: string) => renderConnectivityText(computeConnectivity(loadCluster({ texts: [{ name: 'ports.yaml', text: PORTS_CLUSTER }] }, { cilium }), ALL)).split('\n');
    const v118 = lines('1.18');
    const v113 = lines('1.13');
    // The LPM map of v1.14+ holds the range; v1.13.0's CRD has no endPort (only 8000, 8050).
    assert.ok(v118.includes('shop/frontend-1 => shop/api-2 : TCP 8000-8099,9090 (L7), ICMP type 8'));
    assert.ok(v113.includes('shop/frontend-1 => shop/api-2 : TCP 8000,9090 (L7), ICMP type 8'));
    // Egress 8050-8200 of the default-deny batch job meets ingress 8050-8099 of the API.
    // UDP 53 goes through the DNS proxy on egress (L7); only the API's ingress also allows it.
    assert.ok(v118.includes('jobs/batch-0 => shop/api-1 : TCP 8050-8099, UDP 53 (L7)'));
    assert.ok(v113.includes('jobs/batch-0 => shop/api-1 : TCP 8050, UDP 53 (L7)'));
    assert.ok(!v118.some((l) => l.startsWith('jobs/batch-0 => shop/db-0')), 'default deny: nothing to the database');
    // The deny entry carves 5432 out of an L3 allow; the tunnel port is refused by is_encap.
    assert.ok(v118.includes('shop/frontend-1 => shop/db-0 : TCP 1-5431,5433-65535, UDP 1-8471,8473-65535, ICMP type 0-255'));
    // The host reaches local endpoints whatever their policy (identity host), not remote ones (remote-node).
    assert.ok(v118.includes('kube-system/agent-a => shop/api-1 : All Connections'));
    assert.ok(!v118.some((l) => l.startsWith('kube-system/agent-a => shop/api-2 ')));
    // Services: the frontend port, by its backends' target port.
    assert.ok(v118.includes('jobs/batch-0 => svc:shop/api : TCP 80'));
    assert.ok(v118.includes('shop/frontend-1 => svc:shop/api : TCP 80, TCP 9090 (L7)'));
    assert.ok(v113.includes('shop/frontend-1 => svc:shop/api : TCP 9090 (L7)'));
    assert.ok(v118.includes('kube-system/agent-a => svc:shop/api : TCP 80 (1 of 2 backends), TCP 9090 (1 of 2 backends)'));
  });

  it('the check itself fails on a wrong set', () => {
    const cluster = loadCluster({ texts: [{ name: 'ports.yaml', text: PORTS_CLUSTER }] }, { cilium: '1.18' });
    const c = computeConnectivity(cluster, ALL);
    const i = c.rows.findIndex((r) => r.label === 'shop/frontend-1');
    const j = c.rows.findIndex((r) => r.label === 'shop/api-2');
    const set = pairSetAt(c, i, j) as PortSet;
    const r = trace(cluster, { src: 'shop/frontend-1', dst: 'shop/api-2', proto: 'tcp/8100' });
    assert.equal(disagreement(set, 'TCP', 8100, r), undefined);
    const wrong = { ...set, find: () => ({ proto: 'TCP' as const, lo: 8100, hi: 8100, l7: false }) } as unknown as PortSet;
    assert.match(disagreement(wrong, 'TCP', 8100, r) ?? '', /the set says allowed, the trace DROPPED \(POLICY_DENIED\)/);
  });
});

describe('all-ports matrix agrees with single traces: shipped scenarios', () => {
  const never = PORTS_CLUSTER.replace('kubeProxyReplacement: true }', 'kubeProxyReplacement: true, policyEnforcement: never }');
  const native = PORTS_CLUSTER.replace('routing: tunnel, tunnelProtocol: vxlan,', 'routing: native,');
  const cases: Array<[string, () => Cluster]> = [
    ['policyEnforcement: never (every set is everything)', () => loadCluster({ texts: [{ name: 'never.yaml', text: never }] })],
    ['native routing (no tunnel port to refuse)', () => loadCluster({ texts: [{ name: 'native.yaml', text: native }] })],
    ['the CI example after its pull request', () => loadCluster({ files: ['scenarios/ci-example/cluster.yaml', 'scenarios/ci-example/after'] })],
    ['a kubectl export with hostNetwork pods', () => loadCluster({ files: ['test/fixtures/k8s-export/cluster.yaml'] })],
    ['l3-policy (v1.13)', () => loadCluster({ scenario: 'l3-policy' })],
    ['services', () => loadCluster({ scenario: 'services' })],
  ];
  for (const [name, load] of cases) {
    it(name, () => {
      const cluster = load();
      const c = computeConnectivity(cluster, ALL);
      const { problems, count } = checkByTraces(cluster, c);
      assert.deepEqual(problems, []);
      assert.ok(count.traces > 20, `${count.traces} traces`);
      assert.deepEqual(checkServices(cluster, c), []);
      const text = renderConnectivityText(c);
      if (name.startsWith('policyEnforcement')) {
        // Every pod pair: everything but the tunnel port a pod may not send to; the host: everything.
        const sets = text.split('\n').filter((l) => l.includes(' => ') && !l.includes('svc:')).map((l) => l.split(' : ')[1]);
        assert.equal(sets.length, 7 * 6); // every ordered pair of the 7 ends (no two share an address)
        assert.deepEqual([...new Set(sets)].sort(), ['All Connections', 'TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255']);
      }
      if (name.startsWith('native')) assert.ok(text.includes('shop/frontend-1 => shop/db-0 : TCP 1-5431,5433-65535, UDP 1-65535, ICMP type 0-255'), text);
    });
  }
});
