// `cilium-trace maps MAP [--node NODE]`: a node's simulated BPF map in the cilium CLI's format.
import { InputError, UsageError } from '../errors.js';
import type { Cluster } from '../controlplane/cluster.js';
import type { NodeDatapath } from '../datapath/node.js';
import { formatPortProto, policyMapName } from '../maps/policymap.js';
import { provenanceText } from '../maps/provenance.js';
import { resolvePod } from './endpoints.js';

export const MAP_NAMES = ['ipcache', 'endpoint', 'policy', 'tunnel', 'lb', 'calls'] as const;
export type MapName = (typeof MAP_NAMES)[number];

function pickNode(cluster: Cluster, name: string | undefined): NodeDatapath {
  const nodes = [...cluster.datapath.nodes.keys()].sort();
  const chosen = name ?? nodes[0];
  const node = chosen === undefined ? undefined : cluster.datapath.nodes.get(chosen);
  if (!node) throw new UsageError(`unknown node '${name}' (expected one of: ${nodes.join(', ')})`);
  return node;
}

export function mapsCommand(cluster: Cluster, map: string, target: string | undefined, nodeName: string | undefined, why = false): string {
  if (!(MAP_NAMES as readonly string[]).includes(map)) throw new UsageError(`unknown map '${map}' (expected one of: ${MAP_NAMES.join(', ')})`);
  if (map === 'policy') return policyDump(cluster, target, nodeName, why);
  if (why) throw new UsageError('--why applies to maps policy only');
  if (target !== undefined) throw new UsageError(`maps ${map} takes no argument (got '${target}')`);
  const node = pickNode(cluster, nodeName);
  switch (map as Exclude<MapName, 'policy'>) {
    case 'ipcache': return node.maps.ipcache.dump();
    case 'endpoint': return node.maps.lxc.dump();
    case 'tunnel': return node.maps.tunnel.dump();
    case 'lb': return node.maps.lb.dump();
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
    const ep = resolvePod(cluster, { text: target, col: 1 });
    if (!ep) throw new InputError([{ pos: { file: '<command line>', line: 1, col: 1 }, message: `unknown pod '${target}' (expected one of: ${cluster.endpoints.map((e) => `${e.pod.namespace}/${e.pod.name}`).sort().join(', ')})` }]);
    epid = ep.pod.endpointId;
    node = pickNode(cluster, nodeName ?? ep.node.name);
  }
  const pm = node.maps.policy.get(policyMapName(epid));
  if (!pm) throw new UsageError(`no endpoint ${epid} on node ${node.name}`);
  const labelsOf = (id: number) => cluster.identities.labelStrings(id);
  const table = pm.dump(labelsOf);
  if (!why) return table;
  // Provenance never goes into the CLI-faithful table: it follows it, one block per row.
  const lines = ['', `why (${pm.name}, rows in the order above):`];
  for (const { key, entry } of pm.sortedEntries()) {
    const who = labelsOf(key.identity)?.[0] ?? String(key.identity);
    lines.push(`  ${entry.deny ? 'Deny' : 'Allow'} ${key.direction === 'ingress' ? 'Ingress' : 'Egress'} ${who} ${formatPortProto(key)} (identity ${key.identity}):`);
    for (const p of entry.provenance) lines.push(`    ${provenanceText(p)}`);
  }
  return table + lines.join('\n') + '\n';
}
