// CiliumEgressGatewayPolicy → cilium_egress_gw_policy_v4, as v1.13.0's egress gateway manager
// fills it (pkg/egressgateway/policy.go ParseCEGP, regenerateGatewayConfig; manager.go): one
// entry per IP of every endpoint a selector matches and per destination CIDR, on every node.
// Pod selectors match the endpoint's labels (any source), namespace selectors its namespace
// labels (io.cilium.k8s.namespace.labels.*; an empty one any namespace). The gateway is the
// node v1.13.0 elects (see electGateways); only that node knows the egress IP, the others
// write 0.0.0.0. The gateway's own work is not simulated.
import type { CiliumRelease } from '../cilium/releases/release.js';
import { EgressGwMap } from '../maps/egressmap.js';
import { formatIpv4, formatPrefix, IP_ZERO, type Ipv4 } from '../net/ip.js';
import type { EgressGatewaySpec, NodeSpec, Scenario } from '../scenario/types.js';
import type { Label } from './labels.js';
import { POD_NAMESPACE_LABEL, POD_NAMESPACE_META_LABELS } from './labels.js';
import { formatLabelSelector, makeSelector, requirementsOf, selectorMatches, type Selector } from './selector.js';

/** ParseCEGP: one endpoint selector per `selectors[]` item. */
function selectorsOf(spec: EgressGatewaySpec): Selector[] {
  return spec.selectors.map((s) => {
    const pod = s.podSelector ? requirementsOf(s.podSelector, 'any') : [];
    if (!s.namespaceSelector) return makeSelector(pod);
    let ns = requirementsOf(s.namespaceSelector, 'any', `${POD_NAMESPACE_META_LABELS}.`);
    if (ns.length === 0) ns = [{ source: 'any', key: POD_NAMESPACE_LABEL, op: 'Exists', values: [] }];
    return makeSelector([...ns, ...pod]);
  });
}

function selectorText(spec: EgressGatewaySpec): string {
  return spec.selectors.map((s) => [s.namespaceSelector ? `namespaceSelector ${formatLabelSelector(s.namespaceSelector)}` : '', s.podSelector ? `podSelector ${formatLabelSelector(s.podSelector)}` : ''].filter(Boolean).join(' ')).join('; ');
}

export interface EgressEndpoint {
  readonly ip: Ipv4;
  readonly labels: readonly Label[];
}

/** The map one node's agent writes (the same entries everywhere; the egress IP only on the gateway). */
export function egressGatewayMap(scenario: Scenario, node: NodeSpec, endpoints: readonly EgressEndpoint[], release: CiliumRelease): EgressGwMap {
  const map = new EgressGwMap(release);
  for (const spec of scenario.egressGateways) {
    const gateway = scenario.nodes.find((n) => n.name === spec.gatewayNode);
    const selectors = selectorsOf(spec);
    const onGateway = gateway?.name === node.name;
    const egressIp = onGateway && spec.egressIP !== undefined ? spec.egressIP : IP_ZERO;
    const via = gateway ? `gateway node ${gateway.name} (${spec.nodeSelector ? `nodeSelector ${formatLabelSelector(spec.nodeSelector)}` : 'no nodeSelector'})` : `no gateway node (no Node object matches ${spec.nodeSelector ? formatLabelSelector(spec.nodeSelector) : 'its empty nodeSelector'})`;
    const snat = spec.egressIP !== undefined ? `egress IP ${formatIpv4(spec.egressIP)}` : spec.interface ? `the first address of ${spec.interface}` : 'the address of its default-route interface';
    const effect = `CiliumEgressGatewayPolicy ${spec.name} (selectors ${selectorText(spec)}; destinations ${spec.destinationCIDRs.map(formatPrefix).join(', ')}): ${release.version} sends the packet through the tunnel to the ${via}, which SNATs it to ${snat} (egress_gw_request_needs_redirect, then snat_v4_needs_masquerade there)`;
    const provenance = { kind: 'policy' as const, what: `CiliumEgressGatewayPolicy ${spec.name}`, pos: spec.pos };
    for (const ep of endpoints) {
      if (!selectors.some((s) => selectorMatches(s, ep.labels))) continue;
      for (const daddr of spec.destinationCIDRs) map.upsert({ saddr: ep.ip, daddr, egressIp, gatewayIp: gateway?.ip ?? IP_ZERO, provenance, effect });
    }
  }
  return map;
}

