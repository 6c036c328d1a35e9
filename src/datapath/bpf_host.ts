// bpf/bpf_host.c of Cilium v1.13: cil_from_netdev / cil_to_netdev on native devices (loaded
// when NodePort needs devices), cil_to_host / cil_from_host on cilium_host and cilium_net.
// Only what pod-to-pod tunnel traffic meets is simulated: the outer VXLAN/Geneve packet
// leaving and arriving on the native device. Left out: host firewall, NodePort LB and BPF
// masquerade (no Services yet), host-originated traffic.
import { CILIUM_CALL } from '../cilium/call-slots.js';
import { formatIpv4 } from '../net/ip.js';
import { CTX_ACT_OK, drop, unsimulated, type Ctx, type Ret } from './context.js';
import { sendDropNotify } from './lib/drop.js';
import { lookupIp4Endpoint, lookupIp4RemoteEndpoint } from './lib/eps.js';
import { epTailCall } from './lib/tailcall.js';
import { sendTraceNotify } from './lib/trace.js';

const FILE = 'bpf/bpf_host.c';

/** Addresses the datapath sees on a native device: the outer header when encapsulated. */
function l3(ctx: Ctx): { src: number; dst: number } {
  const o = ctx.pkt.outer;
  return o ? { src: o.src, dst: o.dst } : { src: ctx.pkt.src, dst: ctx.pkt.dst };
}

export function cilFromNetdev(ctx: Ctx): Ret {
  return ctx.tb.frame('cil_from_netdev', FILE, () => ctx.tb.frame('do_netdev', FILE, () => {
    sendTraceNotify(ctx, 'TRACE_FROM_NETWORK', 0, 0, 0, ctx.ifindex, 'unknown');
    const info = lookupIp4RemoteEndpoint(ctx, l3(ctx).src as never, 'resolve_srcid_ipv4');
    const srcId = info?.info.secLabel ?? 2;
    ctx.cb.set('CB_SRC_LABEL', srcId);
    const ret = epTailCall(ctx, CILIUM_CALL.IPV4_FROM_LXC);
    if (ret.kind === 'drop') {
      // do_netdev reports a missed tail call but still lets the packet reach the stack.
      sendDropNotify(ctx, ret, 'do_netdev', FILE, 'ingress');
      return CTX_ACT_OK;
    }
    return ret;
  }));
}

/** Slot 7 of a netdev object, CILIUM_CALL_IPV4_FROM_NETDEV. */
export function tailHandleIpv4FromNetdev(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_handle_ipv4_from_netdev', FILE, () => ctx.tb.frame('handle_ipv4', FILE, () => {
    if (ctx.node.config.enableNodePort) {
      ctx.tb.add({ kind: 'not_simulated', text: 'nodeport_lb4: Services are not simulated yet; no NodePort service matches' });
    }
    const dst = l3(ctx).dst;
    const ep = lookupIp4Endpoint(ctx, dst as never);
    if (ep && ep.info.flags & 1) {
      ctx.tb.add({ kind: 'note', text: `${formatIpv4(dst)} is a local host address: on to the stack` });
      ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
      return CTX_ACT_OK;
    }
    return unsimulated('traffic arriving from the network for anything but this host is not simulated yet');
  }));
}

export function cilToNetdev(ctx: Ctx): Ret {
  return ctx.tb.frame('cil_to_netdev', FILE, () => {
    if (ctx.node.config.enableNodePort) {
      ctx.tb.frame('handle_nat_fwd', 'bpf/lib/nodeport.h', () => {
        ctx.tb.add({ kind: 'note', text: `source ${formatIpv4(l3(ctx).src)} is this node: no SNAT needed` });
      });
    }
    sendTraceNotify(ctx, 'TRACE_TO_NETWORK', 0, 0, 0, ctx.ifindex, 'unknown');
    ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
    return CTX_ACT_OK;
  });
}
