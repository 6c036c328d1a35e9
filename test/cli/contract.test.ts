// The judged contract of the real-world input: `cilium-trace -f FILES SRC DST PROTO[/PORT] -o json`
// gives `verdict` and `drop_reason.name` as Cilium would. Each case names the documentation
// that justifies its expected verdict. The manifests: scenarios/k8s/* and
// test/fixtures/contract/zoo.yaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../support/run-cli.js';

process.chdir(ROOT);

interface Case {
  readonly files: readonly string[];
  readonly flow: readonly string[];
  readonly verdict: 'FORWARDED' | 'DROPPED';
  readonly reason?: string;
  readonly doc: string;
}

const SW = ['scenarios/k8s/star-wars'];
const NP = ['scenarios/k8s/netpol-recipes'];
const ZOO = ['test/fixtures/contract/zoo.yaml'];
const DOCS = 'https://docs.cilium.io/en/v1.13';
const K8S = 'https://kubernetes.io/docs/concepts/services-networking/network-policies/';

const CASES: readonly Case[] = [
  { files: SW, flow: ['default/tiefighter', 'svc:default/deathstar', 'tcp/80'], verdict: 'FORWARDED', doc: `${DOCS}/gettingstarted/demo/#apply-an-l3-l4-policy` },
  { files: SW, flow: ['default/xwing', 'svc:default/deathstar', 'tcp/80'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${DOCS}/gettingstarted/demo/#apply-an-l3-l4-policy` },
  { files: SW, flow: ['default/tiefighter', 'default/deathstar-54bb8475cc-4gcv4', 'tcp/8080'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${DOCS}/gettingstarted/demo/ (only port 80 is allowed)` },
  { files: NP, flow: ['dev/tester', 'shop/web-6d4cf56db6-8xk2p', 'tcp/8080'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${K8S}#default-deny-all-ingress-traffic (recipe 03/06: dev is not production)` },
  { files: NP, flow: ['prod/checkout-5f7d9c8b6-q4zzt', 'shop/web-6d4cf56db6-8xk2p', 'tcp/8080'], verdict: 'FORWARDED', doc: `${K8S}#behavior-of-to-and-from-selectors (namespaceSelector purpose=production, named port http)` },
  { files: NP, flow: ['prod/checkout-5f7d9c8b6-q4zzt', 'shop/web-6d4cf56db6-8xk2p', 'tcp/80'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${K8S} (the named port http is 8080, not 80)` },
  { files: NP, flow: ['prod/checkout-5f7d9c8b6-q4zzt', 'shop/db-0', 'tcp/5432'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${K8S}#behavior-of-to-and-from-selectors (a podSelector alone selects the policy's namespace)` },
  { files: NP, flow: ['shop/db-0', 'kube-system/coredns-787d4945fb-l2n8m', 'udp/53'], verdict: 'FORWARDED', doc: `${K8S} (recipe 11: egress only to kube-dns on 53)` },
  { files: NP, flow: ['shop/db-0', 'prod/checkout-5f7d9c8b6-q4zzt', 'tcp/443'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${K8S}#default-deny-all-egress-traffic` },
  { files: ZOO, flow: ['deny/good', 'deny/server', 'tcp/80'], verdict: 'FORWARDED', doc: `${DOCS}/security/policy/language/#deny-policies (the allow covers the namespace)` },
  { files: ZOO, flow: ['deny/bad', 'deny/server', 'tcp/80'], verdict: 'DROPPED', reason: 'POLICY_DENY', doc: `${DOCS}/security/policy/language/#deny-policies (deny takes precedence)` },
  { files: ZOO, flow: ['team-b/frontend', 'ent/api', 'tcp/9000'], verdict: 'FORWARDED', doc: `${DOCS}/security/policy/language/#entities-based (cluster covers every pod)` },
  { files: ZOO, flow: ['198.51.100.7', 'ent/api', 'tcp/9000'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${DOCS}/security/policy/language/#entities-based (the world is not the cluster)` },
  { files: ZOO, flow: ['198.51.100.7', 'ent/public', 'tcp/443'], verdict: 'FORWARDED', doc: `${DOCS}/security/policy/language/#access-to-outside-of-the-cluster (fromEntities world)` },
  { files: ZOO, flow: ['198.51.100.7', 'ent/public', 'tcp/80'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${DOCS}/security/policy/language/#layer-4-examples` },
  { files: ZOO, flow: ['cidr/client', '192.0.2.10', 'tcp/443'], verdict: 'FORWARDED', doc: `${DOCS}/security/policy/language/#ip-cidr-based (toCIDRSet)` },
  { files: ZOO, flow: ['cidr/client', '192.0.2.200', 'tcp/443'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${DOCS}/security/policy/language/#ip-cidr-based (except)` },
  { files: ZOO, flow: ['cidr/client', '203.0.113.1', 'tcp/443'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${DOCS}/security/policy/language/#ip-cidr-based (outside the CIDR)` },
  { files: ZOO, flow: ['ports/caller', 'ports/web', 'tcp/8080'], verdict: 'FORWARDED', doc: `${DOCS}/security/policy/language/#layer-4-examples (named ports resolve on the selected pod)` },
  { files: ZOO, flow: ['ports/caller', 'ports/web', 'tcp/80'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${DOCS}/security/policy/language/#layer-4-examples` },
  { files: ZOO, flow: ['icmp/pinger', 'icmp/target', 'icmp'], verdict: 'FORWARDED', doc: `${DOCS}/security/policy/language/#icmp-icmpv6 (type 8)` },
  { files: ZOO, flow: ['icmp/pinger', 'icmp/target', 'tcp/22'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${DOCS}/security/policy/language/#icmp-icmpv6` },
  { files: ZOO, flow: ['team-b/backend', 'team-a/db', 'tcp/5432'], verdict: 'FORWARDED', doc: `${DOCS}/network/kubernetes/policy/#ciliumclusterwidenetworkpolicy (selectors span namespaces)` },
  { files: ZOO, flow: ['team-b/frontend', 'team-a/db', 'tcp/5432'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${DOCS}/network/kubernetes/policy/#ciliumclusterwidenetworkpolicy` },
  { files: ZOO, flow: ['team-b/backend', 'knp/vault', 'tcp/8200'], verdict: 'FORWARDED', doc: `${K8S}#behavior-of-to-and-from-selectors (namespaceSelector AND podSelector)` },
  { files: ZOO, flow: ['team-b/frontend', 'knp/vault', 'tcp/8200'], verdict: 'DROPPED', reason: 'POLICY_DENIED', doc: `${K8S}#behavior-of-to-and-from-selectors (both must match)` },
  { files: ZOO, flow: ['172.20.0.11', 'knp/vault', 'tcp/8200'], verdict: 'FORWARDED', doc: `${DOCS}/security/policy/language/#entities-based (the local host may always reach its endpoints)` },
];

for (const c of CASES) {
  test(`${c.flow.join(' ')} (${c.files.join(', ')}) is ${c.verdict}${c.reason ? ` ${c.reason}` : ''} — ${c.doc}`, async () => {
    const args = [...c.files.flatMap((f) => ['-f', f]), ...c.flow, '-o', 'json'];
    const run = await runCli(args);
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code}: ${run.stderr}`);
    const doc = JSON.parse(run.stdout) as { verdict: string; drop_reason: { name: string } | null };
    assert.equal(doc.verdict, c.verdict);
    assert.equal(doc.drop_reason?.name, c.reason);
    assert.equal(run.code, c.verdict === 'FORWARDED' ? 0 : 1);
  });
}
