// The scenario model: a cluster as the control plane consumes it, after loading,
// validation and deterministic defaulting. Every object keeps the position of the YAML
// node it came from, so map entries can carry provenance and errors can point at input.
import type { Position } from '../errors.js';
import type { Ipv4, Ipv4Prefix } from '../net/ip.js';
import type { Mac } from '../net/mac.js';

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
  readonly pos: Position;
}

export interface DeviceSpec {
  readonly name: string;
  readonly ifindex: number;
  readonly mac: Mac;
}

export interface NodeSpec {
  readonly name: string;
  readonly ip: Ipv4; // InternalIP, also the native device address
  readonly podCIDR: Ipv4Prefix;
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
  readonly endpointId: number;
  readonly mac: Mac; // pod eth0
  readonly hostVeth: DeviceSpec; // host side lxcXXXX
  readonly pos: Position;
}

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelector {
  /** Keys may carry a source prefix: `k8s:app`, `any:id`, `reserved:host`. */
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: ReadonlyArray<{ readonly key: string; readonly operator: SelectorOperator; readonly values: readonly string[] }>;
  readonly pos: Position;
}

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

export interface PortProtocol {
  readonly port: number; // 0 = any port
  readonly protocol: L4Protocol;
  readonly pos: Position;
}

export interface PolicyRuleSection {
  /** fromEndpoints (ingress) or toEndpoints (egress); undefined = no L3 peer given. */
  readonly peers?: readonly LabelSelector[];
  /** toPorts flattened; undefined = any port/protocol (L3-only). */
  readonly ports?: readonly PortProtocol[];
  readonly pos: Position;
}

export interface PolicySpec {
  readonly kind: 'CiliumNetworkPolicy';
  readonly name: string;
  readonly namespace: string;
  readonly endpointSelector: LabelSelector;
  readonly ingress?: readonly PolicyRuleSection[];
  readonly egress?: readonly PolicyRuleSection[];
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
}
