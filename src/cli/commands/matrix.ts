// `cilium-trace matrix`: every pod × every pod (and Service port) as a truth table of
// verdicts, computed by the same traceFlow as a single trace, one trace per cache key.
import { Option, type Command } from 'commander';
import { EXIT, UsageError } from '../../errors.js';
import { computeMatrix, matrixEnds, type Matrix, type MatrixOptions } from '../../analysis/matrix.js';
import { textWidth } from '../../analysis/table.js';
import type { Cluster } from '../../controlplane/cluster.js';
import { matrixCsvChunks, matrixToJson, renderMatrixCsv, renderMatrixMarkdown, renderMatrixText } from '../../analysis/matrix-render.js';
import { prettyJson } from '../../analysis/json.js';
import { computeConnectivity } from '../../analysis/ports-matrix.js';
import { connectivityCsvChunks, connectivityToJson, renderConnectivityDot, renderConnectivityMarkdown, renderConnectivityText } from '../../analysis/ports-render.js';
import type { Io } from '../io.js';
import { addClusterOptions, clusterOptionsOf, collect, loadCluster, newCommand, parsePortSpec, parseSelector, progressReporter } from './common.js';

export type MatrixFormat = 'text' | 'csv' | 'markdown' | 'json' | 'dot';

export interface MatrixCliOpts {
  port?: string[];
  services?: boolean;
  namespace?: string[];
  selector?: string[];
  cache: boolean;
  output: MatrixFormat;
  wide?: boolean;
}

/** The text matrix's widest line is past this many columns on a pipe: one glyph a destination. */
export const MATRIX_TEXT_WIDTH = 100;

/** The text matrix's row width: "N label  " then one glyph per destination column. */
function rowWidth(labels: readonly string[], columns: number): number {
  const w = String(Math.max(1, labels.length)).length;
  return w + 1 + Math.max(0, ...labels.map(textWidth)) + 2 + columns;
}

/**
 * Refuses a text matrix wider than the terminal (or MATRIX_TEXT_WIDTH on a pipe) unless
 * --wide: 20,000 pods would be 20,000-character rows. Checked before tracing (the pods as
 * columns) and again with the Service columns.
 */
function guardWidth(io: Io, o: MatrixCliOpts, labels: readonly string[], columns: number): void {
  if (o.output !== 'text' || o.wide) return;
  const tty = io.stdoutIsTTY ? io.columns?.() : undefined;
  const limit = tty && tty > 0 ? tty : MATRIX_TEXT_WIDTH;
  const width = rowWidth(labels, columns);
  if (width <= limit) return;
  const where = tty ? `the terminal's ${limit} columns` : `${limit} columns`;
  throw new UsageError(`the text matrix would be ${width} columns wide (${labels.length} sources × ${columns} destinations), past ${where}: narrow it with --namespace NS or --selector KEY=VALUE, write -o csv (one line per cell), or pass --wide to print it anyway`);
}

function guardPods(io: Io, o: MatrixCliOpts, cluster: Cluster, mo: MatrixOptions): void {
  const labels = matrixEnds(cluster, mo).map((e) => e.label);
  guardWidth(io, o, labels, labels.length);
}

/** The matrix options of matrix and diff. */
export function addMatrixOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-p, --port <proto/port>', 'trace this protocol and port: icmp, tcp/PORT, udp/PORT; repeatable (default: every port: per pair, the protocols and ports the policy maps allow)').argParser(collect))
    .option('--services', 'with -p: add a column per Service port (traced to the ClusterIP); without -p the Services are always listed')
    .addOption(new Option('--namespace <ns>', 'only pods (and Services) of this namespace; repeatable').argParser(collect))
    .addOption(new Option('--selector <key=value>', 'only pods with these labels (KEY=VALUE[,KEY=VALUE…]); repeatable (all must match)').argParser(collect))
    .option('--wide', 'with -p, text output: print the matrix however wide (default: refuse past the terminal width, 100 columns on a pipe)')
    .option('--no-cache', 'with -p: trace every cell instead of one flow per cache key (slow; to check the cache)')
    .addOption(new Option('-o, --output <format>', 'output format (dot: the all-ports matrix only)').choices(['text', 'csv', 'markdown', 'json', 'dot']).default('text'));
}

export function matrixOptionsOf(o: MatrixCliOpts, io: Io): MatrixOptions {
  const progress = progressReporter(io, 'matrix');
  // Keying takes about 60 ns a cell: 4,000,000 cells ≈ 0.25 s.
  const cellProgress = progressReporter(io, 'matrix', 4_000_000, 'cells keyed');
  return {
    ports: (o.port ?? ['icmp']).map(parsePortSpec),
    services: o.services === true,
    namespaces: o.namespace ?? [],
    selectors: (o.selector ?? []).flatMap(parseSelector),
    keying: o.cache ? 'symmetric' : 'none',
    ...(progress ? { progress } : {}),
    ...(cellProgress ? { cellProgress } : {}),
  };
}

export function renderMatrix(m: Matrix, format: MatrixFormat): string {
  switch (format) {
    case 'text': return renderMatrixText(m);
    case 'csv': return renderMatrixCsv(m);
    case 'markdown': return renderMatrixMarkdown(m);
    case 'json': return prettyJson(matrixToJson(m));
    case 'dot': throw new UsageError('-o dot draws the all-ports matrix (expected it without -p, or -o text|csv|markdown|json with -p)');
  }
}

/** `matrix` without -p: per pair, every protocol and port the policy maps of both ends allow. */
function allPorts(io: Io, o: MatrixCliOpts, c: Command): void {
  const mo = matrixOptionsOf(o, io);
  const cluster = loadCluster(clusterOptionsOf(c), io);
  const m = computeConnectivity(cluster, mo);
  switch (o.output) {
    case 'csv': for (const chunk of connectivityCsvChunks(m)) io.stdout(chunk); break;
    case 'markdown': io.stdout(renderConnectivityMarkdown(m)); break;
    case 'json': io.stdout(prettyJson(connectivityToJson(m))); break;
    case 'dot': io.stdout(renderConnectivityDot(m)); break;
    default: io.stdout(renderConnectivityText(m));
  }
}

export function matrixCommand(io: Io, result: { code: number }): Command {
  const cmd = newCommand('matrix', io)
    .description('connectivity matrix: without -p, every pod → pod (and Service) pair with the protocols and ports its policy maps allow; with -p, the traced verdict of each flow on that port')
    .usage('[-f CLUSTER] [-p PROTO/PORT]... [--services] [--namespace NS] [--selector K=V] [-o text|csv|markdown|json|dot]');
  addClusterOptions(cmd);
  addMatrixOptions(cmd);
  cmd.action((opts: MatrixCliOpts, c: Command) => {
    result.code = EXIT.FORWARDED;
    if (opts.port === undefined) return allPorts(io, opts, c);
    if (opts.output === 'dot') renderMatrix({ cluster: '', rows: [], sections: [], outcomes: [], stats: { cells: 0, traces: 0, nodesAbstracted: false } }, 'dot');
    const mo = matrixOptionsOf(opts, io);
    const cluster = loadCluster(clusterOptionsOf(c), io);
    guardPods(io, opts, cluster, mo);
    const m = computeMatrix(cluster, mo);
    guardWidth(io, opts, m.rows.map((r) => r.label), Math.max(0, ...m.sections.map((s) => s.columns.length)));
    // CSV, the format for large matrices, is written piece by piece (one line per cell).
    if (opts.output === 'csv') for (const chunk of matrixCsvChunks(m)) io.stdout(chunk);
    else io.stdout(renderMatrix(m, opts.output));
    result.code = EXIT.FORWARDED;
  });
  return cmd;
}
