// Services → load-balancer maps, as the v1.13 agent's service manager writes them
// (pkg/service/service.go upsertServiceIntoLBMaps, pkg/maps/lbmap): one frontend per
// Service port (ClusterIP:port, and for NodePort every node IP:nodePort), a master entry in
// slot 0, backend slots 1..n in sorted backend order, backend ids and rev-NAT ids allocated
// deterministically (the agent allocates them incrementally). Backends are the pods the
// selector matches in the Service's namespace, with targetPort resolved per pod (a named
// targetPort that a pod does not declare leaves that pod out, as EndpointSlices do).
import { LbMaps, SVC_FLAG_NODEPORT, type Lb4Service } from '../maps/lbmap.js';
import type { Provenance } from '../maps/provenance.js';
import type { Ipv4 } from '../net/ip.js';
import type { PodSpec, Scenario, ServicePort, ServiceSpec } from '../scenario/types.js';

export interface BackendRef {
  readonly pod: PodSpec;
  readonly port: number;
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

export function serviceFrontends(scenario: Scenario): ServiceFrontend[] {
  const out: Omit<ServiceFrontend, 'revNat'>[] = [];
  const services = [...scenario.services].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  const index = new PodIndex(scenario.pods, services);
  for (const svc of services) {
    const pods = index.selected(svc).sort((a, b) => a.ip - b.ip);
    for (const port of svc.ports) {
      const backends = pods.flatMap((pod) => {
        const p = resolveTargetPort(port, pod);
        return p === undefined ? [] : [{ pod, port: p }];
      });
      if (svc.clusterIP !== undefined) out.push({ service: svc, port, address: svc.clusterIP, dport: port.port, nodePort: false, backends });
      if (svc.type !== 'ClusterIP' && port.nodePort !== undefined) {
        for (const n of scenario.nodes) out.push({ service: svc, port, address: n.ip, dport: port.nodePort, nodePort: true, backends });
      }
    }
  }
  return out.map((f, i) => ({ ...f, revNat: i + 1 }));
}

export function fillLbMaps(frontends: readonly ServiceFrontend[]): LbMaps {
  const lb = new LbMaps();
  const backendIds = new Map<string, number>();
  const all = frontends.flatMap((f) => f.backends.map((b) => ({ ip: b.pod.ip as number, port: b.port, b })));
  for (const { ip, port } of all.sort((a, b) => a.ip - b.ip || a.port - b.port)) {
    const k = `${ip}:${port}`;
    if (!backendIds.has(k)) backendIds.set(k, backendIds.size + 1);
  }
  for (const { ip, port, b } of all) {
    const id = backendIds.get(`${ip}:${port}`) ?? 0;
    lb.backends.set(id, { address: ip as Ipv4, port, proto: 0, flags: 0, provenance: { kind: 'pod', what: `pod ${b.pod.namespace}/${b.pod.name}`, pos: b.pod.pos } });
  }
  for (const f of frontends) {
    const prov: Provenance = { kind: 'service', what: `Service ${f.service.namespace}/${f.service.name} port ${f.port.name ?? f.port.port}`, pos: f.port.pos };
    const type: Lb4Service['type'] = f.nodePort ? 'NodePort' : 'ClusterIP';
    const flags = f.nodePort ? SVC_FLAG_NODEPORT : 0;
    lb.setService({ address: f.address, dport: f.dport, slot: 0, scope: 0 }, { backendId: 0, count: f.backends.length, revNat: f.revNat, flags, flags2: 0, type, provenance: prov });
    f.backends.forEach((b, i) => {
      lb.setService({ address: f.address, dport: f.dport, slot: i + 1, scope: 0 }, { backendId: backendIds.get(`${b.pod.ip}:${b.port}`) ?? 0, count: 0, revNat: f.revNat, flags, flags2: 0, type, provenance: prov });
    });
    lb.revNat.set(f.revNat, { address: f.address, port: f.dport });
  }
  return lb;
}
