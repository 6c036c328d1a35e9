// Replays Hubble flows on the simulated cluster. The events of one packet (a policy verdict
// and its drop, the trace events at each observation point, retransmissions) are grouped by
// their 5-tuple and direction; each group is mapped onto the cluster (map-flow.ts),
// re-simulated from a fresh conntrack table, and its verdict and drop reason compared with
// what Hubble saw. A disagreement is a finding (the node's real state differs from what the
// objects compute, or cilium-trace models the case wrong); so is a flow that cannot be mapped.
import type { Cluster } from '../controlplane/cluster.js';
import { formatIpv4 } from '../net/ip.js';
import { traceFlow, traceWithReply, type FlowSource, type FlowSpec } from '../trace/run.js';
import type { TraceNode, TraceResult } from '../trace/tree.js';
import type { FlowEnd, HubbleEvent } from './flows-file.js';
import { endName, mapEnd, type MappedEnd } from './map-flow.js';
import { groupEvents, isOuterHeader, isReplyEvent, mergeConnections, observe } from './packets.js';
import type { FlowSide, Observed, ReplayedFlow, ReplayReport, Simulated, Status } from './types.js';

export type { FlowSide, Observed, ReplayedFlow, ReplayReport, Simulated, Status } from './types.js';
export { groupEvents } from './packets.js';

function sideOf(end: FlowEnd, mapped: MappedEnd | null): FlowSide {
  const name = mapped ? endName(mapped) : null;
  let workload: string;
  if (end.workload !== null && end.namespace !== null) workload = `${end.namespace}/${end.workload}`;
  else if (mapped?.kind === 'pod') {
    const o = mapped.ep.pod.owner;
    // A ReplicaSet's pods belong to the Deployment whose name it carries before the hash.
    const owner = o ? (o.kind === 'ReplicaSet' ? o.name.replace(/-[a-z0-9]{5,10}$/, '') : o.name) : mapped.ep.pod.name;
    workload = `${mapped.ep.pod.namespace}/${owner}`;
  } else if (mapped) workload = mapped.kind === 'world' ? `world (${formatIpv4(mapped.ip)})` : endName(mapped);
  else workload = end.namespace !== null && end.pod !== null ? `${end.namespace}/${end.pod}` : end.ip ?? 'unknown';
  return { ip: end.ip, port: end.port, name, workload };
}

function sourceOf(cluster: Cluster, src: MappedEnd, dst: MappedEnd, flowNode: string | null): FlowSource | string {
  switch (src.kind) {
    case 'pod': return { kind: 'pod', ip: src.ip };
    case 'host': return { kind: 'host', node: src.node, ip: src.ip };
    case 'service': return `the source ${formatIpv4(src.ip)} is svc:${src.service}'s ClusterIP, which sends nothing`;
    case 'world': {
      const nodes = cluster.scenario.nodes.map((n) => n.name);
      const entry = dst.kind === 'pod' ? dst.ep.node.name : dst.kind === 'host' ? dst.node : flowNode !== null && nodes.includes(flowNode) ? flowNode : undefined;
      if (dst.kind === 'world') return `both ends (${formatIpv4(src.ip)}, ${formatIpv4(dst.ip)}) are outside the cluster`;
      return entry === undefined ? `the source ${formatIpv4(src.ip)} is outside the cluster and the flow's node is not one of the cluster's` : { kind: 'world', ip: src.ip, entryNode: entry };
    }
  }
}

function simulatedOf(r: TraceResult): Simulated {
  const d = r.drop;
  const delivered = r.delivered ? `${r.delivered.target} on ${r.delivered.node}` : null;
  if (r.refused) return { verdict: 'DROPPED', dropCode: null, dropName: null, macro: null, text: `${r.refused.syscall}() refused with ${r.refused.errno}`, fn: r.refused.fn, file: r.refused.file, node: r.refused.node, direction: null, delivered: null, notSimulated: null };
  return {
    verdict: r.verdict,
    dropCode: d?.code ?? null,
    dropName: d?.name ?? null,
    macro: d?.macro ?? null,
    text: d?.text ?? null,
    fn: d?.fn ?? null,
    file: d?.file ?? null,
    node: d?.node ?? null,
    direction: d?.direction ?? null,
    delivered,
    notSimulated: r.notSimulated?.text ?? null,
  };
}

function lastDeniedPolicy(nodes: readonly TraceNode[]): Extract<TraceNode, { kind: 'policy' }> | undefined {
  let found: Extract<TraceNode, { kind: 'policy' }> | undefined;
  for (const n of nodes) {
    if (n.kind === 'policy' && !n.allowed) found = n;
    if ('children' in n) found = lastDeniedPolicy(n.children) ?? found;
  }
  return found;
}

/** The rule behind a policy drop: the deny entry's rule, or the default deny of the rules that select the endpoint. */
function ruleOf(cluster: Cluster, r: TraceResult): string | null {
  if (!r.drop || (r.drop.code !== 133 && r.drop.code !== 181)) return null;
  const pol = lastDeniedPolicy(r.hops);
  if (!pol) return null;
  if (pol.deny) return [...new Set(pol.provenance.map((p) => p.what))].join(', ') || 'a deny rule';
  const ep = cluster.endpoints.find((e) => e.pod.endpointId === pol.endpoint && e.node.name === r.drop?.node);
  if (!ep) return `default deny (${pol.direction})`;
  const rules = [...new Set(ep.policy.selectingRules.map((s) => `${s.kind} ${s.namespace === null ? '' : `${s.namespace}/`}${s.name}`))];
  const why = rules.length > 0 ? `selected by ${rules.join(', ')}` : `policyEnforcement=${cluster.scenario.cluster.policyEnforcement}`;
  return `default deny, ${pol.direction} of ${ep.pod.namespace}/${ep.pod.name} (${why})`;
}

const verdictText = (v: string, name: string | null, code: number | null): string => (v === 'DROPPED' && (name !== null || code !== null) ? `DROPPED ${name ?? 'DROP_REASON_UNKNOWN'}${code !== null ? ` (${code})` : ''}` : v);

export function observedText(o: Observed): string {
  return verdictText(o.verdict, o.dropName, o.dropCode);
}

export function simulatedText(s: Simulated): string {
  if (s.verdict === 'DROPPED' && s.dropCode === null) return `DROPPED: ${s.text ?? 'refused'}`;
  return verdictText(s.verdict, s.dropName, s.dropCode);
}

interface Compared {
  readonly status: Status;
  readonly finding: string | null;
}

const DRIFT = "the node's real state (ipcache, policy maps, endpoints) differs from what the cluster's objects compute, or cilium-trace models this case wrong";

function compare(o: Observed, s: Simulated): Compared {
  const hubble = `Hubble saw ${observedText(o)}${o.dropNode !== null ? ` on ${o.dropNode}` : ''}`;
  const sim = `the simulation ${s.verdict === 'NOT_SIMULATED' ? 'ends NOT_SIMULATED' : `gives ${simulatedText(s)}`}${s.node !== null ? ` on ${s.node}` : ''}`;
  if (o.verdict === 'AUDIT') return { status: 'not-compared', finding: `verdict AUDIT (policy audit mode) is not compared: audit mode is not simulated; ${sim}` };
  if (o.verdict !== 'DROPPED' && o.verdict !== 'FORWARDED' && o.verdict !== 'REDIRECTED') return { status: 'not-compared', finding: `verdict ${o.verdict} is not compared (expected FORWARDED, REDIRECTED or DROPPED); ${sim}` };
  if (s.verdict === 'NOT_SIMULATED') {
    if (o.verdict === 'REDIRECTED' && s.notSimulated !== null) return { status: 'agree', finding: null };
    return { status: 'not-simulated', finding: `not simulated: ${s.notSimulated ?? 'the path'} (${hubble})` };
  }
  if (o.verdict !== 'DROPPED') return s.verdict === 'FORWARDED' ? { status: 'agree', finding: null } : { status: 'disagree', finding: `${hubble}, ${sim}: ${DRIFT}` };
  if (s.verdict !== 'DROPPED') return { status: 'disagree', finding: `${hubble}, ${sim}: ${DRIFT}` };
  const sameReason = o.dropCode !== null && s.dropCode !== null ? o.dropCode === s.dropCode : o.dropName !== null && o.dropName === s.dropName;
  if (!sameReason) return { status: 'disagree', finding: `${hubble}, ${sim}: another drop reason; ${DRIFT}` };
  if (o.dropNode !== null && s.node !== null && o.dropNode !== s.node) return { status: 'disagree', finding: `${hubble}, ${sim}: the same reason on another node; ${DRIFT}` };
  return { status: 'agree', finding: null };
}

interface Simulation {
  readonly result?: TraceResult;
  readonly notSimulated?: string;
  readonly notes: readonly string[];
}

/** The trace of a packet, or why it is not simulated; a reply is traced after its request. */
function simulate(cluster: Cluster, e: HubbleEvent, src: MappedEnd, dst: MappedEnd): Simulation {
  const notes: string[] = [];
  if (e.proto !== 'tcp' && e.proto !== 'udp' && e.proto !== 'icmp') return { notSimulated: `${e.proto === 'none' ? 'a flow without an L4 layer' : e.proto.toUpperCase()} is not simulated (TCP, UDP and ICMPv4 are)`, notes };
  const reply = isReplyEvent(e);
  if (e.proto === 'icmp' && e.icmpType !== 8 && e.icmpType !== 0) return { notSimulated: `ICMPv4 type ${e.icmpType} is not simulated (echo requests, type 8, and their replies are)`, notes };
  if (e.proto === 'tcp' && !reply && !e.tcpFlags.includes('SYN')) {
    notes.push(`TCP ${e.tcpFlags.join(',') || 'without flags'}, no SYN: traced from an empty conntrack table, as a packet of a connection the node does not track (the real node's conntrack entries are not known)`);
  }
  const l4 = e.proto === 'icmp' ? { proto: 'icmp' as const, dport: null } : { proto: e.proto, dport: (reply ? e.src.port : e.dst.port) ?? 0 };
  const sport = (reply ? e.dst.port : e.src.port) ?? 0;
  const [from, to] = reply ? [dst, src] : [src, dst];
  const source = sourceOf(cluster, from, to, e.node);
  if (typeof source === 'string') return { notSimulated: source, notes };
  const spec: FlowSpec = { src: source, dstIp: to.ip, proto: l4.proto, dport: l4.dport, sport, traceArp: false };
  try {
    if (!reply) return { result: traceFlow(cluster, spec), notes };
    const both = traceWithReply(cluster, spec);
    if (!both.reply) return { notSimulated: `a reply, traced after its request ${endName(from)} → ${endName(to)}, which the simulation gives ${both.forward.verdict}${both.forward.drop ? ` ${both.forward.drop.name}` : ''}: no connection to reply on`, notes };
    notes.push('a reply: traced on the conntrack entries of its request, traced first');
    return { result: both.reply, notes };
  } catch (err) {
    return { notSimulated: `internal error while tracing (please report): ${err instanceof Error ? err.message : String(err)}`, notes };
  }
}

function replayGroup(cluster: Cluster, index: number, events: readonly HubbleEvent[], cache: Map<string, Simulation>, seen: ReadonlySet<string>): ReplayedFlow {
  const e = events[0] as HubbleEvent;
  const observed = observe(events);
  const notes: string[] = [];
  // The same packet both allowed (a policy verdict, a delivery) and dropped on the drop's node: the state changed while the flows were recorded.
  const passed = events.filter((x) => x.node === observed.dropNode && x.verdict === 'FORWARDED' && (x.eventType === 5 || x.observationPoint === 'TO_ENDPOINT'));
  if (observed.verdict === 'DROPPED' && passed.length > 0) notes.push(`Hubble also reports it allowed or delivered on ${observed.dropNode ?? '?'} (a FORWARDED policy verdict or TO_ENDPOINT event): the policy or the identities changed while the flows were recorded`);
  const nodes = new Set(cluster.scenario.nodes.map((n) => n.name));
  for (const n of observed.nodes) if (!nodes.has(n)) notes.push(`node ${n} (the flow's node_name) is not a node of the cluster`);
  const src = mapEnd(cluster, 'source', e.src);
  const dst = mapEnd(cluster, 'destination', e.dst);
  const base = {
    index,
    at: [...new Set(events.map((x) => x.input))].map((file) => ({ file, lines: events.filter((x) => x.input === file).map((x) => x.line) })),
    src: sideOf(e.src, 'end' in src ? src.end : null),
    dst: sideOf(e.dst, 'end' in dst ? dst.end : null),
    proto: e.proto,
    icmpType: e.icmpType,
    tcpFlags: e.tcpFlags,
    reply: isReplyEvent(e),
    clientPorts: (isReplyEvent(e) ? e.dst.port : e.src.port) === null ? [] : [(isReplyEvent(e) ? e.dst.port : e.src.port) as number],
    observed,
  };
  const none = { explanation: [], proposedFix: null, rule: null };
  if (e.type === 'L7') {
    const what = "an L7 (proxy access log) event: the proxy's request records are not re-simulated; the connection's L3/L4 events are";
    return { ...base, simulated: null, status: 'not-simulated', finding: `not simulated: ${what}`, ...none, notes };
  }
  if ('problem' in src || 'problem' in dst) {
    const why = ['problem' in src ? src.problem : null, 'problem' in dst ? dst.problem : null].filter((x) => x !== null).join('; ');
    return { ...base, simulated: null, status: 'unmappable', finding: `cannot be mapped onto the cluster: ${why}`, ...none, notes };
  }
  notes.push(...src.notes, ...dst.notes);
  const drift = [src.drift, dst.drift].filter((d): d is string => typeof d === 'string');
  const reply = base.reply;
  const key = [endName(src.end), endName(dst.end), e.proto, e.icmpType, reply ? e.src.port : e.dst.port, e.proto === 'tcp' && e.tcpFlags.includes('SYN'), reply, e.node].join('|');
  const sim = cache.get(key) ?? simulate(cluster, e, src.end, dst.end);
  cache.set(key, sim);
  notes.push(...sim.notes);
  if (!sim.result) return { ...base, simulated: null, status: 'not-simulated', finding: `not simulated: ${sim.notSimulated ?? ''}`, ...none, notes };
  const r = sim.result;
  const simulated = simulatedOf(r);
  let compared = compare(observed, simulated);
  // A node's own flows file (a sysdump's hubble-flows-<pod>) shows only that node's events: a
  // drop the simulation places on a node the file has no event from is not contradicted.
  if (compared.status === 'disagree' && observed.verdict !== 'DROPPED' && simulated.verdict === 'DROPPED' && simulated.node !== null && !seen.has(simulated.node)) {
    compared = { status: 'agree', finding: null };
    notes.push(`Hubble's events are from ${observed.nodes.join(', ')}; the simulation drops it later, on ${simulated.node} (${simulatedText(simulated)}), a node the input has no event from`);
  }
  // The identity the node used explains a disagreement better than the general suspicion.
  const cmp = compared.status === 'disagree' && drift.length > 0 ? { status: compared.status, finding: `${(compared.finding ?? '').replace(`: ${DRIFT}`, '')}: ${drift.join('; ')}` } : compared;
  const agreedDrop = cmp.status === 'agree' && simulated.verdict === 'DROPPED';
  const explanation = !agreedDrop ? [] : r.explanation ? [...r.explanation.lines] : [`${simulated.macro ?? 'refused'}${simulated.dropCode !== null ? ` (${simulated.dropCode})` : ''} "${simulated.text ?? ''}" in ${simulated.fn ?? '?'} (${simulated.file ?? '?'}) on ${simulated.node ?? '?'}`];
  const proposedFix = agreedDrop && r.explanation?.suggestion && r.explanation.suggestionName ? { name: r.explanation.suggestionName, yaml: r.explanation.suggestion } : null;
  if (observed.verdict === 'DROPPED' && observed.direction !== null && simulated.direction !== null && cmp.status === 'agree' && observed.direction.toLowerCase() !== simulated.direction) {
    notes.push(`Hubble's traffic_direction ${observed.direction} (a heuristic for drops) differs from the simulated drop's ${simulated.direction}`);
  }
  const shown = cmp === compared ? notes : notes.filter((n) => !drift.includes(n));
  return { ...base, simulated, status: cmp.status, finding: cmp.finding, explanation, proposedFix, rule: agreedDrop ? ruleOf(cluster, r) : null, notes: shown };
}

export function replay(cluster: Cluster, events: readonly HubbleEvent[], inputs: readonly string[], fileNotes: readonly string[]): ReplayReport {
  const cache = new Map<string, Simulation>();
  const outer = events.filter((e) => isOuterHeader(cluster, e));
  // trace-sock events (socket LB's connect()/sendmsg() translation) carry no verdict of their own: the connection's packets are replayed.
  const sock = events.filter((e) => e.type === 'SOCK');
  const notes = [...fileNotes];
  if (sock.length > 0) notes.push(`${sock.length} socket-LB (trace-sock) event${sock.length === 1 ? '' : 's'} not replayed on ${sock.length === 1 ? 'its' : 'their'} own: the translation is part of the trace of the connection's packets (${sock.slice(0, 3).map((e) => (inputs.length > 1 ? `${e.input}:${e.line}` : `line ${e.line}`)).join(', ')}${sock.length > 3 ? ', …' : ''})`);
  if (outer.length > 0) notes.push(`${outer.length} event${outer.length === 1 ? '' : 's'} on the ${cluster.scenario.cluster.tunnelProtocol} outer header (node to node, UDP ${cluster.scenario.cluster.tunnelPort}) not replayed on ${outer.length === 1 ? 'its' : 'their'} own: the same packet${outer.length === 1 ? ' as an' : 's as the'} inner flow${outer.length === 1 ? '' : 's'} (${outer.slice(0, 3).map((e) => (inputs.length > 1 ? `${e.input}:${e.line}` : `line ${e.line}`)).join(', ')}${outer.length > 3 ? ', …' : ''})`);
  // file.{name,line} on drops arrived in Hubble with v1.17 (flow.proto `FileInfo file = 38`, d8efde40b5).
  const withFile = events.find((e) => e.file !== null);
  if (withFile && cluster.datapath.release.profile !== '1.18') notes.push(`the flows name the drop's source file (${withFile.input}:${withFile.line}: file ${withFile.file}), which Hubble does from v1.17 on, but the cluster is simulated as Cilium ${cluster.datapath.release.version} (--cilium 1.18 to match)`);
  const seen = new Set(events.map((e) => e.node).filter((n): n is string => n !== null));
  const packets = groupEvents(events.filter((e) => !outer.includes(e) && !sock.includes(e))).map((g, i) => replayGroup(cluster, i + 1, g, cache, seen));
  const flows = mergeConnections(packets);
  return {
    schema: 'cilium-trace/replay/v1',
    inputs,
    cluster: cluster.scenario.name,
    cilium: cluster.datapath.release.version,
    notes,
    events: events.length,
    flows,
  };
}

/** A drop counts as explained when the simulation reproduces it (same verdict, reason and node). */
export function unexplainedDrop(f: ReplayedFlow): boolean {
  return f.observed.verdict === 'DROPPED' && f.status !== 'agree';
}

/** 1 when a drop is left unexplained or a flow disagrees, else 0. */
export function replayExitCode(report: ReplayReport): 0 | 1 {
  return report.flows.some((f) => f.status === 'disagree' || unexplainedDrop(f)) ? 1 : 0;
}
