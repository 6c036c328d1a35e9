// Tier 2 on a real export: `kubectl get nodes,ns,pods,svc,endpointslices,cnp,ccnp,netpol,
// ciliumnodes,ciliumendpoints,ciliumidentities -A -o yaml` and the cilium-config ConfigMap of a
// kind cluster (test/fixtures/k8s-export/) through the loader and the control plane: the maps
// hold the cluster's own endpoint ids, identities, pod CIDRs, cilium_host addresses and the
// API server behind `default/kubernetes`; the trace header says where each setting came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { mapsCommand } from '../../src/cli/maps-cmd.js';
import { readInputs, type InputText } from '../../src/scenario/inputs.js';
import { ROOT, runCli } from '../support/run-cli.js';

const fixture = (name: string): InputText => ({ file: `test/fixtures/k8s-export/${name}`, text: readFileSync(join(ROOT, 'test', 'fixtures', 'k8s-export', name), 'utf8') });
const EXPORT = [fixture('cluster.yaml'), fixture('cilium-config.yaml')];
const cluster: Cluster = buildCluster(readInputs(EXPORT, 'k8s-export'));

/** The dump line whose first cell is `key`, runs of spaces collapsed. */
function row(dump: string, key: string): string {
  const line = dump.split('\n').find((l) => l.startsWith(`${key} `));
  assert.ok(line !== undefined, `no row for ${key} in:\n${dump}`);
  return line.replace(/ +/g, ' ').trimEnd();
}

/** The resources of the README's export (kubectl's names; the short names of the v1.13.0 CRDs) and their kinds. */
const RESOURCE_KINDS: Readonly<Record<string, string>> = {
  nodes: 'Node', ns: 'Namespace', pods: 'Pod', svc: 'Service', endpointslices: 'EndpointSlice', cnp: 'CiliumNetworkPolicy',
  ccnp: 'CiliumClusterwideNetworkPolicy', netpol: 'NetworkPolicy', ciliumnodes: 'CiliumNode', ciliumendpoints: 'CiliumEndpoint', ciliumidentities: 'CiliumIdentity',
};

test('the README’s export is the command the fixture shows, and the fixture has items of every resource it names', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /^kubectl get (\S+) -A -o yaml > cluster\.yaml$/m.exec(readme);
  assert.ok(m?.[1], 'README: kubectl get … -A -o yaml > cluster.yaml');
  assert.deepEqual(m[1].split(','), Object.keys(RESOURCE_KINDS));
  assert.match(readme, /^kubectl -n kube-system get cm cilium-config -o yaml > cilium-config\.yaml$/m);
  const [listing, config] = EXPORT;
  assert.ok(listing?.text.includes(`\`kubectl get ${m[1]} -A -o yaml\``));
  assert.ok(config?.text.includes('`kubectl -n kube-system get cm cilium-config -o yaml`'));
  const kinds = new Set([...(listing?.text ?? '').matchAll(/^ {2}kind: (\w+)$/gm)].map((x) => x[1]));
  assert.deepEqual([...kinds].sort(), Object.values(RESOURCE_KINDS).sort());
});

test('the export loads whole: 3 nodes, 11 pods (4 hostNetwork), 5 Services, 3 policies; nothing skipped, nothing to warn about', () => {
  const s = cluster.scenario;
  assert.deepEqual([s.nodes.length, s.pods.length, s.pods.filter((p) => p.hostNetwork).length, s.services.length, s.policies.length], [3, 11, 4, 5, 3]);
  assert.deepEqual(s.warnings, []);
  assert.deepEqual(s.skipped, []);
});

test('CiliumEndpoints: the endpoint map holds the cluster’s endpoint ids (cilium bpf endpoint list)', () => {
  const dump = mapsCommand(cluster, 'endpoint', undefined, 'kind-worker2');
  assert.match(row(dump, '10.0.2.23:0'), /^10\.0\.2\.23:0 id=96 flags=0x0000 ifindex=\d+ mac=/);
  assert.match(row(dump, '10.0.2.118:0'), /^10\.0\.2\.118:0 id=3055 /);
  assert.match(row(dump, '10.0.2.230:0'), /^10\.0\.2\.230:0 id=1214 /);
  assert.equal(row(dump, '10.0.2.47:0'), '10.0.2.47:0 (localhost)', 'cilium_host: the CiliumInternalIP of the CiliumNode');
});

test('CiliumNodes and CiliumEndpoints: the ipcache has the pod CIDRs’ addresses, real identities and cilium_host', () => {
  const dump = mapsCommand(cluster, 'ipcache', undefined, 'kind-worker');
  assert.equal(row(dump, '10.0.1.44/32'), '10.0.1.44/32 identity=20734 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0');
  assert.equal(row(dump, '10.0.1.186/32'), '10.0.1.186/32 identity=1 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0');
  assert.match(row(dump, '10.0.0.12/32'), /^10\.0\.0\.12\/32 identity=39205 encryptkey=0 tunnelendpoint=172\.18\.0\.3 nodeid=\d+$/);
  assert.match(row(dump, '10.0.0.83/32'), /^10\.0\.0\.83\/32 identity=6 encryptkey=0 tunnelendpoint=172\.18\.0\.3 /);
  assert.match(row(dump, '10.0.2.230/32'), /^10\.0\.2\.230\/32 identity=8816 /);
  const tunnel = mapsCommand(cluster, 'tunnel', undefined, 'kind-worker');
  assert.match(tunnel, /^10\.0\.2\.0 +172\.18\.0\.4:0 \d+ +$/m, 'the tunnel map is keyed by the CiliumNode CIDRs, not 10.244.x');
});

test('an identity carries the labels its CiliumEndpoint lists (cluster kind, namespace label team=web)', () => {
  assert.deepEqual(cluster.identities.labelStrings(20734), [
    'k8s:app=frontend',
    'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=shop',
    'k8s:io.cilium.k8s.namespace.labels.team=web',
    'k8s:io.cilium.k8s.policy.cluster=kind',
    'k8s:io.cilium.k8s.policy.serviceaccount=frontend',
    'k8s:io.kubernetes.pod.namespace=shop',
  ]);
});

test('EndpointSlices: default/kubernetes has the API server as its backend (cilium bpf lb list)', () => {
  const dump = mapsCommand(cluster, 'lb', undefined, 'kind-worker');
  const lines = dump.split('\n');
  const at = lines.findIndex((l) => l.startsWith('10.96.0.1:443 '));
  assert.ok(at >= 0, dump);
  assert.equal(lines[at + 1]?.trim().replace(/ +/g, ' '), '172.18.0.3:6443 (1) (1)');
  const backend = [...(cluster.datapath.nodes.get('kind-worker')?.maps.lb.backends.values() ?? [])].find((x) => x.port === 6443);
  assert.equal(backend?.provenance.what, 'EndpointSlice address of Service default/kubernetes');
});

test('kube-proxy-replacement=strict: bpf_sock on the cgroup, bpf_host on eth0, NodePort frontends', () => {
  const n = cluster.datapath.nodes.get('kind-worker');
  assert.ok(n);
  assert.ok(n.cgroup.size > 0, 'socket LB programs attached');
  assert.equal(n.config.enableNodePort, true);
  assert.equal(n.config.enableHostRouting, true);
  assert.equal(n.config.masquerade, 'bpf');
  assert.match(mapsCommand(cluster, 'lb', undefined, 'kind-worker'), /^172\.18\.0\.2:30080 /m);
});

test('the trace header says where each setting came from (-l detailed), the summary does not', async () => {
  const args = ['-f', 'test/fixtures/k8s-export', 'frontend-6b8f7c9d4-abcde', 'svc:default/kubernetes'];
  const r = await runCli(args);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const head = r.stdout.split('\n').slice(0, 5);
  assert.deepEqual(head, [
    'tcp 10.0.1.44:43210 > 10.96.0.1:443  (shop/frontend-6b8f7c9d4-abcde id 20734 → svc default/kubernetes)',
    'cluster k8s-export · Cilium v1.13.0 (cilium-config has tunnel (written by v1.13 and v1.14, removed in v1.15)) · tunnel vxlan:8472 · BPF host routing · socket LB',
    'setting: tunnel vxlan:8472 (cilium-config tunnel=vxlan; tunnel-port unset: v1.13.0 defaults to 8472 for vxlan, pkg/option/config.go:3041-3050)',
    'setting: socket LB · BPF NodePort (cilium-config kube-proxy-replacement=strict: both on, daemon/cmd/kube_proxy_replacement.go:73-83)',
    'setting: BPF host routing (enable-host-legacy-routing unset: v1.13.0 defaults to false, daemon/cmd/daemon_main.go:318; nothing forces legacy routing: BPF NodePort on, BPF masquerading, IPsec, WireGuard and endpoint routes off, a kernel of 5.10 or later assumed, daemon/cmd/kube_proxy_replacement.go:440-465)',
  ]);
  assert.match(r.stdout, /user_ip4:user_port 10\.96\.0\.1:443 → 172\.18\.0\.3:6443/);
  assert.match(r.stdout, /FORWARDED — delivered to the host stack of kind-control-plane\n$/);
  const summary = await runCli([...args, '-l', 'summary']);
  assert.doesNotMatch(summary.stdout, /^setting: /m);
  const explained = await runCli([...args, '-l', 'summary', '--explain']);
  assert.match(explained.stdout, /^setting: masquerade bpf \(cilium-config enable-ipv4-masquerade=true, enable-bpf-masquerade=true\)$/m);
});

// The export names no release and has no cilium-config: the newest release and its defaults.
test('v1.18.3 daemon/cmd/kube_proxy_replacement.go:45-47: without cilium-config the same export traces with the newest release’s defaults, stated as such', async () => {
  const r = await runCli(['-f', 'test/fixtures/k8s-export/cluster.yaml', 'frontend-6b8f7c9d4-abcde', 'svc:default/kubernetes', '-l', 'summary', '--explain']);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /^cilium-trace: warning: no cilium-config ConfigMap among the inputs: the datapath settings are the defaults of Cilium v1\.18\.3/);
  assert.match(r.stdout, /^cluster cluster · Cilium v1\.18\.3 \(newest, no version given\) · tunnel vxlan:8472 · legacy host routing · per-packet LB$/m);
  assert.match(r.stdout, /^setting: legacy host routing \(no BPF NodePort: the agent turns on enable-host-legacy-routing, daemon\/cmd\/kube_proxy_replacement\.go:45-47\)$/m);
  assert.match(r.stdout, /lb4_local|lookup cilium_lb4_services_v2 10\.96\.0\.1:443/, 'per-packet LB in bpf_lxc');
});

// ---- small clusters for one option each ------------------------------------------------

const NODES = `apiVersion: v1
kind: Node
metadata: { name: n1 }
spec: { podCIDR: 10.0.1.0/24 }
status: { addresses: [{ type: InternalIP, address: 192.168.0.1 }] }
`;

const pod = (name: string, ip: string, labels: string): string => `---
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default, labels: { ${labels} } }
spec: { nodeName: n1, serviceAccountName: web }
status: { phase: Running, podIP: ${ip} }
`;

const config = (data: string): string => `---
apiVersion: v1
kind: ConfigMap
metadata: { name: cilium-config, namespace: kube-system }
data: { ${data} }
`;

const build = (text: string): Cluster => buildCluster(readInputs([{ file: 'c.yaml', text }], 'c'));
const identityOf = (c: Cluster, pod: string): number => c.endpoints.find((e) => e.pod.name === pod)?.identity ?? -1;

test('labels (cilium-config): only the listed prefixes and the default includes make up an identity', () => {
  const text = `${NODES}${pod('a', '10.0.1.10', 'app: web, tier: blue')}${pod('b', '10.0.1.11', 'app: web, tier: green')}`;
  const filtered = build(`${text}${config('labels: "k8s:app"')}`);
  assert.equal(identityOf(filtered, 'a'), identityOf(filtered, 'b'), 'tier does not count any more');
  assert.deepEqual(filtered.identities.labelStrings(identityOf(filtered, 'a')), [
    'k8s:app=web',
    'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default',
    'k8s:io.kubernetes.pod.namespace=default',
  ]);
  const all = build(text);
  assert.notEqual(identityOf(all, 'a'), identityOf(all, 'b'), 'with the default filter tier counts');
});

test('cluster-id moves identities to clusterId<<16 (InitMinMaxIdentityAllocation); cluster-name labels them', () => {
  const c = build(`${NODES}${pod('a', '10.0.1.10', 'app: web')}${config('cluster-name: eu1, cluster-id: "5"')}`);
  const id = identityOf(c, 'a');
  assert.ok(id >= 5 << 16 && id < 6 << 16, `identity ${id}`);
  assert.ok(c.identities.labelStrings(id)?.includes('k8s:io.cilium.k8s.policy.cluster=eu1'));
});

test('a CiliumIdentity with a pod’s computed labels gives that pod its number (no CiliumEndpoint needed)', () => {
  const c = build(`${NODES}${pod('a', '10.0.1.10', 'app: web')}---
apiVersion: cilium.io/v2
kind: CiliumIdentity
metadata: { name: "31337" }
security-labels:
  k8s:app: web
  k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name: default
  k8s:io.cilium.k8s.policy.cluster: default
  k8s:io.cilium.k8s.policy.serviceaccount: web
  k8s:io.kubernetes.pod.namespace: default
`);
  assert.equal(identityOf(c, 'a'), 31337);
});

test('bpf-lb-sock without enable-node-port (partial): socket LB but no NodePort frontends and no bpf_host on eth0', () => {
  const c = build(`${NODES}${pod('a', '10.0.1.10', 'app: web')}---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { type: NodePort, clusterIP: 10.96.0.50, selector: { app: web }, ports: [{ port: 80, nodePort: 30001 }] }
${config('kube-proxy-replacement: partial, bpf-lb-sock: "true"')}`);
  const n = c.datapath.nodes.get('n1');
  assert.ok(n);
  assert.deepEqual([n.cgroup.size > 0, n.config.enablePerPacketLb, n.config.enableNodePort, n.config.enableHostRouting], [true, false, false, false]);
  assert.doesNotMatch(mapsCommand(c, 'lb', undefined, 'n1'), /30001/);
});

test('ENI IPAM: pods on pool addresses of two nodes, native routing, trace between them', async () => {
  const eniNode = (name: string, ip: string, pool: string[], router: string): string => `---
apiVersion: v1
kind: Node
metadata: { name: ${name} }
spec: { providerID: aws:///eu-west-1a/i-0${name.length}c3b2a19f5d8e7a6 }
status: { addresses: [{ type: InternalIP, address: ${ip} }] }
---
apiVersion: cilium.io/v2
kind: CiliumNode
metadata: { name: ${name} }
spec:
  addresses: [{ ip: ${ip}, type: InternalIP }, { ip: ${router}, type: CiliumInternalIP }]
  ipam:
    pool:
${pool.map((a) => `      ${a}: { resource: eni-0a1b2c3d4e5f60718 }`).join('\n')}
`;
  const text = `${eniNode('ip-a', '192.168.1.10', ['192.168.1.31', '192.168.1.52', '192.168.1.77'], '192.168.1.31')}${eniNode('ip-b', '192.168.1.11', ['192.168.1.40', '192.168.1.61'], '192.168.1.40')}
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: default, labels: { app: web } }
spec: { nodeName: ip-a }
status: { phase: Running, podIP: 192.168.1.77 }
---
apiVersion: v1
kind: Pod
metadata: { name: db, namespace: default, labels: { app: db } }
spec: { nodeName: ip-b }
status: { phase: Running, podIP: 192.168.1.61 }
${config('tunnel: disabled, ipam: eni, ipv4-native-routing-cidr: 192.168.0.0/16, enable-endpoint-routes: "true"')}`;
  const c = build(text);
  assert.deepEqual(c.scenario.warnings?.map((w) => w.message), ['cilium-config enable-endpoint-routes=true: per-endpoint routes are not simulated: traces route to pods through cilium_host']);
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'eni-'));
  writeFileSync(join(dir, 'eni.yaml'), text);
  const r = await runCli(['-f', join(dir, 'eni.yaml'), 'web', 'db', 'tcp/5432', '-l', 'minimal']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^FORWARDED — delivered to default\/db on ip-b /m);
});
