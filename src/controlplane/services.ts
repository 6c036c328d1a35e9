// Services → load-balancer maps, as the v1.13 agent's service manager writes them
// (pkg/service/service.go upsertServiceIntoLBMaps, pkg/maps/lbmap): one frontend per
// Service port (its ClusterIP:port, and with kube-proxy replacement a NodePort frontend on
// each of the node's own LoadBalancerNodeAddresses: its device address and the 0.0.0.0
// surrogate, pkg/k8s/service.go:235-242, pkg/datapath/linux/node_addressing.go:92-96), a
// master entry in slot 0, backend slots 1..n in sorted backend order, backend ids and rev-NAT
// ids allocated deterministically (the agent allocates them incrementally, per node). Backends
// are the pods the selector matches in the Service's namespace, with targetPort resolved per
// pod (a named targetPort that a pod does not declare leaves that pod out, as EndpointSlices do);
// a Service without a selector has the addresses of its EndpointSlices (API servers, say).
import { LbMaps, SVC_FLAG_NODEPORT, SVC_FLAG_ROUTABLE, type Lb4Backend, type Lb4Service } from '../maps/lbmap.js';
import type { Provenance } from '../maps/provenance.js';
import { IP_ZERO, type Ipv4 } from '../net/ip.js';
import { nodePortOf, type NodeSpec, type PodSpec, type Scenario, type ServicePort, type ServiceSpec } from '../scenario/types.js';
import type { Position } from '../errors.js';
import { registerLbRedirects } from './lb-redirects.js';
import { releaseOfProfile } from '../cilium/releases/release.js';

/** IPPROTO_* of a Service port's protocol. */
const IPPROTO: Readonly<Record<ServicePort['protocol'], number>> = { TCP: 6, UDP: 17, SCTP: 132 };

export interface BackendRef {
  readonly ip: Ipv4;
  readonly port: number;
  /** The pod at that address, if one is (an EndpointSlice may name a node or an outside address). */
  readonly pod?: PodSpec;
  /** What made it a backend, for provenance: `pod ns/name`, or the EndpointSlice address. */
  readonly what: string;
  readonly pos: Position;
}

const podBackend = (pod: PodSpec, port: number): BackendRef => ({ ip: pod.ip, port, pod, what: `pod ${pod.namespace}/${pod.name}`, pos: pod.pos });

/** A selector-less Service port's backends: the slice addresses that have a port of that name. */
function sliceBackends(svc: ServiceSpec, port: ServicePort, podByIp: ReadonlyMap<number, PodSpec>): BackendRef[] {
  return (svc.endpoints ?? []).flatMap((b) => {
    const p = b.ports[port.name ?? ''];
    if (!p) return [];
    const pod = podByIp.get(b.ip);
    return [pod ? podBackend(pod, p.port) : { ip: b.ip, port: p.port, what: `EndpointSlice address of Service ${svc.namespace}/${svc.name}`, pos: b.pos }];
  });
}

export interface ServiceFrontend {
  readonly service: ServiceSpec;
  readonly port: ServicePort;
  readonly address: Ipv4;
  readonly dport: number;
  readonly revNat: number;
  readonly nodePort: boolean;
  readonly backends: readonly BackendRef[];
}

function selects(svc: ServiceSpec, pod: PodSpec): boolean {
  if (!svc.selector || pod.namespace !== svc.namespace) return false;
  return Object.entries(svc.selector).every(([k, v]) => pod.labels[k] === v);
}

/** targetPort → the pod's port: a number as is, a name through the pod's container ports. */
export function resolveTargetPort(port: ServicePort, pod: PodSpec): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  return pod.containerPorts.find((c) => c.name === port.targetPort && c.protocol === port.protocol)?.port;
}

/**
 * The pods each Service's first selector label (or namespace, for an empty selector) picks,
 * in input order, so a Service only looks at those (large clusters have thousands of both).
 */
class PodIndex {
  private readonly byKey = new Map<string, PodSpec[]>();

  constructor(pods: readonly PodSpec[], services: readonly ServiceSpec[]) {
    const wanted = new Map<string, Set<string>>(); // namespace → label keys some Service selects on first
    const wholeNs = new Set<string>();
    for (const svc of services) {
      if (!svc.selector) continue;
      const first = Object.entries(svc.selector)[0];
      if (first === undefined) wholeNs.add(svc.namespace);
      else {
        const keys = wanted.get(svc.namespace) ?? new Set<string>();
        keys.add(first[0]);
        wanted.set(svc.namespace, keys);
      }
    }
    for (const p of pods) {
      if (wholeNs.has(p.namespace)) push(this.byKey, `${p.namespace}\u0000`, p);
      for (const k of wanted.get(p.namespace) ?? []) {
        if (Object.hasOwn(p.labels, k)) push(this.byKey, `${p.namespace}\u0000${k}\u0000${p.labels[k]}`, p);
      }
    }
  }

  /** The pods `svc` selects, in input order. */
  selected(svc: ServiceSpec): PodSpec[] {
    if (!svc.selector) return [];
    const first = Object.entries(svc.selector)[0];
    const candidates = this.byKey.get(first === undefined ? `${svc.namespace}\u0000` : `${svc.namespace}\u0000${first[0]}\u0000${first[1]}`);
    return (candidates ?? []).filter((p) => selects(svc, p));
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** A frontend without its backends: what the agent writes it under. */
type FrontendKey = Omit<ServiceFrontend, 'backends'>;

function sortedServices(scenario: Scenario): ServiceSpec[] {
  return [...scenario.services].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
}

/**
 * Every frontend in the agent's order (services by namespace/name, each port's cluster IP,
 * then its NodePort on each address `nodePortAddrs` gives), numbered by rev-NAT id, as
 * `make` completes it.
 */
function frontends<F>(services: readonly ServiceSpec[], nodePortAddrs: readonly Ipv4[], make: (key: FrontendKey, svc: ServiceSpec, port: ServicePort) => F): F[] {
  const out: F[] = [];
  for (const svc of services) {
    for (const port of svc.ports) {
      if (svc.clusterIP !== undefined) out.push(make({ service: svc, port, address: svc.clusterIP, dport: port.port, nodePort: false, revNat: out.length + 1 }, svc, port));
      if (svc.type !== 'ClusterIP' && port.nodePort !== undefined) {
        for (const ip of nodePortAddrs) out.push(make({ service: svc, port, address: ip, dport: port.nodePort, nodePort: true, revNat: out.length + 1 }, svc, port));
      }
    }
  }
  return out;
}

/**
 * The NodePort frontends one node's agent writes: only with kube-proxy replacement
 * (EnableNodePort, pkg/k8s/service.go:217), on LoadBalancerNodeAddresses(): the node's
 * device address, then the 0.0.0.0 surrogate that socket LB's wildcard lookup uses.
 */
function nodePortAddresses(scenario: Scenario, node: NodeSpec): readonly Ipv4[] {
  return nodePortOf(scenario.cluster) ? [node.ip, IP_ZERO] : [];
}

/**
 * The frontends a client anywhere in the cluster can address (analysis view): every cluster
 * IP, and every NodePort on every node's address. Each node's own LB map holds its own
 * subset (lbMapsOf); rev-NAT ids here are positions in this list only.
 */
export function serviceFrontends(scenario: Scenario): ServiceFrontend[] {
  const services = sortedServices(scenario);
  const index = new PodIndex(scenario.pods, services);
  const selected = new Map<ServiceSpec, PodSpec[]>();
  const lists = new Map<ServicePort, BackendRef[]>();
  let podByIp: Map<number, PodSpec> | undefined;
  // One backend list per Service port, shared by its frontends.
  const backendsOf = (svc: ServiceSpec, port: ServicePort): BackendRef[] => {
    let list = lists.get(port);
    if (list) return list;
    if (svc.endpoints) {
      podByIp ??= new Map(scenario.pods.filter((p) => !p.hostNetwork).map((p) => [p.ip as number, p] as const));
      list = sliceBackends(svc, port, podByIp);
      lists.set(port, list);
      return list;
    }
    let pods = selected.get(svc);
    if (!pods) selected.set(svc, (pods = index.selected(svc).sort((a, b) => a.ip - b.ip)));
    list = pods.flatMap((pod) => {
      const p = resolveTargetPort(port, pod);
      return p === undefined ? [] : [podBackend(pod, p)];
    });
    lists.set(port, list);
    return list;
  };
  return frontends(services, scenario.nodes.map((n) => n.ip), (k, svc, port) => ({ service: k.service, port: k.port, address: k.address, dport: k.dport, nodePort: k.nodePort, backends: backendsOf(svc, port), revNat: k.revNat }));
}

/**
 * Backend lists of the frontends, each list once: the frontends of one Service port (its
 * cluster IP, then every node's NodePort) follow each other and share one list, and writing
 * a list again right after itself changes nothing.
 */
function distinctBackendLists(frontends: readonly ServiceFrontend[]): Array<{ readonly list: readonly BackendRef[]; readonly proto: number }> {
  const out: Array<{ readonly list: readonly BackendRef[]; readonly proto: number }> = [];
  for (const f of frontends) if (f.backends !== out[out.length - 1]?.list) out.push({ list: f.backends, proto: IPPROTO[f.port.protocol] });
  return out;
}

/** A backend's key for id allocation: address, port and (v1.17+) L4 protocol. */
const backendKey = (ip: number, port: number, proto: number): string => `${ip >>> 0}:${port}/${proto}`;

/**
 * The LB maps of each node. Frontends and rev-NAT entries are known from the Services and
 * the node alone; backends need every pod matched against every selector, so they are worked
 * out once for the cluster when a lookup first hits a frontend or a map is dumped
 * (LbMaps.deferService): a trace of pod to pod traffic never needs them. Backend ids and the
 * backend map are the same on every node.
 */
export function lbMapsOf(scenario: Scenario): (node: NodeSpec) => LbMaps {
  const services = sortedServices(scenario);
  const backends = new Map<number, Lb4Backend>();
  // v1.17+: services and backends keyed by L4 protocol (bpf-lb-proto-diff, default true).
  const protoDiff = releaseOfProfile(scenario.cluster.profile).has('lb-service-proto');
  let full: { byPort: Map<ServicePort, readonly BackendRef[]>; ids: Map<string, number> } | undefined;
  const resolved = (): { byPort: Map<ServicePort, readonly BackendRef[]>; ids: Map<string, number> } => {
    if (!full) {
      const all = serviceFrontends(scenario);
      const byPort = new Map<ServicePort, readonly BackendRef[]>();
      for (const f of all) byPort.set(f.port, f.backends);
      full = { byPort, ids: fillBackends(backends, all, protoDiff) };
    }
    return full;
  };
  return (node) => {
    const lb = new LbMaps(backends);
    for (const key of frontends(services, nodePortAddresses(scenario, node), (k) => k)) {
      lb.deferService({ address: key.address, dport: key.dport, scope: 0 }, (m) => {
        const { byPort, ids } = resolved();
        writeFrontend(m, { ...key, backends: byPort.get(key.port) ?? [] }, ids, protoDiff);
      });
      lb.revNat.set(key.revNat, { address: key.address, port: key.dport });
    }
    registerLbRedirects(scenario, node, lb);
    return lb;
  };
}

/**
 * Backend ids and entries; returns the id of each backend (by backendKey). With `protoDiff`
 * (v1.17+) a backend is an address, port and L4 protocol (upsertBackend parses
 * be.Address.Protocol(), pkg/loadbalancer/reconciler/bpf_reconciler.go@v1.18.3); before, the
 * agent writes u8proto.ANY (pkg/maps/lbmap/lbmap.go@v1.16.15).
 */
function fillBackends(backends: Map<number, Lb4Backend>, all: readonly ServiceFrontend[], protoDiff: boolean): Map<string, number> {
  const lists = distinctBackendLists(all);
  // Backend ids in address, port order (the agent allocates them incrementally); of pods
  // sharing an address and port (hostNetwork), the last frontend's names the backend.
  const last = new Map<string, { b: BackendRef; proto: number; order: number }>();
  for (const { list, proto } of lists) for (const b of list) last.set(backendKey(b.ip, b.port, protoDiff ? proto : 0), { b, proto: protoDiff ? proto : 0, order: (b.ip >>> 0) * 65536 + b.port });
  const ids = new Map<string, number>();
  for (const [k, { b, proto }] of [...last.entries()].sort((x, y) => x[1].order - y[1].order || x[1].proto - y[1].proto)) {
    const id = ids.size + 1;
    ids.set(k, id);
    backends.set(id, { address: b.ip, port: b.port, proto, flags: 0, clusterId: 0, provenance: { kind: b.pod ? 'pod' : 'service', what: b.what, pos: b.pos } });
  }
  return ids;
}

/** A frontend's master entry (slot 0) and one slot per backend. */
function writeFrontend(lb: LbMaps, f: ServiceFrontend, ids: ReadonlyMap<string, number>, protoDiff: boolean): void {
  const proto = protoDiff ? IPPROTO[f.port.protocol] : 0;
  const prov: Provenance = { kind: 'service', what: `Service ${f.service.namespace}/${f.service.name} port ${f.port.name ?? f.port.port}`, pos: f.port.pos };
  const type: Lb4Service['type'] = f.nodePort ? 'NodePort' : 'ClusterIP';
  // updateMasterService (pkg/maps/lbmap/lbmap.go:559-560): routable unless a surrogate or a ClusterIP.
  const routable = f.nodePort && f.address !== IP_ZERO;
  const flags = (f.nodePort ? SVC_FLAG_NODEPORT : 0) | (routable ? SVC_FLAG_ROUTABLE : 0);
  lb.setService({ address: f.address, dport: f.dport, slot: 0, scope: 0, proto }, { backendId: 0, count: f.backends.length, revNat: f.revNat, flags, flags2: 0, type, provenance: prov });
  f.backends.forEach((b, i) => {
    lb.setService({ address: f.address, dport: f.dport, slot: i + 1, scope: 0, proto }, { backendId: ids.get(backendKey(b.ip, b.port, proto)) ?? 0, count: 0, revNat: f.revNat, flags, flags2: 0, type, provenance: prov });
  });
}

/**
 * The frontend addresses one node's agent has a Service under (its svcByHash, which Hubble's
 * GetServiceByAddr reads): every cluster IP and that node's own NodePort addresses.
 */
export function nodeFrontendAddresses(scenario: Scenario, node: NodeSpec): Array<{ readonly address: Ipv4; readonly dport: number; readonly service: ServiceSpec; readonly nodePort: boolean }> {
  return frontends(sortedServices(scenario), nodePortAddresses(scenario, node), (k) => ({ address: k.address, dport: k.dport, service: k.service, nodePort: k.nodePort }));
}
