// `cilium-trace matrix`: byte-exact text and Markdown of the CI example, CSV and JSON forms,
// filters, usage errors; progress goes to stderr only on a terminal.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { progressReporter } from '../../src/cli/commands/common.js';
import { ROOT, runCli } from '../support/run-cli.js';
import { AFTER, expectGolden, transcript } from './golden-support.js';

process.chdir(ROOT);
const PORTS = ['-p', 'tcp/5432', '-p', 'tcp/8080', '--services'];

describe('matrix', () => {
  it('text: a glyph per cell, numbered columns, legends (byte-exact)', async () => {
    const args = ['matrix', ...AFTER, ...PORTS];
    const run = await runCli(args);
    assert.equal(run.code, 0);
    expectGolden('matrix-text.txt', transcript(args, run));
  });

  it('markdown (byte-exact)', async () => {
    const args = ['matrix', ...AFTER, ...PORTS, '-o', 'markdown'];
    const run = await runCli(args);
    assert.equal(run.code, 0);
    expectGolden('matrix-markdown.txt', transcript(args, run));
  });

  it('the default scenario, -p icmp: the traced matrix as it was the default before all ports', async () => {
    const args = ['matrix', '-p', 'icmp'];
    const run = await runCli(args);
    assert.equal(run.code, 0);
    expectGolden('matrix-default.txt', transcript(args, run));
  });

  it('csv: one line per cell', async () => {
    const run = await runCli(['matrix', ...AFTER, ...PORTS, '-o', 'csv']);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'section,from,to,proto,port,verdict,reason');
    assert.equal(lines.length, 1 + 6 * 6 * 2 + 6);
    assert.ok(lines.includes('tcp/5432,shop/frontend-1,shop/db-0,tcp,5432,FORWARDED,'));
    assert.ok(lines.includes('services,shop/db-0,svc:shop/api tcp/8080,tcp,8080,DROPPED,POLICY_DENIED'));
  });

  it('json: versioned, cells index the outcomes', async () => {
    const run = await runCli(['matrix', ...AFTER, '-p', 'tcp/5432', '-o', 'json']);
    const j = JSON.parse(run.stdout) as { schema: string; rows: Array<{ label: string }>; outcomes: Array<{ verdict: string }>; sections: Array<{ cells: number[][] }> };
    assert.equal(j.schema, 'cilium-trace/matrix/v1');
    const frontend = j.rows.findIndex((r) => r.label === 'shop/frontend-1');
    const db = j.rows.findIndex((r) => r.label === 'shop/db-0');
    assert.equal(j.outcomes[j.sections[0]?.cells[frontend]?.[db] ?? -1]?.verdict, 'FORWARDED');
    assert.match(run.stdout, /\n +\[\d+(,\d+){5}\]/, 'a row of cells on one line');
  });

  it('--namespace and --selector filter rows and columns', async () => {
    const run = await runCli(['matrix', ...AFTER, '--namespace', 'shop', '--selector', 'app=frontend', '-p', 'tcp/8080']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^tcp\/8080: 2 sources × 2 destinations/);
    assert.ok(!run.stdout.includes('prometheus'));
  });

  it('usage errors are exit 2', async () => {
    for (const bad of [['-p', 'tcp'], ['-p', 'icmp/8'], ['-p', 'sctp/1'], ['--selector', 'app'], ['-o', 'yaml']]) {
      const run = await runCli(['matrix', ...AFTER, ...bad]);
      assert.equal(run.code, 2, bad.join(' '));
      assert.ok(run.stderr.length > 0);
    }
  });
});

describe('matrix progress', () => {
  it('never on a non-terminal stderr', async () => {
    let err = '';
    const code = await main(['matrix', '--no-cache', '-p', 'icmp', ...AFTER], { stdout: () => {}, stderr: (s) => { err += s; }, stdoutIsTTY: false, stderrIsTTY: false, env: {} });
    assert.equal(code, 0);
    assert.equal(err, '');
  });

  it('on a terminal: percentages on one line, then the line is cleared', () => {
    let err = '';
    const report = progressReporter({ stdout: () => {}, stderr: (s) => { err += s; }, stdoutIsTTY: false, stderrIsTTY: true, env: {} }, 'matrix', 0);
    assert.ok(report);
    for (let i = 1; i <= 4; i++) report(i, 4);
    assert.equal(err, '\rmatrix: 1/4 distinct flows traced (25%)\rmatrix: 2/4 distinct flows traced (50%)\rmatrix: 3/4 distinct flows traced (75%)\rmatrix: 4/4 distinct flows traced (100%)\r\x1b[K');
    assert.equal(progressReporter({ stdout: () => {}, stderr: () => {}, stdoutIsTTY: true, env: {} }, 'matrix'), undefined);
  });

  it('keyed cells of a large matrix, in their own words; nothing below the minimum', () => {
    let err = '';
    const io = { stdout: () => {}, stderr: (s: string) => { err += s; }, stdoutIsTTY: false, stderrIsTTY: true, env: {} };
    const report = progressReporter(io, 'matrix', 4, 'cells keyed');
    assert.ok(report);
    report(1, 2);
    report(2, 2);
    assert.equal(err, '');
    report(2, 4);
    report(4, 4);
    assert.equal(err, '\rmatrix: 2/4 cells keyed (50%)\rmatrix: 4/4 cells keyed (100%)\r\x1b[K');
  });
});
