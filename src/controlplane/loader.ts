// The loader: which BPF objects are compiled for which device, which programs land in which
// prog-array slot, and which program is attached to which tc hook.
// Mirrors pkg/datapath/loader/loader.go (reloadHostDatapath, endpoint attach) and bpf/init.sh
// of v1.13, with the slot occupancy of the reference (bpf_lxc.c, bpf_host.c, bpf_overlay.c
// __section_tail declarations and their declare_tailcall_if conditions). IPv4-only, so the
// IPv6 slots and the dual-stack-only tail calls (28, 11, and 19 CILIUM_CALL_IPV4_NODEPORT_NAT_FWD:
// declare_tailcall_if in nodeport.h:2365-2370) are absent. pkg/bpf/collection.go puts every
// "2/N" section of an object into its CILIUM_MAP_CALLS; init.sh's tc does the same for bpf_overlay.
import { callSlot, CILIUM_CALL, type CallName } from '../cilium/call-slots.js';
import type { CiliumRelease } from '../cilium/releases/release.js';
import { CALL_POLICY_MAP, OVERLAY_CALLS_MAP, ProgArray, hostCallsMapName, lxcCallsMapName, netdevCallsMapName, type BpfObject, type ObjectConfig, type ProgramRef } from '../maps/callmap.js';

export interface LoaderFeatures {
  readonly perPacketLb: boolean;
  readonly nodePort: boolean;
  readonly arpResponder: boolean;
}

/** Hands out program ids in load order, as the kernel does (deterministic here). */
export class ProgIdAllocator {
  constructor(private next: number) {}
  take(): number {
    return this.next++;
  }
}

function prog(object: BpfObject, name: string, section: string, config: ObjectConfig, ids: ProgIdAllocator): ProgramRef {
  return { object, name, section, config, progId: ids.take() };
}

export interface LoadedObject {
  readonly entry: Record<string, ProgramRef>; // attach role (from-container, to-host, …) -> entry program
  readonly calls: ProgArray;
}

/**
 * The ELF section of an entry program: named per hook at v1.13.0 (`from-container`), `tc`
 * (__section_entry, bpf/include/bpf/ctx/skb.h@v1.16.15) and `tc/entry` (bpf/include/bpf/section.h@v1.18.3).
 */
function entrySection(r: CiliumRelease, role: string): string {
  return r.has('section-tc-entry-tail') ? 'tc/entry' : r.has('section-entry-tc') ? 'tc' : role;
}

/** The section of a tail call: `2/<slot>` (__section_tail(CILIUM_MAP_CALLS, slot)); `tc/tail` with __declare_tail (v1.18). */
function tailSection(r: CiliumRelease, slot: number): string {
  return r.has('section-tc-entry-tail') ? 'tc/tail' : `2/${slot}`;
}

/** The rev-NAT program of slot 17 (bpf/lib/nodeport.h): renamed in v1.15 and v1.18. */
function revNatProgram(r: CiliumRelease): string {
  return r.pick({ '1.13.0': 'tail_rev_nodeport_lb4', '1.15.0': 'tail_nodeport_rev_dnat_ingress_ipv4', '1.18.0': 'tail_nodeport_rev_dnat_ipv4' });
}

/** The slot-1 program: __send_drop_notify, tail_drop_notify from v1.18 (bpf/lib/drop.h). */
function dropNotifyProgram(r: CiliumRelease): string {
  return r.has('tail-drop-notify') ? 'tail_drop_notify' : '__send_drop_notify';
}

/**
 * SERVICE_NO_BACKEND_RESPONSE (service-no-backend-response=reject, the default from v1.15:
 * pkg/defaults/defaults.go) compiles tail_no_service_ipv4 (bpf/lib/lb.h), which the service
 * lookups of nodeport_lb4 and of bpf_lxc's per-packet LB tail-call.
 */
function noServiceTail(r: CiliumRelease): boolean {
  return r.has('no-service-reject');
}

type Tail = (name: CallName, program: string) => void;

function tails(r: CiliumRelease, object: BpfObject, calls: ProgArray, cfg: ObjectConfig, ids: ProgIdAllocator): Tail {
  return (name, program) => {
    const slot = callSlot(r, name);
    calls.set(slot, prog(object, program, tailSection(r, slot), cfg, ids));
  };
}

/**
 * bpf_lxc.o for one endpoint: entry from-container, its calls map and its policy program.
 * v1.13.0 loads every "2/N" section; from v1.16 the loader drops the tail calls no entry point
 * reaches (removeUnreachableTailcalls, pkg/bpf/collection.go@v1.16.15): cil_from_container
 * reaches 7 and 6, cil_to_container (compiled though not attached) 27 -> 13, handle_ipv4_from_lxc
 * 17 with NodePort; nothing in bpf_lxc reaches tail_handle_snat_fwd_ipv4 (38, bpf_host's
 * handle_nat_fwd does), so it is left out.
 */
export function loadLxcObject(r: CiliumRelease, cfg: Extract<ObjectConfig, { kind: 'lxc' }>, f: LoaderFeatures, ids: ProgIdAllocator): LoadedObject & { handlePolicy: ProgramRef; egressPolicy?: ProgramRef } {
  const entry = { 'from-container': prog('bpf_lxc', 'cil_from_container', entrySection(r, 'from-container'), cfg, ids) };
  const calls = new ProgArray(cfg.callsMap, r.calls.size);
  const tail = tails(r, 'bpf_lxc', calls, cfg, ids);
  const pruned = r.has('remove-unreachable-tails');
  tail(CILIUM_CALL.DROP_NOTIFY, dropNotifyProgram(r));
  if (f.arpResponder) tail(CILIUM_CALL.ARP, 'tail_handle_arp');
  tail(CILIUM_CALL.IPV4_FROM_LXC, 'tail_handle_ipv4');
  tail(CILIUM_CALL.IPV4_TO_ENDPOINT, 'tail_ipv4_to_endpoint');
  if (f.nodePort) {
    // nodeport.h's tail programs land in every object that includes it (bpf_lxc too).
    tail(CILIUM_CALL.IPV4_NODEPORT_REVNAT, revNatProgram(r));
    if (!pruned) tail(CILIUM_CALL.IPV4_NODEPORT_SNAT_FWD, 'tail_handle_snat_fwd_ipv4');
  }
  if (f.perPacketLb) {
    tail(CILIUM_CALL.IPV4_FROM_LXC_CONT, 'tail_handle_ipv4_cont');
    tail(CILIUM_CALL.IPV4_CT_EGRESS, 'tail_ipv4_ct_egress');
    if (noServiceTail(r)) tail(CILIUM_CALL.IPV4_NO_SERVICE, 'tail_no_service_ipv4');
  }
  tail(CILIUM_CALL.IPV4_CT_INGRESS, 'tail_ipv4_ct_ingress');
  // The ingress policy program in cilium_call_policy[EPID]: handle_policy in section
  // 1/<LXC_ID> (__section_tail(CILIUM_MAP_POLICY, TEMPLATE_LXC_ID)) to v1.16; cil_lxc_policy,
  // an entry the loader inserts, from v1.18 (bpf/bpf_lxc.c@v1.18.3).
  const handlePolicy = r.has('policy-prog-cil-lxc')
    ? prog('bpf_lxc', 'cil_lxc_policy', entrySection(r, ''), cfg, ids)
    : prog('bpf_lxc', 'handle_policy', `1/0x${cfg.lxcId.toString(16)}`, cfg, ids);
  // v1.18 always builds cil_lxc_policy_egress (its body only with ENABLE_L7_LB) and the loader
  // inserts it into cilium_egresscall_policy[EPID] (pkg/datapath/loader/loader.go@v1.18.3:628);
  // before, handle_policy_egress exists only with ENABLE_L7_LB, which no scenario enables.
  if (r.has('policy-prog-cil-lxc')) return { entry, calls, handlePolicy, egressPolicy: prog('bpf_lxc', 'cil_lxc_policy_egress', entrySection(r, ''), cfg, ids) };
  return { entry, calls, handlePolicy };
}

/**
 * bpf_host's tail calls. The host firewall is off, so tail_handle_ipv4_cont_from_host/_netdev
 * (v1.14+, invoke_tailcall_if(ENABLE_HOST_FIREWALL)) are direct calls and never loaded.
 */
function hostTailCalls(r: CiliumRelease, calls: ProgArray, cfg: ObjectConfig, f: LoaderFeatures, ids: ProgIdAllocator): void {
  const tail = tails(r, 'bpf_host', calls, cfg, ids);
  tail(CILIUM_CALL.DROP_NOTIFY, dropNotifyProgram(r));
  tail(CILIUM_CALL.IPV4_FROM_LXC, 'tail_handle_ipv4_from_netdev');
  if (f.nodePort) {
    tail(CILIUM_CALL.IPV4_NODEPORT_NAT_EGRESS, 'tail_nodeport_nat_egress_ipv4');
    tail(CILIUM_CALL.IPV4_NODEPORT_REVNAT, revNatProgram(r));
    tail(CILIUM_CALL.IPV4_NODEPORT_NAT_INGRESS, 'tail_nodeport_nat_ingress_ipv4');
    tail(CILIUM_CALL.IPV4_NODEPORT_SNAT_FWD, 'tail_handle_snat_fwd_ipv4');
    if (noServiceTail(r)) tail(CILIUM_CALL.IPV4_NO_SERVICE, 'tail_no_service_ipv4');
  }
  tail(CILIUM_CALL.IPV4_FROM_HOST, 'tail_handle_ipv4_from_host');
}

/** bpf_host.o for cilium_host: to-host on ingress, from-host on egress. */
export function loadHostObject(r: CiliumRelease, cfg: Extract<ObjectConfig, { kind: 'host' }>, f: LoaderFeatures, ids: ProgIdAllocator): LoadedObject {
  const entry = {
    'to-host': prog('bpf_host', 'cil_to_host', entrySection(r, 'to-host'), cfg, ids),
    'from-host': prog('bpf_host', 'cil_from_host', entrySection(r, 'from-host'), cfg, ids),
  };
  const calls = new ProgArray(cfg.callsMap, r.calls.size);
  hostTailCalls(r, calls, cfg, f, ids);
  return { entry, calls };
}

/** bpf_host.o compiled for cilium_net (to-host only) or a native device (from/to-netdev). */
export function loadNetdevObject(r: CiliumRelease, cfg: Extract<ObjectConfig, { kind: 'host' }>, role: 'cilium_net' | 'native', f: LoaderFeatures, ids: ProgIdAllocator): LoadedObject {
  const entry: Record<string, ProgramRef> = role === 'cilium_net'
    ? { 'to-host': prog('bpf_host', 'cil_to_host', entrySection(r, 'to-host'), cfg, ids) }
    : {
        'from-netdev': prog('bpf_host', 'cil_from_netdev', entrySection(r, 'from-netdev'), cfg, ids),
        'to-netdev': prog('bpf_host', 'cil_to_netdev', entrySection(r, 'to-netdev'), cfg, ids),
      };
  const calls = new ProgArray(cfg.callsMap, r.calls.size);
  hostTailCalls(r, calls, cfg, f, ids);
  return { entry, calls };
}

/** bpf_overlay.o for cilium_vxlan/geneve (init.sh at v1.13.0, the Go loader from v1.14), SECLABEL 2 (world). */
export function loadOverlayObject(r: CiliumRelease, f: LoaderFeatures, ids: ProgIdAllocator): LoadedObject {
  const cfg: ObjectConfig = { kind: 'overlay', seclabel: 2, callsMap: OVERLAY_CALLS_MAP };
  const entry = {
    'from-overlay': prog('bpf_overlay', 'cil_from_overlay', entrySection(r, 'from-overlay'), cfg, ids),
    'to-overlay': prog('bpf_overlay', 'cil_to_overlay', entrySection(r, 'to-overlay'), cfg, ids),
  };
  const calls = new ProgArray(OVERLAY_CALLS_MAP, r.calls.size);
  const tail = tails(r, 'bpf_overlay', calls, cfg, ids);
  tail(CILIUM_CALL.DROP_NOTIFY, dropNotifyProgram(r));
  tail(CILIUM_CALL.IPV4_FROM_LXC, 'tail_handle_ipv4');
  if (f.nodePort) {
    tail(CILIUM_CALL.IPV4_NODEPORT_NAT_EGRESS, 'tail_nodeport_nat_egress_ipv4');
    tail(CILIUM_CALL.IPV4_NODEPORT_REVNAT, revNatProgram(r));
    tail(CILIUM_CALL.IPV4_NODEPORT_NAT_INGRESS, 'tail_nodeport_nat_ingress_ipv4');
    tail(CILIUM_CALL.IPV4_NODEPORT_SNAT_FWD, 'tail_handle_snat_fwd_ipv4');
    if (noServiceTail(r)) tail(CILIUM_CALL.IPV4_NO_SERVICE, 'tail_no_service_ipv4');
  }
  return { entry, calls };
}

export function newCallPolicyArray(): ProgArray {
  return new ProgArray(CALL_POLICY_MAP, 65535);
}

/** cilium_egresscall_policy (PolicyEgressCallMapName, pkg/maps/policymap/policymap.go@v1.18.3:31), sized as cilium_call_policy. */
export function newEgressCallPolicyArray(): ProgArray {
  return new ProgArray('cilium_egresscall_policy', 65535);
}

export { lxcCallsMapName, hostCallsMapName, netdevCallsMapName };

/** bpf_sock.o at the cgroup v2 root (init.sh): only with socket LB (kube-proxy replacement). */
export function loadSockPrograms(ids: ProgIdAllocator): Map<string, ProgramRef> {
  const cfg: ObjectConfig = { kind: 'sock' };
  const out = new Map<string, ProgramRef>();
  for (const [attach, name] of [['connect4', 'cil_sock4_connect'], ['sendmsg4', 'cil_sock4_sendmsg'], ['recvmsg4', 'cil_sock4_recvmsg'], ['post_bind4', 'cil_sock4_post_bind']] as const) {
    out.set(attach, prog('bpf_sock', name, `cgroup/${attach}`, cfg, ids));
  }
  return out;
}
