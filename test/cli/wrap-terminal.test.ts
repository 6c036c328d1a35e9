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
});
