// Shared plumbing of the subcommands (and the root program): the commander conventions of
// main.ts (exitOverride, output through io, help width 80), cluster options accepted both
// before and after the command name, and loading with the "skipped objects" note.
import { Command, Option } from 'commander';
import { buildCluster, type Cluster } from '../../controlplane/cluster.js';
import { UsageError } from '../../errors.js';
import { ignoredInputsNote, loadScenario, skippedSummary, type ClusterOptions } from '../cluster-source.js';
import { CILIUM_OPTION_HELP } from '../../version.js';
import { loadNotes } from '../../scenario/load-notes.js';
import { commanderOutput, type Io } from '../io.js';
import type { PortSpec } from '../../analysis/matrix.js';
import { listShippedScenarios } from '../../scenario/load.js';
import { applyMapsSource, mapsSourceOf, MAPS_OPTION_HELP } from '../../sysdump/maps-source.js';

/** --scenario's help: the scenarios the package ships, read from its scenarios/ directory. */
export function scenarioHelp(what = 'a shipped scenario by name'): string {
  const names = listShippedScenarios();
  return names.length > 0 ? `${what} (${names.join(', ')})` : what;
}

export const MAX_INPUT_SIZE_HELP = 'refuse an input file (or stdin) larger than this (default: 4294967296, 4 GiB)';

export function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/** main.ts's conventions: help width 80, output through io, commander errors thrown (exit 2). */
export function conventions<T extends Command>(cmd: T, io: Io): T {
  cmd
    .configureHelp({ helpWidth: 80 })
    .configureOutput(commanderOutput(io))
    .showHelpAfterError(false)
    .exitOverride();
  return cmd;
}

export function newCommand(name: string, io: Io): Command {
  return conventions(new Command(name), io);
}

export function addClusterOptions(cmd: Command, suffix = '', what = 'cluster input', alias = ''): Command {
  const long = suffix === '' ? '-f, --file <path>' : `--f${suffix}, --file${suffix} <path>`;
  cmd
    .addOption(new Option(long, `${what}${alias}: a scenario file, Kubernetes manifests, a directory of them, or - for stdin; repeatable`).argParser(collect))
    .option(`--scenario${suffix} <name>`, scenarioHelp(`${what}: a shipped scenario by name`))
    .option(`--cilium${suffix} <release>`, suffix === '' ? CILIUM_OPTION_HELP : `the Cilium release of ${what} (default: as --cilium, else what its input says)`);
  // One limit for every input of the command (diff's --f2 side too).
  if (suffix === '') cmd.option('--max-input-size <bytes>', MAX_INPUT_SIZE_HELP);
  cmd.option(`--maps${suffix} <source>`, suffix === '' ? MAPS_OPTION_HELP : `the maps of ${what}: real or computed (default: as --maps)`);
  return cmd;
}

/** -f/--scenario written after the command name, else before it (the root program's). */
export function clusterOptionsOf(cmd: Command): ClusterOptions {
  type Own = { file?: string[]; scenario?: string; cilium?: string; maxInputSize?: string; maps?: string };
  const own = cmd.opts<Own>();
  const root = cmd.parent?.opts<Own>() ?? {};
  const file = [...(root.file ?? []), ...(own.file ?? [])];
  const scenario = own.scenario ?? root.scenario;
  const cilium = own.cilium ?? root.cilium;
  const maxInputSize = own.maxInputSize ?? root.maxInputSize;
  const maps = own.maps ?? root.maps;
  return { ...(file.length > 0 ? { file } : {}), ...(scenario !== undefined ? { scenario } : {}), ...(cilium !== undefined ? { cilium } : {}), ...(maxInputSize !== undefined ? { maxInputSize } : {}), ...(maps !== undefined ? { maps } : {}) };
}

export function loadCluster(opts: ClusterOptions, io: Io): Cluster {
  const scenario = loadScenario(opts);
  const ignored = ignoredInputsNote(scenario);
  if (ignored) io.stderr(ignored + '\n');
  for (const line of loadNotes(scenario)) io.stderr(line + '\n');
  const skipped = skippedSummary(scenario);
  if (skipped) io.stderr(skipped + '\n');
  const real = applyMapsSource(buildCluster(scenario), mapsSourceOf(opts.maps, opts.mapsFlag), opts.mapsFlag);
  for (const line of real.lines) io.stderr(line + '\n');
  return real.cluster;
}

/** A repeatable "-p PROTO[/PORT]" value: icmp, tcp/80, udp/53. */
export function parsePortSpec(text: string): PortSpec {
  const m = /^(icmp|tcp|udp)(?:\/(\d{1,5}))?$/i.exec(text);
  const proto = m?.[1]?.toLowerCase() as PortSpec['proto'] | undefined;
  if (!m || !proto) throw new UsageError(`bad --port '${text}' (expected icmp, tcp/PORT or udp/PORT)`);
  if (proto === 'icmp') {
    if (m[2] !== undefined) throw new UsageError(`bad --port '${text}': icmp takes no port (expected icmp)`);
    return { proto, port: null };
  }
  const port = Number(m[2]);
  if (m[2] === undefined || port < 1 || port > 65535) throw new UsageError(`bad --port '${text}' (expected ${proto}/PORT with PORT 1..65535)`);
  return { proto, port };
}

/** "--selector k=v[,k=v…]" values (kubectl -l's equality form): every pair must match. */
export function parseSelector(text: string): Array<readonly [string, string]> {
  return text.split(',').map((pair) => {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`bad --selector '${text}' (expected KEY=VALUE[,KEY=VALUE…], e.g. app=web)`);
    return [pair.slice(0, i), pair.slice(i + 1).replace(/^=/, '')] as const;
  });
}

/**
 * Progress on stderr, only on a terminal and only for work that takes more than a moment
 * (1,000 traces ≈ 0.2 s; the count, not the clock, decides, so output never depends on timing).
 */
export function progressReporter(io: Io, what: string, minimum = 1000, unit = 'distinct flows traced'): ((done: number, total: number) => void) | undefined {
  if (io.stderrIsTTY !== true) return undefined;
  let shown = -1;
  return (done, total) => {
    if (total < minimum) return;
    const pct = Math.floor((done * 100) / total);
    if (pct !== shown) {
      shown = pct;
      io.stderr(`\r${what}: ${done}/${total} ${unit} (${pct}%)`);
    }
    if (done === total) io.stderr('\r\x1b[K');
  };
}
