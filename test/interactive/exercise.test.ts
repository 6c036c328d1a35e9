// `cilium-trace exercise`: every shipped exercise fails as shipped and is solved by its
// intended fix; list, show and hint read sanely; check never prints the fix; the overlay
// rule (file replaces by name, directory replaces the cluster) and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.js';
import { listExercises, type Exercise } from '../../src/exercises/catalog.js';
import { checkExercise } from '../../src/exercises/check.js';

const exercises = listExercises();

function solutionPaths(e: Exercise): string[] {
  return e.solutionFiles.map((f) => join(e.dir, 'solution', f));
}

/** The lines of the fix: solution lines (trimmed) that its broken cluster file does not have. */
function answerLines(e: Exercise): string[] {
  const out: string[] = [];
  for (const f of e.solutionFiles) {
    const broken = new Set(readFileSync(join(e.dir, 'cluster', f), 'utf8').split('\n').map((l) => l.trim()));
    for (const l of readFileSync(join(e.dir, 'solution', f), 'utf8').split('\n')) {
      const t = l.trim();
      if (t !== '' && !t.startsWith('#') && !broken.has(t)) out.push(t);
    }
  }
  return out;
}

test('at least seven exercises ship, numbered 1..n, each with a report, flows both ways, graded hints and a fix', () => {
  assert.ok(exercises.length >= 7, `${exercises.length} exercises`);
  assert.deepEqual(exercises.map((e) => e.number), exercises.map((_, i) => i + 1));
  for (const e of exercises) {
    assert.ok(e.title.length > 10 && e.report.length > 80, e.id);
    assert.ok(e.flows.some((f) => f.expect === 'FORWARDED'), `${e.id}: a flow that must work`);
    assert.ok(e.flows.some((f) => f.expect === 'DROPPED'), `${e.id}: a flow that must stay blocked`);
    assert.equal(e.hints.length, 3, `${e.id}: hints 1..3`);
    assert.ok(e.solutionFiles.length > 0, `${e.id}: solution/`);
    for (const f of e.solutionFiles) assert.ok(e.clusterFiles.includes(f), `${e.id}: solution/${f} replaces a cluster file of that name`);
    assert.ok(answerLines(e).length > 0, `${e.id}: the fix changes something`);
  }
});

for (const e of exercises) {
  test(`exercise ${e.number} (${e.id}): fails as shipped, the intended fix solves it, check gives nothing away`, async () => {
    const broken = checkExercise(e, []);
    assert.equal(broken.solved, false);
    const fixed = checkExercise(e, solutionPaths(e));
    assert.deepEqual(fixed.outcomes.filter((o) => !o.ok).map((o) => o.flow.name), []);
    assert.equal(fixed.solved, true);

    const before = await runCli(['exercise', 'check', String(e.number)]);
    assert.equal(before.code, 1, before.stderr);
    assert.match(before.stdout, /^NOT SOLVED: \d+ of \d+ flows? (is|are) still wrong\.$/m);
    assert.match(before.stdout, /FAIL {2}/);
    assert.ok(before.stdout.includes(`cilium-trace exercise hint ${e.number}`));
    const after = await runCli(['exercise', 'check', String(e.number), ...solutionPaths(e).flatMap((p) => ['-f', p])]);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    assert.match(after.stdout, new RegExp(`^SOLVED: all ${e.flows.length} flows behave as they must\\.$`, 'm'));
    for (const line of answerLines(e)) {
      assert.ok(!before.stdout.includes(line), `check output shows the fix: ${line}`);
      assert.ok(!after.stdout.includes(line), `check output shows the fix: ${line}`);
    }
  });
}

test('exercise list names every exercise', async () => {
  const r = await runCli(['exercise', 'list']);
  assert.equal(r.code, 0);
  for (const e of exercises) assert.match(r.stdout, new RegExp(`^ +${e.number} {2}${e.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${e.flows.length} flows$`, 'm'));
});

test('exercise show: the report, the flows both ways, the cluster files and how to start', async () => {
  for (const e of exercises) {
    const r = await runCli(['exercise', 'show', String(e.number)]);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith(`Exercise ${e.number}: ${e.title}\n\nWhat users report:\n`));
    assert.ok(r.stdout.includes('Must work:\n') && r.stdout.includes('Must stay blocked:\n'));
    for (const f of e.flows) assert.ok(r.stdout.includes(`${f.from} → ${f.to}`), f.name);
    for (const name of e.clusterFiles) assert.match(r.stdout, new RegExp(`^  ${name.replace('.', '\\.')}$`, 'm'));
    assert.ok(r.stdout.includes(`scenarios/exercises/${e.id}/cluster`));
    assert.ok(r.stdout.includes(`cilium-trace exercise check ${e.number} -f ex${e.number}`));
    for (const line of answerLines(e)) assert.ok(!r.stdout.includes(line), `show gives the fix away: ${line}`);
    for (const l of r.stdout.split('\n')) assert.ok(!/\s$/.test(l), `trailing space: '${l}'`);
  }
  const byName = await runCli(['exercise', 'show', 'egress-dns']);
  assert.equal(byName.code, 0);
  assert.ok(byName.stdout.startsWith('Exercise 3: '));
});

test('exercise hint: graded levels 1..3, the cluster path filled in, bad levels are usage errors', async () => {
  for (const e of exercises) {
    const texts: string[] = [];
    for (let k = 1; k <= e.hints.length; k++) {
      const r = await runCli(['exercise', 'hint', String(e.number), ...(k === 1 ? [] : ['--level', String(k)])]);
      assert.equal(r.code, 0);
      assert.ok(r.stdout.startsWith(`Exercise ${e.number}, hint ${k} of ${e.hints.length}:\n`));
      assert.ok(!r.stdout.includes('CLUSTER_DIR'));
      assert.equal(r.stdout.includes(`--level ${k + 1}`), k < e.hints.length);
      texts.push(r.stdout);
    }
    assert.equal(new Set(texts).size, texts.length, `${e.id}: hints differ`);
  }
  for (const level of ['0', '4', 'x']) {
    const r = await runCli(['exercise', 'hint', '1', '--level', level]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `cilium-trace: bad --level '${level}' (expected 1..3)\n`);
  }
});

test('exercise check -f DIRECTORY: a copy of the cluster with the fix in it', async () => {
  const e = exercises.find((x) => x.id === '07-receiving-node') as Exercise;
  const dir = mkdtempSync(join(tmpdir(), 'ct-ex-'));
  try {
    const copy = join(dir, 'ex7');
    cpSync(join(e.dir, 'cluster'), copy, { recursive: true });
    const r0 = await runCli(['exercise', 'check', '7', '-f', copy]);
    assert.equal(r0.code, 1);
    assert.ok(r0.stdout.includes(`Trace it: cilium-trace -f ${copy} shop/checkout payments/payments tcp/8443`));
    const file = join(copy, 'payments-ingress.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('protocol: UDP', 'protocol: TCP'));
    const r1 = await runCli(['exercise', 'check', '7', '-f', copy]);
    assert.equal(r1.code, 0, r1.stdout);
    assert.ok(r1.stdout.includes(`cluster: yours (${copy}/checkout-egress.yaml, `));
    rmSync(join(copy, 'workloads.yaml'));
    const r2 = await runCli(['exercise', 'check', '7', '-f', copy]);
    assert.equal(r2.code, 1);
    assert.ok(r2.stdout.includes('not in yours: workloads.yaml (the exercise has them)'));
    assert.match(r2.stdout, /FAIL {2}shop\/checkout → payments\/payments tcp\/8443 +cannot trace: unknown pod 'payments\/payments'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exercise check: a tempting wrong fix still fails (the blocked flows guard the intent)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-ex-'));
  try {
    // Exercise 4: deleting the deny policy lets Prometheus reach the Envoy admin port.
    const e4 = exercises.find((x) => x.id === '04-deny-beats-allow') as Exercise;
    const allowOnly = join(dir, 'backend-policies.yaml');
    writeFileSync(allowOnly, (readFileSync(join(e4.dir, 'cluster', 'backend-policies.yaml'), 'utf8').split('\n---\n')[0] ?? '') + '\n');
    const r4 = await runCli(['exercise', 'check', '4', '-f', allowOnly]);
    assert.equal(r4.code, 1);
    assert.match(r4.stdout, /FAIL {2}monitoring\/prometheus → shop\/backend tcp\/9901 +expected DROPPED, got FORWARDED/);
    assert.ok(r4.stdout.includes(`${allowOnly} replaces backend-policies.yaml`));
    // Exercise 6: opening port 80 in the policy instead of fixing the Service.
    const e6 = exercises.find((x) => x.id === '06-service-targetport') as Exercise;
    const open80 = join(dir, 'api-policy.yaml');
    writeFileSync(open80, readFileSync(join(e6.dir, 'cluster', 'api-policy.yaml'), 'utf8').replace('              protocol: TCP\n', '              protocol: TCP\n            - port: "80"\n              protocol: TCP\n'));
    const r6 = await runCli(['exercise', 'check', '6', '-f', open80]);
    assert.equal(r6.code, 1);
    assert.match(r6.stdout, /FAIL {2}shop\/frontend → shop\/api-7c9d8b6f5-2xkq4 tcp\/80 +expected DROPPED, got FORWARDED/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// https://docs.cilium.io/en/v1.13/security/dns/ — the documented DNS egress rule: kube-dns on
// 53/ANY with `rules: dns: [{matchPattern: "*"}]`. v1.13.0 sends the lookups to the DNS proxy,
// which lets every name through: exercise 3 must take it as a fix.
test('exercise check 3: the DNS rule of the Cilium docs (a DNS proxy redirect allowing every name) solves it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-ex-'));
  try {
    const e3 = exercises.find((x) => x.id === '03-egress-dns') as Exercise;
    const file = join(dir, 'frontend-egress.yaml');
    writeFileSync(file, readFileSync(join(e3.dir, 'cluster', 'frontend-egress.yaml'), 'utf8') + [
      '    - toEndpoints:',
      '        - matchLabels:',
      '            "k8s:io.kubernetes.pod.namespace": kube-system',
      '            "k8s:k8s-app": kube-dns',
      '      toPorts:',
      '        - ports:',
      '            - port: "53"',
      '              protocol: ANY',
      '          rules:',
      '            dns:',
      '              - matchPattern: "*"',
      '',
    ].join('\n'));
    const r = await runCli(['exercise', 'check', '3', '-f', file]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok {4}shop\/frontend → svc:kube-system\/kube-dns udp\/53 +FORWARDED to the proxy cilium-dns-egress \(port \d+\), whose rules let every request through \(matchPattern \*\)\n/);
    assert.match(r.stdout, /\nSOLVED: all 5 flows behave as they must\.\n$/);
    // A DNS rule that allows some names only cannot be decided without the query: not solved.
    writeFileSync(file, readFileSync(file, 'utf8').replace('matchPattern: "*"', 'matchName: "backend.shop.svc.cluster.local"'));
    const narrow = await runCli(['exercise', 'check', '3', '-f', file]);
    assert.equal(narrow.code, 4, 'nothing failed, but the DNS proxy\'s verdict depends on the name');
    assert.match(narrow.stdout, /FAIL {2}shop\/frontend → svc:kube-system\/kube-dns udp\/53 +expected FORWARDED, got NOT SIMULATED/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exercise check: an added file joins the cluster; bad input exits 2 with positions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-ex-'));
  try {
    const extra = join(dir, 'allow-frontend.yaml');
    writeFileSync(extra, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: allow-frontend\n  namespace: shop\nspec:\n  endpointSelector:\n    matchLabels:\n      app: backend\n  ingress:\n    - fromEndpoints:\n        - matchLabels:\n            app: frontend\n      toPorts:\n        - ports:\n            - port: "9000"\n              protocol: TCP\n');
    const r = await runCli(['exercise', 'check', '1', '-f', extra]);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(r.stdout.includes(`${extra} added`));

    const bad = join(dir, 'backend-ingress.yaml');
    writeFileSync(bad, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: [\n');
    const b = await runCli(['exercise', 'check', '1', '-f', bad]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:11: invalid YAML`));

    const missing = await runCli(['exercise', 'check', '1', '-f', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.ok(missing.stderr.includes('nope.yaml:1:1: cannot read file (no such file)'));
    const stdin = await runCli(['exercise', 'check', '1', '-f', '-']);
    assert.equal(stdin.code, 2);
    const unknown = await runCli(['exercise', 'show', '99']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^cilium-trace: unknown exercise '99' \(expected a number: 1, 2, 3/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
