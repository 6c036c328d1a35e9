// `validate` findings that explain themselves (issue 16, CI): a selector that selects nothing
// names the pods it nearly selects, and an allow-all that makes a namespace's default deny moot
// names both policies and the pods. Text and -o json carry the same positioned findings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';

const MOOT = 'test/fixtures/validate/moot.yaml';
const PROBLEMS = 'test/fixtures/validate/problems.yaml';

describe('validate: near misses and moot default denies', () => {
  it('a CCNP fromEntities all over a NetworkPolicy default deny: one line at the allow-all naming both and the pod', async () => {
    const r = await runCli(['validate', '-f', MOOT]);
    assert.equal(r.code, 1);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `${MOOT}:38:11: warning: CiliumClusterwideNetworkPolicy allow-everything spec ingress[0] fromEntities[0] all allows every source on every port for shop/frontend: the ingress default deny of NetworkPolicy shop/deny-all spec is moot there`);
  });

  it('a namespaced toEndpoints peer matching a pod of another namespace: the pod, the namespace and the fix', async () => {
    const r = await runCli(['validate', '-f', MOOT]);
    assert.equal(r.stdout.split('\n')[1], `${MOOT}:45:27: warning: CiliumNetworkPolicy shop/dns spec egress[0] toEndpoints[0] {k8s-app=kube-dns} matches no pod (nearly matches kube-system/coredns: namespace kube-system, not shop; a namespaced policy scopes its peers to its own namespace: add k8s:io.kubernetes.pod.namespace: kube-system to the selector)`);
    assert.equal(r.stdout.split('\n')[2], '2 problems (1 node, 3 pods, 3 policies, 0 services)');
  });

  it('a typo in a value: the pod a typo away, not every pod with the key', async () => {
    const r = await runCli(['validate', '-f', PROBLEMS]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /endpointSelector \{app=wbe\} selects no pod \(nearly matches default\/web: app=web, not wbe\)\n/);
    assert.match(r.stdout, /\{app=cleint\} matches no pod \(nearly matches default\/client: app=client, not cleint\)\n/);
    assert.doesNotMatch(r.stdout, /nearly matches default\/client: app=client, not wbe/);
  });

  it('without the allow-all the default deny holds: no moot finding', async () => {
    const r = await runCli(['validate', '--scenario', 'l3-policy']);
    assert.doesNotMatch(r.stdout, /moot/);
  });

  it('-o json: the same findings with file, line, col; exit code as text', async () => {
    const r = await runCli(['validate', '-o', 'json', '-f', MOOT]);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { problems: Array<{ file: string; line: number; col: number; severity: string; message: string }>; pods: number };
    assert.equal(doc.problems.length, 2);
    assert.deepEqual(doc.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.severity}`), [`${MOOT}:38:11: warning`, `${MOOT}:45:27: warning`]);
    assert.match(doc.problems[0]?.message ?? '', /default deny of NetworkPolicy shop\/deny-all spec is moot there$/);
    assert.equal(doc.pods, 3);
    const clean = await runCli(['validate', '-o', 'json', '--scenario', 'geneve']);
    assert.equal(clean.code, 0);
    assert.deepEqual((JSON.parse(clean.stdout) as { problems: unknown[] }).problems, []);
  });
});
