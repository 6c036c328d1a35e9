// Changes of Cilium's datapath, agent and CLI between releases that a trace or a map dump
// shows, each with the release that brought it and where the source says so. A profile
// asks `has(release, 'policy-lpm')`; a value that changed more than once (slot numbers, a
// print format) is a table keyed by release for inForce() (semver.ts). Adding a profile for
// another release (1.14, 1.15, 1.17) is then a matter of its citation tables: every switch
// here already knows where that release stands.
// Facts from the release sources (git show <commit>:<file>); where a change came in a patch
// release, `since` says so (e.g. 1.16.4).
import { atLeast } from './semver.js';

export interface FeatureFact {
  /** The first release that has the change. */
  readonly since: string;
  /** What changes, in the words a trace note can use. */
  readonly what: string;
  /** Where the release source shows it (file@release). */
  readonly source: string;
}

export const FEATURES = {
  // CLI and printing
  'cli-dbg': { since: '1.15.0', what: 'the agent CLI is cilium-dbg (was cilium)', source: 'CHANGELOG.md@1.15.0 (#28085), cilium-dbg/' },
  'ipcache-nodeid-hex': { since: '1.14.0', what: 'bpf ipcache list prints nodeid=0x%x', source: 'pkg/maps/ipcache/ipcache.go@1.14.0' },
  'ipcache-no-nodeid': { since: '1.15.0', what: 'the ipcache value has no node id (u16 pad)', source: 'bpf/lib/common.h, pkg/maps/ipcache/ipcache.go@1.15.0' },
  'ipcache-flags-comma': { since: '1.16.0', what: 'bpf ipcache list prints ", flags=%s"', source: 'pkg/maps/ipcache/ipcache.go@1.16.0' },
  'ipcache-flags-space': { since: '1.17.0', what: 'bpf ipcache list prints " flags=%s" (no comma)', source: 'pkg/maps/ipcache/ipcache.go@1.17.0' },
  'endpoint-sec-id': { since: '1.14.0', what: 'cilium_lxc values carry sec_id; bpf endpoint list prints sec_id=', source: 'bpf/lib/common.h, pkg/maps/lxcmap/lxcmap.go@1.14.0' },
  'endpoint-parent-ifindex': { since: '1.17.2', what: 'bpf endpoint list appends parent_ifindex=', source: 'pkg/maps/lxcmap/lxcmap.go@1.17.2, 1.18.0' },
  'endpoint-key-addrcluster': { since: '1.14.0', what: 'bpf endpoint list keys print AddrCluster (IPv6 without brackets)', source: 'pkg/maps/lxcmap/lxcmap.go@1.14.0' },
  'tunnel-value-no-nodeid': { since: '1.15.0', what: 'bpf tunnel list values print ip:key only', source: 'pkg/maps/tunnel/tunnel.go@1.15.0' },
  'policy-get-auth-prefix': { since: '1.14.0', what: 'bpf policy get has AUTH TYPE and PREFIX columns; PORT/PROTO from the LPM prefix', source: 'cilium/cmd/bpf_policy_get.go@1.14.0' },
  'policy-get-ranges': { since: '1.16.0', what: 'bpf policy get prints port ranges (8080-8095/TCP)', source: 'pkg/maps/policymap/policymap.go PortProtoString@1.16.0' },
  'policy-get-any-label': { since: '1.18.0', what: 'bpf policy get labels identity 0 as ANY (was reserved:unknown)', source: 'Documentation/operations/upgrade.rst@1.18.0' },
  'lb-list-slot-rows': { since: '1.16.0', what: 'bpf lb list prints one row per slot: VIP:port (slot)', source: 'pkg/maps/lbmap/ipv4.go@1.16.0' },
  'lb-list-proto': { since: '1.17.0', what: 'bpf lb list keys and backends carry /PROTO', source: 'pkg/maps/lbmap/ipv4.go@1.17.0' },
  'ct-list-svc-form': { since: '1.15.0', what: 'bpf ct list prints service keys as "<PROTO> SVC saddr:dport -> daddr:sport"', source: 'pkg/maps/ctmap/types.go@1.15.0' },
  'ct-list-single-counters': { since: '1.16.0', what: 'bpf ct list values print Packets= Bytes= ... BackendID=', source: 'pkg/maps/ctmap/types.go@1.16.0' },
  'ct-list-no-ifindex': { since: '1.18.0', what: 'bpf ct list values have no IfIndex=', source: 'pkg/maps/ctmap/types.go@1.18.0' },
  'ct-flag-from-tunnel': { since: '1.14.0', what: 'CT flag bit 10 is FromTunnel (AuthRequired gone)', source: 'bpf/lib/common.h, pkg/maps/ctmap/types.go@1.14.0' },
  'nat-list-needs-ct': { since: '1.14.0', what: 'bpf nat list prints NeedsCT= (was HostLocal=)', source: 'pkg/maps/nat/ipv4.go@1.14.0' },
  'nat-list-created-ago': { since: '1.15.0', what: 'bpf nat list prints Created=%dsec ago', source: 'pkg/maps/nat/ipv4.go@1.15.0' },
  'drop-file-name': { since: '1.14.0', what: 'drop notifications print the source file by name (file bpf_lxc.c:1178)', source: 'pkg/monitor/api/files.go, pkg/monitor/datapath_drop.go@1.14.0' },
  'verdict-auth-field': { since: '1.14.0', what: 'policy verdict lines print "auth: %s"', source: 'pkg/monitor/datapath_policy.go@1.14.0' },
  'hubble-file-info': { since: '1.17.0', what: 'Hubble drop flows carry file {name, line} (FileInfo)', source: 'api/v1/flow/flow.proto@1.17.0, 1.18.3; pkg/hubble/parser/threefour/parser.go decodeFileInfo@1.18.3 (absent @1.16.15)' },
  'hubble-trace-reason': { since: '1.16.0', what: 'Hubble flows carry trace_reason', source: 'api/v1/flow/flow.proto@1.16.0' },
  // maps and layouts
  'fqdn-identity-labels': { since: '1.16.0', what: 'the IPs of a DNS answer get one identity per set of fqdn:<selector> labels (was one CIDR identity per IP)', source: 'pkg/policy/api/fqdn.go IdentityLabel, pkg/fqdn/namemanager@1.16.0 (daemon/cmd/fqdn.go AllocateCIDRsForIPs@1.13.0)' },
  'dnsproxy-mark-egress': { since: '1.15.0', what: 'the DNS proxy marks its upstream sockets MagicMarkEgress 0x0B00 | identity (was MagicMarkIdentity 0x0F00), optionally with the pod\'s address (--dnsproxy-enable-transparent-mode)', source: 'pkg/fqdn/dnsproxy/proxy.go setSoMarks (9d70db891f, 2023-11-07, before the v1.15 branch; setSoMark@1.13.0)' },
  'policy-lpm': { since: '1.14.0', what: 'the policy map is an LPM trie with two lookups', source: 'bpf/lib/policy.h, bpf/lib/maps.h@1.14.0' },
  'policy-lpm-prefix-length': { since: '1.16.4', what: 'policy entries carry lpm_prefix_length; precedence by prefix length (port ranges)', source: 'bpf/lib/policy.h, bpf/lib/common.h@1.16.4' },
  'policy-deny-first': { since: '1.17.0', what: 'an L3 deny wins at once; proxy_port_priority; no CB_POLICY fallback', source: 'bpf/lib/policy.h@1.17.0' },
  'policy-map-v2': { since: '1.17.0', what: 'the policy map is cilium_policy_v2_<EP>', source: 'pkg/maps/policymap/policymap.go@1.17.0' },
  'policy-stats-map': { since: '1.18.0', what: 'policy counters live in cilium_policystats', source: 'pkg/maps/policymap/statsmap.go@1.18.0' },
  'ipcache-v2': { since: '1.18.0', what: 'the ipcache map is cilium_ipcache_v2', source: 'pkg/maps/ipcache/ipcache.go@1.18.0' },
  'no-tunnel-map': { since: '1.18.0', what: 'no tunnel map: remote pod CIDRs are ipcache entries with a tunnel endpoint (flag hastunnel)', source: 'bpf/lib/encap.h, pkg/node/manager/manager.go, daemon/cmd/datapath.go@1.18.0' },
  'lb-service-proto': { since: '1.17.0', what: 'service keys carry the L4 protocol (bpf-lb-proto-diff), with a proto 0 retry', source: 'bpf/lib/lb.h lb4_lookup_service@1.17.0' },
  'nat-needs-masquerade': { since: '1.16.0', what: 'snat_v4_needs_masquerade decides BPF masquerading (the node\'s own address with needs_ct, only in bpf_host); connections are tracked in snat_v4_(rev_)nat_handle_mapping; __snat_create; snat_v4_rewrite_headers (1.14.0 still has snat_v4_prepare_state; 1.15.0 not read)', source: 'bpf/lib/nat.h@1.14.0, 1.16.0, 1.16.15, 1.18.3' },
  'nodeport-svc-lb4': { since: '1.16.0', what: 'nodeport_lb4 hands a service hit to nodeport_svc_lb4: the frontend must be routable before lb4_local (DROP_IS_CLUSTER_IP), the CT_EGRESS entry is looked up with ct_lazy_lookup4 (CT_ENTRY_NODEPORT), a Service without backends gets the ICMP reject too; the NodePort request to a remote backend is SNATed (__snat_v4_nat) before it is encapsulated (1.15.0 not read)', source: 'bpf/lib/nodeport.h@1.16.0, 1.16.15, 1.18.3' },
  'nodeport-revdnat-direct': { since: '1.16.0', what: 'tail_nodeport_nat_ingress_ipv4 calls the reverse DNAT directly (invoke_traced_tailcall_if without a host firewall) instead of tail-calling CILIUM_CALL_IPV4_NODEPORT_REVNAT (tail call at 1.14.0; 1.15.0 not read)', source: 'bpf/lib/nodeport.h@1.14.0, 1.16.0, 1.18.3' },
  'nodeport-revdnat-remote-node': { since: '1.18.0', what: 'a NodePort reply encapsulated toward the client\'s node carries REMOTE_NODE_ID as source identity (was the program\'s SECLABEL)', source: 'bpf/lib/nodeport.h nodeport_rev_dnat_ipv4@1.17.0, 1.18.0' },
  'nodeport-egress-h': { since: '1.17.0', what: 'handle_nat_fwd, nodeport_rev_dnat_fwd_ipv4 and the SNAT-fwd tail call live in bpf/lib/nodeport_egress.h', source: 'bpf/lib/nodeport_egress.h@1.17.0, 1.18.3' },
  'host-srcid-reserved': { since: '1.13.1', what: 'bpf_host takes the ipcache identity of a packet from the network even when it is reserved (a remote node is remote-node, not world)', source: 'bpf/bpf_host.c resolve_srcid_ipv4@1.13.0, 1.16.15, 1.18.3 (cbe609ac15)' },
  'netdev-trace-ipcache-srcid': { since: '1.18.0', what: 'do_netdev sends the from-network/from-host trace after resolve_srcid_ipv4, with the ipcache identity of the source (was before it, with identity 0 from the network)', source: 'bpf/bpf_host.c do_netdev@1.16.15 (trace first), 1.18.3 (after, ipcache_srcid); 1.17 not read' },
  'ct-accounting-off': { since: '1.16.0', what: 'CONNTRACK_ACCOUNTING is off: CT entries keep Packets=0 Bytes=0 (on in v1.13.0; v1.16.15 sets it false, v1.18 --bpf-conntrack-accounting defaults to false)', source: 'daemon/cmd/daemon_main.go@1.13.0 (SetBool(ConntrackAccounting, true)), 1.16.15 (false), 1.18.3 (BPFConntrackAccounting, pkg/defaults/defaults.go:553); 1.14, 1.15 not read' },
  'ct-related-first': { since: '1.16.0', what: 'ct_create4 writes the related ICMP entry first, a plain copy of the entry (no SeenNonSyn)', source: 'bpf/lib/conntrack.h ct_create4@1.13.0 (main first, seen_non_syn = true), 1.16.15, 1.18.3; 1.14, 1.15 not read' },
  'ct-from-tunnel': { since: '1.16.0', what: 'the CT entry ipv4_policy creates for a packet from the tunnel carries FromTunnel (ct_state_new.from_tunnel)', source: 'bpf/bpf_lxc.c ipv4_policy, bpf/lib/conntrack.h ct_create_fill_entry@1.16.15, 1.18.3; 1.14, 1.15 not read' },
  'snat-done-host-mask': { since: '1.16.0', what: 'MARK_MAGIC_SNAT_DONE is 0x0300 in the MARK_MAGIC_HOST_MASK nibble: ctx_snat_done_set clears the nibble, then sets it (was |= 0x1500)', source: 'bpf/lib/common.h, bpf/lib/overloadable_skb.h@1.13.0 (0x1500, |=), 1.16.15, 1.18.3 (0x0300, mask-clear); 1.14, 1.15 not read' },
  'policy-nodeport-lookup-ipsec': { since: '1.16.0', what: 'ipv4_policy looks up the NodePort CT_EGRESS entry (ct_has_nodeport_egress_entry4) only with IPsec (v1.18: or SRv6), for hostport support', source: 'bpf/bpf_lxc.c ipv4_policy@1.13.0 (ENABLE_NODEPORT), 1.16.15:1956 (&& ENABLE_IPSEC), 1.18.3:2011 (&& (ENABLE_IPSEC || ENABLE_SRV6)); 1.14, 1.15 not read' },
  'nat-rev-icmp-type': { since: '1.16.0', what: 'snat_v4_rev_nat reverse-NATs only ICMP echo replies (and ICMP errors); any other ICMP type is NAT_PUNT_TO_STACK before snat_v4_rev_nat_can_skip (v1.13.0 took ICMP_ECHO\'s id through can_skip)', source: 'bpf/lib/nat.h snat_v4_rev_nat@1.13.0, 1.16.15:942-964, 1.18.3:1133-1163; 1.14, 1.15 not read' },
  'nat-rev-can-skip-l4-only': { since: '1.18.0', what: 'snat_v4_rev_nat calls snat_v4_rev_nat_can_skip only for TCP/UDP/SCTP, not for an ICMP echo reply', source: 'bpf/lib/nat.h snat_v4_rev_nat@1.16.15:971 (after the switch), 1.18.3:1119 (in the TCP/UDP case); 1.17 not read' },
  'overlay-ipcache-always': { since: '1.16.0', what: 'bpf_overlay handle_ipv4 looks the inner source up in the ipcache on every packet (used only when the VNI identity is remote-node)', source: 'bpf/bpf_overlay.c handle_ipv4@1.13.0 (lookup only for remote-node), 1.16.15:330, 1.18.3:396; 1.14, 1.15 not read' },
  'lxc-lookup-ep-daddr': { since: '1.16.0', what: 'handle_ipv4_from_lxc looks the destination up with __lookup_ip4_endpoint(daddr) (was lookup_ip4_endpoint(ip4))', source: 'bpf/bpf_lxc.c@1.13.0:974, 1.16.15:1133, 1.18.3:1195; 1.14, 1.15 not read' },
  'overlay-get-tunnel-key': { since: '1.18.0', what: 'cil_from_overlay reads the tunnel key through get_tunnel_key (bpf/lib/encap.h)', source: 'bpf/bpf_overlay.c cil_from_overlay@1.16.15:636 (ctx_get_tunnel_key), 1.18.3:711; 1.17 not read' },
  'lxc-validate-ethertype-first': { since: '1.18.0', what: 'cil_from_container validates the ethertype before the from-endpoint trace', source: 'bpf/bpf_lxc.c cil_from_container@1.16.15:1462-1466 (trace first), 1.18.3:1498, 1512-1514; 1.17 not read' },
  'encap-key-without-src-ip': { since: '1.16.0', what: 'ctx_set_encap_info sets the tunnel key with size TUNNEL_KEY_WITHOUT_SRC_IP unless a source IP is given (none on tc paths)', source: 'bpf/lib/overloadable_skb.h@1.13.0:197 (sizeof(key)), 1.16.15:270-287, 1.18.3:283-300; 1.14, 1.15 not read' },
  'snat-alloc-retries': { since: '1.18.0', what: 'snat_v4_new_mapping counts the port allocation retries in cilium_snat_v4_alloc_retries', source: 'bpf/lib/nat.h snat_v4_new_mapping@1.18.3:256-266 (absent @1.16.15; 1.17 not read)' },
  'host-ipv4-cont': { since: '1.14.0', what: 'bpf_host splits handle_ipv4 (NodePort, host-firewall lookups) from handle_ipv4_cont (delivery and routing), joined by CILIUM_CALL_IPV4_CONT_FROM_NETDEV/_FROM_HOST only with the host firewall', source: 'bpf/bpf_host.c@1.16.15, 1.18.3; bpf/lib/common.h@1.14.0 (the CONT slots)' },
  'egress-gateway-sentinels': { since: '1.16.0', what: 'bpf egress list prints the gateway sentinels as "Not Found" (0.0.0.0) and "Excluded CIDR" (0.0.0.1)', source: 'cilium-dbg/cmd/bpf_egress_list.go mapGatewayIP, pkg/egressgateway/manager.go@1.16.15 (1.14, 1.15 not read)' },
  'snat-fwd-src-identity': { since: '1.18.0', what: 'handle_nat_fwd passes the source identity to tail_handle_snat_fwd_ipv4 (CB_SRC_LABEL), whose trace carries it (UNKNOWN_ID before)', source: 'bpf/lib/nodeport_egress.h handle_nat_fwd, tail_handle_snat_fwd_ipv4@1.17.0, 1.18.3' },
  'to-netdev-overlay-mark': { since: '1.16.0', what: 'cil_to_netdev takes HOST_ID from a host or overlay mark, skips handle_nat_fwd for what cil_to_overlay sent (ctx_is_overlay, MARK_MAGIC_OVERLAY) and reports TO_NETWORK with that identity and the device ifindex (absent at 1.14.0; 1.15.0 not read)', source: 'bpf/bpf_host.c cil_to_netdev, bpf/bpf_overlay.c set_identity_mark@1.14.0, 1.16.0, 1.16.15, 1.18.3' },
  'lb-local-ct-first': { since: '1.16.0', what: 'lb4_local looks the CT_SERVICE entry up (ct_lazy_lookup4) before it checks svc->count == 0 (count first at 1.14.0; 1.15.0 not read)', source: 'bpf/lib/lb.h lb4_local@1.14.0, 1.16.0, 1.16.15, 1.18.3' },
  'no-endpoint-ct': { since: '1.18.0', what: 'per-endpoint CT maps are gone', source: 'Documentation/operations/upgrade.rst@1.18.0' },
  // datapath behaviour
  'call-slots-renumbered': { since: '1.18.0', what: 'CILIUM_CALL_* from 19 up renumbered; slots in bpf/lib/tailcall.h', source: 'bpf/lib/tailcall.h@1.18.0' },
  'tail-drop-notify': { since: '1.18.0', what: 'slot 1 holds tail_drop_notify (was __send_drop_notify)', source: 'bpf/lib/drop.h@1.18.0' },
  'policy-prog-cil-lxc': { since: '1.18.0', what: 'the policy programs are cil_lxc_policy / cil_lxc_policy_egress / cil_host_policy', source: 'bpf/bpf_lxc.c, bpf/bpf_host.c@1.18.0' },
  'local-delivery-h': { since: '1.18.0', what: 'local delivery is local_delivery() in bpf/lib/local_delivery.h', source: 'bpf/lib/local_delivery.h@1.18.0' },
  'redirect-ep-ingress-ifindex': { since: '1.16.0', what: 'redirect_ep falls back to ctx_redirect when ctx_get_ingress_ifindex(ctx) == 0, and sets PACKET_HOST only for packets from the tunnel', source: 'bpf/lib/common.h redirect_ep@1.16.0 (absent @1.15.0)' },
  'ep-not-ready': { since: '1.16.0', what: 'a missing policy program drops with DROP_EP_NOT_READY (203)', source: 'bpf/lib/maps.h tail_call_policy@1.16.0' },
  'no-service-reject': { since: '1.15.0', what: 'a service without backends is answered with ICMP port unreachable (service-no-backend-response=reject)', source: 'bpf/lib/lb.h __tail_no_service_ipv4, pkg/defaults/defaults.go@1.15.0' },
  'overlay-trace-identity': { since: '1.15.0', what: 'the FROM_OVERLAY trace carries the VNI identity (was 0)', source: 'bpf/bpf_overlay.c@1.15.0' },
  'to-overlay-trace-first': { since: '1.14.0', what: 'TO_OVERLAY is traced before the tunnel key is set', source: 'bpf/lib/encap.h@1.14.0' },
  'remove-unreachable-tails': { since: '1.16.0', what: 'the loader leaves out tail calls no entry point reaches', source: 'pkg/bpf/collection.go removeUnreachableTailcalls@1.16.0' },
  'host-object-patched': { since: '1.16.0', what: 'bpf_host.o is compiled once and each device gets a copy with its constants patched in (no bpf_netdev_<dev>.o, bpf_host_cilium_net.o)', source: 'pkg/datapath/loader/loader.go patchHostNetdevDatapath, compile.go@1.16.15 (1.14, 1.15 not checked)' },
  'tcx': { since: '1.16.0', what: 'programs attach with tcx when the kernel supports it (enable-tcx, default true)', source: 'pkg/datapath/loader/tc.go, daemon/cmd/daemon_main.go@1.16.0' },
  'section-entry-tc': { since: '1.14.0', what: 'entry programs sit in section "tc" and are found by symbol name', source: 'bpf/include/bpf/ctx/skb.h@1.14.0' },
  'section-tc-entry-tail': { since: '1.18.0', what: 'sections "tc/entry" and "tc/tail"; tail calls declared with __declare_tail', source: 'bpf/lib/tailcall.h, bpf/include/bpf/section.h@1.18.0' },
  'from-netdev-always': { since: '1.16.0', what: 'cil_from_netdev is attached to every auto-detected native device (derived)', source: 'pkg/datapath/linux/devices.go, pkg/datapath/loader/loader.go@1.16.0' },
  // policy semantics (agent)
  'deny-always-wins': { since: '1.14.0', what: 'deny policies always take precedence over allow policies (a CIDR allow no longer beats an overlapping deny)', source: 'Documentation/operations/upgrade.rst@1.14.0' },
  'port-ranges': { since: '1.16.0', what: 'endPort: a port rule covers a range of ports', source: 'pkg/policy/api/l4.go, bpf/lib/policy.h@1.16.0' },
  'enable-default-deny': { since: '1.16.0', what: 'rules may set enableDefaultDeny; only default-allow rules synthesise a wildcard allow', source: 'pkg/policy/api/rule.go, pkg/policy/repository.go@1.16.0' },
  'cidr-single-label': { since: '1.16.0', what: 'CIDR identities carry only their exact cidr: label plus world', source: 'pkg/labels/cidr.go@1.16.0' },
  'world-ipv4-ipv6': { since: '1.15.0', what: 'identities 9 world-ipv4 and 10 world-ipv6 (dual-stack)', source: 'pkg/identity/numericidentity.go@1.15.0' },
  'host-entity-host-only': { since: '1.16.0', what: 'the host entity selects only the local host (enable-remote-node-identity removed)', source: 'pkg/policy/api/entity.go, upgrade.rst@1.16.0' },
  'from-to-nodes': { since: '1.16.0', what: 'fromNodes / toNodes selectors (enable-node-selector-labels)', source: 'pkg/policy/api/ingress.go@1.16.0' },
  'node-identity-cluster-label': { since: '1.18.0', what: 'with enable-node-selector-labels a remote node\'s identity carries k8s:io.cilium.k8s.policy.cluster, and fromNodes/toNodes selectors match the local cluster by default (1.17 not read)', source: 'pkg/node/manager/manager.go nodeIdentityLabels, pkg/k8s/apis/cilium.io/utils/utils.go addClusterFilterByDefault@1.16.15, 1.18.3' },
  'cnp-no-init': { since: '1.15.0', what: 'a CiliumNetworkPolicy can no longer select reserved:init', source: 'Documentation/operations/upgrade.rst@1.15.0' },
  // the L7 proxy
  'envoy-daemonset': { since: '1.16.0', what: 'Envoy runs in the cilium-envoy DaemonSet (Helm envoy.enabled: true for new installations), not inside the agent pod', source: 'install/kubernetes/cilium/values.yaml envoy.enabled, templates/_helpers.tpl@1.16.15 (no envoy section@1.13.0)' },
} as const satisfies Record<string, FeatureFact>;

export type Feature = keyof typeof FEATURES;

/** Does `version` (v1.16.15) have the change? */
export function hasFeature(version: string, feature: Feature): boolean {
  return atLeast(version, FEATURES[feature].since);
}
