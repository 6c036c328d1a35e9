// bpf/lib/fib.h of Cilium v1.13.0: redirect_direct_v4, BPF host routing's way out of the node
// for what bpf_lxc does not encapsulate (fib.h:76-138). With a single native device the agent
// defines ENABLE_SKIP_FIB (pkg/datapath/linux/config/config.go:903-905): no FIB lookup,
// ipv4_l3 decrements the TTL only, and redirect_neigh(DIRECT_ROUTING_DEV_IFINDEX, NULL, 0, 0)
// leaves next hop and MACs to the kernel. With several devices: bpf_fib_lookup
// (BPF_FIB_LOOKUP_DIRECT); SUCCESS stores the FIB's MACs and ctx_redirects to its ifindex,
// NO_NEIGH asks redirect_neigh to resolve the next hop, any other result is CTX_ACT_DROP.
// Left out: IPv6 (redirect_direct_v6). The kernel's neighbour table is not simulated: a next
// hop that is a node of the cluster is known (the agent's neighbour discovery, insertNeighbor
// in pkg/datapath/linux/node.go), any other next hop is BPF_FIB_LKUP_RET_NO_NEIGH.
import { formatIpv4, type Ipv4 } from '../../net/ip.js';
import type { Mac } from '../../net/mac.js';
import { unsimulated, type Ctx, type Ret } from '../context.js';
import { describeRoute, routeLookup } from '../kernel/stack.js';
import { deviceByName, type Device } from '../../node-state/node.js';
import { ipv4L3 } from './l3.js';

const FIB_H = 'bpf/lib/fib.h';

/** The neighbour entry of a next hop, when it is a node of the cluster: its native device's MAC. */
export function knownNeighbour(ctx: Ctx, nextHop: Ipv4): Mac | undefined {
  const name = ctx.cluster.nodeByIp.get(nextHop);
  const node = name === undefined ? undefined : ctx.cluster.nodes.get(name);
  return node ? [...node.devices.values()].find((d) => d.kind === 'native')?.mac : undefined;
}

/** What the kernel's bpf_redirect_neigh does after the program returned: route, neighbour, MACs. */
function kernelNeighOutput(ctx: Ctx, dev: Device, nextHop: Ipv4): void {
  ctx.cb.set('NEXT_HOP', nextHop);
  const mac = knownNeighbour(ctx, nextHop);
  ctx.tb.add({ kind: 'kernel', op: 'neigh', text: `redirect_neigh: the kernel resolves next hop ${formatIpv4(nextHop)} on ${dev.name}${mac ? ` (lladdr ${mac})` : ' (its neighbour entry is not simulated)'} and fills in the MACs` });
  const p = ctx.pkt;
  ctx.pkt = { ...p, ethSrc: dev.mac, ethDst: mac ?? p.ethDst };
}

/** redirect_direct_v4: the redirect and the egress ifindex (`oif`, for the caller's TRACE_TO_NETWORK). */
export function redirectDirectV4(ctx: Ctx): { readonly ret: Ret; readonly oif: number } {
  // v1.16.15 / v1.18.3: bpf_lxc calls fib_redirect_v4 (fib.h:281 / :267), the same FIB lookup,
  // ipv4_l3 and fib_do_redirect (neighbour fallback by redirect_neigh) under a new name.
  const fn = ctx.cluster.release.site(FIB_H, 'redirect_direct_v4') !== undefined ? 'redirect_direct_v4' : 'fib_redirect_v4';
  return ctx.tb.frame(fn, FIB_H, () => {
    const cfg = ctx.node.config;
    const dst = ctx.pkt.dst;
    if (cfg.enableSkipFib === true) {
      const oif = cfg.directRoutingDevIfindex ?? 0;
      const dev = ctx.node.devices.get(oif);
      ctx.tb.add({ kind: 'note', text: `ENABLE_SKIP_FIB (a single native device): no FIB lookup, oif = DIRECT_ROUTING_DEV_IFINDEX ${oif}${dev ? ` (${dev.name})` : ''}` });
      if (!dev) return { ret: unsimulated(`DIRECT_ROUTING_DEV_IFINDEX ${oif} is not a device of ${ctx.node.name}`), oif: 0 };
      ipv4L3(ctx);
      const route = routeLookup(ctx.node, dst);
      if (!route || route.local) return { ret: unsimulated(`redirect_neigh(${dev.name}): the kernel has no route to ${formatIpv4(dst)} out of it and drops the packet (no Cilium drop reason)`), oif: dev.ifindex };
      ctx.tb.add({ kind: 'note', text: `redirect_neigh(${dev.name}, NULL, 0, 0)` });
      kernelNeighOutput(ctx, dev, route.dev === dev.name && route.via !== undefined ? route.via : dst);
      return { ret: { kind: 'redirect', ifindex: dev.ifindex, peer: false, ingress: false } as const, oif: dev.ifindex };
    }
    const route = routeLookup(ctx.node, dst);
    const dev = route ? deviceByName(ctx.node, route.dev) : undefined;
    const nextHop = route?.via ?? dst;
    const mac = route && !route.local ? knownNeighbour(ctx, nextHop) : undefined;
    const result = !route || !dev || route.local ? null : `${describeRoute(route)}: ${mac ? `BPF_FIB_LKUP_RET_SUCCESS, dmac ${mac}` : 'BPF_FIB_LKUP_RET_NO_NEIGH'}`;
    ctx.tb.add({ kind: 'lookup', map: 'FIB (bpf_fib_lookup)', key: `${formatIpv4(ctx.pkt.src)} > ${formatIpv4(dst)}`, result });
    if (!route || !dev || route.local) {
      return { ret: unsimulated(`bpf_fib_lookup found no route to ${formatIpv4(dst)}: ${fn} returns CTX_ACT_DROP, a drop without a drop notification`), oif: 0 };
    }
    ipv4L3(ctx);
    if (mac === undefined) {
      ctx.tb.add({ kind: 'note', text: `redirect_neigh(${dev.name}, nh ${formatIpv4(nextHop)})` });
      kernelNeighOutput(ctx, dev, nextHop);
      return { ret: { kind: 'redirect', ifindex: dev.ifindex, peer: false, ingress: false } as const, oif: dev.ifindex };
    }
    ctx.cb.set('NEXT_HOP', nextHop);
    ctx.tb.add({ kind: 'rewrite', field: 'eth', from: `${ctx.pkt.ethSrc} > ${ctx.pkt.ethDst}`, to: `${dev.mac} > ${mac} (eth_store_saddr/eth_store_daddr, the FIB's MACs)` });
    ctx.pkt = { ...ctx.pkt, ethSrc: dev.mac, ethDst: mac };
    const ret = ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => ({ kind: 'redirect', ifindex: dev.ifindex, peer: false, ingress: false } as const));
    return { ret, oif: dev.ifindex };
  });
}
