// --maps real|computed: which maps a trace reads when the input is a sysdump. Default real:
// each node's dumps where the sysdump has them (real-maps.ts), the computed maps elsewhere.
import { UsageError } from '../errors.js';
import type { Cluster } from '../controlplane/cluster.js';
import { withRealMaps, type MapsSource } from './real-maps.js';

export const MAPS_OPTION_HELP = 'with a sysdump input: real (trace over the map dumps of each node\'s bugtool; the default) or computed (the maps cilium-trace computes from the objects)';

export function mapsSourceOf(text: string | undefined, flag = '--maps'): MapsSource | undefined {
  if (text === undefined) return undefined;
  if (text !== 'real' && text !== 'computed') throw new UsageError(`bad ${flag} '${text}' (expected real or computed)`);
  return text;
}

/**
 * The cluster whose nodes read the sysdump's maps (unless `computed`), and the lines to show
 * on stderr: per node, which maps came from the sysdump; then each reading note.
 */
export function applyMapsSource(cluster: Cluster, source: MapsSource | undefined, flag = '--maps'): { cluster: Cluster; lines: string[] } {
  const sysdumps = cluster.scenario.sysdumps ?? [];
  if (sysdumps.length === 0) {
    if (source === 'real') throw new UsageError(`${flag} real needs a sysdump input (expected -f cilium-sysdump-<time>.zip or its unpacked directory)`);
    return { cluster, lines: [] };
  }
  if (source === 'computed') return { cluster, lines: ['cilium-trace: --maps computed: the sysdump\'s map dumps are not read; every map is computed from its objects'] };
  let c = cluster;
  const lines: string[] = [];
  for (const sd of sysdumps) {
    const r = withRealMaps(c, sd);
    c = r.cluster;
    for (const u of r.used) lines.push(`cilium-trace: node ${u.node}: ${u.maps.length > 0 ? `maps read from the sysdump: ${u.maps.join(', ')}; the others computed` : 'no map dumps in its bugtool: maps computed'}`);
    for (const n of r.notes) lines.push(`${n.where ? `${n.where}:1` : 'cilium-trace'}: warning: ${n.message}`);
  }
  return { cluster: c, lines };
}
