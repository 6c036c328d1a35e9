// bpf/bpf_host.c of Cilium v1.13: cil_from_netdev / cil_to_netdev on native devices (loaded
// when a feature needs devices, here NodePort), cil_from_host on cilium_host egress (packets
// the host stack routes toward pods) and cil_to_host on cilium_host/cilium_net ingress.
// do_netdev → resolve_srcid_ipv4 → tail call 7 (from netdev) or 22 (from host) → handle_ipv4;
// NodePort (nodeport_lb4) and BPF SNAT (handle_nat_fwd) live in lib/nodeport.ts and lib/nat.ts.
// Left out: host firewall, IPsec, VTEP, bandwidth manager, health checks, VLAN filtering, the
// proxy marks of inherit_identity_from_host.
import { CILIUM_CALL } from '../cilium/call-slots.js';
import { HOST_ID, WORLD_ID } from '../cilium/identities.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import { CTX_ACT_OK, drop, type Ctx, type Ret } from './context.js';
import { sendDropNotify } from './lib/drop.js';
import { encapAndRedirectWithNodeid, encapAndRedirectNetdev } from './lib/encap.js';
import { lookupIp4Endpoint, lookupIp4RemoteEndpoint } from './lib/eps.js';
import { ipv4LocalDelivery } from './lib/l3.js';
import { epTailCall } from './lib/tailcall.js';
import { handleNatFwd, nodeportLb4, skipNodeport } from './lib/nodeport.js';
import { ctxSnatDone } from './lib/nat.js';
import { sendTraceNotify } from './lib/trace.js';

const FILE = 'bpf/bpf_host.c';
/** MARK_MAGIC_HOST: set by Cilium's iptables OUTPUT rule "cilium: host->any mark as from host". */
export const MARK_MAGIC_HOST = 0x0c00;
const MARK_MAGIC_HOST_MASK = 0x0f00;
/** MARK_MAGIC_IDENTITY (bpf/lib/common.h): a host socket that carries an endpoint's identity. */
const MARK_MAGIC_IDENTITY = 0x0f00;

/** Addresses the datapath sees: the outer header when the packet is encapsulated. */
function l3(ctx: Ctx): { src: Ipv4; dst: Ipv4 } {
  const o = ctx.pkt.outer;
  return o ? { src: o.src, dst: o.dst } : { src: ctx.pkt.src, dst: ctx.pkt.dst };
}

/** MARK_MAGIC_PROXY_INGRESS/EGRESS (bpf/lib/common.h): the marks Envoy's upstream sockets carry. */
export const MARK_MAGIC_PROXY_INGRESS = 0x0a00;
export const MARK_MAGIC_PROXY_EGRESS = 0x0b00;

/**
 * inherit_identity_from_host for a packet of the proxy (identity.h@v1.13.0:101-110,
 * @v1.16.15/@v1.18.3:170-179): the identity from the mark (get_identity), and a tc_index flag
 * the endpoint's policy reads: TC_INDEX_F_SKIP_INGRESS_PROXY (v1.13) / _FROM_INGRESS_PROXY
 * (v1.16+) for the ingress proxy, so the destination does not redirect (or police) it again.
 */
function inheritFromProxy(ctx: Ctx, magic: number): number {
  const m = ctx.pkt.mark;
  const id = ((m >>> 16) & 0xffff) | ((m & 0xff) << 16);
  const ingress = magic === MARK_MAGIC_PROXY_INGRESS;
  const v116 = ctx.cluster.release.site('bpf/lib/proxy.h', 'tc_index_from_ingress_proxy') !== undefined;
  const flag = `TC_INDEX_F_${v116 ? 'FROM' : 'SKIP'}_${ingress ? 'INGRESS' : 'EGRESS'}_PROXY`;
  ctx.cb.set(ingress ? 'TC_INDEX_INGRESS_PROXY' : 'TC_INDEX_EGRESS_PROXY', 1);
  ctx.tb.add({ kind: 'note', text: `skb->mark 0x${m.toString(16).padStart(8, '0')} (${ingress ? 'MARK_MAGIC_PROXY_INGRESS' : 'MARK_MAGIC_PROXY_EGRESS'}): identity ${id} from the mark (get_identity), ctx->tc_index |= ${flag}; skb->mark = 0` });
  ctx.pkt = { ...ctx.pkt, mark: 0 };
  return id;
}

/** identity_is_reserved (identity.h:57-60): below UNMANAGED_ID (3), or remote-node / kube-apiserver. */
function isReserved(id: number): boolean {
  return id < 3 || id === 6 || id === 7;
}

/**
 * resolve_srcid_ipv4 (bpf_host.c:407-455 at v1.13.0). A reserved identity is refined from the
 * ipcache (never to HOST_ID). From the host that result is used; from the network src_id stays
 * WORLD_ID unless identity_from_ipcache_ok() and the ipcache identity is not reserved (:451-453),
 * so a remote node (6) stays world. SECCTX_FROM_IPCACHE is enabled only without legacy host
 * routing (pkg/datapath/loader/loader.go:160-164). v1.13.1 changed this (cbe609ac15).
 */
function resolveSrcidIpv4(ctx: Ctx, fromMark: number, fromHost: boolean, out?: { ipcacheSrcid: number }): number {
  return ctx.tb.frame('resolve_srcid_ipv4', FILE, () => {
    let fromIpcache = fromMark;
    if (isReserved(fromMark)) {
      const info = lookupIp4RemoteEndpoint(ctx, l3(ctx).src);
      const label = info?.info.secLabel ?? 0;
      // *sec_identity = info->sec_identity, HOST_ID included (bpf_host.c:534-535 at v1.18.3).
      if (out && info) out.ipcacheSrcid = label;
      if (label && label !== HOST_ID) fromIpcache = label;
    }
    let id = WORLD_ID;
    let why: string;
    if (fromHost) {
      id = fromIpcache;
      why = 'from the host: the refined identity';
    } else if (!ctx.node.config.enableHostRouting) {
      why = `SECCTX_FROM_IPCACHE is off with legacy host routing: src_id stays WORLD_ID${fromIpcache !== WORLD_ID ? ` (the ipcache says ${fromIpcache})` : ''}`;
    } else if (ctx.cluster.release.has('host-srcid-reserved')) {
      // v1.13.1+ (bpf_host.c resolve_srcid_ipv4 @v1.16.15:537, @v1.18.3:524): no reserved exception.
      id = fromIpcache;
      why = `identity_from_ipcache_ok()${ctx.cluster.release.has('nodeport-revdnat-remote-node') ? ' (CONFIG(secctx_from_ipcache))' : ''}: the ipcache identity, reserved or not`;
      ctx.tb.add({ kind: 'note', text: `source identity ${id} (${why})`, feature: 'host-srcid-reserved' });
      return id;
    } else if (isReserved(fromIpcache)) {
      why = fromIpcache === WORLD_ID ? 'the ipcache identity is world' : `the ipcache identity ${fromIpcache} is reserved (identity_is_reserved): src_id stays WORLD_ID (v1.13.0; v1.13.1+ uses the remote-node identity)`;
    } else {
      id = fromIpcache;
      why = 'identity_from_ipcache_ok() and not reserved: the ipcache identity';
    }
    ctx.tb.add({ kind: 'note', text: `source identity ${id} (${why})` });
    return id;
  });
}

function doNetdev(ctx: Ctx, fromHost: boolean): Ret {
  return ctx.tb.frame('do_netdev', FILE, () => {
    const traceAfter = ctx.cluster.release.has('netdev-trace-ipcache-srcid');
    let identity = WORLD_ID;
    let fromProxy = false;
    if (fromHost) {
      const magic = ctx.pkt.mark & MARK_MAGIC_HOST_MASK;
      fromProxy = magic === MARK_MAGIC_PROXY_INGRESS || magic === MARK_MAGIC_PROXY_EGRESS;
      identity = ctx.tb.frame('inherit_identity_from_host', 'bpf/lib/identity.h', () => {
        if (fromProxy) return inheritFromProxy(ctx, magic);
        if (magic === MARK_MAGIC_IDENTITY) {
          // identity.h@v1.13.0:111-112, @v1.16.15/@v1.18.3:180-181: e.g. the DNS proxy's upstream socket (setSoMark).
          const m = ctx.pkt.mark;
          const id = ((m >>> 16) & 0xffff) | ((m & 0xff) << 16);
          ctx.tb.add({ kind: 'note', text: `skb->mark 0x${m.toString(16).padStart(8, '0')} (MARK_MAGIC_IDENTITY): identity ${id} from the mark (get_identity); skb->mark = 0` });
          ctx.pkt = { ...ctx.pkt, mark: 0 };
          return id;
        }
        const id = magic === MARK_MAGIC_HOST ? HOST_ID : WORLD_ID;
        ctx.tb.add({ kind: 'note', text: magic === MARK_MAGIC_HOST ? 'skb->mark 0x0c00 (MARK_MAGIC_HOST): identity host (1)' : `skb->mark 0x${ctx.pkt.mark.toString(16)}: no host mark, identity world (2) until the ipcache says better` });
        return id;
      });
      // do_netdev (bpf_host.c@v1.13.0:833-835): a proxy mark makes the trace TRACE_FROM_PROXY.
      if (!traceAfter) sendTraceNotify(ctx, fromProxy ? 'TRACE_FROM_PROXY' : 'TRACE_FROM_HOST', identity, 0, 0, ctx.ifindex, 'unknown');
    } else if (!traceAfter) {
      sendTraceNotify(ctx, 'TRACE_FROM_NETWORK', 0, 0, 0, ctx.ifindex, 'unknown');
    }
    const out = { ipcacheSrcid: 0 };
    identity = resolveSrcidIpv4(ctx, identity, fromHost, out);
    ctx.cb.set('CB_SRC_LABEL', identity);
    if (traceAfter) {
      // v1.18.3 bpf_host.c:1155-1156: send_trace_notify(ctx, obs_point, ipcache_srcid, UNKNOWN_ID, ...)
      // after resolve_srcid_ipv4 (:1132-1133); ipcache_srcid is the raw ipcache identity, 0 on a miss.
      ctx.tb.add({ kind: 'note', text: `trace with ipcache_srcid ${out.ipcacheSrcid} (the ipcache identity of the source, looked up above)`, feature: 'netdev-trace-ipcache-srcid' });
      sendTraceNotify(ctx, fromHost ? (fromProxy ? 'TRACE_FROM_PROXY' : 'TRACE_FROM_HOST') : 'TRACE_FROM_NETWORK', out.ipcacheSrcid, 0, 0, ctx.ifindex, 'unknown');
    }
    const ret = epTailCall(ctx, fromHost ? CILIUM_CALL.IPV4_FROM_HOST : CILIUM_CALL.IPV4_FROM_LXC);
    if (ret.kind === 'drop' && ret.macro === 'DROP_MISSED_TAIL_CALL') {
      // do_netdev reports a missed tail call but lets the packet reach the stack.
      sendDropNotify(ctx, ret, 'do_netdev', FILE, 'ingress', undefined, { fn: 'do_netdev', nth: 1 }); // bpf_host.c:899, the IPv4 case
      ctx.dropNotified = false;
      return CTX_ACT_OK;
    }
    return ret;
  });
}

/** Attachment: tc ingress of a native device. */
export function cilFromNetdev(ctx: Ctx): Ret {
  return ctx.tb.frame('cil_from_netdev', FILE, () => doNetdev(ctx, false));
}

/** Attachment: tc egress of cilium_host: packets the host stack routed toward the pods. */
export function cilFromHost(ctx: Ctx): Ret {
  return ctx.tb.frame('cil_from_host', FILE, () => doNetdev(ctx, true));
}

/** Slot 7 of a netdev/host object, CILIUM_CALL_IPV4_FROM_NETDEV. */
export function tailHandleIpv4FromNetdev(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_handle_ipv4_from_netdev', FILE, () => tailHandleIpv4(ctx, false));
}

/** Slot 22, CILIUM_CALL_IPV4_FROM_HOST. */
export function tailHandleIpv4FromHost(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_handle_ipv4_from_host', FILE, () => tailHandleIpv4(ctx, true));
}

function tailHandleIpv4(ctx: Ctx, fromHost: boolean): Ret {
  const ret = ctx.tb.frame('tail_handle_ipv4', FILE, () => handleIpv4(ctx, ctx.cb.get('CB_SRC_LABEL') ?? WORLD_ID, fromHost));
  return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'handle_ipv4', FILE, 'ingress', undefined, { fn: 'tail_handle_ipv4' }) : ret;
}

function handleIpv4(ctx: Ctx, secctx: number, fromHost: boolean): Ret {
  if (ctx.cluster.release.has('host-ipv4-cont')) return handleIpv4Split(ctx, secctx, fromHost);
  return ctx.tb.frame('handle_ipv4', FILE, () => {
    if (ctx.node.config.enableNodePort && !fromHost && !skipNodeport(ctx)) {
      const np = nodeportLb4(ctx, secctx);
      if (np) return np;
    }
    return routeIpv4(ctx, secctx, fromHost);
  });
}

/**
 * v1.14+: handle_ipv4 runs NodePort (and the host firewall's lookups), then tail_handle_ipv4
 * continues in tail_handle_ipv4_cont_from_netdev/_from_host: a tail call only with
 * ENABLE_HOST_FIREWALL (invoke_tailcall_if), so here a direct call into handle_ipv4_cont
 * (bpf_host.c@v1.16.15:585-881, @v1.18.3).
 */
function handleIpv4Split(ctx: Ctx, secctx: number, fromHost: boolean): Ret {
  // nodeport_lb4's result ends the program (a tail call, a redirect, a drop) unless it says carry on.
  const np = ctx.tb.frame('handle_ipv4', FILE, (): Ret | null => {
    if (ctx.node.config.enableNodePort && !fromHost && !skipNodeport(ctx)) return nodeportLb4(ctx, secctx);
    return null;
  });
  if (np) return np;
  const r = ctx.cluster.release;
  const name = fromHost ? 'IPV4_CONT_FROM_HOST' : 'IPV4_CONT_FROM_NETDEV';
  const program = fromHost ? 'tail_handle_ipv4_cont_from_host' : 'tail_handle_ipv4_cont_from_netdev';
  ctx.tb.add({ kind: 'inlined', slot: r.calls.slot(name) ?? -1, slotName: `CILIUM_CALL_${name}`, program, why: 'ENABLE_HOST_FIREWALL is not defined: invoke_tailcall_if calls it directly' });
  return ctx.tb.frame(program, FILE, () => ctx.tb.frame('tail_handle_ipv4_cont', FILE, () => ctx.tb.frame('handle_ipv4_cont', FILE, () => {
    if (!ctx.node.config.enableHostRouting && !fromHost) {
      ctx.tb.add({ kind: 'note', text: 'ENABLE_HOST_ROUTING is not defined (legacy host routing) and not from the host: CTX_ACT_OK, the stack routes it' });
      ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
      return CTX_ACT_OK;
    }
    return routeIpv4(ctx, secctx, fromHost);
  })));
}

/** The routing half of handle_ipv4 (v1.13) / handle_ipv4_cont (v1.14+): local endpoint, host, tunnel or stack. */
function routeIpv4(ctx: Ctx, secctx: number, fromHost: boolean): Ret {
  const r = ctx.cluster.release;
  const split = r.has('host-ipv4-cont');
  const { dst } = l3(ctx);
  if (fromHost) rewriteDmacToHost(ctx);
  const ep = lookupIp4Endpoint(ctx, dst);
  if (ep) {
    if (ep.info.flags & 1) {
      ctx.tb.add({ kind: 'note', text: `${formatIpv4(dst)} is a local host address${split ? ' (ENDPOINT_MASK_HOST_DELIVERY)' : ''}: let the stack have it` });
      ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
      return CTX_ACT_OK;
    }
    if (!split && !fromHost && !ctx.node.config.enableHostRouting) {
      // Legacy host routing (NO_REDIRECT): let the stack route it to cilium_host, where
      // cil_from_host delivers it.
      ctx.tb.add({ kind: 'note', text: 'legacy host routing: CTX_ACT_OK, the stack routes it via cilium_host' });
      ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
      return CTX_ACT_OK;
    }
    // v1.16: ENABLE_HOST_ROUTING → maybe_add_l2_hdr for every packet; v1.18 only for one not from the host.
    if (split && ctx.node.config.enableHostRouting && !(fromHost && r.has('nodeport-revdnat-remote-node'))) {
      ctx.tb.frame('maybe_add_l2_hdr', 'bpf/lib/fib.h', () => {
        ctx.tb.add({ kind: 'note', text: 'the endpoint\'s veth is an L2 device and ETH_HLEN != 0: no header added' });
      });
    }
    return ipv4LocalDelivery(ctx, secctx, ep, fromHost);
  }
  if (!fromHost) {
    ctx.tb.add({ kind: 'note', text: 'not a local endpoint, and not from the host: CTX_ACT_OK, the stack routes it' });
    ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
    return CTX_ACT_OK;
  }
  if (ctx.node.config.tunnelMode) {
    const info = lookupIp4RemoteEndpoint(ctx, dst, 'ipcache_lookup4');
    if (info && info.info.tunnelEndpoint !== 0) {
      return encapAndRedirectWithNodeid(ctx, info.info.tunnelEndpoint, secctx, info.info.secLabel);
    }
    // v1.18 has no tunnel map: without flag_has_tunnel_ep the packet goes on to the stack.
    if (!r.has('no-tunnel-map')) {
      const ret = encapAndRedirectNetdev(ctx, secctx);
      if (!(ret.kind === 'drop' && ret.macro === 'DROP_NO_TUNNEL_ENDPOINT')) return ret;
    }
  }
  const info = lookupIp4RemoteEndpoint(ctx, dst, 'ipcache_lookup4');
  if (!info || info.info.secLabel === WORLD_ID) return drop('DROP_UNROUTABLE', split ? 'handle_ipv4_cont' : 'handle_ipv4', FILE);
  ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
  return CTX_ACT_OK;
}

/** rewrite_dmac_to_host (bpf_host.c:67-82): from cilium_host, the destination MAC becomes cilium_net's. */
function rewriteDmacToHost(ctx: Ctx): void {
  ctx.tb.frame('rewrite_dmac_to_host', FILE, () => {
    const net = [...ctx.node.devices.values()].find((d) => d.kind === 'cilium_net');
    if (!net) return;
    ctx.tb.add({ kind: 'note', text: `eth daddr becomes CILIUM_NET_MAC ${net.mac}, so the packet counts as addressed to the host (PACKET_HOST)` });
    ctx.tb.add({ kind: 'rewrite', field: 'eth', from: `${ctx.pkt.ethSrc} > ${ctx.pkt.ethDst}`, to: `${ctx.pkt.ethSrc} > ${net.mac}` });
    ctx.pkt = { ...ctx.pkt, ethDst: net.mac };
  });
}

/**
 * Attachment: tc egress of a native device (bpf_host.c:1104-1220). With NodePort, an skb not
 * yet SNAT-done goes through handle_nat_fwd, which mostly ends in tail call 38; otherwise the
 * program reports TO_NETWORK itself, with ifindex 0 (:1216).
 */
export function cilToNetdev(ctx: Ctx): Ret {
  if (ctx.cluster.release.has('to-netdev-overlay-mark')) return cilToNetdevMarked(ctx);
  return ctx.tb.frame('cil_to_netdev', FILE, () => {
    if (ctx.node.config.enableNodePort) {
      if (ctxSnatDone(ctx)) {
        ctx.tb.add({ kind: 'note', text: `ctx_snat_done: skb->mark 0x${ctx.pkt.mark.toString(16).padStart(4, '0')} carries MARK_MAGIC_SNAT_DONE, handle_nat_fwd is skipped` });
      } else {
        const { ret, tailCalled } = handleNatFwd(ctx);
        if (tailCalled) return ret;
        if (ret.kind === 'drop') return sendDropNotify(ctx, ret, 'cil_to_netdev', FILE, 'egress', { srcId: 0, dstId: 0, dstEp: 0 }, { fn: 'cil_to_netdev', nth: 1 }); // bpf_host.c:1205, after handle_nat_fwd
      }
    }
    sendTraceNotify(ctx, 'TRACE_TO_NETWORK', 0, 0, 0, 0, 'unknown');
    ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
    return CTX_ACT_OK;
  });
}

/** MARK_MAGIC_OVERLAY (bpf/lib/common.h@v1.16.15:731): cil_to_overlay marks what it sends (set_identity_mark). */
const MARK_MAGIC_OVERLAY = 0x0400;

/**
 * cil_to_netdev at v1.16+ (bpf_host.c@v1.16.15, @v1.18.3:1629-1648): the source identity comes
 * from the mark (MARK_MAGIC_HOST or MARK_MAGIC_OVERLAY: HOST_ID, else UNKNOWN_ID); neither an
 * SNAT-done skb nor one cil_to_overlay sent (ctx_is_overlay) goes through handle_nat_fwd; the
 * TO_NETWORK trace carries that identity and this device's ifindex.
 */
function cilToNetdevMarked(ctx: Ctx): Ret {
  return ctx.tb.frame('cil_to_netdev', FILE, () => {
    const magic = ctx.pkt.mark & MARK_MAGIC_HOST_MASK;
    const srcId = magic === MARK_MAGIC_HOST || magic === MARK_MAGIC_OVERLAY ? HOST_ID : 0;
    if (srcId === HOST_ID) ctx.tb.add({ kind: 'note', text: `skb->mark 0x${ctx.pkt.mark.toString(16).padStart(4, '0')} (${magic === MARK_MAGIC_HOST ? 'MARK_MAGIC_HOST' : 'MARK_MAGIC_OVERLAY'}): src_sec_identity = HOST_ID`, feature: 'to-netdev-overlay-mark' });
    if (ctx.node.config.enableNodePort) {
      if (ctxSnatDone(ctx)) {
        ctx.tb.add({ kind: 'note', text: `ctx_snat_done: skb->mark 0x${ctx.pkt.mark.toString(16).padStart(4, '0')} carries MARK_MAGIC_SNAT_DONE, handle_nat_fwd is skipped` });
      } else if (magic === MARK_MAGIC_OVERLAY) {
        ctx.tb.add({ kind: 'note', text: 'ctx_is_overlay: cil_to_overlay sent this packet (MARK_MAGIC_OVERLAY), handle_nat_fwd is skipped', feature: 'to-netdev-overlay-mark' });
      } else {
        const { ret, tailCalled } = handleNatFwd(ctx, srcId);
        if (tailCalled) return ret;
        if (ret.kind === 'drop') return sendDropNotify(ctx, ret, 'cil_to_netdev', FILE, 'egress', { srcId, dstId: 0, dstEp: 0 });
      }
    }
    // NATIVE_DEV_IFINDEX at v1.16, THIS_INTERFACE_IFINDEX at v1.18: this device either way.
    sendTraceNotify(ctx, 'TRACE_TO_NETWORK', srcId, 0, 0, ctx.ifindex, 'unknown');
    ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
    return CTX_ACT_OK;
  });
}
