// Tail-call slots by name. The numbers differ per release (v1.18 renumbers from 19 up:
// bpf/lib/tailcall.h@v1.18.3 vs bpf/lib/common.h@v1.13.0/v1.16.15), so programs name the
// CILIUM_CALL_<NAME> they jump to and the running release (release.calls) gives the slot,
// as the C preprocessor does for each release's build.
import type { CiliumRelease } from './releases/release.js';

/** The CILIUM_CALL_* names the simulator fills or reads (IPv4 only). */
export const CILIUM_CALL = {
  DROP_NOTIFY: 'DROP_NOTIFY',
  ERROR_NOTIFY: 'ERROR_NOTIFY',
  ARP: 'ARP',
  IPV4_FROM_LXC: 'IPV4_FROM_LXC', // alias IPV4_FROM_NETDEV, IPV4_FROM_OVERLAY (same slot 7)
  IPV6_FROM_LXC: 'IPV6_FROM_LXC',
  IPV4_TO_LXC_POLICY_ONLY: 'IPV4_TO_LXC_POLICY_ONLY',
  IPV4_TO_ENDPOINT: 'IPV4_TO_ENDPOINT',
  IPV4_NODEPORT_NAT_EGRESS: 'IPV4_NODEPORT_NAT_EGRESS',
  IPV4_NODEPORT_REVNAT: 'IPV4_NODEPORT_REVNAT',
  IPV4_NODEPORT_NAT_FWD: 'IPV4_NODEPORT_NAT_FWD',
  IPV4_FROM_HOST: 'IPV4_FROM_HOST',
  IPV4_FROM_LXC_CONT: 'IPV4_FROM_LXC_CONT',
  IPV4_CT_INGRESS: 'IPV4_CT_INGRESS',
  IPV4_CT_INGRESS_POLICY_ONLY: 'IPV4_CT_INGRESS_POLICY_ONLY',
  IPV4_CT_EGRESS: 'IPV4_CT_EGRESS',
  IPV4_NODEPORT_NAT_INGRESS: 'IPV4_NODEPORT_NAT_INGRESS',
  IPV4_NODEPORT_SNAT_FWD: 'IPV4_NODEPORT_SNAT_FWD',
  IPV4_NO_SERVICE: 'IPV4_NO_SERVICE',
} as const;

export type CallName = (typeof CILIUM_CALL)[keyof typeof CILIUM_CALL];

export type CallObject = 'bpf_lxc' | 'bpf_host' | 'bpf_overlay';

/** The slot of CILIUM_CALL_<name> at `release`; a name the release lacks is a bug of ours. */
export function callSlot(release: CiliumRelease, name: CallName): number {
  const slot = release.calls.slot(name);
  if (slot === undefined) throw new Error(`Cilium ${release.version} defines no CILIUM_CALL_${name} in ${release.calls.file}`);
  return slot;
}

/**
 * The name of a slot as the object's source writes it: slot 7 is CILIUM_CALL_IPV4_FROM_LXC in
 * bpf_lxc, _FROM_NETDEV in bpf_host and _FROM_OVERLAY in bpf_overlay (aliases of one number).
 */
export function callSlotName(name: CallName, object: CallObject): string {
  if (name === 'IPV4_FROM_LXC') {
    return object === 'bpf_lxc' ? 'CILIUM_CALL_IPV4_FROM_LXC'
      : object === 'bpf_host' ? 'CILIUM_CALL_IPV4_FROM_NETDEV' : 'CILIUM_CALL_IPV4_FROM_OVERLAY';
  }
  return `CILIUM_CALL_${name}`;
}

/** A slot's name for display when only its number is known (prog-array views). */
export function slotDisplayName(release: CiliumRelease, slot: number, object: CallObject): string {
  const names = release.calls.names(slot);
  if (slot === release.calls.slot('IPV4_FROM_LXC')) return callSlotName('IPV4_FROM_LXC', object);
  return names.length > 0 ? `CILIUM_CALL_${names[0]}` : `slot ${slot}`;
}
