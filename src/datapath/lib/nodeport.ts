// NodePort of bpf/lib/nodeport.h (v1.13.0), as bpf_host (from-netdev, to-netdev) and bpf_overlay
// run it. nodeport_lb4 looks every packet up as a service frontend: a hit DNATs to a backend
// (local: carry on to local delivery; remote: tail call 15, encapsulate, SNAT and forward), a
// miss marks the packet XFER_PKT_NO_SVC and tail-calls 36 to reverse-SNAT a reply (no mapping:
// back to slot 7 with the skip-nodeport flag). On the way out handle_nat_fwd reverse-DNATs
// NodePort replies and tail-calls 38 for BPF SNAT (nat.ts), unless the skb is already SNAT-done.
// Left out: DSR, externalTrafficPolicy=Local, source ranges, NAT46/64, L7 LB, XDP, the host
// firewall, egress gateway, NodePort forwarding by FIB (native routing).
// v1.16.15 / v1.18.3: nodeport_lb4 → nodeport_svc_lb4 (routable check first, ct_lazy_lookup4,
// the no-backend reject), SNAT before encapsulation in tail_nodeport_nat_egress_ipv4, the
// reverse DNAT of replies called directly from tail_nodeport_nat_ingress_ipv4
// (nodeport_rev_dnat_ingress_ipv4; v1.18 nodeport_rev_dnat_ipv4, in slot 17
// tail_nodeport_rev_dnat_ingress_ipv4 / tail_nodeport_rev_dnat_ipv4), and from v1.17 the egress
// half (handle_nat_fwd, SNAT-fwd) in bpf/lib/nodeport_egress.h. Slots come from the release.
import { HOST_ID, REMOTE_NODE_ID, WORLD_ID } from '../../cilium/identities.js';
import { SVC_FLAG_NODEPORT, SVC_FLAG_ROUTABLE } from '../../maps/lbmap.js';
import { formatIpv4, type Ipv4 } from '../../net/ip.js';
import { CTX_ACT_OK, drop, type Ctx, type Ret } from '../context.js';
import { sendDropNotify } from './drop.js';
import { encapWithNodeid } from './encap.js';
import { lookupIp4Endpoint, lookupIp4RemoteEndpoint } from './eps.js';
import { lb4ExtractKey as lb4ExtractKeyRel, lb4Local, lb4LookupFrontend, lb4LookupService, lb4RevNat, noServiceResponse, serviceRedirect } from './lb.js';
import { ctCreate4State, ctHasNodeportEgressEntry4, ctLookup4 } from './conntrack.js';
import { ctxFullLen, ctxSnatDone, ctxSnatDoneSet, l3Packet, natTarget, natTupleOut, onL3, snatV4Nat, snatV4NatCore, snatV4PrepareState, snatV4RevNat } from './nat.js';
import { describeRoute, routeLookup } from '../kernel/stack.js';
import { epTailCall } from './tailcall.js';
import { ipv4L3 } from './l3.js';
import { knownNeighbour } from './fib.js';
import type { Device } from '../../node-state/node.js';
import type { Mac } from '../../net/mac.js';
import { sendTraceNotify } from './trace.js';

const FILE = 'bpf/lib/nodeport.h';

/** The release's CILIUM_CALL_<name> slot (the same numbers as CILIUM_CALL at v1.13.0). */
function slot(ctx: Ctx, name: string): number {
  const n = ctx.cluster.release.calls.slot(name);
  if (n === undefined) throw new Error(`Cilium ${ctx.cluster.release.version} has no CILIUM_CALL_${name}`);
  return n;
}

/** Where the egress half of NodePort lives: bpf/lib/nodeport_egress.h from v1.17. */
function egressFile(ctx: Ctx): string {
  return ctx.cluster.release.has('nodeport-egress-h') ? 'bpf/lib/nodeport_egress.h' : FILE;
}

/** The program in slot 17 (CILIUM_CALL_IPV4_NODEPORT_REVNAT) and the function it wraps, per release. */
export function revDnatNames(r: { pick: <T>(t: Readonly<Record<string, T>>) => T }): { readonly tail: string; readonly fn: string } {
  return r.pick({
    '1.13.0': { tail: 'tail_rev_nodeport_lb4', fn: 'rev_nodeport_lb4' },
    '1.15.0': { tail: 'tail_nodeport_rev_dnat_ingress_ipv4', fn: 'nodeport_rev_dnat_ingress_ipv4' },
    '1.18.0': { tail: 'tail_nodeport_rev_dnat_ipv4', fn: 'nodeport_rev_dnat_ipv4' },
  });
}

function newNodeport(ctx: Ctx): boolean {
  return ctx.cluster.release.has('nodeport-svc-lb4');
}

export function skipNodeport(ctx: Ctx): boolean {
  return ctx.cb.get('SKIP_NODEPORT') === 1;
}

/** NATIVE_DEV_IFINDEX: the device of a bpf_host object on a native device, else 0 (stubs.h:9-10). */
function nativeDevIfindex(ctx: Ctx): number {
  const c = ctx.prog.config;
  return c.kind === 'host' && ctx.node.devices.get(c.ifindex)?.kind === 'native' ? c.ifindex : 0;
}

/** IPV4_DIRECT_ROUTING: the native device's address in native routing, 0 in tunnel mode (config.go:460-496). */
function ipv4DirectRouting(ctx: Ctx): Ipv4 {
  return (ctx.node.config.tunnelMode ? 0 : ctx.node.config.nodeIp) as Ipv4;
}

/** lb4_extract_key (lb.h:1184-1197): the frontend port; ICMP is DROP_NO_SERVICE, other L4 DROP_UNKNOWN_L4. */
function lb4ExtractKey(ctx: Ctx): number | 'DROP_NO_SERVICE' | 'DROP_UNKNOWN_L4' {
  return ctx.tb.frame('lb4_extract_key', 'bpf/lib/lb.h', () => {
    const l4 = l3Packet(ctx.pkt).l4;
    if (l4.proto !== 'icmp') return l4.dport;
    ctx.tb.add({ kind: 'note', text: 'extract_l4_port: ICMP needs no service lookup: DROP_NO_SERVICE, goto skip_service_lookup' });
    return 'DROP_NO_SERVICE';
  });
}

/** nodeport_lb4 (nodeport.h:1895-2072). Returns null to let handle_ipv4 carry on (no service, or a local backend). */
export function nodeportLb4(ctx: Ctx, srcId: number): Ret | null {
  if (newNodeport(ctx)) return nodeportLb4New(ctx, srcId);
  return ctx.tb.frame('nodeport_lb4', FILE, () => {
    const ip = l3Packet(ctx.pkt);
    const dport = lb4ExtractKey(ctx);
    const v = typeof dport === 'number' ? { src: ip.src, dst: ip.dst, dport } : undefined;
    const svc = v ? lb4LookupService(ctx, v.dst, v.dport) : undefined;
    if (!svc || !v) {
      ctx.tb.add({ kind: 'note', text: 'not a service: ctx_set_xfer(XFER_PKT_NO_SVC); it may be a reply to reverse-SNAT' });
      ctx.cb.set('CB_SRC_LABEL', srcId);
      return epTailCall(ctx, 'IPV4_NODEPORT_NAT_INGRESS');
    }
    const redirected = serviceRedirect(ctx, svc);
    if (redirected) return redirected;
    const ret = lb4Local(ctx, { address: v.dst, dport: v.dport }, svc, v.src);
    if (ret.kind !== 'ok') return ret;
    if (!(svc.flags & SVC_FLAG_NODEPORT)) return drop('DROP_IS_CLUSTER_IP', 'nodeport_lb4', FILE);
    const local = lookupIp4Endpoint(ctx, ctx.pkt.dst, '__lookup_ip4_endpoint');
    // nodeport.h:2016-2044: CT_EGRESS entry client → backend with node_port, remembered for the reply.
    const ct = ctLookup4(ctx, 'CT_EGRESS');
    const stale = ct.status !== 'CT_NEW' && ctx.opts.ctState === undefined && ct.revNat !== svc.revNat;
    if (ct.status === 'CT_NEW' || stale) {
      if (stale) ctx.tb.add({ kind: 'note', text: `stale entry (rev_nat_index ${ct.revNat}, not ${svc.revNat}): goto redo` });
      ctCreate4State(ctx, 'CT_EGRESS', { srcSecId: WORLD_ID, nodePort: true, ifindex: nativeDevIfindex(ctx), revNat: svc.revNat });
    }
    ctx.tb.frame('neigh_record_ip4', 'bpf/lib/neigh.h', () => {
      ctx.tb.add({ kind: 'note', text: `cilium_nodeport_neigh4[${formatIpv4(ctx.pkt.src)}] = ${ctx.pkt.ethSrc} (the client's MAC, for replies the FIB cannot resolve; this map is not kept by cilium-trace)` });
    });
    if (local) {
      ctx.tb.add({ kind: 'note', text: `backend ${formatIpv4(ctx.pkt.dst)} is local (${local.info.flags & 1 ? 'a host address' : `endpoint ${local.info.lxcId}`}): ctx_set_xfer(XFER_PKT_NO_SVC), continue in handle_ipv4` });
      return null;
    }
    ctx.tb.add({ kind: 'note', text: `backend ${formatIpv4(ctx.pkt.dst)} is remote: SNAT and forward (not DSR)` });
    return epTailCall(ctx, 'IPV4_NODEPORT_NAT_EGRESS');
  });
}

/** Slot 36 (nodeport.h:1719-1773): reverse SNAT of replies; no mapping → skip-nodeport and back to slot 7. */
export function tailNodeportNatIngressIpv4(ctx: Ctx): Ret {
  if (newNodeport(ctx)) return tailNodeportNatIngressIpv4New(ctx);
  return ctx.tb.frame('tail_nodeport_nat_ingress_ipv4', FILE, () => {
    const ret = snatV4RevNat(ctx, natTarget({ addr: ipv4DirectRouting(ctx), name: 'IPV4_DIRECT_ROUTING', srcFromWorld: true }));
    if (ret.kind === 'drop') {
      ctx.cb.set('SKIP_NODEPORT', 1);
      ctx.tb.add({ kind: 'note', text: `${ret.macro === 'DROP_NAT_NOT_NEEDED' ? 'NAT_PUNT_TO_STACK' : ret.macro}: no reverse SNAT, ctx_skip_nodeport_set, recirculate to the main path` });
      const r = epTailCall(ctx, 'IPV4_FROM_LXC');
      return r.kind === 'drop' ? sendDropNotify(ctx, r, 'tail_nodeport_nat_ingress_ipv4', FILE, 'ingress') : r;
    }
    ctxSnatDoneSet(ctx);
    const r = epTailCall(ctx, 'IPV4_NODEPORT_REVNAT');
    return r.kind === 'drop' ? sendDropNotify(ctx, r, 'tail_nodeport_nat_ingress_ipv4', FILE, 'ingress') : r;
  });
}

/**
 * Slot 15 (nodeport.h:1775-1889): toward a tunnel endpoint, __encap_with_nodeid with WORLD_ID
 * first (TO_OVERLAY, state new, on the packet before SNAT), then SNAT to IPV4_GATEWAY,
 * ctx_snat_done_set and the redirect to the tunnel device.
 */
export function tailNodeportNatEgressIpv4(ctx: Ctx): Ret {
  if (newNodeport(ctx)) return tailNodeportNatEgressIpv4New(ctx);
  const ret = ctx.tb.frame('tail_nodeport_nat_egress_ipv4', FILE, (): Ret => {
    const cfg = ctx.node.config;
    const target = natTarget({ addr: ipv4DirectRouting(ctx), name: 'IPV4_DIRECT_ROUTING', srcFromWorld: true });
    let verdict: Ret | undefined;
    if (cfg.tunnelMode) {
      const info = lookupIp4RemoteEndpoint(ctx, ctx.pkt.dst, 'ipcache_lookup4');
      if (info && info.info.tunnelEndpoint !== 0) {
        // The request came from outside: the tunnel carries WORLD_ID, so the backend's policy sees world.
        const r = encapWithNodeid(ctx, info.info.tunnelEndpoint, WORLD_ID, info.info.secLabel, 'CT_NEW');
        if (r.kind === 'drop') return r;
        target.addr = cfg.routerIp;
        target.name = 'IPV4_GATEWAY';
        verdict = r;
      }
    }
    if (!verdict && target.addr === 0) return { kind: 'unsimulated', text: 'NodePort to a backend without a tunnel endpoint in tunnel mode (SNAT to IPV4_DIRECT_ROUTING, which is 0 there, and fib_lookup) is not simulated' };
    const nat = snatV4Nat(ctx, target);
    if (nat.kind === 'drop' && nat.macro !== 'DROP_NAT_NOT_NEEDED') return nat;
    ctxSnatDoneSet(ctx);
    if (!verdict) return { kind: 'unsimulated', text: 'NodePort forwarding to a remote backend by fib_lookup (native routing) is not simulated yet' };
    return ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => verdict as Ret);
  });
  return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'tail_nodeport_nat_egress_ipv4', FILE, 'egress') : ret;
}

/** nodeport_rev_dnat_fwd_ipv4 (nodeport.h:2075-2116): reverse DNAT of a NodePort reply leaving by this device. */
function nodeportRevDnatFwdIpv4(ctx: Ctx): Ret {
  if (newNodeport(ctx)) return nodeportRevDnatFwdIpv4New(ctx);
  return ctx.tb.frame('nodeport_rev_dnat_fwd_ipv4', FILE, (): Ret => {
    if (l3Packet(ctx.pkt).l4.proto === 'icmp') {
      ctx.tb.add({ kind: 'note', text: 'lb4_extract_tuple: ICMP (DROP_NO_SERVICE): no RevDNAT check' });
      return CTX_ACT_OK;
    }
    if (!onL3(ctx, () => ctHasNodeportEgressEntry4(ctx))) return CTX_ACT_OK;
    const ct = ctLookup4(ctx, 'CT_INGRESS');
    if (ct.status === 'CT_REPLY' && ct.nodePort && ct.revNat !== 0) {
      lb4RevNat(ctx, ct.revNat);
      ctxSnatDoneSet(ctx);
    }
    return CTX_ACT_OK;
  });
}

/**
 * handle_nat_fwd (nodeport.h:2489-2525) → handle_nat_fwd_ipv4, inlined → __handle_nat_fwd_ipv4
 * (:2338-2356): RevDNAT, then, unless that marked the skb SNAT-done, tail call 38. `tailCalled`
 * tells the caller that the program ended in slot 38 (a tail call never returns).
 */
export function handleNatFwd(ctx: Ctx, srcSecIdentity = 0): { ret: Ret; tailCalled: boolean } {
  let tailCalled = false;
  const ef = egressFile(ctx);
  const ret = ctx.tb.frame('handle_nat_fwd', ef, () => {
    ctx.tb.add({ kind: 'inlined', slot: slot(ctx, 'IPV4_NODEPORT_NAT_FWD'), slotName: 'CILIUM_CALL_IPV4_NODEPORT_NAT_FWD', program: 'handle_nat_fwd_ipv4', why: `IPv4-only, no host firewall, no egress gateway: ${newNodeport(ctx) ? 'invoke_traced_tailcall_if' : 'invoke_tailcall_if'} returns handle_nat_fwd_ipv4(ctx) (tail_handle_nat_fwd_ipv4 is not compiled)` });
    return ctx.tb.frame('handle_nat_fwd_ipv4', ef, () => ctx.tb.frame('__handle_nat_fwd_ipv4', ef, () => {
      const r = nodeportRevDnatFwdIpv4(ctx);
      if (r.kind === 'drop') return r;
      if (ctxSnatDone(ctx)) {
        ctx.tb.add({ kind: 'note', text: 'ctx_snat_done: the reply was reverse-DNATed, no SNAT tail call' });
        return r;
      }
      tailCalled = true;
      if (ctx.cluster.release.has('snat-fwd-src-identity')) {
        // nodeport_egress.h@v1.18.3:557-558: ctx_store_meta(ctx, CB_SRC_LABEL, src_id) before the tail call.
        ctx.cb.set('CB_SRC_LABEL', srcSecIdentity);
        ctx.tb.add({ kind: 'note', text: `cb[CB_SRC_LABEL]=${srcSecIdentity} (the caller's source identity)`, feature: 'snat-fwd-src-identity' });
      }
      return epTailCall(ctx, 'IPV4_NODEPORT_SNAT_FWD');
    }));
  });
  return { ret, tailCalled };
}

/** nodeport_snat_fwd_ipv4 (nodeport.h:1319-1337). */
function nodeportSnatFwdIpv4(ctx: Ctx): Ret {
  return ctx.tb.frame('nodeport_snat_fwd_ipv4', egressFile(ctx), (): Ret => {
    const target = natTarget();
    if (!snatV4PrepareState(ctx, target)) return CTX_ACT_OK;
    const ret = snatV4Nat(ctx, target);
    if (ret.kind === 'drop' && ret.macro === 'DROP_NAT_NOT_NEEDED') return CTX_ACT_OK;
    // v1.16+: if (is_defined(IS_BPF_HOST)) ctx_snat_done_set(ctx), so a second device leaves it alone.
    if (newNodeport(ctx) && ret.kind === 'ok' && ctx.prog.object === 'bpf_host') ctxSnatDoneSet(ctx);
    return ret;
  });
}

/**
 * Slot 38, tail_handle_snat_fwd_ipv4 (nodeport.h:2316-2335): BPF SNAT, then the observation
 * point of the device: TRACE_TO_OVERLAY in bpf_overlay (tunnel mode), else TRACE_TO_NETWORK,
 * with ifindex 0.
 */
export function tailHandleSnatFwdIpv4(ctx: Ctx): Ret {
  const ef = egressFile(ctx);
  return ctx.tb.frame('tail_handle_snat_fwd_ipv4', ef, () => {
    const ret = nodeportSnatFwdIpv4(ctx);
    if (ret.kind === 'drop') return sendDropNotify(ctx, ret, 'tail_handle_snat_fwd_ipv4', ef, 'egress', { srcId: 0, dstId: 0, dstEp: 0 });
    const overlay = ctx.node.config.tunnelMode && ctx.prog.object === 'bpf_overlay';
    // ifindex: 0 at v1.13.0; NATIVE_DEV_IFINDEX at v1.16; THIS_INTERFACE_IFINDEX at v1.18.
    const ifindex = ctx.cluster.release.pick({ '1.13.0': 0, '1.16.0': nativeDevIfindex(ctx), '1.18.0': ctx.ifindex });
    // v1.18: src_id = ctx_load_and_clear_meta(ctx, CB_SRC_LABEL) (nodeport_egress.h@v1.18.3:437); UNKNOWN_ID before.
    const srcId = ctx.cluster.release.has('snat-fwd-src-identity') ? ctx.cb.get('CB_SRC_LABEL') ?? 0 : 0;
    sendTraceNotify(ctx, overlay ? 'TRACE_TO_OVERLAY' : 'TRACE_TO_NETWORK', srcId, 0, 0, ifindex, 'unknown');
    ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
    return ret;
  });
}

/**
 * rev_nodeport_lb4 after its fib_lookup (nodeport.h:2214-2257): maybe_add_l2_hdr (nothing to do
 * on an Ethernet device), then the FIB's MACs; on BPF_FIB_LKUP_RET_NO_NEIGH the destination MAC
 * comes from cilium_nodeport_neigh4, which nodeport_lb4 filled on the request (not kept here).
 */
function revNodeportL2(ctx: Ctx, dev: Device, dmac: Mac | undefined): void {
  // maybe_add_l2_hdr moved to bpf/lib/fib.h (v1.16.15:27, v1.18.3:27).
  ctx.tb.frame('maybe_add_l2_hdr', ctx.cluster.release.site(FILE, 'maybe_add_l2_hdr') !== undefined ? FILE : 'bpf/lib/fib.h', () => {
    ctx.tb.add({ kind: 'note', text: `${dev.name} is an L2 device and ETH_HLEN != 0: l2_hdr_required, no header added` });
  });
  const p = ctx.pkt;
  if (dmac) {
    ctx.tb.frame('eth_store_daddr', 'bpf/lib/eth.h', () => ctx.tb.add({ kind: 'note', text: `fib_params.dmac ${dmac}` }));
    ctx.tb.frame('eth_store_saddr', 'bpf/lib/eth.h', () => ctx.tb.add({ kind: 'note', text: `fib_params.smac ${dev.mac}` }));
    ctx.tb.add({ kind: 'rewrite', field: 'eth', from: `${p.ethSrc} > ${p.ethDst}`, to: `${dev.mac} > ${dmac}` });
    ctx.pkt = { ...p, ethSrc: dev.mac, ethDst: dmac };
    return;
  }
  ctx.tb.frame('neigh_lookup_ip4', 'bpf/lib/neigh.h', () => {
    ctx.tb.add({ kind: 'not_simulated', text: `cilium_nodeport_neigh4[${formatIpv4(p.dst)}], the MAC neigh_record_ip4 stored on the request (this map is not kept by cilium-trace; without an entry: DROP_NO_FIB)` });
  });
  ctx.tb.frame('eth_store_daddr_aligned', 'bpf/lib/eth.h', () => ctx.tb.add({ kind: 'note', text: 'dmac: that entry' }));
  ctx.tb.frame('eth_store_saddr_aligned', 'bpf/lib/eth.h', () => ctx.tb.add({ kind: 'note', text: `smac NATIVE_DEV_MAC_BY_IFINDEX(${dev.ifindex}) ${dev.mac}` }));
  ctx.tb.add({ kind: 'rewrite', field: 'eth', from: `${p.ethSrc} > ${p.ethDst}`, to: `${dev.mac} > ${p.ethDst} (source only: the destination MAC is not simulated)` });
  ctx.pkt = { ...p, ethSrc: dev.mac };
}

/**
 * Slot 17, tail_rev_nodeport_lb4 → rev_nodeport_lb4 (nodeport.h:2128-2314): a reply whose
 * CT_EGRESS entry carries node_port (ct_has_nodeport_egress_entry4) is looked up CT_INGRESS;
 * CT_REPLY gets the frontend address back (lb4_rev_nat) and leaves toward the client, through
 * the tunnel if the ipcache says so, else by FIB lookup. Anything else recirculates to slot 7.
 */
export function tailRevNodeportLb4(ctx: Ctx): Ret {
  if (newNodeport(ctx)) return tailNodeportRevDnatIpv4(ctx);
  return ctx.tb.frame('tail_rev_nodeport_lb4', FILE, () => {
    const ret = ctx.tb.frame('rev_nodeport_lb4', FILE, (): Ret => {
      const recirculate = (why: string): Ret => {
        // bpf_lxc sets TC_INDEX_F_SKIP_RECIRCULATION before its tail call here (bpf_lxc.c:916-921).
        if (ctx.prog.object === 'bpf_lxc') {
          ctx.tb.add({ kind: 'note', text: `${why}: bpf_skip_recirculation (from bpf_lxc)` });
          return drop('DROP_NAT_NO_MAPPING', 'rev_nodeport_lb4', FILE);
        }
        ctx.tb.add({ kind: 'note', text: `${why}: ctx_skip_nodeport_set, recirculate` });
        ctx.cb.set('SKIP_NODEPORT', 1);
        return epTailCall(ctx, 'IPV4_FROM_LXC');
      };
      if (l3Packet(ctx.pkt).l4.proto === 'icmp') return recirculate('lb4_extract_tuple: ICMP (DROP_NO_SERVICE), goto out');
      if (!onL3(ctx, () => ctHasNodeportEgressEntry4(ctx))) return recirculate('no NodePort CT_EGRESS entry, goto out');
      const ct = ctLookup4(ctx, 'CT_INGRESS');
      if (!(ct.status === 'CT_REPLY' && ct.nodePort && ct.revNat !== 0)) return recirculate('not the reply of a NodePort connection');
      lb4RevNat(ctx, ct.revNat);
      ctxSnatDoneSet(ctx);
      const info = ctx.node.config.tunnelMode ? lookupIp4RemoteEndpoint(ctx, ctx.pkt.dst, 'ipcache_lookup4') : undefined;
      if (info && info.info.tunnelEndpoint !== 0) {
        // encap_redirect: __encap_with_nodeid(ctx, tunnel_endpoint, SECLABEL, dst_id, …, reason CT_REPLY).
        const c = ctx.prog.config;
        const seclabel = c.kind === 'lxc' ? c.seclabel : c.kind === 'host' ? HOST_ID : WORLD_ID;
        const r = encapWithNodeid(ctx, info.info.tunnelEndpoint, seclabel, info.info.secLabel, 'CT_REPLY');
        return r.kind === 'drop' ? r : ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => r);
      }
      const route = routeLookup(ctx.node, ctx.pkt.dst);
      const dev = route ? [...ctx.node.devices.values()].find((d) => d.name === route.dev) : undefined;
      const nextHop = route?.via ?? ctx.pkt.dst;
      // The kernel's neighbour table is not simulated: a next hop that is a node is known (as in fib.ts).
      const dmac = route && dev ? knownNeighbour(ctx, nextHop) : undefined;
      ctx.tb.add({ kind: 'lookup', map: 'FIB (fib_lookup)', key: formatIpv4(ctx.pkt.dst), result: route ? `${describeRoute(route)}: ${dmac ? `BPF_FIB_LKUP_RET_SUCCESS, dmac ${dmac}` : 'BPF_FIB_LKUP_RET_NO_NEIGH'}` : null });
      if (!route || !dev) return drop('DROP_NO_FIB', 'rev_nodeport_lb4', FILE);
      if (route.via !== undefined) ctx.cb.set('NEXT_HOP', route.via);
      revNodeportL2(ctx, dev, dmac);
      return ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => ({ kind: 'redirect', ifindex: dev.ifindex, peer: false, ingress: false } as const));
    });
    return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'tail_rev_nodeport_lb4', FILE, 'egress', undefined, { fn: 'tail_rev_nodeport_lb4', nth: 1 }) : ret;
  });
}

// ---- v1.16+ (nodeport-svc-lb4) ------------------------------------------------------------

/** CTX_ACT_OK / redirect / drop of a v1.16+ helper; null: carry on in handle_ipv4. */
function nodeportLb4New(ctx: Ctx, srcId: number): Ret | null {
  return ctx.tb.frame('nodeport_lb4', FILE, (): Ret | null => {
    const ip = l3Packet(ctx.pkt);
    const key = onL3(ctx, () => lb4ExtractKeyRel(ctx, ip));
    if (typeof key !== 'string') {
      const hit = lb4LookupFrontend(ctx, key.address, key.dport, key.proto);
      if (hit) return nodeportSvcLb4(ctx, hit.svc, hit.fe, ip.src);
    }
    ctx.tb.add({ kind: 'note', text: 'skip_service_lookup: not a service, ctx_set_xfer(XFER_PKT_NO_SVC); it may be a reply to reverse-SNAT' });
    if (key === 'DROP_UNSUPP_SERVICE_PROTO' && ctx.node.config.masquerade !== 'bpf') {
      ctx.tb.add({ kind: 'note', text: 'ENABLE_MASQUERADE_IPV4 is not defined and ICMP is no service protocol: no reverse SNAT path, CTX_ACT_OK' });
      return null;
    }
    ctx.cb.set('CB_SRC_LABEL', srcId);
    return epTailCall(ctx, 'IPV4_NODEPORT_NAT_INGRESS');
  });
}

/**
 * nodeport_svc_lb4 (nodeport.h@v1.16.15:2808, @v1.18.3:2592): a routable frontend only
 * (lb4_svc_is_routable, else DROP_IS_CLUSTER_IP), lb4_local (no backends: the ICMP reject),
 * then the CT_EGRESS entry client → backend with node_port (ct_lazy_lookup4, SCOPE_FORWARD,
 * CT_ENTRY_NODEPORT; CT_NEW creates it, CT_ESTABLISHED keeps it, anything else is
 * DROP_UNKNOWN_CT). A local backend carries on in handle_ipv4; a remote one goes to slot 15
 * with CB_SRC_LABEL = WORLD_IPV4_ID (2 in an IPv4-only cluster, node_config.h).
 */
function nodeportSvcLb4(ctx: Ctx, svc: import('../../maps/lbmap.js').Lb4Service, fe: import('./lb.js').Frontend, saddr: import('../../net/ip.js').Ipv4): Ret | null {
  return ctx.tb.frame('nodeport_svc_lb4', FILE, (): Ret | null => {
    if (!(svc.flags & SVC_FLAG_ROUTABLE)) {
      ctx.tb.add({ kind: 'note', text: 'lb4_svc_is_routable: the frontend is not routable (a ClusterIP, or the 0.0.0.0 surrogate): DROP_IS_CLUSTER_IP', feature: 'nodeport-svc-lb4' });
      return drop('DROP_IS_CLUSTER_IP', 'nodeport_svc_lb4', FILE);
    }
    const redirected = serviceRedirect(ctx, svc);
    if (redirected) return redirected;
    const ret = noServiceResponse(ctx, lb4Local(ctx, fe, svc, saddr));
    if (ret.kind !== 'ok') return ret;
    const r = ctx.cluster.release;
    const local = lookupIp4Endpoint(ctx, ctx.pkt.dst, '__lookup_ip4_endpoint');
    // __ipv4_ct_tuple_reverse, then SCOPE_FORWARD: one lookup (nodeport.h@v1.18.3:2696-2705, @v1.16.15:2906).
    const ct = ctLookup4(ctx, 'CT_EGRESS', undefined, 'ct_lazy_lookup4', 'nodeport', 'SCOPE_FORWARD');
    if (ct.status === 'CT_NEW') {
      // v1.16: ct_state.ifindex = NATIVE_DEV_IFINDEX without HAVE_FIB_IFINDEX; v1.18: the field is reserved.
      ctCreate4State(ctx, 'CT_EGRESS', { srcSecId: WORLD_ID, nodePort: true, ifindex: r.has('ct-list-no-ifindex') ? 0 : nativeDevIfindex(ctx), revNat: svc.revNat });
    } else if (ct.status !== 'CT_ESTABLISHED') {
      return drop('DROP_UNKNOWN_CT', 'nodeport_svc_lb4', FILE);
    }
    const record = (): void => {
      ctx.tb.frame('neigh_record_ip4', 'bpf/lib/neigh.h', () => {
        ctx.tb.add({ kind: 'note', text: `cilium_nodeport_neigh4[${formatIpv4(ctx.pkt.src)}] = ${ctx.pkt.ethSrc} (the client's MAC, for replies the FIB cannot resolve; this map is not kept by cilium-trace)` });
      });
    };
    // v1.16 records the neighbour for every backend; v1.18 only for a remote one.
    if (!r.has('nodeport-revdnat-remote-node')) record();
    if (local) {
      ctx.tb.add({ kind: 'note', text: `backend ${formatIpv4(ctx.pkt.dst)} is local (${local.info.flags & 1 ? 'a host address' : `endpoint ${local.info.lxcId}`}): ctx_set_xfer(XFER_PKT_NO_SVC), continue in handle_ipv4` });
      return null;
    }
    if (r.has('nodeport-revdnat-remote-node')) record();
    ctx.tb.add({ kind: 'note', text: `backend ${formatIpv4(ctx.pkt.dst)} is remote: CB_SRC_LABEL = WORLD_IPV4_ID ${WORLD_ID}, SNAT and forward (not DSR)` });
    ctx.cb.set('CB_SRC_LABEL', WORLD_ID);
    return epTailCall(ctx, 'IPV4_NODEPORT_NAT_EGRESS');
  });
}

/**
 * Slot 15, tail_nodeport_nat_egress_ipv4 (v1.16+): toward a tunnel endpoint the target is
 * IPV4_GATEWAY; lb4_extract_tuple, ipv4_l3, __snat_v4_nat (no can_skip), ctx_snat_done_set,
 * and only then nodeport_add_tunnel_encap with CB_SRC_LABEL (WORLD): the TO_OVERLAY trace
 * shows the SNATed packet. Without a tunnel endpoint: fib_redirect (not simulated).
 */
function tailNodeportNatEgressIpv4New(ctx: Ctx): Ret {
  const ret = ctx.tb.frame('tail_nodeport_nat_egress_ipv4', FILE, (): Ret => {
    const cfg = ctx.node.config;
    const target = natTarget({ addr: ipv4DirectRouting(ctx), name: 'IPV4_DIRECT_ROUTING' });
    let tunnel: { ep: import('../../net/ip.js').Ipv4; dstId: number } | undefined;
    if (cfg.tunnelMode) {
      const info = lookupIp4RemoteEndpoint(ctx, ctx.pkt.dst, 'ipcache_lookup4');
      if (info && info.info.tunnelEndpoint !== 0) {
        tunnel = { ep: info.info.tunnelEndpoint, dstId: info.info.secLabel };
        target.addr = cfg.routerIp;
        target.name = 'IPV4_GATEWAY';
      }
    }
    if (!tunnel && target.addr === 0) return { kind: 'unsimulated', text: 'NodePort to a backend without a tunnel endpoint in tunnel mode (SNAT to IPV4_DIRECT_ROUTING, which is 0 there, and fib_redirect) is not simulated' };
    const tuple = ctx.tb.frame('lb4_extract_tuple', 'bpf/lib/lb.h', () => {
      ctx.tb.add({ kind: 'note', text: 'ports swapped back to packet order (ipv4_ct_tuple_swap_ports), tuple.flags = TUPLE_F_OUT' });
      return natTupleOut(ctx);
    });
    if ('kind' in tuple) return tuple;
    ipv4L3(ctx);
    const nat = snatV4NatCore(ctx, tuple, target);
    if (nat.kind === 'drop') return nat;
    ctxSnatDoneSet(ctx);
    if (!tunnel) return { kind: 'unsimulated', text: 'NodePort forwarding to a remote backend by fib_redirect (native routing) is not simulated yet' };
    const t = tunnel;
    const src = ctx.cb.get('CB_SRC_LABEL') ?? WORLD_ID;
    const r = ctx.tb.frame('nodeport_add_tunnel_encap', FILE, () => {
      ctx.tb.add({ kind: 'note', text: `the request came from outside: the tunnel carries CB_SRC_LABEL ${src} (world), so the backend's policy sees world`, feature: 'nodeport-svc-lb4' });
      return encapWithNodeid(ctx, t.ep, src, t.dstId, 'CT_NEW');
    });
    if (r.kind === 'drop') return r;
    return ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => r);
  });
  return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'tail_nodeport_nat_egress_ipv4', FILE, 'egress') : ret;
}

/**
 * Slot 36, tail_nodeport_nat_ingress_ipv4 (v1.16+): reverse SNAT; NAT_PUNT_TO_STACK or no
 * mapping recircles (ctx_skip_nodeport_set, CILIUM_CALL_IPV4_FROM_NETDEV). After a reverse
 * SNAT, the reverse DNAT is a direct call (invoke_traced_tailcall_if(ENABLE_HOST_FIREWALL &&
 * IS_BPF_HOST, …), no host firewall): a redirect ends the program, CTX_ACT_OK recircles.
 */
function tailNodeportNatIngressIpv4New(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_nodeport_nat_ingress_ipv4', FILE, () => {
    const recircle = (why: string): Ret => {
      ctx.cb.set('SKIP_NODEPORT', 1);
      ctx.tb.add({ kind: 'note', text: `${why}: recircle, ctx_skip_nodeport_set, tail call CILIUM_CALL_IPV4_FROM_NETDEV` });
      const r = epTailCall(ctx, 'IPV4_FROM_LXC');
      return r.kind === 'drop' ? sendDropNotify(ctx, r, 'tail_nodeport_nat_ingress_ipv4', FILE, 'ingress') : r;
    };
    const ret = snatV4RevNat(ctx, natTarget({ addr: 0 as import('../../net/ip.js').Ipv4, name: '' }));
    if (ret.kind === 'drop') {
      if (ret.macro === 'DROP_NAT_NOT_NEEDED' || ret.macro === 'DROP_NAT_NO_MAPPING') return recircle(ret.macro === 'DROP_NAT_NOT_NEEDED' ? 'NAT_PUNT_TO_STACK' : 'DROP_NAT_NO_MAPPING');
      return sendDropNotify(ctx, ret, 'tail_nodeport_nat_ingress_ipv4', FILE, 'ingress');
    }
    ctxSnatDoneSet(ctx);
    const names = revDnatNames(ctx.cluster.release);
    ctx.tb.add({ kind: 'inlined', slot: slot(ctx, 'IPV4_NODEPORT_REVNAT'), slotName: 'CILIUM_CALL_IPV4_NODEPORT_REVNAT', program: names.fn, why: 'no host firewall in bpf_host: invoke_traced_tailcall_if calls it directly' });
    const r = nodeportRevDnatIpv4(ctx);
    if (r.kind === 'ok') return recircle('no reverse DNAT needed');
    return r.kind === 'drop' ? sendDropNotify(ctx, r, 'tail_nodeport_nat_ingress_ipv4', FILE, 'ingress') : r;
  });
}

/** Slot 17 at v1.16+: tail_nodeport_rev_dnat_ingress_ipv4 (v1.18 tail_nodeport_rev_dnat_ipv4). */
function tailNodeportRevDnatIpv4(ctx: Ctx): Ret {
  const names = revDnatNames(ctx.cluster.release);
  return ctx.tb.frame(names.tail, FILE, () => {
    const ret = nodeportRevDnatIpv4(ctx);
    if (ret.kind === 'ok') {
      // "When called by bpf_lxc to handle a reply by local backend, the packet *must* be redirected."
      if (ctx.prog.object === 'bpf_lxc') return sendDropNotify(ctx, drop('DROP_NAT_NO_MAPPING', names.tail, FILE), names.tail, FILE, 'egress');
      ctx.cb.set('SKIP_NODEPORT', 1);
      ctx.tb.add({ kind: 'note', text: 'CTX_ACT_OK: ctx_skip_nodeport_set, tail call CILIUM_CALL_IPV4_FROM_NETDEV' });
      const r = epTailCall(ctx, 'IPV4_FROM_LXC');
      return r.kind === 'drop' ? sendDropNotify(ctx, r, names.tail, FILE, 'egress') : r;
    }
    return ret.kind === 'drop' ? sendDropNotify(ctx, ret, names.tail, FILE, 'egress') : ret;
  });
}

/**
 * nodeport_rev_dnat_ingress_ipv4 (v1.16.15:2423) / nodeport_rev_dnat_ipv4 (v1.18.3:2172): a
 * reply of a NodePort connection (ct_lazy_lookup4 CT_INGRESS, SCOPE_REVERSE, CT_ENTRY_NODEPORT
 * → CT_REPLY) gets the frontend back (lb4_rev_nat), ctx_snat_done_set, then leaves through the
 * tunnel toward the client's node (source identity SECLABEL; v1.18: REMOTE_NODE_ID) or by
 * fib_redirect. CTX_ACT_OK: not such a reply.
 */
function nodeportRevDnatIpv4(ctx: Ctx): Ret {
  const names = revDnatNames(ctx.cluster.release);
  return ctx.tb.frame(names.fn, FILE, (): Ret => {
    const key = onL3(ctx, () => lb4ExtractKeyRel(ctx, l3Packet(ctx.pkt), 'revdnat'));
    if (typeof key === 'string') {
      ctx.tb.add({ kind: 'note', text: 'not a service protocol: goto skip_revdnat, CTX_ACT_OK' });
      return CTX_ACT_OK;
    }
    const ct = ctLookup4(ctx, 'CT_INGRESS', undefined, 'ct_lazy_lookup4', 'nodeport', 'SCOPE_REVERSE'); // nodeport.h@v1.18.3:2229
    if (!(ct.status === 'CT_REPLY' && ct.nodePort)) {
      ctx.tb.add({ kind: 'note', text: 'no CT_REPLY of a NodePort entry (CT_ENTRY_NODEPORT): CTX_ACT_OK' });
      return CTX_ACT_OK;
    }
    lb4RevNat(ctx, ct.revNat);
    ctxSnatDoneSet(ctx);
    const r = ctx.cluster.release;
    const info = ctx.node.config.tunnelMode ? lookupIp4RemoteEndpoint(ctx, ctx.pkt.dst, 'ipcache_lookup4') : undefined;
    ipv4L3(ctx);
    if (info && info.info.tunnelEndpoint !== 0) {
      const c = ctx.prog.config;
      const own = c.kind === 'lxc' ? c.seclabel : c.kind === 'host' ? HOST_ID : WORLD_ID;
      const src = r.has('nodeport-revdnat-remote-node') ? REMOTE_NODE_ID : own;
      if (r.has('nodeport-revdnat-remote-node')) ctx.tb.add({ kind: 'note', text: `src_sec_identity = REMOTE_NODE_ID ${REMOTE_NODE_ID}`, feature: 'nodeport-revdnat-remote-node' });
      const enc = ctx.tb.frame('nodeport_add_tunnel_encap', FILE, () => encapWithNodeid(ctx, info.info.tunnelEndpoint, src, info.info.secLabel, 'CT_REPLY'));
      return enc.kind === 'drop' ? enc : ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => enc);
    }
    return ctx.tb.frame('fib_redirect', 'bpf/lib/fib.h', () => fibRedirectReply(ctx, names.fn));
  });
}

/** fib_redirect of a NodePort reply toward the client: the FIB's route and MACs (neighbours of nodes are known). */
function fibRedirectReply(ctx: Ctx, fn: string): Ret {
  const route = routeLookup(ctx.node, ctx.pkt.dst);
  const dev = route ? [...ctx.node.devices.values()].find((d) => d.name === route.dev) : undefined;
  const nextHop = route?.via ?? ctx.pkt.dst;
  const dmac = route && dev ? knownNeighbour(ctx, nextHop) : undefined;
  ctx.tb.add({ kind: 'lookup', map: 'FIB (fib_lookup)', key: formatIpv4(ctx.pkt.dst), result: route ? `${describeRoute(route)}: ${dmac ? `BPF_FIB_LKUP_RET_SUCCESS, dmac ${dmac}` : 'BPF_FIB_LKUP_RET_NO_NEIGH'}` : null });
  if (!route || !dev) return drop('DROP_NO_FIB', fn, FILE);
  if (route.via !== undefined) ctx.cb.set('NEXT_HOP', route.via);
  revNodeportL2(ctx, dev, dmac);
  return ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => ({ kind: 'redirect', ifindex: dev.ifindex, peer: false, ingress: false } as const));
}

/**
 * nodeport_rev_dnat_fwd_ipv4 (v1.16+, nodeport_egress.h from v1.17): a NodePort reply leaving
 * by this device: nodeport_rev_dnat_get_info_ipv4 (ct_has_nodeport_egress_entry4), then
 * ct_lazy_lookup4 CT_INGRESS; CT_REPLY gets the frontend back (__lb4_rev_nat) and snat_done.
 */
function nodeportRevDnatFwdIpv4New(ctx: Ctx): Ret {
  return ctx.tb.frame('nodeport_rev_dnat_fwd_ipv4', egressFile(ctx), (): Ret => {
    const key = onL3(ctx, () => lb4ExtractKeyRel(ctx, l3Packet(ctx.pkt), 'revdnat-fwd'));
    if (typeof key === 'string') return CTX_ACT_OK;
    const hasEntry = ctx.tb.frame('nodeport_rev_dnat_get_info_ipv4', FILE, () => onL3(ctx, () => ctHasNodeportEgressEntry4(ctx)));
    if (!hasEntry) return CTX_ACT_OK;
    const ct = ctLookup4(ctx, 'CT_INGRESS', ctxFullLen(ctx.pkt), 'ct_lazy_lookup4', 'nodeport', 'SCOPE_REVERSE'); // nodeport_egress.h@v1.18.3:518
    if (ct.status === 'CT_REPLY') {
      lb4RevNat(ctx, ct.revNat);
      ctxSnatDoneSet(ctx);
    }
    return CTX_ACT_OK;
  });
}
