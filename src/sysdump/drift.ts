// Two sources of truth, compared: for each node of a sysdump, the entries where the real map
// dumps and the maps computed from the cluster's objects disagree, each with the object it
// should come from (the computed entry's provenance: pod, policy rule, Service, node) and
// what the real entry has instead (file and line). Values the agent allocates at run time
// (MACs, ifindexes, node ids, rev-NAT and backend ids, proxy ports) differ by nature and are
// not compared; entries of things cilium-trace does not model (health endpoints, identity
// 4) are listed apart, not as drift.
import type { Cluster } from '../controlplane/cluster.js';
import type { NodeMaps } from '../node-state/node.js';
import { formatRemoteEndpointInfo, type IpcacheEntry } from '../maps/ipcache.js';
import { formatPortProto, type PolicyEntry, type PolicyKey } from '../maps/policymap.js';
import { formatLbKey } from '../maps/lbmap.js';
import { provenanceText, type Provenance } from '../maps/provenance.js';
import { formatIpv4, formatPrefix } from '../net/ip.js';
import type { CiliumRelease } from '../cilium/releases/release.js';
import { readNodeDumps } from './node-dumps.js';
import { realNodeMaps } from './real-maps.js';
import type { Sysdump, SysdumpNote } from './types.js';
import type { AgentEndpointRow } from './parse-maps.js';
import { rowProvenance } from './real-maps.js';

export type DriftKind = 'stale' | 'missing' | 'differs';

export interface DriftItem {
  readonly node: string;
  /** The BPF map, as the release names it: cilium_ipcache_v2, cilium_policy_v2_02087, … */
  readonly map: string;
  /** The entry's key as the CLI prints it. */
  readonly key: string;
  /** stale: only the real map has it; missing: only the computed map; differs: both, unlike. */
  readonly kind: DriftKind;
  readonly real?: string;
  readonly computed?: string;
  /** Where the real entry is: sysdump: node …, <file> line N. */
  readonly realAt?: string;
  /** The object the entry should come from (computed provenance), or why nothing makes it. */
  readonly from: string;
}

export interface NodeDrift {
  readonly node: string;
  /** The maps compared (the dumps its bugtool has). */
  readonly compared: readonly string[];
  readonly items: readonly DriftItem[];
  /** Real entries of things cilium-trace does not model: listed, not counted as drift. */
  readonly unmodelled: readonly DriftItem[];
}

export interface DriftReport {
  readonly release: string;
  readonly nodes: readonly NodeDrift[];
  readonly notes: readonly SysdumpNote[];
}

const HEALTH = 4;
const at = (p: readonly Provenance[] | Provenance | undefined): string => (Array.isArray(p) ? p : p ? [p as Provenance] : []).map(provenanceText).join('; ');
const sysdumpAt = (p: readonly Provenance[] | Provenance | undefined): string => (Array.isArray(p) ? p : p ? [p as Provenance] : []).filter((x) => x.kind === 'sysdump').map((x) => x.what).join('; ');

/** Drift of every node with a bugtool (or only `only`), against the computed `cluster` (built without the sysdump's maps). */
export function driftOf(cluster: Cluster, sd: Sysdump, only?: string): DriftReport {
  const release = cluster.datapath.release;
  const nodes: NodeDrift[] = [];
  const notes: SysdumpNote[] = [];
  for (const [name, node] of [...cluster.datapath.nodes].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (only !== undefined && name !== only) continue;
    const sdNode = sd.nodes.find((n) => n.name === name);
    if (!sdNode?.bugtool) {
      notes.push({ message: `node ${name}: no bugtool in the sysdump, nothing to compare` });
      continue;
    }
    const dumps = readNodeDumps(sd, name, release);
    notes.push(...dumps.notes);
    const real = realNodeMaps(dumps, node.maps, release);
    const nd = compareNode(name, node.maps, real.maps, real.used, release);
    if (dumps.agentEndpoints) {
      const items = [...nd.items];
      const unmodelled = [...nd.unmodelled];
      compareAgentEndpoints(name, node.maps, dumps.agentEndpoints.file, dumps.agentEndpoints.parsed.rows, `${release.cli} endpoint list`, items, unmodelled);
      nodes.push({ ...nd, compared: [...nd.compared, 'endpoint identities'], items, unmodelled });
    } else {
      nodes.push(nd);
    }
  }
  return { release: release.version, nodes, notes };
}

function compareNode(node: string, computed: NodeMaps, real: NodeMaps, used: readonly string[], r: CiliumRelease): NodeDrift {
  const items: DriftItem[] = [];
  const unmodelled: DriftItem[] = [];
  if (used.includes('ipcache')) compareIpcache(node, computed, real, r, items, unmodelled);
  if (used.includes('endpoint')) compareLxc(node, computed, real, items, unmodelled);
  if (used.includes('policy')) comparePolicy(node, computed, real, items, unmodelled, healthEndpoints(real));
  if (used.includes('tunnel')) compareTunnel(node, computed, real, items);
  if (used.includes('lb')) compareLb(node, computed, real, r, items);
  return { node, compared: used, items, unmodelled };
}

/** identity, tunnel endpoint, encrypt key: what the agent decides; node ids and flags follow from them. */
function ipcacheCore(e: IpcacheEntry): string {
  return `identity=${e.info.secLabel} encryptkey=${e.info.key} tunnelendpoint=${formatIpv4(e.info.tunnelEndpoint)}`;
}

function compareIpcache(node: string, computed: NodeMaps, real: NodeMaps, r: CiliumRelease, items: DriftItem[], unmodelled: DriftItem[]): void {
  const map = real.ipcache.name;
  const c = new Map(computed.ipcache.entries().map((e) => [formatPrefix(e.prefix), e]));
  const seen = new Set<string>();
  for (const e of real.ipcache.entries()) {
    const key = formatPrefix(e.prefix);
    seen.add(key);
    const want = c.get(key);
    const realText = formatRemoteEndpointInfo(e.info, r);
    if (!want) {
      const item: DriftItem = { node, map, key, kind: 'stale', real: realText, realAt: sysdumpAt(e.provenance), from: e.info.secLabel === HEALTH ? 'a health endpoint (identity 4): not modelled' : 'nothing: no pod, node, Service or CIDR rule of the cluster has this address (a stale entry)' };
      (e.info.secLabel === HEALTH ? unmodelled : items).push(item);
    } else if (ipcacheCore(want) !== ipcacheCore(e)) {
      items.push({ node, map, key, kind: 'differs', real: realText, computed: formatRemoteEndpointInfo(want.info, r), realAt: sysdumpAt(e.provenance), from: at(want.provenance) });
    }
  }
  for (const [key, want] of c) {
    if (!seen.has(key)) items.push({ node, map, key, kind: 'missing', computed: formatRemoteEndpointInfo(want.info, r), from: at(want.provenance) });
  }
}

function compareLxc(node: string, computed: NodeMaps, real: NodeMaps, items: DriftItem[], unmodelled: DriftItem[]): void {
  const map = real.lxc.name;
  const show = (i: { lxcId: number; secId?: number; flags: number }): string => (i.flags & 1 ? '(localhost)' : `id=${i.lxcId}${i.secId !== undefined ? ` sec_id=${i.secId}` : ''}`);
  const c = new Map(computed.lxc.entries().map((e) => [e.ip as number, e]));
  const seen = new Set<number>();
  for (const e of real.lxc.entries()) {
    seen.add(e.ip);
    const want = c.get(e.ip);
    const key = `${formatIpv4(e.ip)}:0`;
    if (!want) {
      const health = e.info.secId === HEALTH || (e.info.secId === undefined && real.ipcache.lookup(e.ip)?.info.secLabel === HEALTH);
      (health ? unmodelled : items).push({ node, map, key, kind: 'stale', real: show(e.info), realAt: sysdumpAt(e.provenance), from: health ? 'the health endpoint (identity 4): not modelled' : 'nothing: no pod of this node has this address (a stale endpoint)' });
      continue;
    }
    // sec_id is printed from v1.16; with v1.13 only the endpoint id is compared.
    const same = (want.info.flags & 1) === (e.info.flags & 1) && want.info.lxcId === e.info.lxcId && (e.info.secId === undefined || want.info.secId === e.info.secId);
    if (!same) items.push({ node, map, key, kind: 'differs', real: show(e.info), computed: show(want.info), realAt: sysdumpAt(e.provenance), from: at(want.provenance) });
  }
  for (const [ip, want] of c) {
    if (!seen.has(ip)) items.push({ node, map, key: `${formatIpv4(ip)}:0`, kind: 'missing', computed: show(want.info), from: at(want.provenance) });
  }
}

function policyKeyText(k: PolicyKey): string {
  return `${k.direction === 'ingress' ? 'Ingress' : 'Egress'} ${k.identity} ${formatPortProto(k)}${k.prefixLen !== undefined ? ` (prefix ${k.prefixLen})` : ''}`;
}

function policyValueText(e: PolicyEntry): string {
  return `${e.deny ? 'Deny' : 'Allow'}${e.proxyPort !== 0 ? ' redirect to the proxy' : ''}`;
}

/** The endpoint ids of the health endpoints: sec_id 4 (v1.16+), else the ipcache identity 4 of the endpoint's address. */
function healthEndpoints(real: NodeMaps): Set<number> {
  const out = new Set<number>();
  for (const e of real.lxc.entries()) {
    if (e.info.flags & 1) continue;
    if (e.info.secId === HEALTH || (e.info.secId === undefined && real.ipcache.lookup(e.ip)?.info.secLabel === HEALTH)) out.add(e.info.lxcId);
  }
  return out;
}

function comparePolicy(node: string, computed: NodeMaps, real: NodeMaps, items: DriftItem[], unmodelled: DriftItem[], health: ReadonlySet<number>): void {
  for (const [map, rm] of real.policy) {
    const cm = computed.policy.get(map);
    if (!cm && health.has(rm.endpointId)) {
      unmodelled.push({ node, map, key: '(the map)', kind: 'stale', real: `${rm.entries().length} entries`, from: 'the health endpoint\'s policy map: not modelled' });
      continue;
    }
    if (!cm) {
      items.push({ node, map, key: '(the map)', kind: 'stale', real: `${rm.entries().length} entries`, from: 'nothing: no endpoint of this node has this id (a stale policy map)' });
      continue;
    }
    if (rm === cm) continue; // the dump had no such map: the computed one was kept
    const keyOf = (k: PolicyKey): string => policyKeyText(k);
    const c = new Map(cm.entries().map((x) => [keyOf(x.key), x]));
    const seen = new Set<string>();
    for (const x of rm.sortedEntries()) {
      const key = keyOf(x.key);
      seen.add(key);
      const want = c.get(key);
      if (!want) items.push({ node, map, key, kind: 'stale', real: policyValueText(x.entry), realAt: sysdumpAt(x.entry.provenance), from: 'nothing: no rule selecting this endpoint makes this entry' });
      else if (policyValueText(want.entry) !== policyValueText(x.entry)) items.push({ node, map, key, kind: 'differs', real: policyValueText(x.entry), computed: policyValueText(want.entry), realAt: sysdumpAt(x.entry.provenance), from: at(want.entry.provenance) });
    }
    for (const x of cm.sortedEntries()) {
      const key = keyOf(x.key);
      if (!seen.has(key)) items.push({ node, map, key, kind: 'missing', computed: policyValueText(x.entry), from: at(x.entry.provenance) });
    }
  }
}

function compareTunnel(node: string, computed: NodeMaps, real: NodeMaps, items: DriftItem[]): void {
  const map = real.tunnel.name;
  const c = new Map(computed.tunnel.entries().map((e) => [e.prefixBase as number, e]));
  const seen = new Set<number>();
  for (const e of real.tunnel.entries()) {
    seen.add(e.prefixBase);
    const want = c.get(e.prefixBase);
    const key = formatIpv4(e.prefixBase);
    if (!want) items.push({ node, map, key, kind: 'stale', real: formatIpv4(e.endpoint), realAt: sysdumpAt(e.provenance), from: 'nothing: no node of the cluster has this pod CIDR' });
    else if (want.endpoint !== e.endpoint) items.push({ node, map, key, kind: 'differs', real: formatIpv4(e.endpoint), computed: formatIpv4(want.endpoint), realAt: sysdumpAt(e.provenance), from: at(want.provenance) });
  }
  for (const [base, want] of c) if (!seen.has(base)) items.push({ node, map, key: formatIpv4(base), kind: 'missing', computed: formatIpv4(want.endpoint), from: at(want.provenance) });
}

/** Per frontend, the set of backends (slot order and ids are the agent's). */
function compareLb(node: string, computed: NodeMaps, real: NodeMaps, r: CiliumRelease, items: DriftItem[]): void {
  const map = 'cilium_lb4_services_v2';
  type Fe = { key: string; backends: Map<string, readonly Provenance[]>; prov: readonly Provenance[] };
  const frontends = (m: NodeMaps): Map<string, Fe> => {
    const out = new Map<string, Fe>();
    for (const { key, value } of m.lb.entries()) {
      const fe = formatLbKey(key, r);
      let f = out.get(fe);
      if (!f) out.set(fe, (f = { key: fe, backends: new Map(), prov: [] }));
      if (key.slot === 0) f.prov = [value.provenance];
      else {
        const b = m.lb.backends.get(value.backendId);
        f.backends.set(b ? `${formatIpv4(b.address)}:${b.port}` : `backend ${value.backendId} not found`, [b?.provenance ?? value.provenance]);
      }
    }
    return out;
  };
  const c = frontends(computed);
  const rl = frontends(real);
  for (const [fe, f] of rl) {
    const want = c.get(fe);
    if (!want) {
      items.push({ node, map, key: fe, kind: 'stale', real: [...f.backends.keys()].join(', ') || 'no backends', realAt: sysdumpAt(f.prov), from: 'nothing: no Service of the cluster has this frontend' });
      continue;
    }
    for (const [b, p] of f.backends) {
      if (!want.backends.has(b)) items.push({ node, map, key: `${fe} backend ${b}`, kind: 'stale', real: b, realAt: sysdumpAt(p), from: `nothing: ${at(want.prov)} has no such endpoint (a backend that is gone)` });
    }
    for (const [b, p] of want.backends) {
      if (!f.backends.has(b)) items.push({ node, map, key: `${fe} backend ${b}`, kind: 'missing', computed: b, from: at(p) });
    }
  }
  for (const [fe, f] of c) if (!rl.has(fe)) items.push({ node, map, key: fe, kind: 'missing', computed: [...f.backends.keys()].join(', ') || 'no backends', from: at(f.prov) });
}

/**
 * The agent's endpoints (`endpoint list`) against the computed ones: an endpoint whose
 * identity changed (new labels, not yet regenerated) shows here, and in v1.13 (no sec_id in
 * the endpoint map) only here. The host and health endpoints are not modelled.
 */
function compareAgentEndpoints(node: string, computed: NodeMaps, file: string, rows: readonly AgentEndpointRow[], what: string, items: DriftItem[], unmodelled: DriftItem[]): void {
  const byId = new Map(computed.lxc.entries().filter((e) => !(e.info.flags & 1)).map((e) => [e.info.lxcId, e]));
  const seen = new Set<number>();
  for (const r of rows) {
    const at = rowProvenance(node, file, r.line).what;
    const key = `endpoint ${r.id}${r.ipv4 ? ` (${r.ipv4})` : ''}`;
    if (r.identity === 1 || r.identity === HEALTH) {
      unmodelled.push({ node, map: what, key, kind: 'stale', real: `identity ${r.identity} ${r.labels[0] ?? ''}`.trim(), realAt: at, from: r.identity === 1 ? 'the host endpoint: not modelled' : 'the health endpoint (identity 4): not modelled' });
      continue;
    }
    seen.add(r.id);
    const want = byId.get(r.id);
    if (!want) {
      items.push({ node, map: what, key, kind: 'stale', real: `identity ${r.identity}`, realAt: at, from: 'nothing: no pod of this node has this endpoint id (a stale endpoint)' });
    } else if (want.info.secId !== undefined && want.info.secId !== r.identity) {
      items.push({ node, map: what, key, kind: 'differs', real: `identity ${r.identity} (${r.labels.join(', ')})`, computed: `identity ${want.info.secId}`, realAt: at, from: at_(want.provenance) });
    }
  }
  for (const [id, want] of byId) if (!seen.has(id)) items.push({ node, map: what, key: `endpoint ${id} (${formatIpv4(want.ip)})`, kind: 'missing', computed: `identity ${want.info.secId ?? '?'}`, from: at_(want.provenance) });
}

const at_ = (p: Provenance): string => provenanceText(p);
