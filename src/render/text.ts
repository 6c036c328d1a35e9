// Text renderers of a trace: detailed (every node), summary (hops and decisions) and minimal
// (one line per hop). All three are prunings of the same tree; pure functions to strings.
import { provenanceText } from '../maps/provenance.js';
import type { L7Record, TraceNode, TraceResult } from '../trace/tree.js';
import { PLAIN, type Style } from './style.js';

export type Level = 'detailed' | 'summary' | 'minimal';

function peerText(p: TraceResult['packet']['src']): string {
  if (p.pod) return `${p.pod} id ${p.identity}`;
  if (p.service) return `svc ${p.service}`;
  return p.node ? `host of ${p.node}` : 'outside the cluster';
}

export function headerLine(r: TraceResult): string {
  const p = r.packet;
  const what = p.proto === 'icmp' ? `icmp ${p.icmpType === 0 ? 'echo-reply' : 'echo-request'} ${p.src.ip} > ${p.dst.ip}` : `${p.proto} ${p.src.ip}:${p.sport} > ${p.dst.ip}:${p.dport}`;
  return `${what}  (${peerText(p.src)} → ${peerText(p.dst)})`;
}

export function contextLine(r: TraceResult): string {
  const c = r.context;
  return `cluster ${c.cluster} · Cilium ${c.cilium} (${c.profileWhy}) · ${c.routing} · ${c.hostRouting === 'BPF' ? 'BPF host routing' : 'legacy host routing'} · ${c.socketLb ? 'socket LB' : 'per-packet LB'}`;
}

export function verdictLine(r: TraceResult, s: Style = PLAIN): string {
  const d = r.delivered;
  if (r.verdict === 'FORWARDED' && d) {
    if (d.via === 'stack') return `${s.ok('FORWARDED')} — delivered to the host stack of ${d.node}`;
    if (d.target.startsWith('the network')) return `${s.ok('FORWARDED')} — left the cluster through ${d.via} of ${d.node} (beyond that is not simulated)`;
    return `${s.ok('FORWARDED')} — delivered to ${d.target} on ${d.node} by ${d.via} (ifindex ${d.ifindex})`;
  }
  if (r.verdict === 'DROPPED' && r.drop) {
    const d = r.drop;
    const where = d.direction ? ` (${d.direction})` : '';
    return `${s.bad('DROPPED')} — ${d.macro} (${d.code}) "${d.text}" [${d.name}] in ${d.fn}${where} on ${d.node}`;
  }
  if (r.verdict === 'DROPPED' && r.l7?.verdict === 'DENIED') {
    const l = r.l7;
    if (l.dns) return `${s.bad('DROPPED')} — DNS query ${l.dns.query} ${l.dns.qtype} refused by the DNS proxy (${l.listener}, proxy port ${l.proxyPort}) on ${l.node}: rcode REFUSED, no rules.dns item matches (no drop reason, no drop event)`;
    return `${s.bad('DROPPED')} — HTTP ${l.method} ${l.url} denied by Envoy (${l.listener}, proxy port ${l.proxyPort}) on ${l.node}: 403 Access denied, no HTTP rule matches (no drop reason, no drop event)`;
  }
  if (r.verdict === 'DROPPED' && r.refused) {
    const f = r.refused;
    if (f.icmp) return `${s.bad('DROPPED')} — the Service has no backends: ${f.fn} answered with ${f.icmp}; the client's ${f.syscall}() fails with ${f.errno} (refused, no drop reason, no drop event) on ${f.node}`;
    return `${s.bad('DROPPED')} — ${f.syscall}() refused with -${f.errno} (${f.code}) by ${f.fn} on ${f.node}: no packet is sent, no drop reason, no drop event`;
  }
  return `${s.warn('NOT SIMULATED')} — ${r.notSimulated?.text ?? 'unknown'} (on ${r.notSimulated?.node ?? '?'})`;
}

/** Envoy's decision: the request, the verdict, the rules that did not match and the smallest fix. */
function l7Lines(l: L7Record, s: Style): string[] {
  if (l.dns) {
    const head = `dns ${l.direction} query ${l.dns.query} ${l.dns.qtype}`;
    const out = [l.verdict === 'DENIED' ? s.bad(`${head} → DENIED: answered REFUSED (no rules.dns item matches)`) : s.ok(`${head} → FORWARDED (rule ${l.matched ?? '?'})`)];
    for (const m of l.misses) out.push(s.dim(`  rule ${m.rule}: ${m.why}`));
    if (l.proposal) out.push(`  would allow it: add ${l.proposal} to that toPorts rules.dns`);
    return out;
  }
  const head = `http ${l.direction} ${l.method} ${l.url}${l.headers.map((h) => ` [${h.name}: ${h.value}]`).join('')}`;
  const out = [l.verdict === 'DENIED' ? s.bad(`${head} → DENIED: 403 Access denied (no HTTP rule matches)`) : s.ok(`${head} → FORWARDED (${l.matched === null ? 'allowed' : `rule ${l.matched}`})`)];
  for (const m of l.misses) out.push(s.dim(`  rule ${m.rule}: ${m.why}`));
  if (l.proposal) out.push(`  would allow it: add ${l.proposal} to that toPorts rules.http`);
  return out;
}

function hopTitle(n: Extract<TraceNode, { kind: 'hop' }>, s: Style): string {
  const prog = n.program ? ` — ${n.program}` : '';
  return s.bold(`${n.node} / ${n.where} — ${n.hook}${prog}`);
}

export function line(n: TraceNode, s: Style, withProvenance: boolean): string[] {
  switch (n.kind) {
    case 'hop': return [hopTitle(n, s)];
    case 'fn': return [`${s.accent(n.fn)}  ${s.dim(n.line === null ? n.file : `${n.file}:${n.line}`)}`];
    case 'lookup': {
      const out = [`lookup ${n.map} ${n.key} → ${n.result === null ? s.dim('miss') : n.result}${n.note ? s.dim(`  (${n.note})`) : ''}`];
      if (withProvenance) for (const p of n.provenance ?? []) out.push(s.dim(`  ↳ ${provenanceText(p)}`));
      return out;
    }
    case 'tail_call': return [`tail call ${n.map}[${n.slot}] (${n.slotName}) → ${n.program ?? s.bad('empty slot')}`];
    case 'inlined': return [`${n.program}: slot ${n.slot} (${n.slotName}) is not a tail call here — ${n.why}`];
    case 'trace_point': return [`trace ${n.point} (${n.monitor}) identity ${n.srcId}->${n.dstId}${n.dstEp ? ` endpoint ${n.dstEp}` : ''} ifindex ${n.ifindex} state ${n.reason}`];
    case 'policy': {
      // A positive verdict is the proxy port of a redirect entry (monitor: action redirect).
      const verdict = n.allowed ? s.ok(n.verdict > 0 ? `ALLOWED, redirect to proxy port ${n.verdict}` : 'ALLOWED') : s.bad(n.deny ? 'DENIED (deny rule)' : 'DENIED');
      const enf = n.match === 'all' ? ' — allow-all entry' : '';
      const out = [`policy ${n.direction} of endpoint ${n.endpoint} for identity ${n.remoteId}: ${verdict} (match ${n.match})${enf}`];
      if (withProvenance) for (const p of n.provenance) out.push(s.dim(`  ↳ ${provenanceText(p)}`));
      if (n.verdict === -133 && withProvenance) out.push(s.dim(`  ↳ no entry in the policy map allows identity ${n.remoteId} on this port/protocol`));
      return out;
    }
    case 'policy_skip': return [`policy ${n.direction} of endpoint ${n.endpoint}: skipped for return traffic (${n.status}), no lookup — ${n.why}`];
    case 'ct': return [`ct ${n.dir} ${n.map} ${n.tuple} → ${n.result}${n.assumed ? ' (assumed, --ct)' : ''}`];
    case 'ct_create': return [`create ${n.map} ${n.key}`, s.dim(`  ${n.value}`)];
    case 'rewrite': return [`rewrite ${n.field} ${n.from} → ${n.to}`];
    case 'encap': return [`${s.accent('encap')} ${n.type} vni ${n.vni} · outer ${n.outerSrc}:${n.sport} > ${n.outerDst}:${n.dport} udp · ttl ${n.ttl}`];
    case 'decap': return [`${s.accent('decap')} ${n.type} vni ${n.vni} · outer ${n.outerSrc} > ${n.outerDst}`];
    case 'redirect': return [`${s.accent(n.helper)} → ifindex ${n.ifindex} (${n.device})${n.helper === 'redirect' ? (n.ingress ? ' ingress' : ' egress') : ''} · CTX_ACT_REDIRECT`];
    case 'kernel': return [`${n.op.padEnd(6)} ${n.text}`];
    case 'packet': return [`${n.label.padEnd(6)} ${n.text}`];
    case 'note': return [s.dim(n.text)];
    case 'not_simulated': return [s.warn(`not simulated: ${n.text}`)];
    case 'l7': return l7Lines(n.record, s);
    case 'return': return [`→ ${n.value}`];
    case 'drop': return [s.bad(`DROP ${n.drop.macro} (${n.drop.code}) "${n.drop.text}" [${n.drop.name}] in ${n.fn} ${n.file}`)];
    case 'trace_sock': return [`trace-sock ${n.point === 'XLATE_PRE_DIRECTION_FWD' ? 'pre-xlate-fwd' : 'post-xlate-fwd'} dst ${n.dst}:${n.dport} ${n.proto}`];
    case 'refused': return [s.bad(n.icmp ? `REJECTED ${n.icmp}, redirected back to the client by ${n.fn} ${n.file}: ${n.syscall}() fails with ${n.errno}, no drop notification` : `REFUSED ${n.syscall}() → -${n.errno} (${n.code}) in ${n.fn} ${n.file}: SYS_REJECT, no packet is sent, no drop notification`)];
    case 'deliver': return [s.ok(`delivered to ${n.target} ${n.ifname}: ${n.packet}`)];
  }
}

const SUMMARY_KINDS = new Set<TraceNode['kind']>(['l7', 'hop', 'return', 'tail_call', 'lookup', 'policy', 'policy_skip', 'ct', 'encap', 'decap', 'redirect', 'drop', 'refused', 'deliver', 'not_simulated', 'trace_point', 'trace_sock', 'kernel']);

function renderNodes(nodes: readonly TraceNode[], depth: number, level: Level, s: Style, out: string[], explain?: (node: TraceNode) => string | undefined): void {
  for (const n of nodes) {
    if (level === 'summary' && n.kind === 'fn') {
      renderNodes(n.children, depth, level, s, out, explain);
      continue;
    }
    if (level === 'summary' && !SUMMARY_KINDS.has(n.kind)) continue;
    const pad = '  '.repeat(depth);
    for (const l of line(n, s, level === 'detailed')) out.push(pad + l);
    for (const l of explain?.(n)?.split('\n') ?? []) out.push(pad + s.dim(`  » ${l}`)); // --explain: prose under the step
    if ('children' in n) renderNodes(n.children, depth + 1, level, s, out, explain);
  }
}

/** One hop's lines as the level prints them (the report renderers show a hop at a time). */
export function hopLines(h: TraceNode, level: Exclude<Level, 'minimal'>, s: Style = PLAIN, explain?: (node: TraceNode) => string | undefined): string[] {
  const lines: string[] = [];
  renderNodes([h], 0, level, s, lines, explain);
  return lines;
}

function flatten(nodes: readonly TraceNode[]): TraceNode[] {
  return nodes.flatMap((n) => ('children' in n && n.kind !== 'hop' ? [n, ...flatten(n.children)] : [n]));
}

/** The behavioural signature of a hop for the minimal level. */
export function hopEvents(hop: Extract<TraceNode, { kind: 'hop' }>): string {
  const ev: string[] = [];
  for (const n of flatten(hop.children)) {
    if (n.kind === 'policy') ev.push(`${n.direction} ${n.allowed ? (n.verdict > 0 ? 'redirect to proxy' : 'allow') : 'deny'} (${n.match})`);
    else if (n.kind === 'policy_skip') ev.push(`${n.direction} policy skipped (${n.status === 'CT_RELATED' ? 'related' : 'reply'})`);
    else if (n.kind === 'encap') ev.push(`encap ${n.type} vni ${n.vni} ${n.outerSrc} > ${n.outerDst}:${n.dport}`);
    else if (n.kind === 'decap') ev.push(`decap vni ${n.vni}`);
    else if (n.kind === 'redirect') ev.push(`${n.helper} ifindex ${n.ifindex} ${n.device}`);
    else if (n.kind === 'rewrite' && n.field === 'ttl') ev.push(`ttl ${n.to}`);
    else if (n.kind === 'drop') ev.push(`${n.drop.macro} in ${n.fn}`);
    else if (n.kind === 'refused') ev.push(`${n.syscall}() -${n.errno} in ${n.fn}`);
    else if (n.kind === 'not_simulated') ev.push('not simulated');
    else if (n.kind === 'deliver') ev.push(`rx ${n.ifname}`);
    else if (n.kind === 'kernel' && n.op === 'wire') ev.push(n.text.replace(/ \(underlay.*\)$/, ''));
    else if (n.kind === 'kernel' && n.op === 'tx') ev.push(`tx ${n.text}`);
    else if (n.kind === 'return') ev.push(n.value);
    else if (n.kind === 'lookup' && n.map === 'cilium_lb4_services_v2' && n.result === null && !ev.includes('not a service')) ev.push('not a service');
    else if (n.kind === 'rewrite' && n.field !== 'ttl' && n.field !== 'eth') ev.push(`${n.field} ${n.from} → ${n.to}`);
    else if (n.kind === 'packet' && n.label === 'arp') ev.push(n.text.replace(/^.* · /, ''));
    else if (n.kind === 'kernel' && n.op === 'tc') ev.push('no BPF program');
    else if (n.kind === 'kernel' && n.op === 'tproxy') ev.push(`TPROXY --on-port ${n.text.replace(/^.*--on-port /, '')}`);
    else if (n.kind === 'l7' && n.record.dns) ev.push(`dns ${n.record.dns.query} ${n.record.verdict === 'DENIED' ? 'DENIED REFUSED' : 'FORWARDED'}`);
    else if (n.kind === 'l7') ev.push(`http ${n.record.method} ${n.record.path} ${n.record.verdict === 'DENIED' ? 'DENIED 403 Access denied' : 'FORWARDED'}`);
    else if (n.kind === 'trace_point' && n.point === 'TRACE_FROM_PROXY') ev.push(`from proxy identity ${n.srcId}`);
  }
  return ev.join(' · ');
}

function explanationLines(r: TraceResult, s: Style): string[] {
  const e = r.explanation;
  if (!e) return [];
  const out = ['', s.bold('why:'), ...e.lines.map((l) => `  ${l}`)];
  if (e.suggestion) {
    out.push('', s.bold('what would allow it (the smallest policy to add):'));
    out.push(...e.suggestion.trimEnd().split('\n').map((l) => `  ${l}`));
  }
  return out;
}

export function renderTrace(r: TraceResult, level: Level, s: Style = PLAIN, explain?: (node: TraceNode) => string | undefined): string {
  const out: string[] = [headerLine(r)];
  if (level === 'minimal') {
    for (const h of r.hops) {
      if (h.kind !== 'hop') continue;
      const prog = h.program ? ` ${h.program}` : '';
      out.push(`  ${h.node} ${h.where} ${h.hook}${prog}: ${hopEvents(h)}`);
    }
    out.push(verdictLine(r, s));
    return out.join('\n') + '\n';
  }
  out.push(s.dim(contextLine(r)));
  if (level === 'detailed' || explain) for (const st of r.context.settings ?? []) out.push(s.dim(`setting: ${st.value} (${st.from})`));
  if (level === 'detailed') for (const note of r.context.notes) out.push(s.dim(`note: ${note}`));
  for (const h of r.hops) {
    const lines: string[] = [];
    renderNodes([h], 0, level, s, lines, explain);
    // A hop none of whose steps the summary keeps (e.g. a drop's to-container hop that only
    // notes what did not run) would be a bare header: leave it out.
    if (level === 'summary' && h.kind === 'hop' && lines.length === 1) continue;
    out.push('', ...lines);
  }
  // The explanation comes before the verdict: the last line is always the verdict.
  out.push(...explanationLines(r, s));
  out.push('');
  out.push(verdictLine(r, s));
  return out.join('\n') + '\n';
}
