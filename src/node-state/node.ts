// What the datapath may see of a node: its maps, its devices with their tc attachments,
// the pods' network namespaces (routes and neighbours the CNI set up), and the compile-time
// configuration (node_config.h). Built by the control plane's loader; read-only here.
// Shared by both sides of the wall: the control plane's loader writes it, the datapath and
// the renderers read it; it imports neither (nor the scenario).
import type { CiliumRelease } from '../cilium/releases/release.js';
import type { Ipv4, Ipv4Prefix } from '../net/ip.js';
import type { Mac } from '../net/mac.js';
import type { IpcacheMap } from '../maps/ipcache.js';
import type { LxcMap } from '../maps/lxcmap.js';
import type { PolicyMap } from '../maps/policymap.js';
import type { ProgArray, ProgramRef } from '../maps/callmap.js';
import type { TunnelMap } from '../maps/tunnel.js';
import type { CtMap } from '../maps/ctmap.js';
import type { LbMaps } from '../maps/lbmap.js';
import type { NatMap } from '../maps/natmap.js';
import type { NfConntrack } from './nf-conntrack.js';
import type { EgressGwMap } from '../maps/egressmap.js';

/** node_config.h and agent options that change which code runs. */
export interface DatapathConfig {
  readonly tunnelMode: boolean; // TUNNEL_MODE
  readonly tunnelProtocol: 'vxlan' | 'geneve';
  readonly tunnelPort: number; // TUNNEL_PORT
  readonly enableHostRouting: boolean; // ENABLE_HOST_ROUTING (BPF host routing)
  readonly directRoutingDevIfindex?: number; // DIRECT_ROUTING_DEV_IFINDEX (absent: not defined)
  readonly enableSkipFib?: boolean; // ENABLE_SKIP_FIB: BPF host routing with a single native device
  readonly enablePerPacketLb: boolean; // ENABLE_PER_PACKET_LB (socket LB not full)
  readonly enableNodePort: boolean; // ENABLE_NODEPORT (kube-proxy replacement)
  readonly enableSocketLb: boolean;
  readonly masquerade: 'iptables' | 'bpf' | 'none'; // ENABLE_MASQUERADE is 'bpf'
  readonly enableArpResponder: boolean;
  readonly enableIcmpRule: boolean;
  /** ENABLE_EGRESS_GATEWAY: the cluster has CiliumEgressGatewayPolicies (their map is cilium_egress_gw_policy_v4). */
  readonly enableEgressGateway?: boolean;
  readonly ipv4Mask: number; // IPV4_MASK, the local pod CIDR mask
  /**
   * --ipv4-native-routing-cidr; when unset IPV4_SNAT_EXCLUSION_DST_CIDR is the local pod CIDR
   * (pkg/datapath/config.go:121-128). `derived`: the scenario cannot set it, the control plane chose it.
   */
  readonly ipv4NativeRoutingCidr?: { readonly prefix: Ipv4Prefix; readonly derived: boolean };
  readonly routerIp: Ipv4; // cilium_host IP (IPV4_GATEWAY)
  readonly nodeIp: Ipv4; // IPV4_NODEPORT / the native device address
  readonly hostIfindex: number; // HOST_IFINDEX (cilium_host)
  readonly encapIfindex: number; // ENCAP_IFINDEX (cilium_vxlan / cilium_geneve)
  readonly deviceMtu: number;
  readonly routeMtu: number;
  readonly hostEpId: number;
}

export type DeviceKind = 'lxc' | 'cilium_host' | 'cilium_net' | 'tunnel' | 'native';

export interface Device {
  readonly name: string;
  readonly ifindex: number;
  readonly mac: Mac;
  readonly kind: DeviceKind;
  readonly tc: { readonly ingress?: ProgramRef; readonly egress?: ProgramRef };
}

/** A pod's network namespace as the CNI plugin configured it. */
export interface PodNetns {
  readonly display: string; // namespace/name, for the trace only
  readonly ip: Ipv4;
  readonly ifname: string; // eth0
  readonly mac: Mac;
  readonly gateway: Ipv4; // default via <cilium_host IP>
  readonly routeMtu: number;
  readonly deviceMtu: number;
  /** Neighbour entry for the gateway: the host-side veth MAC, answered by tail_handle_arp. */
  readonly gatewayMac: Mac;
  readonly hostIfindex: number; // host-side veth (peer)
}

export interface NodeMaps {
  readonly ipcache: IpcacheMap;
  readonly lxc: LxcMap;
  readonly tunnel: TunnelMap;
  readonly policy: ReadonlyMap<string, PolicyMap>; // by map name
  readonly progArrays: ReadonlyMap<string, ProgArray>; // by map name, incl. cilium_call_policy
  readonly ctTcp: CtMap;
  readonly ctAny: CtMap;
  /** cilium_lb4_services_v2, cilium_lb4_backends_v2, cilium_lb4_reverse_nat. */
  readonly lb: LbMaps;
  /** cilium_snat_v4_external (written by NodePort SNAT and BPF masquerading during a trace). */
  readonly nat: NatMap;
  /** Not a BPF map: the kernel's nf_conntrack NAT bindings of iptables masquerading, kept beside the CT maps. */
  readonly nfConntrack?: NfConntrack;
  /** cilium_egress_gw_policy_v4, with ENABLE_EGRESS_GATEWAY. */
  readonly egressGw?: EgressGwMap;
}

export interface NodeDatapath {
  readonly name: string;
  readonly ip: Ipv4;
  readonly config: DatapathConfig;
  readonly devices: ReadonlyMap<number, Device>;
  readonly netns: ReadonlyMap<number, PodNetns>; // by pod IP
  readonly maps: NodeMaps;
  /** bpf_sock programs attached at the cgroup v2 root, by attach type (connect4, sendmsg4, …). */
  readonly cgroup: ReadonlyMap<string, ProgramRef>;
  /** The host's routing table (main + local), longest prefix first. */
  readonly hostRoutes: readonly HostRoute[];
}

/** All nodes plus the underlay: which node owns which address on the wire. */
export interface ClusterDatapath {
  /** The release whose datapath the programs model (names, slots, formats, citations). */
  readonly release: CiliumRelease;
  readonly nodes: ReadonlyMap<string, NodeDatapath>;
  readonly nodeByIp: ReadonlyMap<number, string>;
}

export function deviceByName(node: NodeDatapath, name: string): Device | undefined {
  for (const d of node.devices.values()) if (d.name === name) return d;
  return undefined;
}

/** A route of the node's main table, as `ip route` shows what the agent and system set up. */
export interface HostRoute {
  readonly dst: Ipv4Prefix;
  readonly dev: string;
  readonly via?: Ipv4;
  readonly src?: Ipv4;
  readonly mtu?: number;
  /** `local` routes deliver to this host. */
  readonly local?: boolean;
}

/**
 * The ELF object the loader compiled for a device (pkg/datapath/loader/loader.go at v1.13.0):
 * bpf_host.c becomes bpf_host.o for cilium_host, bpf_host_cilium_net.o for cilium_net and
 * bpf_netdev_<dev>.o for each native device; endpoints and the overlay keep their source's name.
 */
export function objectFile(device: Pick<Device, 'kind' | 'name'>, object: string, release?: CiliumRelease): string {
  // From v1.16 the loader compiles bpf_host.o once and patches each device's constants into
  // the loaded spec (patchHostNetdevDatapath, pkg/datapath/loader/loader.go@v1.16.15:354-373;
  // the bpf_netdev_ prefix of compile.go is no longer used).
  if (release?.has('host-object-patched')) return `${object}.o`;
  if (device.kind === 'cilium_net') return 'bpf_host_cilium_net.o';
  if (device.kind === 'native') return `bpf_netdev_${device.name}.o`;
  return `${object}.o`;
}
