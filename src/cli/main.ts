// The command line. main(argv, io) returns the exit code, so tests run it in-process.
// Exit codes: 0 forwarded, 1 dropped, 2 bad input or usage, 3 bug, 4 a path not simulated.
// Start-up is most of a single trace's time, so a subcommand's module is loaded only when
// that subcommand runs (all of them for help and completion).
import { Command, CommanderError, Option } from 'commander';
import { EXIT, InputError, UsageError } from '../errors.js';
import type { Cluster } from '../controlplane/cluster.js';
import type { ClusterOptions } from './cluster-source.js';
import { collect, conventions, loadCluster, MAX_INPUT_SIZE_HELP, scenarioHelp } from './commands/common.js';
import type { Io } from './io.js';
import { DEFAULT_SPORT } from '../trace/run.js';
import { TRACE_OUTPUTS, traceAction } from './trace-cmd.js';
import { CILIUM_OPTION_HELP, versionText } from '../version.js';
import { MAPS_OPTION_HELP } from '../sysdump/maps-source.js';

export const HELP_AFTER = `
Exit codes: 0 forwarded, 1 dropped, 2 bad input or bad usage, 3 internal error
(please report), 4 not simulated (the packet reached a part cilium-trace does not
simulate: an L7 proxy redirect, an egress gateway, …; the trace says which).

Examples:
  cilium-trace pod1 pod3 icmp                 pod1 → pod3 across nodes (VXLAN, VNI 47204)
  cilium-trace pod1 pod2 tcp/80 -l minimal    same node, one line per hop
  cilium-trace --scenario l3-policy app2 app1 tcp/8080 -o json
  cilium-trace maps ipcache --node node1      node1's cilium_ipcache as \`cilium bpf ipcache list\`
  cilium-trace maps policy pod2               pod2's cilium_policy_<EPID> as \`cilium bpf policy get\`
`;

type Load = (opts: ClusterOptions) => Cluster;
interface Context {
  readonly io: Io;
  readonly result: { code: number };
  readonly load: Load;
}

/** The subcommands in help order; `cluster`: -f/--scenario are declared on the subcommand too; `hidden`: not in help (completion's callback). */
const SUBCOMMANDS: ReadonlyArray<{ readonly name: string; readonly cluster?: true; readonly hidden?: true; readonly make: (c: Context) => Promise<Command> }> = [
  { name: 'maps', cluster: true, make: async (c) => (await import('./commands/maps.js')).mapsCommandDef(c.io, c.result, c.load) },
  { name: 'validate', cluster: true, make: async (c) => (await import('./validate-cmd.js')).validateCommand(c.io, c.result, c.load) },
  { name: 'check', make: async (c) => (await import('./commands/check.js')).checkCommand(c.io, c.result) },
  { name: 'matrix', make: async (c) => (await import('./commands/matrix.js')).matrixCommand(c.io, c.result) },
  { name: 'diff', make: async (c) => (await import('./commands/diff.js')).diffCommand(c.io, c.result) },
  { name: 'exercise', make: async (c) => (await import('./commands/exercise.js')).exerciseCommand(c.io, c.result) },
  { name: 'shell', make: async (c) => (await import('./commands/shell.js')).shellCommand(c.io, c.result) },
  { name: 'devices', cluster: true, make: async (c) => (await import('./commands/devices.js')).devicesCommand(c.io, c.result, c.load) },
  { name: 'explain', make: async (c) => (await import('./commands/explain.js')).explainCommand(c.io, c.result) },
  { name: 'drift', make: async (c) => (await import('./commands/drift.js')).driftCommand(c.io, c.result) },
  { name: 'replay', cluster: true, make: async (c) => (await import('./commands/replay.js')).replayCommand(c.io, c.result, c.load) },
  { name: 'export', cluster: true, make: async (c) => (await import('./commands/export.js')).exportCommand(c.io, c.result, c.load) },
  { name: 'completion', cluster: true, make: async (c) => (await import('./commands/completion.js')).completionCommand(c.io, c.result) },
  { name: '__complete', hidden: true, make: async (c) => (await import('./commands/completion.js')).completeCommand(c.io, c.result) },
];

function clusterOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --file <path>', 'cluster input: a scenario file, Kubernetes manifests (kubectl get -o yaml), a directory of them, or - for stdin; repeatable (default: the embedded cluster of seed note 000)').argParser(collect))
    .option('--scenario <name>', scenarioHelp())
    .option('--max-input-size <bytes>', MAX_INPUT_SIZE_HELP)
    .option('--cilium <release>', CILIUM_OPTION_HELP)
    .option('--maps <source>', MAPS_OPTION_HELP);
}

/** The root program: the trace itself, without subcommands. */
function traceProgram(c: Context): Command {
  const program = conventions(new Command('cilium-trace'), c.io);
  program
    .description('Trace a packet through a simulated Cilium eBPF datapath (v1.13.0, v1.16.15 or v1.18.3: --cilium), step by step.')
    .version(versionText(), '-V, --version', 'print the version and the Cilium releases it models')
    .usage('[options] SRC DST [PROTO[/PORT]]')
    .argument('[SRC]', 'source: a pod (name, namespace/name or IP; or NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE: the first of their pods by name), node:NAME or a node IP (the host), or an IPv4 address outside the cluster')
    .argument('[DST]', 'destination: a pod (as SRC), node:NAME, a Service (svc:NAME, svc:NAMESPACE/NAME or NAME.NAMESPACE.svc), an IPv4 address, or a DNS name with its answer (--resolve): the lookup is traced first, then the connection')
    .argument('[PROTO]', 'icmp (default; for svc: the first service port), tcp/PORT or udp/PORT')
    .addOption(new Option('-o, --output <format>', 'output format: text, json (the trace), monitor (cilium monitor lines), hubble (hubble observe -o json lines), mermaid (sequence diagram), dot (Graphviz), svg (rendered locally), markdown (a report for a pull request or ticket), html (one self-contained report file)').choices(TRACE_OUTPUTS).default('text'))
    .addOption(new Option('-l, --level <level>', 'detail of the text output').choices(['detailed', 'summary', 'minimal']).default('detailed'))
    .option('--sport <port>', 'TCP/UDP source port', String(DEFAULT_SPORT))
    .option('--backend <ip|pod>', 'the Service backend to pick: its IP[:PORT] or its pod (as SRC) (default: the first slot; the datapath picks at random)')
    .option('--http <request>', "the HTTP request on a TCP connection, 'METHOD /PATH' (e.g. 'PUT /v1/exhaust-port'): at an HTTP proxy redirect Envoy's rules are simulated for it (without it the trace ends there, NOT_SIMULATED, listing the rules)")
    .option('--header <header>', "an HTTP request header 'Name: value' (repeatable; needs --http)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--dns-query <name>', 'the DNS query (type A) a flow to port 53 carries: at a DNS proxy redirect the rules.dns of the policy are simulated for it')
    .option('--resolve <name=ips>', 'NAME=IP[,IP…]: the answer the DNS server gives for NAME (repeatable; cilium-trace has no resolver)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--host <name>', 'the HTTP Host (:authority) (default: the Service DNS name NAME.NAMESPACE.svc.cluster.local when DST is a Service, else the address; :PORT unless 80)')
    .option('--reply', 'then trace the reply on the conntrack entries the forward trace created')
    .addOption(new Option('--ct <state>', 'assume this conntrack state instead of looking it up').choices(['new', 'established', 'reply']))
    .option('--arp', "trace the pod's ARP request for its gateway first (default: neighbour cached)")
    .option('--explain', 'text, markdown and html output, detailed and summary levels: a line of prose under each step that has a topic (see: cilium-trace explain --list)')
    .option('--step', 'walk the trace one step at a time on a terminal (Enter next, b back, m map, p packet, e explain, q quit)')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour (also NO_COLOR=1); colour is on only on a terminal')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', HELP_AFTER)
    .enablePositionalOptions(); // options after a subcommand are its own (check/matrix/diff have -o, -l, -f)
  clusterOptions(program);
  program.action(traceAction(c.io, c.result, c.load));
  return program;
}

/**
 * Which subcommands this command line needs: the one named by its first positional
 * argument, none for a trace, all for help, completion and anything unclear. Option values
 * are skipped by asking the program which of its options take one.
 */
function subcommandsFor(program: Command, argv: readonly string[]): readonly string[] | 'all' {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return [];
    if (arg === '-h' || arg === '--help') return 'all';
    if (arg.startsWith('-') && arg !== '-') {
      const option = program.options.find((o) => o.short === arg || o.long === arg);
      if (option && (option.required || option.optional)) i++; // --file PATH, -o json
      continue;
    }
    if (arg === 'help' || arg === 'completion') return 'all';
    return SUBCOMMANDS.some((s) => s.name === arg) ? [arg] : [];
  }
  return 'all';
}

async function buildProgram(argv: readonly string[], io: Io, result: { code: number }): Promise<Command> {
  const c: Context = { io, result, load: (o) => loadCluster(o, io) };
  const program = traceProgram(c);
  const wanted = subcommandsFor(program, argv);
  for (const sub of SUBCOMMANDS) {
    if (wanted !== 'all' && !wanted.includes(sub.name)) continue;
    const cmd = await sub.make(c);
    program.addCommand(sub.cluster ? clusterOptions(cmd) : cmd, { hidden: sub.hidden === true });
  }
  return program;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const result = { code: 0 };
  const debug = argv.includes('--debug');
  try {
    await (await buildProgram(argv, io, result)).parseAsync([...argv], { from: 'user' });
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
