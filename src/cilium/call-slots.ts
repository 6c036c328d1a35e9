// Tail-call slot numbers of Cilium v1.13.0 (bpf/lib/common.h:83-127 CILIUM_CALL_*), the
// prog-array size CILIUM_CALL_SIZE (common.h:128, 40 at v1.13.0), and the map ids of
// bpf/lib/ids.h. Only the slots the simulator fills or reads are named here; the numbers are
// the real ones.

export const CILIUM_CALL = {
  DROP_NOTIFY: 1,
  ERROR_NOTIFY: 2,
  ARP: 6,
  IPV4_FROM_LXC: 7, // alias IPV4_FROM_NETDEV, IPV4_FROM_OVERLAY
  IPV6_FROM_LXC: 10,
  IPV4_TO_LXC_POLICY_ONLY: 11,
  IPV4_TO_ENDPOINT: 13,
  IPV4_NODEPORT_NAT_EGRESS: 15,
  IPV4_NODEPORT_REVNAT: 17,
  IPV4_NODEPORT_NAT_FWD: 19,
  IPV4_FROM_HOST: 22,
  IPV4_FROM_LXC_CONT: 25,
  IPV4_CT_INGRESS: 27,
  IPV4_CT_INGRESS_POLICY_ONLY: 28,
  IPV4_CT_EGRESS: 29,
  IPV4_NODEPORT_NAT_INGRESS: 36,
  IPV4_NODEPORT_SNAT_FWD: 38,
} as const;

export const CILIUM_CALL_SIZE = 40;

/** Name of a slot for display, e.g. 7 -> CILIUM_CALL_IPV4_FROM_LXC. */
export function callSlotName(slot: number, object: 'bpf_lxc' | 'bpf_host' | 'bpf_overlay'): string {
  if (slot === 7) {
    return object === 'bpf_lxc' ? 'CILIUM_CALL_IPV4_FROM_LXC'
      : object === 'bpf_host' ? 'CILIUM_CALL_IPV4_FROM_NETDEV' : 'CILIUM_CALL_IPV4_FROM_OVERLAY';
  }
  for (const [k, v] of Object.entries(CILIUM_CALL)) if (v === slot) return `CILIUM_CALL_${k}`;
  return `slot ${slot}`;
}
