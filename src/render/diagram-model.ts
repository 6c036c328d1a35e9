// The packet's path as the diagram renderers (Mermaid, DOT, SVG) draw it: the places it
// passes (pod netns, host-side veth, cilium_* devices, native devices, the wire), grouped
// by node, and the numbered steps between them, each labelled with how the packet got there
// (redirect, wire) and what ran (hook and program), plus the few events worth a note
// (policy verdicts that decide, address translation, the drop). A pure function of the
// trace tree; both renderers number steps the same way.
import type { TraceNode, TraceResult } from '../trace/tree.js';
import { headerLine } from './text.js';

export type PlaceKind = 'pod' | 'socket' | 'host' | 'veth' | 'tunnel' | 'device' | 'native' | 'wire' | 'network';

export interface Place {
  /** Simple identifier (p1, p2, …) in order of declaration. */
  readonly id: string;
  readonly key: string;
  /** The node the place belongs to; null for the wire and the network outside the cluster. */
  readonly node: string | null;
  readonly name: string;
  readonly kind: PlaceKind;
  /** A second line for the DOT box: the pod's IP, "host-side veth", … */
  readonly detail: string | null;
}

export interface Step {
  /** 1-based, over both phases; the same number Mermaid's autonumber gives the arrow. */
  readonly n: number;
  readonly from: Place;
  readonly to: Place;
  /** Label lines: how the packet got here, then what ran here. */
  readonly lines: readonly string[];
  /** Events at `to` worth a note: a deciding policy verdict, DNAT/SNAT, not simulated. */
  readonly notes: readonly string[];
  /** The packet crosses encapsulated (wire step of a tunnel): "VXLAN VNI 47204". */
  readonly tunnel: string | null;
}

export interface Ending {
  readonly verdict: TraceResult['verdict'];
  readonly place: Place;
  readonly text: string;
  /** For a drop: the number of the drop step (it gets its own arrow/edge). */
  readonly n: number | null;
  /**
   * For a drop: the pod the packet was going to (after DNAT, its backend), when the path did
   * not reach it; not among the diagram's places (the packet never got there), drawn apart.
   */
  readonly intended: Place | null;
}

export interface Phase {
  readonly name: 'forward' | 'reply';
  readonly title: string;
  readonly start: Place;
  /** Events where the packet starts (the first hop has no incoming arrow). */
  readonly startLines: readonly string[];
  readonly steps: readonly Step[];
  readonly end: Ending;
}

export interface PathDiagram {
  readonly title: string;
  /** Places in declaration order: grouped by node, nodes in order of first appearance. */
  readonly places: readonly Place[];
  /** Node names in order of first appearance (a group per node). */
  readonly nodes: readonly string[];
  readonly phases: readonly Phase[];
}

type Hop = Extract<TraceNode, { kind: 'hop' }>;

const WIRE_BETWEEN = /^(.+) → wire → (.+)\/(.+)$/;
const WIRE_OUT = /^(.+) → network$/;
const WIRE_IN = /^network → (.+)$/;

function flatten(nodes: readonly TraceNode[]): TraceNode[] {
  return nodes.flatMap((n) => ('children' in n && n.kind !== 'hop' ? [n, ...flatten(n.children)] : [n]));
}

/** Native device names per node, read from the wire hops (`eth0 → wire → node2/eth0`). */
function nativeDevices(hops: readonly Hop[]): Set<string> {
  const out = new Set<string>();
  for (const h of hops) {
    if (h.hook !== 'wire') continue;
    const b = WIRE_BETWEEN.exec(h.where);
    if (b) {
      out.add(`${h.node}|${b[1] ?? ''}`);
      out.add(`${b[2] ?? ''}|${b[3] ?? ''}`);
      continue;
    }
    const o = WIRE_OUT.exec(h.where) ?? WIRE_IN.exec(h.where);
    if (o) out.add(`${h.node}|${o[1] ?? ''}`);
  }
  return out;
}

interface PlaceDraft {
  readonly key: string;
  readonly node: string | null;
  readonly name: string;
  readonly kind: PlaceKind;
  readonly detail: string | null;
}

function podIp(results: readonly TraceResult[], display: string): string | null {
  const [ns, pod] = display.split('/', 2);
  for (const r of results) {
    const ep = r.endpoints.find((e) => e.namespace === ns && e.pod === pod);
    if (ep) return ep.ip;
  }
  return null;
}

function placeOf(h: Hop, natives: Set<string>, results: readonly TraceResult[]): PlaceDraft {
  if (h.hook === 'wire') {
    if (WIRE_BETWEEN.test(h.where)) return { key: 'wire', node: null, name: 'wire', kind: 'wire', detail: 'underlay' };
    return { key: 'network', node: null, name: 'network', kind: 'network', detail: 'outside the cluster' };
  }
  const key = `${h.node}|${h.where}`;
  if (h.where.endsWith(' netns') && h.where !== 'host netns') {
    const display = h.where.slice(0, -' netns'.length);
    return { key, node: h.node, name: h.where, kind: 'pod', detail: podIp(results, display) };
  }
  if (h.where.endsWith(' socket')) return { key, node: h.node, name: h.where, kind: 'socket', detail: 'cgroup hooks' };
  if (h.where === 'host stack' || h.where === 'host netns') return { key, node: h.node, name: h.where, kind: 'host', detail: null };
  if (natives.has(key)) return { key, node: h.node, name: h.where, kind: 'native', detail: 'native device' };
  if (h.where.startsWith('lxc')) return { key, node: h.node, name: h.where, kind: 'veth', detail: 'host-side veth' };
  if (h.where === 'cilium_vxlan' || h.where === 'cilium_geneve') return { key, node: h.node, name: h.where, kind: 'tunnel', detail: 'tunnel device' };
  return { key, node: h.node, name: h.where, kind: 'device', detail: null };
}

function endpointName(r: TraceResult, id: number, node: string): string {
  const ep = r.endpoints.find((e) => e.endpointId === id && e.node === node);
  return ep ? `${ep.namespace}/${ep.pod}` : `endpoint ${id}`;
}

/** Notes for one hop: deciding policy verdicts, translations, what is not simulated. */
function hopNotes(r: TraceResult, h: Hop): string[] {
  const out: string[] = [];
  for (const n of flatten(h.children)) {
    if (n.kind === 'policy' && (n.enforced || !n.allowed)) {
      const who = endpointName(r, n.endpoint, h.node);
      out.push(n.allowed ? `${n.direction} policy of ${who}: allowed (match ${n.match})` : `${n.direction} policy of ${who}: DENIED${n.deny ? ' by a deny rule' : ''}`);
    } else if (n.kind === 'rewrite' && (n.field === 'daddr:dport' || n.field === 'user_ip4:user_port')) {
      out.push(`${n.field === 'user_ip4:user_port' ? 'socket LB' : 'DNAT'} ${n.from} → ${n.to}`);
    } else if (n.kind === 'rewrite' && (n.field === 'saddr:sport' || n.field === 'saddr')) {
      out.push(`SNAT ${n.from} → ${n.to}`);
    } else if (n.kind === 'not_simulated') {
      out.push(`not simulated: ${n.text}`);
    }
  }
  return out;
}

/** How the packet left a hop: the redirect its program returned, if any. */
function redirectOf(h: Hop): string | null {
  for (const n of flatten(h.children)) if (n.kind === 'redirect') return `${n.helper} ifindex ${n.ifindex}`;
  return null;
}

function wireText(h: Hop): string {
  for (const n of flatten(h.children)) if (n.kind === 'kernel' && n.op === 'wire') return n.text.replace(/ \(underlay[^)]*\)$/, '').replace(/, source address preserved$/, '');
  return h.where;
}

/** What ran at a hop: `tc ingress` + program, or the kernel's part in a few words. */
function whatRan(h: Hop): string[] {
  const all = flatten(h.children);
  const encap = all.find((n): n is Extract<TraceNode, { kind: 'encap' }> => n.kind === 'encap');
  if (encap) return [`encap ${encap.type} VNI ${encap.vni}`, `outer ${encap.outerSrc} > ${encap.outerDst}:${encap.dport}`];
  const decap = all.find((n): n is Extract<TraceNode, { kind: 'decap' }> => n.kind === 'decap');
  if (decap) return [`decap ${decap.type} VNI ${decap.vni}`];
  if (h.program) return [h.hook, h.program];
  if (h.hook.startsWith('tc ')) return [h.hook, '(no BPF program)'];
  const deliver = all.find((n): n is Extract<TraceNode, { kind: 'deliver' }> => n.kind === 'deliver');
  if (deliver) return [`rx ${deliver.ifname}`];
  const tx = all.find((n) => n.kind === 'kernel' && n.op === 'tx');
  if (tx && tx.kind === 'kernel') return [`kernel: route, tx ${tx.text.replace(/ → veth peer .*$/, '')}`];
  return [h.hook];
}

function tunnelAt(h: Hop, current: string | null): string | null {
  let t = current;
  for (const n of flatten(h.children)) {
    if (n.kind === 'encap') t = `${n.type === 'vxlan' ? 'VXLAN' : 'Geneve'} VNI ${n.vni}`;
    if (n.kind === 'decap') t = null;
  }
  return t;
}

function endingText(r: TraceResult): string {
  if (r.verdict === 'FORWARDED' && r.delivered) {
    const d = r.delivered;
    if (d.via === 'stack') return `FORWARDED: delivered to the host stack of ${d.node}`;
    if (d.target.startsWith('the network')) return `FORWARDED: left the cluster through ${d.via} of ${d.node}`;
    return `FORWARDED: delivered to ${d.target} (${d.via}, ifindex ${d.ifindex})`;
  }
  if (r.verdict === 'DROPPED' && r.drop) {
    const d = r.drop;
    return `DROPPED: ${d.macro} "${d.text}" in ${d.fn}${d.direction ? ` (${d.direction})` : ''}`;
  }
  if (r.verdict === 'DROPPED' && r.refused) return `DROPPED: ${r.refused.syscall}() refused, -${r.refused.errno} in ${r.refused.fn}`;
  if (r.verdict === 'DROPPED' && r.l7?.verdict === 'DENIED' && r.l7.dns) return `DROPPED: DNS query ${r.l7.dns.query} refused by the DNS proxy ${r.l7.listener}, rcode REFUSED`;
  if (r.verdict === 'DROPPED' && r.l7?.verdict === 'DENIED') return `DROPPED: HTTP ${r.l7.method} ${r.l7.path} denied by Envoy ${r.l7.listener}, 403 Access denied`;
  return `NOT SIMULATED: ${r.notSimulated?.text ?? 'unknown'}`;
}

/** The pod a dropped packet was going to: its backend after a DNAT, else its destination. */
function intendedPod(r: TraceResult): { node: string; name: string; ip: string } | null {
  let ip = r.packet.dst.ip;
  for (const n of flatten(r.hops.flatMap((h) => (h.kind === 'hop' ? h.children : [h])))) {
    if (n.kind === 'rewrite' && (n.field === 'daddr:dport' || n.field === 'user_ip4:user_port')) ip = n.to.replace(/:\d+$/, '');
  }
  const ep = r.endpoints.find((e) => e.ip === ip);
  return ep ? { node: ep.node, name: `${ep.namespace}/${ep.pod} netns`, ip } : null;
}

/** Builds the diagram model of a trace and, optionally, of its reply. */
export function pathDiagram(forward: TraceResult, reply: TraceResult | null = null): PathDiagram {
  const results = reply ? [forward, reply] : [forward];
  const hopsOf = (r: TraceResult): Hop[] => r.hops.filter((h): h is Hop => h.kind === 'hop');
  const natives = nativeDevices(results.flatMap(hopsOf));

  // Places: collect drafts in order of appearance, then declare them grouped by node.
  const drafts = new Map<string, PlaceDraft>();
  const nodes: string[] = [];
  for (const r of results) {
    for (const h of hopsOf(r)) {
      const d = placeOf(h, natives, results);
      if (!drafts.has(d.key)) drafts.set(d.key, d);
      if (d.node !== null && !nodes.includes(d.node)) nodes.push(d.node);
    }
  }
  const ordered: PlaceDraft[] = [];
  const groupsDone = new Set<string>();
  for (const d of drafts.values()) {
    if (d.node === null) {
      ordered.push(d);
      continue;
    }
    if (groupsDone.has(d.node)) continue;
    groupsDone.add(d.node);
    ordered.push(...[...drafts.values()].filter((x) => x.node === d.node));
  }
  const places = ordered.map((d, i): Place => ({ ...d, id: `p${i + 1}` }));
  const byKey = new Map(places.map((p) => [p.key, p]));
  const place = (h: Hop): Place => byKey.get(placeOf(h, natives, results).key) as Place;

  let n = 0;
  const phases: Phase[] = [];
  for (const [i, r] of results.entries()) {
    const hops = hopsOf(r);
    const first = hops[0];
    if (!first) continue;
    const start = place(first);
    const startLines = first.hook === 'wire' ? [wireText(first), ...hopNotes(r, first)] : [...(first.program ? [first.program.includes(`[${first.hook}]`) ? first.program : `${first.hook} ${first.program}`] : []), ...hopNotes(r, first)];
    const steps: Step[] = [];
    let tunnel: string | null = tunnelAt(first, null);
    for (let k = 1; k < hops.length; k++) {
      const prev = hops[k - 1] as Hop;
      const h = hops[k] as Hop;
      const via = redirectOf(prev);
      const lines = h.hook === 'wire'
        ? [...(tunnel ? [tunnel] : []), wireText(h)]
        : [...(via ? [via] : []), ...whatRan(h)];
      steps.push({ n: ++n, from: place(prev), to: place(h), lines, notes: hopNotes(r, h), tunnel: h.hook === 'wire' ? tunnel : null });
      tunnel = tunnelAt(h, tunnel);
    }
    const last = hops[hops.length - 1] as Hop;
    const target = r.verdict === 'DROPPED' ? intendedPod(r) : null;
    const reached = target !== null && byKey.has(`${target.node}|${target.name}`);
    const intended: Place | null = target === null || reached ? null : { id: `p${places.length + 1 + i}`, key: `${target.node}|${target.name}`, node: target.node, name: target.name, kind: 'pod', detail: target.ip };
    const end: Ending = { verdict: r.verdict, place: place(last), text: endingText(r), n: r.verdict === 'DROPPED' ? ++n : null, intended };
    phases.push({ name: i === 0 ? 'forward' : 'reply', title: headerLine(r), start, startLines, steps, end });
  }
  return { title: headerLine(forward), places, nodes, phases };
}
