// The upgrade view: the same cluster traced by two Cilium releases. On top of the flow diff
// it names (1) the lookups both releases make but print differently (map name, key or value
// text: what `cilium bpf … list` shows after the upgrade), and (2) the release changes behind
// the difference: the `feature` of every trace note (features.ts) that the newer release
// brought after the older one. Only what the traces record is named; nothing is inferred.
import { FEATURES, type Feature } from '../cilium/releases/features.js';
import { compareReleases, parseRelease } from '../cilium/releases/semver.js';
import type { Cluster } from '../controlplane/cluster.js';
import { DEFAULT_SPORT, traceFlow, type FlowSource } from '../trace/run.js';
import type { TraceNode, TraceResult } from '../trace/tree.js';
import { flowDiffToJson, renderFlowDiffText, type FlowDiff } from './flow-diff.js';
import type { Matrix } from './matrix.js';
import type { CellChange, MatrixDiff } from './matrix-diff.js';
import { flowSourceOf } from './matrix-trace.js';
import { outcomeText, type CellOutcome } from './outcome.js';
import { editScript } from './udiff.js';

/** One release change seen on a path: its features.ts fact, and which side's trace names it. */
export interface ReleaseChange {
  readonly feature: Feature;
  readonly since: string;
  readonly what: string;
  readonly source: string;
  readonly before: boolean;
  readonly after: boolean;
  /** Noted inside the frames that decide a policy verdict: listed first. */
  readonly decidesPolicy: boolean;
}

/** A lookup as the trace records it: the map, and the CLI's text of its key and value. */
export interface LookupText {
  readonly map: string;
  readonly key: string;
  readonly result: string;
}

/** The same lookup made by both releases, printed differently. */
export interface MapFormatChange {
  readonly before: LookupText;
  readonly after: LookupText;
}

/** Features named by the trace's notes, in first-seen order. */
export function featuresOf(r: TraceResult): Feature[] {
  return [...notedFeatures(r).all];
}

/** Functions whose notes decide a policy verdict (the lookup and its precedence rule). */
const DECIDING_FN = /polic/;

/**
 * Every feature the trace's notes name, and those named inside the frames that decide a policy
 * verdict (policy_can_*, __policy_can_access): the release changes that can turn a verdict.
 */
function notedFeatures(r: TraceResult): { all: Set<Feature>; deciding: Set<Feature> } {
  const all = new Set<Feature>();
  const deciding = new Set<Feature>();
  const walk = (nodes: readonly TraceNode[], inPolicy: boolean): void => {
    for (const n of nodes) {
      if (n.kind === 'note' && n.feature !== undefined) {
        all.add(n.feature);
        if (inPolicy) deciding.add(n.feature);
      }
      if ('children' in n) walk(n.children, inPolicy || (n.kind === 'fn' && DECIDING_FN.test(n.fn)));
    }
  };
  walk(r.hops, false);
  return { all, deciding };
}

function release(text: string) {
  const r = parseRelease(text);
  if (!r) throw new Error(`not a release number: ${text}`);
  return r;
}

/** -1, 0, 1 as release `a` is older, the same, newer than `b` (v1.13.0, v1.18.3). */
export function compareVersions(a: string, b: string): number {
  return Math.sign(compareReleases(release(a), release(b)));
}

/**
 * The features either trace names whose `since` lies after the older of the two releases and
 * at or before the newer one: the changes an upgrade (or downgrade) between them crosses.
 * Ordered by release, then name.
 */
export function releaseChanges(before: TraceResult, after: TraceResult): ReleaseChange[] {
  const [older, newer] = compareVersions(before.context.cilium, after.context.cilium) <= 0 ? [before.context.cilium, after.context.cilium] : [after.context.cilium, before.context.cilium];
  const b = notedFeatures(before);
  const a = notedFeatures(after);
  const inBefore = b.all;
  const inAfter = a.all;
  const deciding = new Set([...b.deciding, ...a.deciding]);
  const crossed = (f: Feature) => {
    const since = release(FEATURES[f].since);
    return compareReleases(since, release(older)) > 0 && compareReleases(since, release(newer)) <= 0;
  };
  return [...new Set([...inBefore, ...inAfter])]
    .filter(crossed)
    .map((f): ReleaseChange => ({ feature: f, since: FEATURES[f].since, what: FEATURES[f].what, source: FEATURES[f].source, before: inBefore.has(f), after: inAfter.has(f), decidesPolicy: deciding.has(f) }))
    .sort((x, y) => Number(y.decidesPolicy) - Number(x.decidesPolicy) || compareReleases(release(x.since), release(y.since)) || (x.feature < y.feature ? -1 : x.feature > y.feature ? 1 : 0));
}

/** Map lookups (and conntrack lookups) in trace order. */
export function lookupsOf(r: TraceResult): LookupText[] {
  const out: LookupText[] = [];
  const walk = (nodes: readonly TraceNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'lookup') out.push({ map: n.map, key: n.key, result: n.result ?? 'miss' });
      else if (n.kind === 'ct') out.push({ map: n.map, key: n.tuple, result: n.result });
      if ('children' in n) walk(n.children);
    }
  };
  walk(r.hops);
  return out;
}

/**
 * The map a lookup reads, whatever the release calls it: version suffixes dropped
 * (cilium_ipcache_v2 → cilium_ipcache, cilium_policy_v2_00505 → cilium_policy_00505).
 */
export function mapFamily(map: string): string {
  return map.replace(/_v\d+(?=_|$)/g, '');
}

/**
 * Lookups of the same map family at the same place in both traces (aligned as a shortest
 * edit script over the families, so a lookup only one release makes pairs with nothing)
 * whose map name, key or value text differ; each distinct pair once.
 */
export function mapFormatChanges(before: TraceResult, after: TraceResult): MapFormatChange[] {
  const a = lookupsOf(before);
  const b = lookupsOf(after);
  const seen = new Set<string>();
  const out: MapFormatChange[] = [];
  for (const op of editScript(a.map((l) => mapFamily(l.map)), b.map((l) => mapFamily(l.map)))) {
    if (op.t !== '=') continue;
    const x = a[op.a] as LookupText;
    const y = b[op.b] as LookupText;
    if (x.map === y.map && x.key === y.key && x.result === y.result) continue;
    const k = JSON.stringify([x, y]);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ before: x, after: y });
  }
  return out;
}

/** "Cilium v1.13.0 (--cilium 1.13)": the release a trace ran as and why. */
export function releaseLabel(r: TraceResult): string {
  return `Cilium ${r.context.cilium} (${r.context.profileWhy})`;
}

export function mapFormatLines(changes: readonly MapFormatChange[]): string[] {
  if (changes.length === 0) return ['map formats: every lookup both releases make is printed the same'];
  // One heading per map (or rename), its lookups under it in trace order.
  const groups = new Map<string, MapFormatChange[]>();
  for (const c of changes) {
    const head = c.before.map === c.after.map ? c.before.map : `${c.before.map} → ${c.after.map}`;
    groups.set(head, [...(groups.get(head) ?? []), c]);
  }
  const out = ['map formats (the same lookup, as each release prints it):'];
  for (const [head, cs] of groups) {
    out.push(`  ${head}`);
    for (const c of cs) out.push(`    before: ${c.before.map} ${c.before.key} → ${c.before.result}`, `    after:  ${c.after.map} ${c.after.key} → ${c.after.result}`);
  }
  return out;
}

/** The release changes, or the plain statement that the traces record none. */
export function releaseChangeLines(changes: readonly ReleaseChange[], before: TraceResult, after: TraceResult, indent = ''): string[] {
  const span = `${before.context.cilium} → ${after.context.cilium}`;
  if (changes.length === 0) return [`${indent}release changes (${span}): no release change recorded on this path`];
  const out = [`${indent}release changes (${span}) recorded on these paths:`];
  for (const c of changes) {
    const side = c.before && c.after ? 'both' : c.before ? 'before' : 'after';
    out.push(`${indent}  ${c.feature} (${c.since}, seen ${side}${c.decidesPolicy ? ', in the policy decision' : ''}): ${c.what} [${c.source}]`);
  }
  return out;
}

export function releaseChangeJson(c: ReleaseChange): unknown {
  return { feature: c.feature, since: c.since, what: c.what, source: c.source, seenBefore: c.before, seenAfter: c.after, decidesPolicy: c.decidesPolicy };
}

/** Why a matrix cell changed verdict between two releases: both traces of it, and what they record. */
export interface CellWhy {
  readonly change: CellChange;
  readonly before: TraceResult;
  readonly after: TraceResult;
  readonly changes: readonly ReleaseChange[];
}

/** The cell's flow traced again on a cluster (the full cluster: a changed cell is one flow). */
export function traceMatrixCell(cluster: Cluster, m: Matrix, c: Pick<CellChange, 'section' | 'from' | 'to'>): TraceResult | undefined {
  const row = m.rows.find((r) => r.label === c.from);
  const col = m.sections.find((s) => s.title === c.section)?.columns.find((x) => x.label === c.to);
  if (!row || !col) return undefined;
  return traceFlow(cluster, { src: flowSourceOf(row), dstIp: col.ip as FlowSource['ip'], proto: col.proto, dport: col.port, sport: DEFAULT_SPORT, traceArp: false });
}

export function explainCells(d: MatrixDiff, before: { cluster: Cluster; matrix: Matrix }, after: { cluster: Cluster; matrix: Matrix }): CellWhy[] {
  const out: CellWhy[] = [];
  for (const change of d.changes) {
    const x = traceMatrixCell(before.cluster, before.matrix, change);
    const y = traceMatrixCell(after.cluster, after.matrix, change);
    if (x && y) out.push({ change, before: x, after: y, changes: releaseChanges(x, y) });
  }
  return out;
}

function dropText(o: CellOutcome): string {
  return o.verdict === 'DROPPED' ? `${o.reason ?? '?'} (${o.macro ?? '?'} in ${o.fn ?? '?'})` : `none (${o.verdict})`;
}

/** "why each cell changed": the drop reason before/after and the release changes of its two traces. */
export function cellWhyLines(cells: readonly CellWhy[]): string[] {
  if (cells.length === 0) return [];
  const out = ['why each cell changed:'];
  for (const w of cells) {
    out.push(`  ${w.change.section} ${w.change.from} → ${w.change.to}: ${outcomeText(w.change.before)} → ${outcomeText(w.change.after)}`);
    out.push(`    drop reason: ${dropText(w.change.before)} → ${dropText(w.change.after)}`);
    out.push(...releaseChangeLines(w.changes, w.before, w.after, '    '));
  }
  return out;
}

/** The same reasons as a Markdown list (pull-request comments). */
export function cellWhyMarkdown(cells: readonly CellWhy[]): string[] {
  if (cells.length === 0) return [];
  const md = (x: string) => x.replace(/\|/g, '\\|');
  const out = ['**Why each cell changed:**', ''];
  for (const w of cells) {
    const rc = w.changes.length === 0 ? 'no release change recorded on this path' : w.changes.map((c) => `\`${c.feature}\` (${c.since}): ${md(c.what)}`).join('; ');
    out.push(`- ${md(w.change.section)} \`${md(w.change.from)}\` → \`${md(w.change.to)}\`: drop reason ${md(dropText(w.change.before))} → ${md(dropText(w.change.after))}; ${rc}`);
  }
  return out;
}

export function cellWhyJson(w: CellWhy): unknown {
  const o = (x: CellOutcome) => ({ verdict: x.verdict, reason: x.reason, macro: x.macro, fn: x.fn });
  return { section: w.change.section, from: w.change.from, to: w.change.to, before: o(w.change.before), after: o(w.change.after), releaseChanges: w.changes.map(releaseChangeJson) };
}

/** The flow form: the flow diff with the map formats and the release changes after the divergence. */
export function upgradeFlowText(d: FlowDiff, labels: { before: string; after: string }): string {
  return renderFlowDiffText(d, labels, [mapFormatLines(mapFormatChanges(d.before, d.after)), releaseChangeLines(releaseChanges(d.before, d.after), d.before, d.after)]);
}

export function upgradeFlowJson(d: FlowDiff, labels: { before: string; after: string }): unknown {
  const base = flowDiffToJson(d, labels) as Record<string, unknown>;
  return { ...base, upgrade: { before: d.before.context.cilium, after: d.after.context.cilium, mapFormats: mapFormatChanges(d.before, d.after), releaseChanges: releaseChanges(d.before, d.after).map(releaseChangeJson) } };
}
