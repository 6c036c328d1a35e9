// Entry points for scenarios: parse YAML text into the validated, defaulted Scenario
// model, read files, and find the scenarios shipped in the package's scenarios/ folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isScalar, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { InputError, type Position } from '../errors.js';
import { assemble } from './assemble.js';
import { dnsSubdomain } from './checks.js';
import { readCluster } from './cluster.js';
import { API_VERSION, KIND } from './fields.js';
import { checkNodes, readNodes } from './nodes.js';
import { checkPods, readPods } from './pods.js';
import { readPolicies } from './policy-input.js';
import { exactly, list, parsed, readMap, rootEntry, Source, str, type Reader } from './raw.js';
import { syntaxProblems } from './syntax.js';
import type { Scenario } from './types.js';

/**
 * Parses and validates a scenario. `file` is the name shown in messages and provenance.
 * Throws one InputError listing every problem found.
 */
export function parseScenario(source: string, file: string): Scenario {
  // Editors hide a byte-order mark; drop it so line 1 columns match what users see.
  const text = source.replace(/^\uFEFF/, '');
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  const at = (offset: number): Position => ({ file, ...lc.linePos(offset) });
  const syntax = syntaxProblems(docs, text, at);
  if (syntax.length > 0) throw new InputError(syntax);
  const [doc, ...rest] = docs;
  const extra = rest.find((d) => !isEmpty(d.contents));
  if (extra) throw new InputError([{ pos: at(extra.range[0]), message: 'multiple YAML documents (expected one scenario)' }]);
  if (!doc || isEmpty(doc.contents)) {
    throw new InputError([{ pos: at(0), message: 'file is empty (expected a scenario with apiVersion, kind, metadata and nodes)' }]);
  }
  return readScenario(new Source(file, lc, doc), doc.contents);
}

function isEmpty(node: Node | null): node is null {
  return node === null || (isScalar(node) && node.value === null && !node.source);
}

function readScenario(src: Source, contents: Node): Scenario {
  const root = readMap(src, rootEntry(src, contents), 'scenario');
  if (!root) throw new InputError(src.problems);
  root.req('apiVersion', exactly(API_VERSION, 'apiVersion'));
  root.req('kind', exactly(KIND, 'kind'));
  const meta = root.req('metadata', readMetadata);
  const cluster = readCluster(root);
  const nodes = readNodes(root, cluster.tunnelProtocol);
  const pods = readPods(root);
  const policies = readPolicies(src, root.opt('policies', list) ?? []);
  checkNodes(src, nodes.drafts);
  checkPods(src, pods, nodes);
  const built = assemble(src, nodes.drafts, pods);
  if (src.problems.length > 0 || !meta) throw new InputError(src.problems);
  return { name: meta.name, description: meta.description, file: src.file, cluster, nodes: built.nodes, pods: built.pods, policies };
}

const readMetadata: Reader<{ name: string; description: string }> = (src, e) => {
  const m = readMap(src, e, 'scenarioMetadata');
  const name = m?.req('name', parsed(dnsSubdomain('scenario name')));
  const description = m?.opt('description', str);
  return name ? { name: name.value, description: description?.value ?? '' } : undefined;
};

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

/** Reads and parses a scenario file; unreadable files are input errors at line 1. */
export function loadScenarioFile(path: string, displayName: string = path): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError([{ pos: { file: displayName, line: 1, col: 1 }, message: `cannot read file (${fsErrorText(err)})` }]);
  }
  return parseScenario(text, displayName);
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

/** Finds `scenarios/<name>.yaml` in the package; display is the package-relative path. */
export function resolveShippedScenario(name: string): { path: string; display: string } | undefined {
  if (!SCENARIO_NAME.test(name)) return undefined;
  const path = join(SHIPPED_SCENARIOS_DIR, `${name}.yaml`);
  return existsSync(path) ? { path, display: `scenarios/${name}.yaml` } : undefined;
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
export function loadDefaultScenario(): Scenario {
  const found = resolveShippedScenario('default');
  if (!found) throw new Error(`shipped scenario scenarios/default.yaml not found under ${PACKAGE_ROOT}`);
  return loadScenarioFile(found.path, found.display);
}
