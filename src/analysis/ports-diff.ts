// The difference of two all-ports connectivities (`diff` without -p): per pair (and per
// source → Service), the connections the after side allows and the before side does not
// (added) and the reverse (removed); a port whose proxy redirect changed is in both. Pairs
// naming an end only one side has are not compared; those ends are listed.
import { csvField } from './table.js';
import { labelsOnOneSide, oneSideLines } from './matrix-diff.js';
import type { Connectivity } from './ports-matrix.js';
import { connectionLines, connectionText } from './ports-render.js';
import { EMPTY_SET, formatPortSet, PortSet } from './ports-set.js';

export interface PairChange {
  readonly from: string;
  readonly to: string;
  readonly added: PortSet;
  readonly removed: PortSet;
  /** The whole connection text on each side ("none" when nothing). */
  readonly before: string;
  readonly after: string;
}

export interface ConnectivityDiff {
  readonly changes: readonly PairChange[];
  readonly compared: number;
  readonly onlyBefore: readonly string[];
  readonly onlyAfter: readonly string[];
  readonly identical: boolean;
}

interface Side {
  readonly sets: Map<string, { set: PortSet; text: string }>;
  readonly labels: Set<string>;
}

function side(c: Connectivity): Side {
  const sets = new Map<string, { set: PortSet; text: string }>();
  for (const l of connectionLines(c)) {
    const set = l.set ?? new PortSet((l.reach ?? []).map((r) => ({ proto: r.proto, lo: r.port, hi: r.port, l7: r.l7 })));
    sets.set(`${l.from}\n${l.to}`, { set, text: connectionText(l) });
  }
  return { sets, labels: new Set([...c.rows.map((r) => r.label), ...c.services.map((s) => s.label)]) };
}

export function diffConnectivity(before: Connectivity, after: Connectivity): ConnectivityDiff {
  const a = side(before);
  const b = side(after);
  const sources = before.rows.map((r) => r.label).filter((l) => b.labels.has(l));
  const targets = [...before.rows.map((r) => r.label), ...before.services.map((s) => s.label)].filter((l) => b.labels.has(l));
  const changes: PairChange[] = [];
  let compared = 0;
  for (const from of sources) {
    for (const to of targets) {
      if (from === to) continue;
      compared++;
      const k = `${from}\n${to}`;
      const x = a.sets.get(k);
      const y = b.sets.get(k);
      const xs = x?.set ?? EMPTY_SET;
      const ys = y?.set ?? EMPTY_SET;
      const added = ys.minus(xs);
      const removed = xs.minus(ys);
      const before = x?.text ?? 'none';
      const after = y?.text ?? 'none';
      if (!added.empty || !removed.empty || before !== after) changes.push({ from, to, added, removed, before, after });
    }
  }
  const only = labelsOnOneSide(a.labels, b.labels);
  return { changes, compared, ...only, identical: changes.length === 0 && only.onlyBefore.length === 0 && only.onlyAfter.length === 0 };
}

function summary(d: ConnectivityDiff): string {
  const n = (f: (c: PairChange) => boolean) => d.changes.filter(f).length;
  const added = n((c) => !c.added.empty);
  const removed = n((c) => !c.removed.empty);
  const other = n((c) => c.added.empty && c.removed.empty);
  return `${d.changes.length} of ${d.compared} pairs changed (${added} with connections added, ${removed} with connections removed, ${other} other change${other === 1 ? '' : 's'})`;
}

/** `+ a => b : TCP 80` per added set, `- …` per removed set, `~ a => b : before → after` otherwise (backends reached). */
export function renderConnectivityDiffText(d: ConnectivityDiff, labels: { before: string; after: string }): string {
  const out = [`before: ${labels.before}`, `after:  ${labels.after}`];
  out.push(...oneSideLines(d, false));
  if (d.changes.length > 0) out.push('');
  for (const c of d.changes) {
    if (!c.added.empty) out.push(`+ ${c.from} => ${c.to} : ${formatPortSet(c.added)}`);
    if (!c.removed.empty) out.push(`- ${c.from} => ${c.to} : ${formatPortSet(c.removed)}`);
    if (c.added.empty && c.removed.empty) out.push(`~ ${c.from} => ${c.to} : ${c.before} → ${c.after}`);
  }
  out.push('', d.identical ? `identical: ${d.compared} pairs compared over all ports, none changed` : `${summary(d)} over all ports`);
  return out.join('\n') + '\n';
}

export function renderConnectivityDiffCsv(d: ConnectivityDiff): string {
  const out = ['from,to,change,proto,first,last,l7'];
  for (const c of d.changes) {
    for (const [kind, set] of [['added', c.added], ['removed', c.removed]] as const) {
      for (const r of set.ranges) out.push([c.from, c.to, kind, r.proto, String(r.lo), String(r.hi), r.l7 ? 'yes' : 'no'].map(csvField).join(','));
    }
  }
  return out.join('\n') + '\n';
}

export function renderConnectivityDiffMarkdown(d: ConnectivityDiff, labels: { before: string; after: string }): string {
  const md = (s: string) => s.replace(/\|/g, '\\|');
  const out = [`**before:** \`${md(labels.before)}\` · **after:** \`${md(labels.after)}\``, ''];
  out.push(...oneSideLines(d, true, md));
  if (d.changes.length > 0) {
    out.push('| from | to | added | removed | before | after |', '|---|---|---|---|---|---|');
    for (const c of d.changes) out.push(`| \`${md(c.from)}\` | \`${md(c.to)}\` | ${c.added.empty ? '' : md(formatPortSet(c.added))} | ${c.removed.empty ? '' : md(formatPortSet(c.removed))} | ${md(c.before)} | ${md(c.after)} |`);
    out.push('');
  }
  out.push(d.identical ? `Identical: ${d.compared} pairs compared over all ports, none changed.` : `${summary(d)} over all ports.`);
  return out.join('\n') + '\n';
}

export function connectivityDiffToJson(d: ConnectivityDiff, labels: { before: string; after: string }): unknown {
  const ranges = (s: PortSet) => s.ranges.map((r) => ({ proto: r.proto, first: r.lo, last: r.hi, l7: r.l7 }));
  return {
    schema: 'cilium-trace/diff/v1',
    mode: 'all-ports',
    before: labels.before,
    after: labels.after,
    identical: d.identical,
    compared: d.compared,
    onlyBefore: d.onlyBefore,
    onlyAfter: d.onlyAfter,
    changes: d.changes.map((c) => ({ from: c.from, to: c.to, before: c.before, after: c.after, added: ranges(c.added), removed: ranges(c.removed) })),
  };
}
