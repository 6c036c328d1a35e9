// A real cluster loads as the API server holds it (issue 12, "never refuse a cluster the API
// server accepted"): test/fixtures/real-cluster/ is a `kubectl get … -o yaml` List
// (managedFields, last-applied annotations, status, ownerReferences) and hand-written
// manifests, with L7 http and dns rules, toFQDNs, toServices, endPort, a Pending and a
// Succeeded pod whose IP a running pod reuses, an egress gateway policy, a local redirect
// policy, a CCNP, a host policy, IPv6 beside IPv4, null and empty values, a typo'd field and
// a typo'd selector. Every construct loads (a warning or a note, never an error); traces give
// the L3/L4 verdicts, or NOT_SIMULATED (exit 4) naming the rule that takes over.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';

// The dump names no release (it would get the newest): pinned to the v1.13.0 this test holds it to.
const F = ['--cilium', '1.13', '-f', 'test/fixtures/real-cluster'];
const DUMP = 'test/fixtures/real-cluster/cluster.yaml';
const FRONTEND = 'shop/frontend-6f7d8c9b5-2xkqz';
const API2 = 'shop/api-7c5d9f8b6-pqrst'; // worker-2, on the IP of the finished migration job
const API1 = 'shop/api-7c5d9f8b6-wv4mn'; // worker-1
const PROM = 'monitoring/prometheus-server-0';

const lastLine = (s: string): string => s.trimEnd().split('\n').at(-1) ?? '';

async function trace(...args: string[]): Promise<{ code: number; verdict: string; stdout: string }> {
  const r = await runCli([...F, ...args, '-l', 'minimal']);
  return { code: r.code, verdict: lastLine(r.stdout), stdout: r.stdout };
}

describe('a real cluster dump with what v1.13.0 accepts but cilium-trace does not simulate', () => {
  it('is kubectl output: managedFields on every object, last-applied annotations, status, ownerReferences', () => {
    const text = readFileSync(DUMP, 'utf8');
    assert.match(text, /^apiVersion: v1\nitems:\n- apiVersion: v1\n {2}kind: Node\n/);
    const objects = text.match(/^- apiVersion: /gm)?.length ?? 0;
    assert.equal(text.match(/^ {4}managedFields:$/gm)?.length, objects);
    assert.ok((text.match(/kubectl\.kubernetes\.io\/last-applied-configuration: \|/g)?.length ?? 0) >= 10);
    assert.ok(text.includes('ownerReferences:') && text.includes('containerStatuses:'));
  });

  it('loads: each construct not simulated is one warning line, the skipped pods and IPv6 one note each, never an error', async () => {
    const r = await runCli([...F, FRONTEND, API2, 'tcp/8080', '-l', 'minimal']);
    assert.equal(r.code, 4);
    assert.equal(r.stderr, [
      'cilium-trace: warning: no cilium-config ConfigMap among the inputs: the datapath settings are the defaults of Cilium v1.13.0 (add kubectl -n kube-system get cm cilium-config -o yaml; -l detailed shows each setting)',
      `${DUMP}:1072:3: warning: Service default/kubernetes has no selector and no EndpointSlice among the inputs: no backends (add kubectl get endpointslices -A -o yaml)`,
      `${DUMP}:1365:9: warning: HTTP rules are simulated (Envoy's matching) only for a request given with --http: without one, a packet that reaches its proxy redirect ends NOT_SIMULATED`,
      `${DUMP}:1415:9: warning: DNS rules are simulated (the DNS proxy's matching) only for a query given with --dns-query or a DNS name as DST: without one, a packet that reaches its DNS proxy redirect ends NOT_SIMULATED`,
      `${DUMP}:1418:7: warning: 'toFQDNs' selects the addresses of DNS answers a DNS proxy has forwarded; the simulated agents start with none: give the name as DST (SRC NAME PROTO --resolve NAME=IP) to trace the lookup, then the connection over the maps the answer fills`,
      `${DUMP}:1428:7: warning: 'toServices' is not simulated (v1.13.0 turns it into toCIDRSet rules for the endpoints of Services without a selector only (pkg/k8s/watchers/watcher.go:620)): it allows no peer here, and a trace that only it could allow ends NOT_SIMULATED`,
      `${DUMP}:1474:20: warning: endPort 6380 ignored: Cilium v1.13.0 has no port ranges: its CRD has no endPort (pkg/policy/api/l4.go:27-47, PortProtocol{Port, Protocol}), so the API server prunes it; only port 6379 is allowed`,
      `${DUMP}:1633:5: warning: host policy ('nodeSelector') is not simulated: it selects nodes, not pods, so it changes no pod's policy here; the host firewall is not modelled`,
      `${DUMP}:1643:3: warning: CiliumEgressGatewayPolicy shop-api-partner is loaded where the agent writes it (cilium_egress_gw_policy_v4) but not simulated: a trace it applies to ends NOT_SIMULATED`,
      `${DUMP}:1677:3: warning: CiliumLocalRedirectPolicy kube-system/nodelocaldns is loaded where the agent writes it (LocalRedirect frontends of the LB map, on nodes with a local backend) but not simulated: a trace it applies to ends NOT_SIMULATED`,
      "test/fixtures/real-cluster/hand-written.yaml:56:7: warning: unknown field 'toPort' ignored, as the API server prunes it (expected one of: toEndpoints, toCIDR, toCIDRSet, toEntities, toRequires, toServices, toFQDNs, toGroups, toPorts, icmps)",
      "cilium-trace: skipped 2 pods without a Cilium endpoint (not running): shop/api-7c5d9f8b6-zzkq2 (Pending, not scheduled: no spec.nodeName), shop/db-migrate-28490415-k7f4d (Succeeded; its IP 10.244.2.77 is now shop/api-7c5d9f8b6-pqrst's)",
      `cilium-trace: IPv6 set aside, the traces are IPv4: 1 Service, 1 policy CIDR (the first at ${DUMP}:1231:16)`,
      '',
    ].join('\n'));
  });

  it('validate finds the typo in a selector; the rest is valid input', async () => {
    const r = await runCli(['validate', ...F]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `${DUMP}:1507:5: warning: CiliumNetworkPolicy monitoring/prometheus-scrape spec: endpointSelector {app=promethues} selects no pod (nearly matches monitoring/prometheus-server-0: app=prometheus, not promethues)\n1 problem (3 nodes, 7 pods, 10 policies, 5 services)\n`);
  });

  it('L7 http: the L3/L4 allow redirects to Envoy: NOT_SIMULATED naming the entry and the rules, exit 4', async () => {
    const t = await trace(FRONTEND, API2, 'tcp/8080');
    assert.equal(t.code, 4);
    assert.equal(t.verdict, 'NOT SIMULATED — the ingress policy entry redirects to the proxy (8080/TCP from identity 16260; proxy port 10215, listener cilium-http-ingress); Envoy would then apply: GET /api/v1/.* (on worker-2)');
    assert.match(t.stdout, /ingress redirect to proxy \(L3-L4\) · not simulated\n/);
    const j = await runCli([...F, FRONTEND, API2, 'tcp/8080', '-o', 'json']);
    const doc = JSON.parse(j.stdout) as { verdict: string; not_simulated: { proxy: unknown } };
    assert.equal(doc.verdict, 'NOT_SIMULATED');
    assert.deepEqual(doc.not_simulated.proxy, { parser: 'http', listener: 'cilium-http-ingress', port: 10215, rules: ['GET /api/v1/.*'] });
    const maps = await runCli([...F, 'maps', 'policy', API2]);
    assert.match(maps.stdout, /^Allow {4}Ingress {5}k8s:app=frontend {6,}8080\/TCP {5}10215 {8}0 /m);
  });

  it('L7 http: the L3/L4 part is enforced: a peer the rule does not name is dropped, exit 1', async () => {
    const t = await trace(PROM, API2, 'tcp/8080');
    assert.equal(t.code, 1);
    assert.equal(t.verdict, 'DROPPED — DROP_POLICY (133) "Policy denied" [POLICY_DENIED] in policy_can_access_ingress (ingress) on worker-2');
  });

  it('DNS: the Cilium docs rule sends lookups to the DNS proxy: NOT_SIMULATED with the proxy port, monitor says redirect', async () => {
    const t = await trace(FRONTEND, 'svc:kube-system/kube-dns', 'udp/53');
    assert.equal(t.code, 4);
    assert.equal(t.verdict, 'NOT SIMULATED — the egress policy entry redirects to the proxy (53/UDP to identity 22711; proxy port 14849, listener cilium-dns-egress); the DNS proxy would then apply: matchPattern * (on worker-1)');
    const m = await runCli([...F, FRONTEND, 'svc:kube-system/kube-dns', 'udp/53', '-o', 'monitor']);
    assert.match(m.stdout, /, egress, action redirect, match L3-L4, 10\.244\.1\.21:43210 -> 10\.244\.0\.53:53 udp\n-> proxy port 14849 flow /);
    const h = await runCli([...F, FRONTEND, 'svc:kube-system/kube-dns', 'udp/53', '-o', 'hubble']);
    const flows = h.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { flow: { verdict: string; event_type: { type: number } } }).flow);
    assert.deepEqual(flows.map((f) => [f.event_type.type, f.verdict]), [[4, 'FORWARDED'], [5, 'REDIRECTED'], [4, 'FORWARDED']]);
  });

  it('toFQDNs: an address no lookup of the trace gave stays world: DROP_POLICY naming the rule and the lookup to trace; by name it is FORWARDED', async () => {
    const t = await trace(FRONTEND, '140.82.112.3', 'tcp/443');
    assert.equal(t.code, 1);
    assert.match(t.verdict, /^DROPPED — DROP_POLICY \(133\)/);
    const named = await trace(FRONTEND, 'api.github.com', 'tcp/443', '--resolve', 'api.github.com=140.82.112.3');
    assert.equal(named.code, 0, named.stdout);
    assert.match(named.verdict, /^FORWARDED — left the cluster through eth0 of worker-1/);
    const other = await trace(FRONTEND, '140.82.112.3', 'tcp/80');
    assert.equal(other.code, 1);
    assert.match(other.verdict, /^DROPPED — DROP_POLICY \(133\)/);
  });

  it('toServices of a selector-less Service: NOT_SIMULATED naming it (its endpoints are learnt at run time)', async () => {
    const t = await trace(FRONTEND, '192.0.2.77', 'tcp/6443');
    assert.equal(t.code, 4);
    assert.match(t.verdict, /^NOT SIMULATED — no egress policy entry allows identity 2 on 6443\/TCP, but CiliumNetworkPolicy shop\/frontend-egress spec egress\[3\] toServices\[0\] k8sService default\/kubernetes would allow it if the address is an endpoint of that selector-less Service/);
  });

  it('endPort: v1.13.0 allows only port (6379), not the range', async () => {
    assert.equal((await trace(API1, 'shop/redis-0', 'tcp/6379')).code, 0);
    const t = await trace(API1, 'shop/redis-0', 'tcp/6380');
    assert.equal(t.code, 1);
    assert.match(t.verdict, /^DROPPED — DROP_POLICY \(133\) .* in policy_can_access_ingress \(ingress\) on worker-2$/);
  });

  it('NetworkPolicy rules with null or empty from/ports: every peer (and every port when ports is empty)', async () => {
    assert.equal((await trace(API1, PROM, 'tcp/9090')).code, 0);
    assert.equal((await trace(API1, PROM, 'tcp/9091')).code, 1);
    assert.equal((await trace(API1, 'kube-system/coredns-5d78c9869d-x7k2p', 'tcp/9153')).code, 0);
  });

  it('the CCNP applies (ingressDeny world) and a null matchLabels is an empty selector', async () => {
    const t = await trace('203.0.113.9', '10.244.1.21', 'tcp/3000');
    assert.equal(t.code, 1);
    assert.equal(t.verdict, 'DROPPED — DROP_POLICY_DENY (181) "Policy denied by denylist" [POLICY_DENY] in policy_can_access_ingress (ingress) on worker-1');
    // prometheus-egress: `toEndpoints: [{matchLabels: }]` allows every endpoint of its namespace.
    const maps = await runCli([...F, 'maps', 'policy', PROM, '--why']);
    assert.match(maps.stdout, /toEndpoints\[0\] \{\}: allow any port/);
  });

  it('the pod on a reused IP is the running one; the finished and the Pending pod are not endpoints', async () => {
    const t = await trace(API2, 'shop/redis-0', 'tcp/6379');
    assert.equal(t.code, 0);
    assert.match(t.stdout, /^tcp 10\.244\.2\.77:43210 > 10\.244\.2\.40:6379 {2}\(shop\/api-7c5d9f8b6-pqrst id \d+ → shop\/redis-0 id \d+\)$/m);
    const gone = await runCli([...F, 'shop/db-migrate-28490415-k7f4d', 'shop/redis-0', 'tcp/6379']);
    assert.equal(gone.code, 2);
  });

  it('egress gateway: a selected pod to a destination CIDR ends NOT_SIMULATED naming the policy and its gateway; other destinations are not affected', async () => {
    const t = await trace(API1, '203.0.113.10', 'tcp/443');
    assert.equal(t.code, 4);
    assert.equal(t.verdict, 'NOT SIMULATED — CiliumEgressGatewayPolicy shop-api-partner (selectors podSelector {app=api, io.kubernetes.pod.namespace=shop}; destinations 203.0.113.0/24): v1.13.0 sends the packet through the tunnel to the gateway node worker-2 (nodeSelector {egress-gateway=true}), which SNATs it to egress IP 192.0.2.50 (egress_gw_request_needs_redirect, then snat_v4_needs_masquerade there) (on worker-1)');
    const full = await runCli([...F, API1, '203.0.113.10', 'tcp/443', '-l', 'summary']);
    assert.match(full.stdout, /lookup cilium_egress_gw_policy_v4 \{saddr=10\.244\.1\.30 daddr=203\.0\.113\.10\} → 203\.0\.113\.0\/24 egress_ip=0\.0\.0\.0 gateway_ip=192\.168\.56\.12\n/);
    assert.equal((await trace(API1, '198.51.100.1', 'tcp/443')).code, 0);
  });

  it('local redirect policy: kube-dns from a node with a node-local-dns pod ends NOT_SIMULATED naming it; elsewhere the Service as usual', async () => {
    const t = await trace(API2, 'svc:kube-system/kube-dns', 'udp/53');
    assert.equal(t.code, 4);
    assert.equal(t.verdict, 'NOT SIMULATED — CiliumLocalRedirectPolicy kube-system/nodelocaldns redirects it to a backend on this node (kube-system/node-local-dns-7xq2m, localEndpointSelector {k8s-app=node-local-dns}); local redirect policies are not simulated (on worker-2)');
    const lb = await runCli([...F, 'maps', 'lb', '--node', 'worker-2']);
    assert.match(lb.stdout, /^10\.96\.0\.10:53 +0\.0\.0\.0:0 \(3\) \(0\) \[LocalRedirect\] +$/m);
    const w1 = await trace(API1, 'svc:kube-system/kube-dns', 'udp/53');
    assert.equal(w1.code, 0);
    assert.equal(w1.verdict, 'FORWARDED — delivered to kube-system/coredns-5d78c9869d-x7k2p on cp-1 by redirect (ifindex 7)');
  });

  it('CiliumEnvoyConfig: its Services\' frontends are l7-load-balancer; a trace to one ends NOT_SIMULATED naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-cec-'));
    try {
      const cec = join(dir, 'cec.yaml');
      writeFileSync(cec, 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata: { name: api-lb, namespace: shop }\nspec:\n  services: [{ name: api, namespace: shop }]\n  resources: []\n');
      const r = await runCli([...F, '-f', cec, FRONTEND, 'svc:shop/api', 'tcp/80', '-l', 'minimal']);
      assert.equal(r.code, 4);
      assert.equal(lastLine(r.stdout), 'NOT SIMULATED — CiliumEnvoyConfig shop/api-lb sends Service shop/api to its Envoy listener (L7 load-balancing); Envoy is not simulated (on worker-1)');
      const lb = await runCli([...F, '-f', cec, 'maps', 'lb', '--node', 'worker-1']);
      assert.match(lb.stdout, /^10\.96\.81\.20:80 +0\.0\.0\.0:0 \(\d+\) \(0\) \[ClusterIP, non-routable, l7-load-balancer\] +$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('check: an expectation that reaches a path not simulated is NOT SIMULATED, exit 4, <skipped> in JUnit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-real-'));
    try {
      const exp = join(dir, 'expect.yaml');
      writeFileSync(exp, `- { name: frontend-calls-api, from: ${FRONTEND}, to: ${API2}, proto: tcp, port: 8080, expect: FORWARDED }\n- { name: no-redis-range, from: ${API1}, to: shop/redis-0, proto: tcp, port: 6380, expect: DROPPED }\n`);
      const junit = join(dir, 'report.xml');
      const r = await runCli(['check', ...F, '-e', exp, '--junit', junit]);
      assert.equal(r.code, 4);
      assert.match(r.stdout, /^NOT SIMULATED +frontend-calls-api /m);
      assert.match(r.stdout, /\n2 expectations: 1 passed, 0 failed, 1 not simulated\n/);
      const xml = readFileSync(junit, 'utf8');
      assert.match(xml, / failures="0" errors="0" skipped="1" /);
      assert.match(xml, /<skipped message="expected FORWARDED, but the path is not simulated: the ingress policy entry redirects to the proxy/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
