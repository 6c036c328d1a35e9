// `cilium-trace diff`: two clusters (before: -f/--scenario, after: --f2/--scenario2).
// Without a flow: the connectivity matrix cells whose verdict changed. With SRC DST
// [PROTO]: that packet traced in both, aligned step by step, the first divergence named.
// With --cilium2 and one cluster: the upgrade view, the same cluster as two Cilium releases,
// with the lookups the releases print differently and the release changes the traces record.
// Exit 0 when identical, 1 when anything changed, 2 for bad input.
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT, UsageError } from '../../errors.js';
import type { Cluster } from '../../controlplane/cluster.js';
import { computeMatrix } from '../../analysis/matrix.js';
import { diffMatrices, matrixDiffToJson, renderMatrixDiffCsv, renderMatrixDiffMarkdown, renderMatrixDiffText } from '../../analysis/matrix-diff.js';
import { diffFlows, flowDiffToJson, renderFlowDiffText } from '../../analysis/flow-diff.js';
import { computeConnectivity } from '../../analysis/ports-matrix.js';
import { connectivityDiffToJson, diffConnectivity, renderConnectivityDiffCsv, renderConnectivityDiffMarkdown, renderConnectivityDiffText } from '../../analysis/ports-diff.js';
import { prettyJson } from '../../analysis/json.js';
import type { MatrixOptions } from '../../analysis/matrix.js';
import { cellWhyJson, cellWhyLines, cellWhyMarkdown, explainCells, upgradeFlowJson, upgradeFlowText } from '../../analysis/upgrade.js';
import type { ClusterOptions } from '../cluster-source.js';
import { parseProto, resolveDestination, resolveSource } from '../endpoints.js';
import type { Io } from '../io.js';
import { DEFAULT_SPORT, traceFlow } from '../../trace/run.js';
import { addClusterOptions, clusterOptionsOf, conventions, loadCluster } from './common.js';
import { addMatrixOptions, matrixOptionsOf, type MatrixCliOpts } from './matrix.js';

/** `-f2 PATH` is not a commander short flag (one letter); read it as --f2 PATH. */
class DiffCommand extends Command {
  override parseOptions(args: string[]): { operands: string[]; unknown: string[] } {
    return super.parseOptions(args.map((a) => (a === '-f2' ? '--f2' : a)));
  }
}

function label(o: ClusterOptions): string {
  const maps = o.maps !== undefined ? ` (${o.maps} maps)` : '';
  return (o.file && o.file.length > 0 ? o.file.join(' + ') : `--scenario ${o.scenario ?? 'default'}`) + maps;
}

/**
 * The two sides. `--cilium2 R` without --f2/--scenario2 is the upgrade view: the same cluster
 * (-f, --scenario or the default) as release R. The second side takes --cilium when it names
 * no release of its own.
 */
function sides(cmd: Command): { before: ClusterOptions; after: ClusterOptions } {
  const before = clusterOptionsOf(cmd);
  const o = cmd.opts<{ file2?: string[]; scenario2?: string; cilium2?: string; maps2?: string }>();
  const release2 = o.cilium2 !== undefined ? { cilium: o.cilium2, ciliumFlag: '--cilium2' } : before.cilium !== undefined ? { cilium: before.cilium } : {};
  // --maps2 with one sysdump: the same cluster traced over its other maps (computed vs real).
  const maps2 = o.maps2 !== undefined ? { maps: o.maps2, mapsFlag: '--maps2' } : before.maps !== undefined ? { maps: before.maps } : {};
  if (!o.file2 && o.scenario2 === undefined && (o.cilium2 !== undefined || o.maps2 !== undefined)) {
    if (before.file?.includes('-')) throw new UsageError('standard input (-) can be read once: the upgrade view reads its cluster twice (expected -f PATH)');
    const { cilium: _c, ciliumFlag: _f, maps: _m, mapsFlag: _mf, ...cluster } = before;
    return { before, after: { ...cluster, ...release2, ...maps2 } };
  }
  const limit = before.maxInputSize !== undefined ? { maxInputSize: before.maxInputSize } : {};
  const after: ClusterOptions = { ...(o.file2 ? { file: o.file2 } : {}), ...(o.scenario2 !== undefined ? { scenario: o.scenario2 } : {}), ...release2, ...maps2, ...limit };
  if (!before.file && !before.scenario) throw new UsageError('diff needs the cluster before the change (expected -f PATH or --scenario NAME; or --cilium2 RELEASE to compare one cluster on two releases)');
  if (!after.file && !after.scenario) throw new UsageError('diff needs the cluster after the change (expected --f2 PATH or --scenario2 NAME; or --cilium2 RELEASE to compare one cluster on two releases)');
  if (before.file?.includes('-') && after.file?.includes('-')) throw new UsageError('standard input (-) can be read once (expected - for one side only)');
  for (const f of before.file ?? []) {
    if (f === '2' && !existsSync(f)) throw new UsageError("'-f 2' names no file: for the second cluster write --f2 PATH");
  }
  return { before, after };
}

function isUpgrade(clusters: { before: Cluster; after: Cluster }): boolean {
  return clusters.before.datapath.release.version !== clusters.after.datapath.release.version;
}

/** The side's label in the upgrade view: the cluster and the release it ran as, with why. */
function releaseLabel(o: ClusterOptions, c: Cluster): string {
  return `${label(o)}, Cilium ${c.datapath.release.version}: ${c.scenario.cluster.profileWhy}`;
}

function flowDiff(io: Io, clusters: { before: Cluster; after: Cluster }, args: string[], output: string, labels: { before: string; after: string }): boolean {
  if (output === 'csv' || output === 'markdown') throw new UsageError(`-o ${output} is for matrix diffs (expected text or json with SRC DST)`);
  const [srcText, dstText, protoText] = args;
  const col = (i: number) => 1 + args.slice(0, i).reduce((n, a) => n + a.length + 1, 0);
  const trace = (c: Cluster) => {
    const dst = resolveDestination(c, { text: dstText ?? '', col: col(1) });
    const src = resolveSource(c, { text: srcText ?? '', col: col(0) }, dst.ip);
    const first = dst.service?.ports[0];
    const { proto, dport } = protoText === undefined && first ? { proto: first.protocol === 'UDP' ? 'udp' as const : 'tcp' as const, dport: first.port } : parseProto(protoText === undefined ? undefined : { text: protoText, col: col(2) });
    return traceFlow(c, { src, dstIp: dst.ip, proto, dport, sport: DEFAULT_SPORT, traceArp: false });
  };
  const d = diffFlows(trace(clusters.before), trace(clusters.after));
  if (!isUpgrade(clusters)) {
    io.stdout(output === 'json' ? prettyJson(flowDiffToJson(d, labels)) : renderFlowDiffText(d, labels));
    return !d.identical;
  }
  io.stdout(output === 'json' ? prettyJson(upgradeFlowJson(d, labels)) : upgradeFlowText(d, labels));
  return !d.identical;
}

/** Without -p: the connections (protocols and ports) each pair allows, added and removed. */
function allPortsDiff(io: Io, clusters: { before: Cluster; after: Cluster }, mo: MatrixOptions, output: MatrixCliOpts['output'], labels: { before: string; after: string }): boolean {
  const d = diffConnectivity(computeConnectivity(clusters.before, mo), computeConnectivity(clusters.after, mo));
  const render = { text: () => renderConnectivityDiffText(d, labels), csv: () => renderConnectivityDiffCsv(d), markdown: () => renderConnectivityDiffMarkdown(d, labels), json: () => prettyJson(connectivityDiffToJson(d, labels)), dot: () => '' } as const;
  io.stdout(render[output]());
  // The upgrade view names the release change behind each changed cell in the traced (-p) form.
  if (output === 'text' && !d.identical && isUpgrade(clusters)) io.stdout(`\nwhich change of Cilium made each difference: the same command with -p PROTO/PORT for a port above (the traced cells name the release feature behind each)\n`);
  return !d.identical;
}

function matrixDiff(io: Io, clusters: { before: Cluster; after: Cluster }, mo: MatrixOptions, output: MatrixCliOpts['output'], labels: { before: string; after: string }): boolean {
  if (output === 'dot') throw new UsageError('-o dot is for the all-ports matrix (expected text, csv, markdown or json)');
  const before = { cluster: clusters.before, matrix: computeMatrix(clusters.before, mo) };
  const after = { cluster: clusters.after, matrix: computeMatrix(clusters.after, mo) };
  const d = diffMatrices(before.matrix, after.matrix);
  const why = isUpgrade(clusters) ? explainCells(d, before, after) : undefined;
  const json = () => {
    const base = matrixDiffToJson(d, labels) as Record<string, unknown>;
    return prettyJson(why ? { ...base, upgrade: { before: clusters.before.datapath.release.version, after: clusters.after.datapath.release.version, cells: why.map(cellWhyJson) } } : base);
  };
  const render = { text: () => renderMatrixDiffText(d, labels, why ? [cellWhyLines(why)] : []), csv: () => renderMatrixDiffCsv(d), markdown: () => renderMatrixDiffMarkdown(d, labels, why ? [cellWhyMarkdown(why)] : []), json } as const;
  io.stdout(render[output]());
  return !d.identical;
}

export function diffCommand(io: Io, result: { code: number }): Command {
  const cmd = conventions(new DiffCommand('diff'), io)
    .description('compare two clusters, or one cluster as two Cilium releases (--cilium2: what changes on upgrade), or a sysdump\'s computed and real maps (--maps computed --maps2 real): the connections (protocols and ports) each pod pair gained or lost; with -p, the matrix cells whose verdict changed; or one flow step by step; exit 1 when anything changed')
    .usage('-f BEFORE --f2 AFTER [SRC DST [PROTO[/PORT]]] [matrix options]\n       [-f CLUSTER] --cilium OLD --cilium2 NEW [SRC DST [PROTO[/PORT]]]\n       -f SYSDUMP --maps computed --maps2 real [SRC DST [PROTO[/PORT]]]')
    .argument('[FLOW...]', 'SRC DST [PROTO[/PORT]]: trace this packet in both clusters instead of comparing matrices');
  addClusterOptions(cmd, '', 'the cluster before');
  addClusterOptions(cmd, '2', 'the cluster after', ' (-f2 PATH works too)');
  addMatrixOptions(cmd);
  cmd.action((flow: string[], opts: MatrixCliOpts, c: Command) => {
    const [src, dst, proto] = flow;
    if (flow.length === 1 || flow.length > 3) throw new UsageError('a flow is SRC DST [PROTO[/PORT]] (expected 2 or 3 arguments)');
    if (src !== undefined && (opts.port || opts.services || opts.namespace || opts.selector)) throw new UsageError('-p, --services, --namespace and --selector are for matrix diffs (expected them without SRC DST)');
    if (opts.output === 'dot') throw new UsageError('-o dot is for the all-ports matrix (expected text, csv, markdown or json)');
    const s = sides(c);
    const mo = src === undefined ? matrixOptionsOf(opts, io) : undefined;
    const clusters = { before: loadCluster(s.before, io), after: loadCluster(s.after, io) };
    const labels = isUpgrade(clusters) ? { before: releaseLabel(s.before, clusters.before), after: releaseLabel(s.after, clusters.after) } : { before: label(s.before), after: label(s.after) };
    const matrices = opts.port === undefined ? allPortsDiff : matrixDiff;
    const changed = mo ? matrices(io, clusters, mo, opts.output, labels) : flowDiff(io, clusters, [src ?? '', dst ?? '', ...(proto !== undefined ? [proto] : [])], opts.output, labels);
    result.code = changed ? EXIT.DROPPED : EXIT.FORWARDED;
  });
  return cmd;
}
