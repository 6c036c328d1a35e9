// Program dispatch: maps a loaded program (object + C function name) to its simulation.
// Prog arrays hold ProgramRefs; this table is what "the bytecode" of each one is.
import type { ProgramRef } from '../maps/callmap.js';
import type { Ctx, Ret } from './context.js';
import { cilFromContainer, handlePolicy, tailHandleArp, tailHandleIpv4, tailHandleIpv4Cont, tailIpv4CtEgress } from './bpf_lxc.js';
import { cilFromOverlay, cilToOverlay, tailHandleIpv4Overlay } from './bpf_overlay.js';
import { cilFromHost, cilFromNetdev, cilToNetdev, tailHandleIpv4FromHost, tailHandleIpv4FromNetdev } from './bpf_host.js';
import { drop, unsimulated } from './context.js';
import { cilSock4Connect } from './bpf_sock.js';
import { tailHandleSnatFwdIpv4, tailNodeportNatEgressIpv4, tailNodeportNatIngressIpv4, tailRevNodeportLb4 } from './lib/nodeport.js';

type Program = (ctx: Ctx) => Ret;

const PROGRAMS: Readonly<Record<string, Program>> = {
  'bpf_lxc/cil_from_container': cilFromContainer,
  'bpf_lxc/tail_handle_ipv4': tailHandleIpv4,
  'bpf_lxc/tail_ipv4_ct_egress': tailIpv4CtEgress,
  'bpf_lxc/tail_handle_ipv4_cont': tailHandleIpv4Cont,
  'bpf_lxc/handle_policy': handlePolicy,
  'bpf_lxc/cil_lxc_policy': handlePolicy, // v1.18's name of the ingress policy program
  'bpf_lxc/tail_handle_arp': tailHandleArp,
  'bpf_overlay/cil_from_overlay': cilFromOverlay,
  'bpf_overlay/cil_to_overlay': cilToOverlay,
  'bpf_overlay/tail_handle_ipv4': tailHandleIpv4Overlay,
  'bpf_host/cil_from_netdev': cilFromNetdev,
  'bpf_host/cil_to_netdev': cilToNetdev,
  'bpf_host/tail_handle_ipv4_from_netdev': tailHandleIpv4FromNetdev,
  'bpf_host/cil_from_host': cilFromHost,
  'bpf_sock/cil_sock4_connect': cilSock4Connect,
  'bpf_host/tail_nodeport_nat_ingress_ipv4': tailNodeportNatIngressIpv4,
  'bpf_host/tail_nodeport_nat_egress_ipv4': tailNodeportNatEgressIpv4,
  'bpf_overlay/tail_nodeport_nat_ingress_ipv4': tailNodeportNatIngressIpv4,
  'bpf_overlay/tail_nodeport_nat_egress_ipv4': tailNodeportNatEgressIpv4,
  'bpf_host/tail_rev_nodeport_lb4': tailRevNodeportLb4,
  'bpf_lxc/tail_rev_nodeport_lb4': tailRevNodeportLb4,
  'bpf_overlay/tail_rev_nodeport_lb4': tailRevNodeportLb4,
  // Slot 17 under its later names (v1.15-v1.17 and v1.18; nodeport.ts revDnatNames).
  'bpf_host/tail_nodeport_rev_dnat_ingress_ipv4': tailRevNodeportLb4,
  'bpf_lxc/tail_nodeport_rev_dnat_ingress_ipv4': tailRevNodeportLb4,
  'bpf_overlay/tail_nodeport_rev_dnat_ingress_ipv4': tailRevNodeportLb4,
  'bpf_host/tail_nodeport_rev_dnat_ipv4': tailRevNodeportLb4,
  'bpf_lxc/tail_nodeport_rev_dnat_ipv4': tailRevNodeportLb4,
  'bpf_overlay/tail_nodeport_rev_dnat_ipv4': tailRevNodeportLb4,
  'bpf_host/tail_handle_snat_fwd_ipv4': tailHandleSnatFwdIpv4,
  'bpf_overlay/tail_handle_snat_fwd_ipv4': tailHandleSnatFwdIpv4,
  'bpf_lxc/tail_handle_snat_fwd_ipv4': tailHandleSnatFwdIpv4,
  'bpf_sock/cil_sock4_sendmsg': cilSock4Connect,
  'bpf_host/tail_handle_ipv4_from_host': tailHandleIpv4FromHost,
};

export function runProgram(ctx: Ctx, prog: ProgramRef): Ret {
  const impl = PROGRAMS[`${prog.object}/${prog.name}`];
  if (!impl) {
    return unsimulated(`program ${prog.name} (${prog.object}.o) is not simulated`);
  }
  return impl(ctx);
}
