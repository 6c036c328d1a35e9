// The policies of an exported sysdump, as the inputs wrote them: each policy the cluster
// loaded is found again in its file (a manifest, a List's items, or a Scenario's `policies`)
// by kind, namespace and name, and copied whole. A policy whose file cannot be read again
// (standard input) is left out with a note. Local redirect and egress gateway policies and
// EndpointSlices are copied from their files the same way.
import { readFileSync } from 'node:fs';
import type { Cluster } from '../controlplane/cluster.js';
import { yamlLib } from '../util/yaml-lib.js';

type Obj = Record<string, unknown>;

export const POLICY_FILES = {
  CiliumNetworkPolicy: 'ciliumnetworkpolicies',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicies',
  NetworkPolicy: 'k8s-networkpolicies',
} as const;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectsOf(doc: unknown): Obj[] {
  if (!isObj(doc)) return [];
  if (Array.isArray(doc['items'])) return doc['items'].filter(isObj);
  if (doc['kind'] === 'Scenario' && Array.isArray(doc['policies'])) return doc['policies'].filter(isObj);
  return [doc];
}

const keyOf = (kind: unknown, ns: unknown, name: unknown): string => `${String(kind)}/${ns === undefined || ns === null ? '' : String(ns)}/${String(name)}`;

/** Objects copied whole, by kind, to the sysdump file of that kind: the simulation reads them, and nothing of ours describes them better. */
export const COPIED_FILES = {
  CiliumLocalRedirectPolicy: 'ciliumlocalredirectpolicies',
  CiliumEgressGatewayPolicy: 'ciliumegressgatewaypolicies',
  EndpointSlice: 'k8s-endpointslices',
} as const;

/** The files the cluster's local redirect policies, egress gateway policies and EndpointSlices came from. */
function copiedSources(cluster: Cluster): string[] {
  const s = cluster.scenario;
  return [...new Set([
    ...s.localRedirects.map((l) => l.pos.file),
    ...s.egressGateways.map((g) => g.pos.file),
    ...s.services.flatMap((v) => (v.endpoints ?? []).map((b) => b.pos.file)),
  ])].sort();
}

/** Every object of the COPIED_FILES kinds in those files, by sysdump file base name. */
export function copiedObjects(cluster: Cluster): Map<string, Obj[]> {
  const out = new Map<string, Obj[]>();
  for (const file of copiedSources(cluster)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // standard input: policyObjects' note says so
    }
    for (const doc of yamlLib().parseAllDocuments(text)) {
      for (const o of objectsOf(doc.toJS())) {
        const base = COPIED_FILES[o['kind'] as keyof typeof COPIED_FILES];
        if (base !== undefined) out.set(base, [...(out.get(base) ?? []), o]);
      }
    }
  }
  return out;
}

/** The input objects of the cluster's policies, by sysdump file base name, and notes on those not found. */
export function policyObjects(cluster: Cluster): { files: Map<string, Obj[]>; notes: string[] } {
  const wanted = new Map(cluster.scenario.policies.map((p) => [keyOf(p.kind, p.kind === 'CiliumClusterwideNetworkPolicy' ? null : p.namespace, p.name), p] as const));
  const found = new Map<string, Obj>();
  const notes: string[] = [];
  for (const file of [...new Set(cluster.scenario.policies.map((p) => p.pos.file))].sort()) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      notes.push(`${file}: cannot be read again (standard input?): its policies are not in the sysdump`);
      continue;
    }
    for (const doc of yamlLib().parseAllDocuments(text)) {
      for (const o of objectsOf(doc.toJS())) {
        const meta = isObj(o['metadata']) ? o['metadata'] : {};
        const kind = o['kind'];
        const ns = kind === 'CiliumClusterwideNetworkPolicy' ? null : meta['namespace'] ?? 'default';
        const k = keyOf(kind, ns, meta['name']);
        if (wanted.has(k) && !found.has(k)) found.set(k, o);
      }
    }
  }
  const files = new Map<string, Obj[]>();
  for (const [k, p] of [...wanted].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const o = found.get(k);
    if (!o) {
      if (!notes.some((n) => n.startsWith(`${p.pos.file}:`))) notes.push(`${p.kind} ${p.namespace === null ? '' : `${p.namespace}/`}${p.name} (${p.pos.file}:${p.pos.line}) was not found again in its file: not in the sysdump`);
      continue;
    }
    const base = POLICY_FILES[p.kind as keyof typeof POLICY_FILES];
    if (base === undefined) continue;
    const meta = isObj(o['metadata']) ? o['metadata'] : {};
    // A Scenario's policies may leave the namespace out (default): a List item names it.
    const withNs = p.kind === 'CiliumClusterwideNetworkPolicy' || meta['namespace'] !== undefined ? o : { ...o, metadata: { ...meta, namespace: p.namespace } };
    files.set(base, [...(files.get(base) ?? []), withNs]);
  }
  return { files, notes };
}
