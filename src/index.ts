// The library: what the CLI does, as typed functions. Load a cluster (files, texts,
// Kubernetes objects or a shipped scenario), trace a flow named as on the command line, render
// the trace tree (text, JSON, cilium monitor, Hubble), compute the connectivity matrix. Bad
// input throws InputError (every problem with its file:line:col) or UsageError; nothing here
// prints or exits.
import { buildCluster, type Cluster } from './controlplane/cluster.js';
import { UsageError } from './errors.js';
import { resolveFlowArgs } from './cli/flow-args.js';
import { ciliumChoice } from './cli/cluster-source.js';
import { loadDefaultScenario, loadInputs, loadScenarioFile, resolveShippedScenario, listShippedScenarios } from './scenario/load.js';
import { readInputs } from './scenario/inputs.js';
import type { Scenario } from './scenario/types.js';
import { traceFlow, traceWithReply as traceBoth, DEFAULT_SPORT } from './trace/run.js';
import type { TraceResult } from './trace/tree.js';
import { dnsServerOf, traceByName } from './trace/by-name.js';
import { nameProblem } from './proxy/dns-proxy.js';
import { formatIpv4, parseIpv4, type Ipv4 } from './net/ip.js';
import { renderTrace } from './render/text.js';
import { renderJson, traceToJson } from './render/json.js';
import { renderMonitor } from './render/monitor.js';
import { renderHubble } from './render/hubble.js';
import { computeMatrix, type Matrix, type PortSpec } from './analysis/matrix.js';
import { applyMapsSource, mapsSourceOf } from './sysdump/maps-source.js';
export { openSysdump, isSysdumpPath } from './sysdump/index.js';
export type { Sysdump, SysdumpNode, SysdumpNote, SysdumpRelease, FlowsFile } from './sysdump/index.js';

export { InputError, UsageError, type Problem, type Position } from './errors.js';
export type { Cluster } from './controlplane/cluster.js';
export type { TraceResult, TraceNode, TraceContext, DropInfo } from './trace/tree.js';
export type { Matrix, MatrixSection, MatrixColumn, PortSpec } from './analysis/matrix.js';
export type { CellOutcome } from './analysis/outcome.js';
export { RELEASES, NEWEST, type CiliumRelease, type CiliumProfile } from './cilium/releases/release.js';
export { TOOL_VERSION } from './version.js';
export { renderTrace, renderJson, traceToJson, renderMonitor, renderHubble };

/** Where a cluster comes from; without one, the embedded cluster of seed note 000. */
export type ClusterSource =
  /** Files and directories, as `-f` takes them (scenario documents and Kubernetes manifests mixed). */
  | { readonly files: readonly string[] }
  /** YAML or JSON texts, each named for messages (`file:line:col`). */
  | { readonly texts: ReadonlyArray<{ readonly name: string; readonly text: string }> }
  /** Kubernetes (or cilium-trace Scenario) objects, e.g. from a Kubernetes client. */
  | { readonly objects: readonly unknown[]; readonly name?: string }
  /** A scenario shipped with the package, by name (default, l3-policy, services, …). */
  | { readonly scenario: string };

export interface LoadOptions {
  /** The Cilium release to simulate: 1.13, 1.16, 1.18 or the release (1.16.15); default: what the input says, else the newest. */
  readonly cilium?: string;
  /** With a sysdump among the files: trace over its nodes' map dumps (real, the default) or the computed maps. */
  readonly maps?: 'real' | 'computed';
}

/** Loads and validates a cluster, runs the control plane and fills every node's maps. */
export function loadCluster(source?: ClusterSource, options: LoadOptions = {}): Cluster {
  return applyMapsSource(buildCluster(loadScenarioOf(source, options)), mapsSourceOf(options.maps, 'maps:'), 'maps:').cluster;
}

function loadScenarioOf(source: ClusterSource | undefined, options: LoadOptions): Scenario {
  const cilium = ciliumChoice(options.cilium, 'cilium:');
  const opts = cilium ? { cilium } : {};
  if (!source) return loadDefaultScenario(opts);
  if ('files' in source) return loadInputs(source.files, () => { throw new UsageError('standard input (-) is not an input of the library (expected files or texts)'); }, opts);
  if ('texts' in source) {
    if (source.texts.length === 0) throw new UsageError('no input given (expected at least one text)');
    return readInputs(source.texts.map((t) => ({ file: t.name, text: t.text })), source.texts[0]?.name ?? 'cluster', cilium);
  }
  if ('objects' in source) {
    const name = source.name ?? 'objects';
    // One JSON document per line: messages point at the object's line.
    const text = source.objects.map((o) => JSON.stringify(o)).join('\n---\n');
    return readInputs([{ file: name, text }], name, cilium);
  }
  const found = resolveShippedScenario(source.scenario);
  if (!found) throw new UsageError(`unknown scenario '${source.scenario}' (expected one of: ${listShippedScenarios().join(', ')})`);
  return loadScenarioFile(found.path, found.display, opts);
}

/** A flow as the command line names it. */
export interface Flow {
  /** A pod (name, namespace/name, IP, NAMESPACE/WORKLOAD, NAMESPACE/KEY=VALUE), node:NAME, a node IP or an outside IPv4 address. */
  readonly src: string;
  /** As src, or a Service (svc:NAME, svc:NAMESPACE/NAME, NAME.NAMESPACE.svc). */
  readonly dst: string;
  /** icmp, tcp/PORT or udp/PORT; default icmp (a Service: its first port). */
  readonly proto?: string;
  /** TCP/UDP source port (default 43210). */
  readonly sport?: number;
  /** The Service backend to pick: its IP[:PORT] or its pod. */
  readonly backend?: string;
}

function specOf(cluster: Cluster, flow: Flow): Parameters<typeof traceFlow>[1] {
  const at = (text: string, col: number) => ({ text, col });
  const r = resolveFlowArgs(cluster, {
    src: at(flow.src, 1),
    dst: at(flow.dst, flow.src.length + 2),
    ...(flow.proto !== undefined ? { proto: at(flow.proto, flow.src.length + flow.dst.length + 3) } : {}),
    ...(flow.backend !== undefined ? { backend: flow.backend } : {}),
  });
  const sport = flow.sport ?? DEFAULT_SPORT;
  if (!Number.isInteger(sport) || sport < 1 || sport > 65535) throw new UsageError(`bad sport ${sport} (expected 1..65535)`);
  return { src: r.src, dstIp: r.dst.ip, ...(r.backend ? { backend: r.backend } : {}), proto: r.proto, dport: r.dport, sport, traceArp: false };
}

/** Traces one packet through the simulated datapath (fresh conntrack state). */
export function trace(cluster: Cluster, flow: Flow): TraceResult {
  return traceFlow(cluster, specOf(cluster, flow));
}

/** Traces the packet, then its reply on the conntrack entries the forward trace created. */
export function traceWithReply(cluster: Cluster, flow: Flow): { readonly forward: TraceResult; readonly reply: TraceResult | null } {
  return traceBoth(cluster, specOf(cluster, flow));
}

/** A flow to a DNS name: the answer the DNS server gives (cilium-trace has no resolver). */
export interface NamedFlow {
  readonly src: string;
  /** The DNS name, e.g. api.github.com. */
  readonly name: string;
  /** The answer's IPv4 addresses, in order; the connection goes to the first. */
  readonly answers: readonly string[];
  readonly proto?: string;
  readonly sport?: number;
}

/** What the application does: the lookup (to kube-system/kube-dns), then the connection over the maps the answer filled. */
export interface NamedTrace {
  readonly lookup: TraceResult;
  /** The node, endpoint, name and addresses the DNS proxy taught its agent; null when no proxy saw the answer. */
  readonly learned: { readonly node: string; readonly endpoint: string; readonly name: string; readonly ips: readonly string[] } | null;
  /** null: the lookup failed, so there is no connection. */
  readonly connection: TraceResult | null;
  readonly notes: readonly string[];
}

export function traceName(cluster: Cluster, flow: NamedFlow): NamedTrace {
  const server = dnsServerOf(cluster);
  if (!server) throw new UsageError('the cluster has no kube-system/kube-dns Service with udp/53 to send the lookup to');
  const problem = nameProblem(flow.name);
  if (problem) throw new UsageError(problem);
  const ips = flow.answers.map((a) => {
    const ip = parseIpv4(a);
    if (ip === undefined) throw new UsageError(`answer ${JSON.stringify(a)} is not an IPv4 address`);
    return ip;
  });
  if (ips.length === 0) throw new UsageError(`no answer for ${flow.name}: give its addresses`);
  const spec = specOf(cluster, { src: flow.src, dst: formatIpv4(ips[0] as Ipv4), ...(flow.proto !== undefined ? { proto: flow.proto } : {}), ...(flow.sport !== undefined ? { sport: flow.sport } : {}) });
  const t = traceByName(cluster, spec, flow.name, ips, server);
  return { lookup: t.lookup, learned: t.learned ? { node: t.learned.node, endpoint: t.learned.endpoint, name: t.learned.name, ips: t.learned.ips.map(formatIpv4) } : null, connection: t.connection, notes: t.notes };
}

export type OutputFormat = 'text' | 'json' | 'monitor' | 'hubble';

/** A trace as the CLI prints it (`-o FORMAT`, `-l LEVEL` for text). */
export function render(result: TraceResult, format: OutputFormat = 'text', level: 'detailed' | 'summary' | 'minimal' = 'detailed'): string {
  switch (format) {
    case 'json': return renderJson(result);
    case 'monitor': return renderMonitor(result);
    case 'hubble': return renderHubble(result);
    default: return renderTrace(result, level);
  }
}

export interface MatrixOptions {
  /** icmp, tcp/PORT, udp/PORT; default icmp. */
  readonly ports?: readonly string[];
  /** Keep pods of these namespaces; default all. */
  readonly namespaces?: readonly string[];
  /** Add the Services as destinations; default true. */
  readonly services?: boolean;
}

/** Who can reach whom: every pod (and Service) pair, per port, as `cilium-trace matrix` computes it. */
export function matrix(cluster: Cluster, options: MatrixOptions = {}): Matrix {
  const ports: PortSpec[] = (options.ports ?? ['icmp']).map((p) => {
    const m = /^(icmp|tcp|udp)(?:\/(\d{1,5}))?$/i.exec(p);
    const proto = m?.[1]?.toLowerCase() as PortSpec['proto'] | undefined;
    if (!m || !proto || (proto !== 'icmp' && m[2] === undefined)) throw new UsageError(`bad port '${p}' (expected icmp, tcp/PORT or udp/PORT)`);
    return { proto, port: m[2] === undefined ? null : Number(m[2]) };
  });
  return computeMatrix(cluster, { ports, namespaces: options.namespaces ?? [], selectors: [], services: options.services ?? true, keying: 'symmetric' });
}

/**
 * A trace (and, from traceWithReply, its reply: null when the forward packet was not
 * delivered) as the shareable report `-o markdown` or `-o html` prints. Async: the HTML file
 * inlines the SVG diagram, laid out by the WebAssembly Graphviz.
 */
export async function renderReport(forward: TraceResult, format: 'markdown' | 'html', options: { readonly reply?: TraceResult | null; readonly level?: 'detailed' | 'summary' | 'minimal'; /** --explain */ readonly explain?: boolean } = {}): Promise<string> {
  const { renderTraceReportAs } = await import('./render/report-output.js');
  const explain = options.explain ? (await import('./explain/topics/index.js')).traceExplainer() : undefined;
  return renderTraceReportAs(format, forward, options.reply, { level: options.level ?? 'detailed', ...(explain ? { explain } : {}) });
}
