// The newcomer's smaller points (review F19–F28): help that lists what ships, the input
// limit on every command that reads a cluster, and the text that had stray characters.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli } from '../support/run-cli.js';

const SHIPPED = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();

/** Help text with its wrapping undone, so a list split over lines reads as one. */
const flat = (s: string) => s.replace(/\n\s+/g, ' ');

describe('F19: --scenario help and --max-input-size', () => {
  it('--scenario help lists every scenario in the package scenarios/ directory', async () => {
    assert.ok(SHIPPED.length >= 6, SHIPPED.join(','));
    for (const args of [['--help'], ['check', '--help'], ['matrix', '--help'], ['diff', '--help']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0);
      assert.ok(flat(r.stdout).includes(`a shipped scenario by name (${SHIPPED.join(', ')})`), `${args.join(' ')}: ${r.stdout}`);
    }
  });

  for (const cmd of ['check', 'matrix', 'diff'] as const) {
    it(`${cmd} accepts --max-input-size and applies it`, async () => {
      const extra = cmd === 'diff' ? ['--scenario2', 'geneve'] : [];
      const r = await runCli([cmd, '--scenario', 'l3-policy', ...extra, '--max-input-size', '100']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /l3-policy\.yaml:1:1: input is too large \(1251 bytes; the limit is 100 bytes, raise it with --max-input-size BYTES\)\n$/);
      const bad = await runCli([cmd, '--scenario', 'l3-policy', ...extra, '--max-input-size', 'x']);
      assert.equal(bad.stderr, "cilium-trace: bad --max-input-size 'x' (expected a number of bytes, e.g. 134217728)\n");
    });
  }

  it("diff: the limit holds for the --f2/--scenario2 side too", async () => {
    // geneve.yaml is 914 bytes, services.yaml 3802: a limit between them stops the after side.
    const r = await runCli(['diff', '--scenario', 'geneve', '--scenario2', 'services', '--max-input-size', '1000']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /services\.yaml:1:1: input is too large \(3802 bytes; the limit is 1000 bytes/);
    const ok = await runCli(['diff', '--scenario', 'geneve', '--scenario2', 'services', '--max-input-size', '4000']);
    assert.notEqual(ok.code, 2, ok.stderr);
  });
});

describe('F20: no bare hop header at the summary level', () => {
  it('a hop whose steps the summary all leaves out is not printed; detailed keeps it', async () => {
    const { loadCluster } = await import('../../src/cli/cluster-source.js');
    const { resolveDestination, resolveSource } = await import('../../src/cli/endpoints.js');
    const { traceFlow } = await import('../../src/trace/run.js');
    const { renderTrace } = await import('../../src/render/text.js');
    const c = loadCluster({ scenario: 'l3-policy' });
    const dst = resolveDestination(c, { text: 'app1', col: 1 });
    const src = resolveSource(c, { text: 'app2', col: 1 }, dst.ip);
    const r = traceFlow(c, { src, dstIp: dst.ip, proto: 'tcp', dport: 8080, sport: 43210, traceArp: false });
    const bare = { kind: 'hop' as const, node: 'runtime1', where: 'lxc-bare', hook: 'tc egress', children: [{ kind: 'fn' as const, fn: 'x', file: 'bpf/x.c', line: null, children: [{ kind: 'note' as const, text: 'not reached' }] }] };
    const withBare = { ...r, hops: [...r.hops, bare] };
    const summary = renderTrace(withBare, 'summary');
    assert.ok(!summary.includes('runtime1 / lxc-bare — tc egress'), summary);
    assert.equal(summary, renderTrace(r, 'summary'));
    assert.ok(renderTrace(withBare, 'detailed').includes('\nruntime1 / lxc-bare — tc egress\n'));
  });

  it('diff prints a rewrite as `rewrite ttl 64 → 63`', async () => {
    const r = await runCli(['diff', '--scenario', 'default', '--cilium2', '1.18', 'pod1', 'pod3', 'icmp']);
    assert.match(r.stdout, /^ = {3}rewrite ttl 64 → 63$/m);
    assert.doesNotMatch(r.stdout, /rewrite ttl → /);
  });
});
