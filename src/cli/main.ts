// The command line. main(argv, io) returns the exit code, so tests run it in-process.
// Exit codes: 0 forwarded, 1 dropped, 2 bad input or usage (and paths not simulated), 3 bug.
import { Command, CommanderError, Option } from 'commander';
import { EXIT, InputError, UsageError } from '../errors.js';
import { parseIpv4 } from '../net/ip.js';
import { renderJson, traceToJson } from '../render/json.js';
import { renderMonitor } from '../render/monitor.js';
import { renderHubble } from '../render/hubble.js';
import { isDiagramFormat, renderDiagram } from '../render/diagram-output.js';
import { colourStyle, PLAIN } from '../render/style.js';
import { renderTrace, type Level } from '../render/text.js';
import { DEFAULT_SPORT, traceFlow, traceWithReply, withConntrackCopy } from '../trace/run.js';
import { requireTerminal, runStepMode } from '../interactive/step-cli.js';
import type { TraceResult } from '../trace/tree.js';
import type { CtStatus } from '../cilium/trace-points.js';
import { loadScenario, skippedSummary, type ClusterOptions } from './cluster-source.js';
import { buildCluster, type Cluster } from '../controlplane/cluster.js';
import { parseProto, resolveDestination, resolveSource, type ArgPos } from './endpoints.js';
import type { Io } from './io.js';
import { mapsCommand } from './maps-cmd.js';
import { validateCommand } from './validate-cmd.js';
import { shellCommand } from './commands/shell.js';
import { checkCommand, diffCommand, matrixCommand } from './commands/index.js';
import { exerciseCommand } from './commands/exercise.js';
import { devicesCommand } from './commands/devices.js';
import { explainCommand } from './commands/explain.js';
import { completionCommand } from './commands/completion.js';
import { traceExplainer } from '../explain/topics/index.js';

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
  output: 'text' | 'json' | 'monitor' | 'hubble' | 'mermaid' | 'dot' | 'svg';
  level: Level;
  sport: string;
  arp?: boolean;
  backend?: string;
  reply?: boolean;
  ct?: 'new' | 'established' | 'reply';
  color?: boolean;
  debug?: boolean;
  step?: boolean;
  explain?: boolean;
}

const CT_FLAG: Record<'new' | 'established' | 'reply', CtStatus> = { new: 'CT_NEW', established: 'CT_ESTABLISHED', reply: 'CT_REPLY' };

function parseBackend(text: string): { ip: number; port?: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d{1,5}))?$/.exec(text);
  const ip = m?.[1] === undefined ? undefined : parseIpv4(m[1]);
  if (!m || ip === undefined) throw new UsageError(`bad --backend '${text}' (expected IP or IP:PORT)`);
  return m[2] === undefined ? { ip } : { ip, port: Number(m[2]) };
}

function loadClusterReporting(opts: ClusterOptions, io: Io): Cluster {
  const scenario = loadScenario(opts);
  const skipped = skippedSummary(scenario);
  if (skipped) io.stderr(skipped + '\n');
  return buildCluster(scenario);
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
    .addOption(new Option('-f, --file <path>', 'cluster input: a scenario file, Kubernetes manifests (kubectl get -o yaml), a directory of them, or - for stdin; repeatable (default: the embedded cluster of seed note 000)').argParser(collect))
    .option('--scenario <name>', 'a shipped scenario by name (default, l3-policy)')
    .option('--max-input-size <bytes>', 'refuse an input file (or stdin) larger than this (default: 67108864, 64 MiB)');
}

function buildProgram(io: Io, result: { code: number }): Command {
  const program = new Command('cilium-trace');
  program
    .description('Trace a packet through a simulated Cilium v1.13 eBPF datapath, step by step.')
    .usage('[options] SRC DST [PROTO[/PORT]]')
    .argument('[SRC]', 'source: a pod (name, namespace/name or IP), node:NAME or a node IP (the host), or an IPv4 address outside the cluster')
    .argument('[DST]', 'destination: a pod (name or namespace/name), svc:NAME or svc:NAMESPACE/NAME, or an IPv4 address')
    .argument('[PROTO]', 'icmp (default; for svc: the first service port), tcp/PORT or udp/PORT')
    .addOption(new Option('-o, --output <format>', 'output format: text, json (the trace), monitor (cilium monitor lines), hubble (hubble observe -o json lines), mermaid (sequence diagram), dot (Graphviz), svg (rendered locally)').choices(['text', 'json', 'monitor', 'hubble', 'mermaid', 'dot', 'svg']).default('text'))
    .addOption(new Option('-l, --level <level>', 'detail of the text output').choices(['detailed', 'summary', 'minimal']).default('detailed'))
    .option('--sport <port>', 'TCP/UDP source port', String(DEFAULT_SPORT))
    .option('--backend <ip[:port]>', 'the Service backend to pick (default: the first slot; the datapath picks at random)')
    .option('--reply', 'then trace the reply on the conntrack entries the forward trace created')
    .addOption(new Option('--ct <state>', 'assume this conntrack state instead of looking it up').choices(['new', 'established', 'reply']))
    .option('--arp', "trace the pod's ARP request for its gateway first (default: neighbour cached)")
    .option('--explain', 'text output, detailed and summary levels: a line of prose under each step that has a topic (see: cilium-trace explain --list)')
    .option('--step', 'walk the trace one step at a time on a terminal (Enter next, b back, m map, p packet, e explain, q quit)')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour (also NO_COLOR=1); colour is on only on a terminal')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError(false)
    .configureHelp({ helpWidth: 80 })
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (s, write) => write(s) })
    .exitOverride();
  clusterOptions(program);
  program.action(async (src: string | undefined, dstArg: string | undefined, proto: string | undefined, opts: TraceOpts, cmd: Command) => {
    if (!src || !dstArg) throw new UsageError('SRC and DST are required (try: cilium-trace pod1 pod3 icmp, or --help)');
    if (opts.step) requireTerminal(io, opts.output);
    const cluster = loadClusterReporting(opts, io);
    const [srcPos, dstPos, protoPos] = argPositions(cmd.parent?.args ?? program.args, [src, dstArg, ...(proto ? [proto] : [])]);
    const dst = resolveDestination(cluster, dstPos as ArgPos);
    const source = resolveSource(cluster, srcPos as ArgPos, dst.ip);
    const firstPort = dst.service?.ports[0];
    const { proto: p, dport } = protoPos === undefined && firstPort !== undefined
      ? { proto: firstPort.protocol === 'UDP' ? 'udp' as const : 'tcp' as const, dport: firstPort.port }
      : parseProto(protoPos);
    const backend = opts.backend === undefined ? undefined : parseBackend(opts.backend);
    if (!/^\d{1,5}$/.test(opts.sport) || Number(opts.sport) < 1 || Number(opts.sport) > 65535) throw new UsageError(`bad --sport '${opts.sport}' (expected 1..65535)`);
    if (opts.reply && opts.ct) throw new UsageError('--reply and --ct do not go together: the reply uses the state the forward trace created');
    const ctState = opts.ct === undefined ? undefined : CT_FLAG[opts.ct];
    const spec = { src: source, dstIp: dst.ip, ...(backend ? { backend } : {}), ...(ctState ? { ctState } : {}), proto: p, dport, sport: Number(opts.sport), traceArp: opts.arp === true };
    const dp = withConntrackCopy(cluster.datapath); // kept: --step dumps the conntrack maps this trace wrote
    const { forward, reply } = opts.reply ? traceWithReply(cluster, spec, dp) : { forward: traceFlow(cluster, spec, dp), reply: null };
    const style = useColour(io, opts.color) ? colourStyle() : PLAIN;
    if (opts.step) {
      result.code = await runStepMode({ cluster, datapath: dp, forward, ...(opts.reply ? { reply } : {}), level: opts.level, style }, io);
      return;
    }
    const render = (r: TraceResult): string => (opts.output === 'json' ? renderJson(r) : opts.output === 'monitor' ? renderMonitor(r) : opts.output === 'hubble' ? renderHubble(r) : renderTrace(r, opts.level, style, opts.explain ? traceExplainer() : undefined));
    if (isDiagramFormat(opts.output)) io.stdout(await renderDiagram(opts.output, forward, reply));
    else if (opts.reply && opts.output === 'json') {
      io.stdout(JSON.stringify({ schema: 'cilium-trace/trace-with-reply/v1', forward: traceToJson(forward), reply: reply ? traceToJson(reply) : null }, null, 2) + '\n');
    } else {
      io.stdout(render(forward));
      if (opts.reply) io.stdout(reply ? (opts.output === 'text' ? `\n${style.bold('reply:')}\n` : '') + render(reply) : (opts.output === 'text' ? '\nno reply: the forward packet was not delivered\n' : ''));
    }
    const verdicts = [forward.verdict, ...(opts.reply ? [reply?.verdict ?? 'DROPPED'] : [])];
    result.code = verdicts.every((v) => v === 'FORWARDED') ? EXIT.FORWARDED : verdicts.includes('NOT_SIMULATED') && !verdicts.includes('DROPPED') ? EXIT.BAD_INPUT : EXIT.DROPPED;
  });

  const maps = new Command('maps')
    .description("print a node's simulated BPF map in the cilium CLI's own format")
    .usage('MAP [POD|EPID] [--node NODE]')
    .argument('<MAP>', 'ipcache | endpoint | policy | tunnel | lb | ct | nat | calls')
    .argument('[TARGET]', 'for policy: a pod (name or namespace/name) or an endpoint id')
    .configureHelp({ helpWidth: 80 })
    .option('--why', 'maps policy: after the table, which rule made each entry (file:line)')
    .option('--after <flow>', 'maps ct / maps nat: the entries after tracing "SRC DST [PROTO[/PORT]]" and its reply')
    .option('--node <node>', "node whose map to print (default: the first node by name; for policy: the pod's node)")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (s, write) => write(s) })
    .exitOverride();
  clusterOptions(maps);
  maps.action((map: string, target: string | undefined, _opts: unknown, cmd: Command) => {
    // Cluster options may be written before or after `maps`; both levels declare them.
    const opts = cmd.optsWithGlobals<{ node?: string; file?: string[]; scenario?: string; why?: boolean; after?: string }>();
    const cluster = loadClusterReporting(opts, io);
    io.stdout(mapsCommand(cluster, map, target, opts.node, opts.why === true, opts.after));
    result.code = EXIT.FORWARDED;
  });
  program.addCommand(maps);
  const validate = validateCommand(io, result, (o) => loadClusterReporting(o, io));
  clusterOptions(validate);
  program.addCommand(validate);
  program.enablePositionalOptions().addCommand(checkCommand(io, result)); // options after a subcommand are its own (check/matrix/diff have -o, -l, -f)
  program.addCommand(matrixCommand(io, result));
  program.addCommand(diffCommand(io, result));
  program.addCommand(exerciseCommand(io, result));
  program.addCommand(shellCommand(io, result));
  program.addCommand(clusterOptions(devicesCommand(io, result, (o) => loadClusterReporting(o, io))));
  program.addCommand(explainCommand(io, result));
  program.addCommand(clusterOptions(completionCommand(io, result, (o) => loadClusterReporting(o, io))));
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
