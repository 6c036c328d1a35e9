// The BPF maps of Cilium v1.13 a trace or dump shows, in plain words (types, keys, values and
// default sizes from pkg/maps/* and bpf/lib/maps.h as the reference gives them).
import type { Topic } from './types.js';

interface M {
  readonly title: string;
  readonly what: string;
  readonly when: string;
  readonly next: string;
  readonly source: readonly string[];
  readonly aliases?: readonly string[];
  readonly pattern?: RegExp;
  readonly see?: readonly string[];
}

const MAPS: Readonly<Record<string, M>> = {
  cilium_ipcache: {
    title: 'LPM trie, 512000 entries, one per node: IP prefix → identity, tunnel endpoint, encryption key',
    what: 'The map from IP address or prefix to security identity (and, for remote pods, the node to tunnel to).',
    when: "The agent fills it from CiliumEndpoints (pods of every node), the nodes (own addresses: host 1; other nodes: remote-node 6; their cilium_host IPs with a tunnel endpoint), policy CIDRs (local CIDR identities) and 0.0.0.0/0 → world (2). The datapath looks it up with the full address, so the longest prefix wins: the destination's identity for egress policy, the tunnel endpoint for encapsulation, a sender's identity in native routing. cilium-trace prints values as seed note 000 does (with nodeid=; the v1.13 value has no node id, v1.14 added one).",
    next: 'cilium-trace maps ipcache --node NODE (on a node: cilium bpf ipcache list). A missing or wrong entry means the peer is seen as world or as the wrong identity.',
    source: ['bpf/lib/maps.h', 'bpf/lib/eps.h', 'pkg/maps/ipcache/ipcache.go', 'pkg/datapath/ipcache/listener.go'],
    aliases: ['ipcache'],
    see: ['lookup_ip4_remote_endpoint', 'world', 'remote-node'],
  },
  cilium_lxc: {
    title: 'hash, 65535 entries, one per node: local IP → endpoint (ifindex, endpoint id, MACs) or (localhost)',
    what: "The node's local endpoints: which addresses are pods on this node (and which are the host's own).",
    when: "One entry per local pod IP (endpoint id, host-side veth ifindex, pod MAC, host-side MAC), written when the endpoint is regenerated, plus each of the node's own addresses with flag ENDPOINT_F_HOST. lookup_ip4_endpoint decides with it whether to deliver locally.",
    next: 'cilium-trace maps endpoint --node NODE (on a node: cilium bpf endpoint list).',
    source: ['bpf/lib/eps.h', 'pkg/maps/lxcmap/lxcmap.go'],
    aliases: ['endpoint', 'endpoints', 'lxcmap'],
    see: ['lookup_ip4_endpoint', 'ipv4_local_delivery'],
  },
  'cilium_policy_*': {
    title: 'cilium_policy_<EPID, 5 digits>: hash (v1.14+: LPM trie), 16384 entries, one per endpoint',
    what: "One endpoint's policy: which identities may reach it (ingress) or be reached by it (egress), on which port and protocol.",
    when: "Key {identity, port (network order), protocol, direction}, value {proxy port, deny flag, packet and byte counters}. The agent computes it from every rule selecting the endpoint: selectors become the identities they currently match, no toPorts becomes port 0/proto 0, a wildcard peer becomes identity 0, an unenforced direction gets the allow-all key {0, 0, 0}, and in Kubernetes mode identity 1 (host) is always allowed in. The datapath probes six key shapes in order ({identity, port, proto} L3-L4, {0, port, proto} L4-Only, {identity, 0, proto} L3-Proto, {0, 0, proto} Proto-Only, {identity, 0, 0} L3-Only, {0, 0, 0} all) and takes the first hit.",
    next: 'cilium-trace maps policy POD --why shows the entries with the rule that made each (on a node: cilium bpf policy get EPID).',
    source: ['bpf/lib/policy.h', 'pkg/maps/policymap/policymap.go', 'pkg/policy (resolve.go, mapstate.go)'],
    aliases: ['cilium_policy', 'policy', 'policymap', 'cilium_policy_<EPID>'],
    pattern: /^cilium_policy_\d+$/,
    see: ['policy_can_egress4', 'policy_can_access_ingress', 'DROP_POLICY'],
  },
  cilium_call_policy: {
    title: 'prog array, 65535 entries, one per node: endpoint id → that endpoint\'s handle_policy',
    what: "The jump table of local delivery: slot EPID holds the policy program of endpoint EPID.",
    when: "ipv4_local_delivery tail-calls cilium_call_policy[destination endpoint id], so ingress policy runs in the destination's own program (handle_policy) with its identity and policy map. The agent installs the program when the endpoint's datapath is regenerated; with the host firewall, the host endpoint's slot holds bpf_host's handle_lxc_traffic. An empty slot is DROP_MISSED_TAIL_CALL.",
    next: 'cilium-trace devices --calls lists the slots.',
    source: ['bpf/lib/l3.h', 'bpf/bpf_lxc.c', 'pkg/maps/policymap/policymap.go'],
    see: ['handle_policy', 'ipv4_local_delivery', 'DROP_MISSED_TAIL_CALL'],
  },
  cilium_egresscall_policy: {
    title: 'prog array, 65535 entries, one per node (L7 load-balancing only)',
    what: "The egress twin of cilium_call_policy, used only with L7 load-balancing (handle_policy_egress).",
    when: 'Not loaded in the configurations cilium-trace simulates.',
    next: 'See cilium_call_policy.',
    source: ['bpf/bpf_lxc.c'],
    see: ['cilium_call_policy'],
  },
  'cilium_calls_*': {
    title: 'prog arrays of 40 slots (CILIUM_CALL_SIZE): cilium_calls_<EPID>, cilium_calls_hostns_<EPID>, cilium_calls_netdev_<IFINDEX>, cilium_calls_overlay_2',
    what: "A loaded object's tail-call table: slot N holds the program for CILIUM_CALL_N (1 drop notify, 6 ARP, 7 IPv4, 22 IPv4 from host, …).",
    when: "Every bpf_lxc object (one per endpoint) has cilium_calls_<EPID>; bpf_host has cilium_calls_hostns_<host EPID> on cilium_host and cilium_calls_netdev_<ifindex> on cilium_net and each native device; bpf_overlay has cilium_calls_overlay_2 (2 is the world identity init.sh compiles it with). ep_tail_call jumps within the running object's own array. Which slots are filled depends on the configuration (invoke_tailcall_if).",
    next: 'cilium-trace devices --calls lists every array slot by slot, in the format of seed note 002.',
    source: ['bpf/lib/common.h (CILIUM_CALL_*)', 'bpf/lib/maps.h', 'pkg/maps/callsmap'],
    aliases: ['calls', 'cilium_calls', 'callsmap'],
    pattern: /^cilium_calls_(\d+|hostns_\d+|netdev_\d+|overlay_\d+)$/,
    see: ['ep_tail_call', 'invoke_tailcall_if', 'DROP_MISSED_TAIL_CALL'],
  },
  cilium_tunnel_map: {
    title: 'hash, 65536 entries, one per node: remote pod CIDR → node IP',
    what: "Tunnel mode's fallback routing table: which node owns a pod CIDR.",
    when: "For every other node the agent writes {base address of its pod CIDR} → {its node IP}. The datapath masks a destination with the local pod-CIDR mask (so pod CIDRs are assumed to be the same size) and looks it up when the ipcache entry gives no tunnel endpoint; a miss is DROP_NO_TUNNEL_ENDPOINT, which bpf_lxc treats as 'outside the cluster'.",
    next: 'cilium-trace maps tunnel --node NODE (on a node: cilium bpf tunnel list).',
    source: ['bpf/lib/encap.h', 'pkg/maps/tunnel/tunnel.go', 'pkg/datapath/linux/node.go'],
    aliases: ['tunnel', 'tunnel_map'],
    see: ['encap_and_redirect_lxc', 'DROP_NO_TUNNEL_ENDPOINT'],
  },
  cilium_ct4_global: {
    title: 'LRU hash, 524288 entries by default (Helm sizes it from memory), one per node: TCP conntrack',
    what: 'The conntrack table for TCP: one entry per connection and endpoint direction.',
    when: "ct_lookup4 decides with it whether a packet is new, established or a reply (replies skip policy enforcement and get reverse NAT); ct_create4 adds entries for new connections, and bpf_lxc's also an ICMP related entry in cilium_ct_any4_global. Keys are the original-direction tuple with flag IN or OUT; service entries of per-packet LB remember the chosen backend.",
    next: 'cilium-trace maps ct --node NODE --after "SRC DST tcp/PORT" (on a node: cilium bpf ct list global).',
    source: ['bpf/lib/conntrack.h', 'pkg/maps/ctmap'],
    aliases: ['ct', 'conntrack', 'ct4'],
    see: ['ct_lookup4', 'ct_create4', 'cilium_ct_any4_global'],
  },
  cilium_ct_any4_global: {
    title: 'LRU hash, 262144 entries by default, one per node: conntrack for everything but TCP',
    what: 'The conntrack table for UDP, ICMP and other non-TCP traffic.',
    when: 'Same layout and use as cilium_ct4_global; non-TCP entries live 60 seconds by default.',
    next: 'cilium-trace maps ct --node NODE --after "SRC DST udp/PORT" (the dump prints both tables).',
    source: ['bpf/lib/conntrack.h', 'pkg/maps/ctmap'],
    see: ['ct_lookup4', 'cilium_ct4_global'],
  },
  cilium_lb4_services_v2: {
    title: 'hash, 65536 entries: {VIP, port, slot, scope} → master entry (slot 0) or backend id (slots 1..count)',
    what: 'The Service frontends: for each VIP:port a master entry (slot 0: backend count, rev_nat_index, flags) and one entry per backend slot.',
    when: 'lb4_lookup_service reads slot 0 to learn whether the address is a Service; backend selection reads slot N to get a backend id. Flags mark NodePort, ExternalIP, LoadBalancer, local scope (externalTrafficPolicy=Local), affinity, source ranges; ClusterIPs are shown non-routable.',
    next: 'cilium-trace maps lb (on a node: cilium bpf lb list).',
    source: ['bpf/lib/lb.h', 'pkg/maps/lbmap'],
    aliases: ['lb', 'services', 'lb4_services'],
    see: ['lb4_lookup_service', 'cilium_lb4_backends_v3', 'cilium_lb4_reverse_nat'],
  },
  cilium_lb4_backends_v3: {
    title: 'hash, 65536 entries: backend id (u32) → {address, port, proto, state, cluster_id}',
    what: 'The Service backends by id: address, port, state (active, terminating, quarantined, maintenance) and ClusterMesh cluster id. The CLI prints a value as ANY://10.0.1.105 (no port; @N for a cluster id).',
    when: 'After a slot of cilium_lb4_services_v2 gave a backend id, this map gives the address to DNAT (or connect) to. A missing id is DROP_NO_SERVICE.',
    next: 'cilium-trace maps lb (on a node: cilium bpf lb list --backends).',
    source: ['bpf/lib/lb.h', 'pkg/maps/lbmap'],
    aliases: ['backends', 'lb4_backends', 'cilium_lb4_backends_v2'],
    see: ['cilium_lb4_services_v2', 'lb4_local'],
  },
  cilium_lb4_reverse_nat: {
    title: 'hash, 65536 entries: rev_nat_index → {VIP, port}',
    what: 'The table that turns a backend\'s reply back into the Service address: rev_nat_index → VIP and port.',
    when: "Connections load-balanced per packet store the frontend's rev_nat_index in conntrack; lb4_rev_nat reads this map for the replies.",
    next: 'cilium bpf lb list --revnat on a node.',
    source: ['bpf/lib/lb.h', 'pkg/maps/lbmap'],
    aliases: ['revnat', 'reverse_nat'],
    see: ['lb4_rev_nat', 'cilium_lb4_services_v2'],
  },
  cilium_lb4_reverse_sk: {
    title: 'LRU hash, 262144 entries: {socket cookie, backend address, port} → {VIP, port, rev_nat_index}',
    what: 'Socket LB\'s memory of which Service a socket was translated from, so replies can show the VIP again.',
    when: 'cil_sock4_connect/sendmsg write it; cil_sock4_recvmsg and getpeername read it.',
    next: 'See cil_sock4_connect.',
    source: ['bpf/bpf_sock.c', 'pkg/maps/lbmap'],
    see: ['cil_sock4_connect', 'cil_sock4_recvmsg'],
  },
  cilium_snat_v4_external: {
    title: 'LRU hash, 524288 entries by default: tuple → {to address, to port}, both directions',
    what: "BPF masquerading's and NodePort SNAT's translation table.",
    when: 'snat_v4_nat creates a pair of entries per translated connection (outgoing: original → node address:port; incoming: the reverse) and snat_v4_rev_nat reads them for replies. The node\'s own connections get HostLocal=1 pairs with address and port unchanged (every VXLAN flow\'s outer packet with BPF masquerade). The value is XLATE_SRC/XLATE_DST address:port, Created and HostLocal. Only with NodePort; iptables masquerade keeps its state in netfilter instead.',
    next: 'cilium-trace maps nat --node NODE --after "SRC DST PROTO" (on a node: cilium bpf nat list).',
    source: ['bpf/lib/nat.h', 'pkg/maps/nat/nat.go'],
    aliases: ['nat', 'snat'],
    see: ['snat_v4_nat', 'snat_v4_rev_nat'],
  },
  cilium_metrics: {
    title: 'per-CPU hash, 1024 entries: {reason, direction} → {packets, bytes}',
    what: 'Forwarded and dropped packet counters by reason and direction.',
    when: 'Every drop counts under its reason code, and observation points count forwarded traffic; the agent exports them as metrics.',
    next: 'cilium bpf metrics list on a node; cilium-trace does not fill it.',
    source: ['pkg/maps/metricsmap'],
  },
};

export function mapTopics(): Topic[] {
  return Object.entries(MAPS).map(([id, m]) => ({
    id, kind: 'map', title: m.title, aliases: m.aliases ?? [], what: m.what, when: m.when, next: m.next, source: m.source,
    ...(m.pattern ? { pattern: m.pattern } : {}), ...(m.see ? { see: m.see } : {}),
  }));
}
