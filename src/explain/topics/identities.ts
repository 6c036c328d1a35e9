// Reserved security identities of Cilium v1.13 (pkg/identity/numericidentity.go) and the
// identity ranges, in plain words. Numbers come from src/cilium/identities.ts.
import { LOCAL_IDENTITY_FLAG, MAX_CLUSTER_IDENTITY, MIN_CLUSTER_IDENTITY, RESERVED_IDENTITIES, type ReservedName } from '../../cilium/identities.js';
import type { Topic } from './types.js';

type I = readonly [what: string, when: string, next: string, aliases?: readonly string[]];

const SOURCE = ['pkg/identity/numericidentity.go', 'bpf/node_config.h (HOST_ID, WORLD_ID, …)'];

const RESERVED: Readonly<Record<ReservedName, I>> = {
  unknown: [
    "Identity 0: no identity. In a policy-map key it is the wildcard ('any peer').",
    "A policy entry with identity 0 matches every peer (L4-only rules, allow-all). An ipcache lookup that returns 0 is treated as world. `cilium bpf policy get` shows it as reserved:unknown. In cilium-trace, events sent before the identity is known (TRACE_FROM_LXC's destination, TRACE_FROM_OVERLAY in v1.13) carry 0 as well.",
    'In a policy map, check whether an identity-0 entry is what allows or denies the flow.',
    ['reserved:unknown', 'any'],
  ],
  host: [
    "Identity 1: the local node itself (its own addresses, host-network pods on this node).",
    "Each node's ipcache maps its own addresses to 1; other nodes see those addresses as remote-node (6). Host traffic entering bpf_host carries MARK_MAGIC_HOST and gets identity 1. In Kubernetes mode every endpoint allows ingress from 1, so kubelet health checks work. On the wire a node never sends 1 as VNI: it uses 6, and bpf_overlay drops VNI 1 (DROP_INVALID_IDENTITY).",
    "Check the node's own addresses in cilium-trace maps ipcache (identity=1) and the policy's fromEntities: host.",
    ['reserved:host', 'host_id'],
  ],
  world: [
    'Identity 2: anything outside the cluster, i.e. any address the ipcache knows only through 0.0.0.0/0.',
    'Destinations without a more specific ipcache entry are world for egress policy; fromEntities/toEntities world selects it. Policy CIDRs get their own local identities (which also carry reserved:world), so a CIDR rule matches a narrower set. bpf_overlay.o is compiled with SECLABEL 2, hence cilium_calls_overlay_2. v1.15 splits world into world-ipv4 (9) and world-ipv6 (10) in dual-stack clusters.',
    'cilium-trace maps ipcache shows the 0.0.0.0/0 entry; a pod address showing as world means its ipcache entry is missing.',
    ['reserved:world', 'world_id'],
  ],
  unmanaged: [
    'Identity 3: endpoints not managed by Cilium (pods running before Cilium took over the node).',
    'Selectable with fromEntities: unmanaged (part of the cluster entity).',
    'Restart such pods so Cilium manages them.',
    ['reserved:unmanaged'],
  ],
  health: [
    "Identity 4: Cilium's health-check endpoints (cilium-health, lxc_health).",
    'Each node runs a health endpoint whose IP is in the ipcache with identity 4; nodes probe each other through it.',
    'cilium-health status on a node.',
    ['reserved:health'],
  ],
  init: [
    'Identity 5: endpoints whose labels are not known yet (the first moments of a pod).',
    'Endpoints carrying reserved:init always have policy enforced; rules can select them with fromEntities: init to let them bootstrap (for example DNS).',
    "If traffic of a new pod is denied with identity 5, its labels were not resolved yet; check the endpoint (cilium endpoint list).",
    ['reserved:init'],
  ],
  'remote-node': [
    'Identity 6: the other nodes of the cluster (their addresses), and the identity a node uses for its own traffic on the wire.',
    "Each node's ipcache maps the other nodes' addresses to 6 (their cilium_host IPs with a tunnel endpoint). A node's own traffic into the tunnel uses LOCAL_NODE_ID = 6 as VNI; the receiver refines 6 by looking up the inner source address. A packet that arrives unencapsulated on a native device from another node's address is world (2) in v1.13.0, not 6: resolve_srcid_ipv4 keeps WORLD_ID for reserved ipcache identities (bpf_host.c:451-453; v1.13.1 changed it). fromEntities: remote-node (or host, depending on the agent's options) selects it.",
    'cilium-trace maps ipcache shows the remote nodes with identity=6.',
    ['reserved:remote-node', 'remote_node_id', 'local_node_id'],
  ],
  'kube-apiserver': [
    'Identity 7 (v1.13 and earlier): a remote node that runs the Kubernetes API server.',
    'Its labels are reserved:kube-apiserver plus reserved:remote-node, so it behaves like remote-node and is selectable as toEntities: kube-apiserver.',
    'Check the API server addresses in the ipcache.',
    ['reserved:kube-apiserver', 'kube_apiserver_node_id'],
  ],
  ingress: [
    "Identity 8 (v1.13 and earlier): the source address Cilium's Envoy-based Ingress uses toward backends.",
    'The ingress IPs are in the ipcache with identity 8; policies can allow it with fromEntities: ingress.',
    'Check the ipcache entry of the ingress IP.',
    ['reserved:ingress'],
  ],
};

export function identityTopics(): Topic[] {
  const out: Topic[] = (Object.keys(RESERVED_IDENTITIES) as ReservedName[]).map((name) => {
    const id = RESERVED_IDENTITIES[name];
    const [what, when, next, aliases] = RESERVED[name];
    return { id: name, kind: 'identity', title: `reserved identity ${id} (reserved:${name})`, aliases: [String(id), ...(aliases ?? [])], what, when, next, source: SOURCE };
  });
  out.push(
    {
      id: 'world-ipv4', kind: 'identity', title: 'reserved identity 9 — not in v1.13 (v1.15+, dual-stack only)', aliases: ['9', 'reserved:world-ipv4'],
      what: 'Identity 9 (v1.15+): the IPv4 part of world in dual-stack clusters. v1.13 uses world (2) for all of it.',
      when: 'Only in v1.15 and later, and only when both IPv4 and IPv6 are enabled.', next: 'Check which Cilium version the node runs; in v1.13 see world (2).', source: SOURCE, see: ['world'],
    },
    {
      id: 'world-ipv6', kind: 'identity', title: 'reserved identity 10 — not in v1.13 (v1.15+, dual-stack only)', aliases: ['10', 'reserved:world-ipv6'],
      what: 'Identity 10 (v1.15+): the IPv6 part of world in dual-stack clusters. v1.13 uses world (2) for all of it.',
      when: 'Only in v1.15 and later, and only when both IPv4 and IPv6 are enabled.', next: 'Check which Cilium version the node runs; in v1.13 see world (2).', source: SOURCE, see: ['world'],
    },
    {
      id: 'cluster-identity', kind: 'identity', title: `cluster-wide identities ${MIN_CLUSTER_IDENTITY}..${MAX_CLUSTER_IDENTITY} (one per distinct set of security labels)`, aliases: ['global identity', 'cluster identity'],
      what: 'A cluster-wide identity: the number the agent allocated for one set of security labels (a pod\'s labels plus namespace, service account and cluster).',
      when: "All pods with the same security-relevant labels share one identity, on every node. The real allocator picks a free number at random (CRD mode: a CiliumIdentity object of that name); cilium-trace derives it from the labels, or takes the pinned value. Policy selectors become the identities whose labels they match.",
      next: 'Find the labels of an identity with cilium identity get ID on a node; in cilium-trace, maps policy shows the labels of each entry.',
      source: ['pkg/identity/cache/allocator.go', 'pkg/identity/numericidentity.go'],
    },
    {
      id: 'local-identity', kind: 'identity', title: `node-local identities from ${LOCAL_IDENTITY_FLAG} (1<<24): CIDR identities`, aliases: ['cidr identity', 'local identity'],
      what: 'A node-local identity (1<<24 and up): allocated on each node for a policy CIDR, never sent between nodes.',
      when: 'Every prefix named by a fromCIDR/toCIDR rule gets one, upserted into the ipcache as that prefix, with cidr: labels for every shorter prefix plus reserved:world, so a broader CIDR selector matches it. Such identities are larger than 24 bits, so they never travel as a VNI.',
      next: 'cilium-trace maps ipcache shows the CIDR entries; maps policy --why shows the rule.',
      source: ['pkg/identity/numericidentity.go', 'pkg/labels/cidr/cidr.go'],
    },
    {
      id: 'remote-node-identity', kind: 'identity', title: 'remote-node scope identities from 33554432 (2<<24): node identities (v1.16+, enable-node-selector-labels)', aliases: ['node identity', 'remote-node scope'],
      what: 'A node identity (2<<24 and up): with enable-node-selector-labels each agent gives every remote node an identity of its own, labelled reserved:remote-node plus the node\'s labels as node:KEY=VALUE (v1.18: also k8s:io.cilium.k8s.policy.cluster).',
      when: 'The ipcache maps the node\'s addresses to it; a packet from that node arrives as REMOTE_NODE_ID in the tunnel and bpf_overlay replaces it with this identity (identity_is_remote_node knows the scope). fromNodes/toNodes select it; fromEntities remote-node still does. Without the flag every remote node is identity 6 and the agent refuses policies with fromNodes/toNodes.',
      next: 'cilium-trace maps ipcache shows the node entries; maps policy --why shows the fromNodes rule. cilium-trace numbers these cluster-wide in node-name order; a real agent numbers the nodes it learns of.',
      source: ['pkg/node/manager/manager.go', 'pkg/identity/identity.go', 'pkg/identity/cache/allocator.go', 'bpf/lib/identity.h'],
    },
  );
  return out;
}

/** The topic id a bare number names, when it is an identity. */
export function identityTopicOfNumber(n: number): string | undefined {
  for (const [name, id] of Object.entries(RESERVED_IDENTITIES)) if (id === n) return name;
  if (n === 9) return 'world-ipv4';
  if (n === 10) return 'world-ipv6';
  if (n >= MIN_CLUSTER_IDENTITY && n <= MAX_CLUSTER_IDENTITY) return 'cluster-identity';
  if (Math.floor(n / 2 ** 24) === 2 && n < 2 ** 32) return 'remote-node-identity'; // IDENTITY_LOCAL_SCOPE_REMOTE_NODE
  if (n >= LOCAL_IDENTITY_FLAG && n < 2 ** 32) return 'local-identity';
  return undefined;
}
