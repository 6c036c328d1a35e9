// `cilium-trace diff`: two clusters (before: -f/--scenario, after: --f2/--scenario2).
// Without a flow: the connectivity matrix cells whose verdict changed. With SRC DST
// [PROTO]: that packet traced in both, aligned step by step, the first divergence named.
// Exit 0 when identical, 1 when anything changed, 2 for bad input.
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { EXIT, UsageError } from '../../errors.js';
import type { Cluster } from '../../controlplane/cluster.js';
import { computeMatrix } from '../../analysis/matrix.js';
import { diffMatrices, matrixDiffToJson, renderMatrixDiffCsv, renderMatrixDiffMarkdown, renderMatrixDiffText } from '../../analysis/matrix-diff.js';
import { diffFlows, flowDiffToJson, renderFlowDiffText } from '../../analysis/flow-diff.js';
import { prettyJson } from '../../analysis/json.js';
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
  return o.file && o.file.length > 0 ? o.file.join(' + ') : `--scenario ${o.scenario ?? 'default'}`;
}

function sides(cmd: Command): { before: ClusterOptions; after: ClusterOptions } {
  const before = clusterOptionsOf(cmd);
  const o = cmd.opts<{ file2?: string[]; scenario2?: string }>();
  const after: ClusterOptions = { ...(o.file2 ? { file: o.file2 } : {}), ...(o.scenario2 !== undefined ? { scenario: o.scenario2 } : {}) };
  if (!before.file && !before.scenario) throw new UsageError('diff needs the cluster before the change (expected -f PATH or --scenario NAME)');
  if (!after.file && !after.scenario) throw new UsageError('diff needs the cluster after the change (expected --f2 PATH or --scenario2 NAME)');
  if (before.file?.includes('-') && after.file?.includes('-')) throw new UsageError('standard input (-) can be read once (expected - for one side only)');
  for (const f of before.file ?? []) {
    if (f === '2' && !existsSync(f)) throw new UsageError("'-f 2' names no file: for the second cluster write --f2 PATH");
  }
  return { before, after };
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
  io.stdout(output === 'json' ? prettyJson(flowDiffToJson(d, labels)) : renderFlowDiffText(d, labels));
  return !d.identical;
}

export function diffCommand(io: Io, result: { code: number }): Command {
  const cmd = conventions(new DiffCommand('diff'), io)
    .description('compare two clusters: matrix cells whose verdict changed, or one flow step by step; exit 1 when anything changed')
    .usage('-f BEFORE --f2 AFTER [SRC DST [PROTO[/PORT]]] [matrix options]')
    .argument('[FLOW...]', 'SRC DST [PROTO[/PORT]]: trace this packet in both clusters instead of comparing matrices');
  addClusterOptions(cmd, '', 'the cluster before');
  addClusterOptions(cmd, '2', 'the cluster after', ' (-f2 PATH works too)');
  addMatrixOptions(cmd);
  cmd.action((flow: string[], opts: MatrixCliOpts, c: Command) => {
    const [src, dst, proto] = flow;
    if (flow.length === 1 || flow.length > 3) throw new UsageError('a flow is SRC DST [PROTO[/PORT]] (expected 2 or 3 arguments)');
    if (src !== undefined && (opts.port || opts.services || opts.namespace || opts.selector)) throw new UsageError('-p, --services, --namespace and --selector are for matrix diffs (expected them without SRC DST)');
    const s = sides(c);
    const labels = { before: label(s.before), after: label(s.after) };
    const mo = src === undefined ? matrixOptionsOf(opts, io) : undefined;
    const clusters = { before: loadCluster(s.before, io), after: loadCluster(s.after, io) };
    let changed: boolean;
    if (!mo) {
      changed = flowDiff(io, clusters, [src ?? '', dst ?? '', ...(proto !== undefined ? [proto] : [])], opts.output, labels);
    } else {
      const d = diffMatrices(computeMatrix(clusters.before, mo), computeMatrix(clusters.after, mo));
      const render = { text: () => renderMatrixDiffText(d, labels), csv: () => renderMatrixDiffCsv(d), markdown: () => renderMatrixDiffMarkdown(d, labels), json: () => prettyJson(matrixDiffToJson(d, labels)) } as const;
      io.stdout(render[opts.output]());
      changed = !d.identical;
    }
    result.code = changed ? EXIT.DROPPED : EXIT.FORWARDED;
  });
  return cmd;
}
