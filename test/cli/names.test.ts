// Naming flows as an SRE does (issue 12, newcomer findings F10 and F16): workloads through
// ownerReferences or the generated-name patterns, label selectors, node:NAME as DST, the
// Service forms, a Service port that does not exist, --backend by IP or pod, and a ClusterIP
// from outside the cluster. On test/cli/fixtures/shop-dump, a kubectl dump of a kind cluster.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli, type CliRun } from '../support/run-cli.js';

process.chdir(ROOT);
const DUMP = ['-f', 'test/cli/fixtures/shop-dump'];
const API_BACKENDS = 'expected one of: 10.244.1.41:8080 (shop/api-7c5d9f8b6-q4wzt), 10.244.2.87:8080 (shop/api-7c5d9f8b6-h8rtk)';

/** stderr without the line about kinds not modelled (another part of the loader words it). */
function notes(r: CliRun): string[] {
  return r.stderr.split('\n').filter((l) => l !== '' && !/^cilium-trace: skipped \d+ objects? not modelled/.test(l));
}

/** The first line of a text trace: the packet and both ends. */
const header = (r: CliRun): string => r.stdout.split('\n')[0] ?? '';

const trace = (...args: string[]): Promise<CliRun> => runCli([...DUMP, ...args, '-l', 'minimal']);

describe('SRC and DST name pods as an SRE does', () => {
  it('a Deployment through ownerReferences and its ReplicaSet: the first pod by name, said on stderr', async () => {
    const r = await trace('shop/frontend-6b8f7c9d4-x7kqp', 'shop/api', 'tcp/8080');
    assert.equal(r.code, 0);
    assert.deepEqual(notes(r), ['cilium-trace: DST shop/api: Deployment shop/api, 2 pods; tracing the first by name, shop/api-7c5d9f8b6-h8rtk']);
    assert.equal(header(r), 'tcp 10.244.1.29:43210 > 10.244.2.87:8080  (shop/frontend-6b8f7c9d4-x7kqp id 30630 → shop/api-7c5d9f8b6-h8rtk id 14864)');
    const rs = await trace('shop/frontend-6b8f7c9d4-x7kqp', 'shop/api-7c5d9f8b6', 'tcp/8080');
    assert.deepEqual(notes(rs), ['cilium-trace: DST shop/api-7c5d9f8b6: ReplicaSet shop/api-7c5d9f8b6, 2 pods; tracing the first by name, shop/api-7c5d9f8b6-h8rtk']);
  });

  it('controllers missing from the input: the ReplicaSet name without its hash, a StatefulSet, a DaemonSet by name pattern', async () => {
    const r = await trace('shop/frontend', 'shop/db', 'tcp/5432');
    assert.equal(r.code, 0);
    assert.deepEqual(notes(r), ['cilium-trace: SRC shop/frontend: Deployment shop/frontend (by its pods\' names), 2 pods; tracing the first by name, shop/frontend-6b8f7c9d4-m2z9w']);
    assert.equal(header(r), 'tcp 10.244.2.33:43210 > 10.244.2.15:5432  (shop/frontend-6b8f7c9d4-m2z9w id 30630 → shop/db-0 id 39543)');
    // monitoring's pods lost their ownerReferences: prometheus-0 is StatefulSet prometheus (one pod, no note).
    const m = await trace('monitoring/node-exporter', 'monitoring/prometheus', 'tcp/9090');
    assert.equal(m.code, 0);
    assert.deepEqual(notes(m), ['cilium-trace: SRC monitoring/node-exporter: DaemonSet monitoring/node-exporter (by its pods\' names), 2 pods; tracing the first by name, monitoring/node-exporter-7xk2p']);
    assert.equal(header(m), 'tcp 10.244.1.8:43210 > 10.244.1.60:9090  (monitoring/node-exporter-7xk2p id 65302 → monitoring/prometheus-0 id 1531)');
  });

  it('a label selector: NAMESPACE/KEY=VALUE, or KEY=VALUE[,KEY=VALUE] in every namespace', async () => {
    const r = await trace('shop/app=frontend', 'shop/app=db', 'tcp/5432');
    assert.equal(r.code, 0);
    assert.deepEqual(notes(r), ['cilium-trace: SRC shop/app=frontend: label selector app=frontend in namespace shop, 2 pods; tracing the first by name, shop/frontend-6b8f7c9d4-m2z9w']);
    assert.equal(header(r), 'tcp 10.244.2.33:43210 > 10.244.2.15:5432  (shop/frontend-6b8f7c9d4-m2z9w id 30630 → shop/db-0 id 39543)');
    const all = await trace('app=api,pod-template-hash=5d8c7b9f4', 'shop/db', 'tcp/5432');
    assert.equal(header(all), 'tcp 10.244.1.77:43210 > 10.244.2.15:5432  (staging/api-5d8c7b9f4-k2m8x id 27774 → shop/db-0 id 39543)');
    assert.deepEqual(notes(all), []);
  });

  it('misses and ambiguity list the ten closest names; exit 2', async () => {
    const miss = await trace('shop/frontnd', 'shop/db');
    assert.equal(miss.code, 2);
    assert.deepEqual(notes(miss), ["<command line>:1:1: unknown pod 'shop/frontnd' (expected a pod, NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE, node:NAME or an IPv4 address; closest: shop/frontend, shop/api, shop/db, shop/db-0, shop/frontend-6b8f7c9d4, staging/api, shop/api-7c5d9f8b6, monitoring/prometheus, shop/frontend-6b8f7c9d4-m2z9w, shop/frontend-6b8f7c9d4-x7kqp (the 10 closest of 18))"]);
    const bare = await trace('shop/db', 'frontnd');
    assert.deepEqual(notes(bare), ["<command line>:1:9: unknown pod 'frontnd' (expected a pod, NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE, node:NAME, svc:NAME or an IPv4 address; closest: shop/frontend, monitoring/prometheus, shop/api, shop/db, shop/db-0, staging/api, monitoring/prometheus-0, monitoring/node-exporter, shop/frontend-6b8f7c9d4, shop/api-7c5d9f8b6 (the 10 closest of 18))"]);
    const ambiguous = await trace('shop/db', 'api', 'tcp/8080');
    assert.equal(ambiguous.code, 2);
    assert.deepEqual(notes(ambiguous), ["<command line>:1:9: workload name 'api' is ambiguous (expected one of: shop/api (Deployment), staging/api (Deployment))"]);
    const label = await trace('shop/app=frontnd', 'shop/db');
    assert.deepEqual(notes(label), ['<command line>:1:1: no pod in namespace shop has the label app=frontnd (closest labels: app=api, app=db, app=frontend, controller-revision-hash=db-5f6d7c8b9, pod-template-hash=6b8f7c9d4, pod-template-hash=7c5d9f8b6, statefulset.kubernetes.io/pod-name=db-0)']);
  });

  it('node:NAME is a destination too; a Service is not a source', async () => {
    const r = await trace('shop/db', 'node:worker-1', 'tcp/10250');
    assert.equal(r.code, 0);
    assert.equal(header(r), 'tcp 10.244.2.15:43210 > 172.18.0.3:10250  (shop/db-0 id 39543 → host of worker-1)');
    const unknown = await trace('shop/db', 'node:worker-9');
    assert.deepEqual([unknown.code, notes(unknown)], [2, ["<command line>:1:9: unknown node 'worker-9' (expected one of: worker-1, worker-2)"]]);
    const svc = await trace('svc:shop/api', 'shop/db');
    assert.deepEqual([svc.code, notes(svc)], [2, ["<command line>:1:1: a Service sends nothing: 'svc:shop/api' cannot be a source (expected a pod, NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE, node:NAME or an IPv4 address; a backend of the Service, e.g. its workload)"]]);
  });

  it('a Service by its DNS name, as svc:NAMESPACE/NAME', async () => {
    const dns = await trace('shop/db', 'api.shop.svc.cluster.local');
    const svc = await trace('shop/db', 'svc:shop/api');
    assert.equal(dns.code, 0);
    assert.equal(header(dns), 'tcp 10.244.2.15:43210 > 10.96.45.200:80  (shop/db-0 id 39543 → svc shop/api)');
    assert.equal(dns.stdout, svc.stdout);
  });
});

describe('Service ports and backends', () => {
  it('a port the Service does not expose is said first, and traced as the datapath sees it', async () => {
    const r = await trace('shop/db', 'svc:shop/api', 'tcp/8080');
    assert.equal(r.code, 0);
    assert.deepEqual(notes(r), ['cilium-trace: svc shop/api has no port 8080; it has 80/TCP → targetPort http=8080']);
    assert.equal(header(r), 'tcp 10.244.2.15:43210 > 10.96.45.200:8080  (shop/db-0 id 39543 → svc shop/api)');
    const byIp = await trace('shop/db', '10.96.45.200', 'udp/80');
    assert.deepEqual(notes(byIp), ['cilium-trace: svc shop/api has no port 80/UDP; it has 80/TCP → targetPort http=8080']);
  });

  it('--backend takes a backend IP[:PORT] or a name that stands for a backend pod', async () => {
    const byPod = await trace('shop/db', 'svc:shop/api', '--backend', 'shop/api-7c5d9f8b6-h8rtk');
    assert.equal(byPod.code, 0);
    assert.match(byPod.stdout, /\nFORWARDED — delivered to shop\/api-7c5d9f8b6-h8rtk on worker-2 /);
    const byIp = await trace('shop/db', 'svc:shop/api', '--backend', '10.244.2.87:8080');
    assert.equal(byIp.stdout, byPod.stdout);
    const byWorkload = await trace('shop/db', 'svc:shop/api', '--backend', 'shop/api');
    assert.equal(byWorkload.stdout, byPod.stdout, 'the first backend pod of the Deployment by name');
  });

  it('--backend refuses anything else with the list of backends', async () => {
    const cases: Array<[string, string]> = [
      ['10.9.9.9', `cilium-trace: --backend 10.9.9.9 is not a backend of svc shop/api port 80/TCP (${API_BACKENDS})`],
      ['10.244.2.87:80', `cilium-trace: --backend 10.244.2.87:80 is not a backend of svc shop/api port 80/TCP (${API_BACKENDS})`],
      ['shop/db', `cilium-trace: --backend shop/db (StatefulSet shop/db) is not a backend of svc shop/api port 80/TCP (${API_BACKENDS})`],
      ['nope', `cilium-trace: --backend nope is neither the IP nor the pod of a backend of svc shop/api port 80/TCP (${API_BACKENDS})`],
    ];
    for (const [backend, line] of cases) {
      const r = await trace('shop/db', 'svc:shop/api', '--backend', backend);
      assert.deepEqual([r.code, r.stdout, notes(r)], [2, '', [line]], backend);
    }
    const notService = await trace('shop/db', 'shop/api', 'tcp/8080', '--backend', '10.244.2.87');
    assert.deepEqual(notes(notService).slice(-1), ['cilium-trace: --backend 10.244.2.87: the destination 10.244.2.87:8080/TCP is no Service port (expected DST svc:NAME, a ClusterIP or a NodePort, with one of its ports)']);
  });

  it('F16: a ClusterIP from outside the cluster names the NodePort to use instead', async () => {
    const r = await trace('203.0.113.9', 'svc:shop/frontend');
    assert.deepEqual([r.code, notes(r)], [2, ["<command line>:1:1: source 203.0.113.9 is outside the cluster, and a ClusterIP (svc shop/frontend, 10.96.120.15) is reachable only from inside it; for its NodePort, trace to a node's address: 203.0.113.9 172.18.0.3 tcp/30080"]]);
    const suggested = await trace('203.0.113.9', '172.18.0.3', 'tcp/30080');
    assert.equal(header(suggested), 'tcp 203.0.113.9:43210 > 172.18.0.3:30080  (outside the cluster → host of worker-1)');
    const noNodePort = await trace('203.0.113.9', '10.96.45.200', 'tcp/80');
    assert.deepEqual(notes(noNodePort), ['<command line>:1:1: source 203.0.113.9 is outside the cluster, and a ClusterIP (svc shop/api, 10.96.45.200) is reachable only from inside it; svc shop/api has no NodePort (type ClusterIP): trace from a pod or node:NAME instead']);
  });
});

describe('the same names in expectations, the shell and matrix', () => {
  it('check: workloads and selectors in expectations; a missing Service port is a positioned warning', async () => {
    const r = await runCli(['check', ...DUMP, '-e', 'test/cli/fixtures/expect-workloads.yaml']);
    assert.equal(r.code, 0);
    // It passes: without kube-proxy replacement the packet to 10.96.45.200:8080 leaves the cluster.
    assert.deepEqual(notes(r), ['test/cli/fixtures/expect-workloads.yaml:18:9: warning: svc shop/api has no port 8080; it has 80/TCP → targetPort http=8080']);
    assert.match(r.stdout, /^PASS {4}frontend reaches the api {12}shop\/frontend → shop\/app=api tcp\/8080 /m);
    assert.match(r.stdout, /^PASS {4}prometheus scrapes node-exporter {4}monitoring\/prometheus → monitoring\/node-exporter tcp\/9100 /m);
    assert.match(r.stdout, /\n3 expectations: 3 passed, 0 failed\n$/);
  });

  it('matrix --selector takes KEY=VALUE[,KEY=VALUE]: every matching pod', async () => {
    const r = await runCli(['matrix', ...DUMP, '--selector', 'app=api,pod-template-hash=7c5d9f8b6', '-p', 'tcp/8080', '-o', 'csv']);
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(',').slice(1, 3).join(' → ')), [
      'shop/api-7c5d9f8b6-h8rtk → shop/api-7c5d9f8b6-h8rtk',
      'shop/api-7c5d9f8b6-h8rtk → shop/api-7c5d9f8b6-q4wzt',
      'shop/api-7c5d9f8b6-q4wzt → shop/api-7c5d9f8b6-h8rtk',
      'shop/api-7c5d9f8b6-q4wzt → shop/api-7c5d9f8b6-q4wzt',
    ]);
  });
});
