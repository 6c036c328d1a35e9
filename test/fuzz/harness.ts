// Runs fuzz cases through the CLI in-process (main(argv, io)) and checks the contract every
// run must keep, whatever the input: exit 0, 1 or 2; errors one line each, positioned
// (`file:line:col: …`, `<command line>:1:N: …`) or `cilium-trace: …` for usage errors; no
// uncaught exception, no stack trace, no internal error (exit 3); no prototype pollution.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { FuzzCase } from './arbitraries.js';
import { caseInput } from './mutations.js';

export interface CaseRun {
  readonly argv: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** What was thrown out of main(), if anything (a bug). */
  readonly thrown?: string;
}

/**
 * commander prints its own usage errors as `error: …` (unknown option, missing argument);
 * they are one line and exit 2, but do not say `cilium-trace: …` yet. Allowed here until
 * the CLI's commander output is changed (reported to the maintainers).
 */
export const COMMANDER_ERROR_PREFIX_ALLOWED = false;

const POSITIONED = /^[^\n]+?:\d+:\d+: \S/;
const USAGE = /^cilium-trace: \S/;
const COMMANDER = /^error: \S/;

const PROTO_SNAPSHOT = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

/** Why a run breaks the contract, or undefined when it keeps it. */
export function contractViolation(r: CaseRun): string | undefined {
  if (r.thrown !== undefined) return `main() threw: ${r.thrown}`;
  if (![0, 1, 2, 4].includes(r.code)) return `exit ${r.code}`;
  if (/internal error/.test(r.stderr)) return 'internal error on stderr';
  if (/^\s+at .+[:(]\d+/m.test(r.stderr) || /^\s+at .+[:(]\d+/m.test(r.stdout)) return 'stack trace in the output';
  for (const line of r.stderr.split('\n')) {
    if (line === '') continue;
    if (POSITIONED.test(line) || USAGE.test(line)) continue;
    if (COMMANDER_ERROR_PREFIX_ALLOWED && COMMANDER.test(line)) continue;
    return `stderr line not in the error format: ${JSON.stringify(line.slice(0, 200))}`;
  }
  if (Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== PROTO_SNAPSHOT) return 'Object.prototype was changed';
  if (Object.getPrototypeOf({}) !== Object.prototype) return 'the prototype of {} was changed';
  if (({} as Record<string, unknown>)['polluted'] !== undefined) return 'Object.prototype polluted';
  return undefined;
}

/** A scratch directory for one fuzz session; each case writes its files in a subdirectory. */
export class FuzzSession {
  readonly dir: string;
  private n = 0;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'cilium-trace-fuzz-'));
  }

  /** Writes the case's files, runs the CLI, removes the files. */
  async run(c: FuzzCase): Promise<CaseRun> {
    const input = caseInput(c.input);
    const caseDir = join(this.dir, `c${this.n++}`);
    mkdirSync(caseDir);
    let target = join(caseDir, 'missing.yaml');
    for (const f of input.files) writeFileSync(join(caseDir, f.name), f.data);
    if (input.files.length > 0) target = input.directory ? caseDir : join(caseDir, (input.files[0] as { name: string }).name);
    const names = input.names;
    const argv = c.argv.map((a) => a.split('{F}').join(target).replace(/\{N(\d+)\}/g, (_, k: string) => names[Number(k) % Math.max(names.length, 1)] ?? 'x'));
    let stdout = '';
    let stderr = '';
    let code = -1;
    let thrown: string | undefined;
    try {
      code = await main(argv, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, stdoutIsTTY: false, env: {} });
    } catch (e) {
      thrown = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    } finally {
      rmSync(caseDir, { recursive: true, force: true });
    }
    const prefix = `${caseDir}`;
    // Paths in messages name the scratch directory; keep them short in reports.
    const clean = (s: string) => s.split(prefix).join('<case>');
    return { argv: argv.map(clean), code, stdout: clean(stdout), stderr: clean(stderr), ...(thrown === undefined ? {} : { thrown }) };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
