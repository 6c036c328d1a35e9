// `cilium-trace export sysdump`: a sysdump-shaped directory written from the simulated
// cluster, for classrooms and round-trip tests. Layout as cilium-cli writes it
// (cilium-sysdump-<ts>/ with the cluster's Lists, one cilium-bugtool-<agentpod>-<ts>/cmd/ per
// node, hubble-flows-<agentpod>-<ts>.json per node); command files named as the release's
// bugtool names them (writeCmdToFile, bugtool/cmd/root.go: `cilium …` in v1.13,
// `cilium-dbg …` from v1.15) and holding what our `maps` printers print in that release's
// CLI format. The conntrack and NAT maps hold the entries the exported flows created.
// Not written (each said in cilium-sysdump.log): status/config text, logs, the host commands
// (ip, tc, iptables, bpftool), `time` in the flows (no clock: the bytes are the same on
// every run).
import type { Cluster } from '../controlplane/cluster.js';
import type { CiliumRelease } from '../cilium/releases/release.js';
import { policyMapName, tunnelMapName } from '../cilium/releases/map-names.js';
import { formatIpv4 } from '../net/ip.js';
import type { NodeDatapath } from '../node-state/node.js';
import { renderHubble } from '../render/hubble.js';
import type { FlowSpec } from '../trace/run.js';
import { traceWithReply, withConntrackCopy } from '../trace/run.js';
import { yamlLib } from '../util/yaml-lib.js';
import { agentPodName, ciliumConfig, ciliumEndpoints, ciliumIdentities, ciliumNodes, daemonSet, list, namespaces, nodes, pods, services } from './objects.js';
import { COPIED_FILES, copiedObjects, POLICY_FILES, policyObjects } from './policies.js';

/** The release commits' author dates, as `git show -s --format='%h %aI'` gives them for ciliumVersion (Makefile.defs GIT_VERSION). */
const AUTHOR_DATES: Readonly<Record<string, string>> = {
  c9723a8df3: '2023-02-15T14:18:31+01:00',
  '7513067408': '2025-09-17T14:13:05+02:00',
  c160168901: '2025-10-22T19:15:36+00:00',
};

export const DEFAULT_TIMESTAMP = '20000101-000000';

export interface ExportFlow {
  /** As shown in notes: "client server tcp/8080". */
  readonly label: string;
  readonly spec: FlowSpec;
}

export interface SysdumpExport {
  /** Paths relative to the output directory, with their contents; sorted. */
  readonly files: ReadonlyArray<readonly [string, string]>;
  readonly notes: readonly string[];
}

/** writeCmdToFile: '/' → ' ', ' ' → '-', then `.md`. */
export function bugtoolFileName(command: string): string {
  return `${command.replaceAll('/', ' ').replaceAll(' ', '-')}.md`;
}

function yaml(doc: unknown): string {
  return yamlLib().stringify(doc, { lineWidth: 0 });
}

/** `cilium bpf policy get --all --numeric`: per map its path (v1.13) or endpoint id and path (v1.14+), the table, two empty lines. */
function policyAll(cluster: Cluster, node: NodeDatapath, r: CiliumRelease): string {
  const epids = cluster.endpoints.filter((e) => e.node.name === node.name).map((e) => e.pod.endpointId).sort((a, b) => a - b);
  // listAllMaps globs cilium_policy_* in the bpffs: sorted by file name, i.e. by the zero-padded id.
  if (epids.length === 0) return 'no maps found\n';
  return epids.map((id) => {
    const name = policyMapName(r, id);
    const pm = node.maps.policy.get(name);
    const path = `/sys/fs/bpf/tc/globals/${name}`;
    const head = r.profile === '1.13' ? `${path}:\n\n` : `Endpoint ID: ${id}\nPath: ${path}\n\n`;
    return `${head}${pm ? pm.dump(() => undefined, true) : ''}\n\n`;
  }).join('');
}

/** The command files of one node's bugtool (cmd/), in the release's CLI format. */
function bugtoolFiles(cluster: Cluster, node: NodeDatapath, dp: ReturnType<typeof withConntrackCopy>, ts: string): Array<[string, string]> {
  const r = cluster.datapath.release;
  const cli = r.cli;
  const state = dp.nodes.get(node.name) as NodeDatapath;
  const out: Array<[string, string]> = [
    [bugtoolFileName(`${cli} bpf ipcache list`), node.maps.ipcache.dump()],
    [bugtoolFileName(`${cli} bpf endpoint list`), node.maps.lxc.dump()],
    [bugtoolFileName(`${cli} bpf policy get --all --numeric`), policyAll(cluster, node, r)],
    [bugtoolFileName(`${cli} bpf lb list`), node.maps.lb.dump(r)],
    // `bpf ct list global` prints both maps, then an empty line; v1.18's bugtool adds --time-diff (68b508ca8c).
    [bugtoolFileName(`${cli} bpf ct list global${r.profile === '1.18' ? ' --time-diff' : ''}`), [...state.maps.ctTcp.dumpLines(r), ...state.maps.ctAny.dumpLines(r)].join('') + '\n'],
    [bugtoolFileName(`${cli} bpf nat list`), state.maps.nat.dump(r) + '\n'],
    [bugtoolFileName(`${cli} bpf egress list`), node.maps.egressGw?.dump() ?? 'Cannot find egress gateway bpf maps\n'],
  ];
  if (tunnelMapName(r)) out.push([bugtoolFileName(`${cli} bpf tunnel list`), node.maps.tunnel.dump()]);
  // debuginfo JSON: the version (pkg/version ciliumVersion: VERSION, %h, %aI; the Go runtime suffix is left out) and the node it ran on.
  const version = `${r.version.replace(/^v/, '')} ${r.commit} ${AUTHOR_DATES[r.commit] ?? ''}`.trimEnd();
  const self = cluster.scenario.cluster.name === 'default' ? node.name : `${cluster.scenario.cluster.name}/${node.name}`;
  // formatFileName: cmdTime.Format("20060102-150405.999-0700-MST"), UTC here.
  out.push([`cilium-debuginfo-${ts}+0000-UTC.json`, JSON.stringify({ 'cilium-version': version, 'cilium-status': { cluster: { self } } }, null, 2) + '\n']);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Every file of the sysdump, under cilium-sysdump-<ts>/. */
export function exportSysdump(cluster: Cluster, flows: readonly ExportFlow[], ts = DEFAULT_TIMESTAMP): SysdumpExport {
  const r = cluster.datapath.release;
  const top = `cilium-sysdump-${ts}`;
  const files: Array<[string, string]> = [];
  const add = (name: string, text: string) => files.push([`${top}/${name}`, text]);
  const notes: string[] = [];

  add(`cilium-configmap-${ts}.yaml`, yaml(ciliumConfig(cluster.scenario.cluster, r)));
  add(`cilium-daemonset-${ts}.yaml`, yaml(daemonSet(r)));
  add(`k8s-namespaces-${ts}.yaml`, yaml(list(namespaces(cluster))));
  add(`k8s-nodes-${ts}.yaml`, yaml(list(nodes(cluster))));
  add(`ciliumnodes-${ts}.yaml`, yaml(list(ciliumNodes(cluster))));
  add(`k8s-pods-${ts}.yaml`, yaml(list(pods(cluster))));
  add(`k8s-services-${ts}.yaml`, yaml(list(services(cluster))));
  add(`ciliumendpoints-${ts}.yaml`, yaml(list(ciliumEndpoints(cluster))));
  add(`ciliumidentities-${ts}.yaml`, yaml(list(ciliumIdentities(cluster))));
  const pol = policyObjects(cluster);
  notes.push(...pol.notes);
  for (const base of Object.values(POLICY_FILES)) add(`${base}-${ts}.yaml`, yaml(list(pol.files.get(base) ?? [])));
  // Written only when the cluster has such objects (cilium-cli writes a file per collected kind).
  const copied = copiedObjects(cluster);
  for (const base of Object.values(COPIED_FILES)) {
    const objs = copied.get(base);
    if (objs && objs.length > 0) add(`${base}-${ts}.yaml`, yaml(list(objs)));
  }

  // The flows, traced with their replies on one copy of the maps: the conntrack and NAT entries they make are dumped below.
  const dp = withConntrackCopy(cluster.datapath);
  const events = new Map<string, string[]>();
  for (const f of flows) {
    const { forward, reply } = traceWithReply(cluster, f.spec, dp);
    for (const line of (renderHubble(forward) + (reply ? renderHubble(reply) : '')).split('\n')) {
      if (line === '') continue;
      const node = (JSON.parse(line) as { node_name: string }).node_name;
      events.set(node, [...(events.get(node) ?? []), line]);
    }
  }
  for (const name of [...cluster.datapath.nodes.keys()].sort()) {
    const node = cluster.datapath.nodes.get(name) as NodeDatapath;
    const pod = agentPodName(name);
    for (const [file, text] of bugtoolFiles(cluster, node, dp, ts)) add(`cilium-bugtool-${pod}-${ts}/cmd/${file}`, text);
    const lines = events.get(name) ?? [];
    add(`hubble-flows-${pod}-${ts}.json`, lines.map((l) => l + '\n').join(''));
  }
  const log = [
    `cilium-trace export sysdump: written from the simulated cluster ${cluster.scenario.name} (Cilium ${r.version}), not collected from a live cluster`,
    `nodes: ${[...cluster.datapath.nodes.keys()].sort().map((n) => `${n} (agent pod ${agentPodName(n)}, node IP ${formatIpv4(cluster.scenario.nodes.find((x) => x.name === n)?.ip ?? 0)})`).join(', ')}`,
    `flows traced for the hubble-flows files: ${flows.length === 0 ? 'none' : flows.map((f) => f.label).join('; ')}`,
    `not written: ${r.cli} status/config/identity/endpoint list text, agent logs, host commands (ip, tc, iptables, bpftool), the Go runtime in cilium-version, time in flows${r.profile === '1.18' ? ', the time difference of the ct entries (--time-diff: no clock)' : ''}`,
    ...notes.map((n) => `note: ${n}`),
  ];
  add('cilium-sysdump.log', log.join('\n') + '\n');
  files.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { files, notes };
}
