// Byte-exact expected outputs of the check, matrix and diff commands, stored under
// test/cli/golden/. Rewritten only on request: CILIUM_TRACE_UPDATE_GOLDEN=1 node --test dist/test/cli/
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type CliRun } from '../support/run-cli.js';

export function expectGolden(name: string, actual: string): void {
  const file = join(ROOT, 'test', 'cli', 'golden', name);
  if (process.env['CILIUM_TRACE_UPDATE_GOLDEN'] === '1') {
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `golden mismatch for test/cli/golden/${name}; if intended: CILIUM_TRACE_UPDATE_GOLDEN=1 node --test dist/test/cli/`);
}

/** The command, its output and exit code as one text (the format of test/golden/cases). */
export function transcript(args: readonly string[], run: CliRun): string {
  return `$ cilium-trace ${args.join(' ')}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}--- exit ${run.code}\n`;
}

export const CI = 'scenarios/ci-example';
export const BEFORE = ['-f', `${CI}/cluster.yaml`, '-f', `${CI}/before`] as const;
export const AFTER = ['-f', `${CI}/cluster.yaml`, '-f', `${CI}/after`] as const;
