// The ideas students ask about first, before any one function or map: what a security
// identity is, what a tail call is, the conntrack states, the enforcement modes, socket LB
// and kube-proxy replacement, masquerading, Hubble. Plain words, each pointing at the trace
// steps, maps and topics that show it, and at the Cilium source that does it.
import type { Topic } from './types.js';

type C = readonly [title: string, what: string, when: string, next: string, source: readonly string[], see: readonly string[], aliases: readonly string[]];

const CONCEPTS: Readonly<Record<string, C>> = {
  identity: [
    'concept: security identity (a number for a set of labels)',
    'Cilium does not enforce policy on IP addresses: every endpoint gets a numeric security identity, shared by all pods with the same identity-relevant labels (namespace, pod labels, service account, cluster).',
    'The agent allocates identities (1..255 reserved, cluster-wide from 256, local CIDR/FQDN identities from 16777216) and writes, per node, IP → identity into the ipcache. A packet\'s source identity comes from the endpoint that sent it (SECLABEL of its bpf_lxc), from the VNI in tunnel mode, or from an ipcache lookup; policy maps are keyed by the peer\'s identity, never its address. Two pods with the same labels share one identity and one set of policy entries.',
    'cilium-trace maps ipcache (IP → identity) and maps policy POD --why (identity → why allowed); the trace header names both identities of the flow.',
    ['pkg/identity/numericidentity.go', 'pkg/labelsfilter/filter.go', 'bpf/lib/eps.h (lookup_ip4_remote_endpoint)'],
    ['cilium_ipcache', 'world', 'host', 'remote-node', 'local-identity', 'cluster-identity'],
    ['security identity', 'identities', 'security-identity', 'seclabel'],
  ],
  'tail-call': [
    'concept: tail call (a BPF program jumping to another one)',
    'A tail call (bpf_tail_call) jumps from one BPF program to another through a prog array, never returning: Cilium splits its datapath into many small programs this way, to stay under the verifier\'s limits and to skip code a configuration does not need.',
    'Each object has its own prog array (cilium_calls_<EPID>, cilium_calls_netdev_<ifindex>, cilium_calls_overlay_2, …) with one slot per CILIUM_CALL_* number (bpf/lib/common.h to v1.17, bpf/lib/tailcall.h in v1.18, which renumbers from 19 up). ep_tail_call jumps to a slot of the running object\'s own array; local delivery jumps to the destination endpoint\'s policy program through cilium_call_policy[EPID]. An empty slot is DROP_MISSED_TAIL_CALL (140) — from v1.16 a missing policy program is DROP_EP_NOT_READY (203). invoke_tailcall_if makes some calls plain function calls when the configuration does not need the split; the trace says "is not a tail call here".',
    'cilium-trace maps calls (or devices --calls) lists which program each slot holds; a trace prints every jump as "tail call cilium_calls_NNNNN[slot] (CILIUM_CALL_…) → program".',
    ['bpf/lib/maps.h (ep_tail_call)', 'bpf/lib/common.h, bpf/lib/tailcall.h (CILIUM_CALL_*)'],
    ['ep_tail_call', 'cilium_calls_*', 'DROP_MISSED_TAIL_CALL'],
    ['tail call', 'tail calls', 'tailcall', 'bpf_tail_call'],
  ],
  'conntrack-states': [
    'concept: connection tracking states (CT_NEW, CT_ESTABLISHED, CT_REPLY, CT_RELATED)',
    'Cilium keeps its own connection tracking in BPF maps (cilium_ct4_global for TCP, cilium_ct_any4_global for the rest): the first packet of a flow is CT_NEW and creates an entry; later packets in the same direction are CT_ESTABLISHED, packets in the other direction CT_REPLY, ICMP errors about the flow CT_RELATED.',
    'The state decides what runs: policy is looked up for CT_NEW and CT_ESTABLISHED (a verdict event only for new flows) and skipped for CT_REPLY and CT_RELATED, so replies pass without a rule; service connections remember their backend and reverse-NAT index in the entry. Each lookup tries the reply direction (TUPLE_F_IN) and the original one (TUPLE_F_OUT). Entries expire (TCP after close or the lifetime, other protocols after a minute without packets).',
    'cilium-trace SRC DST --reply traces the reply on the entries the forward trace created; maps ct --after "SRC DST PROTO" dumps them; --ct established|reply|related assumes a state.',
    ['bpf/lib/conntrack.h (ct_lookup4, ct_create4)', 'pkg/maps/ctmap'],
    ['cilium_ct4_global', 'ct_lookup4', 'ct_create4'],
    ['ct states', 'ct state', 'ct_new', 'ct_established', 'ct_reply', 'ct_related', 'connection tracking'],
  ],
  'enforcement-modes': [
    'concept: policy enforcement modes (default, always, never)',
    'Whether an endpoint enforces policy in a direction: in the default mode only once a policy selects it with rules for that direction; with always every endpoint is default-deny in both directions; with never nothing is enforced.',
    'The agent option enable-policy sets the mode. In default mode a pod no policy selects allows everything: its policy map holds allow-all entries, and the trace says "not enforced". The first policy selecting it with ingress rules makes ingress default-deny (only what some rule allows passes); egress likewise. Deny rules win over allow rules. From v1.16 a rule may set enableDefaultDeny: false to add its allows without turning on default deny. Health, host and (in Kubernetes mode) kubelet traffic have their own allowances.',
    'cilium-trace maps policy POD --why names, for each entry, the rule (or the default) it comes from; validate lists policies that select nothing.',
    ['pkg/policy/repository.go (computePolicyEnforcementAndRules)', 'pkg/option/config.go (enable-policy)'],
    ['cilium_policy_*', 'DROP_POLICY'],
    ['enforcement', 'enforcement mode', 'policy enforcement', 'default deny', 'default-deny'],
  ],
  'socket-lb': [
    'concept: socket LB and kube-proxy replacement',
    'With kube-proxy replacement Cilium translates Service addresses in BPF instead of iptables: socket LB (cgroup connect/sendmsg hooks, bpf_sock) rewrites the destination when a pod or the host connects to a ClusterIP, so the packet leaves with the backend address; NodePort traffic from outside is translated in bpf_host on the native device.',
    'Socket LB runs once per connection, in the connect() system call: there is no per-packet translation and no DNAT in the trace of the packet itself, and a Service without backends fails the call (EHOSTUNREACH) without any packet. Without socket LB (kube-proxy replacement off) bpf_lxc translates per packet (lb4_lookup_service, lb4_local) and keeps the reverse NAT in conntrack; v1.15+ answers a Service without backends with an ICMP port unreachable. v1.13 spells the option kube-proxy-replacement strict/partial/disabled, v1.16+ true/false.',
    'cilium-trace maps lb shows the service map; a trace to svc:NAME shows the cgroup/connect4 step (socket LB) or the per-packet lookup.',
    ['bpf/bpf_sock.c (__sock4_xlate_fwd)', 'bpf/lib/lb.h (lb4_local)', 'bpf/lib/nodeport.h (nodeport_lb4)', 'daemon/cmd/kube_proxy_replacement.go'],
    ['cil_sock4_connect', 'lb4_local', 'cilium_lb4_services_v2', 'nodeport_lb4'],
    ['socket lb', 'kube-proxy replacement', 'kube-proxy-replacement', 'kpr', 'kubeproxyreplacement', 'socket load balancing'],
  ],
  masquerading: [
    'concept: masquerading (source NAT of traffic leaving the cluster)',
    'Pod addresses are private to the cluster, so traffic from a pod to the outside world leaves with the node\'s address: masquerading rewrites the source, and the reply is translated back.',
    'Cilium masquerades with iptables (the default) or in BPF (bpf.masquerade=true, which needs kube-proxy replacement): cil_to_netdev on the native device SNATs what leaves the node, records the mapping in cilium_snat_v4_external and the reverse in the same map, and reverses it for the reply in cil_from_netdev. Traffic to other pods and nodes of the cluster (ipv4-native-routing-cidr, the pod CIDR) is not masqueraded; egress gateway policies move the masquerading to a gateway node.',
    'cilium-trace pod1 8.8.8.8 tcp/443 --reply shows the SNAT and its reverse; maps nat --after "SRC DST PROTO" the entries.',
    ['bpf/lib/nat.h (snat_v4_nat, snat_v4_needs_masquerade)', 'bpf/lib/nodeport.h (tail_handle_snat_fwd_ipv4)'],
    ['cilium_snat_v4_external', 'snat_v4_nat', 'tail_handle_snat_fwd_ipv4'],
    ['masquerade', 'source nat', 'bpf masquerade'],
  ],
  fqdn: [
    'concept: DNS-based policy (toFQDNs and the DNS proxy)',
    'A toFQDNs rule allows names, but the datapath knows only identities: the agent learns which addresses a name has from the DNS answers its DNS proxy forwards, gives those addresses identities and writes them into the ipcache and the policy maps of the endpoints whose rules match the name.',
    'The DNS proxy sees a pod\'s lookups only when a port-53 egress rule has rules.dns (matchName, or matchPattern where * stays inside one label): that makes the policy map entry redirect to the proxy (TRACE_TO_PROXY), which allows or REFUSES the query and, for an allowed one, notes the answer. v1.13.0 gives each answered address a CIDR identity (AllocateCIDRsForIPs, from 16777217); v1.16+ one identity per set of fqdn:<selector> labels plus reserved:world. Only the agent of the node that saw the answer learns it. Without rules.dns the lookup still works at L4 but bypasses the proxy, the address stays world and the connection is dropped: the classic "forgot to allow DNS".',
    'cilium-trace SRC NAME tcp/PORT --resolve NAME=IP traces the lookup, then the connection over the maps the answer fills; exercise 10 is the forgotten DNS rule.',
    ['pkg/fqdn/dnsproxy/proxy.go (ServeDNS, CheckAllowed)', 'pkg/fqdn/matchpattern/matchpattern.go', 'daemon/cmd/fqdn.go (notifyOnDNSMsg)', 'pkg/policy/api/fqdn.go (IdentityLabel)'],
    ['ctx_redirect_to_proxy4', 'cilium_ipcache', 'local-identity'],
    ['tofqdns', 'dns proxy', 'dns-proxy', 'fqdn policy', 'dns policy', 'forgot dns'],
  ],
  hubble: [
    'concept: Hubble (the flow log built from the datapath\'s events)',
    'Hubble turns the events Cilium\'s BPF programs send (trace, drop, policy-verdict and socket events on the perf ring buffer) into flows: who talked to whom, with identities, verdict and drop reason, one JSON object per event.',
    'Every trace step that sends an event (send_trace_notify at an observation point, send_drop_notify, send_policy_verdict_notify) is a Hubble flow, filtered by monitor aggregation (medium by default: trace events only for the first packets of a connection and when its TCP flags change). Observation points name where a packet was seen (from-endpoint, to-overlay, to-stack…), drops carry DROP_* codes with their Hubble names (POLICY_DENIED). `cilium monitor` prints the same events as text.',
    'cilium-trace SRC DST -o hubble prints the flows this trace would produce (hubble observe -o json), -o monitor the cilium monitor lines.',
    ['pkg/hubble/parser/threefour', 'pkg/monitor/datapath_trace.go', 'bpf/lib/trace.h'],
    ['TRACE_TO_LXC', 'DROP_POLICY'],
    ['hubble observe', 'flows', 'flow log', 'cilium monitor', 'monitor'],
  ],
};

export function conceptTopics(): Topic[] {
  return Object.entries(CONCEPTS).map(([id, [title, what, when, next, source, see, aliases]]) => ({ id, kind: 'concept', title, aliases, what, when, next, source, see }));
}
