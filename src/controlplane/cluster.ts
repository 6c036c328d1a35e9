// The simulated control plane: scenario in, per-node maps, devices and loaded programs out.
// It does, for every node, what the v1.13 agent does: allocate identities, upsert the
// ipcache (pkg/datapath/ipcache/listener.go, pkg/node/manager), write the endpoints map
// (lxcmap.WriteEndpoint), the tunnel map (pkg/datapath/linux/node.go), each endpoint's
// policy map (regeneration) and the loader's programs and prog arrays.
import { HOST_ID, REMOTE_NODE_ID, WORLD_ID } from '../cilium/identities.js';
import { ENDPOINT_F_HOST, LxcMap } from '../maps/lxcmap.js';
import { PolicyMap } from '../maps/policymap.js';
import { policyMapName } from '../cilium/releases/map-names.js';
import { TunnelMap } from '../maps/tunnel.js';
import { CT_MAP_ANY, CT_MAP_TCP, CtMap } from '../maps/ctmap.js';
import type { ProgArray, ProgramRef } from '../maps/callmap.js';
import type { Provenance } from '../maps/provenance.js';
import { formatPrefix, IP_ZERO, maskOf, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
import { nodePortOf, socketLbOf, type DeviceSpec, type NamespaceSpec, type NodeSpec, type PodSpec, type ProgramPin, type Scenario } from '../scenario/types.js';
import { LazyMap } from '../util/lazy-map.js';
import { SharedIpcache, type IpcacheWrite } from './node-ipcache.js';
import { releaseOfProfile, type CiliumRelease } from '../cilium/releases/release.js';
import type { ClusterDatapath, DatapathConfig, Device, DeviceKind, NodeDatapath, PodNetns } from '../node-state/node.js';
import { NfConntrack } from '../node-state/nf-conntrack.js';
import { InputError } from '../errors.js';
import { IdentityRegistry, type Identity } from './identity.js';
import { allocateFqdnIdentities, fqdnProvenance, type FqdnIdentity, type FqdnLearned } from './fqdn.js';
import { allocateNodeIdentities, NODE_ID_NUMBERING } from './node-identity.js';
import { labelFilter, labelsKey, namespaceLabels, parseLabel, podSecurityLabels, sortLabels, type Label, type LabelFilter } from './labels.js';
import { NamedPorts } from './named-ports.js';
import { PolicyResolver, type ResolvedPolicy } from './policy.js';
import { ParseProblems, parsePolicies, type ParsedRule } from './policy-rules.js';
import { SelectorCache } from './selector-cache.js';
import { lbMapsOf } from './services.js';
import { hostRoutes } from './routes.js';
import type { LbMaps } from '../maps/lbmap.js';
import { NatMap } from '../maps/natmap.js';
import type { EgressGwMap } from '../maps/egressmap.js';
import { egressGatewayMap } from './egress-gateway.js';
import { proxyPortOf } from './l7.js';
import { loadSockPrograms, ProgIdAllocator, hostCallsMapName, loadHostObject, loadLxcObject, loadNetdevObject, loadOverlayObject, lxcCallsMapName, netdevCallsMapName, newCallPolicyArray, newEgressCallPolicyArray, type LoaderFeatures } from './loader.js';

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
  /** Identities of addresses from DNS answers a DNS proxy saw (scenario.fqdnLearned). */
  readonly fqdnIdentities: readonly FqdnIdentity[];
  /** The policy repository: parsed rules, selector cache, per-identity resolution. */
  readonly policy: PolicyResolver;
  readonly datapath: ClusterDatapath;
  /** Some nodes read a sysdump's map dumps instead of the computed maps (src/sysdump/real-maps.ts). */
  readonly mapsFromSysdump?: boolean;
}

/** An endpoint whose policy is resolved on first read (a class: 100,000s are made). */
class Endpoint implements EndpointRecord {
  readonly #ident: Identity;
  readonly #resolver: PolicyResolver;
  #policy: ResolvedPolicy | undefined;

  constructor(
    readonly pod: PodSpec,
    readonly identity: number,
    readonly node: NodeSpec,
    ident: Identity,
    resolver: PolicyResolver,
  ) {
    this.#ident = ident;
    this.#resolver = resolver;
  }

  get policy(): ResolvedPolicy {
    this.#policy ??= this.#resolver.resolve(this.#ident, this.pod);
    return this.#policy;
  }
}

const podProv = (p: PodSpec): Provenance => ({ kind: 'pod', what: `pod ${p.namespace}/${p.name}`, pos: p.pos });
const nodeProv = (n: NodeSpec, what: string): Provenance => ({ kind: 'node', what: `node ${n.name}: ${what}`, pos: n.pos });

export function buildCluster(scenario: Scenario): Cluster {
  const c = scenario.cluster;
  const identities = new IdentityRegistry(c.clusterId ?? 0, releaseOfProfile(c.profile).has('cidr-single-label'));
  const pods = scenario.pods.filter((p) => !p.hostNetwork);
  const podLabels = securityLabels(scenario, pods, labelFilter(c.labelPrefixes));
  // A CiliumIdentity pins the number of the label set it lists (the allocator gives one set one number).
  const ciliumIds = new Map((scenario.ciliumIdentities ?? []).map((i) => [labelsKey(sortLabels(i.labels.map(parseLabel))), i.id] as const));
  // Pods of one Deployment share one label array: ask once for each (pinned ones always).
  const requests = new Map<readonly Label[] | PodSpec, { labels: readonly Label[]; pinned: number | undefined }>();
  pods.forEach((p, i) => {
    const labels = podLabels[i] ?? [];
    if (p.identity !== undefined) requests.set(p, { labels, pinned: p.identity });
    else if (!requests.has(labels)) requests.set(labels, { labels, pinned: ciliumIds.size > 0 ? ciliumIds.get(labelsKey(labels)) : undefined });
  });
  identities.allocateAll([...requests.values()]);

  const release = releaseOfProfile(c.profile);
  // Before the selector cache is made: fromNodes/toNodes selectors select these.
  const nodeIdentities = allocateNodeIdentities(release, scenario, identities);
  const problems = new ParseProblems();
  const learned = scenario.fqdnLearned ?? [];
  const rules = parsePolicies(scenario.policies, { clusterName: c.name, profile: c.profile, nodeSelectorLabels: c.nodeSelectorLabels === true, ...(learned.length > 0 ? { fqdnLearned: learned } : {}) }, problems);
  if (problems.list.length > 0) throw new InputError(problems.list);
  const cidrIdentities = allocateCidrIdentities(identities, rules);
  const fqdnIdentities = allocateFqdnIdentities(identities, rules, learned, release, cidrIdentities);
  const servicesWithSelector = new Set(scenario.services.filter((s) => s.selector).map((s) => `${s.namespace}/${s.name}`));
  const resolver = new PolicyResolver(rules, new SelectorCache(identities.all()), { mode: c.policyEnforcement, profile: c.profile, namedPorts: new NamedPorts(scenario.pods), servicesWithSelector });

  const nodeByName = new Map(scenario.nodes.map((n) => [n.name, n] as const));
  // Each endpoint's policy is resolved when something first asks for it (a trace, a map
  // dump, validate): the result does not depend on the order, only on the identity.
  const endpoints: EndpointRecord[] = pods.map((pod, i) => {
    const identity = identities.idOf(podLabels[i] ?? []) ?? 0;
    const ident = identities.get(identity);
    if (!ident) throw new Error(`identity ${identity} of ${pod.name} missing`);
    return new Endpoint(pod, identity, nodeByName.get(pod.node) as NodeSpec, ident, resolver);
  });
  const hostNetworkPods: HostNetworkPod[] = scenario.pods.filter((p) => p.hostNetwork).map((pod) => ({ pod, node: nodeByName.get(pod.node) as NodeSpec }));
  // Every node's agent writes the Services' frontends, its own NodePort addresses among them.
  const lbOf = lbMapsOf(scenario);
  const ipcache = new SharedIpcache(ipcacheWrites(scenario, cidrIdentities, release, nodeIdentities, fqdnIdentities, learned), endpoints, (e) => podProv(e.pod), release);
  const localEndpoints = new Map<string, EndpointRecord[]>();
  for (const e of endpoints) {
    const list = localEndpoints.get(e.node.name);
    if (list) list.push(e);
    else localEndpoints.set(e.node.name, [e]);
  }
  // Nodes are built on first use (a trace touches two or three of them).
  const names = [...scenario.nodes].sort((a, b) => (a.name < b.name ? -1 : 1)).map((n) => n.name);
  const egressEndpoints = () => endpoints.map((e) => ({ ip: e.pod.ip, labels: identities.get(e.identity)?.labels ?? [] }));
  const nodes = new LazyMap<string, NodeDatapath>(names, (name) => {
    const node = nodeByName.get(name) as NodeSpec;
    const egressGw = scenario.egressGateways.length > 0 ? egressGatewayMap(scenario, node, egressEndpoints(), release) : undefined;
    // Entries for an answer's identities only where that node's agent saw the answer.
    const unlearned = new Set(fqdnIdentities.filter((f) => f.learnedOnly && !f.nodes.includes(name)).map((f) => f.identity));
    return buildNode(release, scenario, node, localEndpoints.get(name) ?? [], ipcache, lbOf(node), egressGw, unlearned);
  });
  const nodeByIp = new Map(scenario.nodes.map((n) => [n.ip as number, n.name] as const));
  return { scenario, identities, endpoints, hostNetworkPods, cidrIdentities, fqdnIdentities, policy: resolver, datapath: { release, nodes, nodeByIp } };
}

/**
 * Every pod's security labels. Pods of one Deployment share their labels, namespace and
 * service account, so each distinct combination is computed once (and shares one array).
 */
function securityLabels(scenario: Scenario, pods: readonly PodSpec[], filter: LabelFilter): Array<readonly Label[]> {
  const nsByName = new Map<string, NamespaceSpec[]>();
  for (const ns of scenario.namespaces) if (!nsByName.has(ns.name)) nsByName.set(ns.name, [ns]);
  const nsLabels = new Map<string, Record<string, string>>();
  const bySignature = new Map<string, readonly Label[]>();
  // The loader shares one labels object between the pods of a Deployment: look those up first.
  const byObject = new Map<object, { ns: string; sa: string; labels: readonly Label[] }>();
  const out: Array<readonly Label[]> = [];
  const fromCep = new Map<string, readonly Label[]>();
  for (const p of pods) {
    if (p.securityLabels) {
      // The CiliumEndpoint's identity labels are what the agent computed: they win.
      const k = p.securityLabels.join(';');
      let labels = fromCep.get(k);
      if (!labels) fromCep.set(k, (labels = sortLabels(p.securityLabels.map(parseLabel))));
      out.push(labels);
      continue;
    }
    const known = byObject.get(p.labels);
    if (known && known.ns === p.namespace && known.sa === p.serviceAccount) {
      out.push(known.labels);
      continue;
    }
    // Labels in insertion order, as JSON (one flat string; names hold no NUL).
    const sig = `${p.namespace}\u0000${p.serviceAccount}\u0000${JSON.stringify(p.labels)}`;
    let labels = bySignature.get(sig);
    if (!labels) {
      let ns = nsLabels.get(p.namespace);
      if (!ns) nsLabels.set(p.namespace, (ns = namespaceLabels(nsByName.get(p.namespace) ?? [], p.namespace)));
      labels = podSecurityLabels(p, scenario.cluster.name, ns, filter);
      bySignature.set(sig, labels);
    }
    byObject.set(p.labels, { ns: p.namespace, sa: p.serviceAccount, labels });
    out.push(labels);
  }
  return out;
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

/**
 * The ipcache upserts of every agent, in the agent's order: reserved:world, policy CIDRs,
 * every node's addresses; then every endpoint (SharedIpcache writes those). An entry of a
 * node's own address or endpoint is written differently by that node (identity host, no
 * tunnel endpoint).
 */
function* ipcacheWrites(scenario: Scenario, cidrs: readonly CidrIdentity[], release: CiliumRelease, nodeIdentities: ReadonlyMap<string, number>, fqdn: readonly FqdnIdentity[], learned: readonly FqdnLearned[]): Generator<IpcacheWrite> {
  const host = (ip: Ipv4) => ({ addr: ip, len: 32 });
  yield { owner: undefined, remote: { prefix: { addr: IP_ZERO, len: 0 }, info: { secLabel: WORLD_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: { kind: 'reserved', what: 'reserved:world (0.0.0.0/0 upserted at agent start)' } } };
  // Policy CIDRs have the lowest source precedence (generated): pods and nodes keep their /32s.
  for (const ci of cidrs) {
    yield { owner: undefined, remote: { prefix: ci.prefix, info: { secLabel: ci.identity, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: { kind: 'policy', what: `CIDR identity ${ci.identity} for ${formatPrefix(ci.prefix)} (${ci.rules.join('; ')})` } } };
  }
  // ipcache.UpsertGeneratedIdentities (v1.13.0) / the metadata upsert (v1.16+) of the answers'
  // addresses, by the agents that saw them only.
  for (const f of fqdn) {
    const entry = { prefix: { addr: f.ip, len: 32 }, info: { secLabel: f.identity, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: { kind: 'agent' as const, what: fqdnProvenance(f, learned, release) } };
    yield { owner: f.nodes[0], remote: entry, local: () => entry, onlyOn: f.nodes };
  }
  for (const n of scenario.nodes) {
    // enable-node-selector-labels (v1.16+): the node's own identity on every other node (node-identity.ts).
    const nodeId = nodeIdentities.get(n.name);
    const remoteId = nodeId ?? REMOTE_NODE_ID;
    const ipProv = nodeProv(n, nodeId === undefined ? 'InternalIP' : `InternalIP (node identity ${nodeId}, ${NODE_ID_NUMBERING})`);
    yield {
      owner: n.name,
      remote: { prefix: host(n.ip), info: { secLabel: remoteId, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: ipProv },
      local: () => ({ prefix: host(n.ip), info: { secLabel: HOST_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: ipProv }),
    };
    const hostProv = nodeProv(n, nodeId === undefined ? 'CiliumInternalIP (cilium_host)' : `CiliumInternalIP (cilium_host, node identity ${nodeId}, ${NODE_ID_NUMBERING})`);
    yield {
      owner: n.name,
      remote: { prefix: host(n.ciliumHostIp), info: { secLabel: remoteId, tunnelEndpoint: n.ip, key: 0, nodeId: n.nodeId }, provenance: hostProv },
      local: () => ({ prefix: host(n.ciliumHostIp), info: { secLabel: HOST_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, provenance: hostProv }),
    };
    // v1.18: "Add the remote node's Pod CIDRs as fallback entries into IPCache with the nodeIP
    // as the tunnel endpoint" (pkg/node/manager/manager.go@v1.18.3:770-787): labels
    // reserved:world (worldLabelForPrefix; IPv4-only, so identity 2), TunnelPeer nodeIP, the
    // node's encryption key; not on the node itself (!n.IsLocal()). This replaces the tunnel map.
    // Written in native routing too: the listener sets the tunnel endpoint whenever the underlay
    // is IPv4 (pkg/datapath/ipcache/listener.go@v1.18.3:123-143; a disabled tunnel config keeps
    // underlay IPv4, pkg/datapath/tunnel/tunnel.go:71-79); bpf_lxc reads it only in TUNNEL_MODE.
    if (release.has('no-tunnel-map')) {
      for (const cidr of [n.podCIDR, ...(n.extraPodCIDRs ?? [])]) {
        const prov = nodeProv(n, `pod CIDR ${formatPrefix(cidr)} (tunnel endpoint fallback)`);
        yield { owner: n.name, remote: { prefix: cidr, info: { secLabel: WORLD_ID, tunnelEndpoint: n.ip, key: 0, nodeId: 0 }, provenance: prov }, local: () => null };
      }
    }
  }
}

/**
 * Native routing with masquerading needs --ipv4-native-routing-cidr (pkg/option/config.go:3522-3531);
 * the scenario has no such field, so the smallest prefix holding every node's pod CIDR stands in.
 */
function coveringPrefix(cidrs: readonly Ipv4Prefix[]): Ipv4Prefix {
  let len = Math.min(...cidrs.map((c) => c.len));
  const first = cidrs[0]?.addr ?? 0;
  while (len > 0 && cidrs.some((c) => ((c.addr ^ first) & maskOf(len)) !== 0)) len--;
  return { addr: ((first & maskOf(len)) >>> 0) as Ipv4, len };
}

function buildNode(release: CiliumRelease, scenario: Scenario, n: NodeSpec, localEndpoints: readonly EndpointRecord[], ipcache: SharedIpcache<EndpointRecord>, lb: LbMaps, egressGw: EgressGwMap | undefined, unlearned: ReadonlySet<number> = new Set()): NodeDatapath {
  const c = scenario.cluster;
  const tunnelMode = c.routing === 'tunnel';
  const features: LoaderFeatures = { perPacketLb: !socketLbOf(c), nodePort: nodePortOf(c), arpResponder: true };
  const config: DatapathConfig = {
    tunnelMode,
    tunnelProtocol: c.tunnelProtocol,
    tunnelPort: c.tunnelPort,
    enableHostRouting: c.bpfHostRouting,
    // config.go:897-906: with BPF host routing the direct routing device is the native device,
    // and with a single device (every node here has one) ENABLE_SKIP_FIB.
    directRoutingDevIfindex: c.bpfHostRouting ? n.device.ifindex : 0,
    enableSkipFib: c.bpfHostRouting,
    enablePerPacketLb: features.perPacketLb,
    enableNodePort: features.nodePort,
    enableSocketLb: socketLbOf(c),
    masquerade: c.masquerade,
    enableArpResponder: features.arpResponder,
    enableIcmpRule: true,
    ...(egressGw ? { enableEgressGateway: true } : {}),
    ipv4Mask: maskOf(n.podCIDR.len),
    ...(tunnelMode ? {} : { ipv4NativeRoutingCidr: c.nativeRoutingCidr ? { prefix: c.nativeRoutingCidr, derived: false } : { prefix: coveringPrefix(scenario.nodes.flatMap((x) => [x.podCIDR, ...(x.extraPodCIDRs ?? [])])), derived: true } }),
    routerIp: n.ciliumHostIp,
    nodeIp: n.ip,
    hostIfindex: n.ciliumHost.ifindex,
    encapIfindex: n.tunnelDevice.ifindex,
    deviceMtu: c.mtu,
    routeMtu: tunnelMode ? c.mtu - TUNNEL_OVERHEAD : c.mtu,
    hostEpId: n.hostEndpointId,
  };

  const lxc = new LxcMap(release);
  for (const ip of [n.ip, n.ciliumHostIp]) {
    lxc.upsert({ ip, info: { ifindex: 0, lxcId: 0, flags: ENDPOINT_F_HOST, mac: undefined, nodeMac: undefined }, provenance: nodeProv(n, 'local host address') });
  }
  const tunnel = new TunnelMap(release);
  // pkg/datapath/linux/node.go writes each remote pod CIDR; v1.18 has no tunnel map.
  if (tunnelMode && tunnel.exists) {
    for (const other of scenario.nodes) {
      if (other.name !== n.name) tunnel.upsert({ prefixBase: other.podCIDR.addr, endpoint: other.ip, key: 0, nodeId: other.nodeId, provenance: nodeProv(other, `pod CIDR ${other.podCIDR.addr}`) });
    }
  }

  const ids = new ProgIdAllocator(1000 + n.hostEndpointId % 500);
  const usePins = c.declaredProfile === undefined || c.declaredProfile === c.profile;
  const progArrays = new Map<string, ProgArray>();
  const devices = new Map<number, Device>();
  const callPolicy = newCallPolicyArray();
  progArrays.set(callPolicy.name, callPolicy);
  const egressCallPolicy = release.has('policy-prog-cil-lxc') ? newEgressCallPolicyArray() : undefined;
  if (egressCallPolicy) progArrays.set(egressCallPolicy.name, egressCallPolicy);

  const host = loadHostObject(release, { kind: 'host', hostEpId: n.hostEndpointId, ifindex: n.ciliumHost.ifindex, device: 'cilium_host', callsMap: hostCallsMapName(n.hostEndpointId) }, features, ids);
  progArrays.set(host.calls.name, host.calls);
  devices.set(n.ciliumHost.ifindex, device(n.ciliumHost, 'cilium_host', host.entry['to-host'], host.entry['from-host'], usePins));
  const net = loadNetdevObject(release, { kind: 'host', hostEpId: n.hostEndpointId, ifindex: n.ciliumNet.ifindex, device: 'cilium_net', callsMap: netdevCallsMapName(n.ciliumNet.ifindex) }, 'cilium_net', features, ids);
  progArrays.set(net.calls.name, net.calls);
  devices.set(n.ciliumNet.ifindex, device(n.ciliumNet, 'cilium_net', net.entry['to-host'], undefined, usePins));
  // Native devices get bpf_host only when a feature needs them (AreDevicesRequired): here NodePort.
  // From v1.16 the loader attaches cil_from_netdev to every detected device and cil_to_netdev
  // only when AreDevicesRequired (pkg/datapath/loader/loader.go@v1.16.15:401-424).
  if (features.nodePort || release.has('from-netdev-always')) {
    const dev = loadNetdevObject(release, { kind: 'host', hostEpId: n.hostEndpointId, ifindex: n.device.ifindex, device: n.device.name, callsMap: netdevCallsMapName(n.device.ifindex) }, 'native', features, ids);
    progArrays.set(dev.calls.name, dev.calls);
    devices.set(n.device.ifindex, device(n.device, 'native', dev.entry['from-netdev'], features.nodePort ? dev.entry['to-netdev'] : undefined, usePins));
  } else {
    devices.set(n.device.ifindex, device(n.device, 'native', undefined, undefined, usePins));
  }
  if (tunnelMode) {
    const ov = loadOverlayObject(release, features, ids);
    progArrays.set(ov.calls.name, ov.calls);
    devices.set(n.tunnelDevice.ifindex, device(n.tunnelDevice, 'tunnel', ov.entry['from-overlay'], ov.entry['to-overlay'], usePins));
  }

  // Each endpoint's policy map is filled when first read (resolving its policy then).
  const policyOf = new Map<string, EndpointRecord>();
  const policy = new LazyMap<string, PolicyMap>(
    [...localEndpoints].sort((a, b) => a.pod.endpointId - b.pod.endpointId).map((ep) => {
      const name = policyMapName(release, ep.pod.endpointId);
      policyOf.set(name, ep);
      return name;
    }),
    (name) => {
      const ep = policyOf.get(name) as EndpointRecord;
      const pm = new PolicyMap(ep.pod.endpointId, releaseOfProfile(c.profile));
      for (const d of ep.policy.entries) {
        if (unlearned.has(d.key.identity)) continue; // an answer another node's agent saw
        // addNewRedirectsFromDesiredPolicy: the placeholder becomes the listener's port on this node.
        if (d.redirect) pm.set(d.key, { proxyPort: proxyPortOf(n.name, d.redirect.listener), deny: d.deny, packets: 0, bytes: 0, provenance: d.provenance, redirect: d.redirect });
        else pm.set(d.key, { proxyPort: 0, deny: d.deny, packets: 0, bytes: 0, provenance: d.provenance });
      }
      pm.pending = ep.policy.pending;
      return pm;
    },
  );
  const netns = new Map<number, PodNetns>();
  const local = [...localEndpoints].sort((a, b) => a.pod.endpointId - b.pod.endpointId);
  for (const ep of local) {
    const p = ep.pod;
    lxc.upsert({ ip: p.ip, info: { ifindex: p.hostVeth.ifindex, lxcId: p.endpointId, flags: 0, mac: p.mac, nodeMac: p.hostVeth.mac, secId: ep.identity }, provenance: podProv(p) });
    // POLICY_VERDICT_LOG_FILTER as pkg/endpoint/bpf.go GetPolicyVerdictLogFilter sets it: a bit per enforced direction.
    const policyVerdictLogFilter = (ep.policy.ingressEnforced ? 0x1 : 0) | (ep.policy.egressEnforced ? 0x2 : 0);
    const obj = loadLxcObject(release, { kind: 'lxc', lxcId: p.endpointId, seclabel: ep.identity, lxcIpv4: p.ip, ifindex: p.hostVeth.ifindex, callsMap: lxcCallsMapName(p.endpointId), policyMap: policyMapName(release, p.endpointId), policyVerdictLogFilter }, features, ids);
    progArrays.set(obj.calls.name, obj.calls);
    callPolicy.set(p.endpointId, obj.handlePolicy);
    if (obj.egressPolicy) egressCallPolicy?.set(p.endpointId, obj.egressPolicy);
    devices.set(p.hostVeth.ifindex, device(p.hostVeth, 'lxc', obj.entry['from-container'], undefined, usePins));
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
    maps: { ipcache: ipcache.forNode(n.name), lxc, tunnel, policy, progArrays, ctTcp: new CtMap(CT_MAP_TCP), ctAny: new CtMap(CT_MAP_ANY), lb, nat: new NatMap(), nfConntrack: new NfConntrack(), ...(egressGw ? { egressGw } : {}) },
    cgroup: socketLbOf(c) ? loadSockPrograms(ids) : new Map(),
    hostRoutes: hostRoutes(scenario, n, config.routeMtu),
  };
}

/**
 * A device with the programs the loader attached to its tc hooks; ids/tags a real node showed
 * win, unless the trace runs another release than the input names (its programs, hence their
 * ids and tags, are not the ones that node showed).
 */
function device(spec: DeviceSpec, kind: DeviceKind, ingress: ProgramRef | undefined, egress: ProgramRef | undefined, usePins: boolean): Device {
  const pinned = (prog: ProgramRef | undefined, pin: ProgramPin | undefined): ProgramRef | undefined =>
    prog && pin && usePins ? { ...prog, progId: pin.id, tag: pin.tag } : prog;
  const i = pinned(ingress, spec.tcPins?.ingress);
  const e = pinned(egress, spec.tcPins?.egress);
  return { name: spec.name, ifindex: spec.ifindex, mac: spec.mac, kind, tc: { ...(i ? { ingress: i } : {}), ...(e ? { egress: e } : {}) } };
}
