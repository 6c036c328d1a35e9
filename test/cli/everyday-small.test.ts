// The newcomer's smaller points (review F19–F28): help that lists what ships, the input
// limit on every command that reads a cluster, and the text that had stray characters.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
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

/** A one-node cluster of n pods, half in namespace a, half in b. */
function widePods(n: number): string {
  const pods = Array.from({ length: n }, (_, i) => `  - { name: p${String(i).padStart(3, '0')}, namespace: ${i < n / 2 ? 'a' : 'b'}, node: n1, ip: 10.11.0.${i + 10}, labels: { app: x${i % 2} } }`);
  return ['apiVersion: cilium-trace/v1', 'kind: Scenario', 'metadata: { name: wide }', 'cluster: { cilium: "1.13" }', 'nodes:', '  - { name: n1, ip: 10.0.2.15, podCIDR: 10.11.0.0/16 }', 'pods:', ...pods, ''].join('\n');
}

describe('F22: the text matrix guards its width', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cilium-trace-wide-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'wide.yaml');
  writeFileSync(file, widePods(100));
  const refusal = "cilium-trace: the text matrix would be 112 columns wide (100 sources × 100 destinations), past 100 columns: narrow it with --namespace NS or --selector KEY=VALUE, write -o csv (one line per cell), or pass --wide to print it anyway\n";

  it('past 100 columns on a pipe: one line naming the way out, exit 2, nothing on stdout', async () => {
    const r = await runCli(['matrix', '-p', 'icmp', '-f', file]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, refusal);
  });

  it('--namespace narrows it under the limit; -o csv and --wide are not refused', async () => {
    const ns = await runCli(['matrix', '-p', 'icmp', '-f', file, '--namespace', 'a']);
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stdout, /^icmp: 50 sources × 50 destinations/);
    const csv = await runCli(['matrix', '-p', 'icmp', '-f', file, '-o', 'csv']);
    assert.equal(csv.code, 0);
    assert.equal(csv.stdout.split('\n').length, 1 + 100 * 100 + 1);
    const wide = await runCli(['matrix', '-p', 'icmp', '-f', file, '--wide']);
    assert.equal(wide.code, 0);
    assert.ok(wide.stdout.split('\n').some((l) => l.length === 112));
  });

  it("on a terminal the limit is the terminal's width", async () => {
    let stdout = '';
    let stderr = '';
    const io = (columns: number) => ({ stdout: (s: string) => { stdout += s; }, stderr: (s: string) => { stderr += s; }, stdoutIsTTY: true, env: { NO_COLOR: '1' }, columns: () => columns });
    assert.equal(await main(['matrix', '-p', 'icmp', '-f', file], io(120)), 0, stderr);
    assert.ok(stdout.includes('100 sources × 100 destinations'));
    stdout = '';
    assert.equal(await main(['matrix', '-p', 'icmp', '-f', file, '--namespace', 'a'], io(60)), 2);
    assert.match(stderr, /would be 61 columns wide \(50 sources × 50 destinations\), past the terminal's 60 columns/);
  });
});

describe('F25: paths of the package as typed from the working directory', () => {
  /** Runs the CLI in-process from `dir`. */
  async function from(dir: string, args: readonly string[]) {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      return await runCli(args);
    } finally {
      process.chdir(cwd);
    }
  }

  it('shownPath: relative inside or near the working directory, else absolute', async () => {
    const { shownPath } = await import('../../src/util/shown-path.js');
    assert.equal(shownPath('/opt/pkg/scenarios/a.yaml', '/opt/pkg'), 'scenarios/a.yaml');
    assert.equal(shownPath('/opt/pkg/scenarios/a.yaml', '/opt/pkg/test'), '../scenarios/a.yaml');
    assert.equal(shownPath('/usr/lib/node_modules/cilium-trace/scenarios/a.yaml', '/home/me/work'), '/usr/lib/node_modules/cilium-trace/scenarios/a.yaml');
  });

  it('provenance of a shipped scenario: scenarios/… in the package root, ../scenarios/… from test/, absolute from elsewhere', async () => {
    const args = ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080', '-l', 'summary'];
    const rule = (p: string) => `    CiliumNetworkPolicy default/l3-rule (${p}:38)\n`;
    assert.ok((await from(ROOT, args)).stdout.includes(rule('scenarios/l3-policy.yaml')));
    assert.ok((await from(join(ROOT, 'test'), args)).stdout.includes(rule('../scenarios/l3-policy.yaml')));
    const away = mkdtempSync(join(tmpdir(), 'cilium-trace-cwd-'));
    try {
      const abs = join(ROOT, 'scenarios', 'l3-policy.yaml');
      const r = await from(away, args);
      // The shorter of the absolute path and the one relative to `away` (which is shorter
      // depends on where the checkout lives); either way a path that names the file from there.
      const shown = /CiliumNetworkPolicy default\/l3-rule \((.*):38\)/.exec(r.stdout)?.[1];
      assert.ok(shown, r.stdout);
      assert.equal(resolve(away, shown), abs);
      assert.ok(shown === abs || shown.startsWith('..'), shown);
      assert.ok(!r.stdout.includes('(scenarios/l3-policy.yaml'), r.stdout);
    } finally {
      rmSync(away, { recursive: true, force: true });
    }
  });

  it('an exercise: show and check name the same path form as a scenario', async () => {
    const show = await from(join(ROOT, 'test'), ['exercise', 'show', '3']);
    assert.match(show.stdout, /^The cluster: \.\.\/scenarios\/exercises\/03-egress-dns\/cluster\/$/m);
    const check = await from(join(ROOT, 'test'), ['exercise', 'check', '3']);
    assert.doesNotMatch(check.stdout + check.stderr, /(^|[ (])scenarios\/exercises/);
    assert.match(check.stdout + check.stderr, /\.\.\/scenarios\/exercises\/03-egress-dns/);
  });
});

describe('F28: the default level, exercise 5, the key table', () => {
  it('the default level is detailed on a terminal as on a pipe (README: same text everywhere)', async () => {
    const pipe = await runCli(['pod1', 'pod3', 'icmp'], { NO_COLOR: '1' }, false);
    const tty = await runCli(['pod1', 'pod3', 'icmp'], { NO_COLOR: '1' }, true);
    assert.equal(tty.stdout, pipe.stdout);
    assert.equal(pipe.stdout, (await runCli(['pod1', 'pod3', 'icmp', '-l', 'detailed'])).stdout);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.slice(0, readme.indexOf('\n## ')).includes('The default stays `-l detailed` on a terminal too, by choice'));
  });

  it("exercise 5's last hint wraps as one paragraph (a code span ends at its own backtick)", async () => {
    const r = await runCli(['exercise', 'hint', '5', '--level', '3']);
    assert.equal(r.stdout, [
      'Exercise 5, hint 3 of 3:',
      "  In the new chart `http` is the statsd exporter's port 9102; the app's 8080 is",
      '  named `web` (the Service already uses targetPort: web). Use `port: web` (or',
      '  8080) in the policy.',
      '',
    ].join('\n'));
  });

  it('the ? key table puts every description in one column', async () => {
    const { HELP } = await import('../../src/interactive/step-model.js');
    const column = (l: string) => [...l].findIndex((ch, i, a) => i > 0 && a[i - 1] === ' ' && a[i - 2] === ' ' && ch !== ' ');
    const cols = new Set(HELP.map(column));
    assert.deepEqual([...cols], [21], HELP.join('\n'));
    assert.ok(HELP.includes("↑ ↓ (k j) PgUp PgDn  scroll the open panel, else the step's own text"));
  });
});

describe('F21: text output fits a terminal', () => {
  /** The CLI in-process on a terminal `columns` wide (colour off). */
  async function onTerminal(columns: number | undefined, args: readonly string[]) {
    let stdout = '';
    const code = await main(args, { stdout: (s) => { stdout += s; }, stderr: () => {}, stdoutIsTTY: true, env: { NO_COLOR: '1' }, ...(columns ? { columns: () => columns } : {}) });
    return { code, stdout };
  }
  const width = (l: string) => [...l].length;

  it('wrapLine breaks between words, continuation rows indented four more than the line', async () => {
    const { wrapLine } = await import('../../src/render/wrap.js');
    assert.deepEqual(wrapLine('  lookup cilium_policy_01769 {identity=0 dport=0 proto=ANY egress} → Allow proxy_port=NONE  (match all)', 40), [
      '  lookup cilium_policy_01769 {identity=0',
      '      dport=0 proto=ANY egress} → Allow',
      '      proxy_port=NONE  (match all)',
    ]);
    assert.deepEqual(wrapLine('\u001b[2m  short\u001b[22m', 10), ['\u001b[2m  short\u001b[22m']);
  });

  it('a trace on an 80-column terminal: no line past 80, every step\'s words kept in order; pipes unchanged', async () => {
    const args = ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'];
    const pipe = await runCli(args, { NO_COLOR: '1' });
    const tty = await onTerminal(80, args);
    assert.equal(tty.code, 1);
    for (const l of tty.stdout.split('\n')) assert.ok(width(l) <= 80, l);
    assert.equal(tty.stdout.replace(/\s+/g, ' '), pipe.stdout.replace(/\s+/g, ' '));
    assert.match(tty.stdout, /^DROPPED — DROP_POLICY \(133\) "Policy denied" \[POLICY_DENIED\] in\n {4}policy_can_access_ingress \(ingress\) on runtime1\n$/m);
    assert.equal((await onTerminal(undefined, args)).stdout, pipe.stdout);
  });

  it("check on a terminal narrower than its table puts DECIDED BY on its own line; a pipe keeps the column", async () => {
    const args = ['check', '-f', 'scenarios/ci-example/cluster.yaml', '-f', 'scenarios/ci-example/before', '-f', 'scenarios/ci-example/expectations.yaml'];
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const pipe = await runCli(args);
      assert.match(pipe.stdout, /^RESULT .* DECIDED BY$/m);
      const tty = await onTerminal(100, args);
      assert.equal(tty.code, pipe.code);
      assert.doesNotMatch(tty.stdout, /DECIDED BY/);
      assert.match(tty.stdout, /^ {4}decided by: ingress policy of shop\/db-0 \(endpoint \d+\): allow \(match L3-Only\)$/m);
      for (const l of tty.stdout.split('\n')) assert.ok(width(l) <= 100, l);
    } finally {
      process.chdir(cwd);
    }
  });
});
