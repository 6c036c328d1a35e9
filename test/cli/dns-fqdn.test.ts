// The DNS proxy hop through the CLI, held to the release source: pkg/fqdn/dnsproxy/proxy.go
// ServeDNS/CheckAllowed/sendRefused/setSoMark (v1.13.0:699-900), bpf/lib/identity.h
// inherit_identity_from_host's MARK_MAGIC_IDENTITY branch (v1.13.0:111-112, v1.18.3:180-181),
// pkg/monitor/logrecord.go DumpInfo (" DNS %s: %s %s"), pkg/hubble/parser/seven/dns.go dnsSummary.
// The fixture is the real-cluster dump; the REFUSED case narrows its rules.dns to a matchName.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';

const FRONTEND = 'shop/frontend-6f7d8c9b5-2xkqz';
const DNS = ['svc:kube-system/kube-dns', 'udp/53'];
const dir = mkdtempSync(join(tmpdir(), 'dns-fqdn-'));
cpSync('test/fixtures/real-cluster', dir, { recursive: true });
const dump = join(dir, 'cluster.yaml');
writeFileSync(dump, readFileSync(dump, 'utf8').replace('          - matchPattern: "*"', '          - matchName: api.github.com'));
after(() => rmSync(dir, { recursive: true, force: true }));

const lastLine = (s: string): string => s.trimEnd().split('\n').at(-1) ?? '';
const run = (cilium: string, f: string, ...args: string[]) => runCli(['--cilium', cilium, '-f', f, FRONTEND, ...DNS, ...args]);

describe('the DNS proxy (pkg/fqdn/dnsproxy/proxy.go)', () => {
  const UPSTREAM: Record<string, readonly [string, string]> = {
    // v1.13.0 proxy.go setSoMark: MagicMarkIdentity; identity.h:111-112
    '1.13': ['with SO_MARK 0x3f840f00 (MagicMarkIdentity 0x0F00 with identity 16260, setSoMark)', 'skb->mark 0x3f840f00 (MARK_MAGIC_IDENTITY): identity 16260 from the mark (get_identity); skb->mark = 0'],
    // v1.18.3 proxy.go setSoMarks: MagicMarkEgress; identity.h:170-179 (the proxy branch)
    '1.18': ['with SO_MARK 0x3f840b00 (MagicMarkEgress 0x0B00 with identity 16260, setSoMarks;', 'skb->mark 0x3f840b00 (MARK_MAGIC_PROXY_EGRESS): identity 16260 from the mark (get_identity)'],
  };
  for (const cilium of ['1.13', '1.18']) {
    it(`v${cilium}: proxy.go:CheckAllowed allows api.github.com under matchPattern *; the upstream socket's mark carries the identity to kube-dns`, async () => {
      const r = await run(cilium, 'test/fixtures/real-cluster', '--dns-query', 'API.github.com', '--resolve', 'api.github.com=140.82.112.6,140.82.112.5');
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes('dns egress query api.github.com. A → FORWARDED (rule matchPattern *)'));
      const [sock, host] = UPSTREAM[cilium] as readonly [string, string];
      assert.ok(r.stdout.includes(sock), sock);
      assert.ok(r.stdout.includes(host), host);
      assert.ok(r.stdout.includes('the answer (--resolve or the scenario\'s dns:): api.github.com. A 140.82.112.6, 140.82.112.5'));
      assert.match(lastLine(r.stdout), /^FORWARDED — delivered to kube-system\/coredns-5d78c9869d-x7k2p on cp-1 /);
    });
    it(`v${cilium}: proxy.go:sendRefused: a name no rules.dns item matches is answered REFUSED, DROPPED, exit 1`, async () => {
      const r = await run(cilium, dir, '--dns-query', 'www.example.com', '-l', 'minimal');
      assert.equal(r.code, 1);
      assert.equal(lastLine(r.stdout), 'DROPPED — DNS query www.example.com. A refused by the DNS proxy (cilium-dns-egress, proxy port 14849) on worker-1: rcode REFUSED, no rules.dns item matches (no drop reason, no drop event)');
    });
  }
  it('JSON: l7 {type dns, verdict DENIED, rcode REFUSED}, the unmatched rule and the proposed rules.dns item', async () => {
    const r = await run('1.13', dir, '--dns-query', 'www.example.com', '-o', 'json');
    const j = JSON.parse(r.stdout) as { verdict: string; l7: Record<string, unknown>; explanation: { suggested_policy: string } };
    assert.equal(j.verdict, 'DROPPED');
    assert.deepEqual([j.l7['type'], j.l7['verdict'], j.l7['rcode'], j.l7['query']], ['dns', 'DENIED', 'REFUSED', 'www.example.com.']);
    assert.deepEqual(j.l7['unmatched_rules'], [{ rule: 'matchName api.github.com', why: 'www.example.com. does not match ^api[.]github[.]com[.]$' }]);
    assert.equal(j.explanation.suggested_policy, '# add to toPorts[].rules.dns of the rule above (egress, port 53):\n- matchName: "www.example.com"\n');
  });
  it('monitor: logrecord.go DumpInfo prints the request " DNS proxy: NAME A" with verdict Denied; Hubble: dnsSummary', async () => {
    const m = await run('1.13', dir, '--dns-query', 'www.example.com', '-o', 'monitor');
    assert.match(lastLine(m.stdout), /^-> Request dns from 3397 \(\[k8s:app=frontend .*\]\) to 0 \(\[.*k8s:k8s-app=kube-dns\]\), identity 16260->22711, verdict Denied DNS proxy: www\.example\.com\. A$/);
    const h = await run('1.13', dir, '--dns-query', 'www.example.com', '-o', 'hubble');
    const f = (JSON.parse(lastLine(h.stdout)) as { flow: { verdict: string; Summary: string; l4: Record<string, unknown>; event_type: { type: number } } }).flow;
    assert.deepEqual([f.verdict, f.Summary, Object.keys(f.l4), f.event_type.type], ['DROPPED', 'DNS Query www.example.com. A', ['UDP'], 129]);
  });
  it('v1.13.0 daemon/cmd/fqdn.go:111 AllocateCIDRsForIPs: one CIDR identity per answered IP, from 16777217', async () => {
    const r = await run('1.13', 'test/fixtures/real-cluster', '--dns-query', 'api.github.com', '--resolve', 'api.github.com=140.82.112.6,140.82.112.5');
    assert.ok(r.stdout.includes('toFQDNs matchName api.github.com match api.github.com.: the agent allocates identities'));
    assert.ok(r.stdout.includes('140.82.112.6/32: node-local CIDR identity 16777217 ('));
    assert.ok(r.stdout.includes('140.82.112.5/32: node-local CIDR identity 16777218 ('));
    assert.ok(!r.stdout.includes('fqdn:api.github.com'));
  });
  it('v1.18.3 pkg/policy/api/fqdn.go IdentityLabel: one identity for the label set fqdn:api.github.com, shared by the IPs', async () => {
    const r = await run('1.18', 'test/fixtures/real-cluster', '--dns-query', 'api.github.com', '--resolve', 'api.github.com=140.82.112.6,140.82.112.5');
    assert.ok(r.stdout.includes('one node-local identity for the label set [fqdn:api.github.com]'));
    assert.ok(r.stdout.includes('shared by 140.82.112.6, 140.82.112.5'));
    assert.ok(!r.stdout.includes('CIDR identity 16777218'));
  });
  it('a name no toFQDNs selector matches gets no identity', async () => {
    const r = await run('1.13', 'test/fixtures/real-cluster', '--dns-query', 'example.org', '--resolve', 'example.org=93.184.215.14');
    assert.ok(r.stdout.includes("no toFQDNs selector of this endpoint's policy matches example.org."));
  });
  it('a Scenario dns: section gives the answer; --resolve on the command line wins; its errors are positioned', async () => {
    writeFileSync(join(dir, 'dns.yaml'), 'apiVersion: cilium-trace/v1\nkind: Scenario\nmetadata: {name: answers}\ndns:\n  API.github.com: [140.82.112.6]\n');
    const r = await run('1.13', dir, '--dns-query', 'www.example.com');
    assert.equal(r.code, 1, r.stderr);
    const ok = await runCli(['--cilium', '1.13', '-f', 'test/fixtures/real-cluster', '-f', join(dir, 'dns.yaml'), FRONTEND, ...DNS, '--dns-query', 'api.github.com']);
    assert.ok(ok.stdout.includes('the answer (--resolve or the scenario\'s dns:): api.github.com. A 140.82.112.6\n'), ok.stderr);
    const cli = await runCli(['--cilium', '1.13', '-f', 'test/fixtures/real-cluster', '-f', join(dir, 'dns.yaml'), FRONTEND, ...DNS, '--dns-query', 'api.github.com', '--resolve', 'api.github.com=1.1.1.1']);
    assert.ok(cli.stdout.includes('the answer (--resolve or the scenario\'s dns:): api.github.com. A 1.1.1.1\n'));
    writeFileSync(join(dir, 'dns.yaml'), 'apiVersion: cilium-trace/v1\nkind: Scenario\nmetadata: {name: answers}\ndns:\n  api.github.com: [140.82.112]\n');
    const bad = await runCli(['--cilium', '1.13', '-f', join(dir, 'dns.yaml'), '-f', 'test/fixtures/real-cluster', FRONTEND, ...DNS]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /dns\.yaml:5:20: dns: api\.github\.com: "140\.82\.112" is not an IPv4 address/);
    rmSync(join(dir, 'dns.yaml'));
  });
  it('forgot DNS (pkg/policy/l4.go createL4Filter: only rules.dns makes the DNS redirect): the lookup bypasses the proxy, the address stays world, the drop proposes the DNS rule', async () => {
    const noDns = mkdtempSync(join(tmpdir(), 'dns-forgot-'));
    cpSync('test/fixtures/real-cluster', noDns, { recursive: true });
    const f = join(noDns, 'cluster.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('          protocol: ANY\n        rules:\n          dns:\n          - matchPattern: "*"\n', '          protocol: ANY\n'));
    try {
      for (const cilium of ['1.13', '1.18']) {
        const r = await runCli(['--cilium', cilium, '-f', noDns, FRONTEND, 'api.github.com', 'tcp/443', '--resolve', 'api.github.com=140.82.112.3']);
        assert.equal(r.code, 1, r.stderr);
        assert.ok(r.stderr.includes('cilium-trace: the query went to kube-system/kube-dns without the DNS proxy (no rules.dns redirect for it): the answer teaches the agent nothing, the maps stay as they were'));
        assert.ok(r.stdout.includes('connection: to 140.82.112.3, the first address of the answer (no DNS proxy saw the answer: the maps are unchanged)'));
        assert.ok(r.stdout.includes("this endpoint's egress policy has no DNS rule (a port-53 toPorts item with rules.dns), so the DNS proxy never sees its lookups"));
        assert.ok(r.stdout.includes('the classic "forgot to allow DNS" mistake'));
        assert.ok(r.stdout.includes('    name: allow-frontend-6f7d8c9b5-2xkqz-dns-proxy\n'), r.stdout);
        assert.ok(r.stdout.includes('            rules:\n              dns:\n                - matchPattern: "*"\n'));
        assert.match(lastLine(r.stdout), /^DROPPED — DROP_POLICY \(133\) "Policy denied" \[POLICY_DENIED\] in policy_can_egress4 \(egress\) on worker-1$/);
      }
      const withDns = await runCli(['--cilium', '1.13', '-f', 'test/fixtures/real-cluster', FRONTEND, '140.82.112.3', 'tcp/443']);
      assert.equal(withDns.code, 1);
      assert.ok(!withDns.stdout.includes('has no DNS rule'));
      assert.ok(withDns.stdout.includes('The rules are right if the pod looks the name up first'));
    } finally {
      rmSync(noDns, { recursive: true, force: true });
    }
  });
  it('DST as a DNS name without an answer: a positioned error, exit 2', async () => {
    const e = await runCli(['--cilium', '1.13', '-f', 'test/fixtures/real-cluster', FRONTEND, 'api.github.com', 'tcp/443']);
    assert.equal(e.code, 2);
    assert.match(e.stderr, /<command line>:1:\d+: unknown pod 'api\.github\.com' .*; as a DNS name it needs its answer: --resolve api\.github\.com=IP/);
  });
  it('without --dns-query the trace still ends at the redirect, and says how to simulate the proxy', async () => {
    const r = await run('1.13', 'test/fixtures/real-cluster');
    assert.equal(r.code, 4);
    assert.ok(r.stdout.includes('give one with --dns-query NAME'));
  });
  it('--resolve and --dns-query errors are positioned, exit 2', async () => {
    const a = await run('1.13', 'test/fixtures/real-cluster', '--dns-query', 'api.github.com', '--resolve', 'api.github.com=1.2.3');
    assert.equal(a.code, 2);
    assert.match(a.stderr, /<command line>:1:\d+: bad --resolve 'api\.github\.com=1\.2\.3': "1\.2\.3" is not an IPv4 address/);
    const b = await run('1.13', 'test/fixtures/real-cluster', '--resolve', 'noequals');
    assert.equal(b.code, 2);
    assert.match(b.stderr, /bad --resolve 'noequals': expected NAME=IP\[,IP…\]/);
    const c = await runCli(['--cilium', '1.13', '-f', 'test/fixtures/real-cluster', FRONTEND, 'svc:kube-system/kube-dns', 'icmp', '--dns-query', 'a.io']);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /--dns-query needs a UDP or TCP destination port/);
    const d = await run('1.13', 'test/fixtures/real-cluster', '--dns-query', 'bad name!');
    assert.equal(d.code, 2);
    assert.match(d.stderr, /bad --dns-query: "bad name!" is not a DNS name/);
  });
});

// A name as DST: the lookup leg, then the connection over the maps its answer filled
// (src/trace/by-name.ts, src/controlplane/fqdn.ts).
describe('two legs: SRC NAME PROTO', () => {
  const IPCACHE: Record<string, string> = {
    // v1.13.0 AllocateCIDRsForIPs; cilium/cmd/bpf_ipcache_list.go format
    '1.13': 'lookup cilium_ipcache 140.82.112.6/32 → identity=16777217 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0',
    // v1.18.3 resolveIdentity: fqdn: labels + world, one identity for the set
    '1.18': 'lookup cilium_ipcache_v2 140.82.112.6/32 → identity=16777217 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
  };
  for (const cilium of ['1.13', '1.18']) {
    it(`v${cilium}: the DNS proxy forwards the lookup; the connection finds the answer's identity in the ipcache and the toFQDNs entry in the policy map: FORWARDED`, async () => {
      const r = await runCli(['--cilium', cilium, '-f', 'test/fixtures/real-cluster', FRONTEND, 'api.github.com', 'tcp/443', '--resolve', 'api.github.com=140.82.112.6,140.82.112.5']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.startsWith('lookup: api.github.com. A from kube-system/kube-dns (udp/53)\n'));
      assert.ok(r.stdout.includes('dns egress query api.github.com. A → FORWARDED (rule matchPattern *)'));
      assert.ok(r.stdout.includes('connection: to 140.82.112.6, the first address of the answer (the maps after the DNS proxy on worker-1 saw the answer)'));
      assert.ok(r.stdout.includes(IPCACHE[cilium] as string), r.stdout);
      assert.ok(r.stdout.includes('DNS answer api.github.com. A 140.82.112.6 seen by the DNS proxy (lookup by shop/frontend-6f7d8c9b5-2xkqz on worker-1); matchName api.github.com: '));
      assert.ok(r.stdout.includes('policy egress of endpoint 3397 for identity 16777217: ALLOWED (match L3-L4)'));
      assert.match(lastLine(r.stdout), /^FORWARDED — left the cluster through eth0 of worker-1/);
    });
  }
  it('a name the DNS rules refuse: the lookup is DROPPED (REFUSED) and the application never connects, exit 1', async () => {
    const r = await runCli(['--cilium', '1.13', '-f', dir, FRONTEND, 'www.example.com', 'tcp/443', '--resolve', 'www.example.com=93.184.215.14', '-l', 'minimal']);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes('the lookup of www.example.com. did not reach kube-system/kube-dns (the DNS proxy refused it): the application gets no address, so it never connects'));
    assert.equal(lastLine(r.stdout), 'no connection: the lookup of www.example.com. did not reach kube-system/kube-dns (the DNS proxy refused it): the application gets no address, so it never connects');
  });
  it('an answer for a name no toFQDNs selector matches: dropped, and the fix is a toFQDNs selector for the name', async () => {
    const r = await runCli(['--cilium', '1.18', '-f', 'test/fixtures/real-cluster', FRONTEND, 'example.org', 'tcp/443', '--resolve', 'example.org=93.184.215.14']);
    assert.equal(r.code, 1);
    assert.ok(r.stdout.includes('The lookup of example.org. went through the DNS proxy and gave 93.184.215.14, but no toFQDNs selector of the endpoint matches example.org. (matchName api.github.com;'));
    assert.ok(r.stdout.includes('      - toFQDNs:\n          - matchName: example.org\n        toPorts:\n          - ports:\n              - port: "443"\n'));
  });
  it('JSON: one document with the lookup, what the agent learnt and the connection', async () => {
    const r = await runCli(['--cilium', '1.18', '-f', 'test/fixtures/real-cluster', FRONTEND, 'api.github.com', 'tcp/443', '--resolve', 'api.github.com=140.82.112.6', '-o', 'json']);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout) as { schema: string; name: string; dns_server: string; learned: unknown; lookup: { verdict: string; l7: { type: string } }; connection: { verdict: string } };
    assert.deepEqual([j.schema, j.name, j.dns_server, j.lookup.verdict, j.lookup.l7.type, j.connection.verdict], ['cilium-trace/trace-by-name/v1', 'api.github.com.', 'kube-system/kube-dns', 'FORWARDED', 'dns', 'FORWARDED']);
    assert.deepEqual(j.learned, { node: 'worker-1', endpoint: 'shop/frontend-6f7d8c9b5-2xkqz', name: 'api.github.com.', ips: ['140.82.112.6'] });
  });
  it('-o markdown and -o html report the connection leg, and say so', async () => {
    for (const o of ['markdown', 'html']) {
      const r = await runCli(['-f', 'test/fixtures/real-cluster', FRONTEND, 'api.github.com', 'tcp/443', '--resolve', 'api.github.com=140.82.112.6', '-o', o]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stderr.includes('cilium-trace: the report shows the connection leg; the text and JSON outputs show both'), o);
      assert.ok(r.stdout.includes('tcp 10.244.1.21:43210 &gt; 140.82.112.6:443') || r.stdout.includes('tcp 10.244.1.21:43210 > 140.82.112.6:443'), o);
    }
  });
  it('--dns-query and --step do not go with a name as DST (exit 2)', async () => {
    const a = await runCli(['-f', 'test/fixtures/real-cluster', FRONTEND, 'api.github.com', 'tcp/443', '--resolve', 'api.github.com=140.82.112.6', '--dns-query', 'x.io']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--dns-query does not go with a name as DST/);
  });
});

describe('check: an expectation to a DNS name the cluster answers (dns:)', () => {
  const EX = 'scenarios/exercises/10-fqdn-dns';
  const expDir = mkdtempSync(join(tmpdir(), 'dns-check-'));
  after(() => rmSync(expDir, { recursive: true, force: true }));
  const exp = join(expDir, 'expectations.yaml');
  writeFileSync(exp, '- name: github by name\n  from: shop/frontend\n  to: api.github.com\n  proto: tcp\n  port: 443\n  expect: FORWARDED\n');
  it('looks the name up first: without rules.dns the connection is dropped, with them it is FORWARDED', async () => {
    const broken = await runCli(['check', '-f', `${EX}/cluster`, '-e', exp]);
    assert.equal(broken.code, 1);
    assert.ok(broken.stdout.includes('expected FORWARDED, got DROPPED (POLICY_DENIED)'), broken.stdout);
    const fixed = await runCli(['check', '-f', `${EX}/cluster/cluster.yaml`, '-f', `${EX}/cluster/workloads.yaml`, '-f', `${EX}/cluster/dns.yaml`, '-f', `${EX}/solution/frontend-egress.yaml`, '-e', exp]);
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.ok(fixed.stdout.includes('PASS    github by name  shop/frontend → api.github.com tcp/443  FORWARDED'));
  });
});

describe('a DNS name over a sysdump (cilium-trace export sysdump of the real-cluster fixture)', () => {
  const out = mkdtempSync(join(tmpdir(), 'dns-sysdump-'));
  after(() => rmSync(out, { recursive: true, force: true }));
  it('the real DNS redirect takes the policy\'s rules.dns; the connection runs over the maps as dumped (no answer added), --maps computed adds it', async () => {
    const e = await runCli(['export', 'sysdump', '-f', 'test/fixtures/real-cluster', '-o', out]);
    assert.equal(e.code, 0, e.stderr);
    const sd = join(out, 'cilium-sysdump-20000101-000000');
    const flow = [FRONTEND, 'api.github.com', 'tcp/443', '--resolve', 'api.github.com=140.82.112.6', '-l', 'minimal'];
    const real = await runCli(['-f', sd, ...flow]);
    assert.equal(real.code, 1, real.stderr);
    assert.ok(real.stdout.includes('dns api.github.com. FORWARDED'), real.stdout);
    assert.ok(real.stdout.includes("connection: to 140.82.112.6, the first address of the answer (the sysdump's maps as dumped: the answer is not added)"));
    assert.match(lastLine(real.stdout), /^DROPPED — DROP_POLICY \(133\)/);
    const computed = await runCli(['-f', sd, '--maps', 'computed', ...flow]);
    assert.equal(computed.code, 0, computed.stderr);
    assert.match(lastLine(computed.stdout), /^FORWARDED — left the cluster through eth0 of worker-1/);
  });
});
