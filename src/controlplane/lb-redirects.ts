// Frontends that v1.13.0 redirects instead of load-balancing to a Service's backends, written
// into a node's LB map as its agent writes them, after the Services (services.ts):
// * CiliumLocalRedirectPolicy (pkg/redirectpolicy/manager.go:55-61, upsertService): a
//   LocalRedirect service on the frontend (an address and ports, or a Service's ClusterIP
//   ports), only on nodes that have a local backend pod (its localEndpointSelector in the
//   policy's namespace); flags2 SVC_FLAG_LOCALREDIRECT. Its backend slots are not written:
//   where it leads is not simulated, and the lookup that hits it ends the trace.
// * CiliumEnvoyConfig / CiliumClusterwideEnvoyConfig `services`: the Service's frontends get
//   SVC_FLAG_L7LOADBALANCER (pkg/maps/lbmap/lbmap.go:577 L7LoadBalancer), Envoy balances them.
import { SVC_FLAG2_L7LOADBALANCER, SVC_FLAG2_LOCALREDIRECT, SVC_FLAG_ROUTABLE, type LbMaps } from '../maps/lbmap.js';
import { IP_ZERO, type Ipv4 } from '../net/ip.js';
import type { LocalRedirectSpec, NodeSpec, Scenario, ServicePort } from '../scenario/types.js';
import { formatLabelSelector } from './selector.js';
import { selects } from '../scenario/k8s-redirects.js';

/** The frontends of one LRP: address and port. */
function lrpFrontends(scenario: Scenario, lrp: LocalRedirectSpec): Array<{ address: Ipv4; dport: number }> {
  const fe = lrp.frontend;
  if (fe.kind === 'address') return fe.ports.map((p) => ({ address: fe.ip, dport: p.port }));
  const svc = scenario.services.find((s) => s.name === fe.service && s.namespace === fe.namespace);
  if (!svc || svc.clusterIP === undefined) return [];
  const ip = svc.clusterIP;
  const ports = fe.portNames.length === 0 ? svc.ports : svc.ports.filter((p) => fe.portNames.includes(p.name ?? '') || fe.portNames.includes(String(p.port)));
  return ports.map((p) => ({ address: ip, dport: p.port }));
}

/** Registers the writes of every LocalRedirect and L7 load-balancer frontend of `node`, after the Services'. */
export function registerLbRedirects(scenario: Scenario, node: NodeSpec, lb: LbMaps): void {
  for (const lrp of scenario.localRedirects) {
    const local = scenario.pods.filter((p) => p.node === node.name && !p.hostNetwork && p.namespace === lrp.namespace && selects(lrp.backendSelector, p.labels));
    if (local.length === 0) continue; // no node-local backend: the Service stays as it is
    const names = local.map((p) => `${p.namespace}/${p.name}`).join(', ');
    const redirect = `CiliumLocalRedirectPolicy ${lrp.namespace}/${lrp.name} redirects it to a backend on this node (${names}, localEndpointSelector ${formatLabelSelector(lrp.backendSelector)}); local redirect policies are not simulated`;
    for (const fe of lrpFrontends(scenario, lrp)) {
      const key = { address: fe.address, dport: fe.dport, scope: 0 as const };
      // An address frontend is a service of its own (a new rev-NAT id); a Service's keeps its id.
      const own = lrp.frontend.kind === 'address' ? lb.revNat.size + 1 : undefined;
      if (own !== undefined) lb.revNat.set(own, { address: fe.address, port: fe.dport });
      lb.deferService(key, (m) => {
        const old = m.lookupService({ ...key, slot: 0 });
        for (let slot = 1; slot <= (old?.count ?? 0); slot++) m.deleteService({ ...key, slot });
        m.setService({ ...key, slot: 0 }, { backendId: 0, count: local.length, revNat: own ?? old?.revNat ?? 0, flags: SVC_FLAG_ROUTABLE, flags2: SVC_FLAG2_LOCALREDIRECT, type: 'LocalRedirect', provenance: { kind: 'service', what: `CiliumLocalRedirectPolicy ${lrp.namespace}/${lrp.name}`, pos: lrp.pos }, redirect });
      });
    }
  }
  for (const cec of scenario.envoyConfigs) {
    const id = `${cec.kind} ${cec.namespace === null ? '' : `${cec.namespace}/`}${cec.name}`;
    for (const ref of cec.services) {
      const svc = scenario.services.find((s) => s.name === ref.name && s.namespace === ref.namespace);
      if (!svc) continue;
      const addrs: Array<{ address: Ipv4; port: (p: ServicePort) => number | undefined }> = [];
      if (svc.clusterIP !== undefined) addrs.push({ address: svc.clusterIP, port: (p) => p.port });
      if (scenario.cluster.kubeProxyReplacement && svc.type !== 'ClusterIP') for (const a of [node.ip, IP_ZERO]) addrs.push({ address: a, port: (p) => p.nodePort });
      const redirect = `${id} sends Service ${svc.namespace}/${svc.name} to its Envoy listener (L7 load-balancing); Envoy is not simulated`;
      for (const a of addrs) {
        for (const p of svc.ports) {
          const dport = a.port(p);
          if (dport === undefined) continue;
          const key = { address: a.address, dport, scope: 0 as const };
          lb.deferService(key, (m) => {
            const old = m.lookupService({ ...key, slot: 0 });
            if (old) m.setService({ ...key, slot: 0 }, { ...old, flags2: old.flags2 | SVC_FLAG2_L7LOADBALANCER, redirect });
          });
        }
      }
    }
  }
}

