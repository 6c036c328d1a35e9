// The explanation topics: registry, lookup by any name (case-insensitive), close matches for
// unknown names, the text of `explain TOPIC` / `explain --list`, and the one-line prose that
// `--explain` adds under trace steps. Pure functions; only cli/ writes.
import { conceptTopics } from './concepts.js';
import type { TraceNode } from '../../trace/tree.js';
import { deviceTopics } from './devices.js';
import { dropTopics } from './drops.js';
import { functionTopics } from './functions.js';
import { identityTopicOfNumber, identityTopics } from './identities.js';
import { mapTopics } from './maps.js';
import { pointTopics } from './points.js';
import { programTopics } from './programs.js';
import { KIND_HEADINGS, KIND_ORDER, type Topic } from './types.js';
import { RELEASE_NAMES, RELEASE_PATTERNS, releaseSection } from './releases.js';
import type { CiliumRelease } from '../../cilium/releases/release.js';
import { levenshtein } from '../../util/similar.js';

export type { Topic, TopicKind } from './types.js';

interface Registry {
  readonly topics: readonly Topic[];
  readonly byName: ReadonlyMap<string, Topic>;
}

let registry: Registry | undefined;

function build(): Registry {
  const topics = [...conceptTopics(), ...dropTopics(), ...pointTopics(), ...programTopics(), ...functionTopics(), ...mapTopics(), ...identityTopics(), ...deviceTopics()];
  const byName = new Map<string, Topic>();
  for (const t of topics) {
    for (const name of [t.id, ...t.aliases]) {
      const key = name.toLowerCase();
      const other = byName.get(key);
      if (other && other !== t) throw new Error(`explain: name '${name}' of ${t.id} is already taken by ${other.id}`);
      byName.set(key, t);
    }
  }
  // A newer release's name for a topic's thing finds the topic ("cil_lxc_policy: see handle_policy").
  for (const [id, names] of Object.entries(RELEASE_NAMES)) {
    const t = byName.get(id.toLowerCase());
    if (!t) throw new Error(`explain: release names for unknown topic ${id}`);
    for (const name of names) {
      if (byName.has(name.toLowerCase())) throw new Error(`explain: release name '${name}' of ${id} is already taken`);
      byName.set(name.toLowerCase(), t);
    }
  }
  return { topics, byName };
}

export function allTopics(): readonly Topic[] {
  registry ??= build();
  return registry.topics;
}

function byName(): ReadonlyMap<string, Topic> {
  registry ??= build();
  return registry.byName;
}

function topicById(id: string): Topic | undefined {
  return byName().get(id.toLowerCase());
}

/**
 * The topic a name refers to: a drop code (133, -133), a reserved identity number, a DROP_*
 * macro, a Hubble or monitor name, a program, function, map or device name, or a concrete map
 * name such as cilium_policy_01703 (cilium_policy_*). Case-insensitive.
 */
export function findTopic(query: string): Topic | undefined {
  const q = query.trim();
  if (/^-?\d+$/.test(q)) {
    const n = Number(q);
    const drop = byName().get(String(Math.abs(n)));
    if (drop?.kind === 'drop') return drop;
    if (n < 0) return undefined;
    const id = identityTopicOfNumber(n);
    return id === undefined ? undefined : topicById(id);
  }
  const exact = byName().get(q.toLowerCase());
  if (exact) return exact;
  const byPattern = allTopics().find((t) => t.pattern?.test(q) === true);
  if (byPattern) return byPattern;
  const newer = RELEASE_PATTERNS.find(([, re]) => re.test(q));
  return newer ? topicById(newer[0]) : undefined;
}

/** Topic ids whose names are close to the query (edit distance, or one containing the other). */
export function closeMatches(query: string, max = 5): string[] {
  const q = query.trim().toLowerCase();
  const best = new Map<string, number>();
  for (const [name, t] of byName()) {
    let score = levenshtein(q, name);
    if (q.length >= 3 && name.includes(q)) score = Math.min(score, 1 + Math.abs(name.length - q.length) / 100);
    if (score > Math.max(2, Math.floor(q.length / 3))) continue;
    const prev = best.get(t.id);
    if (prev === undefined || score < prev) best.set(t.id, score);
  }
  return [...best.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, max).map(([id]) => id);
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      out.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(indent + line);
  return out;
}

const WIDTH = 80;

/**
 * `cilium-trace explain TOPIC`: the topic's text, wrapped at 80 columns. With `release`, a
 * closing section names the release the text describes and, for a newer one, what changed.
 */
export function renderTopic(t: Topic, query?: string, release?: { readonly release: CiliumRelease; readonly all: readonly CiliumRelease[] }): string {
  const out: string[] = [];
  if (query !== undefined && query.trim().toLowerCase() !== t.id.toLowerCase() && !t.aliases.some((a) => a.toLowerCase() === query.trim().toLowerCase())) {
    out.push(`${query.trim()}: see ${t.id}`, '');
  }
  out.push(...wrap(`${t.id} — ${t.title}`, WIDTH, '').map((l, i) => (i === 0 ? l : `  ${l}`)));
  if (t.aliases.length > 0) out.push(...wrap(`also: ${t.aliases.join(', ')}`, WIDTH, '  '));
  const section = (heading: string, text: string) => {
    out.push('', heading, ...wrap(text, WIDTH, '  '));
  };
  section('What it is', t.what);
  section('When it happens', t.when);
  section('What to check next', t.next);
  section('Cilium source', t.source.join(', '));
  if (t.see && t.see.length > 0) section('See also', t.see.join(', '));
  if (release) {
    const r = releaseSection(t, release.release, release.all);
    out.push('', r.heading);
    for (const line of r.lines) out.push(...wrap(line, WIDTH, '  ').map((l, i) => (i > 0 && line.startsWith('- ') ? `  ${l}` : l)));
  }
  return out.join('\n') + '\n';
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, max - 1);
  const sp = room.lastIndexOf(' ');
  return `${(sp > max / 2 ? room.slice(0, sp) : room).replace(/[,;:.]$/, '')}…`;
}

function listSummary(t: Topic, room: number): string {
  switch (t.kind) {
    case 'drop': return cut(t.title.replace(/^drop reason /, '').replace(/ \(Hubble [A-Z0-9_]+\)/, '').replace(/ — not in v1\.13, added in (v[\d.]+)$/, ' ($1+)'), room);
    case 'point': return t.aliases.join(' · ');
    case 'identity': return cut(t.title.replace(/^reserved identity /, ''), room);
    default: return cut(t.what, room);
  }
}

/** `cilium-trace explain --list`: every topic by kind, one line each. */
export function renderTopicList(): string {
  const out: string[] = [];
  const pad = 34;
  for (const kind of KIND_ORDER) {
    const topics = allTopics().filter((t) => t.kind === kind);
    if (topics.length === 0) continue;
    if (out.length > 0) out.push('');
    out.push(`${KIND_HEADINGS[kind]}:`);
    // An id longer than the column (tail_nodeport_rev_dnat_ingress_ipv4) shortens its summary instead.
    for (const t of topics) out.push(`  ${t.id.padEnd(pad - 2)} ${listSummary(t, WIDTH - Math.max(pad, t.id.length + 2) - 1)}`.trimEnd());
  }
  return out.join('\n') + '\n';
}

/**
 * From v1.16 every tc program sits in section tc/entry (__section_entry): the object, the
 * hook and the device say which of the v1.13 sections (and topics) it is.
 */
function entrySection(object: string, hook: string, device: string): string | undefined {
  const ingress = hook.endsWith('ingress');
  if (object === 'bpf_lxc') return ingress ? 'from-container' : 'to-container';
  if (object === 'bpf_overlay') return ingress ? 'from-overlay' : 'to-overlay';
  if (object !== 'bpf_host') return undefined;
  if (device === 'cilium_host' || device === 'cilium_net') return ingress ? 'to-host' : 'from-host';
  return ingress ? 'from-netdev' : 'to-netdev';
}

/** The topic of a trace step, if it has one. */
export function topicOfTraceNode(n: TraceNode): Topic | undefined {
  switch (n.kind) {
    case 'hop': {
      const m = n.program === undefined ? null : /^(\S+)\.o \[(.+)\]$/.exec(n.program);
      const section = m ? (m[2] === 'tc/entry' ? entrySection(m[1] ?? '', n.hook, n.where) : m[2]) : undefined;
      return section ? allTopics().find((t) => t.kind === 'program' && t.section === section) : undefined;
    }
    case 'fn': return findTopic(n.fn);
    case 'tail_call': return findTopic(n.program ?? n.map);
    case 'inlined': return findTopic(n.program);
    case 'lookup':
    case 'ct':
    case 'ct_create':
      return findTopic(n.map);
    case 'trace_point': return findTopic(n.point);
    case 'drop': return findTopic(n.drop.macro);
    case 'refused': return findTopic(n.fn);
    case 'redirect': return findTopic(n.helper === 'redirect_peer' ? 'ctx_redirect_peer' : 'ctx_redirect');
    case 'encap':
    case 'decap':
      return findTopic('cilium_vxlan');
    default: return undefined;
  }
}

/**
 * For `--explain`: one or two lines of prose under each step that has a topic, each topic
 * once per trace (a trace looks the same policy map up six times). Make one per rendered trace.
 */
export function traceExplainer(): (n: TraceNode) => string | undefined {
  const seen = new Set<string>();
  return (n) => {
    const t = topicOfTraceNode(n);
    if (!t || seen.has(t.id)) return undefined;
    seen.add(t.id);
    return t.kind === 'drop' ? `${t.id}: ${t.what}\nnext: ${t.next}` : `${t.id}: ${t.what}`;
  };
}
