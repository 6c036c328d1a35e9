// From Hubble events to packets: the events of one packet are grouped by 5-tuple and
// direction (a policy verdict and its drop, the trace events at each observation point), a
// tunnel's outer headers are told apart, what Hubble saw of a packet is summed up, and
// connections that differ only in the client's port are merged after the replay.
import type { Cluster } from '../controlplane/cluster.js';
import { allDropReasons, dropReasonByCode, laterDropReasons } from '../cilium/drop-reasons.js';
import { formatIpv4 } from '../net/ip.js';
import type { HubbleEvent } from './flows-file.js';
import type { Observed, ReplayedFlow } from './types.js';

const EVENT_KINDS: Readonly<Record<number, string>> = { 1: 'drop', 4: 'trace', 5: 'policy-verdict', 7: 'trace-sock', 129: 'L7' };
// flow.proto DropReason names of every modelled release (v1.13.0's, then the codes later releases added).
const HUBBLE_CODES = new Map([...allDropReasons(), ...laterDropReasons().map((l) => l.reason)].map((r) => [r.hubble, r.code] as const));

/** A reply: Hubble says so, or the packet is a SYN-ACK or an echo reply. */
export function isReplyEvent(e: HubbleEvent): boolean {
  if (e.isReply === true) return true;
  if (e.proto === 'tcp') return e.tcpFlags.includes('SYN') && e.tcpFlags.includes('ACK');
  return e.proto === 'icmp' && e.icmpType === 0;
}

function groupKey(e: HubbleEvent): string {
  const kind = e.type === 'L7' || e.type === 'SOCK' ? e.type : 'L3_L4';
  const flags = e.proto === 'tcp' ? (e.tcpFlags.includes('SYN') ? 'syn' : 'nosyn') : '';
  return [kind, e.src.ip, e.src.port, e.dst.ip, e.dst.port, e.proto, e.icmpType, flags, isReplyEvent(e)].join('|');
}

function codeOf(e: HubbleEvent): { code: number | null; name: string | null } {
  const code = e.dropCode ?? (e.dropName !== null ? HUBBLE_CODES.get(e.dropName) ?? null : null);
  const name = e.dropName ?? (code !== null ? (dropReasonByCode(code) ?? laterDropReasons().find((l) => l.reason.code === code)?.reason)?.hubble ?? null : null);
  return { code, name };
}

export function observe(events: readonly HubbleEvent[]): Observed {
  const nodes = [...new Set(events.map((e) => e.node).filter((n): n is string => n !== null))];
  const kinds = [...new Set(events.map((e) => (e.eventType === null ? 'unknown' : EVENT_KINDS[e.eventType] ?? `type ${e.eventType}`)))];
  const drops = events.filter((e) => e.verdict === 'DROPPED');
  // The drop event names the site (file, code); a policy verdict alone still says DROPPED.
  const drop = drops.find((e) => e.eventType === 1) ?? drops[0];
  if (drop) {
    const { code, name } = codeOf(drop);
    const dropNode = drop.node;
    return { verdict: 'DROPPED', dropCode: code, dropName: name, nodes: dropNode === null ? nodes : [dropNode, ...nodes.filter((n) => n !== dropNode)], dropNode, direction: drop.direction, file: drop.file, events: kinds };
  }
  const verdicts = new Set(events.map((e) => e.verdict));
  const passing = ['FORWARDED', 'REDIRECTED', 'TRACED', 'TRANSLATED'];
  const verdict = [...verdicts].every((v) => passing.includes(v)) ? (verdicts.has('REDIRECTED') ? 'REDIRECTED' : 'FORWARDED') : [...verdicts].find((v) => !passing.includes(v)) ?? 'FORWARDED';
  return { verdict, dropCode: null, dropName: null, nodes, dropNode: null, direction: events[0]?.direction ?? null, file: null, events: kinds };
}


/** Groups events into packets, in the order of their first event. */
export function groupEvents(events: readonly HubbleEvent[]): HubbleEvent[][] {
  const groups = new Map<string, HubbleEvent[]>();
  for (const e of events) {
    const k = groupKey(e);
    const g = groups.get(k);
    if (g) g.push(e);
    else groups.set(k, [e]);
  }
  return [...groups.values()];
}


/**
 * An event on a tunnel's outer header (node to node, UDP to the tunnel port): the same packet
 * as the inner flow's events, which are replayed; not a flow of its own.
 */
export function isOuterHeader(cluster: Cluster, e: HubbleEvent): boolean {
  const c = cluster.scenario.cluster;
  if (c.routing !== 'tunnel' || e.proto !== 'udp' || e.dst.port !== c.tunnelPort) return false;
  const nodeIps = new Set(cluster.scenario.nodes.map((n) => formatIpv4(n.ip)));
  return e.src.ip !== null && e.dst.ip !== null && nodeIps.has(e.src.ip) && nodeIps.has(e.dst.ip);
}


/**
 * Connections that differ only in the client's port (retries, a client's many connections),
 * with the same observation, simulation and finding, are one flow: a sysdump's 10,000 flows
 * read as the few conversations they are.
 */
export function mergeConnections(flows: readonly ReplayedFlow[]): ReplayedFlow[] {
  const out: ReplayedFlow[] = [];
  const at = new Map<string, number>();
  for (const f of flows) {
    const server = f.reply ? f.src.port : f.dst.port;
    const key = JSON.stringify([f.src.ip, f.src.name, f.dst.ip, f.dst.name, server, f.proto, f.icmpType, f.tcpFlags, f.reply, { ...f.observed, events: [] }, f.simulated, f.status, f.finding, f.explanation, f.rule, f.notes]);
    const i = at.get(key);
    const prev = i === undefined ? undefined : out[i];
    if (i === undefined || !prev) {
      at.set(key, out.length);
      out.push(f);
      continue;
    }
    const files = [...new Set([...prev.at.map((a) => a.file), ...f.at.map((a) => a.file)])];
    out[i] = {
      ...prev,
      at: files.map((file) => ({ file, lines: [...(prev.at.find((a) => a.file === file)?.lines ?? []), ...(f.at.find((a) => a.file === file)?.lines ?? [])].sort((a, b) => a - b) })),
      clientPorts: [...prev.clientPorts, ...f.clientPorts],
      observed: { ...prev.observed, events: [...new Set([...prev.observed.events, ...f.observed.events])] },
    };
  }
  return out.map((f, n) => ({ ...f, index: n + 1 }));
}

