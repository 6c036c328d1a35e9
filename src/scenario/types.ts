// The scenario model: a cluster as the control plane consumes it, after loading,
// validation and deterministic defaulting. Every object keeps the position of the YAML
// node it came from, so map entries can carry provenance and errors can point at input.
import type { Position } from '../errors.js';
import type { Ipv4, Ipv4Prefix } from '../net/ip.js';
import type { Mac } from '../net/mac.js';
import type { Expectation } from './expect-input.js';

export type CiliumProfile = '1.13';
export type RoutingMode = 'tunnel' | 'native';
export type TunnelProtocol = 'vxlan' | 'geneve';
export type EnforcementMode = 'default' | 'always' | 'never';

export interface ClusterSettings {
  readonly name: string; // cluster name, io.cilium.k8s.policy.cluster
  readonly profile: CiliumProfile;
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

/** One port of a toPorts entry, flattened. `port` 0 = any port; a string is a named port. */
export interface PortRule {
  readonly port: number | string;
  readonly endPort?: number; // port ranges (1.16 profile only)
  readonly protocol: L4Protocol;
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
  readonly entities?: readonly Entity[];
  /** fromCIDR / fromCIDRSet / toCIDR / toCIDRSet (fromCIDR entries have no except). */
  readonly cidrs?: readonly CidrRule[];
  /** toPorts flattened; undefined = any port/protocol (L3-only). */
  readonly ports?: readonly PortRule[];
  readonly icmps?: readonly IcmpRule[];
  readonly pos: Position;
}

/** One Cilium rule (api.Rule): a CNP's `spec` or one of its `specs`. */
export interface PolicyRule {
  readonly endpointSelector: LabelSelector;
  readonly ingress?: readonly PolicyRuleSection[];
  readonly egress?: readonly PolicyRuleSection[];
  readonly ingressDeny?: readonly PolicyRuleSection[];
  readonly egressDeny?: readonly PolicyRuleSection[];
  readonly pos: Position;
}

/** networking.k8s.io/v1 NetworkPolicy, as written; the control plane converts it as Cilium does. */
export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: CidrRule;
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
  /** The `expect:` lists of the Scenario documents, in input order: used by `check` only. */
  readonly expectations: readonly Expectation[];
  /** Workload objects (controllers) of the input, for naming pods by workload. */
  readonly workloads?: readonly WorkloadSpec[];
  /** Files and documents passed over (dotfiles, Chart.yaml, YAML without a kind). */
  readonly ignoredInputs?: readonly IgnoredInput[];
  /** CiliumIdentity objects: computed label sets that match one take its number. */
  readonly ciliumIdentities?: readonly CiliumIdentitySpec[];
  /** What the loader went on with but the user should know (cilium-config values, stale objects). */
  readonly warnings?: readonly LoadWarning[];
}
