// The simulated control plane: scenario in, per-node maps, devices and loaded programs out.
// It does, for every node, what the v1.13 agent does: allocate identities, upsert the
// ipcache (pkg/datapath/ipcache/listener.go, pkg/node/manager), write the endpoints map
// (lxcmap.WriteEndpoint), the tunnel map (pkg/datapath/linux/node.go), each endpoint's
// policy map (regeneration) and the loader's programs and prog arrays.
import { HOST_ID, REMOTE_NODE_ID, WORLD_ID } from '../cilium/identities.js';
import { IpcacheMap } from '../maps/ipcache.js';
import { ENDPOINT_F_HOST, LxcMap } from '../maps/lxcmap.js';
import { PolicyMap, policyMapName } from '../maps/policymap.js';
import { TunnelMap } from '../maps/tunnel.js';
import { CT_MAP_ANY, CT_MAP_TCP, CtMap } from '../maps/ctmap.js';
import type { ProgArray } from '../maps/callmap.js';
import type { Provenance } from '../maps/provenance.js';
import { IP_ZERO, maskOf, type Ipv4 } from '../net/ip.js';
import type { NodeSpec, PodSpec, Scenario } from '../scenario/types.js';
import type { ClusterDatapath, DatapathConfig, Device, NodeDatapath, PodNetns } from '../datapath/node.js';
import { IdentityRegistry } from './identity.js';
import { podSecurityLabels } from './labels.js';
import { PolicyResolver, type ResolvedPolicy } from './policy.js';
import { ProgIdAllocator, hostCallsMapName, loadHostObject, loadLxcObject, loadNetdevObject, loadOverlayObject, lxcCallsMapName, netdevCallsMapName, newCallPolicyArray, type LoaderFeatures } from './loader.js';

/** Tunnel overhead of pkg/mtu/mtu.go: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
export const TUNNEL_OVERHEAD = 50;

export interface EndpointRecord {
  readonly pod: PodSpec;
  readonly identity: number;
  readonly node: NodeSpec;
  readonly policy: ResolvedPolicy;
}

export interface Cluster {
  readonly scenario: Scenario;
  readonly identities: IdentityRegistry;
  readonly endpoints: readonly EndpointRecord[];
  readonly datapath: ClusterDatapath;
}

const podProv = (p: PodSpec): Provenance => ({ kind: 'pod', what: `pod ${p.namespace}/${p.name}`, pos: p.pos });
const nodeProv = (n: NodeSpec, what: string): Provenance => ({ kind: 'node', what: `node ${n.name}: ${what}`, pos: n.pos });

export function buildCluster(scenario: Scenario): Cluster {
  const c = scenario.cluster;
  const identities = new IdentityRegistry();
  const podLabels = new Map(scenario.pods.map((p) => [p, podSecurityLabels(p, c.name)] as const));
  identities.allocateAll(scenario.pods.map((p) => ({ labels: podLabels.get(p) ?? [], pinned: p.identity })));
  const resolver = new PolicyResolver(scenario.policies, identities.all(), c.policyEnforcement);
  const nodeByName = new Map(scenario.nodes.map((n) => [n.name, n] as const));
  const endpoints: EndpointRecord[] = scenario.pods.map((pod) => {
    const identity = identities.idOf(podLabels.get(pod) ?? []) ?? 0;
    const ident = identities.get(identity);
    if (!ident) throw new Error(`identity ${identity} of ${pod.name} missing`);
    return { pod, identity, node: nodeByName.get(pod.node) as NodeSpec, policy: resolver.resolve(ident) };
  });
  const nodes = new Map<string, NodeDatapath>();
  for (const n of [...scenario.nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    nodes.set(n.name, buildNode(scenario, n, endpoints));
  }
  const nodeByIp = new Map(scenario.nodes.map((n) => [n.ip as number, n.name] as const));
  return { scenario, identities, endpoints, datapath: { nodes, nodeByIp } };
}

function fillIpcache(scenario: Scenario, local: NodeSpec, endpoints: readonly EndpointRecord[]): IpcacheMap {
  const m = new IpcacheMap();
  const host = (ip: Ipv4) => ({ addr: ip, len: 32 });
  m.upsert({ prefix: { addr: IP_ZERO, len: 0 }, info: { secLabel: WORLD_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: { kind: 'reserved', what: 'reserved:world (0.0.0.0/0 upserted at agent start)' } });
  for (const n of scenario.nodes) {
    const isLocal = n.name === local.name;
    m.upsert({ prefix: host(n.ip), info: { secLabel: isLocal ? HOST_ID : REMOTE_NODE_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: nodeProv(n, 'InternalIP') });
    m.upsert({
      prefix: host(n.ciliumHostIp),
      info: isLocal
        ? { secLabel: HOST_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }
        : { secLabel: REMOTE_NODE_ID, tunnelEndpoint: n.ip, key: 0, nodeId: n.nodeId },
      provenance: nodeProv(n, 'CiliumInternalIP (cilium_host)'),
    });
  }
  for (const ep of endpoints) {
    const isLocal = ep.node.name === local.name;
    m.upsert({
      prefix: host(ep.pod.ip),
      info: { secLabel: ep.identity, tunnelEndpoint: isLocal ? IP_ZERO : ep.node.ip, key: 0, nodeId: isLocal ? 0 : ep.node.nodeId },
      provenance: podProv(ep.pod),
    });
  }
  return m;
}

function buildNode(scenario: Scenario, n: NodeSpec, endpoints: readonly EndpointRecord[]): NodeDatapath {
  const c = scenario.cluster;
  const tunnelMode = c.routing === 'tunnel';
  const features: LoaderFeatures = { perPacketLb: !c.kubeProxyReplacement, nodePort: c.kubeProxyReplacement, arpResponder: true };
  const config: DatapathConfig = {
    tunnelMode,
    tunnelProtocol: c.tunnelProtocol,
    tunnelPort: c.tunnelPort,
    enableHostRouting: c.bpfHostRouting,
    enablePerPacketLb: features.perPacketLb,
    enableNodePort: features.nodePort,
    enableSocketLb: c.kubeProxyReplacement,
    enableArpResponder: features.arpResponder,
    enableIcmpRule: true,
    ipv4Mask: maskOf(n.podCIDR.len),
    routerIp: n.ciliumHostIp,
    nodeIp: n.ip,
    hostIfindex: n.ciliumHost.ifindex,
    encapIfindex: n.tunnelDevice.ifindex,
    deviceMtu: c.mtu,
    routeMtu: tunnelMode ? c.mtu - TUNNEL_OVERHEAD : c.mtu,
    hostEpId: n.hostEndpointId,
  };

  const lxc = new LxcMap();
  for (const ip of [n.ip, n.ciliumHostIp]) {
    lxc.upsert({ ip, info: { ifindex: 0, lxcId: 0, flags: ENDPOINT_F_HOST, mac: undefined, nodeMac: undefined }, provenance: nodeProv(n, 'local host address') });
  }
  const tunnel = new TunnelMap();
  if (tunnelMode) {
    for (const other of scenario.nodes) {
      if (other.name !== n.name) tunnel.upsert({ prefixBase: other.podCIDR.addr, endpoint: other.ip, key: 0, provenance: nodeProv(other, `pod CIDR ${other.podCIDR.addr}`) });
    }
  }

  const ids = new ProgIdAllocator(1000 + n.hostEndpointId % 500);
  const progArrays = new Map<string, ProgArray>();
  const devices = new Map<number, Device>();
  const callPolicy = newCallPolicyArray();
  progArrays.set(callPolicy.name, callPolicy);

  const host = loadHostObject({ kind: 'host', hostEpId: n.hostEndpointId, ifindex: n.ciliumHost.ifindex, device: 'cilium_host', callsMap: hostCallsMapName(n.hostEndpointId) }, features, ids);
  progArrays.set(host.calls.name, host.calls);
  devices.set(n.ciliumHost.ifindex, { ...n.ciliumHost, kind: 'cilium_host', tc: { ingress: host.entry['to-host'], egress: host.entry['from-host'] } });
  const net = loadNetdevObject({ kind: 'host', hostEpId: n.hostEndpointId, ifindex: n.ciliumNet.ifindex, device: 'cilium_net', callsMap: netdevCallsMapName(n.ciliumNet.ifindex) }, 'cilium_net', features, ids);
  progArrays.set(net.calls.name, net.calls);
  devices.set(n.ciliumNet.ifindex, { ...n.ciliumNet, kind: 'cilium_net', tc: { ingress: net.entry['to-host'] } });
  // Native devices get bpf_host only when a feature needs them (AreDevicesRequired): here NodePort.
  if (features.nodePort) {
    const dev = loadNetdevObject({ kind: 'host', hostEpId: n.hostEndpointId, ifindex: n.device.ifindex, device: n.device.name, callsMap: netdevCallsMapName(n.device.ifindex) }, 'native', features, ids);
    progArrays.set(dev.calls.name, dev.calls);
    devices.set(n.device.ifindex, { ...n.device, kind: 'native', tc: { ingress: dev.entry['from-netdev'], egress: dev.entry['to-netdev'] } });
  } else {
    devices.set(n.device.ifindex, { ...n.device, kind: 'native', tc: {} });
  }
  if (tunnelMode) {
    const ov = loadOverlayObject(features, ids);
    progArrays.set(ov.calls.name, ov.calls);
    devices.set(n.tunnelDevice.ifindex, { ...n.tunnelDevice, kind: 'tunnel', tc: { ingress: ov.entry['from-overlay'], egress: ov.entry['to-overlay'] } });
  }

  const policy = new Map<string, PolicyMap>();
  const netns = new Map<number, PodNetns>();
  const local = endpoints.filter((e) => e.node.name === n.name).sort((a, b) => a.pod.endpointId - b.pod.endpointId);
  for (const ep of local) {
    const p = ep.pod;
    lxc.upsert({ ip: p.ip, info: { ifindex: p.hostVeth.ifindex, lxcId: p.endpointId, flags: 0, mac: p.mac, nodeMac: p.hostVeth.mac }, provenance: podProv(p) });
    const pm = new PolicyMap(p.endpointId);
    for (const d of ep.policy.entries) {
      const existing = pm.lookup(d.key);
      pm.set(d.key, { proxyPort: 0, deny: false, packets: 0, bytes: 0, provenance: [...(existing?.provenance ?? []), d.provenance] });
    }
    policy.set(policyMapName(p.endpointId), pm);
    const obj = loadLxcObject({ kind: 'lxc', lxcId: p.endpointId, seclabel: ep.identity, lxcIpv4: p.ip, ifindex: p.hostVeth.ifindex, callsMap: lxcCallsMapName(p.endpointId), policyMap: pm.name }, features, ids);
    progArrays.set(obj.calls.name, obj.calls);
    callPolicy.set(p.endpointId, obj.handlePolicy);
    devices.set(p.hostVeth.ifindex, { ...p.hostVeth, kind: 'lxc', tc: { ingress: obj.entry['from-container'] } });
    netns.set(p.ip, {
      display: `${p.namespace}/${p.name}`, ip: p.ip, ifname: 'eth0', mac: p.mac, gateway: n.ciliumHostIp,
      routeMtu: config.routeMtu, deviceMtu: c.mtu, gatewayMac: p.hostVeth.mac, hostIfindex: p.hostVeth.ifindex,
    });
  }

  return {
    name: n.name,
    ip: n.ip,
    config,
    devices,
    netns,
    maps: { ipcache: fillIpcache(scenario, n, endpoints), lxc, tunnel, policy, progArrays, ctTcp: new CtMap(CT_MAP_TCP), ctAny: new CtMap(CT_MAP_ANY) },
  };
}
