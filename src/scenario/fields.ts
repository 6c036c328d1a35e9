// The vocabulary of the scenario format: accepted field names per object, enum values
// and the Cilium policy fields we recognise but do not model yet. The loader and the
// schema test both read these lists, so the JSON schema cannot drift from the loader.
import type { EnforcementMode, L4Protocol, RoutingMode, SelectorOperator, TunnelProtocol } from './types.js';

export const API_VERSION = 'cilium-trace/v1';
export const KIND = 'Scenario';
export const POLICY_API_VERSION = 'cilium.io/v2';
export const POLICY_KIND = 'CiliumNetworkPolicy';

export const CILIUM_VERSIONS = ['1.13'] as const;
export const ROUTING_MODES: readonly RoutingMode[] = ['tunnel', 'native'];
export const TUNNEL_PROTOCOLS: readonly TunnelProtocol[] = ['vxlan', 'geneve'];
export const ENFORCEMENT_MODES: readonly EnforcementMode[] = ['default', 'always', 'never'];
export const L4_PROTOCOLS: readonly L4Protocol[] = ['TCP', 'UDP', 'SCTP', 'ANY'];
export const SELECTOR_OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Default UDP port of each tunnel protocol (Cilium's defaults, not IANA's 4789 for VXLAN). */
export const TUNNEL_PORTS: Readonly<Record<TunnelProtocol, number>> = { vxlan: 8472, geneve: 6081 };

/** Accepted field names, by object. Keys name the schema definition they correspond to. */
export const FIELDS = {
  scenario: ['apiVersion', 'kind', 'metadata', 'cluster', 'nodes', 'pods', 'policies'],
  scenarioMetadata: ['name', 'description'],
  cluster: ['name', 'cilium', 'routing', 'tunnelProtocol', 'tunnelPort', 'bpfHostRouting', 'kubeProxyReplacement', 'policyEnforcement', 'mtu'],
  node: ['name', 'ip', 'podCIDR', 'nodeId', 'hostEndpointId', 'device', 'ciliumNet', 'ciliumHost', 'tunnelDevice'],
  nativeDevice: ['name', 'ifindex', 'mac'],
  ciliumDevice: ['ifindex', 'mac'],
  ciliumHost: ['ip', 'ifindex', 'mac'],
  pod: ['name', 'namespace', 'node', 'ip', 'labels', 'serviceAccount', 'identity', 'endpointId', 'mac', 'hostVeth'],
  hostVeth: ['name', 'ifindex', 'mac'],
  policy: ['apiVersion', 'kind', 'metadata', 'spec'],
  policyMetadata: ['name', 'namespace', 'labels', 'annotations'],
  rule: ['endpointSelector', 'ingress', 'egress', 'description', 'labels'],
  ingressRule: ['fromEndpoints', 'toPorts'],
  egressRule: ['toEndpoints', 'toPorts'],
  portRule: ['ports'],
  portProtocol: ['port', 'protocol'],
  selector: ['matchLabels', 'matchExpressions'],
  selectorRequirement: ['key', 'operator', 'values'],
} as const satisfies Record<string, readonly string[]>;

export type FieldSet = keyof typeof FIELDS;

/**
 * Fields that are valid in a Cilium v1.13 CiliumNetworkPolicy but not simulated yet.
 * They get a "not supported yet" message rather than "unknown field".
 */
export const UNSUPPORTED_FIELDS: Partial<Record<FieldSet, readonly string[]>> = {
  policy: ['specs'],
  rule: ['nodeSelector', 'ingressDeny', 'egressDeny'],
  ingressRule: ['fromRequires', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromGroups', 'fromNodes', 'icmps', 'authentication'],
  egressRule: ['toRequires', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toFQDNs', 'toGroups', 'toNodes', 'icmps', 'authentication'],
  portRule: ['rules', 'terminatingTLS', 'originatingTLS', 'serverNames', 'listener'],
  portProtocol: ['endPort'],
};
