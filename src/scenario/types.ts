// The scenario model: a cluster as the control plane consumes it, after loading,
import type { Sysdump } from '../sysdump/types.js';
// validation and deterministic defaulting. Every object keeps the position of the YAML
// node it came from, so map entries can carry provenance and errors can point at input.
import type { HttpRule } from '../proxy/envoy-http.js';
import type { Feature } from '../cilium/releases/features.js';
import type { Position, Problem } from '../errors.js';
import type { Ipv4, Ipv4Prefix } from '../net/ip.js';
import type { Mac } from '../net/mac.js';
import type { Expectation } from './expect-input.js';
import type { DnsAnswer } from './dns-input.js';
import type { FqdnLearned } from '../controlplane/fqdn.js';

import type { CiliumProfile } from '../cilium/releases/release.js';
export type { CiliumProfile };
export type RoutingMode = 'tunnel' | 'native';
export type TunnelProtocol = 'vxlan' | 'geneve';
export type EnforcementMode = 'default' | 'always' | 'never';

export interface ClusterSettings {
  readonly name: string; // cluster name, io.cilium.k8s.policy.cluster
  readonly profile: CiliumProfile;
  /** Why this profile: "cluster.cilium \"1.13\"", "--cilium 1.16", "newest, no version given". */
  readonly profileWhy: string;
  /** The profile the input itself names (cluster.cilium), when it names one: what its pinned program ids and tags came from. */
  readonly declaredProfile?: CiliumProfile;
  readonly routing: RoutingMode;
  readonly tunnelProtocol: TunnelProtocol; // meaningful when routing = tunnel
  readonly tunnelPort: number; // 8472 vxlan, 6081 geneve unless set
  readonly bpfHostRouting: boolean; // ENABLE_HOST_ROUTING: redirect_peer vs bpf_redirect
  readonly kubeProxyReplacement: boolean; // socket LB + NodePort; off -> ENABLE_PER_PACKET_LB
  readonly policyEnforcement: EnforcementMode;
  readonly mtu: number; // device MTU; route MTU = mtu - 50 in tunnel mode
  /** Source NAT of traffic leaving the cluster: iptables (Helm default), BPF, or none. */
  readonly masquerade: 'iptables' | 'bpf' | 'none';
  readonly pos: Position;
  // Settings a cilium-config ConfigMap can give beyond the Scenario format (absent: the
  // Scenario meaning, where kubeProxyReplacement is both socket LB and BPF NodePort).
  /** bpf-lb-sock as the agent resolved it (kube-proxy-replacement=partial sets it alone). */
  readonly socketLb?: boolean;
  /** enable-node-port as the agent resolved it. */
  readonly nodePort?: boolean;
  /** cluster-id (identities of cluster N are N<<16 .. (N+1)<<16-1). */
  readonly clusterId?: number;
  /** The `labels` option: the agent's identity-relevant label prefixes. */
  readonly labelPrefixes?: readonly string[];
  /** ipv4-native-routing-cidr, when given. */
  readonly nativeRoutingCidr?: Ipv4Prefix;
  // Options of later releases (set under profiles 1.16 and 1.18 only; cilium-settings.ts).
  /** service-no-backend-response (v1.15+, default reject: ICMP port unreachable). */
  readonly serviceNoBackendResponse?: 'reject' | 'drop';
  /** enable-tcx (v1.16+, default true): endpoint programs attached with tcx. */
  readonly tcx?: boolean;
  /** policy-cidr-match-mode includes nodes (v1.15+): CIDR rules select node addresses. */
  readonly policyCidrMatchNodes?: boolean;
  /** enable-node-selector-labels (v1.16+): node labels in node identities, for fromNodes/toNodes. */
  readonly nodeSelectorLabels?: boolean;
  /** enable-k8s-networkpolicy (default true): false leaves Kubernetes NetworkPolicies out. */
  readonly k8sNetworkPolicy?: boolean;
  /** bpf-lb-proto-diff (v1.17+, default true): service keys carry the L4 protocol. */
  readonly lbProtoDiff?: boolean;
  /** enable-non-default-deny-policies (v1.17+, default true): a policy's enableDefaultDeny is honoured. */
  readonly nonDefaultDenyPolicies?: boolean;
  /** Where each setting came from (ConfigMap key, default of the release), for the trace header. */
  readonly sources?: readonly SettingSource[];
}

/** One datapath setting and where it came from: "tunnel vxlan:8472" from "cilium-config tunnel=vxlan". */
export interface SettingSource {
  readonly value: string;
  readonly from: string;
}

/** Socket LB (cgroup connect hooks) of these settings. */
export function socketLbOf(c: ClusterSettings): boolean {
  return c.socketLb ?? c.kubeProxyReplacement;
}

/** BPF NodePort (bpf_host on the native devices) of these settings. */
export function nodePortOf(c: ClusterSettings): boolean {
  return c.nodePort ?? c.kubeProxyReplacement;
}

/** A program id and tag as `tc filter show` printed them on a real node. */
export interface ProgramPin {
  readonly id: number;
  readonly tag: string;
}

export interface TcPins {
  readonly ingress?: ProgramPin;
  readonly egress?: ProgramPin;
}

export interface DeviceSpec {
  readonly name: string;
  readonly ifindex: number;
  readonly mac: Mac;
  /** Pinned ids/tags of the programs on its tc hooks (otherwise the loader's own). */
  readonly tcPins?: TcPins;
}

export interface NodeSpec {
  readonly name: string;
  readonly ip: Ipv4; // InternalIP, also the native device address
  readonly podCIDR: Ipv4Prefix;
  /** Further pod CIDRs (CiliumNode spec.ipam.podCIDRs after the first; ENI pool addresses). */
  readonly extraPodCIDRs?: readonly Ipv4Prefix[];
  readonly nodeId: number; // v1.13 node id (printed as nodeid= in the seed's ipcache dump)
  readonly hostEndpointId: number; // endpoint id of the host endpoint (cilium_calls_hostns_<id>)
  readonly ciliumHostIp: Ipv4;
  readonly ciliumHost: DeviceSpec; // cilium_host
  readonly ciliumNet: DeviceSpec; // cilium_net
  readonly tunnelDevice: DeviceSpec; // cilium_vxlan or cilium_geneve
  readonly device: DeviceSpec; // native device, e.g. eth0
  /** The Node's labels (metadata.labels, or `labels` in a Scenario); absent when it has none. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly pos: Position;
}

export interface PodSpec {
  readonly name: string;
  readonly namespace: string;
  readonly node: string;
  readonly ip: Ipv4;
  /** Pod labels as written (key -> value), without source prefix. */
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly identity?: number; // pinned security identity
  /** The identity's labels as its CiliumEndpoint lists them (`k8s:app=web`): they win over computed ones. */
  readonly securityLabels?: readonly string[];
  readonly endpointId: number;
  readonly mac: Mac; // pod eth0
  readonly hostVeth: DeviceSpec; // host side lxcXXXX
  /** Container ports, for named ports in policies and Services. */
  readonly containerPorts: ReadonlyArray<{ readonly name?: string; readonly port: number; readonly protocol: 'TCP' | 'UDP' | 'SCTP' }>;
  /** hostNetwork pods share the node's IP and identity; they have no endpoint. */
  readonly hostNetwork: boolean;
  /** The controller in metadata.ownerReferences (a ReplicaSet, StatefulSet, …), if any. */
  readonly owner?: OwnerRef;
  readonly pos: Position;
}

/** An ownerReference with `controller: true`: the object that made this one. */
export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

/**
 * A Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob of the input. Not
 * modelled (also listed as skipped); kept so that pods can be named by their workload.
 */
export interface WorkloadSpec {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly owner?: OwnerRef;
}

/** An input file or document that holds no object and was passed over (one note lists them). */
export interface IgnoredInput {
  /** `file`, or `file:line` for one document of a file. */
  readonly where: string;
  /** Why: "dotfile", "no kind", "Helm chart file", … */
  readonly why: string;
}

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelector {
  /** Keys may carry a source prefix: `k8s:app`, `any:id`, `reserved:host`. */
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: ReadonlyArray<{ readonly key: string; readonly operator: SelectorOperator; readonly values: readonly string[] }>;
  readonly pos: Position;
}

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

/**
 * What a toPorts item asks of the L7 proxy (`rules`, TLS contexts, serverNames, a listener),
 * as written: the control plane decides the parser per protocol as v1.13.0's createL4Filter
 * does, and the policy map entry then redirects to the proxy. Envoy and the DNS proxy are not
 * simulated: a trace that reaches such an entry ends NOT_SIMULATED, naming these rules.
 */
export interface L7Spec {
  /** One text per rule, as Envoy would apply it: `GET /api/v1/.*`, `matchPattern *`. */
  readonly http: readonly string[];
  /** The same HTTP rules structured (method, path, host, headers) for the simulated Envoy. */
  readonly httpRules?: readonly HttpRule[];
  readonly kafka: readonly string[];
  readonly dns: readonly string[];
  /** `l7proto` and its `l7` rules (a proxylib parser). */
  readonly l7proto?: string;
  readonly l7: readonly string[];
  /** terminatingTLS / originatingTLS / serverNames given. */
  readonly tls: readonly string[];
  /** `listener`: a CiliumEnvoyConfig listener, as `kind namespace/name listener`. */
  readonly listener?: string;
  readonly pos: Position;
}

/** One port of a toPorts entry, flattened. `port` 0 = any port; a string is a named port. */
export interface PortRule {
  readonly port: number | string;
  readonly endPort?: number; // port ranges (1.16 profile only)
  readonly protocol: L4Protocol;
  /** The L7 part of the toPorts item this port belongs to. */
  readonly l7?: L7Spec;
  readonly pos: Position;
}

/** @deprecated name kept for the first loader; same as PortRule with a numeric port. */
export type PortProtocol = PortRule;

export interface CidrRule {
  readonly cidr: Ipv4Prefix;
  readonly except: readonly Ipv4Prefix[];
  readonly pos: Position;
}

export interface IcmpRule {
  readonly type: number;
  readonly family: 'IPv4' | 'IPv6';
  readonly pos: Position;
}

/** Cilium entities (pkg/policy/api/entity.go). */
export type Entity = 'world' | 'cluster' | 'host' | 'remote-node' | 'health' | 'init' | 'unmanaged' | 'kube-apiserver' | 'ingress' | 'all';

/**
 * One ingress/egress (or ingressDeny/egressDeny) item of a Cilium rule. The L3 peer fields
 * are ORed; an item with none of them selects every peer (when it has ports) — see the
 * control plane for the exact Cilium semantics of absent vs empty.
 */
export interface PolicyRuleSection {
  /** fromEndpoints / toEndpoints; undefined = field absent. */
  readonly peers?: readonly LabelSelector[];
  /** fromNodes / toNodes (v1.16+; v1.13.0's CRD prunes them): undefined = field absent. */
  readonly nodes?: readonly LabelSelector[];
  readonly entities?: readonly Entity[];
  /** fromCIDR / fromCIDRSet / toCIDR / toCIDRSet (fromCIDR entries have no except). */
  readonly cidrs?: readonly CidrRule[];
  /** toPorts flattened; undefined = any port/protocol (L3-only). */
  readonly ports?: readonly PortRule[];
  readonly icmps?: readonly IcmpRule[];
  /**
   * Peers whose addresses the agent learns at run time (toFQDNs, toServices, toGroups,
   * fromGroups): they select no identity here, and never make the item select every peer.
   */
  readonly unresolved?: readonly UnresolvedPeer[];
  /** L3 peers written but set aside (IPv6 CIDRs): the item still names peers, so it never means "every peer". */
  readonly ignoredPeers?: number;
  readonly pos: Position;
}

/** A peer of a rule that depends on what the agent learns at run time: not simulated. */
export interface UnresolvedPeer {
  readonly kind: 'toFQDNs' | 'toServices' | 'toGroups' | 'fromGroups';
  /** As written: `toFQDNs[0] matchName api.github.com`, `toServices[0] k8sService shop/payments`. */
  readonly text: string;
  /** toServices with a k8sService: the Service it names (namespace: the policy's when unset). */
  readonly service?: { readonly name: string; readonly namespace?: string };
  readonly pos: Position;
}

/** One Cilium rule (api.Rule): a CNP's `spec` or one of its `specs`. */
export interface PolicyRule {
  /** A host policy (`nodeSelector`): it selects nodes, not pods, and is not simulated. */
  readonly hostPolicy?: true;
  readonly endpointSelector: LabelSelector;
  readonly ingress?: readonly PolicyRuleSection[];
  readonly egress?: readonly PolicyRuleSection[];
  readonly ingressDeny?: readonly PolicyRuleSection[];
  readonly egressDeny?: readonly PolicyRuleSection[];
  /** enableDefaultDeny as written (v1.16+; v1.13.0's CRD prunes it): undefined = not set. */
  readonly enableDefaultDeny?: { readonly ingress?: boolean; readonly egress?: boolean; readonly pos: Position };
  readonly pos: Position;
}

/** networking.k8s.io/v1 NetworkPolicy, as written; the control plane converts it as Cilium does. */
export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: CidrRule;
  /** An IPv6 ipBlock, set aside: the peer selects nothing for IPv4 traffic. */
  readonly ipv6?: true;
  readonly pos: Position;
}

export interface NetworkPolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly pos: Position;
}

export interface NetworkPolicyRule {
  /** from (ingress) or to (egress); undefined = field absent (all peers). */
  readonly peers?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
  readonly pos: Position;
}

export interface NetworkPolicyInput {
  readonly podSelector: LabelSelector;
  /** As written; undefined = absent (Kubernetes defaults it from the rules present). */
  readonly policyTypes?: ReadonlyArray<'Ingress' | 'Egress'>;
  readonly ingress?: readonly NetworkPolicyRule[];
  readonly egress?: readonly NetworkPolicyRule[];
}

export type PolicyKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' | 'NetworkPolicy';

export interface PolicySpec {
  readonly kind: PolicyKind;
  readonly name: string;
  /** The policy's namespace; null for CiliumClusterwideNetworkPolicy. */
  readonly namespace: string | null;
  /** CNP/CCNP rules (`spec` and/or `specs`); empty for a NetworkPolicy. */
  readonly rules: readonly PolicyRule[];
  /** Only for kind NetworkPolicy. */
  readonly networkPolicy?: NetworkPolicyInput;
  /** The agents of releases with this change refuse the policy (fromNodes without enable-node-selector-labels). */
  readonly refusedWith?: Feature;
  /** The refusal holds only while this agent option is off (fromNodes: enable-node-selector-labels). */
  readonly refusedUnless?: 'nodeSelectorLabels';
  readonly pos: Position;
}

export interface NamespaceSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly pos: Position;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  /** Numeric or a container port name, resolved per backend pod. */
  readonly targetPort: number | string;
  readonly nodePort?: number;
  readonly pos: Position;
}

export interface ServiceSpec {
  readonly name: string;
  readonly namespace: string;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** undefined for a headless service (clusterIP: None). */
  readonly clusterIP?: Ipv4;
  readonly ports: readonly ServicePort[];
  /** undefined = no selector (endpoints managed by hand: see `endpoints`). */
  readonly selector?: Readonly<Record<string, string>>;
  /** A selector-less Service's backends, from its EndpointSlices. */
  readonly endpoints?: readonly SliceBackend[];
  readonly pos: Position;
}

/** One ready address of an EndpointSlice with its ports by name (the Service port's name, '' if unnamed). */
export interface SliceBackend {
  readonly ip: Ipv4;
  readonly ports: Readonly<Record<string, { readonly port: number; readonly protocol: 'TCP' | 'UDP' | 'SCTP' }>>;
  readonly pos: Position;
}

/** A CiliumIdentity: its number and `security-labels` (`k8s:app=web`). */
export interface CiliumIdentitySpec {
  readonly id: number;
  readonly labels: readonly string[];
  readonly pos: Position;
}

/** Something the loader read and goes on with, said once on stderr (a position when it has one). */
export interface LoadWarning {
  readonly pos?: Position;
  readonly message: string;
}

/** A pod without a Cilium endpoint (not scheduled, no IP yet, finished): skipped, with why. */
export interface SkippedPod {
  readonly id: string;
  /** `Succeeded`, `Pending: not scheduled`, …. */
  readonly why: string;
  /** The address a finished pod had (another, running pod may own it now). */
  readonly ip?: Ipv4;
  readonly pos: Position;
}

/**
 * cilium.io/v2 CiliumEgressGatewayPolicy (v1.13.0 pkg/egressgateway/policy.go ParseCEGP):
 * selected pods' traffic to destinationCIDRs leaves through a gateway node, SNATed to the
 * egress IP. Loaded into cilium_egress_gw_policy_v4; the gateway itself is not simulated.
 */
export interface EgressGatewaySpec {
  readonly name: string;
  /** One per `selectors[]` item: a pod selector and/or a namespace selector (ANDed). */
  readonly selectors: ReadonlyArray<{ readonly podSelector?: LabelSelector; readonly namespaceSelector?: LabelSelector }>;
  readonly destinationCIDRs: readonly Ipv4Prefix[];
  readonly nodeSelector?: LabelSelector;
  readonly egressIP?: Ipv4;
  readonly interface?: string;
  /** The node v1.13.0 elects as gateway (the last, by name, its nodeSelector matches); none if no Node object matches. */
  readonly gatewayNode?: string;
  readonly pos: Position;
}

/**
 * cilium.io/v2 CiliumLocalRedirectPolicy: traffic to a frontend (an address and ports, or a
 * Service's ClusterIP) goes to a pod on the client's own node. Its frontends are written into
 * the LB map as LocalRedirect services; where they lead is not simulated.
 */
export interface LocalRedirectSpec {
  readonly name: string;
  readonly namespace: string;
  readonly frontend:
    | { readonly kind: 'address'; readonly ip: Ipv4; readonly ports: ReadonlyArray<{ readonly port: number; readonly protocol: 'TCP' | 'UDP' | 'SCTP' }> }
    | { readonly kind: 'service'; readonly service: string; readonly namespace: string; readonly portNames: readonly string[] };
  readonly backendSelector: LabelSelector;
  readonly pos: Position;
}

/** A CiliumEnvoyConfig / CiliumClusterwideEnvoyConfig: the Services it sends to Envoy (L7 load-balancing). */
export interface EnvoyConfigSpec {
  readonly kind: 'CiliumEnvoyConfig' | 'CiliumClusterwideEnvoyConfig';
  readonly name: string;
  readonly namespace: string | null;
  readonly services: ReadonlyArray<{ readonly name: string; readonly namespace: string }>;
  readonly pos: Position;
}

/** A Kubernetes object the loader read but does not model; listed once, never silently dropped. */
export interface SkippedObject {
  readonly kind: string;
  readonly name: string;
  readonly pos: Position;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly file: string; // as shown in messages and provenance (never absolute for shipped files)
  readonly cluster: ClusterSettings;
  readonly nodes: readonly NodeSpec[];
  readonly pods: readonly PodSpec[];
  readonly policies: readonly PolicySpec[];
  readonly namespaces: readonly NamespaceSpec[];
  readonly services: readonly ServiceSpec[];
  readonly skipped: readonly SkippedObject[];
  /** Pods without a Cilium endpoint, skipped with why (one note says so). */
  readonly skippedPods: readonly SkippedPod[];
  /**
   * What was read but is not simulated, ignored as the API server would, or taken with a
   * caveat (cilium-config values, stale Cilium objects): `file:line:col: warning: …` each.
   */
  readonly warnings: readonly LoadWarning[];
  /** IPv6 addresses set aside (the traces are IPv4), for one note. */
  readonly ipv6Ignored: ReadonlyArray<{ readonly what: string; readonly pos: Position }>;
  readonly egressGateways: readonly EgressGatewaySpec[];
  readonly localRedirects: readonly LocalRedirectSpec[];
  readonly envoyConfigs: readonly EnvoyConfigSpec[];
  /** The `expect:` lists of the Scenario documents, in input order: used by `check` only. */
  readonly expectations: readonly Expectation[];
  /** The `dns:` sections of the Scenario documents: the answers the DNS server gives. */
  readonly dns?: readonly DnsAnswer[];
  /**
   * Answers the nodes' DNS proxies have forwarded (set by a trace's lookup leg, never read
   * from input): the toFQDNs selectors select their addresses. Empty: no lookup seen yet.
   */
  readonly fqdnLearned?: readonly FqdnLearned[];
  /** Workload objects (controllers) of the input, for naming pods by workload. */
  readonly workloads?: readonly WorkloadSpec[];
  /** Files and documents passed over (dotfiles, Chart.yaml, YAML without a kind). */
  readonly ignoredInputs?: readonly IgnoredInput[];
  /** CiliumIdentity objects: computed label sets that match one take its number. */
  readonly ciliumIdentities?: readonly CiliumIdentitySpec[];
  /** The `cilium sysdump`s the input came from (-f a zip or its directory): their nodes' map dumps. */
  readonly sysdumps?: readonly Sysdump[];
}
