// Every shipped scenario under every profile (1.13 = v1.13.0, 1.16 = v1.16.15, 1.18 = v1.18.3):
// the expectations it ships (ci-example's expectations.yaml, each exercise's flows) through
// `check`, and for every scenario the pod → pod (icmp, tcp/80), pod → world, pod → node,
// node → pod, world → pod and pod → Service flows. With CILIUM_TRACE_STRICT_CITATIONS=1 (npm
// test) a frame the release does not define where it says is an internal error (exit 3): no
// flow may end in one. Verdicts may differ by profile; they are reported (diagnostics), and the
// profile that changes one is named.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, runCli } from '../support/run-cli.js';
import { loadCluster } from '../../src/cli/cluster-source.js';

process.chdir(ROOT);
const PROFILES = ['1.13', '1.16', '1.18'] as const;
/** Pods per scenario taken as sources and destinations (the first by name): keeps the run short. */
const MAX_PODS = 6;

interface Input { readonly name: string; readonly files: readonly string[] }

function inputs(): Input[] {
  const out: Input[] = [];
  for (const f of readdirSync('scenarios').filter((x) => x.endsWith('.yaml')).sort()) out.push({ name: f, files: [join('scenarios', f)] });
  for (const d of readdirSync(join('scenarios', 'k8s')).sort()) out.push({ name: `k8s/${d}`, files: [join('scenarios', 'k8s', d)] });
  for (const d of readdirSync(join('scenarios', 'exercises')).sort()) out.push({ name: `exercises/${d}`, files: [join('scenarios', 'exercises', d, 'cluster')] });
  out.push({ name: 'ci-example/before', files: ['scenarios/ci-example/cluster.yaml', 'scenarios/ci-example/before'] });
  return out;
}

/** The flows of one scenario, as CLI arguments. */
function flows(files: readonly string[]): string[][] {
  const cluster = loadCluster({ file: [...files] });
  const pods = cluster.scenario.pods.filter((p) => !p.hostNetwork).map((p) => `${p.namespace}/${p.name}`).sort().slice(0, MAX_PODS);
  const nodes = cluster.scenario.nodes.map((n) => n.name).sort();
  const out: string[][] = [];
  for (const a of pods) {
    for (const b of pods) if (a !== b) out.push([a, b], [a, b, 'tcp/80']);
    out.push([a, '1.1.1.1'], [a, '1.1.1.1', 'tcp/443']);
    for (const n of nodes) out.push([a, `node:${n}`]);
    for (const s of cluster.scenario.services) out.push([a, `svc:${s.namespace}/${s.name}`]);
  }
  for (const b of pods) {
    out.push([`node:${nodes[0]}`, b], ['8.8.8.8', b, 'tcp/80']);
  }
  return out;
}

/** check's summary line: `8 expectations: 8 passed, 0 failed`. */
function summary(stdout: string): string {
  return stdout.split('\n').find((l) => /^\d+ expectations?: /.test(l)) ?? '(no summary)';
}

/** One line per flow and profile whose exit code differs between profiles. */
const changed: string[] = [];

async function runFlow(files: readonly string[], flow: readonly string[], profile: string): Promise<number> {
  const run = await runCli([...files.flatMap((f) => ['-f', f]), '--cilium', profile, ...flow]);
  assert.notEqual(run.code, 3, `${flow.join(' ')} under ${profile}: ${run.stderr}`);
  assert.doesNotMatch(run.stderr, /internal error|uncited/, `${flow.join(' ')} under ${profile}`);
  return run.code;
}

describe('every shipped scenario under every profile, strict citations', () => {
  it('runs with CILIUM_TRACE_STRICT_CITATIONS=1 (as npm test does)', () => {
    assert.equal(process.env['CILIUM_TRACE_STRICT_CITATIONS'], '1', 'run this file with CILIUM_TRACE_STRICT_CITATIONS=1: without it an uncited frame is no error');
  });

  for (const input of inputs()) {
    it(`${input.name}: no flow ends in an internal error under 1.13, 1.16, 1.18`, async (t) => {
      for (const flow of flows(input.files)) {
        const codes: number[] = [];
        for (const p of PROFILES) codes.push(await runFlow(input.files, flow, p));
        if (new Set(codes).size > 1) {
          const line = `${input.name}: ${flow.join(' ')}: exit ${PROFILES.map((p, i) => `${p}=${codes[i]}`).join(' ')}`;
          changed.push(line);
          t.diagnostic(line);
        }
      }
    });
  }

  it('ci-example expectations (check) under every profile: no internal error', async (t) => {
    for (const p of PROFILES) {
      const run = await runCli(['check', '-f', 'scenarios/ci-example/cluster.yaml', '-f', 'scenarios/ci-example/before', '-e', 'scenarios/ci-example/expectations.yaml', '--cilium', p]);
      assert.ok(run.code === 0 || run.code === 1 || run.code === 4, `${p}: exit ${run.code} ${run.stderr}`);
      t.diagnostic(`${p}: ${summary(run.stdout)}`);
    }
  });

  it('every exercise\'s flows (check) under every profile: no internal error', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-profiles-'));
    try {
      for (const d of readdirSync(join('scenarios', 'exercises')).sort()) {
        const ex = join('scenarios', 'exercises', d, 'exercise.yaml');
        if (!existsSync(ex)) continue;
        const doc = parse(readFileSync(ex, 'utf8')) as { flows?: unknown[] };
        assert.ok(Array.isArray(doc.flows) && doc.flows.length > 0, `${ex} has flows`);
        const file = join(dir, `${d}.yaml`);
        writeFileSync(file, JSON.stringify(doc.flows));
        for (const p of PROFILES) {
          const run = await runCli(['check', '-f', join('scenarios', 'exercises', d, 'cluster'), '-e', file, '--cilium', p]);
          assert.ok(run.code === 0 || run.code === 1 || run.code === 4, `${d} ${p}: exit ${run.code} ${run.stderr}`);
          t.diagnostic(`${d} ${p}: exit ${run.code}, ${summary(run.stdout)}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
