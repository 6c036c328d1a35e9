// Entry points: parse YAML text (cilium-trace Scenario documents and Kubernetes objects,
// freely mixed) into the validated, defaulted Scenario model; read files, directories and
// stdin; and find the scenarios shipped in the package's scenarios/ folder.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError, type Problem } from '../errors.js';
import { decodeUtf8, DEFAULT_READ_LIMITS, tooLargeProblem, type ReadLimits } from './input-bytes.js';
import { openFile, openStdin } from './input-sources.js';
import { readInputs, type Input } from './inputs.js';
import type { ProfileChoice } from './cilium-release.js';
import { walkDirectory } from './walk.js';
import type { IgnoredInput, Scenario } from './types.js';
import { shownPath } from '../util/shown-path.js';
import { isSysdumpPath, openSysdump } from '../sysdump/open.js';
import type { Sysdump } from '../sysdump/types.js';

/** The display name of standard input (`-f -`). */
export const STDIN_NAME = '<stdin>';

/** A scenario's default name: the file or directory name without a YAML/JSON extension. */
function nameFromPath(path: string): string {
  if (path === '-') return 'stdin';
  return basename(path).replace(/\.(ya?ml|json)$/, '') || 'scenario';
}

/**
 * Parses and validates one text: any mix of Scenario documents and Kubernetes objects.
 * `file` is the name shown in messages and provenance. Throws one InputError listing every
 * problem found.
 */
export function parseScenario(source: string, file: string): Scenario {
  return readInputs([{ file, text: source }], nameFromPath(file));
}

const FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent path is not a directory',
};

function fsErrorText(err: unknown): string {
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code) return FS_ERRORS[code] ?? code;
  return err instanceof Error ? err.message : String(err);
}

function unreadable(display: string, message: string): Problem {
  return { pos: { file: display, line: 1, col: 1 }, message };
}

/** Options of a load: the limits on each input (see input-bytes.ts). */
export type LoadOptions = Partial<ReadLimits> & {
  /** --cilium: the profile to use whatever the input says, and why. */
  readonly cilium?: ProfileChoice;
  /** `check`: an `expect:` item with problems is kept with them, a failed case, instead of failing the load. */
  readonly lenientExpectations?: boolean;
};

function limitsOf(o: LoadOptions): ReadLimits {
  return { ...DEFAULT_READ_LIMITS, ...o };
}

/**
 * One input file (JSON to be read as a stream, or YAML text), or a problem: unreadable,
 * larger than the size limit, or not UTF-8 text.
 */
function readText(path: string, display: string, limits: ReadLimits, problems: Problem[]): Input | undefined {
  let opened;
  try {
    opened = openFile(path, display, limits.maxInputSize);
  } catch (err) {
    problems.push(unreadable(display, `cannot read file (${fsErrorText(err)})`));
    return undefined;
  }
  if ('problems' in opened) {
    problems.push(...opened.problems);
    return undefined;
  }
  return opened.input;
}

/** What standard input gave: its bytes or text (tests), its size when too large, or the input opened on it. */
export type StdinRead = Uint8Array | string | { tooLarge: number } | { input: Input } | { problems: Problem[] };

function bytesToText(display: string, read: { tooLarge: number } | { bytes: Uint8Array | string }, limits: ReadLimits, problems: Problem[]): string | undefined {
  if ('tooLarge' in read) {
    problems.push(tooLargeProblem(display, read.tooLarge, limits.maxInputSize));
    return undefined;
  }
  if (typeof read.bytes === 'string') {
    if (read.bytes.length > limits.maxInputSize && Buffer.byteLength(read.bytes) > limits.maxInputSize) {
      problems.push(tooLargeProblem(display, Buffer.byteLength(read.bytes), limits.maxInputSize));
      return undefined;
    }
    return read.bytes;
  }
  const decoded = decodeUtf8(display, read.bytes);
  if ('problem' in decoded) {
    problems.push(decoded.problem);
    return undefined;
  }
  return decoded.text;
}

/** Standard input: JSON is read as a stream, YAML read to its end (at most one byte more than the limit). */
export function readStdin(limits: LoadOptions = {}): StdinRead {
  return openStdin(0, limitsOf(limits).maxInputSize, STDIN_NAME);
}

/** Reads and parses one file; unreadable files are input errors at line 1. */
export function loadScenarioFile(path: string, displayName: string = path, options: LoadOptions = {}): Scenario {
  const problems: Problem[] = [];
  const input = readText(path, displayName, limitsOf(options), problems);
  if (input === undefined) throw new InputError(problems);
  return readInputs([input], nameFromPath(displayName), options.cilium, options.lenientExpectations === true);
}

function directoryInputs(dir: string, limits: ReadLimits, problems: Problem[], ignored: IgnoredInput[]): Input[] {
  const prefix = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
  const before = problems.length;
  const ignoredBefore = ignored.length;
  const files = walkDirectory(dir, prefix, (display, err) => problems.push(unreadable(display, `cannot read file (${fsErrorText(err)})`)), ignored);
  const out: Input[] = [];
  for (const f of files) {
    const input = readText(f.path, f.display, limits, problems);
    if (input !== undefined) out.push(input);
  }
  if (files.length === 0 && problems.length === before) {
    const mine = ignored.slice(ignoredBefore);
    const list = mine.slice(0, 10).map((i) => `${i.where} (${i.why})`).join(', ') + (mine.length > 10 ? ` and ${mine.length - 10} more` : '');
    problems.push(unreadable(dir, mine.length > 0 ? `directory has no Kubernetes manifests, in it or below it (skipped: ${list})` : 'directory has no .yaml, .yml or .json files, in it or below it'));
  }
  return out;
}

/**
 * Loads everything `-f` names, as one cluster: files (multi-document YAML or JSON),
 * directories (their *.yaml, *.yml and *.json files and those below them, walk.ts) and
 * `-` for standard input (read once, shown as <stdin>). Messages name files as the user
 * typed them, and a directory's files as `<dir>/<file>`. Without a Scenario document the
 * scenario is named after the first path. `readStdin` gives standard input's bytes (or
 * text), or says it was larger than the limit.
 */
export function loadInputs(paths: readonly string[], stdin: () => StdinRead = () => readStdin(options), options: LoadOptions = {}): Scenario {
  const [first] = paths;
  if (first === undefined) throw new UsageError('no input given (expected -f FILE, -f DIRECTORY or -f -)');
  if (paths.includes('')) throw new UsageError('empty path in -f (expected a file, a directory or - for stdin)');
  const limits = limitsOf(options);
  const inputs: Input[] = [];
  const problems: Problem[] = [];
  const ignored: IgnoredInput[] = [];
  let stdinRead = false;
  const sysdumps: Sysdump[] = [];
  for (const path of paths) {
    if (path === '-') {
      if (!stdinRead) {
        const got = stdin();
        if (typeof got === 'object' && 'input' in got) inputs.push(got.input);
        else if (typeof got === 'object' && 'problems' in got) problems.push(...got.problems);
        else {
          const text = bytesToText(STDIN_NAME, typeof got === 'string' || got instanceof Uint8Array ? { bytes: got } : got, limits, problems);
          if (text !== undefined) inputs.push({ file: STDIN_NAME, text });
        }
      }
      stdinRead = true;
      continue;
    }
    // A `cilium sysdump` (zip or unpacked directory): its cluster objects are the input.
    if (isSysdumpPath(path)) {
      let sd: Sysdump;
      try {
        sd = openSysdump(path);
      } catch (err) {
        problems.push(unreadable(path, `cannot read the sysdump (${err instanceof Error ? err.message : String(err)}: a truncated or damaged zip?)`));
        continue;
      }
      if (sd.clusterInputs.length === 0) {
        problems.push(unreadable(path, 'the sysdump holds no cluster objects (expected k8s-pods-<time>.yaml, ciliumendpoints-<time>.yaml, … in cilium-sysdump-<time>/)'));
        continue;
      }
      sysdumps.push(sd);
      inputs.push(...sd.clusterInputs);
      continue;
    }
    // A .zip that is no zip would otherwise be read as one YAML string.
    if (/\.zip$/i.test(path) && isFile(path)) {
      problems.push(unreadable(path, 'not a zip archive (no zip header; expected a cilium sysdump zip)'));
      continue;
    }
    try {
      if (statSync(path).isDirectory()) {
        inputs.push(...directoryInputs(path, limits, problems, ignored));
        continue;
      }
    } catch (err) {
      problems.push(unreadable(path, `cannot read file (${fsErrorText(err)})`));
      continue;
    }
    const input = readText(path, path, limits, problems);
    if (input !== undefined) inputs.push(input);
  }
  if (problems.length > 0) throw new InputError(problems);
  const scenario = withSysdumps(readInputs(inputs, nameFromPath(first), options.cilium ?? sysdumpRelease(sysdumps, inputs), options.lenientExpectations === true), sysdumps);
  return ignored.length === 0 ? scenario : { ...scenario, ignoredInputs: [...ignored, ...(scenario.ignoredInputs ?? [])] };
}

/**
 * The release a sysdump's agents run, when its cluster objects hold no agent DaemonSet (whose
 * image the Kubernetes loader reads): from a debuginfo's cilium-version or the command files.
 */
function sysdumpRelease(sysdumps: readonly Sysdump[], inputs: readonly Input[]): ProfileChoice | undefined {
  const r = sysdumps.find((s) => s.release)?.release;
  if (!r || inputs.some((i) => /\/cilium-daemonset-[^/]*$/.test(i.file))) return undefined;
  return { profile: r.profile, why: r.why };
}

/** The scenario with its sysdumps and their notes (warnings, never failures). */
function withSysdumps(s: Scenario, sysdumps: readonly Sysdump[]): Scenario {
  if (sysdumps.length === 0) return s;
  const notes = sysdumps.flatMap((sd) => sd.notes).map((n) => {
    const m = n.where ? /^(.*):(\d+)$/.exec(n.where) : null;
    return m ? { pos: { file: m[1]!, line: Number(m[2]), col: 1 }, message: n.message } : n.where ? { pos: { file: n.where, line: 1, col: 1 }, message: n.message } : { message: n.message };
  });
  return { ...s, sysdumps, warnings: [...s.warnings, ...notes] };
}

/**
 * The package root: the nearest ancestor of this module holding package.json and
 * scenarios/ (dist/src/scenario/ → three levels up; src/scenario/ → two).
 */
function findPackageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scenarios'))) return dir;
  }
  return resolve(here, '..', '..', '..');
}

export const PACKAGE_ROOT: string = findPackageRoot();
export const SHIPPED_SCENARIOS_DIR: string = join(PACKAGE_ROOT, 'scenarios');

const SCENARIO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Finds `scenarios/<name>.yaml` in the package; display is its path as typed from the working directory. */
export function resolveShippedScenario(name: string): { path: string; display: string } | undefined {
  if (!SCENARIO_NAME.test(name)) return undefined;
  const path = join(SHIPPED_SCENARIOS_DIR, `${name}.yaml`);
  return existsSync(path) ? { path, display: shownPath(path) } : undefined;
}

/** Names of the shipped scenarios (without .yaml), sorted. */
export function listShippedScenarios(): string[] {
  if (!existsSync(SHIPPED_SCENARIOS_DIR)) return [];
  return readdirSync(SHIPPED_SCENARIOS_DIR)
    .filter((f) => f.endsWith('.yaml') && SCENARIO_NAME.test(f))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** The scenario used when none is given: the shipped scenarios/default.yaml. */
export function loadDefaultScenario(options: LoadOptions = {}): Scenario {
  const found = resolveShippedScenario('default');
  if (!found) throw new Error(`shipped scenario scenarios/default.yaml not found under ${PACKAGE_ROOT}`);
  return loadScenarioFile(found.path, found.display, options);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
