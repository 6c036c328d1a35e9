// The HTTP request on the command line and in expectations, and the L7 records of the outputs:
// text, JSON `l7`, `cilium monitor`'s access-log line (pkg/monitor/logrecord.go DumpInfo) and
// Hubble's L7 flow (pkg/hubble/parser/seven/parser.go Decode, event_type 129), on the Star Wars
// demo's L7 step, under 1.13 and 1.18.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../support/run-cli.js';

process.chdir(ROOT);
const F = ['-f', 'scenarios/k8s/star-wars-l7'];
const FLOW = ['tiefighter', 'svc:deathstar', 'tcp/80'];
const URL_PUT = 'http://deathstar.default.svc.cluster.local/v1/exhaust-port';

for (const cilium of ['1.13', '1.18'] as const) {
  const P = ['--cilium', cilium];
  describe(`L7 HTTP on the Star Wars demo, --cilium ${cilium}`, () => {
    it('pkg/envoy getHTTPRule: POST /v1/request-landing is FORWARDED (exit 0), PUT /v1/exhaust-port DROPPED 403 (exit 1)', async () => {
      const ok = await runCli([...P, ...F, ...FLOW, '--http', 'POST /v1/request-landing', '-l', 'minimal']);
      assert.equal(ok.code, 0);
      assert.match(ok.stdout, /Envoy cilium-http-ingress \(proxy port 15042\) L7 proxy cilium\.l7policy HTTP filter \(not BPF\): http POST \/v1\/request-landing FORWARDED\n/);
      // v1.18.3 do_netdev traces ipcache_srcid, which a proxy packet (a real identity already) never looks up: 0 (bpf_host.c:532-533, 1155).
      assert.match(ok.stdout, cilium === '1.18' ? /cilium_host tc egress bpf_host\.o \[tc\/entry\]: from proxy identity 0 · / : /cilium_host tc egress bpf_host\.o \[from-host\]: from proxy identity 53922 · /);
      assert.match(ok.stdout, /\nFORWARDED — delivered to default\/deathstar-54bb8475cc-4gcv4 on kind-worker by redirect/);
      const no = await runCli([...P, ...F, ...FLOW, '--http', 'PUT /v1/exhaust-port', '-l', 'minimal']);
      assert.equal(no.code, 1);
      assert.ok(no.stdout.endsWith(`DROPPED — HTTP PUT ${URL_PUT} denied by Envoy (cilium-http-ingress, proxy port 15042) on kind-worker: 403 Access denied, no HTTP rule matches (no drop reason, no drop event)\n`));
    });

    it('JSON: an l7 object {type http, verdict DENIED, code 403}, no drop_reason', async () => {
      const r = await runCli([...P, ...F, ...FLOW, '--http', 'PUT /v1/exhaust-port', '--header', 'X-Has-Force: True', '-o', 'json']);
      assert.equal(r.code, 1);
      const j = JSON.parse(r.stdout) as { verdict: string; drop_reason: unknown; l7: Record<string, unknown>; explanation: { suggested_policy: string } };
      assert.equal(j.verdict, 'DROPPED');
      assert.equal(j.drop_reason, null);
      assert.deepEqual({ type: j.l7.type, verdict: j.l7.verdict, code: j.l7.code, method: j.l7.method, url: j.l7.url, listener: j.l7.listener, proxy_port: j.l7.proxy_port, headers: j.l7.headers },
        { type: 'http', verdict: 'DENIED', code: 403, method: 'PUT', url: URL_PUT, listener: 'cilium-http-ingress', proxy_port: 15042, headers: [{ name: 'X-Has-Force', value: 'True' }] });
      assert.deepEqual(j.l7.unmatched_rules, [{ rule: 'POST /v1/request-landing', why: ':method "PUT" does not match the regex "POST" (full-string RE2 match); :path "/v1/exhaust-port" does not match the regex "/v1/request-landing" (full-string RE2 match)' }]);
      assert.equal(j.explanation.suggested_policy, '# add to toPorts[].rules.http of the rule above (ingress, port 80/TCP):\n- method: "PUT"\n  path: "/v1/exhaust-port"\n');
    });

    it('pkg/monitor/logrecord.go: `<- Request http from 0 (…) to 2948 (…), identity 53922->3540, verdict Denied PUT … => 403` after `-> proxy port 15042`', async () => {
      const r = await runCli([...P, ...F, ...FLOW, '--http', 'PUT /v1/exhaust-port', '-o', 'monitor']);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines.at(-2) ?? '', /^-> proxy port 15042 flow 0x[0-9a-f]+ , identity 53922->3540 state new ifindex lxc3d485b669463 orig-ip 10\.244\.2\.58: 10\.244\.2\.58:43210 -> 10\.244\.1\.42:80 tcp SYN$/);
      assert.match(lines.at(-1) ?? '', /^<- Request http from 0 \(\[k8s:app\.kubernetes\.io\/name=tiefighter k8s:class=tiefighter .* k8s:org=empire\]\) to 2948 \(\[k8s:app\.kubernetes\.io\/name=deathstar k8s:class=deathstar .*\]\), identity 53922->3540, verdict Denied PUT http:\/\/deathstar\.default\.svc\.cluster\.local\/v1\/exhaust-port => 403$/);
      const ok = await runCli([...P, ...F, ...FLOW, '--http', 'POST /v1/request-landing', '-o', 'monitor']);
      // v1.18.3: the from-proxy event carries ipcache_srcid, 0 for a proxy packet (bpf_host.c:532-533, 1155).
      assert.match(ok.stdout, cilium === '1.18' ? /\n<- Request http from 0 \(.*\), identity 53922->3540, verdict Forwarded POST http:\/\/deathstar\.default\.svc\.cluster\.local\/v1\/request-landing => 0\n<- proxy flow 0x[0-9a-f]+ , identity unknown->unknown state unknown ifindex cilium_host orig-ip 0\.0\.0\.0: 10\.244\.2\.58:43210 -> 10\.244\.1\.42:80 tcp SYN\n/ : /\n<- Request http from 0 \(.*\), identity 53922->3540, verdict Forwarded POST http:\/\/deathstar\.default\.svc\.cluster\.local\/v1\/request-landing => 0\n<- proxy flow 0x[0-9a-f]+ , identity 53922->unknown state unknown ifindex cilium_host orig-ip 0\.0\.0\.0: 10\.244\.2\.58:43210 -> 10\.244\.1\.42:80 tcp SYN\n/);
    });

    it('pkg/hubble/parser/seven: Type L7, event_type 129, l7 REQUEST http, verdict DROPPED; TO_PROXY carries proxy_port 15042', async () => {
      const r = await runCli([...P, ...F, ...FLOW, '--http', 'PUT /v1/exhaust-port', '-o', 'hubble']);
      const flows = r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { flow: Record<string, unknown> }).flow);
      const l7 = flows.at(-1) as Record<string, unknown>;
      assert.equal(l7.Type, 'L7');
      assert.deepEqual(l7.event_type, { type: 129 });
      assert.equal(l7.verdict, 'DROPPED');
      assert.deepEqual(l7.l7, { type: 'REQUEST', http: { method: 'PUT', url: URL_PUT, protocol: 'HTTP/1.1' } });
      assert.equal(l7.traffic_direction, 'INGRESS');
      assert.equal(l7.Summary, `HTTP/1.1 PUT ${URL_PUT}`);
      assert.deepEqual((l7.destination as Record<string, unknown>).ID, 2948);
      const toProxy = flows.find((f) => f.trace_observation_point === 'TO_PROXY');
      assert.equal(toProxy?.proxy_port, 15042);
    });
  });
}

describe('probe syntax errors: exit 2, one positioned line', () => {
  const cases: Array<[string, string[], string]> = [
    ['lower-case method', ['--http', 'put /x'], `<command line>:1:70: bad --http 'put /x': method "put" is not an HTTP method (upper case, e.g. GET, POST, PUT)\n`],
    ['no path', ['--http', 'PUT'], `<command line>:1:70: bad --http 'PUT': expected 'METHOD /PATH', e.g. 'PUT /v1/exhaust-port'\n`],
    ['a header without a colon', ['--http', 'PUT /x', '--header', 'X-Has-Force True'], `<command line>:1:86: bad --header 'X-Has-Force True': expected 'Name: value', e.g. 'X-Has-Force: True'\n`],
    ['--header without --http', ['--header', 'X: y'], `<command line>:1:72: --header and --host need --http 'METHOD /PATH' (the request they belong to)\n`],
  ];
  for (const [what, args, line] of cases) {
    it(what, async () => {
      const r = await runCli([...F, ...FLOW, ...args]);
      assert.equal(r.code, 2);
      assert.ok(r.stderr.endsWith(line), r.stderr);
      assert.equal(r.stdout, '');
    });
  }
  it('--reply with --http: the response through Envoy is not simulated, a usage error', async () => {
    const r = await runCli([...F, ...FLOW, '--http', 'GET /', '--reply']);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.endsWith("cilium-trace: --reply and --http do not go together: the server's response goes back through Envoy (ct_state->proxy_redirect), which is not simulated\n"), r.stderr);
  });
  it('--http on a UDP flow', async () => {
    const r = await runCli([...F, 'tiefighter', 'svc:deathstar', 'udp/80', '--http', 'GET /']);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.endsWith('<command line>:1:70: --http needs a TCP destination port (tcp/PORT); this flow is udp\n'), r.stderr);
  });
});

describe('expectations: http as a string or a mapping', () => {
  it('check: landing FORWARDED and exhaust-port DROPPED pass, Envoy decides', async () => {
    const r = await runCli(['check', ...F, '-e', 'test/cli/fixtures/l7-expectations.yaml']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS {4}exhaust-port .* DROPPED {4}DROPPED {4}- {7}Envoy cilium-http-ingress on kind-worker: 403 for PUT \/v1\/exhaust-port \(no HTTP rule matches\)/);
    assert.match(r.stdout, /2 expectations: 2 passed, 0 failed/);
  });
  it('bad http values are positioned problems of failed (INVALID) cases, exit 1', async () => {
    const r = await runCli(['check', ...F, '-e', 'test/cli/fixtures/l7-bad-expectations.yaml']);
    assert.equal(r.code, 1);
    const problems = r.stdout.split('\n').filter((l) => l.startsWith('  test/cli/fixtures/l7-bad-expectations.yaml:')).map((l) => l.slice(2));
    assert.deepEqual(problems, [
      `test/cli/fixtures/l7-bad-expectations.yaml:6:11: bad http 'put /v1/x': method "put" is not an HTTP method (upper case, e.g. GET, POST, PUT)`,
      `test/cli/fixtures/l7-bad-expectations.yaml:12:49: bad header 'no colon': expected 'Name: value', e.g. 'X-Has-Force: True'`,
      `test/cli/fixtures/l7-bad-expectations.yaml:12:62: unknown key 'colour' in http (expected one of: method, path, host, headers)`,
    ]);
  });
});

describe('the real-cluster fixture (test/fixtures/real-cluster): its HTTP rule GET /api/v1/.* is simulated with a request', () => {
  const R = ['-f', 'test/fixtures/real-cluster', 'shop/frontend-6f7d8c9b5-2xkqz', 'shop/api-7c5d9f8b6-pqrst', 'tcp/8080', '-l', 'minimal'];
  it('GET /api/v1/orders is FORWARDED, POST /api/v1/orders answered 403 by Envoy on worker-2', async () => {
    const ok = await runCli([...R, '--http', 'GET /api/v1/orders']);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /\nFORWARDED — delivered to shop\/api-7c5d9f8b6-pqrst on worker-2 by redirect \(ifindex 9\)\n$/);
    const no = await runCli([...R, '--http', 'POST /api/v1/orders']);
    assert.equal(no.code, 1);
    assert.match(no.stdout, /\nDROPPED — HTTP POST http:\/\/10\.244\.2\.77:8080\/api\/v1\/orders denied by Envoy \(cilium-http-ingress, proxy port 10215\) on worker-2: 403 Access denied, no HTTP rule matches \(no drop reason, no drop event\)\n$/);
  });
});
