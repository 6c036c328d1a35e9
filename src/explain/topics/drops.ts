// Drop reasons of Cilium v1.13 in plain words. Codes, monitor texts and Hubble names come from
// src/cilium/drop-reasons.ts (bpf/lib/common.h, pkg/monitor/api/drop.go, flow.proto); the
// prose is ours. Where we do not know the exact code path we name only where the code is
// defined, never a guess.
import { allDropReasons, laterDropReasons } from '../../cilium/drop-reasons.js';
import { RELEASES } from '../../cilium/releases/release.js';
import { atLeast } from '../../cilium/releases/semver.js';
import type { Topic } from './types.js';

interface DropProse {
  readonly what: string;
  readonly when: string;
  readonly next: string;
  readonly source: readonly string[];
  readonly see?: readonly string[];
}

const DEFINED = 'bpf/lib/common.h (definition)';
const TEXTS = 'pkg/monitor/api/drop.go (monitor text)';

function unused(text: string): DropProse {
  return {
    what: `A retired code: v1.13's datapath no longer returns it; the number keeps its old text ("${text}") and Hubble name.`,
    when: 'Only an agent or datapath of an older Cilium release would report it. A v1.13 node does not produce it.',
    next: 'If you see it, check which Cilium version the reporting node runs (cilium version).',
    source: [DEFINED, TEXTS],
  };
}

function generic(what: string, when: string, next: string, source: readonly string[] = [DEFINED], see?: readonly string[]): DropProse {
  return see ? { what, when, next, source, see } : { what, when, next, source };
}

const IPV6_ONLY = 'IPv6 only: cilium-trace simulates IPv4 and never produces it.';

const PROSE: Readonly<Record<string, DropProse>> = {
  DROP_UNUSED1: unused('Invalid source mac'),
  DROP_UNUSED2: unused('Invalid destination mac'),
  DROP_INVALID_SIP: {
    what: "The pod sent a packet whose source address is not the pod's own IP (anti-spoofing in bpf_lxc).",
    when: "__tail_handle_ipv4 compares the IPv4 source with LXC_IPV4, the endpoint's address compiled into its bpf_lxc object (is_valid_lxc_src_ipv4), and drops on a mismatch. Typical causes: a spoofed or crafted packet, an extra address configured inside the pod, or an endpoint re-created with a new IP while the pod still uses the old one.",
    next: "Compare the packet's source with the pod's IP (kubectl get pod -o wide) and with the endpoint entry in cilium_lxc (cilium-trace maps endpoint); inside the pod, check `ip addr`.",
    source: ['bpf/bpf_lxc.c (__tail_handle_ipv4)'],
    see: ['__tail_handle_ipv4', 'cilium_lxc'],
  },
  DROP_POLICY: {
    what: "Policy denied: no entry of the endpoint's policy map (cilium_policy_<EPID>) allows this peer identity, port and protocol in this direction.",
    when: "__policy_can_access tries six keys in order ({identity, port, proto} L3-L4, {0, port, proto} L4-Only, {identity, 0, proto} L3-Proto, {0, 0, proto} Proto-Only, {identity, 0, 0} L3-Only, {0, 0, 0} all) and takes the first hit; when none exists the packet is dropped with -133. A direction is enforced once any rule selecting the endpoint has ingress (egress) rules, or always with policy enforcement mode 'always'. Egress drops happen in the sender's bpf_lxc (handle_ipv4_from_lxc), ingress drops in the destination's policy program (ipv4_policy). Replies of tracked connections (CT_REPLY, CT_RELATED) skip policy enforcement: no lookup at all.",
    next: "Read the endpoint's policy map with its provenance (cilium-trace maps policy POD --why; on a node: cilium bpf policy get EPID). Check the peer's identity in cilium_ipcache and its labels (cilium identity get ID): a peer selector that does not match those labels is the usual cause. A policy drop in a trace ends with 'why:' and the smallest policy that would allow it.",
    source: ['bpf/lib/policy.h (__policy_can_access)', 'bpf/bpf_lxc.c (handle_ipv4_from_lxc, ipv4_policy)', 'pkg/policy (rules to map entries)'],
    see: ['cilium_policy_*', 'policy_can_egress4', 'policy_can_access_ingress', 'DROP_POLICY_DENY'],
  },
  DROP_INVALID: generic(
    'Invalid packet: the datapath could not read the headers it needed (the packet is too short or malformed).',
    'Returned in many places when revalidating packet data fails, for example when an IPv4 header cannot be pulled into the linear part of the skb.',
    'Capture the packet (tcpdump on the host-side veth or the device named in the drop) and check its headers and length.',
    [DEFINED, 'bpf/bpf_lxc.c', 'bpf/bpf_host.c', 'bpf/bpf_overlay.c']),
  DROP_CT_INVALID_HDR: generic(
    'Conntrack could not read the L4 header (ports, TCP flags) it needs to build the tuple.',
    'ct_lookup4 loads the ports or ICMP fields of the packet; a truncated or malformed L4 header ends here.',
    'Capture the packet and check the L4 header; fragments without the first fragment also lack ports.',
    ['bpf/lib/conntrack.h']),
  DROP_FRAG_NEEDED: generic(
    'Fragmentation needed: the packet is larger than the path allows at a point where the datapath checks the size itself.',
    "Note that its Hubble name, CT_MISSING_TCP_ACK_FLAG, is a historic mismatch kept in flow.proto; the monitor text 'Fragmentation needed' is the real meaning.",
    'Compare the packet size with the device MTU and the route MTU (1450 for pods in VXLAN mode, as the pod routes show); check path MTU discovery (ICMP fragmentation-needed must reach the sender).',
    [DEFINED, TEXTS]),
  DROP_CT_UNKNOWN_PROTO: generic(
    'Conntrack was given a packet of an L4 protocol it cannot track.',
    'The connection tracker builds tuples for TCP, UDP and ICMP (and SCTP when enabled); other protocols end here where conntrack is required.',
    'Check the IP protocol number of the packet (tcpdump); cilium-trace only builds ICMP, TCP and UDP packets.',
    ['bpf/lib/conntrack.h']),
  DROP_UNUSED4: unused("CT: Can't create entry from packet"),
  DROP_UNKNOWN_L3: generic(
    'Unsupported L3 protocol: the Ethernet type is not one this program handles (IPv4, IPv6 when enabled, ARP).',
    "The entry programs switch on the ethertype; anything else, including IPv6 on an IPv4-only node, is dropped. In cilium-trace, cil_from_overlay reports it for non-IPv4 frames.",
    'Check the ethertype of the frame and whether the node has IPv6 enabled (enable-ipv6).',
    ['bpf/bpf_lxc.c (cil_from_container)', 'bpf/bpf_overlay.c', 'bpf/bpf_host.c']),
  DROP_MISSED_TAIL_CALL: {
    what: 'A tail call found its prog-array slot empty, so the program fell through and returned -140.',
    when: "Programs jump through cilium_calls_<...> (ep_tail_call) and cilium_call_policy[EPID] (local delivery). A slot is empty when the program was not compiled in for this configuration (a declare_tailcall_if condition), or the target endpoint's programs are not loaded yet or any more (an endpoint being created, regenerated or deleted). bpf_host's do_netdev reports the drop but still lets host traffic pass. v1.16 reports a missing policy program as DROP_EP_NOT_READY (203) instead.",
    next: "List the prog arrays and compare with the slot in the trace (cilium-trace devices --calls; on a node: bpftool map dump of the pinned calls map). Check the destination endpoint's state (cilium endpoint list: 'ready').",
    source: ['bpf/lib/maps.h (ep_tail_call)', 'bpf/lib/tailcall.h (invoke_tailcall_if)', 'bpf/lib/l3.h (ipv4_local_delivery)'],
    see: ['cilium_calls_*', 'cilium_call_policy', 'ep_tail_call'],
  },
  DROP_WRITE_ERROR: generic(
    'Error writing to packet: a helper that rewrites the packet or its metadata failed.',
    'Returned when storing bytes (MAC, address, port rewrites), changing the packet, or setting the tunnel key (ctx_set_tunnel_key in ctx_set_encap_info) fails.',
    'These failures point at the kernel or a corrupt packet rather than at configuration; check the kernel log and the drop location.',
    [DEFINED, 'bpf/lib/overloadable_skb.h', 'bpf/lib/l3.h']),
  DROP_UNKNOWN_L4: generic(
    'Unknown L4 protocol: the datapath needed the L4 header of a protocol it does not handle at that point.',
    'Defined for the places that need ports or ICMP fields and meet another protocol.',
    'Check the IP protocol of the packet.',
    [DEFINED, TEXTS]),
  DROP_UNKNOWN_ICMP_CODE: generic('An ICMPv4 message with a code the datapath does not handle where it must.', 'Defined for the ICMPv4 handling of the datapath.', 'Check the ICMP type and code of the packet.', [DEFINED, TEXTS]),
  DROP_UNKNOWN_ICMP_TYPE: generic('An ICMPv4 message of a type the datapath does not handle where it must.', 'Defined for the ICMPv4 handling of the datapath.', 'Check the ICMP type of the packet.', [DEFINED, TEXTS]),
  DROP_UNKNOWN_ICMP6_CODE: generic('An ICMPv6 message with a code the datapath does not handle.', IPV6_ONLY, 'Check the ICMPv6 type and code of the packet.', [DEFINED, 'bpf/lib/icmp6.h']),
  DROP_UNKNOWN_ICMP6_TYPE: generic('An ICMPv6 message of a type the datapath does not handle.', IPV6_ONLY, 'Check the ICMPv6 type of the packet.', [DEFINED, 'bpf/lib/icmp6.h']),
  DROP_NO_TUNNEL_KEY: generic(
    'A packet on the tunnel device had no tunnel metadata to read, so its source identity (the VNI) is unknown.',
    'bpf_overlay handle_ipv4 reads the VNI with ctx_get_tunnel_key; that fails for packets that did not come through the collect-metadata (external) VXLAN/Geneve device.',
    "Check that cilium_vxlan/cilium_geneve is an 'external' device (ip -d link show cilium_vxlan) and that nothing else injects packets into it.",
    ['bpf/bpf_overlay.c (handle_ipv4)'], ['ctx_get_tunnel_key', 'cilium_vxlan']),
  DROP_UNUSED5: unused('Error retrieving tunnel options'),
  DROP_UNUSED6: unused('Invalid Geneve option'),
  DROP_UNKNOWN_TARGET: generic(
    'Unknown L3 target address: the datapath was asked to answer for an address it does not answer for.',
    "The ARP responder of bpf_lxc (tail_handle_arp) answers every ARP request from the pod with the host-side veth's MAC, except a request for the pod's own IP; cilium-trace reports such a request with this code from arp_respond.",
    "Check the target address of the ARP request: a pod asking for its own IP (duplicate address detection) is not answered by Cilium.",
    [DEFINED, 'bpf/bpf_lxc.c (tail_handle_arp)', 'bpf/lib/arp.h'], ['tail_handle_arp']),
  DROP_UNROUTABLE: generic(
    'Stale or unroutable IP: bpf_host got a packet from the host for a destination the ipcache only knows as world.',
    "handle_ipv4 in bpf_host (from cilium_host) looks the destination up in cilium_ipcache; when only the 0.0.0.0/0 world entry matches, sending it back would loop, so it drops. For example an address inside a pod CIDR that no endpoint has: the kernel routes it to cilium_host, but nothing in the cluster owns it.",
    'Look the destination up in cilium_ipcache (cilium-trace maps ipcache) and check whether a pod still has that IP.',
    ['bpf/bpf_host.c (handle_ipv4)'], ['cilium_ipcache', 'world']),
  DROP_UNUSED7: unused('No matching local container found'),
  DROP_CSUM_L3: generic('Error while correcting the IPv4 header checksum after a rewrite (NAT, load-balancing).', 'The checksum helper (l3_csum_replace) failed.', 'Points at the kernel or a malformed packet; check the drop location.', [DEFINED]),
  DROP_CSUM_L4: generic('Error while correcting the TCP/UDP checksum after a rewrite (NAT, load-balancing).', 'The checksum helper (l4_csum_replace) failed.', 'Points at the kernel or a malformed packet; check the drop location.', [DEFINED]),
  DROP_CT_CREATE_FAILED: generic(
    'A conntrack entry could not be inserted (map update failed).',
    'ct_create4 writes to cilium_ct4_global / cilium_ct_any4_global; these are LRU maps, so a failure is rare.',
    "Check the conntrack map sizes and pressure (cilium bpf ct list global | wc -l, the agent's bpf-ct-global-* options).",
    ['bpf/lib/conntrack.h (ct_create4)'], ['cilium_ct4_global', 'cilium_ct_any4_global']),
  DROP_INVALID_EXTHDR: generic('An IPv6 extension header could not be parsed.', IPV6_ONLY, 'Capture the packet and check its extension headers.', [DEFINED, 'bpf/lib/ipv6.h']),
  DROP_FRAG_NOSUPPORT: generic(
    'IP fragmentation not supported: a fragmented packet where the datapath cannot handle fragments.',
    "Without fragment tracking (enable-ipv4-fragment-tracking), __tail_handle_ipv4 drops fragments; the policy check also drops untracked fragments because they carry no ports.",
    'Check why the sender fragments (MTU: pods in VXLAN mode must use the 1450 route MTU) and whether fragment tracking is enabled.',
    ['bpf/bpf_lxc.c (__tail_handle_ipv4)', 'bpf/lib/policy.h'], ['DROP_FRAG_NOT_FOUND']),
  DROP_NO_SERVICE: generic(
    'Service backend not found: the destination is a Service frontend but no backend could be chosen.',
    "lb4_local drops when the frontend's master entry in cilium_lb4_services_v2 has count 0 (a Service with no ready endpoints) or the chosen backend id is missing from cilium_lb4_backends_v3. With socket LB (bpf_sock) a Service without backends is not a drop at all: __sock4_xlate_fwd returns -EHOSTUNREACH and connect()/sendmsg() fail; no packet exists, so there is no drop notification and no drop reason (cilium-trace shows it as a refused connect, EHOSTUNREACH).",
    "Check the Service's endpoints (kubectl get endpoints/endpointslices) and the LB maps (cilium-trace maps lb; on a node: cilium bpf lb list).",
    ['bpf/lib/lb.h (lb4_local)', 'bpf/bpf_sock.c (__sock4_xlate_fwd)'], ['cilium_lb4_services_v2', 'cilium_lb4_backends_v3', 'lb4_local']),
  DROP_NO_TUNNEL_ENDPOINT: generic(
    'No tunnel endpoint: cilium_tunnel_map has no node for the destination, so the packet cannot be encapsulated.',
    "encap_and_redirect_lxc falls back to cilium_tunnel_map when the ipcache entry has no tunnel endpoint; a miss returns this code. bpf_lxc treats it as 'not in the cluster' and passes the packet to the stack (world traffic), so as a real drop it is rare, hence the '(datapath BUG!)' in its text.",
    'Check cilium_tunnel_map (cilium-trace maps tunnel) for the destination pod CIDR and the ipcache entry of the destination (tunnelendpoint=).',
    ['bpf/lib/encap.h (encap_and_redirect_lxc)'], ['cilium_tunnel_map', 'encap_and_redirect_lxc']),
  DROP_NAT_46X64_DISABLED: generic(
    'NAT 46/64 not enabled: a packet needed NAT46/NAT64 translation on a node without that feature.',
    "Its Hubble name, FAILED_TO_INSERT_INTO_PROXYMAP, is a historic mismatch kept in flow.proto; the monitor text is the real meaning.",
    'Check the Service or address family involved and the agent option for NAT46/64.',
    [DEFINED, TEXTS]),
  DROP_EDT_HORIZON: generic(
    'The bandwidth manager dropped the packet: its departure time was beyond the drop horizon of the rate limit (EDT).',
    "Pods with the kubernetes.io/egress-bandwidth annotation are rate-limited by earliest-departure-time scheduling; packets that would have to wait too long are dropped.",
    "Check the pod's egress-bandwidth annotation and whether the bandwidth manager is enabled.",
    ['bpf/lib/edt.h']),
  DROP_UNKNOWN_CT: generic(
    'Unknown connection tracking state: the conntrack lookup returned a state the caller does not handle.',
    'Defined for the default branch of the CT-state switches of the datapath.',
    'Should not happen; check the Cilium version and report it with the trace.',
    [DEFINED]),
  DROP_HOST_UNREACHABLE: generic('Local host is unreachable: a packet for the local host could not be handed to it.', 'Defined for paths that deliver to the host; none of the paths cilium-trace simulates produce it.', "Check the node's cilium_host device and routes.", [DEFINED]),
  DROP_NO_CONFIG: generic('No configuration available to perform a policy decision.', 'Defined in v1.13; none of the paths cilium-trace simulates produce it.', 'Check that the endpoint finished its regeneration (cilium endpoint list).', [DEFINED]),
  DROP_UNSUPPORTED_L2: generic(
    'Unsupported L2 protocol: the frame is not a usable Ethernet frame (too short, or an 802.3 frame whose type field is a length).',
    "cil_from_container validates the ethertype before anything else and drops frames it cannot dispatch.",
    "Capture on the pod's host-side veth and check the frame's type field.",
    ['bpf/bpf_lxc.c (cil_from_container)'], ['cil_from_container']),
  DROP_NAT_NO_MAPPING: generic(
    'No mapping for NAT masquerade: SNAT needed a mapping it could not find or create.',
    'The BPF SNAT engine picks a free source port in the NAT range (32768-65535 by default) for each new connection; when it cannot find one after its retries, or a packet that must be translated has no entry, it drops with this code.',
    'Check cilium_snat_v4_external (cilium-trace maps nat --after ...; on a node: cilium bpf nat list) and the number of connections to the same destination.',
    ['bpf/lib/nat.h'], ['cilium_snat_v4_external', 'snat_v4_nat']),
  DROP_NAT_UNSUPP_PROTO: generic('Unsupported protocol for NAT masquerade: BPF SNAT met a protocol it cannot translate.', 'The SNAT engine has translations for TCP, UDP and ICMP echo traffic; a packet that needs masquerading but has no translation ends here.', 'Check the protocol of the packet and whether it must be masqueraded.', ['bpf/lib/nat.h']),
  DROP_NO_FIB: generic(
    'FIB lookup failed: the kernel routing table gave no usable route for the packet the datapath wanted to forward itself.',
    'NodePort forwarding asks the kernel FIB (fib_lookup) for the egress device and next hop; no route, or a local route, ends here. (redirect_direct_v4 of BPF host routing returns CTX_ACT_DROP instead, without a drop notification.)',
    "Check the node's routes for the destination (ip route get DST) and the device the route names.",
    ['bpf/lib/fib.h (redirect_direct_v4)', 'bpf/lib/nodeport.h'], ['redirect_direct_v4', 'FIB']),
  DROP_ENCAP_PROHIBITED: generic(
    "Encapsulation traffic is prohibited: a pod sent UDP to the tunnel port (8472 for VXLAN, 6081 for Geneve).",
    "policy_can_egress (is_encap) drops pod traffic to TUNNEL_PORT before it looks the policy map up, so a pod cannot inject packets into the overlay; replies skip the egress policy check and with it this one.",
    "Check the destination port; if an application really uses it, move the tunnel (--tunnel-port).",
    ['bpf/lib/policy.h (policy_can_egress, is_encap)', 'bpf/bpf_lxc.c (handle_ipv4_from_lxc)'], ['cilium_vxlan']),
  DROP_INVALID_IDENTITY: generic(
    'Invalid identity: a packet arrived through the tunnel with VNI 1 (host), which no node ever sends.',
    'bpf_overlay handle_ipv4 takes the source identity from the VNI; a node sends its own host traffic with identity 6 (remote-node) on the wire, so identity 1 is rejected.',
    'Check the sender: only Cilium nodes of this cluster should send VXLAN/Geneve to this node.',
    ['bpf/bpf_overlay.c (handle_ipv4)'], ['host', 'remote-node']),
  DROP_UNKNOWN_SENDER: generic('Unknown sender: a code v1.13 defines for a packet whose sender the datapath cannot classify.', 'Defined in v1.13; none of the paths cilium-trace simulates produce it.', 'Check the drop location in the monitor output.', [DEFINED, TEXTS]),
  DROP_NAT_NOT_NEEDED: generic(
    'NAT not needed: an internal return value of the NAT code (alias NAT_PUNT_TO_STACK), not a real drop.',
    "The SNAT functions return it to say 'leave this packet alone and hand it to the stack'; callers turn it into CTX_ACT_OK.",
    'If it shows up as a drop, check the Cilium version and the function named in the drop.',
    ['bpf/lib/nat.h']),
  DROP_IS_CLUSTER_IP: generic(
    'Is a ClusterIP: a packet from outside the node was addressed to a ClusterIP Service frontend.',
    "nodeport_lb4 (on a native device or the overlay) found the destination in the LB maps, but the frontend is not reachable from outside (cilium bpf lb list shows it 'non-routable'), so the datapath drops it. ClusterIPs are meant for pods and hosts of the cluster.",
    'Use a NodePort or LoadBalancer Service for outside clients; check the Service type and the frontend flags (cilium-trace maps lb).',
    ['bpf/lib/nodeport.h (nodeport_lb4)'], ['nodeport_lb4', 'cilium_lb4_services_v2']),
  DROP_FRAG_NOT_FOUND: generic('A non-first fragment arrived whose first fragment (with the ports) was not seen.', 'With fragment tracking, the ports of the first fragment are remembered for the later ones; when that entry is missing the fragment cannot be classified.', 'Check for fragment reordering or loss; avoid fragmentation with a correct MTU.', [DEFINED], ['DROP_FRAG_NOSUPPORT']),
  DROP_FORBIDDEN_ICMP6: generic('A forbidden ICMPv6 message.', IPV6_ONLY, 'Check the ICMPv6 type.', [DEFINED, 'bpf/lib/icmp6.h']),
  DROP_NOT_IN_SRC_RANGE: generic(
    "Denied by the LB source range check: the client address is not in the Service's loadBalancerSourceRanges.",
    'LoadBalancer Services with source ranges carry a flag in cilium_lb4_services_v2; the datapath checks the client address against the ranges.',
    "Check the Service's spec.loadBalancerSourceRanges and the client's address after any SNAT in front of the cluster.",
    ['bpf/lib/lb.h', 'bpf/lib/nodeport.h']),
  DROP_PROXY_LOOKUP_FAILED: generic('Socket lookup failed while redirecting to the L7 proxy (TPROXY).', 'Redirecting to Envoy or the DNS proxy looks up the proxy socket; none was found.', 'Check that the proxy (cilium-envoy / the agent) is running and listening on the proxy port of the policy entry.', [DEFINED, 'bpf/lib/proxy.h']),
  DROP_PROXY_SET_FAILED: generic('Socket assign failed while redirecting to the L7 proxy (TPROXY).', 'The proxy socket was found but could not be assigned to the packet.', 'Check the proxy and kernel support for socket assignment.', [DEFINED, 'bpf/lib/proxy.h']),
  DROP_PROXY_UNKNOWN_PROTO: generic('Proxy redirection is not supported for this protocol.', 'An L7 policy redirected a packet of a protocol the proxy path cannot handle.', 'Check the L7 rule and the protocol of the flow.', [DEFINED, 'bpf/lib/proxy.h']),
  DROP_POLICY_DENY: {
    what: 'Policy denied by denylist: a deny rule (ingressDeny/egressDeny) matched this peer, port and protocol.',
    when: "The matching policy-map entry has its deny flag set; deny wins over allow because the agent removes or shadows the allows when it builds the map (deny precedence in pkg/policy/mapstate.go), and the datapath returns -181 on the first matching entry.",
    next: 'Find the deny entry and its rule (cilium-trace maps policy POD --why; on a node: cilium bpf policy get EPID, Deny rows come first). Adding an allow does not help: remove or narrow the deny rule.',
    source: ['bpf/lib/policy.h (__policy_can_access)', 'pkg/policy/mapstate.go (deny precedence)'],
    see: ['DROP_POLICY', 'cilium_policy_*'],
  },
  DROP_VLAN_FILTERED: generic('VLAN-tagged traffic was not allowed by the VLAN filter of the native device program.', 'bpf_host drops VLAN-tagged frames unless their VLAN id is allowed by the agent (vlan-bpf-bypass).', "Check the VLAN ids on the node's devices and the agent's vlan-bpf-bypass option.", ['bpf/bpf_host.c']),
  DROP_INVALID_VNI: generic('Incorrect VNI from a VTEP: a packet from an external VXLAN endpoint carried a VNI other than world (2).', 'VTEP integration only: traffic from configured VTEPs must use the world identity as VNI.', 'Check the VTEP device configuration.', ['bpf/bpf_overlay.c (handle_ipv4)']),
  DROP_INVALID_TC_BUFFER: generic(
    'Failed to update or look up the tail-call buffer that carries the conntrack result between programs.',
    'tail_ipv4_ct_egress stores the CT lookup result in a per-CPU array (CT_TAIL_CALL_BUFFER4) and tail-calls on; handle_ipv4_from_lxc reads it back. A missing entry ends here.',
    'Should not happen in a healthy node; check the Cilium version and the drop location.',
    ['bpf/bpf_lxc.c (TAIL_CT_LOOKUP4, handle_ipv4_from_lxc)'], ['tail_ipv4_ct_egress']),
  DROP_NO_SID: generic('No SRv6 SID was found for the address (SRv6 only).', 'Only with SRv6 enabled; not simulated by cilium-trace.', 'Check the SRv6 policy and SID maps.', [DEFINED]),
  DROP_MISSING_SRV6_STATE: generic('SRv6 state was removed during a tail call (SRv6 only).', 'Only with SRv6 enabled; not simulated by cilium-trace.', 'Check the SRv6 configuration.', [DEFINED]),
  DROP_NAT46: generic('L3 translation from IPv4 to IPv6 failed (NAT46).', 'Only with NAT46/64 enabled; not simulated by cilium-trace.', 'Check the NAT46/64 configuration and the packet.', [DEFINED]),
  DROP_NAT64: generic('L3 translation from IPv6 to IPv4 failed (NAT64).', 'Only with NAT46/64 enabled; not simulated by cilium-trace.', 'Check the NAT46/64 configuration and the packet.', [DEFINED]),
};

function codeAliases(code: number): string[] {
  return [String(code), `-${code}`];
}

export function dropTopics(): Topic[] {
  const out: Topic[] = [];
  for (const r of allDropReasons()) {
    const p = PROSE[r.macro];
    if (!p) throw new Error(`no explanation for ${r.macro}`);
    out.push({
      id: r.macro, kind: 'drop', title: `drop reason -${r.code} "${r.text}" (Hubble ${r.hubble})`,
      aliases: [...codeAliases(r.code), r.hubble], what: p.what, when: p.when, next: p.next, source: p.source, ...(p.see ? { see: p.see } : {}),
    });
  }
  out.push({
    id: 'DROP_UNUSED8', kind: 'drop', title: 'drop reason -159 (no monitor text, no Hubble name)', aliases: codeAliases(159),
    what: 'A retired code with no monitor text: v1.13 does not return it.',
    when: 'v1.15 and later reuse the number as DROP_UNSUPP_SERVICE_PROTO, still without a text or Hubble name; `cilium monitor` prints such codes as numbers.',
    next: 'Check which Cilium version the reporting node runs.',
    source: [DEFINED, TEXTS],
  });
  // Codes after v1.13's table, with the release that brought each (drop-reasons.ts, read from
  // common.h / drop_reasons.h, drop.go and flow.proto at v1.13.0, v1.16.15 and v1.18.3).
  for (const { reason: { code, macro, text, hubble }, since } of laterDropReasons()) {
    const profiles = RELEASES.filter((r) => atLeast(r.version, since)).map((r) => r.profile);
    if (since === '1.13.0') {
      // 189 is in v1.13.0 itself (bpf/lib/common.h, pkg/monitor/api/drop.go, flow.proto at c9723a8df3).
      out.push({
        id: macro, kind: 'drop', title: `drop reason -${code} "${text}" (Hubble ${hubble})`,
        aliases: [...codeAliases(code), hubble],
        what: `The matching policy entry has an auth_type: __policy_can_access returns it with the auth type in ext_err ("${text}", bpf/lib/policy.h:260-264 at v1.13.0); bpf_lxc lets an established connection whose entry is not auth_required through (bpf_lxc.c:1456-1458).`,
        when: 'Only with authentication in a policy rule; cilium-trace does not model it and never produces the code.',
        next: 'Check the rule\'s authentication setting and the agent\'s authentication support for the release.',
        source: [DEFINED, TEXTS],
      });
      continue;
    }
    out.push({
      id: macro, kind: 'drop', title: `drop reason -${code} "${text}" (Hubble ${hubble}) — not in v1.13, added in v${since}`,
      aliases: [...codeAliases(code), hubble],
      what: `Not a v1.13 code: v${since} added it ("${text}").`,
      when: `A node running Cilium v${since} or later reports it; of cilium-trace's profiles ${profiles.join(' and ')} ${profiles.length > 1 ? 'have' : 'has'} it, 1.13 never produces it.`,
      next: 'Check which Cilium version the reporting node runs, and read that release\'s bpf/lib/common.h (v1.18: bpf/lib/drop_reasons.h).',
      source: [`bpf/lib/common.h (v${since})`],
    });
  }
  return out.sort((a, b) => Number(a.aliases[0]) - Number(b.aliases[0]));
}
