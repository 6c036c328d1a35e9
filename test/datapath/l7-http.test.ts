// Envoy's HTTP rules at an HTTP proxy redirect, per release: the rules as Cilium configures Envoy
// (v1.13.0 pkg/envoy/server.go:968-1024 getHTTPRule, v1.18.3 pkg/envoy/policy/
// envoy_l7_rules_translator.go:62: :method/:path/:authority full-string RE2, headers exact or
// present, items ORed; getPortNetworkPolicyRule: a selector without L7 rules allows anything),
// the redirect (bpf/lib/proxy.h ctx_redirect_to_proxy4), the upstream through cilium_host
// (bpf/lib/identity.h inherit_identity_from_host, TRACE_FROM_PROXY) and the skipped ingress policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { proxyPortOf } from '../../src/controlplane/l7.js';
import { ipv4 } from '../../src/net/ip.js';
import type { HttpRequest } from '../../src/proxy/envoy-http.js';
import { evaluateHttp, fullMatch } from '../../src/proxy/envoy-http.js';
import { parseScenario } from '../../src/scenario/load.js';
import { traceFlow } from '../../src/trace/run.js';
import type { TraceNode, TraceResult } from '../../src/trace/tree.js';
import { BASE, cnp, idOf, podDoc, type PodDef } from '../controlplane/policy-support.js';

type Profile = '1.13' | '1.16' | '1.18';

const PODS: PodDef[] = [
  { name: 'web', ip: '10.0.1.10', labels: { app: 'web' } },
  { name: 'client', ip: '10.0.1.20', labels: { app: 'client' } },
  { name: 'remote', node: 'n2', ip: '10.0.2.30', labels: { app: 'client' } },
  { name: 'other', ip: '10.0.1.40', labels: { app: 'other' } },
];

const INGRESS_L7 = cnp('web-http', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts:
          - ports: [{ port: "80", protocol: TCP }]
            rules:
              http:
                - { method: GET, path: "/v1/.*" }
                - { method: PUT, path: "/v1/exhaust-port", headers: ["X-Has-Force: True"] }
                - { method: POST, path: "/login", host: "web\\\\.example\\\\.com", headers: ["X-Token"] }
`);

function build(profile: Profile, ...docs: string[]): Cluster {
  const base = BASE.replace('cilium: "1.13"', `cilium: "${profile}"`);
  return buildCluster(parseScenario(base + PODS.map(podDoc).join('') + docs.map((d) => `---\n${d}`).join('\n'), 'l7.yaml'));
}

function req(method: string, path: string, headers: Array<[string, string]> = [], host = '10.0.1.10'): HttpRequest {
  return { method, path, host, headers: headers.map(([name, value]) => ({ name, value })) };
}

function http(c: Cluster, from: string, to: string, request: HttpRequest, dport = 80): TraceResult {
  const src = c.endpoints.find((e) => e.pod.name === from);
  const dst = c.endpoints.find((e) => e.pod.name === to);
  assert.ok(src && dst);
  return traceFlow(c, { src: { kind: 'pod', ip: src.pod.ip }, dstIp: dst.pod.ip, proto: 'tcp', dport, sport: 43210, traceArp: false, http: request });
}

function flat(nodes: readonly TraceNode[]): TraceNode[] {
  return nodes.flatMap((n) => ('children' in n ? [n, ...flat(n.children)] : [n]));
}

const points = (r: TraceResult) => flat(r.hops).flatMap((n) => (n.kind === 'trace_point' ? [n.point] : []));

for (const profile of ['1.13', '1.18'] as const) {
  const c = build(profile, INGRESS_L7);
  const tag = profile === '1.13' ? 'v1.13.0' : 'v1.18.3';

  test(`${tag} pkg/envoy getHTTPRule: method and path are full-string regexes (GET /v1/.* allows /v1/ships, not /v2/ships or /v1)`, () => {
    assert.equal(http(c, 'client', 'web', req('GET', '/v1/ships')).verdict, 'FORWARDED');
    const v2 = http(c, 'client', 'web', req('GET', '/v2/ships'));
    assert.equal(v2.verdict, 'DROPPED');
    assert.equal(v2.l7?.code, 403);
    assert.equal(v2.drop, null); // Envoy answers: no BPF drop
    assert.equal(http(c, 'client', 'web', req('GET', '/v1')).verdict, 'DROPPED');
    assert.equal(http(c, 'client', 'web', req('DELETE', '/v1/ships')).verdict, 'DROPPED'); // method
  });

  test(`${tag} getHTTPRule headers: "Name: value" is an exact match, "Name" presence only`, () => {
    assert.equal(http(c, 'client', 'web', req('PUT', '/v1/exhaust-port', [['X-Has-Force', 'True']])).verdict, 'FORWARDED');
    assert.equal(http(c, 'client', 'web', req('PUT', '/v1/exhaust-port', [['X-Has-Force', 'true']])).verdict, 'DROPPED');
    assert.equal(http(c, 'client', 'web', req('PUT', '/v1/exhaust-port')).verdict, 'DROPPED');
    // Header names are case-insensitive.
    assert.equal(http(c, 'client', 'web', req('PUT', '/v1/exhaust-port', [['x-has-force', 'True']])).verdict, 'FORWARDED');
    assert.equal(http(c, 'client', 'web', req('POST', '/login', [['X-Token', 'anything']], 'web.example.com')).verdict, 'FORWARDED');
    assert.equal(http(c, 'client', 'web', req('POST', '/login', [], 'web.example.com')).verdict, 'DROPPED');
  });

  test(`${tag} getHTTPRule host: :authority is a full-string regex`, () => {
    assert.equal(http(c, 'client', 'web', req('POST', '/login', [['X-Token', '1']], 'web.example.com')).verdict, 'FORWARDED');
    const r = http(c, 'client', 'web', req('POST', '/login', [['X-Token', '1']], 'web.example.com.evil'));
    assert.equal(r.verdict, 'DROPPED');
    assert.match(r.l7?.misses.find((m) => m.rule.startsWith('POST /login'))?.why ?? '', /:authority "web\.example\.com\.evil" does not match/);
  });

  test(`${tag} ingress L7: TO_PROXY at web's policy with the proxy port, then Envoy's upstream enters cilium_host as FROM_PROXY and skips the ingress policy`, () => {
    const r = http(c, 'client', 'web', req('GET', '/v1/ships'));
    assert.equal(r.verdict, 'FORWARDED');
    assert.equal(r.delivered?.target, 'default/web');
    const port = proxyPortOf('n1', 'cilium-http-ingress');
    const toProxy = flat(r.hops).find((n) => n.kind === 'trace_point' && n.point === 'TRACE_TO_PROXY');
    assert.ok(toProxy && toProxy.kind === 'trace_point' && toProxy.dstEp === port);
    assert.deepEqual(points(r).slice(-2), ['TRACE_FROM_PROXY', 'TRACE_TO_LXC']);
    const skip = profile === '1.13' ? 'tc_index_skip_ingress_proxy' : 'tc_index_from_ingress_proxy';
    assert.ok(flat(r.hops).some((n) => n.kind === 'fn' && n.fn === skip && n.line !== null), `${skip} cited`);
    // One policy verdict only: the upstream leg is not policed again.
    assert.equal(flat(r.hops).filter((n) => n.kind === 'policy' && n.direction === 'ingress').length, 1);
    assert.deepEqual({ verdict: r.l7?.verdict, code: r.l7?.code, srcId: r.l7?.srcId, listener: r.l7?.listener, port: r.l7?.proxyPort }, { verdict: 'FORWARDED', code: 0, srcId: idOf(c, 'client'), listener: 'cilium-http-ingress', port });
    const mark = flat(r.hops).find((n) => n.kind === 'note' && n.text.includes('MARK_MAGIC_PROXY_INGRESS): identity'));
    assert.ok(mark, 'inherit_identity_from_host reads the identity from the proxy mark');
  });

  test(`${tag} ingress L7 from another node: the redirect happens at the destination, Envoy runs on n1`, () => {
    const r = http(c, 'remote', 'web', req('PUT', '/v1/exhaust-port'));
    assert.equal(r.verdict, 'DROPPED');
    assert.equal(r.l7?.node, 'n1');
    assert.equal(r.l7?.proposal, '{method: PUT, path: /v1/exhaust-port}');
    assert.ok(r.explanation?.suggestion?.includes('- method: "PUT"\n  path: "/v1/exhaust-port"'));
  });

  test(`${tag} the L3/L4 part still decides first: a peer the rule does not name is DROP_POLICY, no proxy`, () => {
    const r = http(c, 'other', 'web', req('GET', '/v1/ships'));
    assert.equal(r.verdict, 'DROPPED');
    assert.equal(r.drop?.code, 133);
    assert.equal(r.l7, undefined);
  });
}

test('v1.13.0 pkg/envoy/server.go getPortNetworkPolicyRule: an L3/L4-only allow for the same port and peer lets every request through', () => {
  const c = build('1.13', INGRESS_L7, cnp('web-l4', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `));
  const r = http(c, 'client', 'web', req('DELETE', '/anything'));
  assert.equal(r.verdict, 'FORWARDED');
  assert.match(r.l7?.matched ?? '', /^anything/);
});

test('v1.18.3 getPortNetworkPolicyRule: an L3/L4-only allow of the same selector (one rule, two toPorts) allows anything', () => {
  const c = build('1.18', cnp('web-both', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts:
          - ports: [{ port: "80", protocol: TCP }]
            rules: { http: [{ method: GET, path: "/" }] }
          - ports: [{ port: "80", protocol: TCP }]
  `));
  assert.equal(http(c, 'client', 'web', req('DELETE', '/x')).verdict, 'FORWARDED');
});

const EGRESS_L7 = cnp('client-http', `
    endpointSelector: { matchLabels: { app: client } }
    egress:
      - toEndpoints: [{ matchLabels: { app: web } }]
        toPorts:
          - ports: [{ port: "80", protocol: TCP }]
            rules: { http: [{ method: GET, path: "/public/.*" }] }
`);

for (const profile of ['1.13', '1.18'] as const) {
  const tag = profile === '1.13' ? 'v1.13.0' : 'v1.18.3';
  test(`${tag} bpf_lxc.c egress L7: TO_PROXY at the client (dst identity 0), cilium-http-egress; upstream with MARK_MAGIC_PROXY_EGRESS, the destination's policy still applies`, () => {
    const c = build(profile, EGRESS_L7);
    const ok = http(c, 'client', 'web', req('GET', '/public/index.html'));
    assert.equal(ok.verdict, 'FORWARDED');
    assert.equal(ok.l7?.listener, 'cilium-http-egress');
    assert.equal(ok.l7?.direction, 'egress');
    const toProxy = flat(ok.hops).find((n) => n.kind === 'trace_point' && n.point === 'TRACE_TO_PROXY');
    assert.ok(toProxy && toProxy.kind === 'trace_point' && toProxy.dstId === 0);
    assert.ok(points(ok).includes('TRACE_FROM_PROXY'));
    assert.ok(flat(ok.hops).some((n) => n.kind === 'note' && n.text.includes('MARK_MAGIC_PROXY_EGRESS): identity')));
    const denied = http(c, 'client', 'web', req('GET', '/private'));
    assert.equal(denied.verdict, 'DROPPED');
    assert.equal(denied.l7?.verdict, 'DENIED');
  });
}

test('envoy-http: RE2 full match is anchored, alternatives included', () => {
  assert.equal(fullMatch('GET|HEAD', 'HEAD'), true);
  assert.equal(fullMatch('GET|HEAD', 'GETX'), false);
  assert.equal(fullMatch('/v1/', '/v1/x'), false);
  assert.equal(fullMatch('/v1/.*', '/v1/'), true);
  assert.deepEqual(evaluateHttp([], req('GET', '/')).allowed, false);
  assert.deepEqual(evaluateHttp([null], req('GET', '/')).allowed, true);
});

test('without a request the trace ends NOT_SIMULATED at the redirect, as before, saying how to give one', () => {
  const c = build('1.13', INGRESS_L7);
  const src = c.endpoints.find((e) => e.pod.name === 'client');
  assert.ok(src);
  const r = traceFlow(c, { src: { kind: 'pod', ip: src.pod.ip }, dstIp: ipv4('10.0.1.10'), proto: 'tcp', dport: 80, sport: 43210, traceArp: false });
  assert.equal(r.verdict, 'NOT_SIMULATED');
  assert.equal(r.notSimulated?.proxy?.listener, 'cilium-http-ingress');
  assert.ok(flat(r.hops).some((n) => n.kind === 'note' && n.text.includes("--http 'METHOD /PATH'")));
});
