// scripts/conformance.mjs (npm run conformance): one line per case and a total, each miss with the
// trace's verdict and the probe's why, exit 1 on a miss; a clear skip (exit 0) without the cases.
// The case here is made from a shipped scenario, not from the upstream manifests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/run-cli.js';

const SCRIPT = join(ROOT, 'scripts', 'conformance.mjs');

function probes(list: object[]): { json: string; yaml: string } {
  return { json: JSON.stringify(list, null, 1), yaml: list.map((p) => `- ${JSON.stringify(p)}`).join('\n') + '\n' };
}

describe('scripts/conformance.mjs', () => {
  it('prints each case and the total; a miss is listed with the verdict, the reason and the why, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-conf-'));
    try {
      for (const [name, list] of [
        ['10-pass', [{ from: 'pod1', to: 'pod3', expect: 'FORWARDED', why: 'no policy', source: 'here' }]],
        ['20-miss', [
          { from: 'pod1', to: 'pod3', expect: 'FORWARDED', why: 'no policy' },
          { from: 'pod1', to: 'service:default/web', proto: 'tcp', port: 80, expect: 'DROPPED', reason: 'POLICY_DENIED', why: 'a deny nobody wrote' },
        ]],
      ] as const) {
        mkdirSync(join(dir, name));
        copyFileSync(join(ROOT, 'scenarios', 'services.yaml'), join(dir, name, 'cluster.yaml'));
        const p = probes([...list]);
        writeFileSync(join(dir, name, 'expect.json'), p.json);
        writeFileSync(join(dir, name, 'expect.yaml'), p.yaml);
      }
      const run = spawnSync(process.execPath, [SCRIPT, dir, '--cilium', '1.13'], { encoding: 'utf8' });
      assert.equal(run.status, 1, run.stderr);
      const lines = run.stdout.split('\n');
      assert.deepEqual(lines.slice(0, 2), ['10-pass     1/1', '20-miss     1/2']);
      assert.match(lines[2] ?? '', /^total       2\/3  \(2 cases, Cilium profile 1\.13, [\d.]+ s\)$/);
      assert.match(run.stdout, /\n {2}20-miss expect\.yaml:2:4: pod1 -> service:default\/web tcp\/80: expected DROPPED \(POLICY_DENIED\), trace FORWARDED\n/);
      assert.match(run.stdout, /\n {6}why: a deny nobody wrote\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips with a message and exit 0 when the cases are absent', () => {
    const out = execFileSync(process.execPath, [SCRIPT, join(tmpdir(), 'no-such-conformance-dir')], { encoding: 'utf8' });
    assert.match(out, /^conformance: .*no-such-conformance-dir not found: the cilium-cli connectivity cases are not on this machine, skipped\n$/);
  });
});
