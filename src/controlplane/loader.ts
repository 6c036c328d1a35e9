// The loader: which BPF objects are compiled for which device, which programs land in which
// prog-array slot, and which program is attached to which tc hook.
// Mirrors pkg/datapath/loader/loader.go (reloadHostDatapath, endpoint attach) and bpf/init.sh
// of v1.13, with the slot occupancy of the reference (bpf_lxc.c, bpf_host.c, bpf_overlay.c
// __section_tail declarations and their declare_tailcall_if conditions). IPv4-only, so the
// IPv6 slots and the dual-stack-only tail calls (28, 11, and 19 CILIUM_CALL_IPV4_NODEPORT_NAT_FWD:
// declare_tailcall_if in nodeport.h:2365-2370) are absent. pkg/bpf/collection.go puts every
// "2/N" section of an object into its CILIUM_MAP_CALLS; init.sh's tc does the same for bpf_overlay.
import { CILIUM_CALL } from '../cilium/call-slots.js';
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
  readonly entry: Record<string, ProgramRef>; // section name -> entry program
  readonly calls: ProgArray;
}

/** bpf_lxc.o for one endpoint: entry from-container, its calls map and its handle_policy. */
export function loadLxcObject(cfg: Extract<ObjectConfig, { kind: 'lxc' }>, f: LoaderFeatures, ids: ProgIdAllocator): LoadedObject & { handlePolicy: ProgramRef } {
  const entry = { 'from-container': prog('bpf_lxc', 'cil_from_container', 'from-container', cfg, ids) };
  const calls = new ProgArray(cfg.callsMap);
  const tail = (slot: number, name: string) => calls.set(slot, prog('bpf_lxc', name, `2/${slot}`, cfg, ids));
  tail(CILIUM_CALL.DROP_NOTIFY, '__send_drop_notify');
  if (f.arpResponder) tail(CILIUM_CALL.ARP, 'tail_handle_arp');
  tail(CILIUM_CALL.IPV4_FROM_LXC, 'tail_handle_ipv4');
  tail(CILIUM_CALL.IPV4_TO_ENDPOINT, 'tail_ipv4_to_endpoint');
  if (f.nodePort) {
    // nodeport.h's __section_tail programs land in every object that includes it (bpf_lxc too).
    tail(CILIUM_CALL.IPV4_NODEPORT_REVNAT, 'tail_rev_nodeport_lb4');
    tail(CILIUM_CALL.IPV4_NODEPORT_SNAT_FWD, 'tail_handle_snat_fwd_ipv4');
  }
  if (f.perPacketLb) {
    tail(CILIUM_CALL.IPV4_FROM_LXC_CONT, 'tail_handle_ipv4_cont');
    tail(CILIUM_CALL.IPV4_CT_EGRESS, 'tail_ipv4_ct_egress');
  }
  tail(CILIUM_CALL.IPV4_CT_INGRESS, 'tail_ipv4_ct_ingress');
  const handlePolicy = prog('bpf_lxc', 'handle_policy', `1/0x${cfg.lxcId.toString(16)}`, cfg, ids);
  return { entry, calls, handlePolicy };
}

function hostTailCalls(calls: ProgArray, cfg: ObjectConfig, f: LoaderFeatures, ids: ProgIdAllocator): void {
  const tail = (slot: number, name: string) => calls.set(slot, prog('bpf_host', name, `2/${slot}`, cfg, ids));
  tail(CILIUM_CALL.DROP_NOTIFY, '__send_drop_notify');
  tail(CILIUM_CALL.IPV4_FROM_LXC, 'tail_handle_ipv4_from_netdev');
  if (f.nodePort) {
    tail(CILIUM_CALL.IPV4_NODEPORT_NAT_EGRESS, 'tail_nodeport_nat_egress_ipv4');
    tail(CILIUM_CALL.IPV4_NODEPORT_REVNAT, 'tail_rev_nodeport_lb4');
    tail(CILIUM_CALL.IPV4_NODEPORT_NAT_INGRESS, 'tail_nodeport_nat_ingress_ipv4');
    tail(CILIUM_CALL.IPV4_NODEPORT_SNAT_FWD, 'tail_handle_snat_fwd_ipv4');
  }
  tail(CILIUM_CALL.IPV4_FROM_HOST, 'tail_handle_ipv4_from_host');
}

/** bpf_host.o for cilium_host: to-host on ingress, from-host on egress. */
export function loadHostObject(cfg: Extract<ObjectConfig, { kind: 'host' }>, f: LoaderFeatures, ids: ProgIdAllocator): LoadedObject {
  const entry = {
    'to-host': prog('bpf_host', 'cil_to_host', 'to-host', cfg, ids),
    'from-host': prog('bpf_host', 'cil_from_host', 'from-host', cfg, ids),
  };
  const calls = new ProgArray(cfg.callsMap);
  hostTailCalls(calls, cfg, f, ids);
  return { entry, calls };
}

/** bpf_host.o compiled for cilium_net (to-host only) or a native device (from/to-netdev). */
export function loadNetdevObject(cfg: Extract<ObjectConfig, { kind: 'host' }>, role: 'cilium_net' | 'native', f: LoaderFeatures, ids: ProgIdAllocator): LoadedObject {
  const entry: Record<string, ProgramRef> = role === 'cilium_net'
    ? { 'to-host': prog('bpf_host', 'cil_to_host', 'to-host', cfg, ids) }
    : {
        'from-netdev': prog('bpf_host', 'cil_from_netdev', 'from-netdev', cfg, ids),
        'to-netdev': prog('bpf_host', 'cil_to_netdev', 'to-netdev', cfg, ids),
      };
  const calls = new ProgArray(cfg.callsMap);
  hostTailCalls(calls, cfg, f, ids);
  return { entry, calls };
}

/** bpf_overlay.o, built by init.sh with -DSECLABEL=2 (world) for cilium_vxlan/geneve. */
export function loadOverlayObject(f: LoaderFeatures, ids: ProgIdAllocator): LoadedObject {
  const cfg: ObjectConfig = { kind: 'overlay', seclabel: 2, callsMap: OVERLAY_CALLS_MAP };
  const entry = {
    'from-overlay': prog('bpf_overlay', 'cil_from_overlay', 'from-overlay', cfg, ids),
    'to-overlay': prog('bpf_overlay', 'cil_to_overlay', 'to-overlay', cfg, ids),
  };
  const calls = new ProgArray(OVERLAY_CALLS_MAP);
  const tail = (slot: number, name: string) => calls.set(slot, prog('bpf_overlay', name, `2/${slot}`, cfg, ids));
  tail(CILIUM_CALL.DROP_NOTIFY, '__send_drop_notify');
  tail(CILIUM_CALL.IPV4_FROM_LXC, 'tail_handle_ipv4');
  if (f.nodePort) {
    tail(CILIUM_CALL.IPV4_NODEPORT_NAT_EGRESS, 'tail_nodeport_nat_egress_ipv4');
    tail(CILIUM_CALL.IPV4_NODEPORT_REVNAT, 'tail_rev_nodeport_lb4');
    tail(CILIUM_CALL.IPV4_NODEPORT_NAT_INGRESS, 'tail_nodeport_nat_ingress_ipv4');
    tail(CILIUM_CALL.IPV4_NODEPORT_SNAT_FWD, 'tail_handle_snat_fwd_ipv4');
  }
  return { entry, calls };
}

export function newCallPolicyArray(): ProgArray {
  return new ProgArray(CALL_POLICY_MAP, 65535);
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
