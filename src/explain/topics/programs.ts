// The BPF programs of Cilium v1.13 in plain words: tc entry programs (by device and hook),
// tail-call programs (by prog-array slot) and the bpf_sock programs at the cgroup v2 root.
// Slots and conditions follow the loader (src/controlplane/loader.ts) and the reference's
// slot-occupancy tables; the prose is ours.
import type { Topic } from './types.js';

interface P {
  readonly title: string;
  readonly what: string;
  readonly when: string;
  readonly next: string;
  readonly source: readonly string[];
  readonly section?: string;
  readonly aliases?: readonly string[];
  readonly see?: readonly string[];
}

/** Section names that are also monitor names of observation points (to-host, from-overlay, …). */
const AMBIGUOUS_SECTIONS = new Set(['to-host', 'from-host', 'from-overlay', 'to-overlay']);

const CALLS_NEXT = 'cilium-trace devices --calls lists which program each slot of each prog array holds on a node (on a real node: bpftool map dump of the pinned cilium_calls_* map).';
const NOT_SIMULATED = ' cilium-trace loads it but does not simulate it.';

const PROGRAMS: Readonly<Record<string, P>> = {
  cil_from_container: {
    title: 'bpf/bpf_lxc.c, section from-container, tc ingress of a pod\'s host-side veth (lxc…)',
    section: 'from-container',
    what: "The program on tc ingress of a pod's host-side veth: every packet the pod sends starts here.",
    when: "It reports TRACE_FROM_LXC, checks the Ethernet type (DROP_UNSUPPORTED_L2), then tail-calls by protocol into the endpoint's own cilium_calls_<EPID>: IPv4 to slot 7 (tail_handle_ipv4), ARP to slot 6 (tail_handle_arp), IPv6 to slot 10; anything else is DROP_UNKNOWN_L3. 'ingress' is from the host's point of view: the packet enters the host side of the veth.",
    next: 'cilium-trace devices shows it attached to each lxc device (`tc filter show dev lxc… ingress`); ' + CALLS_NEXT,
    source: ['bpf/bpf_lxc.c'],
    see: ['tail_handle_ipv4', 'tail_handle_arp', 'TRACE_FROM_LXC', 'cilium_calls_*'],
  },
  cil_to_container: {
    title: "bpf/bpf_lxc.c, section to-container, tc egress of a pod's host-side veth (only when needed)",
    section: 'to-container',
    what: "The optional program on tc egress of a pod's host-side veth; the v1.13 loader attaches it only when endpoint routes require it, and cilium-trace's loader never does.",
    when: 'With per-endpoint routes, packets reach the pod through the kernel rather than through a policy tail call; this program then takes the source identity from skb->mark and tail-calls the ingress conntrack lookup (slot 27, tail_ipv4_ct_ingress), which continues in tail_ipv4_to_endpoint (slot 13) to enforce ingress policy.',
    next: 'Check whether the agent runs with endpoint routes (enable-endpoint-routes) and whether `tc filter show dev lxc… egress` lists a filter.',
    source: ['bpf/bpf_lxc.c'],
    see: ['tail_ipv4_ct_ingress', 'tail_ipv4_to_endpoint'],
  },
  handle_policy: {
    title: 'bpf/bpf_lxc.c, section 1/<EPID>, in cilium_call_policy[EPID]',
    what: "The destination endpoint's ingress-policy program, reached by a tail call through cilium_call_policy[EPID] during local delivery.",
    when: "ipv4_local_delivery (from bpf_lxc, bpf_overlay or bpf_host) parks the source identity and ifindex in cb[] and tail-calls cilium_call_policy at the destination's endpoint id. From here on the destination endpoint's object runs: its SECLABEL, LXC_ID, cilium_policy_<EPID> and cilium_calls_<EPID>. It checks the ethertype and runs tail_ipv4_ct_ingress_policy_only (a direct call in IPv4-only builds), which looks up conntrack and applies ingress policy in ipv4_policy.",
    next: 'An empty cilium_call_policy slot gives DROP_MISSED_TAIL_CALL (v1.16: DROP_EP_NOT_READY). ' + CALLS_NEXT,
    source: ['bpf/bpf_lxc.c', 'bpf/lib/l3.h (ipv4_local_delivery)'],
    see: ['cilium_call_policy', 'ipv4_local_delivery', 'tail_ipv4_ct_ingress_policy_only', 'ipv4_policy'],
  },
  cil_from_overlay: {
    title: 'bpf/bpf_overlay.c, section from-overlay, tc ingress of cilium_vxlan / cilium_geneve',
    section: 'from-overlay',
    what: 'The program on tc ingress of the tunnel device: it sees packets from other nodes after the kernel decapsulated them.',
    when: "It reports TRACE_FROM_OVERLAY (with identity 0 in v1.13) and tail-calls slot 7 of cilium_calls_overlay_2 (tail_handle_ipv4), which reads the source identity from the VNI and delivers to a local pod or the host. bpf_overlay.o is built once per node by init.sh with SECLABEL=2 (world).",
    next: 'cilium-trace devices shows it on cilium_vxlan; a packet that never reaches it was not decapsulated (check UDP 8472/6081 between the nodes).',
    source: ['bpf/bpf_overlay.c', 'bpf/init.sh'],
    see: ['TRACE_FROM_OVERLAY', 'handle_ipv4', 'cilium_vxlan'],
  },
  cil_to_overlay: {
    title: 'bpf/bpf_overlay.c, section to-overlay, tc egress of cilium_vxlan / cilium_geneve',
    section: 'to-overlay',
    what: 'The program on tc egress of the tunnel device: it sees the inner packet just before the kernel encapsulates it.',
    when: "It does the bandwidth manager's rate limiting (EDT) and, with NodePort, handle_nat_fwd unless the packet is already SNAT-done: slot 38 SNATs the host's own packets (source IPV4_GATEWAY) with host-local mappings, masquerades nothing else here, and reports TRACE_TO_OVERLAY (ifindex 0). The kernel's collect-metadata device then builds the outer headers from the tunnel key.",
    next: 'The VNI and remote node were set earlier by ctx_set_encap_info; look at the encap step of the trace for the outer headers.',
    source: ['bpf/bpf_overlay.c'],
    see: ['handle_nat_fwd', 'ctx_set_encap_info', 'cilium_vxlan'],
  },
  cil_from_netdev: {
    title: 'bpf/bpf_host.c, section from-netdev, tc ingress of each native device (eth0…)',
    section: 'from-netdev',
    what: 'The program on tc ingress of a native device: packets arriving from the network.',
    when: "Attached only when a feature needs the devices (kube-proxy replacement/NodePort, host firewall, BPF masquerade, bandwidth manager...); otherwise nothing runs on eth0 ingress. do_netdev reports TRACE_FROM_NETWORK, resolves the source identity from the ipcache and tail-calls slot 7 (tail_handle_ipv4_from_netdev): NodePort load-balancing and reverse SNAT first, then delivery to a local pod, or the stack for the host's own addresses (including VXLAN packets to the node).",
    next: 'cilium-trace devices shows whether eth0 has it (`tc filter show dev eth0 ingress`).',
    source: ['bpf/bpf_host.c', 'pkg/datapath/loader/loader.go (reloadHostDatapath)'],
    see: ['do_netdev', 'nodeport_lb4', 'TRACE_FROM_NETWORK'],
  },
  cil_to_netdev: {
    title: 'bpf/bpf_host.c, section to-netdev, tc egress of each native device (only if required)',
    section: 'to-netdev',
    what: 'The program on tc egress of a native device: the last Cilium program before a packet leaves the node.',
    when: "Attached only with NodePort, the host firewall or the bandwidth manager. Unless the packet is already SNAT-done it runs handle_nat_fwd: reverse DNAT of NodePort replies, then slot 38 for BPF masquerading of pod traffic and host-local SNAT of the node's own packets (with BPF masquerade the outer VXLAN packet gets a mapping, its port kept), which reports TRACE_TO_NETWORK; a SNAT-done packet gets TRACE_TO_NETWORK from cil_to_netdev itself. Both with ifindex 0.",
    next: 'For masquerading, look at snat_v4_prepare_state in the trace and at cilium_snat_v4_external.',
    source: ['bpf/bpf_host.c', 'bpf/lib/nodeport.h'],
    see: ['handle_nat_fwd', 'snat_v4_prepare_state', 'TRACE_TO_NETWORK'],
  },
  cil_from_host: {
    title: 'bpf/bpf_host.c, section from-host, tc egress of cilium_host',
    section: 'from-host',
    what: 'The program on tc egress of cilium_host: packets the host stack routes toward the pod CIDR.',
    when: "The node's route to its pod CIDR points at cilium_host, so host-to-pod traffic (and, with legacy host routing, forwarded traffic to pods) passes here. do_netdev reports TRACE_FROM_HOST, takes the identity from the packet mark (host), refines it from the ipcache and tail-calls slot 22 (tail_handle_ipv4_from_host) for local delivery or encapsulation.",
    next: "Check the route to the pod CIDR (ip route: via cilium_host) and the identity the trace resolved.",
    source: ['bpf/bpf_host.c'],
    see: ['do_netdev', 'inherit_identity_from_host', 'cilium_host'],
  },
  cil_to_host: {
    title: 'bpf/bpf_host.c, section to-host, tc ingress of cilium_host and cilium_net',
    section: 'to-host',
    what: 'The program on tc ingress of cilium_host (and of cilium_net): packets entering the host through those devices.',
    when: 'It handles packets marked for the L7 proxy (MARK_MAGIC_TO_PROXY, the TPROXY redirect) and, with the host firewall, enforces the host endpoint\'s ingress policy; other packets go on to the stack. cilium_net carries its own copy (bpf_host_cilium_net.o).' + NOT_SIMULATED,
    next: 'cilium-trace devices shows it on both devices.',
    source: ['bpf/bpf_host.c'],
    see: ['cilium_host', 'cilium_net'],
  },
  cil_sock4_connect: {
    title: 'bpf/bpf_sock.c, cgroup/connect4 at the cgroup v2 root (socket LB only)',
    section: 'cgroup/connect4',
    what: "Socket load-balancing at connect(): a connection to a Service VIP:port is rewritten to a backend before any packet exists.",
    when: "Loaded only with socket LB (kube-proxy replacement). It runs for every process of the node, pods and host netns alike. __sock4_xlate_fwd looks the address up in cilium_lb4_services_v2 (for a node address on a NodePort, the 0.0.0.0 surrogate), picks a backend slot, reads cilium_lb4_backends_v3, records the translation in cilium_lb4_reverse_sk and rewrites the socket's destination. Packets then leave the pod addressed to the backend: no per-packet DNAT and no service conntrack entry.",
    next: 'Compare the trace\'s socket hop with the LB maps (cilium-trace maps lb). A Service without backends makes connect() fail with EHOSTUNREACH: no packet, no drop event.',
    source: ['bpf/bpf_sock.c', 'bpf/init.sh (attach)'],
    see: ['__sock4_xlate_fwd', 'cilium_lb4_services_v2', 'cilium_lb4_reverse_sk'],
  },
  cil_sock4_sendmsg: {
    title: 'bpf/bpf_sock.c, cgroup/sendmsg4 at the cgroup v2 root (socket LB only)',
    section: 'cgroup/sendmsg4',
    what: 'Socket load-balancing for UDP: each sendmsg() to a Service VIP:port is rewritten to a backend.',
    when: 'The UDP counterpart of cil_sock4_connect, for datagrams on unconnected sockets; it uses the same __sock4_xlate_fwd.',
    next: 'Replies are translated back by cil_sock4_recvmsg, so the application sees the VIP.',
    source: ['bpf/bpf_sock.c'],
    see: ['cil_sock4_connect', 'cil_sock4_recvmsg'],
  },
  cil_sock4_recvmsg: {
    title: 'bpf/bpf_sock.c, cgroup/recvmsg4 at the cgroup v2 root (socket LB only)',
    section: 'cgroup/recvmsg4',
    what: 'Reverse socket translation for UDP: a reply from a backend is shown to the application as coming from the Service VIP.',
    when: 'It looks up cilium_lb4_reverse_sk (written at sendmsg/connect time) and rewrites the source the application sees; a stale entry is counted as REASON_LB_REVNAT_STALE.' + NOT_SIMULATED,
    next: 'cilium bpf lb list --revnat and the reverse socket map explain the mapping.',
    source: ['bpf/bpf_sock.c'],
    see: ['cilium_lb4_reverse_sk'],
  },
  cil_sock4_getpeername: {
    title: 'bpf/bpf_sock.c, cgroup/getpeername4 at the cgroup v2 root (socket LB peer option)',
    section: 'cgroup/getpeername4',
    what: 'Reverse socket translation for getpeername(): the application sees the Service VIP as its peer, not the backend.',
    when: "Loaded with socket LB when the peer translation option is on; cilium-trace's loader does not load it.",
    next: 'Check the agent options for socket LB.',
    source: ['bpf/bpf_sock.c'],
  },
  cil_sock4_post_bind: {
    title: 'bpf/bpf_sock.c, cgroup/post_bind4 at the cgroup v2 root (NodePort bind protection)',
    section: 'cgroup/post_bind4',
    what: "Bind protection: a program in the host network namespace may not bind an address and port that a NodePort, LoadBalancer or ExternalIP Service uses.",
    when: 'Runs after bind(); loaded with NodePort and bind protection.' + NOT_SIMULATED,
    next: 'If an application cannot bind a port, compare it with the NodePort range and the Services (cilium-trace maps lb).',
    source: ['bpf/bpf_sock.c'],
  },
  __send_drop_notify: {
    title: 'bpf/lib/drop.h, slot 1 (CILIUM_CALL_DROP_NOTIFY) of every calls map',
    what: 'Slot 1 of every prog array: it sends the drop notification (cilium monitor `xx drop`, Hubble DROPPED) and returns the drop verdict.',
    when: 'send_drop_notify stores the reason, the identities, the endpoint and the source location in cb[] and tail-calls slot 1; this program emits the event from there and returns the drop verdict of the program that decided it.',
    next: 'In a trace, the drop line names the function that decided the drop and its file; `-o monitor` prints the notification as cilium monitor does.',
    source: ['bpf/lib/drop.h'],
    see: ['send_drop_notify'],
  },
  tail_handle_arp: {
    title: 'bpf/bpf_lxc.c, slot 6 (CILIUM_CALL_ARP) of cilium_calls_<EPID>',
    what: "The ARP responder: it answers the pod's ARP requests with the MAC of the pod's host-side veth.",
    when: "cil_from_container tail-calls it for ARP frames (only with the ARP responder compiled in, the default). It answers for any target except the pod's own IP, so the pod's gateway (the cilium_host IP) resolves to the host-side veth MAC; with ARP passthrough the stack answers instead.",
    next: 'Trace with --arp to see it; inside the pod, `ip neigh` shows the gateway with the veth\'s MAC.',
    source: ['bpf/bpf_lxc.c', 'bpf/lib/arp.h'],
    see: ['arp_respond'],
  },
  tail_handle_ipv4: {
    title: 'slot 7 of cilium_calls_<EPID> (bpf/bpf_lxc.c) and of cilium_calls_overlay_2 (bpf/bpf_overlay.c); a helper of the same name in bpf/bpf_host.c',
    what: 'The IPv4 program behind slot 7: in bpf_lxc it starts the egress path of a pod\'s packet; in bpf_overlay it handles a decapsulated packet.',
    when: "bpf_lxc: __tail_handle_ipv4 validates the header and source address, does per-packet Service load-balancing when compiled in, and continues with the egress conntrack lookup. bpf_overlay: handle_ipv4 reads the source identity from the VNI and delivers to the local pod or the host. In bpf_host, tail_handle_ipv4(ctx, from_host) is the common body of slots 7 and 22.",
    next: 'The hop title of the trace (bpf_lxc.o or bpf_overlay.o) says which one ran. ' + CALLS_NEXT,
    source: ['bpf/bpf_lxc.c', 'bpf/bpf_overlay.c', 'bpf/bpf_host.c'],
    see: ['__tail_handle_ipv4', 'handle_ipv4'],
  },
  tail_handle_ipv4_cont: {
    title: 'bpf/bpf_lxc.c, slot 25 (CILIUM_CALL_IPV4_FROM_LXC_CONT), a tail call only with per-packet LB',
    what: 'The continuation of the egress path after the conntrack lookup; it runs handle_ipv4_from_lxc.',
    when: "A real tail call only when ENABLE_PER_PACKET_LB is defined (socket LB not 'full'); otherwise it is compiled inline (invoke_tailcall_if) and the trace says so.",
    next: 'See handle_ipv4_from_lxc for what happens next.',
    source: ['bpf/bpf_lxc.c', 'bpf/lib/tailcall.h'],
    see: ['handle_ipv4_from_lxc', 'invoke_tailcall_if'],
  },
  tail_ipv4_ct_egress: {
    title: 'bpf/bpf_lxc.c, slot 29 (CILIUM_CALL_IPV4_CT_EGRESS), a tail call only with per-packet LB',
    what: 'The egress conntrack lookup of a pod\'s packet (macro TAIL_CT_LOOKUP4).',
    when: 'It builds the tuple from the (possibly DNATed) packet, runs ct_lookup4 in the CT_EGRESS direction, stores the result in the per-CPU tail-call buffer and tail-calls slot 25. Without per-packet LB it is inlined.',
    next: 'The ct line of the trace shows the tuple and the state (new, established, reply); --ct assumes a state.',
    source: ['bpf/bpf_lxc.c', 'bpf/lib/conntrack.h'],
    see: ['ct_lookup4', 'tail_handle_ipv4_cont', 'DROP_INVALID_TC_BUFFER'],
  },
  tail_ipv4_ct_ingress: {
    title: 'bpf/bpf_lxc.c, slot 27 (CILIUM_CALL_IPV4_CT_INGRESS)',
    what: 'The ingress conntrack lookup of the to-container path (endpoint routes); it continues in tail_ipv4_to_endpoint.',
    when: 'Loaded in every endpoint; used when cil_to_container runs, which the default (policy by tail call) does not need.' + NOT_SIMULATED,
    next: 'With the default setup, ingress policy runs through handle_policy instead.',
    source: ['bpf/bpf_lxc.c'],
    see: ['cil_to_container', 'tail_ipv4_to_endpoint', 'handle_policy'],
  },
  tail_ipv4_ct_ingress_policy_only: {
    title: 'bpf/bpf_lxc.c, slot 28 (CILIUM_CALL_IPV4_CT_INGRESS_POLICY_ONLY), a tail call only with IPv4 and IPv6',
    what: "The ingress conntrack lookup inside the destination endpoint's policy program (handle_policy).",
    when: 'It runs ct_lookup4 in the CT_INGRESS direction in the destination\'s context and continues with tail_ipv4_policy. A real tail call only in dual-stack builds; IPv4-only builds call it directly.',
    next: 'The ct line of the trace shows the result; ipv4_policy follows.',
    source: ['bpf/bpf_lxc.c'],
    see: ['handle_policy', 'tail_ipv4_policy', 'ct_lookup4'],
  },
  tail_ipv4_policy: {
    title: 'bpf/bpf_lxc.c, slot 11 (CILIUM_CALL_IPV4_TO_LXC_POLICY_ONLY), a tail call only with IPv4 and IPv6',
    what: 'Applies the destination endpoint\'s ingress policy (ipv4_policy) and delivers the packet.',
    when: 'Reached from tail_ipv4_ct_ingress_policy_only; a direct call in IPv4-only builds.',
    next: 'See ipv4_policy.',
    source: ['bpf/bpf_lxc.c'],
    see: ['ipv4_policy', 'redirect_ep'],
  },
  tail_ipv4_to_endpoint: {
    title: 'bpf/bpf_lxc.c, slot 13 (CILIUM_CALL_IPV4_TO_ENDPOINT)',
    what: 'Ingress policy and delivery on the to-container path (endpoint routes), after tail_ipv4_ct_ingress.',
    when: 'Loaded in every endpoint; the default setup (policy by tail call through cilium_call_policy) does not use it.' + NOT_SIMULATED,
    next: 'See cil_to_container.',
    source: ['bpf/bpf_lxc.c'],
    see: ['cil_to_container', 'tail_ipv4_ct_ingress'],
  },
  tail_handle_ipv4_from_netdev: {
    title: 'bpf/bpf_host.c, slot 7 (CILIUM_CALL_IPV4_FROM_NETDEV) of cilium_calls_netdev_* and cilium_calls_hostns_*',
    what: 'The IPv4 path of a packet that arrived from the network: bpf_host handle_ipv4 with from_host false.',
    when: 'Tail-called by do_netdev from cil_from_netdev. With NodePort it first tries the packet as a Service frontend (nodeport_lb4); then a local pod gets it by local delivery and the host\'s own addresses go to the stack.',
    next: 'See handle_ipv4 (bpf_host) and nodeport_lb4.',
    source: ['bpf/bpf_host.c'],
    see: ['handle_ipv4', 'nodeport_lb4', 'do_netdev'],
  },
  tail_handle_ipv4_from_host: {
    title: 'bpf/bpf_host.c, slot 22 (CILIUM_CALL_IPV4_FROM_HOST)',
    what: 'The IPv4 path of a packet the host sent toward the pods: bpf_host handle_ipv4 with from_host true.',
    when: 'Tail-called by do_netdev from cil_from_host. A local pod gets it by local delivery (with a backlog redirect, as it came from the host); a remote pod in tunnel mode gets it encapsulated with identity host (VNI 6 on the wire); an address only the world entry covers is DROP_UNROUTABLE.',
    next: 'See handle_ipv4 (bpf_host).',
    source: ['bpf/bpf_host.c'],
    see: ['handle_ipv4', 'cil_from_host', 'DROP_UNROUTABLE'],
  },
  tail_nodeport_nat_egress_ipv4: {
    title: 'bpf/lib/nodeport.h, slot 15 (CILIUM_CALL_IPV4_NODEPORT_NAT_EGRESS), with NodePort',
    what: "SNAT of a NodePort request whose backend is on another node: the node puts its own address as source and forwards it.",
    when: 'After nodeport_lb4 chose a remote backend: in tunnel mode __encap_with_nodeid first sets the tunnel key with identity WORLD_ID (TRACE_TO_OVERLAY, state new, on the packet before SNAT), then snat_v4_nat translates the source to IPV4_GATEWAY (cilium_host; the source port kept when it is in 32768-65535) so the reply comes back through this node, ctx_snat_done_set marks the packet and it is redirected to the tunnel device.',
    next: 'Look at the rewrite lines of the trace and at cilium_snat_v4_external; replies come back through tail_nodeport_nat_ingress_ipv4 and tail_rev_nodeport_lb4.',
    source: ['bpf/lib/nodeport.h'],
    see: ['nodeport_lb4', 'snat_v4_nat', 'cilium_snat_v4_external'],
  },
  tail_nodeport_nat_ingress_ipv4: {
    title: 'bpf/lib/nodeport.h, slot 36 (CILIUM_CALL_IPV4_NODEPORT_NAT_INGRESS), with NodePort',
    what: 'Reverse SNAT on ingress: a packet that is not a Service frontend may be the reply of a connection this node masqueraded.',
    when: 'nodeport_lb4 marks a packet that hit no Service (XFER_PKT_NO_SVC) and tail-calls here; snat_v4_rev_nat punts packets whose destination port is outside 32768-65535 without a lookup, else looks for a mapping in cilium_snat_v4_external. Found: the destination is rewritten back, the packet marked SNAT-done and slot 17 follows. Otherwise the packet is marked skip-nodeport and goes back to slot 7 to continue as usual.',
    next: 'The lookup line of the trace shows whether a mapping existed (cilium-trace maps nat --after ...).',
    source: ['bpf/lib/nodeport.h', 'bpf/lib/nat.h'],
    see: ['snat_v4_rev_nat', 'nodeport_lb4', 'cilium_snat_v4_external'],
  },
  tail_rev_nodeport_lb4: {
    title: 'bpf/lib/nodeport.h, slot 17 (CILIUM_CALL_IPV4_NODEPORT_REVNAT), with NodePort',
    what: 'Reverse DNAT of a NodePort reply: the backend\'s answer gets the Service frontend address back as source and is sent to the client.',
    when: 'ct_has_nodeport_egress_entry4 checks for the NodePort conntrack entry first; a CT_REPLY with the node_port flag and a rev_nat_index is rewritten from cilium_lb4_reverse_nat (lb4_rev_nat), marked SNAT-done and sent through the tunnel or after a FIB lookup; anything else is marked skip-nodeport and goes back to slot 7 (from bpf_lxc, which sets skip-recirculation: DROP_NAT_NO_MAPPING).',
    next: 'See rev_nodeport_lb4 and cilium_lb4_reverse_nat.',
    source: ['bpf/lib/nodeport.h'],
    see: ['rev_nodeport_lb4', 'lb4_rev_nat', 'cilium_lb4_reverse_nat'],
  },
  tail_handle_nat_fwd_ipv4: {
    title: 'bpf/lib/nodeport.h, slot 19 (CILIUM_CALL_IPV4_NODEPORT_NAT_FWD), only in dual-stack, host-firewall or egress-gateway builds',
    what: 'The tail-call form of handle_nat_fwd_ipv4 (reverse DNAT of NodePort replies, then slot 38).',
    when: 'declare_tailcall_if compiles it only when IPv4 and IPv6, the host firewall in bpf_host, or the egress gateway are enabled; otherwise handle_nat_fwd calls handle_nat_fwd_ipv4 directly, as the trace says. It then reports the device\'s observation point itself.',
    next: 'See handle_nat_fwd_ipv4 and tail_handle_snat_fwd_ipv4.',
    source: ['bpf/lib/nodeport.h'],
    see: ['handle_nat_fwd', 'handle_nat_fwd_ipv4', 'tail_handle_snat_fwd_ipv4'],
  },
  tail_handle_snat_fwd_ipv4: {
    title: 'bpf/lib/nodeport.h, slot 38 (CILIUM_CALL_IPV4_NODEPORT_SNAT_FWD), with NodePort',
    what: 'BPF SNAT on the way out of a native device or the tunnel device: nodeport_snat_fwd_ipv4, then the observation point.',
    when: "__handle_nat_fwd_ipv4 tail-calls it for every packet not yet SNAT-done. snat_v4_prepare_state decides (masquerading, the node's own addresses), snat_v4_nat translates. It then reports TRACE_TO_OVERLAY (bpf_overlay in tunnel mode) or TRACE_TO_NETWORK with ifindex 0: every tunnelled packet thus gives a second '-> overlay' event after the one of __encap_with_nodeid. In every prog array of an object that includes nodeport.h: netdev, hostns, overlay and the endpoints'.",
    next: 'See snat_v4_prepare_state and cilium_snat_v4_external (cilium-trace maps nat --after ...).',
    source: ['bpf/lib/nodeport.h', 'bpf/lib/nat.h'],
    see: ['handle_nat_fwd', 'nodeport_snat_fwd_ipv4', 'snat_v4_prepare_state'],
  },
};

export function programTopics(): Topic[] {
  return Object.entries(PROGRAMS).map(([id, p]) => ({
    id, kind: 'program', title: p.title, aliases: [...(p.aliases ?? []), ...(p.section && !AMBIGUOUS_SECTIONS.has(p.section) ? [p.section] : [])],
    what: p.what, when: p.when, next: p.next, source: p.source,
    ...(p.section ? { section: p.section } : {}), ...(p.see ? { see: p.see } : {}),
  }));
}
