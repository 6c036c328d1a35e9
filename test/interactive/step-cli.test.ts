// --step without a terminal: one clear line and exit 2, at once (never waiting for keys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { requireTerminal, STEP_NEEDS_TTY } from '../../src/interactive/step-cli.js';
import { ROOT, runCli } from '../support/run-cli.js';

const io = (tty: boolean) => ({ stdout: () => undefined, stderr: () => undefined, stdoutIsTTY: tty, env: {} });

test('--step refuses when stdout is not a terminal (in-process)', async () => {
  const r = await runCli(['pod1', 'pod3', 'icmp', '--step']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `cilium-trace: ${STEP_NEEDS_TTY}\n`);
});

test('--step needs stdin and stdout to be terminals, and text output', () => {
  assert.throws(() => requireTerminal(io(true), 'text', false), (e: unknown) => e instanceof UsageError && e.message === STEP_NEEDS_TTY);
  assert.throws(() => requireTerminal(io(false), 'text', true), UsageError);
  assert.doesNotThrow(() => requireTerminal(io(true), 'text', true));
  assert.throws(() => requireTerminal(io(true), 'json', true), /--step shows the text trace; it does not go with -o json/);
});

test('--step from a pipe: the real binary exits 2 with one line instead of hanging', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'cilium-trace.cjs'), 'pod1', 'pod3', 'icmp', '--step'], { input: '\r\rq', encoding: 'utf8', timeout: 20000 });
  assert.equal(r.error, undefined);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `cilium-trace: ${STEP_NEEDS_TTY}\n`);
});

test('--step with -o json is refused before anything is traced', async () => {
  const r = await runCli(['pod1', 'nosuch', '--step', '-o', 'json']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'cilium-trace: --step shows the text trace; it does not go with -o json\n');
});
