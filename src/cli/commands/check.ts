// `cilium-trace check`: run a cluster's expectations (each a flow and the verdict it must
// get), print a table, optionally JUnit XML and golden-trace comparisons. Expectations come
// from the scenario's `expect:` lists (read with the scenario) and/or an expectations file
// (-e), in that order. Exit 0 when all pass, 1 when any fails (or a golden trace differs; an
// expectation that cannot be traced, such as an unknown pod, is a failed case), 2 for bad
// input, 4 when none failed but a path is not simulated (so it could not be checked).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT, formatProblem, InputError, UsageError, type Problem } from '../../errors.js';
import { renderTrace, type Level } from '../../render/text.js';
import { goldenFileName, runCheck, type CheckResult } from '../../analysis/check.js';
import { checkToJson, goldenFailed, renderCheckHtml, renderCheckJunit, renderCheckMarkdown, renderCheckText, type GoldenResult } from '../../analysis/check-render.js';
import { parseExpectations, type Expectation } from '../../analysis/expectations.js';
import { unifiedDiff } from '../../analysis/udiff.js';
import { goldenNames, normalizeGolden, type GoldenNames } from '../../analysis/golden-normal.js';
import type { Cluster } from '../../controlplane/cluster.js';
import { firstAt } from '../../scenario/checks.js';
import { terminalWidth, type Io } from '../io.js';
import { wrapText } from '../../render/wrap.js';
import { addClusterOptions, clusterOptionsOf, loadCluster, newCommand } from './common.js';
import { resolveFlows, type ResolvedFlow } from './flow-spec.js';

interface CheckOpts {
  expectations?: string;
  junit?: string;
  output: 'text' | 'json' | 'markdown' | 'html';
  golden?: string;
  update?: boolean;
  goldenExact?: boolean;
  level: Level;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : 'error';
    throw new InputError([{ pos: { file: path, line: 1, col: 1 }, message: `cannot read file (${code === 'ENOENT' ? 'no such file' : code})` }]);
  }
}

function writeText(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(`cannot write ${path} (${e instanceof Error && 'code' in e ? String(e.code) : 'error'})`);
  }
}

/** A stored golden trace, or null when there is none yet; unreadable files are bad input. */
function readGolden(path: string, shown: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : 'error';
    if (code === 'ENOENT') return null;
    throw new InputError([{ pos: { file: shown, line: 1, col: 1 }, message: `cannot read golden file (${code})` }]);
  }
}

/** Golden files must not collide: two expectations writing one file would hide a change. */
function checkGoldenNames(results: readonly CheckResult[]): string[] {
  const seen = new Map<string, CheckResult>();
  const problems: Problem[] = [];
  const names = results.map((r) => {
    const name = goldenFileName(r);
    const first = seen.get(name);
    if (first) problems.push({ pos: r.expectation.pos, message: `golden file ${name} is also the file of the expectation at ${firstAt(first.expectation.pos, r.expectation.pos)} (expected unique names: add name: …)` });
    else seen.set(name, r);
    return name;
  });
  if (problems.length > 0) throw new InputError(problems);
  return names;
}

function compareGoldens(results: readonly CheckResult[], dir: string, level: Level, update: boolean, normal: GoldenNames | null): GoldenResult[] {
  const names = checkGoldenNames(results);
  const shownDir = dir.replace(/\/+$/, '') || dir;
  if (update) mkdirSync(dir, { recursive: true });
  return results.map((r, i) => {
    const name = names[i] as string;
    const file = `${shownDir}/${name}`;
    if (!r.trace) return { file, status: 'skipped', diff: '' };
    const rendered = renderTrace(r.trace, level);
    const traced = normal ? normalizeGolden(rendered, normal) : rendered;
    const stored = readGolden(join(dir, name), file);
    if (stored === traced) return { file, status: 'match', diff: '' };
    if (update) {
      writeText(join(dir, name), traced);
      return { file, status: stored === null ? 'created' : 'updated', diff: '' };
    }
    const diff = unifiedDiff(stored ?? '', traced, stored === null ? '/dev/null' : file, `${r.label} (traced now)`);
    return { file, status: stored === null ? 'missing' : 'differ', diff };
  });
}

/** Runs `read`; an InputError's problems are collected instead of thrown. */
function collecting<T>(problems: Problem[], read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    problems.push(...e.problems);
    return undefined;
  }
}

/**
 * The cluster and every expectation: the scenario's `expect:` lists first, then the file's
 * (whose names must differ from the scenario's). Problems of both are reported together.
 */
function loadAll(file: string | undefined, load: () => Cluster): { cluster: Cluster; expectations: Expectation[] } {
  const problems: Problem[] = [];
  const cluster = collecting(problems, load);
  const own = cluster?.scenario.expectations ?? [];
  const taken = new Map(own.flatMap((e) => (e.name === null ? [] : [[e.name, e.pos] as const])));
  // -e naming a file that was also an input (`-f dir/` holding it) runs its expectations once.
  const alreadyRead = file !== undefined && own.some((e) => resolve(e.pos.file) === resolve(file));
  const fromFile = file === undefined || alreadyRead ? [] : collecting(problems, () => parseExpectations(readText(file), file, taken, true));
  // When the run is lost anyway, the file's bad items are reported with the rest.
  if (problems.length > 0 || !cluster || !fromFile) throw new InputError([...problems, ...(fromFile ?? []).flatMap((e) => e.problems ?? [])]);
  const expectations = [...own, ...fromFile];
  if (expectations.length === 0) throw new UsageError("no expectations (expected an expect: list in the scenario, a kind: Expectations input, or -e FILE)");
  return { cluster, expectations };
}

export function checkCommand(io: Io, result: { code: number }): Command {
  const cmd = newCommand('check', io)
    .description('check expected verdicts of flows (and golden traces); exit 1 when any fails, 4 when one reaches a path not simulated')
    .usage('-f CLUSTER [-e EXPECTATIONS] [--junit FILE] [--golden DIR [--update]]')
    .option('-e, --expectations <file>', "YAML list of {name, from, to, proto, port, expect: FORWARDED|DROPPED, reason}; run after the scenario's own expect: list")
    .option('--junit <file>', 'also write a JUnit XML report to this file')
    .addOption(new Option('-o, --output <format>', 'output format: text, json, markdown (for a pull request), html (one self-contained report file)').choices(['text', 'json', 'markdown', 'html']).default('text'))
    .option('--golden <dir>', 'compare each trace with DIR/<name>.txt and show a unified diff when it differs')
    .option('--update', 'with --golden: write the traces as the new golden files')
    .option('--golden-exact', 'with --golden: compare the traces as printed, ifindexes, endpoint ids, identities and VNIs included (default: those written as whose they are)')
    .addOption(new Option('-l, --level <level>', 'detail of the golden traces').choices(['detailed', 'summary', 'minimal']).default('minimal'));
  addClusterOptions(cmd);
  cmd.action((opts: CheckOpts, c: Command) => {
    if (opts.update && !opts.golden) throw new UsageError('--update needs --golden DIR');
    // Scenario `expect:` items with problems are failed cases, as those of an -e file are.
    const { cluster, expectations } = loadAll(opts.expectations, () => loadCluster({ ...clusterOptionsOf(c), lenientExpectations: true }, io));
    const warnings: Problem[] = [];
    const flows = resolveFlows(cluster, expectations, warnings);
    for (const w of warnings) io.stderr(formatProblem(w) + '\n');
    const results = runCheck(cluster, expectations.map((e, i) => ({ expectation: e, ...(flows[i] as ResolvedFlow | { problems: Problem[] }) })));
    if (opts.goldenExact && !opts.golden) throw new UsageError('--golden-exact needs --golden DIR');
    const goldens = opts.golden ? compareGoldens(results, opts.golden, opts.level, opts.update === true, opts.goldenExact ? null : goldenNames(cluster)) : null;
    const report = { cluster: cluster.scenario.name, results, goldens, goldenDir: opts.golden ?? null, goldenLevel: opts.level };
    const sources = [...new Set(expectations.map((e) => basename(e.pos.file)))].join(' ');
    if (opts.junit) writeText(opts.junit, renderCheckJunit(report, `cilium-trace check ${sources}`));
    // On a terminal the table fits its width (DECIDED BY on its own line) and long lines wrap.
    const width = terminalWidth(io);
    if (opts.output === 'markdown') io.stdout(renderCheckMarkdown(report));
    else if (opts.output === 'html') io.stdout(renderCheckHtml(report));
    else io.stdout(opts.output === 'json' ? JSON.stringify(checkToJson(report), null, 2) + '\n' : width ? wrapText(renderCheckText(report, width), width) : renderCheckText(report));
    const failed = results.some((r) => !r.pass && !r.notSimulated) || (goldens ?? []).some(goldenFailed);
    result.code = failed ? EXIT.DROPPED : results.some((r) => r.notSimulated) ? EXIT.NOT_SIMULATED : EXIT.FORWARDED;
  });
  return cmd;
}
