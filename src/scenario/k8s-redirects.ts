// Cilium objects that change where a flow goes but are not simulated: CiliumEgressGatewayPolicy,
// CiliumLocalRedirectPolicy, CiliumEnvoyConfig and CiliumClusterwideEnvoyConfig (cilium.io/v2
// CRDs of v1.13.0). They are loaded, never refused, so that the control plane can write them
// where v1.13.0 does (the egress gateway map, LocalRedirect and L7 load-balancer frontends of
// the LB map) and a trace that meets them ends NOT_SIMULATED naming them. What cannot be read
// of one is a warning and leaves that object out.
import { isMap, isScalar, isSeq } from './ast.js';
import { parseIpv4, parseIpv4Prefix, type Ipv4Prefix } from '../net/ip.js';
import { isIpv6 } from '../net/ipv6.js';
import { compact } from '../util/compact.js';
import { list, looseMap, type Entry, type MapView } from './raw.js';
import type { EgressGatewaySpec, EnvoyConfigSpec, LabelSelector, LocalRedirectSpec, SelectorOperator } from './types.js';

/** The kinds read here, with the apiVersion v1.13.0 serves them at. */
export const REDIRECT_KINDS: Readonly<Record<string, string>> = {
  CiliumEgressGatewayPolicy: 'cilium.io/v2',
  CiliumLocalRedirectPolicy: 'cilium.io/v2',
  CiliumEnvoyConfig: 'cilium.io/v2',
  CiliumClusterwideEnvoyConfig: 'cilium.io/v2',
};

export type RedirectObject =
  | { readonly egressGateway: EgressGatewaySpec }
  | { readonly localRedirect: LocalRedirectSpec }
  | { readonly envoyConfig: EnvoyConfigSpec };

function sub(m: MapView | undefined, key: string): MapView | undefined {
  const e = m?.entry(key);
  return e && isMap(e.node) && m ? looseMap(m.src, e) : undefined;
}

function text(m: MapView | undefined, key: string): string | undefined {
  const e = m?.entry(key);
  return e && isScalar(e.node) && (typeof e.node.value === 'string' || typeof e.node.value === 'number') ? String(e.node.value) : undefined;
}

function items(m: MapView | undefined, key: string): Entry[] {
  const e = m?.entry(key);
  return e && isSeq(e.node) && m ? (list(m.src, e) ?? []) : [];
}

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** A Kubernetes label selector, read loosely (plain keys; absent = selects everything). */
function selector(m: MapView | undefined, pos: LabelSelector['pos']): LabelSelector {
  const labels: Record<string, string> = {};
  const ml = m?.entry('matchLabels');
  if (ml && isMap(ml.node)) {
    ml.node.keys.forEach((k, i) => {
      const v = isMap(ml.node) ? ml.node.values[i] : undefined;
      if (isScalar(k) && typeof k.value === 'string' && v && isScalar(v) && typeof v.value === 'string') labels[k.value] = v.value;
    });
  }
  const expressions = items(m, 'matchExpressions').flatMap((e) => {
    const r = isMap(e.node) && m ? looseMap(m.src, e) : undefined;
    const key = text(r, 'key');
    const op = OPERATORS.find((o) => o === text(r, 'operator'));
    if (!r || !key || !op) return [];
    const values = items(r, 'values').flatMap((v) => (isScalar(v.node) && typeof v.node.value === 'string' ? [v.node.value] : []));
    return [{ key, operator: op, values }];
  });
  return { matchLabels: labels, matchExpressions: expressions, pos: m?.pos ?? pos };
}

function name(obj: MapView): { name: string; namespace: string | undefined } | undefined {
  const meta = sub(obj, 'metadata');
  const n = text(meta, 'name');
  return n ? { name: n, namespace: text(meta, 'namespace') } : undefined;
}

/** One of the kinds above, or undefined with a warning saying what is missing. */
export function readRedirectObject(obj: MapView, kind: string): RedirectObject | undefined {
  const id = name(obj);
  const spec = sub(obj, 'spec');
  const warn = (what: string) => {
    obj.src.warn(obj.pos, `${kind} ${id?.name ?? '(no name)'} left out: ${what}`);
    return undefined;
  };
  if (!id) return warn('metadata.name is empty');
  if (!spec) return warn('it has no spec');
  const read = kind === 'CiliumEgressGatewayPolicy' ? egressGateway(obj, spec, id.name, warn)
    : kind === 'CiliumLocalRedirectPolicy' ? localRedirect(obj, spec, id.name, id.namespace ?? 'default', warn)
    : envoyConfig(spec, kind as EnvoyConfigSpec['kind'], id.name, id.namespace, obj.pos);
  if (read) obj.src.warn(obj.pos, `${kind} ${id.namespace && kind !== 'CiliumEgressGatewayPolicy' && kind !== 'CiliumClusterwideEnvoyConfig' ? `${id.namespace}/` : ''}${id.name} is loaded where the agent writes it (${WHERE[kind] ?? 'its maps'}) but not simulated: a trace it applies to ends NOT_SIMULATED`);
  return read;
}

const WHERE: Readonly<Record<string, string>> = {
  CiliumEgressGatewayPolicy: 'cilium_egress_gw_policy_v4',
  CiliumLocalRedirectPolicy: 'LocalRedirect frontends of the LB map, on nodes with a local backend',
  CiliumEnvoyConfig: 'l7-load-balancer flags of its Services in the LB map',
  CiliumClusterwideEnvoyConfig: 'l7-load-balancer flags of its Services in the LB map',
};

function egressGateway(obj: MapView, spec: MapView, policy: string, warn: (what: string) => undefined): RedirectObject | undefined {
  const selectors = items(spec, 'selectors').map((e) => {
    const m = isMap(e.node) ? looseMap(spec.src, e) : undefined;
    const pod = sub(m, 'podSelector');
    const ns = sub(m, 'namespaceSelector');
    return compact({ podSelector: pod ? selector(pod, e.pos) : undefined, namespaceSelector: ns ? selector(ns, e.pos) : undefined });
  }).filter((s) => s.podSelector || s.namespaceSelector);
  const cidrs: Ipv4Prefix[] = [];
  for (const e of items(spec, 'destinationCIDRs')) {
    const t = isScalar(e.node) && typeof e.node.value === 'string' ? e.node.value : '';
    const p = parseIpv4Prefix(t, false);
    if (p) cidrs.push(p);
    else if (isIpv6(t)) spec.src.sink.ipv6.push({ what: 'egress gateway CIDR', pos: e.pos });
    else spec.src.warn(e.pos, `CiliumEgressGatewayPolicy ${policy}: destination CIDR '${t}' ignored (expected an IPv4 prefix)`);
  }
  if (selectors.length === 0) return warn('spec.selectors selects no pod (expected podSelector and/or namespaceSelector)');
  if (cidrs.length === 0) return warn('spec.destinationCIDRs has no IPv4 prefix');
  const gw = sub(spec, 'egressGateway');
  const nodeSel = sub(gw, 'nodeSelector');
  const egressIp = text(gw, 'egressIP');
  return {
    egressGateway: compact<EgressGatewaySpec>({
      name: policy, selectors, destinationCIDRs: cidrs,
      nodeSelector: nodeSel ? selector(nodeSel, nodeSel.pos) : undefined,
      egressIP: egressIp !== undefined ? parseIpv4(egressIp) : undefined,
      interface: text(gw, 'interface'), pos: obj.pos,
    }),
  };
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

function localRedirect(obj: MapView, spec: MapView, policy: string, namespace: string, warn: (what: string) => undefined): RedirectObject | undefined {
  const fe = sub(spec, 'redirectFrontend');
  const address = sub(fe, 'addressMatcher');
  const service = sub(fe, 'serviceMatcher');
  const backend = sub(spec, 'redirectBackend');
  const backendSelector = selector(sub(backend, 'localEndpointSelector'), obj.pos);
  if (address) {
    const ip = parseIpv4(text(address, 'ip') ?? '');
    if (ip === undefined) return warn('redirectFrontend.addressMatcher.ip is not an IPv4 address');
    const ports = items(address, 'toPorts').flatMap((e) => {
      const m = isMap(e.node) ? looseMap(spec.src, e) : undefined;
      const port = Number(text(m, 'port'));
      const protocol = PROTOCOLS.find((p) => p === text(m, 'protocol')) ?? 'TCP';
      return Number.isInteger(port) && port > 0 && port < 65536 ? [{ port, protocol }] : [];
    });
    if (ports.length === 0) return warn('redirectFrontend.addressMatcher.toPorts has no port');
    return { localRedirect: { name: policy, namespace, frontend: { kind: 'address', ip, ports }, backendSelector, pos: obj.pos } };
  }
  const svc = text(service, 'serviceName');
  if (!service || !svc) return warn('redirectFrontend has neither addressMatcher nor serviceMatcher.serviceName');
  const names = (m: MapView | undefined) => items(m, 'toPorts').flatMap((e) => {
    const pm = isMap(e.node) ? looseMap(spec.src, e) : undefined;
    const n = text(pm, 'name') ?? text(pm, 'port');
    return n ? [n] : [];
  });
  // The Service ports the frontend names, else those the backend ports name (named ports map by name).
  const own = names(service);
  const portNames = own.length > 0 ? own : items(backend, 'toPorts').flatMap((e) => {
    const pm = isMap(e.node) ? looseMap(spec.src, e) : undefined;
    const n = text(pm, 'name');
    return n ? [n] : [];
  });
  // The LRP applies to a Service of its own namespace (pkg/redirectpolicy).
  return { localRedirect: { name: policy, namespace, frontend: { kind: 'service', service: svc, namespace: text(service, 'namespace') ?? namespace, portNames }, backendSelector, pos: obj.pos } };
}

function envoyConfig(spec: MapView, kind: EnvoyConfigSpec['kind'], config: string, namespace: string | undefined, pos: EnvoyConfigSpec['pos']): RedirectObject {
  const ns = kind === 'CiliumEnvoyConfig' ? (namespace ?? 'default') : null;
  const services = items(spec, 'services').flatMap((e) => {
    const m = isMap(e.node) ? looseMap(spec.src, e) : undefined;
    const n = text(m, 'name');
    return n ? [{ name: n, namespace: text(m, 'namespace') ?? ns ?? 'default' }] : [];
  });
  return { envoyConfig: { kind, name: config, namespace: ns, services, pos } };
}

/** A Node object's name and labels (for egress gateway node selectors). */
export function nodeLabelsOf(obj: MapView): { name: string; labels: Record<string, string> } | undefined {
  const meta = sub(obj, 'metadata');
  const n = text(meta, 'name');
  if (!n) return undefined;
  const labels: Record<string, string> = {};
  const e = meta?.entry('labels');
  if (e && isMap(e.node)) {
    const node = e.node;
    node.keys.forEach((k, i) => {
      const v = node.values[i];
      if (isScalar(k) && typeof k.value === 'string' && v && isScalar(v) && typeof v.value === 'string') labels[k.value] = v.value;
    });
  }
  return { name: n, labels };
}

/** A Kubernetes label selector against plain labels (an empty selector selects everything). */
export function selects(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false;
  return sel.matchExpressions.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case 'In': return has && r.values.includes(labels[r.key] as string);
      case 'NotIn': return !has || !r.values.includes(labels[r.key] as string);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
    }
  });
}

/**
 * The gateway node of each policy as v1.13.0 elects it (pkg/egressgateway/policy.go:106-133
 * regenerateGatewayConfig): the loop over the nodes (by name) has no break, so the last
 * node its nodeSelector matches wins.
 */
export function electGateways(specs: readonly EgressGatewaySpec[], nodes: ReadonlyArray<{ name: string; labels: Record<string, string> }>): EgressGatewaySpec[] {
  const sorted = [...nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return specs.map((s) => {
    const sel = s.nodeSelector;
    const hits = sel ? sorted.filter((n) => selects(sel, n.labels)) : [];
    const last = hits[hits.length - 1];
    return last ? { ...s, gatewayNode: last.name } : s;
  });
}
