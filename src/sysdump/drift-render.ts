// The drift report as text and as JSON (pure: strings out).
import type { DriftItem, DriftReport } from './drift.js';

const KIND_TEXT: Record<DriftItem['kind'], string> = {
  stale: 'only in the real map',
  missing: 'missing from the real map',
  differs: 'differs',
};

function itemLines(i: DriftItem): string[] {
  const out = [`  ${i.map} ${i.key}: ${KIND_TEXT[i.kind]}`];
  if (i.real !== undefined) out.push(`    real:     ${i.real}${i.realAt ? `  (${i.realAt})` : ''}`);
  if (i.computed !== undefined) out.push(`    computed: ${i.computed}`);
  out.push(`    from:     ${i.from}`);
  return out;
}

export function driftCount(r: DriftReport): number {
  return r.nodes.reduce((n, x) => n + x.items.length, 0);
}

export function renderDriftText(r: DriftReport, sysdump: string): string {
  const n = driftCount(r);
  const lines = [`drift: ${sysdump} (Cilium ${r.release}): ${n === 0 ? 'the real maps agree with the maps computed from the objects' : `${n} entr${n === 1 ? 'y' : 'ies'} where the real maps and the maps computed from the objects disagree`}`];
  for (const node of r.nodes) {
    lines.push('', `node ${node.node} (compared: ${node.compared.length > 0 ? node.compared.join(', ') : 'no map dumps'})`);
    if (node.items.length === 0) lines.push('  no drift');
    for (const i of node.items) lines.push(...itemLines(i));
  }
  const unmodelled = r.nodes.flatMap((x) => x.unmodelled);
  if (unmodelled.length > 0) {
    lines.push('', 'not modelled, not counted:');
    for (const i of unmodelled) lines.push(`  ${i.node} ${i.map} ${i.key}: ${i.real ?? ''} — ${i.from}`);
  }
  lines.push('', 'not compared: MACs, ifindexes, node ids, rev-NAT and backend ids, proxy ports (the agent allocates them at run time); conntrack and NAT entries (connection state)');
  return lines.join('\n') + '\n';
}

export function driftJson(r: DriftReport, sysdump: string): unknown {
  const item = (i: DriftItem) => ({
    map: i.map, key: i.key, kind: i.kind,
    ...(i.real !== undefined ? { real: i.real } : {}), ...(i.realAt ? { realAt: i.realAt } : {}),
    ...(i.computed !== undefined ? { computed: i.computed } : {}), from: i.from,
  });
  return {
    schema: 'cilium-trace/drift/v1',
    sysdump,
    release: r.release,
    drift: driftCount(r),
    nodes: r.nodes.map((n) => ({ node: n.node, compared: n.compared, items: n.items.map(item), unmodelled: n.unmodelled.map(item) })),
    notes: r.notes.map((x) => ({ ...(x.where ? { where: x.where } : {}), message: x.message })),
  };
}
