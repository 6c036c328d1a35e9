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
import { formatPrefix, IP_ZERO, maskOf, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
import type { NodeSpec, PodSpec, Scenario } from '../scenario/types.js';
import type { ClusterDatapath, DatapathConfig, Device, NodeDatapath, PodNetns } from '../datapath/node.js';
import { InputError } from '../errors.js';
import { IdentityRegistry } from './identity.js';
import { namespaceLabels, podSecurityLabels } from './labels.js';
import { NamedPorts } from './named-ports.js';
import { PolicyResolver, type ResolvedPolicy } from './policy.js';
import { ParseProblems, parsePolicies, type ParsedRule } from './policy-rules.js';
import { SelectorCache } from './selector-cache.js';
import { fillLbMaps, serviceFrontends } from './services.js';
import { hostRoutes } from './routes.js';
import type { LbMaps } from '../maps/lbmap.js';
import { NatMap } from '../maps/natmap.js';
import { loadSockPrograms, ProgIdAllocator, hostCallsMapName, loadHostObject, loadLxcObject, loadNetdevObject, loadOverlayObject, lxcCallsMapName, netdevCallsMapName, newCallPolicyArray, type LoaderFeatures } from './loader.js';

/** Tunnel overhead of pkg/mtu/mtu.go: outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
export const TUNNEL_OVERHEAD = 50;

export interface EndpointRecord {
  readonly pod: PodSpec;
  readonly identity: number;
  readonly node: NodeSpec;
  /** The endpoint's policy: selecting rules, enforcement and desired map entries with provenance. */
  readonly policy: ResolvedPolicy;
}

/**
 * A hostNetwork pod: no endpoint, no policy map; it lives in its node's network namespace, so
 * its IP is the node's (identity host on that node, remote-node elsewhere).
 */
export interface HostNetworkPod {
  readonly pod: PodSpec;
  readonly node: NodeSpec;
}

/** A node-local CIDR identity allocated for a policy prefix and upserted into every ipcache. */
export interface CidrIdentity {
  readonly prefix: Ipv4Prefix;
  readonly identity: number;
  /** The rules that name the prefix (their CIDR peers resolve to it). */
  readonly rules: readonly string[];
}

export interface Cluster {
  readonly scenario: Scenario;
  readonly identities: IdentityRegistry;
  readonly endpoints: readonly EndpointRecord[];
  readonly hostNetworkPods: readonly HostNetworkPod[];
  readonly cidrIdentities: readonly CidrIdentity[];
  /** The policy repository: parsed rules, selector cache, per-identity resolution. */
  readonly policy: PolicyResolver;
  readonly datapath: ClusterDatapath;
}

const podProv = (p: PodSpec): Provenance => ({ kind: 'pod', what: `pod ${p.namespace}/${p.name}`, pos: p.pos });
const nodeProv = (n: NodeSpec, what: string): Provenance => ({ kind: 'node', what: `node ${n.name}: ${what}`, pos: n.pos });

export function buildCluster(scenario: Scenario): Cluster {
  const c = scenario.cluster;
  const identities = new IdentityRegistry();
  const pods = scenario.pods.filter((p) => !p.hostNetwork);
  const podLabels = new Map(pods.map((p) => [p, podSecurityLabels(p, c.name, namespaceLabels(scenario.namespaces, p.namespace))] as const));
  identities.allocateAll(pods.map((p) => ({ labels: podLabels.get(p) ?? [], pinned: p.identity })));

  const problems = new ParseProblems();
  const rules = parsePolicies(scenario.policies, { clusterName: c.name, profile: c.profile }, problems);
  if (problems.list.length > 0) throw new InputError(problems.list);
  const cidrIdentities = allocateCidrIdentities(identities, rules);
  const resolver = new PolicyResolver(rules, new SelectorCache(identities.all()), { mode: c.policyEnforcement, profile: c.profile, namedPorts: new NamedPorts(scenario.pods) });

  const nodeByName = new Map(scenario.nodes.map((n) => [n.name, n] as const));
  const endpoints: EndpointRecord[] = pods.map((pod) => {
    const identity = identities.idOf(podLabels.get(pod) ?? []) ?? 0;
    const ident = identities.get(identity);
    if (!ident) throw new Error(`identity ${identity} of ${pod.name} missing`);
    return { pod, identity, node: nodeByName.get(pod.node) as NodeSpec, policy: resolver.resolve(ident, pod) };
  });
  const hostNetworkPods: HostNetworkPod[] = scenario.pods.filter((p) => p.hostNetwork).map((pod) => ({ pod, node: nodeByName.get(pod.node) as NodeSpec }));
  const nodes = new Map<string, NodeDatapath>();
  // Services are cluster-wide: every node's agent writes the same LB maps.
  const lb = fillLbMaps(serviceFrontends(scenario));
  for (const n of [...scenario.nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    nodes.set(n.name, buildNode(scenario, n, endpoints, cidrIdentities, lb));
  }
  const nodeByIp = new Map(scenario.nodes.map((n) => [n.ip as number, n.name] as const));
  return { scenario, identities, endpoints, hostNetworkPods, cidrIdentities, policy: resolver, datapath: { nodes, nodeByIp } };
}

/** ipcache.AllocateCIDRs for every resultant prefix of every CIDR peer of every rule. */
function allocateCidrIdentities(identities: IdentityRegistry, rules: readonly ParsedRule[]): CidrIdentity[] {
  const byPrefix = new Map<string, { prefix: Ipv4Prefix; rules: Set<string> }>();
  for (const r of rules) {
    for (const p of r.cidrPrefixes) {
      const k = formatPrefix(p);
      const e = byPrefix.get(k) ?? { prefix: p, rules: new Set<string>() };
      e.rules.add(r.ref.label);
      byPrefix.set(k, e);
    }
  }
  const ids = identities.allocateCidrs([...byPrefix.values()].map((e) => e.prefix));
  return [...byPrefix.values()]
    .map((e) => ({ prefix: e.prefix, identity: ids.get(`${e.prefix.addr}/${e.prefix.len}`) ?? 0, rules: [...e.rules] }))
    .sort((a, b) => a.identity - b.identity);
}

function fillIpcache(scenario: Scenario, local: NodeSpec, endpoints: readonly EndpointRecord[], cidrs: readonly CidrIdentity[]): IpcacheMap {
  const m = new IpcacheMap();
  const host = (ip: Ipv4) => ({ addr: ip, len: 32 });
  m.upsert({ prefix: { addr: IP_ZERO, len: 0 }, info: { secLabel: WORLD_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: { kind: 'reserved', what: 'reserved:world (0.0.0.0/0 upserted at agent start)' } });
  // Policy CIDRs have the lowest source precedence (generated): pods and nodes keep their /32s.
  for (const ci of cidrs) {
    m.upsert({ prefix: ci.prefix, info: { secLabel: ci.identity, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: { kind: 'policy', what: `CIDR identity ${ci.identity} for ${formatPrefix(ci.prefix)} (${ci.rules.join('; ')})` } });
  }
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

function buildNode(scenario: Scenario, n: NodeSpec, endpoints: readonly EndpointRecord[], cidrs: readonly CidrIdentity[], lb: LbMaps): NodeDatapath {
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
    masquerade: c.masquerade,
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
    for (const d of ep.policy.entries) pm.set(d.key, { proxyPort: 0, deny: d.deny, packets: 0, bytes: 0, provenance: d.provenance });
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
    maps: { ipcache: fillIpcache(scenario, n, endpoints, cidrs), lxc, tunnel, policy, progArrays, ctTcp: new CtMap(CT_MAP_TCP), ctAny: new CtMap(CT_MAP_ANY), lb, nat: new NatMap() },
    cgroup: features.nodePort ? loadSockPrograms(ids) : new Map(),
    hostRoutes: hostRoutes(scenario, n, config.routeMtu),
  };
}
