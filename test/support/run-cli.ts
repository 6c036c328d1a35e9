// Runs the CLI in-process and captures stdout, stderr and the exit code.
import { main } from '../../src/cli/main.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CliRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export async function runCli(argv: readonly string[], env: Record<string, string | undefined> = {}, tty = false): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, stdoutIsTTY: tty, env });
  return { stdout, stderr, code };
}

/** The package root, from dist/test/support/run-cli.js. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
