// The command line. main(argv, io) returns the exit code, so tests run it in-process.
// Exit codes: 0 forwarded, 1 dropped, 2 bad input or usage (and paths not simulated), 3 bug.
import { Command, CommanderError, Option } from 'commander';
import { EXIT, InputError, UsageError } from '../errors.js';
import { renderJson } from '../render/json.js';
import { colourStyle, PLAIN } from '../render/style.js';
import { renderTrace, type Level } from '../render/text.js';
import { DEFAULT_SPORT, traceFlow } from '../trace/run.js';
import { loadCluster } from './cluster-source.js';
import { parseProto, resolveDestination, resolveSource, type ArgPos } from './endpoints.js';
import type { Io } from './io.js';
import { mapsCommand } from './maps-cmd.js';

export const HELP_AFTER = `
Exit codes: 0 forwarded, 1 dropped, 2 bad input, bad usage or a path that is not
simulated yet, 3 internal error (please report).

Examples:
  cilium-trace pod1 pod3 icmp                 pod1 → pod3 across nodes (VXLAN, VNI 47204)
  cilium-trace pod1 pod2 tcp/80 -l minimal    same node, one line per hop
  cilium-trace --scenario l3-policy app2 app1 tcp/8080 -o json
  cilium-trace maps ipcache --node node1      node1's cilium_ipcache as \`cilium bpf ipcache list\`
  cilium-trace maps policy pod2               pod2's cilium_policy_<EPID> as \`cilium bpf policy get\`
`;

interface TraceOpts {
  file?: string[];
  scenario?: string;
  output: 'text' | 'json';
  level: Level;
  sport: string;
  arp?: boolean;
  color?: boolean;
  debug?: boolean;
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

function argPositions(argv: readonly string[], values: readonly string[]): ArgPos[] {
  const cols: number[] = [];
  let col = 1;
  for (const a of argv) { cols.push(col); col += a.length + 1; }
  let from = 0;
  return values.map((v) => {
    const i = argv.indexOf(v, from);
    if (i >= 0) from = i + 1;
    return { text: v, col: i >= 0 ? (cols[i] ?? 1) : 1 };
  });
}

function useColour(io: Io, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '0') return true;
  return io.stdoutIsTTY;
}

function clusterOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --file <path>', 'scenario file (YAML); default: the embedded cluster of seed note 000').argParser(collect))
    .option('--scenario <name>', 'a shipped scenario by name (default, l3-policy)');
}

function buildProgram(io: Io, result: { code: number }): Command {
  const program = new Command('cilium-trace');
  program
    .description('Trace a packet through a simulated Cilium v1.13 eBPF datapath, step by step.')
    .usage('[options] SRC DST [PROTO[/PORT]]')
    .argument('[SRC]', 'source pod: name, namespace/name or its IPv4 address')
    .argument('[DST]', 'destination: pod name, namespace/name, or an IPv4 address')
    .argument('[PROTO]', 'icmp (default), tcp/PORT or udp/PORT')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('-l, --level <level>', 'detail of the text output').choices(['detailed', 'summary', 'minimal']).default('detailed'))
    .option('--sport <port>', 'TCP/UDP source port', String(DEFAULT_SPORT))
    .option('--arp', "trace the pod's ARP request for its gateway first (default: neighbour cached)")
    .option('--color', 'force colour')
    .option('--no-color', 'no colour (also NO_COLOR=1); colour is on only on a terminal')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError(false)
    .configureHelp({ helpWidth: 80 })
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (s, write) => write(s) })
    .exitOverride();
  clusterOptions(program);
  program.action((src: string | undefined, dst: string | undefined, proto: string | undefined, opts: TraceOpts, cmd: Command) => {
    if (!src || !dst) throw new UsageError('SRC and DST are required (try: cilium-trace pod1 pod3 icmp, or --help)');
    const cluster = loadCluster(opts);
    const [srcPos, dstPos, protoPos] = argPositions(cmd.parent?.args ?? program.args, [src, dst, ...(proto ? [proto] : [])]);
    const source = resolveSource(cluster, srcPos as ArgPos);
    const dstIp = resolveDestination(cluster, dstPos as ArgPos);
    const { proto: p, dport } = parseProto(protoPos);
    if (!/^\d{1,5}$/.test(opts.sport) || Number(opts.sport) < 1 || Number(opts.sport) > 65535) throw new UsageError(`bad --sport '${opts.sport}' (expected 1..65535)`);
    const r = traceFlow(cluster, { srcIp: source.pod.ip, dstIp, proto: p, dport, sport: Number(opts.sport), traceArp: opts.arp === true });
    io.stdout(opts.output === 'json' ? renderJson(r) : renderTrace(r, opts.level, useColour(io, opts.color) ? colourStyle() : PLAIN));
    result.code = r.verdict === 'FORWARDED' ? EXIT.FORWARDED : r.verdict === 'DROPPED' ? EXIT.DROPPED : EXIT.BAD_INPUT;
  });

  const maps = new Command('maps')
    .description("print a node's simulated BPF map in the cilium CLI's own format")
    .usage('MAP [POD|EPID] [--node NODE]')
    .argument('<MAP>', 'ipcache | endpoint | policy | tunnel | calls')
    .argument('[TARGET]', 'for policy: a pod (name or namespace/name) or an endpoint id')
    .configureHelp({ helpWidth: 80 })
    .option('--node <node>', "node whose map to print (default: the first node by name; for policy: the pod's node)")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (s, write) => write(s) })
    .exitOverride();
  clusterOptions(maps);
  maps.action((map: string, target: string | undefined, _opts: unknown, cmd: Command) => {
    // Cluster options may be written before or after `maps`; both levels declare them.
    const opts = cmd.optsWithGlobals<{ node?: string; file?: string[]; scenario?: string }>();
    const cluster = loadCluster(opts);
    io.stdout(mapsCommand(cluster, map, target, opts.node));
    result.code = EXIT.FORWARDED;
  });
  program.addCommand(maps);
  return program;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const result = { code: 0 };
  const debug = argv.includes('--debug');
  try {
    await buildProgram(io, result).parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.FORWARDED;
      return EXIT.BAD_INPUT; // commander already printed its one-line error
    }
    if (e instanceof InputError) {
      io.stderr(e.lines().join('\n') + '\n');
      return EXIT.BAD_INPUT;
    }
    if (e instanceof UsageError) {
      io.stderr(`cilium-trace: ${e.message}\n`);
      return EXIT.BAD_INPUT;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr(`cilium-trace: internal error: ${err.message} (please report this)\n`);
    if (debug && err.stack) io.stderr(err.stack + '\n');
    return EXIT.INTERNAL;
  }
}
