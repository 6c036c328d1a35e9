// `cilium-trace maps MAP [--node NODE]`: a node's simulated BPF map in the format of the agent's
// CLI (cilium; cilium-dbg from v1.15). `maps` alone lists the maps the node's release has.
import { InputError, UsageError } from '../errors.js';
import type { Cluster } from '../controlplane/cluster.js';
import type { NodeDatapath } from '../node-state/node.js';
import { matchTypeOfKey } from '../datapath/lib/policy.js';
import { describePolicyPort, formatPortProto } from '../maps/policymap.js';
import { policyMapName } from '../cilium/releases/map-names.js';
import { provenanceText } from '../maps/provenance.js';
import { parseProto, resolveDestination, resolvePod, resolveSource } from './endpoints.js';
import { closestNames } from './pod-names.js';
import { alignColumns } from '../analysis/table.js';
import { FEATURES } from '../cilium/releases/features.js';
import { ipcacheMapName, policyMapName as releasePolicyMapName, tunnelMapName } from '../cilium/releases/map-names.js';
import type { CiliumRelease } from '../cilium/releases/release.js';
import { CALL_POLICY_MAP } from '../maps/callmap.js';
import { CT_MAP_ANY, CT_MAP_TCP } from '../maps/ctmap.js';
import { EGRESS_POLICY_MAP } from '../maps/egressmap.js';
import { LB_BACKENDS_MAP, LB_REVNAT_MAP, LB_SERVICES_MAP } from '../maps/lbmap.js';
import { DEFAULT_SPORT, traceWithReply, withConntrackCopy } from '../trace/run.js';

export const MAP_NAMES = ['ipcache', 'endpoint', 'policy', 'tunnel', 'lb', 'egress', 'ct', 'nat', 'calls'] as const;
export type MapName = (typeof MAP_NAMES)[number];

function pickNode(cluster: Cluster, name: string | undefined): NodeDatapath {
  const nodes = [...cluster.datapath.nodes.keys()].sort();
  const chosen = name ?? nodes[0];
  const node = chosen === undefined ? undefined : cluster.datapath.nodes.get(chosen);
  if (!node) throw new UsageError(`unknown node '${name}' (expected one of: ${nodes.join(', ')})`);
  return node;
}

/** v1.18 dropped the tunnel map: the agent unpins it (daemon/cmd/datapath.go@1.18.3:181-183) and cilium-dbg has no `bpf tunnel list`. */
function noTunnelMap(r: CiliumRelease): string {
  return `Cilium ${r.version} has no tunnel map: ${FEATURES['no-tunnel-map'].what.replace(/^no tunnel map: /, '')}, and ${r.cli} has no 'bpf tunnel list' (see maps ipcache)`;
}

/**
 * `maps` without a kind: the maps of the node's release, each kind with its pinned names and
 * the agent CLI command whose output `maps KIND` reproduces; the kinds the release lacks last.
 */
export function mapsIndex(cluster: Cluster, nodeName: string | undefined): string {
  const node = pickNode(cluster, nodeName);
  const r = cluster.datapath.release;
  const bpf = (what: string) => `${r.cli} bpf ${what}`;
  const epids = cluster.endpoints.filter((e) => e.node.name === node.name).map((e) => e.pod.endpointId).sort((a, b) => a - b);
  const tunnel = tunnelMapName(r);
  const rows: string[][] = [
    ['KIND', 'MAPS', 'AS'],
    ['ipcache', ipcacheMapName(r), bpf('ipcache list')],
    ['endpoint', node.maps.lxc.name, bpf('endpoint list')],
    ['policy', epids.length > 0 ? epids.map((id) => releasePolicyMapName(r, id)).join(', ') : '(no endpoints on this node)', bpf('policy get EPID')],
    ...(tunnel ? [['tunnel', tunnel, bpf('tunnel list')]] : []),
    ['lb', [LB_SERVICES_MAP, LB_BACKENDS_MAP, LB_REVNAT_MAP].join(', '), bpf('lb list')],
    ['egress', node.maps.egressGw ? EGRESS_POLICY_MAP : `${EGRESS_POLICY_MAP} (not created: egress gateway is off)`, bpf('egress list')],
    ['ct', `${CT_MAP_TCP}, ${CT_MAP_ANY}`, bpf('ct list global')],
    ['nat', node.maps.nat.name, bpf('nat list')],
    ['calls', `${CALL_POLICY_MAP} and ${node.maps.progArrays.size - 1} cilium_calls_* prog arrays`, 'bpftool map dump (no agent CLI command)'],
  ];
  const out = [`BPF maps of ${node.name}, Cilium ${r.version}: cilium-trace maps KIND prints one as the command in AS does`, ...alignColumns(rows)];
  if (!tunnel) out.push('', `not in Cilium ${r.version}:`, `  tunnel: ${FEATURES['no-tunnel-map'].what} [${FEATURES['no-tunnel-map'].source}]`);
  return out.join('\n') + '\n';
}

export function mapsCommand(cluster: Cluster, map: string | undefined, target: string | undefined, nodeName: string | undefined, why = false, after?: string): string {
  if (map === undefined) {
    if (target !== undefined || why || after !== undefined) throw new UsageError('maps without a MAP lists the maps (expected MAP before TARGET, --why or --after)');
    return mapsIndex(cluster, nodeName);
  }
  if (!(MAP_NAMES as readonly string[]).includes(map)) throw new UsageError(`unknown map '${map}' (expected one of: ${MAP_NAMES.join(', ')})`);
  if (map === 'tunnel' && !tunnelMapName(cluster.datapath.release)) throw new UsageError(noTunnelMap(cluster.datapath.release));
  if (map === 'policy') return policyDump(cluster, target, nodeName, why);
  if (why) throw new UsageError('--why applies to maps policy only');
  if (after !== undefined && map !== 'ct' && map !== 'nat') throw new UsageError('--after applies to maps ct and maps nat only');
  if (map === 'ct' || map === 'nat') return stateDump(cluster, map, nodeName, after);
  if (target !== undefined) throw new UsageError(`maps ${map} takes no argument (got '${target}')`);
  const node = pickNode(cluster, nodeName);
  switch (map as Exclude<MapName, 'policy'>) {
    case 'ipcache': return node.maps.ipcache.dump();
    case 'endpoint': return node.maps.lxc.dump();
    case 'tunnel': return node.maps.tunnel.dump();
    case 'lb': return node.maps.lb.dump(cluster.datapath.release);
    // `cilium bpf egress list`; without ENABLE_EGRESS_GATEWAY the map is not there (bpf_egress_list.go).
    case 'egress': return node.maps.egressGw?.dump() ?? 'Cannot find egress gateway bpf maps\n';
    case 'ct':
    case 'nat':
      return '';
    case 'calls': return [...node.maps.progArrays.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((a) => a.dump()).join('');
  }
}

function policyDump(cluster: Cluster, target: string | undefined, nodeName: string | undefined, why: boolean): string {
  if (target === undefined) throw new UsageError('maps policy needs a pod or an endpoint id (e.g. maps policy pod2, maps policy 505)');
  let epid: number;
  let node: NodeDatapath;
  if (/^\d+$/.test(target)) {
    epid = Number(target);
    node = pickNode(cluster, nodeName ?? cluster.endpoints.find((e) => e.pod.endpointId === epid)?.node.name);
  } else {
    const pod = resolvePod(cluster, { text: target, col: 1 }, 'DST');
    const ep = pod && cluster.endpoints.find((e) => e.pod === pod);
    if (!ep) throw new InputError([{ pos: { file: '<command line>', line: 1, col: 1 }, message: pod ? `pod ${pod.namespace}/${pod.name} is a hostNetwork pod: no endpoint, no policy map (expected a pod with an endpoint)` : `unknown pod '${target}' (expected one of: ${closestNames(cluster, target)})` }]);
    epid = ep.pod.endpointId;
    node = pickNode(cluster, nodeName ?? ep.node.name);
  }
  const pm = node.maps.policy.get(policyMapName(cluster.datapath.release, epid));
  if (!pm) throw new UsageError(`no endpoint ${epid} on node ${node.name}`);
  const labelsOf = (id: number) => cluster.identities.labelStrings(id);
  const table = pm.dump(labelsOf);
  if (!why) return table;
  // Provenance never goes into the CLI-faithful table: it follows it, one block per row.
  const lines = ['', `why (${pm.name}, rows in the order above):`];
  for (const { key, entry } of pm.sortedEntries()) {
    // v1.18 prints identity 0 as ANY in the table (policy-get-any-label); the why lines follow it.
    const first = labelsOf(key.identity)?.[0];
    const who = (first === 'reserved:unknown' && pm.release.has('policy-get-any-label') ? 'ANY' : first) ?? String(key.identity);
    // The table's PORT/PROTO cell says ANY for {id, 0, TCP} too: name the key and the match a hit on it reports.
    lines.push(`  ${entry.deny ? 'Deny' : 'Allow'} ${key.direction === 'ingress' ? 'Ingress' : 'Egress'} ${who} ${formatPortProto(key)} (identity ${key.identity}, ${describePolicyPort(key)}, match ${matchTypeOfKey(key, pm.release)}):`);
    for (const p of entry.provenance) lines.push(`    ${provenanceText(p)}`);
  }
  return table + lines.join('\n') + '\n';
}

/**
 * Conntrack and NAT entries exist only once packets have passed: `--after "SRC DST [PROTO]"`
 * runs that trace (and its reply) on a fresh copy of the maps, then dumps the node's map in
 * the `cilium bpf ct list global` / `cilium bpf nat list` format.
 */
function stateDump(cluster: Cluster, map: 'ct' | 'nat', nodeName: string | undefined, after: string | undefined): string {
  const dp = withConntrackCopy(cluster.datapath);
  if (after !== undefined) {
    const words = after.trim().split(/\s+/);
    if (words.length < 2 || words.length > 3) throw new UsageError(`--after needs "SRC DST [PROTO[/PORT]]" (got '${after}')`);
    const [srcText, dstText, protoText] = words as [string, string, string | undefined];
    const dst = resolveDestination(cluster, { text: dstText, col: 1 });
    const src = resolveSource(cluster, { text: srcText, col: 1 }, dst.ip);
    const { proto, dport } = parseProto(protoText === undefined ? undefined : { text: protoText, col: 1 });
    traceWithReply(cluster, { src, dstIp: dst.ip, proto, dport, sport: DEFAULT_SPORT, traceArp: false }, dp);
  }
  const node = pickNode({ ...cluster, datapath: dp }, nodeName);
  // `cilium bpf nat list` prints each map's DumpEntries with Println (cilium/cmd/bpf_nat_list.go:69-73).
  if (map === 'nat') return node.maps.nat.dump(dp.release) + '\n';
  // `cilium bpf ct list global` prints both maps, then an empty line (Println).
  return [...node.maps.ctTcp.dumpLines(dp.release), ...node.maps.ctAny.dumpLines(dp.release)].join('') + '\n';
}
