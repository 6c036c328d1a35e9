// Renders a replay: text (a block per flow, then the summary tables), markdown (for an
// incident ticket: summary first, then findings and explained drops) and JSON (fixed key
// order, schema cilium-trace/replay/v1). Pure functions of the report.
import { observedText, simulatedText, type ReplayedFlow, type ReplayReport, type Simulated } from './replay.js';
import { summarize, type ReplaySummary } from './summary.js';

export type ReplayFormat = 'text' | 'json' | 'markdown';

/** Where a flow's events are: `lines 1-2`, or `FILE lines 1-2; FILE line 4` when several files were read. */
function atText(f: ReplayedFlow, several: boolean): string {
  return f.at.map((a) => (several ? `${a.file} ${linesText(a.lines)}` : linesText(a.lines))).join('; ');
}

const eventCount = (f: ReplayedFlow): number => f.at.reduce((n, a) => n + a.lines.length, 0);

function linesText(lines: readonly number[]): string {
  if (lines.length === 1) return `line ${lines[0]}`;
  const consecutive = lines.every((l, i) => i === 0 || l === (lines[i - 1] as number) + 1);
  if (consecutive) return `lines ${lines[0]}-${lines.at(-1)}`;
  return `lines ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? `, … (${lines.length})` : ''}`;
}

function protoText(f: ReplayedFlow): string {
  if (f.proto === 'tcp') return `TCP ${f.tcpFlags.join(',') || '(no flags)'}`;
  if (f.proto === 'icmp') return `ICMPv4 type ${f.icmpType ?? 0}`;
  return f.proto === 'none' ? 'no L4' : f.proto.toUpperCase();
}

function sideText(s: ReplayedFlow['src'], anyPort: boolean): string {
  const addr = s.ip === null ? '?' : s.port !== null ? `${s.ip}:${anyPort ? '*' : s.port}` : s.ip;
  return s.name === null || s.name === s.ip ? addr : `${s.name} (${addr})`;
}

/** The client ports of merged connections: `3 connections, client ports 40000, 40001, 40002`. */
function connectionsText(f: ReplayedFlow): string | undefined {
  const p = f.clientPorts;
  if (p.length < 2) return undefined;
  const shown = p.slice(0, 10).join(', ');
  return `${p.length} connections, client ports ${shown}${p.length > 10 ? `, … (${p.length})` : ''}`;
}

export function flowTitle(f: ReplayedFlow): string {
  const many = f.clientPorts.length > 1;
  return `${sideText(f.src, many && !f.reply)} → ${sideText(f.dst, many && f.reply)} ${protoText(f)}${f.reply ? ' (reply)' : ''}`;
}

function hubbleLine(f: ReplayedFlow): string {
  const o = f.observed;
  const where = o.nodes.length > 0 ? ` on ${o.nodes.join(', ')}` : '';
  const dir = o.verdict === 'DROPPED' && o.direction !== null ? ` ${o.direction}` : '';
  const file = o.file !== null ? ` at ${o.file}` : '';
  return `${observedText(o)}${where}${dir}${file} (${eventCount(f)} event${eventCount(f) === 1 ? '' : 's'}: ${o.events.join(', ')})`;
}

function simLine(s: Simulated): string {
  if (s.verdict === 'FORWARDED') return `FORWARDED${s.delivered !== null ? `, delivered to ${s.delivered}` : ''}`;
  if (s.verdict === 'NOT_SIMULATED') return `NOT_SIMULATED: ${s.notSimulated ?? ''}`;
  const site = s.fn !== null ? ` ${s.macro ?? ''} in ${s.fn} (${s.file ?? '?'})`.replace('  ', ' ') : '';
  return `${simulatedText(s)}${site}${s.node !== null ? ` on ${s.node}` : ''}${s.direction !== null ? ` ${s.direction}` : ''}`;
}

const STATUS_WORD = { agree: 'agrees', disagree: 'DISAGREES', unmappable: 'UNMAPPED', 'not-simulated': 'NOT SIMULATED', 'not-compared': 'NOT COMPARED' } as const;

function statusLine(f: ReplayedFlow): string {
  if (f.status === 'agree') return f.observed.verdict === 'DROPPED' ? 'agrees: the drop is explained' : 'agrees';
  return `${STATUS_WORD[f.status]}: ${f.finding ?? ''}`;
}

function flowBlock(f: ReplayedFlow, several: boolean): string[] {
  const out = [`flow ${f.index} (${atText(f, several)}): ${flowTitle(f)}`];
  const conns = connectionsText(f);
  if (conns) out.push(`  ${conns}`);
  out.push(`  hubble:    ${hubbleLine(f)}`);
  if (f.simulated) out.push(`  simulated: ${simLine(f.simulated)}`);
  out.push(`  ${statusLine(f)}`);
  for (const n of f.notes) out.push(`  note: ${n}`);
  if (f.explanation.length > 0) out.push('  why:', ...f.explanation.map((l) => `    ${l}`));
  if (f.proposedFix) out.push('  what would allow it (the smallest policy to add):', ...f.proposedFix.yaml.trimEnd().split('\n').map((l) => `    ${l}`));
  return out;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function countsLine(s: ReplaySummary): string {
  const st = s.status;
  return `${s.flows} flow${s.flows === 1 ? '' : 's'} (${s.events} event${s.events === 1 ? '' : 's'}): ${st.agree} agree (${s.agreeForwarded} forwarded, ${s.agreeDropped} dropped), ${st.disagree} disagree, ${st.unmappable} unmapped, ${st['not-simulated']} not simulated, ${st['not-compared']} not compared`;
}

function verdictLine(s: ReplaySummary): string {
  const parts = [];
  if (s.unexplainedDrops > 0) parts.push(`${s.unexplainedDrops} drop${s.unexplainedDrops === 1 ? '' : 's'} unexplained`);
  if (s.status.disagree > 0) parts.push(`${s.status.disagree} disagreement${s.status.disagree === 1 ? '' : 's'}`);
  return parts.length > 0 ? `${parts.join(', ')} (exit 1)` : 'every drop explained, no disagreement (exit 0)';
}

function summaryTables(s: ReplaySummary): Array<{ title: string; head: string[]; rows: string[][] }> {
  return [
    { title: 'drops by reason', head: ['REASON', 'FLOWS', 'EVENTS', 'EXPLAINED', 'UNEXPLAINED'], rows: s.byReason.map((g) => [g.key, String(g.flows), String(g.events), String(g.explained), String(g.unexplained)]) },
    { title: 'drops by workload', head: ['SOURCE', 'DESTINATION', 'REASON', 'FLOWS', 'EXPLAINED', 'UNEXPLAINED'], rows: s.byWorkload.map((g) => [g.src, g.dst, g.reasons.join(', '), String(g.flows), String(g.explained), String(g.unexplained)]) },
    { title: 'drops by rule', head: ['RULE', 'FLOWS', 'EXPLAINED', 'UNEXPLAINED'], rows: s.byRule.map((g) => [g.key, String(g.flows), String(g.explained), String(g.unexplained)]) },
  ];
}

function header(r: ReplayReport): string {
  return `replay ${r.inputs.join(', ')} on cluster ${r.cluster} (Cilium ${r.cilium})`;
}

export function renderReplayText(r: ReplayReport): string {
  const s = summarize(r);
  const out = [header(r)];
  for (const n of r.notes) out.push(`note: ${n}`);
  for (const f of r.flows) out.push('', ...flowBlock(f, r.inputs.length > 1));
  out.push('', 'summary', `  ${countsLine(s)}`, `  ${verdictLine(s)}`);
  for (const t of summaryTables(s)) {
    if (t.rows.length === 0) continue;
    out.push('', t.title, ...table(t.head, t.rows).map((l) => `  ${l}`));
  }
  return out.join('\n') + '\n';
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;

export function renderReplayMarkdown(r: ReplayReport): string {
  const s = summarize(r);
  const several = r.inputs.length > 1;
  const out = [`# Hubble flows replayed: ${r.inputs.join(', ')}`, '', `Cluster ${code(r.cluster)}, Cilium ${r.cilium}, simulated by cilium-trace. ${countsLine(s)}.`, '', `**${verdictLine(s)}**`];
  if (r.notes.length > 0) out.push('', ...r.notes.map((n) => `- ${n}`));
  for (const t of summaryTables(s)) {
    if (t.rows.length === 0) continue;
    const title = t.title.charAt(0).toUpperCase() + t.title.slice(1);
    out.push('', `## ${title}`, '', `| ${t.head.map((h) => h.charAt(0) + h.slice(1).toLowerCase()).join(' | ')} |`, `|${t.head.map((_, i) => (i === 0 || t.head[i] === 'DESTINATION' || t.head[i] === 'REASON' ? ' --- |' : ' ---: |')).join('')}`);
    for (const row of t.rows) out.push(`| ${row.map(cell).join(' | ')} |`);
  }
  const findings = r.flows.filter((f) => f.status !== 'agree');
  if (findings.length > 0) {
    out.push('', '## Findings');
    for (const f of findings) {
      out.push('', `### Flow ${f.index}: ${STATUS_WORD[f.status].toLowerCase()}`, '', `${flowTitle(f)} (${atText(f, several)})`, '', ...(connectionsText(f) ? [`- ${connectionsText(f)}`] : []), `- Hubble: ${hubbleLine(f)}`);
      if (f.simulated) out.push(`- Simulated: ${simLine(f.simulated)}`);
      out.push(`- Finding: ${f.finding ?? ''}`, ...f.notes.map((n) => `- Note: ${n}`));
    }
  }
  const explained = r.flows.filter((f) => f.status === 'agree' && f.observed.verdict === 'DROPPED');
  if (explained.length > 0) {
    out.push('', '## Explained drops');
    for (const f of explained) {
      out.push('', `### Flow ${f.index}: ${observedText(f.observed)}`, '', `${flowTitle(f)} (${atText(f, several)})`, '', ...(connectionsText(f) ? [`- ${connectionsText(f)}`] : []), `- Hubble: ${hubbleLine(f)}`);
      if (f.simulated) out.push(`- Simulated: ${simLine(f.simulated)}`);
      out.push(...f.notes.map((n) => `- Note: ${n}`), '', ...f.explanation.map((l) => `> ${l}`));
      if (f.proposedFix) out.push('', `The smallest policy that would allow it (${code(f.proposedFix.name)}):`, '', '```yaml', f.proposedFix.yaml.trimEnd(), '```');
    }
  }
  return out.join('\n') + '\n';
}

export function replayToJson(r: ReplayReport): unknown {
  const s = summarize(r);
  return {
    schema: r.schema,
    inputs: [...r.inputs],
    cluster: r.cluster,
    cilium: r.cilium,
    notes: [...r.notes],
    summary: {
      flows: s.flows,
      events: s.events,
      agree: s.status.agree,
      agree_forwarded: s.agreeForwarded,
      agree_dropped: s.agreeDropped,
      disagree: s.status.disagree,
      unmapped: s.status.unmappable,
      not_simulated: s.status['not-simulated'],
      not_compared: s.status['not-compared'],
      unexplained_drops: s.unexplainedDrops,
      drops_by_reason: s.byReason.map((g) => ({ reason: g.key, flows: g.flows, events: g.events, explained: g.explained, unexplained: g.unexplained })),
      drops_by_workload: s.byWorkload.map((g) => ({ source: g.src, destination: g.dst, reasons: [...g.reasons], flows: g.flows, explained: g.explained, unexplained: g.unexplained })),
      drops_by_rule: s.byRule.map((g) => ({ rule: g.key, flows: g.flows, explained: g.explained, unexplained: g.unexplained })),
    },
    flows: r.flows.map((f) => ({
      index: f.index,
      at: f.at.map((a) => ({ file: a.file, lines: [...a.lines] })),
      source: { ip: f.src.ip, port: f.src.port, name: f.src.name, workload: f.src.workload },
      destination: { ip: f.dst.ip, port: f.dst.port, name: f.dst.name, workload: f.dst.workload },
      proto: f.proto,
      icmp_type: f.icmpType,
      tcp_flags: [...f.tcpFlags],
      reply: f.reply,
      client_ports: [...f.clientPorts],
      hubble: { verdict: f.observed.verdict, drop_reason: f.observed.dropName, drop_code: f.observed.dropCode, nodes: [...f.observed.nodes], drop_node: f.observed.dropNode, direction: f.observed.direction, file: f.observed.file, events: [...f.observed.events] },
      simulated: f.simulated ? { verdict: f.simulated.verdict, drop_reason: f.simulated.dropName, drop_code: f.simulated.dropCode, macro: f.simulated.macro, fn: f.simulated.fn, file: f.simulated.file, node: f.simulated.node, direction: f.simulated.direction, delivered: f.simulated.delivered, not_simulated: f.simulated.notSimulated } : null,
      status: f.status,
      finding: f.finding,
      explanation: [...f.explanation],
      proposed_fix: f.proposedFix ? { name: f.proposedFix.name, yaml: f.proposedFix.yaml } : null,
      rule: f.rule,
      notes: [...f.notes],
    })),
  };
}

export function renderReplay(r: ReplayReport, format: ReplayFormat): string {
  if (format === 'json') return JSON.stringify(replayToJson(r), null, 2) + '\n';
  return format === 'markdown' ? renderReplayMarkdown(r) : renderReplayText(r);
}
