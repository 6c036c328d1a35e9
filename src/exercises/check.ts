// Checking an attempt at an exercise: the exercise's cluster files, overlaid with the
// user's files, are loaded as one cluster and every flow of exercise.yaml is traced.
//
// The overlay rule (`exercise check N -f PATH…`):
//   * a FILE replaces the exercise's cluster file with the same name (cluster/<name>);
//     a file whose name the exercise does not have is added to the cluster;
//   * a DIRECTORY stands for the whole cluster: the exercise's cluster files are not used,
//     the directory's *.yaml/*.yml/*.json files are (plus any FILE named alongside, by the
//     same replace-by-name rule);
//   * no PATH: the exercise's cluster as shipped (it fails: that is the exercise).
import { parseRequestLine } from '../proxy/envoy-http.js';
import { defaultHost } from '../cli/http-args.js';
import type { ProfileChoice } from '../scenario/cilium-release.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildCluster, type Cluster } from '../controlplane/cluster.js';
import { InputError, UsageError, type Problem } from '../errors.js';
import { parseProto, resolveDestination, resolveSource } from '../cli/endpoints.js';
import { readInputs, type InputText } from '../scenario/inputs.js';
import { DEFAULT_SPORT, traceFlow, type FlowSpec } from '../trace/run.js';
import { answerOf, decidingLeg, dnsServerOf } from '../trace/by-name.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import type { TraceResult, Verdict } from '../trace/tree.js';
import type { Exercise, ExerciseFlow } from './catalog.js';

const INPUT_FILE = /\.(ya?ml|json)$/;

/** Where each cluster file of an attempt came from. */
export interface UsedFile {
  readonly name: string;
  readonly display: string;
  readonly origin: 'exercise' | 'replaced' | 'added';
}

export interface AttemptInputs {
  readonly inputs: readonly InputText[];
  readonly used: readonly UsedFile[];
  /** The one directory the user passed (and nothing else): a -f for tracing their copy. */
  readonly userDir: string | null;
  /** The user passed a directory: it stands for the whole cluster. */
  readonly fromDirectory: boolean;
}

function read(path: string, display: string, problems: Problem[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : 'error';
    problems.push({ pos: { file: display, line: 1, col: 1 }, message: `cannot read file (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code})` });
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The inputs of an attempt, by the overlay rule above. */
export function attemptInputs(ex: Exercise, userPaths: readonly string[]): AttemptInputs {
  if (userPaths.includes('-')) throw new UsageError('exercise check reads files, not standard input (expected -f FILE or -f DIRECTORY)');
  const problems: Problem[] = [];
  const dirs = userPaths.filter(isDirectory);
  const files = userPaths.filter((p) => !dirs.includes(p));
  // The base: the user's directories, or the exercise's cluster directory.
  const base = new Map<string, { display: string; path: string; origin: UsedFile['origin'] }>();
  if (dirs.length > 0) {
    for (const dir of dirs) {
      const shown = dir.replace(/\/+$/, '') || dir;
      const names = readdirSync(dir).filter((f) => INPUT_FILE.test(f)).sort();
      if (names.length === 0) problems.push({ pos: { file: dir, line: 1, col: 1 }, message: 'directory has no .yaml, .yml or .json files' });
      for (const name of names) {
        if (base.has(name)) throw new UsageError(`two files named ${name} (${base.get(name)?.display} and ${shown}/${name}): the overlay matches files by name`);
        base.set(name, { display: `${shown}/${name}`, path: join(dir, name), origin: ex.clusterFiles.includes(name) ? 'replaced' : 'added' });
      }
    }
  } else {
    for (const name of ex.clusterFiles) base.set(name, { display: `${ex.display}/cluster/${name}`, path: join(ex.dir, 'cluster', name), origin: 'exercise' });
  }
  const seen = new Set<string>();
  for (const f of files) {
    const name = basename(f);
    if (seen.has(name)) throw new UsageError(`two files named ${name}: the overlay matches files by name (expected each name once)`);
    seen.add(name);
    base.set(name, { display: f, path: f, origin: ex.clusterFiles.includes(name) ? 'replaced' : 'added' });
  }
  const inputs: InputText[] = [];
  const used: UsedFile[] = [];
  for (const [name, b] of [...base.entries()].sort((a, b2) => (a[0] < b2[0] ? -1 : a[0] > b2[0] ? 1 : 0))) {
    const text = read(b.path, b.display, problems);
    if (text !== undefined) inputs.push({ file: b.display, text });
    used.push({ name, display: b.display, origin: b.origin });
  }
  if (problems.length > 0) throw new InputError(problems);
  return { inputs, used, userDir: dirs.length === 1 && files.length === 0 ? (dirs[0] as string) : null, fromDirectory: dirs.length > 0 };
}

export interface FlowOutcome {
  readonly flow: ExerciseFlow;
  /** "tcp/53", "icmp". */
  readonly protoText: string;
  readonly verdict: Verdict | 'UNRESOLVED';
  /** Hubble drop reason when DROPPED; the resolution problem when UNRESOLVED. */
  readonly reason: string | null;
  readonly ok: boolean;
  readonly trace: TraceResult | null;
}

export interface ExerciseCheck {
  readonly exercise: Exercise;
  readonly used: readonly UsedFile[];
  readonly userDir: string | null;
  readonly fromDirectory: boolean;
  readonly outcomes: readonly FlowOutcome[];
  readonly solved: boolean;
}

function resolveFlow(cluster: Cluster, f: ExerciseFlow): { spec: FlowSpec; protoText: string } {
  const dst = resolveDestination(cluster, { text: f.to, col: 1 });
  const first = dst.service?.ports[0];
  const { proto, dport } = f.proto !== undefined
    ? parseProto({ text: f.port === undefined ? f.proto : `${f.proto}/${f.port}`, col: 1 })
    : first !== undefined
      ? { proto: first.protocol === 'UDP' ? 'udp' as const : 'tcp' as const, dport: first.port }
      : { proto: 'icmp' as const, dport: null };
  const src = resolveSource(cluster, { text: f.from, col: 1 }, dst.ip, undefined, dport);
  const line = f.http === undefined ? undefined : parseRequestLine(f.http);
  const http = line === undefined || typeof line === 'string' ? undefined : { ...line, host: defaultHost(dst, dport), headers: [] };
  return { spec: { src, dstIp: dst.ip, proto, dport, sport: DEFAULT_SPORT, traceArp: false, ...(http ? { http } : {}) }, protoText: dport === null ? proto : `${proto}/${dport}` };
}

function flowOutcome(cluster: Cluster, f: ExerciseFlow): FlowOutcome {
  let resolved: { spec: FlowSpec; protoText: string };
  try {
    resolved = resolveFlow(cluster, f);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const named = namedFlowOutcome(cluster, f);
    if (named) return named;
    const why = e.problems.map((p) => p.message).join('; ');
    return { flow: f, protoText: f.proto === undefined ? '' : f.port === undefined ? f.proto : `${f.proto}/${f.port}`, verdict: 'UNRESOLVED', reason: why, ok: false, trace: null };
  }
  const trace = traceFlow(cluster, resolved.spec);
  const reason = trace.verdict === 'DROPPED' ? (trace.drop?.name ?? null) : null;
  const ok = trace.verdict === f.expect || (f.expect === 'FORWARDED' && proxyAllowsAll(trace));
  return { flow: f, protoText: resolved.protoText, verdict: trace.verdict, reason, ok, trace };
}

/**
 * `to:` a DNS name the exercise's `dns:` section answers: the application's lookup, then its
 * connection to the first address (src/trace/by-name.ts). The connection's verdict counts;
 * a failed lookup means no connection, which counts as DROPPED.
 */
function namedFlowOutcome(cluster: Cluster, f: ExerciseFlow): FlowOutcome | undefined {
  const ips = answerOf(cluster, f.to);
  if (!ips || !dnsServerOf(cluster)) return undefined;
  const first = formatIpv4(ips[0] as Ipv4);
  let resolved: { spec: FlowSpec; protoText: string };
  try {
    resolved = resolveFlow(cluster, { ...f, to: first });
  } catch (e) {
    if (e instanceof InputError) return undefined;
    throw e;
  }
  const trace = decidingLeg(cluster, resolved.spec, f.to, ips);
  if (!trace) return undefined;
  // A lookup refused by the DNS proxy is DROPPED without a drop event.
  const reason = trace.verdict === 'DROPPED' ? (trace.drop?.name ?? (trace.l7?.type === 'dns' ? 'DNS lookup failed' : null)) : null;
  return { flow: f, protoText: resolved.protoText, verdict: trace.verdict, reason, ok: trace.verdict === f.expect, trace };
}

/** Rules that let every request through: `matchPattern *` (any name), an HTTP rule without fields, a rule without L7 rules. */
const ALLOW_ALL = new Set(['matchPattern *', '* /.*']);

/**
 * L3/L4 policy allowed the flow and handed it to a proxy whose rules allow every request (the
 * DNS rule of the Cilium docs, `dns: [{matchPattern: "*"}]`): the proxy forwards it, whatever
 * the request. The proxy's own path is not simulated, but the verdict is known.
 */
export function proxyAllowsAll(t: TraceResult): boolean {
  const p = t.notSimulated?.proxy;
  return !!p && p.rules.some((r) => ALLOW_ALL.has(r) || r.startsWith('anything'));
}

/** Loads the attempt (InputError on bad YAML, with the user's file positions) and traces every flow. */
export function checkExercise(ex: Exercise, userPaths: readonly string[], cilium?: ProfileChoice): ExerciseCheck {
  const { inputs, used, userDir, fromDirectory } = attemptInputs(ex, userPaths);
  const cluster = buildCluster(readInputs(inputs, ex.id, cilium));
  const outcomes = ex.flows.map((f) => flowOutcome(cluster, f));
  return { exercise: ex, used, userDir, fromDirectory, outcomes, solved: outcomes.every((o) => o.ok) };
}
