// F21: on a terminal, the text of maps, devices and -o monitor wraps at its width with the
// continuation rows indented under their line (as the trace and check already do); on a pipe
// the lines stay as the cilium CLI, tc and cilium monitor print them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { wrapLine } from '../../src/render/wrap.js';
import { ROOT, runCli } from '../support/run-cli.js';

process.chdir(ROOT);

/** The CLI in-process on a terminal `columns` wide (colour off). */
async function onTerminal(columns: number, args: readonly string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await main(args, { stdout: (s) => { stdout += s; }, stderr: () => {}, stdoutIsTTY: true, env: { NO_COLOR: '1' }, columns: () => columns });
  return { code, stdout };
}

const width = (l: string) => [...l].length;
const CI = ['-f', 'scenarios/ci-example/cluster.yaml', '-f', 'scenarios/ci-example/before'];

describe('F21: maps, devices and -o monitor fit a 100-column terminal', () => {
  for (const args of [['devices'], ['devices', '--calls'], ['maps', ...CI], ['pod1', 'pod3', 'icmp', '-o', 'monitor']]) {
    it(`${args.join(' ')}: no line past 100 on a terminal, each long line wrapped under itself; a pipe keeps the lines`, async () => {
      const pipe = await runCli(args, { NO_COLOR: '1' });
      const long = pipe.stdout.split('\n').filter((l) => width(l) > 100);
      assert.ok(long.length > 0, 'the pipe output has lines past 100 columns (else this test proves nothing)');
      const tty = await onTerminal(100, args);
      assert.equal(tty.code, pipe.code);
      for (const l of tty.stdout.split('\n')) assert.ok(width(l) <= 100, `past 100: ${l}`);
      // Exactly the pipe's lines, each wrapped on its own.
      assert.equal(tty.stdout, pipe.stdout.split('\n').flatMap((l) => wrapLine(l, 100)).join('\n'));
      const first = long[0] as string;
      const rows = wrapLine(first, 100);
      const lead = first.length - first.trimStart().length;
      assert.ok(rows.length > 1 && rows.slice(1).every((r) => r.startsWith(' '.repeat(lead + 4)) && !r.startsWith(' '.repeat(lead + 5))), rows.join('\n'));
      assert.ok(tty.stdout.includes(rows.join('\n')));
    });
  }

  it('a tc line of devices on a terminal: the command and the program stay readable', async () => {
    const tty = await onTerminal(100, ['devices', '--node', 'node1']);
    assert.match(tty.stdout, /^filter protocol all pref 1 bpf chain 0 handle 0x1 cilium-eth0 direct-action not_in_hw id \d+ name\n {4}cil_from_netdev tag [0-9a-f]{16} jited$/m);
  });

  it('check on an 80-column terminal: DECIDED BY and then FLOW go under their row, the rest stays a table', async () => {
    const args = ['check', ...CI, '-f', 'scenarios/ci-example/expectations.yaml'];
    const pipe = await runCli(args);
    assert.match(pipe.stdout, /^RESULT +NAME +FLOW +EXPECTED +ACTUAL +REASON +DECIDED BY$/m);
    for (const columns of [80, 100]) {
      const tty = await onTerminal(columns, args);
      assert.equal(tty.code, pipe.code);
      for (const l of tty.stdout.split('\n')) assert.ok(width(l) <= columns, `past ${columns}: ${l}`);
      assert.match(tty.stdout, /^RESULT {2}NAME {21}EXPECTED {17}ACTUAL {5}REASON\nPASS {4}kubelet-probes-db {8}FORWARDED {16}FORWARDED {2}-\n {4}flow: node:node-b → shop\/db-0 tcp\/5432\n {4}decided by: ingress policy of shop\/db-0 \(endpoint \d+\): allow \(match/m);
    }
    // At 100 every remaining row fits whole; at 80 the widest (81 columns) wraps, indented.
    assert.match((await onTerminal(100, args)).stdout, /^PASS {4}frontend-not-to-db {7}DROPPED \(POLICY_DENIED\) {2}DROPPED {4}POLICY_DENIED\n {4}flow: shop\/frontend-1 → shop\/db-0 tcp\/5432$/m);
    assert.match((await onTerminal(80, args)).stdout, /^PASS {4}frontend-not-to-db {7}DROPPED \(POLICY_DENIED\) {2}DROPPED\n {4}POLICY_DENIED\n {4}flow: shop\/frontend-1 → shop\/db-0 tcp\/5432$/m);
    // Wide enough for the table without DECIDED BY: FLOW stays a column.
    const wide = await onTerminal(140, args);
    assert.match(wide.stdout, /^RESULT {2}NAME +FLOW +EXPECTED +ACTUAL +REASON$/m);
    assert.doesNotMatch(wide.stdout, /^ {4}flow: /m);
    assert.match(wide.stdout, /^ {4}decided by: /m);
  });
});
