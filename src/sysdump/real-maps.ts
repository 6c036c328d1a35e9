// Trace over the real maps: where a node's bugtool has a map dump, the node's simulated map
// is rebuilt from the dump's rows, and each entry's provenance names the file and line it
// came from ("sysdump: node kind-worker, cilium-dbg-bpf-ipcache-list.md line 42"). Maps the
// sysdump lacks stay computed, and a note says so. The datapath is unchanged: it reads maps.
// CT and NAT dumps are parsed (drift, replay) but not loaded: a trace's connection state
// comes from its own options (--ct), as a snapshot taken seconds later would mislead.
import type { Cluster } from '../controlplane/cluster.js';
import type { NodeDatapath, NodeMaps } from '../node-state/node.js';
import { IpcacheMap } from '../maps/ipcache.js';
import { LxcMap, ENDPOINT_F_HOST } from '../maps/lxcmap.js';
import { PolicyMap, type PolicyKey, lpmKey, policyMapName } from '../maps/policymap.js';
import { TunnelMap } from '../maps/tunnel.js';
import { LbMaps, SVC_FLAG_NODEPORT, SVC_FLAG_ROUTABLE, type Lb4Backend, type Lb4Service } from '../maps/lbmap.js';
import type { Provenance } from '../maps/provenance.js';
import { parseIpv4, parseIpv4Prefix, type Ipv4 } from '../net/ip.js';
import { parseMac, type Mac } from '../net/mac.js';
import type { CiliumRelease } from '../cilium/releases/release.js';
import { readNodeDumps, type NodeDumps } from './node-dumps.js';
import type { Sysdump, SysdumpNote } from './types.js';

export type MapsSource = 'real' | 'computed';

/** The provenance of a row: the node, the command file, the line. */
export function rowProvenance(node: string, file: string, line: number): Provenance {
  return { kind: 'sysdump', what: `sysdump: node ${node}, ${file} line ${line}` };
}

export interface RealMapsResult {
  readonly cluster: Cluster;
  /** Per node: which maps were read from the sysdump, and the notes of reading them. */
  readonly used: ReadonlyArray<{ readonly node: string; readonly maps: readonly string[] }>;
  readonly notes: readonly SysdumpNote[];
}

/** The cluster with each node's maps replaced by the sysdump's where it has them. */
export function withRealMaps(cluster: Cluster, sd: Sysdump): RealMapsResult {
  const release = cluster.datapath.release;
  const nodes = new Map<string, NodeDatapath>();
  const used: Array<{ node: string; maps: string[] }> = [];
  const notes: SysdumpNote[] = [];
  for (const [name, node] of cluster.datapath.nodes) {
    const sdNode = sd.nodes.find((n) => n.name === name);
    if (!sdNode?.bugtool) {
      nodes.set(name, node);
      if (!sdNode) notes.push({ message: `node ${name} has no agent pod in the sysdump: its maps are computed` });
      continue;
    }
    const dumps = readNodeDumps(sd, name, release);
    notes.push(...dumps.notes);
    const r = realNodeMaps(dumps, node.maps, release);
    used.push({ node: name, maps: r.used });
    nodes.set(name, { ...node, maps: r.maps });
  }
  const datapath = { ...cluster.datapath, nodes };
  return { cluster: { ...cluster, datapath, ...(used.length > 0 ? { mapsFromSysdump: true } : {}) }, used, notes };
}

/** A node's maps with every map its dumps have replaced. */
export function realNodeMaps(d: NodeDumps, computed: NodeMaps, release: CiliumRelease): { maps: NodeMaps; used: string[] } {
  const used: string[] = [];
  const prov = (file: string, line: number): Provenance => rowProvenance(d.node, file, line);
  let ipcache = computed.ipcache;
  if (d.ipcache) {
    const m = new IpcacheMap(release);
    for (const r of d.ipcache.parsed.rows) {
      const prefix = parseIpv4Prefix(r.prefix, false);
      const tunnel = parseIpv4(r.tunnelEndpoint);
      if (!prefix || tunnel === undefined || r.clusterId !== 0) continue;
      m.upsert({ prefix, info: { secLabel: r.identity, tunnelEndpoint: tunnel, key: r.encryptKey, nodeId: r.nodeId ?? 0 }, provenance: prov(d.ipcache.file, r.line) });
    }
    ipcache = m;
    used.push('ipcache');
  }
  let lxc = computed.lxc;
  if (d.endpoint) {
    const m = new LxcMap(release);
    for (const r of d.endpoint.parsed.rows) {
      const ip = parseIpv4(r.ip);
      if (ip === undefined) continue;
      const info = r.host
        ? { ifindex: 0, lxcId: 0, flags: ENDPOINT_F_HOST, mac: undefined, nodeMac: undefined }
        : { ifindex: r.ifindex ?? 0, lxcId: r.id ?? 0, flags: r.flags ?? 0, mac: macOf(r.mac), nodeMac: macOf(r.nodeMac), ...(r.secId !== undefined ? { secId: r.secId } : {}) };
      m.upsert({ ip, info, provenance: prov(d.endpoint.file, r.line) });
    }
    lxc = m;
    used.push('endpoint');
  }
  let policy = computed.policy;
  if (d.policy) {
    const maps = new Map<string, PolicyMap>();
    for (const seen of d.policy.maps) maps.set(policyMapName(seen.endpointId, release), new PolicyMap(seen.endpointId, release));
    for (const r of d.policy.parsed.rows) {
      const name = policyMapName(r.endpointId, release);
      let pm = maps.get(name);
      if (!pm) maps.set(name, (pm = new PolicyMap(r.endpointId, release)));
      const key = pm.lpm
        ? { ...lpmKey(r.identity, r.port, 0xffff, r.proto, r.direction), prefixLen: r.prefixLen ?? 0, dport: r.port }
        : { identity: r.identity, dport: r.port, proto: r.proto, direction: r.direction };
      pm.set(key, { proxyPort: r.proxyPort, deny: r.deny, packets: 0, bytes: 0, provenance: [prov(d.policy.file, r.line)] });
    }
    // Run-time peers (toFQDNs, …) are the agent's, not map entries: keep the computed ones.
    // A redirect's L7 rules are not in the dump either: the agent gives the proxy the policy's
    // rules, so a real entry with a proxy port takes the rules of the computed entry of its key.
    const keyText = (k: PolicyKey) => `${k.direction}|${k.identity}|${k.proto}|${k.dport}|${k.prefixLen ?? ''}`;
    for (const [name, pm] of maps) {
      const c = computed.policy.get(name);
      if (!c) continue;
      pm.pending = c.pending;
      const rules = new Map(c.entries().flatMap((e) => (e.entry.redirect ? [[keyText(e.key), e.entry.redirect] as const] : [])));
      for (const e of pm.entries()) {
        const r = e.entry.proxyPort > 0 && !e.entry.redirect ? rules.get(keyText(e.key)) : undefined;
        if (r) pm.set(e.key, { ...e.entry, redirect: r });
      }
    }
    // An endpoint of the computed node whose map the dump lacks keeps its computed map.
    const merged = new Map(maps);
    for (const [name, pm] of computed.policy) if (!merged.has(name)) merged.set(name, pm);
    policy = merged;
    used.push('policy');
  }
  let tunnel = computed.tunnel;
  if (d.tunnel && tunnel.exists) {
    const m = new TunnelMap(release);
    for (const r of d.tunnel.parsed.rows) {
      const base = parseIpv4(r.prefix);
      const ep = parseIpv4(r.endpoint);
      if (base === undefined || ep === undefined) continue;
      m.upsert({ prefixBase: base, endpoint: ep, key: r.key, nodeId: r.nodeId ?? 0, provenance: prov(d.tunnel.file, r.line) });
    }
    tunnel = m;
    used.push('tunnel');
  }
  let lb = computed.lb;
  if (d.lb) {
    lb = lbOf(d, release, prov);
    used.push('lb');
  }
  return { maps: { ...computed, ipcache, lxc, policy, tunnel, lb }, used };
}

function macOf(s: string | undefined): Mac | undefined {
  return s ? parseMac(s.toLowerCase()) ?? parseMac(s) : undefined;
}

const SVC_TYPES = new Set<Lb4Service['type']>(['ClusterIP', 'NodePort', 'LoadBalancer', 'LocalRedirect']);

/**
 * The LB maps of `bpf lb list`. The dump shows backends by address, not by id: ids are given
 * in the order backends first appear (the real ids are in `bpf lb list --backends`).
 */
function lbOf(d: NodeDumps, release: CiliumRelease, prov: (file: string, line: number) => Provenance): LbMaps {
  const dump = d.lb!;
  const lb = new LbMaps(new Map<number, Lb4Backend>());
  const ids = new Map<string, number>();
  const masters = new Map<string, { flags: number; type: Lb4Service['type']; count: number }>();
  const feKey = (r: (typeof dump.parsed.rows)[number]): string => `${r.frontend.ip}:${r.frontend.port}/${r.frontend.proto ?? 0}/${r.frontend.internal ? 1 : 0}`;
  for (const r of dump.parsed.rows) {
    if (r.slot !== 0) continue;
    const flags = r.flags ?? [];
    const type = SVC_TYPES.has(flags[0] as Lb4Service['type']) ? (flags[0] as Lb4Service['type']) : 'ClusterIP';
    const f = (type === 'NodePort' || type === 'LoadBalancer' ? SVC_FLAG_NODEPORT : 0) | (flags.includes('non-routable') ? 0 : SVC_FLAG_ROUTABLE);
    masters.set(feKey(r), { flags: f, type, count: dump.parsed.rows.filter((x) => x.slot > 0 && feKey(x) === feKey(r)).length });
  }
  for (const r of dump.parsed.rows) {
    const address = parseIpv4(r.frontend.ip);
    if (address === undefined) continue;
    const m = masters.get(feKey(r)) ?? { flags: SVC_FLAG_ROUTABLE, type: 'ClusterIP' as const, count: 0 };
    const key = { address, dport: r.frontend.port, slot: r.slot, scope: (r.frontend.internal ? 1 : 0) as 0 | 1, proto: release.has('lb-list-proto') ? r.frontend.proto ?? 0 : 0 };
    const p = prov(dump.file, r.line);
    let backendId = 0;
    if (r.backend) {
      const bip = parseIpv4(r.backend.ip) as Ipv4;
      const k = `${r.backend.ip}:${r.backend.port}/${r.backend.proto ?? 0}`;
      backendId = ids.get(k) ?? ids.size + 1;
      if (!ids.has(k)) {
        ids.set(k, backendId);
        lb.backends.set(backendId, { address: bip, port: r.backend.port, proto: r.backend.proto ?? 0, flags: 0, provenance: p });
      }
    } else if (r.missingBackend !== undefined) {
      backendId = r.missingBackend; // dangling: the backends map has no such id
    }
    lb.setService(key, { backendId, count: r.slot === 0 ? m.count : 0, revNat: r.revNat ?? 0, flags: m.flags, flags2: 0, type: m.type, provenance: p });
    if (r.slot === 0 && r.revNat) lb.revNat.set(r.revNat, { address, port: r.frontend.port });
  }
  return lb;
}
