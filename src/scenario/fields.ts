// The vocabulary of the scenario format: accepted field names per object, enum values
import { RELEASES } from '../cilium/releases/release.js';
// and the Cilium policy fields we recognise but do not model yet. The loader and the
// schema test both read these lists, so the JSON schema cannot drift from the loader.
import type { EnforcementMode, Entity, L4Protocol, PolicyKind, RoutingMode, SelectorOperator, TunnelProtocol } from './types.js';

export const API_VERSION = 'cilium-trace/v1';
export const KIND = 'Scenario';
/** A list of expectations for `cilium-trace check`, in its own file (same apiVersion). */
export const EXPECTATIONS_KIND = 'Expectations';
export const POLICY_API_VERSION = 'cilium.io/v2';
export const POLICY_KIND = 'CiliumNetworkPolicy';

/** The apiVersion each policy kind is written with. */
export const POLICY_KINDS: Readonly<Record<PolicyKind, string>> = {
  CiliumNetworkPolicy: POLICY_API_VERSION,
  CiliumClusterwideNetworkPolicy: POLICY_API_VERSION,
  NetworkPolicy: 'networking.k8s.io/v1',
};

/** Kubernetes kinds the loader models, with their apiVersion (policies above). */
export const K8S_KINDS: Readonly<Record<string, string>> = {
  Node: 'v1',
  Pod: 'v1',
  Namespace: 'v1',
  Service: 'v1',
  CiliumNode: POLICY_API_VERSION,
  ...POLICY_KINDS,
};

/** What `cluster.cilium` and `--cilium` accept: a profile, or the release it pins (1.16.15). */
export const CILIUM_VERSIONS: readonly string[] = RELEASES.flatMap((r) => [r.profile, r.version.slice(1)]);
export const ROUTING_MODES: readonly RoutingMode[] = ['tunnel', 'native'];
/** How pod traffic leaving the cluster is source-NATed: Cilium's iptables rules, BPF (cil_to_netdev), or not at all. */
export const MASQUERADE_MODES = ['iptables', 'bpf', 'none'] as const;
export const TUNNEL_PROTOCOLS: readonly TunnelProtocol[] = ['vxlan', 'geneve'];
export const ENFORCEMENT_MODES: readonly EnforcementMode[] = ['default', 'always', 'never'];
export const L4_PROTOCOLS: readonly L4Protocol[] = ['TCP', 'UDP', 'SCTP', 'ANY'];
/** Protocols of Kubernetes ports (containers, Services, NetworkPolicy); the default is TCP. */
export const K8S_PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export const SELECTOR_OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
/** Cilium v1.13 entities (pkg/policy/api/entity.go EntitySelectorMapping). */
export const ENTITIES: readonly Entity[] = ['all', 'world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'init', 'ingress', 'health', 'unmanaged'];
export const ICMP_FAMILIES = ['IPv4', 'IPv6'] as const;
export const POLICY_TYPES = ['Ingress', 'Egress'] as const;
/** Cilium's PortRule and ICMPRule limits (pkg/policy/api/rule_validation.go). */
export const MAX_PORTS = 40;
export const MAX_ICMP_FIELDS = 40;

/** What an expectation (`expect:`, or an expectations file) may say about a flow, and its protocols (any case). */
export const EXPECTED_VERDICTS = ['FORWARDED', 'DROPPED'] as const;
export const EXPECT_PROTOS = ['icmp', 'tcp', 'udp'] as const;

/** Default UDP port of each tunnel protocol (Cilium's defaults, not IANA's 4789 for VXLAN). */
export const TUNNEL_PORTS: Readonly<Record<TunnelProtocol, number>> = { vxlan: 8472, geneve: 6081 };

/** metav1.ObjectMeta, as kubectl prints it; only name, namespace and labels are used. */
const OBJECT_META = [
  'name',
  'namespace',
  'labels',
  'annotations',
  'generateName',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'selfLink',
] as const;

/**
 * Accepted field names, by object. Keys name the schema definition they correspond to.
 * Policies are checked strictly (a typo must not silently widen or narrow a policy);
 * other Kubernetes objects are read loosely and need no field set.
 */
export const FIELDS = {
  scenario: ['apiVersion', 'kind', 'metadata', 'cluster', 'nodes', 'pods', 'policies', 'expect', 'dns'],
  scenarioMetadata: ['name', 'description'],
  cluster: ['name', 'cilium', 'routing', 'tunnelProtocol', 'tunnelPort', 'bpfHostRouting', 'kubeProxyReplacement', 'masquerade', 'policyEnforcement', 'mtu', 'nodeSelectorLabels'],
  node: ['name', 'ip', 'podCIDR', 'nodeId', 'hostEndpointId', 'device', 'ciliumNet', 'ciliumHost', 'tunnelDevice', 'labels'],
  nativeDevice: ['name', 'ifindex', 'mac', 'tc'],
  ciliumDevice: ['ifindex', 'mac', 'tc'],
  ciliumHost: ['ip', 'ifindex', 'mac', 'tc'],
  tcHooks: ['ingress', 'egress'],
  tcProgram: ['id', 'tag'],
  pod: ['name', 'namespace', 'node', 'ip', 'labels', 'serviceAccount', 'identity', 'endpointId', 'mac', 'hostVeth'],
  hostVeth: ['name', 'ifindex', 'mac', 'tc'],
  policy: ['apiVersion', 'kind', 'metadata', 'spec', 'specs', 'status'],
  policyMetadata: OBJECT_META,
  rule: ['endpointSelector', 'nodeSelector', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'description', 'labels', 'enableDefaultDeny'],
  /** enableDefaultDeny of v1.16+ (pkg/policy/api/rule.go DefaultDenyConfig). */
  defaultDenyConfig: ['ingress', 'egress'],
  ingressRule: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromRequires', 'fromGroups', 'fromNodes', 'toPorts', 'icmps'],
  egressRule: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toRequires', 'toServices', 'toFQDNs', 'toGroups', 'toNodes', 'toPorts', 'icmps'],
  ingressDenyRule: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromRequires', 'fromGroups', 'fromNodes', 'toPorts', 'icmps'],
  egressDenyRule: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toRequires', 'toServices', 'toGroups', 'toNodes', 'toPorts', 'icmps'],
  portRule: ['ports', 'rules', 'terminatingTLS', 'originatingTLS', 'serverNames', 'listener'],
  portDenyRule: ['ports'],
  portProtocol: ['port', 'endPort', 'protocol'],
  cidrRule: ['cidr', 'except'],
  icmpRule: ['fields'],
  icmpField: ['type', 'family'],
  selector: ['matchLabels', 'matchExpressions'],
  selectorRequirement: ['key', 'operator', 'values'],
  networkPolicySpec: ['podSelector', 'policyTypes', 'ingress', 'egress'],
  networkPolicyIngressRule: ['from', 'ports'],
  networkPolicyEgressRule: ['to', 'ports'],
  networkPolicyPeer: ['podSelector', 'namespaceSelector', 'ipBlock'],
  networkPolicyPort: ['protocol', 'port', 'endPort'],
  ipBlock: ['cidr', 'except'],
  /** An item of a Scenario's `expect:` list or of an expectations file (expect-input.ts). */
  expectation: ['name', 'from', 'to', 'proto', 'port', 'http', 'expect', 'reason', 'why', 'source'],
  /** An expectation's `http:` request as a mapping (or the string 'METHOD /PATH'). */
  expectationHttp: ['method', 'path', 'host', 'headers'],
} as const satisfies Record<string, readonly string[]>;

export type FieldSet = keyof typeof FIELDS;

/**
 * Field sets of Kubernetes objects (policies): read as the API server stores them. A field
 * the v1.13.0 schema does not have is pruned by the API server, so it is ignored with a
 * warning rather than refused; the Scenario format's own sets stay strict.
 */
export const PRUNED_FIELD_SETS: ReadonlySet<FieldSet> = new Set<FieldSet>([
  'policy', 'policyMetadata', 'rule', 'defaultDenyConfig', 'ingressRule', 'egressRule', 'ingressDenyRule', 'egressDenyRule', 'portRule', 'portDenyRule',
  'portProtocol', 'cidrRule', 'icmpRule', 'icmpField', 'selector', 'selectorRequirement', 'networkPolicySpec',
  'networkPolicyIngressRule', 'networkPolicyEgressRule', 'networkPolicyPeer', 'networkPolicyPort', 'ipBlock',
]);

/**
 * Policy fields of later Cilium releases: not in v1.13.0's CiliumNetworkPolicy CRD
 * (pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml), so pruned on a
 * v1.13 cluster; the warning names what they would have done.
 */
export const LATER_FIELDS: Readonly<Record<string, string>> = {
  enableDefaultDeny: 'default-deny control of a later release',
  authentication: 'mutual authentication of a later release',
  fromNodes: 'node selectors of a later release',
  toNodes: 'node selectors of a later release',
  cidrGroupRef: 'CiliumCIDRGroup references of a later release',
};
