// The root command's action: `cilium-trace SRC DST [PROTO[/PORT]]`. Output formats other
// than text, --step and --explain load their modules when asked for, so a plain trace
// starts with only what it uses.
import type { Command } from 'commander';
import { EXIT, oneLine, UsageError, verdictExitCode } from '../errors.js';
import { parseIpv4 } from '../net/ip.js';
import { PLAIN, colourStyle } from '../render/style.js';
import { renderTrace, type Level } from '../render/text.js';
import { DEFAULT_SPORT, traceFlow, traceWithReply, withConntrackCopy } from '../trace/run.js';
import type { TraceResult } from '../trace/tree.js';
import type { CtStatus } from '../cilium/trace-points.js';
import type { Cluster } from '../controlplane/cluster.js';
import type { ClusterOptions } from './cluster-source.js';
import type { ArgPos } from './endpoints.js';
import { resolveFlowArgs } from './flow-args.js';
import { defaultHost, parseHttpArgs } from './http-args.js';
import { parseDnsQuery, parseResolve } from './dns-args.js';
import { nameProblem, queryName } from '../proxy/dns-proxy.js';
import { InputError } from '../errors.js';
import { terminalWidth, useColour, type Io } from './io.js';

export type TraceOutput = 'text' | 'json' | 'monitor' | 'hubble' | 'mermaid' | 'dot' | 'svg' | 'markdown' | 'html';
export const TRACE_OUTPUTS: readonly TraceOutput[] = ['text', 'json', 'monitor', 'hubble', 'mermaid', 'dot', 'svg', 'markdown', 'html'];

export interface TraceOpts extends ClusterOptions {
  output: TraceOutput;
  level: Level;
  sport: string;
  arp?: boolean;
  backend?: string;
  http?: string;
  header?: string[];
  host?: string;
  dnsQuery?: string;
  resolve?: string[];
  reply?: boolean;
  ct?: 'new' | 'established' | 'reply';
  color?: boolean;
  debug?: boolean;
  step?: boolean;
  explain?: boolean;
}

const CT_FLAG: Record<'new' | 'established' | 'reply', CtStatus> = { new: 'CT_NEW', established: 'CT_ESTABLISHED', reply: 'CT_REPLY' };

/** Where each positional argument starts on the command line (1-based column), for errors. */
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

/** Where each value of a repeatable option starts on the command line (--opt VALUE or --opt=VALUE). */
export function optionValues(argv: readonly string[], name: string, values: readonly string[]): ArgPos[] {
  const found: ArgPos[] = [];
  let col = 1;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === name && i + 1 < argv.length) found.push({ text: argv[i + 1] as string, col: col + a.length + 1 });
    else if (a.startsWith(`${name}=`)) found.push({ text: a.slice(name.length + 1), col: col + name.length + 1 });
    col += a.length + 1;
  }
  return values.map((v, i) => found.find((f) => f.text === v) ?? found[i] ?? { text: v, col: 1 });
}

function optionValue(argv: readonly string[], name: string, value: string | undefined): ArgPos | undefined {
  return value === undefined ? undefined : optionValues(argv, name, [value])[0];
}

/**
 * DST as a DNS name (api.github.com) that is no pod or Service: the address the user's answer
 * gives (--resolve, dns:), with the name and the whole answer, for the lookup leg.
 */
function resolveWithName(cluster: Parameters<typeof resolveFlowArgs>[0], a: Parameters<typeof resolveFlowArgs>[1], answers: ReadonlyMap<string, readonly string[]>): ReturnType<typeof resolveFlowArgs> & { byName?: { name: string; ips: readonly string[] } } {
  try {
    return resolveFlowArgs(cluster, a);
  } catch (e) {
    const name = a.dst.text;
    // Only an unknown DST that reads as a host name (its last label not a number: no IPv4 address).
    if (!(e instanceof InputError) || !e.problems.every((x) => x.pos.col === a.dst.col) || !/^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.[a-z_-][a-z0-9_-]*\.?$/i.test(name) || /\.svc(\.|$)/.test(name) || nameProblem(name)) throw e;
    const ips = answers.get(queryName(name));
    if (!ips || ips.length === 0) throw new InputError(e.problems.map((x) => ({ ...x, message: `${x.message}; as a DNS name it needs its answer: --resolve ${name.replace(/\.$/, '')}=IP (or a dns: section in a Scenario), cilium-trace has no resolver` })));
    const ip = ips[0] as string;
    const r = resolveFlowArgs(cluster, { ...a, dst: { ...a.dst, text: ip } });
    return { ...r, byName: { name, ips } };
  }
}

/** Text and monitor lines on a terminal wrap at its width, continuation rows under their step (F21). */
export async function stdoutWriter(io: Io, output: TraceOutput): Promise<(t: string) => void> {
  const width = output === 'text' || output === 'monitor' ? terminalWidth(io) : undefined;
  if (!width) return (t) => io.stdout(t);
  const { wrapText } = await import('../render/wrap.js');
  return (t) => io.stdout(wrapText(t, width));
}

/** The text of one trace in a non-diagram format. */
export async function renderer(opts: TraceOpts, style: typeof PLAIN): Promise<(r: TraceResult) => string> {
  switch (opts.output) {
    case 'json': return (await import('../render/json.js')).renderJson;
    case 'monitor': return (await import('../render/monitor.js')).renderMonitor;
    case 'hubble': return (await import('../render/hubble.js')).renderHubble;
    default: {
      const explainer = opts.explain ? (await import('../explain/topics/index.js')).traceExplainer() : undefined;
      return (r) => renderTrace(r, opts.level, style, explainer);
    }
  }
}

export function traceAction(io: Io, result: { code: number }, load: (opts: ClusterOptions) => Cluster) {
  return async (src: string | undefined, dstArg: string | undefined, proto: string | undefined, opts: TraceOpts, cmd: Command): Promise<void> => {
    if (!src || !dstArg) throw new UsageError('SRC and DST are required (try: cilium-trace pod1 pod3 icmp, or --help)');
    const stepCli = opts.step ? await import('../interactive/step-cli.js') : undefined;
    stepCli?.requireTerminal(io, opts.output);
    const cluster = load(opts);
    const [srcPos, dstPos, protoPos] = argPositions(cmd.parent?.args ?? cmd.args, [src, dstArg, ...(proto ? [proto] : [])]);
    const raw0 = (cmd.parent ?? cmd) as unknown as { rawArgs?: readonly string[] };
    const answers = new Map([...(cluster.scenario.dns ?? []).map((a) => [a.name, a.ips] as const), ...parseResolve(optionValues(raw0.rawArgs ?? [], '--resolve', opts.resolve ?? []))]);
    const { src: source, dst, proto: p, dport, backend, notes, byName } = resolveWithName(cluster, { src: srcPos as ArgPos, dst: dstPos as ArgPos, proto: protoPos, backend: opts.backend }, answers);
    for (const note of notes) io.stderr(oneLine(`cilium-trace: ${note}`) + '\n');
    if (!/^\d{1,5}$/.test(opts.sport) || Number(opts.sport) < 1 || Number(opts.sport) > 65535) throw new UsageError(`bad --sport '${opts.sport}' (expected 1..65535)`);
    if (opts.reply && opts.ct) throw new UsageError('--reply and --ct do not go together: the reply uses the state the forward trace created');
    const ctState = opts.ct === undefined ? undefined : CT_FLAG[opts.ct];
    const raw = (cmd.parent ?? cmd) as unknown as { rawArgs?: readonly string[] };
    const http = parseHttpArgs({ http: optionValue(raw.rawArgs ?? [], '--http', opts.http), headers: optionValues(raw.rawArgs ?? [], '--header', opts.header ?? []), host: optionValue(raw.rawArgs ?? [], '--host', opts.host) }, p, defaultHost(dst, dport));
    if (http && opts.reply) throw new UsageError('--reply and --http do not go together: the server\'s response goes back through Envoy (ct_state->proxy_redirect), which is not simulated');
    const dns = parseDnsQuery(optionValue(raw.rawArgs ?? [], '--dns-query', opts.dnsQuery), p, answers);
    if (dns && http) throw new UsageError('--dns-query and --http do not go together: a flow carries a DNS query or an HTTP request');
    const spec = { src: source, dstIp: dst.ip, ...(backend ? { backend } : {}), ...(ctState ? { ctState } : {}), ...(http ? { http } : {}), ...(dns ? { dns } : {}), proto: p, dport, sport: Number(opts.sport), traceArp: opts.arp === true };
    if (byName) {
      if (dns) throw new UsageError(`--dns-query does not go with a name as DST: the trace looks ${byName.name} up itself (its first leg)`);
      if (stepCli) throw new UsageError('--step does not go with a name as DST (two traces: the lookup, then the connection); step through each: SRC svc:kube-system/kube-dns udp/53 --dns-query NAME, then SRC IP');
      const { traceNamed } = await import('./trace-by-name.js');
      const style = useColour(io, opts.color) ? await colourStyle() : PLAIN;
      result.code = await traceNamed(io, cluster, spec, byName, opts, style, (o, st) => renderer(o, st));
      return;
    }
    const dp = withConntrackCopy(cluster.datapath); // kept: --step dumps the conntrack maps this trace wrote
    const { forward, reply } = opts.reply ? traceWithReply(cluster, spec, dp) : { forward: traceFlow(cluster, spec, dp), reply: null };
    const style = useColour(io, opts.color) ? await colourStyle() : PLAIN;
    if (stepCli) {
      result.code = await stepCli.runStepMode({ cluster, datapath: dp, forward, ...(opts.reply ? { reply } : {}), level: opts.level, style }, io);
      return;
    }
    if (opts.output === 'markdown' || opts.output === 'html') {
      // A report to share: verdict and why first, then the hops (and the diagram in HTML).
      const explain = opts.explain ? (await import('../explain/topics/index.js')).traceExplainer() : undefined;
      const { renderTraceReportAs } = await import('../render/report-output.js');
      io.stdout(await renderTraceReportAs(opts.output, forward, opts.reply ? reply : undefined, { level: opts.level, ...(explain ? { explain } : {}) }));
    } else if (opts.output === 'mermaid' || opts.output === 'dot' || opts.output === 'svg') {
      const { renderDiagram } = await import('../render/diagram-output.js');
      io.stdout(await renderDiagram(opts.output, forward, reply));
    } else if (opts.reply && opts.output === 'json') {
      const { traceToJson } = await import('../render/json.js');
      io.stdout(JSON.stringify({ schema: 'cilium-trace/trace-with-reply/v1', forward: traceToJson(forward), reply: reply ? traceToJson(reply) : null }, null, 2) + '\n');
    } else {
      const render = await renderer(opts, style);
      const out = await stdoutWriter(io, opts.output);
      out(render(forward));
      if (opts.reply) out(reply ? (opts.output === 'text' ? `\n${style.bold('reply:')}\n` : '') + render(reply) : (opts.output === 'text' ? '\nno reply: the forward packet was not delivered\n' : ''));
    }
    // No reply (the forward packet was not delivered): the forward verdict decides.
    result.code = verdictExitCode([forward.verdict, ...(reply ? [reply.verdict] : [])]);
  };
}
