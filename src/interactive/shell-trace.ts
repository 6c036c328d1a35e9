// The shell's `trace` and `maps` argument parsing: the command line's own options and rules
// (commander, src/cli/endpoints.ts), with the session's `set` values as defaults.
import { defaultHost, parseHttpArgs } from '../cli/http-args.js';
import { Command, Option } from 'commander';
import type { Cluster } from '../controlplane/cluster.js';
import { oneLine, UsageError } from '../errors.js';
import type { CtStatus } from '../cilium/trace-points.js';
import { resolveFlowArgs } from '../cli/flow-args.js';
import { MAP_NAMES } from '../cli/maps-cmd.js';
import type { Level } from '../render/text.js';
import { DEFAULT_SPORT, type FlowSpec } from '../trace/run.js';
import type { Word } from './shell-words.js';

export const OUTPUTS = ['text', 'json', 'monitor', 'hubble', 'mermaid', 'dot', 'svg'] as const;
export type Output = (typeof OUTPUTS)[number];
export const LEVELS: readonly Level[] = ['detailed', 'summary', 'minimal'];
export const CT_STATES = ['new', 'established', 'reply'] as const;
export type CtFlag = (typeof CT_STATES)[number];
export const CT_FLAG: Readonly<Record<CtFlag, CtStatus>> = { new: 'CT_NEW', established: 'CT_ESTABLISHED', reply: 'CT_REPLY' };

export interface TraceDefaults {
  readonly output: Output;
  readonly level: Level;
  readonly ct: CtFlag | undefined;
  readonly backend: string | undefined;
}

export interface TraceRequest {
  readonly spec: FlowSpec;
  readonly reply: boolean;
  readonly output: Output;
  readonly level: Level;
  readonly step: boolean;
  readonly explain: boolean;
}

export interface Writers {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

function command(name: string, w: Writers): Command {
  return new Command(name)
    .configureHelp({ helpWidth: 80 })
    .configureOutput({ writeOut: w.stdout, writeErr: w.stderr, outputError: (s, write) => write(s) })
    .showHelpAfterError(false)
    .exitOverride();
}

export const TRACE_OPTIONS = ['-o', '--output', '-l', '--level', '--sport', '--backend', '--http', '--header', '--host', '--reply', '--ct', '--arp', '--explain', '--step', '-h', '--help'] as const;

function traceCommand(d: TraceDefaults, w: Writers): Command {
  return command('trace', w)
    .description('trace a packet, as `cilium-trace SRC DST [PROTO]` does, on the conntrack state this shell keeps')
    .usage('SRC DST [PROTO[/PORT]] [options]')
    .argument('<SRC>', 'a pod (name, namespace/name or IP; or NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE: the first of their pods), node:NAME or a node IP, or an IPv4 address outside the cluster')
    .argument('<DST>', 'a pod (as SRC), node:NAME, svc:NAME, svc:NAMESPACE/NAME or NAME.NAMESPACE.svc, or an IPv4 address')
    .argument('[PROTO]', 'icmp (default; for svc: the first service port), tcp/PORT or udp/PORT')
    .addOption(new Option('-o, --output <format>', 'output format: text, json, monitor, hubble, mermaid, dot, svg (as cilium-trace -o)').choices(OUTPUTS).default(d.output))
    .addOption(new Option('-l, --level <level>', 'detail of the text output').choices(LEVELS).default(d.level))
    .option('--sport <port>', 'TCP/UDP source port', String(DEFAULT_SPORT))
    .option('--backend <ip|pod>', `the Service backend to pick: its IP[:PORT] or its pod${d.backend ? ` (set: ${d.backend})` : ''}`)
    .option('--http <request>', "the HTTP request 'METHOD /PATH' on a TCP connection: Envoy's HTTP rules are simulated for it at a proxy redirect")
    .option('--header <header>', "an HTTP request header 'Name: value' (repeatable; needs --http)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--host <name>', 'the HTTP Host (default: the Service DNS name, else the address)')
    .option('--reply', 'then trace the reply')
    .addOption(new Option('--ct <state>', `assume this conntrack state instead of looking it up${d.ct ? ` (set: ${d.ct})` : ''}`).choices(CT_STATES))
    .option('--arp', "trace the pod's ARP request for its gateway first")
    .option('--explain', 'a line of prose under each step that has a topic (text output)')
    .option('--step', 'walk the trace one step at a time (on a terminal)');
}

/** Parses `trace …` words; undefined when commander printed help. Throws CommanderError, InputError, UsageError. */
export function parseTrace(cluster: Cluster, words: readonly Word[], d: TraceDefaults, w: Writers): TraceRequest | undefined {
  const cmd = traceCommand(d, w);
  let helped = true;
  cmd.action(() => { helped = false; });
  cmd.parse(words.map((x) => x.text), { from: 'user' });
  if (helped) return undefined;
  const o = cmd.opts<{ output: Output; level: Level; sport: string; backend?: string; http?: string; header?: string[]; host?: string; reply?: boolean; ct?: CtFlag; arp?: boolean; step?: boolean; explain?: boolean }>();
  const args = cmd.processedArgs as [string, string, string | undefined];
  // Positions: the words that are the arguments, in order (options and their values skipped).
  const optionValue = new Set(['-o', '--output', '-l', '--level', '--sport', '--backend', '--ct', '--http', '--header', '--host']);
  const positional: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    const x = words[i] as Word;
    if (optionValue.has(x.text)) { i++; continue; }
    if (!x.text.startsWith('-')) positional.push(x);
  }
  const [srcW, dstW, protoW] = positional;
  const at = (text: string, word: Word | undefined) => ({ text, col: word?.text === text ? word.col : 1 });
  const r = resolveFlowArgs(cluster, { src: at(args[0], srcW), dst: at(args[1], dstW), proto: args[2] === undefined ? undefined : at(args[2], protoW), backend: o.backend, defaultBackend: d.backend });
  const { src, proto, dport, backend } = r;
  const dst = r.dst;
  if (!/^\d{1,5}$/.test(o.sport) || Number(o.sport) < 1 || Number(o.sport) > 65535) throw new UsageError(`bad --sport '${o.sport}' (expected 1..65535)`);
  if (o.reply && o.ct) throw new UsageError('--reply and --ct do not go together: the reply uses the state the forward trace created');
  for (const note of r.notes) w.stderr(oneLine(`note: ${note}`) + '\n');
  // The `set ct` default gives way to --reply, which needs the real state.
  const ct = o.ct ?? (o.reply ? undefined : d.ct);
  // The value of an option, positioned at its word (--opt VALUE).
  const valuesOf = (name: string, values: readonly string[]) => values.map((v) => {
    const i = words.findIndex((x, j) => j > 0 && words[j - 1]?.text === name && x.text === v);
    return { text: v, col: i >= 0 ? (words[i] as Word).col : 1 };
  });
  const http = parseHttpArgs({ http: o.http === undefined ? undefined : valuesOf('--http', [o.http])[0], headers: valuesOf('--header', o.header ?? []), host: o.host === undefined ? undefined : valuesOf('--host', [o.host])[0] }, proto, defaultHost(dst, dport));
  if (http && o.reply) throw new UsageError('--reply and --http do not go together: the server\'s response goes back through Envoy (ct_state->proxy_redirect), which is not simulated');
  const spec: FlowSpec = { src, dstIp: dst.ip, proto, dport, sport: Number(o.sport), traceArp: o.arp === true, ...(backend ? { backend } : {}), ...(ct ? { ctState: CT_FLAG[ct] } : {}), ...(http ? { http } : {}) };
  return { spec, reply: o.reply === true, output: o.output, level: o.level, step: o.step === true, explain: o.explain === true };
}

export interface MapsRequest {
  readonly map: string;
  readonly target: string | undefined;
  readonly node: string | undefined;
  readonly why: boolean;
  readonly after: string | undefined;
}

/** Parses `maps …` words; undefined when commander printed help. */
export function parseMaps(words: readonly Word[], w: Writers): MapsRequest | undefined {
  const cmd = command('maps', w)
    .description("print a node's simulated BPF map in the cilium CLI's own format (ct and nat: this shell's conntrack state)")
    .usage('MAP [POD|EPID] [--node NODE]')
    .argument('<MAP>', MAP_NAMES.join(' | '))
    .argument('[TARGET]', 'for policy: a pod (name or namespace/name) or an endpoint id')
    .option('--why', 'maps policy: after the table, which rule made each entry (file:line)')
    .option('--after <flow>', 'maps ct / maps nat: the entries after also tracing "SRC DST [PROTO[/PORT]]" and its reply (the shell state is left as it was)')
    .option('--node <node>', "node whose map to print (default: the first node by name; for policy: the pod's node)");
  let helped = true;
  cmd.action(() => { helped = false; });
  cmd.parse(words.map((x) => x.text), { from: 'user' });
  if (helped) return undefined;
  const o = cmd.opts<{ node?: string; why?: boolean; after?: string }>();
  const [map, target] = cmd.processedArgs as [string, string | undefined];
  return { map, target, node: o.node, why: o.why === true, after: o.after };
}
