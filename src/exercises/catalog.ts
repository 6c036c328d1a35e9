// The shipped exercises: broken clusters under scenarios/exercises/NN-slug/, each with
//   exercise.yaml  title, report (what users report), flows (must work / must stay
//                  blocked, the keys of `cilium-trace check` expectations), hints (graded)
//   cluster/       the cluster files (scenario YAML and/or Kubernetes manifests)
//   solution/      the intended fix: replacements of cluster files, by file name
// An exercise is named by its number (3, 03) or its directory name (03-egress-dns) or slug
// (egress-dns).
import { parseRequestLine } from '../proxy/envoy-http.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { InputError, UsageError, type Position, type Problem } from '../errors.js';
import { PACKAGE_ROOT } from '../scenario/load.js';
import { syntaxProblems } from '../scenario/syntax.js';
import { shownPath } from '../util/shown-path.js';

export const EXERCISES_DIR: string = join(PACKAGE_ROOT, 'scenarios', 'exercises');

export type Proto = 'icmp' | 'tcp' | 'udp';

export interface ExerciseFlow {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** undefined: icmp, or for svc: the Service's first port (as the trace command does). */
  readonly proto: Proto | undefined;
  readonly port: number | undefined;
  /** The HTTP request line on the connection ('GET /path'), as --http takes it. */
  readonly http?: string;
  readonly expect: 'FORWARDED' | 'DROPPED';
  readonly pos: Position;
}

export interface Exercise {
  readonly number: number;
  /** Directory name, e.g. 03-egress-dns. */
  readonly id: string;
  readonly slug: string;
  readonly dir: string;
  /** The directory as messages show it, typed from the working directory: scenarios/exercises/03-egress-dns in the package root. */
  readonly display: string;
  readonly title: string;
  readonly report: string;
  readonly flows: readonly ExerciseFlow[];
  readonly hints: readonly string[];
  /** File names in cluster/ (sorted), and in solution/. */
  readonly clusterFiles: readonly string[];
  readonly solutionFiles: readonly string[];
}

const DIR_NAME = /^(\d{2})-([a-z0-9][a-z0-9-]*)$/;
const INPUT_FILE = /\.(ya?ml|json)$/;
const TOP_KEYS = ['apiVersion', 'kind', 'title', 'report', 'flows', 'hints'];
const FLOW_KEYS = ['name', 'from', 'to', 'proto', 'port', 'http', 'expect'];

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => INPUT_FILE.test(f) && statSync(join(dir, f)).isFile()).sort();
}

/** Directory names of the shipped exercises, in order. */
export function exerciseDirs(root: string = EXERCISES_DIR): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((d) => DIR_NAME.test(d) && statSync(join(root, d)).isDirectory()).sort();
}

class Reader {
  readonly problems: Problem[] = [];
  constructor(readonly file: string, private readonly lines: LineCounter) {}
  pos(node: unknown, fallback?: Position): Position {
    const n = node as Node | undefined;
    if (n?.range) {
      const p = this.lines.linePos(n.range[0]);
      return { file: this.file, line: p.line, col: p.col };
    }
    return fallback ?? { file: this.file, line: 1, col: 1 };
  }
  add(pos: Position, message: string): void {
    this.problems.push({ pos, message });
  }
  keys(map: YAMLMap, allowed: readonly string[], what: string): void {
    for (const pair of map.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (!allowed.includes(k)) this.add(this.pos(pair.key), `unknown key '${k}' in ${what} (expected one of: ${allowed.join(', ')})`);
    }
  }
  text(map: YAMLMap, key: string, where: Position, required: boolean): string | undefined {
    const node = map.get(key, true) as Node | undefined;
    if (node === undefined) {
      if (required) this.add(where, `missing '${key}'`);
      return undefined;
    }
    if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number') || String(node.value).trim() === '') {
      this.add(this.pos(node, where), `'${key}' must be text`);
      return undefined;
    }
    return String(node.value);
  }
}

function readFlow(r: Reader, item: unknown): ExerciseFlow | undefined {
  const at = r.pos(item);
  if (!isMap(item)) {
    r.add(at, 'a flow must be a mapping (expected name, from, to, proto, port, expect)');
    return undefined;
  }
  r.keys(item, FLOW_KEYS, 'a flow');
  const name = r.text(item, 'name', at, true);
  const from = r.text(item, 'from', at, true);
  const to = r.text(item, 'to', at, true);
  const protoText = r.text(item, 'proto', at, false)?.toLowerCase();
  const proto = protoText === 'icmp' || protoText === 'tcp' || protoText === 'udp' ? protoText : undefined;
  if (protoText !== undefined && proto === undefined) r.add(r.pos(item.get('proto', true), at), `unknown proto '${protoText}' (expected icmp, tcp or udp)`);
  const portText = r.text(item, 'port', at, false);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) r.add(r.pos(item.get('port', true), at), `bad port '${portText}' (expected 1..65535)`);
  if ((proto === 'tcp' || proto === 'udp') && port === undefined) r.add(at, `${proto} needs a port`);
  if (proto === 'icmp' && port !== undefined) r.add(at, 'icmp takes no port');
  const http = r.text(item, 'http', at, false);
  const line = http === undefined ? undefined : parseRequestLine(http);
  if (typeof line === 'string') r.add(r.pos(item.get('http', true), at), `bad http '${http}': ${line}`);
  if (http !== undefined && proto !== 'tcp') r.add(r.pos(item.get('http', true), at), 'an HTTP request needs proto: tcp');
  const expect = r.text(item, 'expect', at, true);
  if (expect !== undefined && expect !== 'FORWARDED' && expect !== 'DROPPED') r.add(r.pos(item.get('expect', true), at), `unknown verdict '${expect}' (expected FORWARDED or DROPPED)`);
  if (!name || !from || !to || (expect !== 'FORWARDED' && expect !== 'DROPPED')) return undefined;
  return { name, from, to, proto, port, ...(http !== undefined ? { http } : {}), expect, pos: at };
}

/** Reads one exercise directory; throws an InputError naming every problem of exercise.yaml. */
export function loadExercise(dirName: string, root: string = EXERCISES_DIR): Exercise {
  const m = DIR_NAME.exec(dirName);
  if (!m) throw new UsageError(`'${dirName}' is not an exercise directory (expected NN-name)`);
  const dir = join(root, dirName);
  const display = shownPath(dir);
  const file = `${display}/exercise.yaml`;
  const text = readFileSync(join(dir, 'exercise.yaml'), 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const r = new Reader(file, lines);
  const syntax = syntaxProblems([doc], text, (o) => r.pos({ range: [o, o, o] }));
  if (syntax.length > 0) throw new InputError(syntax);
  const root0 = doc.contents;
  if (!isMap(root0)) throw new InputError([{ pos: r.pos(root0), message: 'exercise.yaml must be a mapping (expected title, report, flows, hints)' }]);
  const top = r.pos(root0);
  r.keys(root0, TOP_KEYS, 'exercise.yaml');
  const apiVersion = r.text(root0, 'apiVersion', top, true);
  if (apiVersion !== undefined && apiVersion !== 'cilium-trace/v1') r.add(r.pos(root0.get('apiVersion', true)), 'unknown apiVersion (expected cilium-trace/v1)');
  const kind = r.text(root0, 'kind', top, true);
  if (kind !== undefined && kind !== 'Exercise') r.add(r.pos(root0.get('kind', true)), 'unknown kind (expected Exercise)');
  const title = r.text(root0, 'title', top, true) ?? '';
  const report = r.text(root0, 'report', top, true) ?? '';
  const flowsNode = root0.get('flows', true);
  const flows: ExerciseFlow[] = [];
  if (!isSeq(flowsNode) || flowsNode.items.length === 0) r.add(r.pos(flowsNode, top), "'flows' must be a non-empty list of {name, from, to, proto, port, expect}");
  else for (const item of flowsNode.items) {
    const f = readFlow(r, item);
    if (f) flows.push(f);
  }
  const hintsNode = root0.get('hints', true);
  const hints: string[] = [];
  if (!isSeq(hintsNode) || hintsNode.items.length === 0) r.add(r.pos(hintsNode, top), "'hints' must be a non-empty list of texts, the gentlest first");
  else for (const h of hintsNode.items) {
    if (isScalar(h) && typeof h.value === 'string' && h.value.trim() !== '') hints.push(h.value.trim());
    else r.add(r.pos(h, top), 'a hint must be text');
  }
  const clusterFiles = yamlFiles(join(dir, 'cluster'));
  if (clusterFiles.length === 0) r.add(top, `${display}/cluster has no .yaml, .yml or .json files`);
  if (r.problems.length > 0) throw new InputError(r.problems);
  return {
    number: Number(m[1]),
    id: dirName,
    slug: m[2] ?? dirName,
    dir,
    display,
    title,
    report: report.trim(),
    flows,
    hints,
    clusterFiles,
    solutionFiles: yamlFiles(join(dir, 'solution')),
  };
}

export function listExercises(root: string = EXERCISES_DIR): Exercise[] {
  return exerciseDirs(root).map((d) => loadExercise(d, root));
}

/** Finds an exercise by number (3, 03), directory name or slug; a UsageError lists them otherwise. */
export function findExercise(ref: string, root: string = EXERCISES_DIR): Exercise {
  const dirs = exerciseDirs(root);
  const wanted = ref.trim().toLowerCase();
  const hit = dirs.find((d) => {
    const m = DIR_NAME.exec(d);
    return d === wanted || m?.[2] === wanted || (/^\d+$/.test(wanted) && Number(m?.[1]) === Number(wanted));
  });
  if (!hit) {
    const known = dirs.map((d) => String(Number(DIR_NAME.exec(d)?.[1] ?? 0))).join(', ');
    throw new UsageError(`unknown exercise '${ref}' (expected a number: ${known || 'none shipped'}; see: cilium-trace exercise list)`);
  }
  return loadExercise(hit, root);
}
