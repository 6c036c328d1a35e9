// Observation points (bpf/lib/trace.h, v1.13) in plain words. Names and numbers come from
// src/cilium/trace-points.ts; the prose is ours.
import { TRACE_POINTS, type TracePoint } from '../../cilium/trace-points.js';
import type { Topic } from './types.js';

interface PointProse {
  readonly what: string;
  readonly when: string;
  readonly source?: readonly string[];
  readonly see?: readonly string[];
}

const AGGREGATION_TO = "With monitor aggregation (Helm's v1.13 default is 'medium') a TO_* event is reported only for packets worth reporting: new connections, TCP flag changes and about every 5 seconds per connection.";
const AGGREGATION_FROM = 'Any monitor aggregation level above none suppresses every FROM_* event, so with the Helm default (medium) you never see it in cilium monitor or Hubble.';
const NEXT = 'In a trace, the event sits in the function that sent it; `-o monitor` and `-o hubble` print it as cilium monitor and Hubble would, with the identities and ifindex it carries.';

const PROSE: Readonly<Record<TracePoint, PointProse>> = {
  TRACE_TO_LXC: {
    what: 'The packet is about to be delivered to a local endpoint (pod), after its ingress policy allowed it.',
    when: "Sent by ipv4_policy in the destination endpoint's program, right before redirect_ep, with the source and destination identities, the endpoint id and its ifindex; it also carries orig-ip. Monitor prints it as '-> endpoint <ID>'. Hubble numbers it 101 (TO_ENDPOINT) because 0 means unknown there. " + AGGREGATION_TO,
    source: ['bpf/bpf_lxc.c (ipv4_policy)', 'bpf/lib/trace.h'],
    see: ['ipv4_policy', 'redirect_ep'],
  },
  TRACE_TO_PROXY: {
    what: 'The packet is redirected to the L7 proxy (Envoy or the DNS proxy) because the policy entry it hit carries a proxy port.',
    when: "Sent by the policy code before ctx_redirect_to_proxy4; the event's destination id is the proxy port. Monitor prints '-> proxy port N'. cilium-trace does not simulate proxy redirects.",
    source: ['bpf/bpf_lxc.c', 'bpf/lib/proxy.h'],
  },
  TRACE_TO_HOST: {
    what: "The packet is handed to the local host through cilium_host (bpf_redirect to cilium_host's ingress).",
    when: "bpf_lxc uses this path for pod-to-host traffic when the host firewall is enabled; without it, host-bound traffic goes to the stack (TRACE_TO_STACK). Monitor prints '-> host from'.",
    source: ['bpf/bpf_lxc.c', 'bpf/lib/trace.h'],
    see: ['cilium_host', 'TRACE_TO_STACK'],
  },
  TRACE_TO_STACK: {
    what: "The program hands the packet to the kernel's IP stack (CTX_ACT_OK), which routes it further.",
    when: "bpf_lxc's pass_to_stack sends it for traffic the datapath does not deliver itself: to the world or to a remote node's address in tunnel mode, to other nodes in native routing without BPF host routing, and to the host without the host firewall. Monitor prints '-> stack'. " + AGGREGATION_TO,
    source: ['bpf/bpf_lxc.c (pass_to_stack)', 'bpf/lib/trace.h'],
    see: ['pass_to_stack', 'world'],
  },
  TRACE_TO_OVERLAY: {
    what: "The packet is redirected to the tunnel device (cilium_vxlan / cilium_geneve) with its tunnel key set; the kernel encapsulates it next.",
    when: "Sent by __encap_with_nodeid after ctx_set_tunnel_key succeeded (v1.13; v1.16 sends it before setting the key), with ifindex ENCAP_IFINDEX and the source identity (LOCAL_NODE_ID 6 for the host). With NodePort, tail_handle_snat_fwd_ipv4 on cilium_vxlan/geneve sends a second one, identity 0->0 and ifindex 0. Monitor prints '-> overlay'. " + AGGREGATION_TO,
    source: ['bpf/lib/encap.h', 'bpf/lib/trace.h'],
    see: ['__encap_with_nodeid', 'cilium_vxlan'],
  },
  TRACE_FROM_LXC: {
    what: 'The first event of a packet a pod sends: cil_from_container saw it at the host-side veth.',
    when: "Sent at the very start of cil_from_container with the endpoint's identity as source and no destination yet (monitor: '<- endpoint <ID>', state unknown). " + AGGREGATION_FROM,
    source: ['bpf/bpf_lxc.c (cil_from_container)', 'bpf/lib/trace.h'],
    see: ['cil_from_container'],
  },
  TRACE_FROM_PROXY: {
    what: 'A packet coming back from the L7 proxy into the datapath.',
    when: "Sent when a packet carries a proxy mark (the proxy re-injects traffic it accepted). Monitor prints '<- proxy'. " + AGGREGATION_FROM + ' cilium-trace does not simulate proxies.',
  },
  TRACE_FROM_HOST: {
    what: 'A packet the host stack routed toward the pods through cilium_host: cil_from_host saw it on cilium_host egress.',
    when: "Sent by do_netdev for cil_from_host with the identity the packet mark gives (inherit_identity_from_host: host for the host's own traffic, else world); the ipcache lookup of the source (resolve_srcid_ipv4) comes after. Typical for host-to-pod traffic and, with legacy host routing, for traffic arriving from other nodes in native routing. Monitor prints '<- host'. " + AGGREGATION_FROM,
    source: ['bpf/bpf_host.c (cil_from_host, do_netdev)'],
    see: ['cil_from_host', 'do_netdev'],
  },
  TRACE_FROM_STACK: {
    what: "A packet the datapath received from the local kernel stack.",
    when: "Monitor prints '<- stack'. " + AGGREGATION_FROM + ' None of the paths cilium-trace simulates send it.',
  },
  TRACE_FROM_OVERLAY: {
    what: 'A decapsulated packet arriving from another node: cil_from_overlay saw it on the tunnel device.',
    when: "Sent at the start of cil_from_overlay. In v1.13 the source identity in the event is 0, because the VNI is read later in handle_ipv4 (v1.16 reads it first and reports the real identity). Monitor prints '<- overlay'. " + AGGREGATION_FROM,
    source: ['bpf/bpf_overlay.c (cil_from_overlay)'],
    see: ['cil_from_overlay', 'ctx_get_tunnel_key'],
  },
  TRACE_FROM_NETWORK: {
    what: "A packet arriving on a native device (eth0): cil_from_netdev saw it at tc ingress.",
    when: "Sent by do_netdev for cil_from_netdev, which bpf_host runs on native devices only when a feature needs them (kube-proxy replacement/NodePort, host firewall, BPF masquerade...). Monitor prints '<- network'. " + AGGREGATION_FROM,
    source: ['bpf/bpf_host.c (cil_from_netdev, do_netdev)'],
    see: ['cil_from_netdev'],
  },
  TRACE_TO_NETWORK: {
    what: 'The packet leaves the node through a native device.',
    when: "With NodePort, sent on a native device by tail_handle_snat_fwd_ipv4 (slot 38, after BPF SNAT) or, for a packet already SNAT-done, by cil_to_netdev itself, both with ifindex 0; with BPF host routing also by the pod's program after redirect_direct_v4 chose the egress device. Monitor prints '-> network'. " + AGGREGATION_TO,
    source: ['bpf/bpf_host.c (cil_to_netdev)', 'bpf/lib/nodeport.h (tail_handle_snat_fwd_ipv4)', 'bpf/lib/fib.h (redirect_direct_v4)'],
    see: ['cil_to_netdev', 'redirect_direct_v4'],
  },
};

export function pointTopics(): Topic[] {
  return (Object.keys(TRACE_POINTS) as TracePoint[]).map((id) => {
    const t = TRACE_POINTS[id];
    const p = PROSE[id];
    const hubbleValue = id === 'TRACE_TO_LXC' ? 101 : t.value;
    return {
      id, kind: 'point', title: `observation point ${t.value}, monitor '${t.monitor}', Hubble ${t.hubble} (${hubbleValue})`,
      aliases: [t.monitor, t.hubble], what: p.what, when: p.when, next: NEXT,
      source: p.source ?? ['bpf/lib/trace.h'], ...(p.see ? { see: p.see } : {}),
    };
  });
}
