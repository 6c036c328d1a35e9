// NodePort of bpf/lib/nodeport.h (v1.13), as bpf_host (from-netdev) and bpf_overlay run it:
// nodeport_lb4 looks every packet up as a service frontend. A hit DNATs to a backend (local:
// carry on to local delivery; remote: tail call 15, SNAT and forward). A miss marks the
// packet XFER_PKT_NO_SVC and tail-calls 36 to reverse-SNAT a reply; with no mapping the packet
// recirculates to slot 7 with the skip-nodeport flag, and handle_ipv4 runs again.
// Left out: DSR, externalTrafficPolicy=Local, source ranges, NAT46/64, XDP acceleration.
import { CILIUM_CALL } from '../../cilium/call-slots.js';
import { WORLD_ID } from '../../cilium/identities.js';
import { SVC_FLAG_NODEPORT } from '../../maps/lbmap.js';
import { TUPLE_F_IN, TUPLE_F_OUT, type CtTuple } from '../../maps/ctmap.js';
import { formatNatEntry, formatNatKey, NAT_MAP } from '../../maps/natmap.js';
import { SIM_CLOCK } from '../../maps/ctmap.js';
import { formatIpv4, type Ipv4 } from '../../net/ip.js';
import { ipProto, type Packet } from '../../net/packet.js';
import { drop, type Ctx, type Ret } from '../context.js';
import { sendDropNotify } from './drop.js';
import { encapAndRedirectWithNodeid } from './encap.js';
import { lookupIp4RemoteEndpoint } from './eps.js';
import { lb4Local, lb4LookupService, lb4RevNat } from './lb.js';
import { ctCreate4, ctLookup4 } from './conntrack.js';
import { describeRoute, routeLookup } from '../kernel/stack.js';
import { epTailCall } from './tailcall.js';

const FILE = 'bpf/lib/nodeport.h';
const NODEPORT_PORT_MIN_NAT = 32768;

/** The L3/L4 the NodePort code sees: the outer headers of an encapsulated packet. */
function view(p: Packet): { src: Ipv4; dst: Ipv4; proto: number; sport: number; dport: number } | undefined {
  if (p.outer) return { src: p.outer.src, dst: p.outer.dst, proto: 17, sport: p.outer.sport, dport: p.outer.dport };
  if (p.l4.proto === 'icmp') return undefined;
  return { src: p.src, dst: p.dst, proto: ipProto(p), sport: p.l4.sport, dport: p.l4.dport };
}

export function skipNodeport(ctx: Ctx): boolean {
  return ctx.cb.get('SKIP_NODEPORT') === 1;
}

/** Returns null to let handle_ipv4 carry on (no service, or a local backend after DNAT). */
export function nodeportLb4(ctx: Ctx, srcId: number): Ret | null {
  return ctx.tb.frame('nodeport_lb4', FILE, () => {
    const v = view(ctx.pkt);
    const svc = v ? lb4LookupService(ctx, v.dst, v.dport) : undefined;
    if (!v) ctx.tb.add({ kind: 'note', text: 'lb4_extract_tuple: not TCP/UDP/SCTP (DROP_NO_SERVICE), goto skip_service_lookup' });
    if (!svc || !v) {
      ctx.tb.add({ kind: 'note', text: 'not a service: ctx_set_xfer(XFER_PKT_NO_SVC); it may be a reply to reverse-SNAT' });
      ctx.cb.set('CB_SRC_LABEL', srcId);
      return epTailCall(ctx, CILIUM_CALL.IPV4_NODEPORT_NAT_INGRESS);
    }
    const ret = lb4Local(ctx, { address: v.dst, dport: v.dport }, svc, v.src);
    if (ret.kind !== 'ok') return ret;
    if (!(svc.flags & SVC_FLAG_NODEPORT)) return drop('DROP_IS_CLUSTER_IP', 'nodeport_lb4', FILE);
    const local = ctx.node.maps.lxc.lookup(ctx.pkt.dst);
    ctx.nodePort = true;
    ctCreate4(ctx, 'CT_EGRESS', WORLD_ID);
    if (local && !(local.info.flags & 1)) {
      ctx.tb.add({ kind: 'note', text: `backend ${formatIpv4(ctx.pkt.dst)} is local (endpoint ${local.info.lxcId}): XFER_PKT_NO_SVC, continue to local delivery` });
      return null;
    }
    ctx.tb.add({ kind: 'note', text: `backend ${formatIpv4(ctx.pkt.dst)} is remote: SNAT and forward (not DSR)` });
    return epTailCall(ctx, CILIUM_CALL.IPV4_NODEPORT_NAT_EGRESS);
  });
}

/** Slot 36: reverse SNAT of replies; no mapping → skip-nodeport and back to slot 7. */
export function tailNodeportNatIngressIpv4(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_nodeport_nat_ingress_ipv4', FILE, () => {
    const ret = ctx.tb.frame('snat_v4_rev_nat', 'bpf/lib/nat.h', () => {
      const v = view(ctx.pkt);
      if (!v) {
        ctx.tb.add({ kind: 'note', text: 'not TCP/UDP: NAT_PUNT_TO_STACK' });
        return null;
      }
      const key: CtTuple = { daddr: v.dst, saddr: v.src, dport: v.dport, sport: v.sport, nexthdr: v.proto, flags: TUPLE_F_IN };
      const hit = ctx.node.maps.nat.lookup(key);
      ctx.tb.add({ kind: 'lookup', map: NAT_MAP, key: formatNatKey(key).trimEnd(), result: hit ? formatNatEntry(key, hit) : null, ...(hit ? {} : { note: 'no mapping' }) });
      return hit ?? null;
    });
    if (!ret) {
      ctx.cb.set('SKIP_NODEPORT', 1);
      ctx.tb.add({ kind: 'note', text: 'no reverse-SNAT mapping: ctx_skip_nodeport_set, recirculate to the main path' });
      const r = epTailCall(ctx, CILIUM_CALL.IPV4_FROM_LXC);
      return r.kind === 'drop' ? sendDropNotify(ctx, r, 'tail_nodeport_nat_ingress_ipv4', FILE, 'ingress') : r;
    }
    // A mapping exists: translate the reply back, then rev_nodeport_lb4 (slot 17).
    const v = view(ctx.pkt);
    if (v && !ctx.pkt.outer) {
      ctx.tb.add({ kind: 'rewrite', field: 'daddr:dport', from: `${formatIpv4(v.dst)}:${v.dport}`, to: `${formatIpv4(ret.toAddr)}:${ret.toPort}` });
      const l4 = ctx.pkt.l4.proto === 'icmp' ? ctx.pkt.l4 : { ...ctx.pkt.l4, dport: ret.toPort };
      ctx.pkt = { ...ctx.pkt, dst: ret.toAddr, l4 };
    }
    ctx.tb.add({ kind: 'note', text: 'ctx_snat_done_set' });
    const r = epTailCall(ctx, CILIUM_CALL.IPV4_NODEPORT_REVNAT);
    return r.kind === 'drop' ? sendDropNotify(ctx, r, 'tail_nodeport_nat_ingress_ipv4', FILE, 'ingress') : r;
  });
}

/** Slot 15: SNAT to the node (or, toward a tunnel, the cilium_host address) and forward. */
export function tailNodeportNatEgressIpv4(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_nodeport_nat_egress_ipv4', FILE, () => {
    const cfg = ctx.node.config;
    const info = cfg.tunnelMode ? lookupIp4RemoteEndpoint(ctx, ctx.pkt.dst, 'ipcache_lookup4') : undefined;
    const tunnelEndpoint = info && info.info.tunnelEndpoint !== 0 ? info.info.tunnelEndpoint : undefined;
    const to = tunnelEndpoint !== undefined ? cfg.routerIp : cfg.nodeIp;
    const v = view(ctx.pkt);
    if (v) {
      ctx.tb.frame('snat_v4_nat', 'bpf/lib/nat.h', () => {
        const out: CtTuple = { daddr: v.dst, saddr: v.src, dport: v.dport, sport: v.sport, nexthdr: v.proto, flags: TUPLE_F_OUT };
        const back: CtTuple = { daddr: to, saddr: v.dst, dport: NODEPORT_PORT_MIN_NAT, sport: v.dport, nexthdr: v.proto, flags: TUPLE_F_IN };
        const outEntry = { created: SIM_CLOCK, hostLocal: false, toAddr: to, toPort: NODEPORT_PORT_MIN_NAT };
        const backEntry = { created: SIM_CLOCK, hostLocal: false, toAddr: v.src, toPort: v.sport };
        ctx.node.maps.nat.set(out, outEntry);
        ctx.node.maps.nat.set(back, backEntry);
        ctx.tb.add({ kind: 'ct_create', map: NAT_MAP, key: formatNatKey(out).trimEnd(), value: formatNatEntry(out, outEntry) });
        ctx.tb.add({ kind: 'ct_create', map: NAT_MAP, key: formatNatKey(back).trimEnd(), value: formatNatEntry(back, backEntry) });
        ctx.tb.add({ kind: 'rewrite', field: 'saddr:sport', from: `${formatIpv4(v.src)}:${v.sport}`, to: `${formatIpv4(to)}:${NODEPORT_PORT_MIN_NAT}` });
        const l4 = ctx.pkt.l4.proto === 'icmp' ? ctx.pkt.l4 : { ...ctx.pkt.l4, sport: NODEPORT_PORT_MIN_NAT };
        ctx.pkt = { ...ctx.pkt, src: to, l4 };
      });
    }
    if (tunnelEndpoint !== undefined) {
      // The request came from outside: the tunnel carries WORLD_ID, so the backend's policy sees world.
      ctx.tb.add({ kind: 'note', text: 'encapsulate with identity WORLD_ID (2): the request came from outside the cluster' });
      const r = encapAndRedirectWithNodeid(ctx, tunnelEndpoint, WORLD_ID, info?.info.secLabel ?? 0);
      return r.kind === 'drop' ? sendDropNotify(ctx, r, 'tail_nodeport_nat_egress_ipv4', FILE, 'egress') : r;
    }
    return { kind: 'unsimulated', text: 'NodePort forwarding to a remote backend in native routing (fib_redirect_v4) is not simulated yet' };
  });
}

/**
 * handle_nat_fwd (cil_to_netdev) → tail_handle_nat_fwd_ipv4 (inlined: slot 19 is a tail call
 * only with dual stack, host firewall or egress gateway) → nodeport_nat_ipv4_fwd →
 * snat_v4_prepare_state decides whether BPF masquerading applies → snat_v4_nat.
 */
export function handleNatFwd(ctx: Ctx): Ret {
  return ctx.tb.frame('handle_nat_fwd', FILE, () => {
    ctx.tb.add({ kind: 'inlined', slot: CILIUM_CALL.IPV4_ENCAP_NODEPORT_NAT, slotName: 'CILIUM_CALL_IPV4_ENCAP_NODEPORT_NAT', program: 'tail_handle_nat_fwd_ipv4', why: 'IPv4-only, no host firewall, no egress gateway: invoke_tailcall_if compiles a direct call' });
    return ctx.tb.frame('nodeport_nat_ipv4_fwd', FILE, () => {
      const v = view(ctx.pkt);
      const cfg = ctx.node.config;
      const why = ctx.tb.frame('snat_v4_prepare_state', 'bpf/lib/nat.h', (): string | null => {
        if (cfg.masquerade !== 'bpf') return 'BPF masquerading is off (ENABLE_MASQUERADE not defined)';
        if (!v) return 'not TCP/UDP: nothing to translate';
        if (v.src === cfg.nodeIp) return `source ${formatIpv4(v.src)} is this node: no SNAT needed`;
        const ep = ctx.node.maps.lxc.lookup(v.src);
        if (!ep || ep.info.flags & 1) return `source ${formatIpv4(v.src)} is not a local endpoint`;
        const info = ctx.node.maps.ipcache.lookup(v.dst);
        const id = info?.info.secLabel ?? 2;
        if (id !== 2 && id < (1 << 24)) return `destination identity ${id} is inside the cluster: no masquerading`;
        return null;
      });
      if (why !== null || !v) {
        ctx.tb.add({ kind: 'note', text: why ?? 'nothing to translate' });
        return CTX_ACT_OK_RET;
      }
      const port = NODEPORT_PORT_MIN_NAT;
      ctx.tb.frame('snat_v4_nat', 'bpf/lib/nat.h', () => {
        const out: CtTuple = { daddr: v.dst, saddr: v.src, dport: v.dport, sport: v.sport, nexthdr: v.proto, flags: TUPLE_F_OUT };
        const back: CtTuple = { daddr: cfg.nodeIp, saddr: v.dst, dport: port, sport: v.dport, nexthdr: v.proto, flags: TUPLE_F_IN };
        const outEntry = { created: SIM_CLOCK, hostLocal: false, toAddr: cfg.nodeIp, toPort: port };
        const backEntry = { created: SIM_CLOCK, hostLocal: false, toAddr: v.src, toPort: v.sport };
        ctx.node.maps.nat.set(out, outEntry);
        ctx.node.maps.nat.set(back, backEntry);
        ctx.tb.add({ kind: 'ct_create', map: NAT_MAP, key: formatNatKey(out).trimEnd(), value: formatNatEntry(out, outEntry) });
        ctx.tb.add({ kind: 'ct_create', map: NAT_MAP, key: formatNatKey(back).trimEnd(), value: formatNatEntry(back, backEntry) });
        ctx.tb.add({ kind: 'rewrite', field: 'saddr:sport', from: `${formatIpv4(v.src)}:${v.sport}`, to: `${formatIpv4(cfg.nodeIp)}:${port} (IPV4_MASQUERADE)` });
        const l4 = ctx.pkt.l4.proto === 'icmp' ? ctx.pkt.l4 : { ...ctx.pkt.l4, sport: port };
        ctx.pkt = { ...ctx.pkt, src: cfg.nodeIp, l4 };
      });
      return CTX_ACT_OK_RET;
    });
  });
}

const CTX_ACT_OK_RET: Ret = { kind: 'ok' };

/**
 * Slot 17, tail_rev_nodeport_lb4 → rev_nodeport_lb4: the reply of a NodePort connection
 * (CT_REPLY on an entry with node_port) gets the NodePort address back as source and leaves
 * toward the client (through the tunnel if the ipcache says so, else by FIB lookup); anything
 * else recirculates to slot 7 with the skip-nodeport flag.
 */
export function tailRevNodeportLb4(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_rev_nodeport_lb4', FILE, () => {
    const ret = ctx.tb.frame('rev_nodeport_lb4', FILE, (): Ret => {
      const ct = ctLookup4(ctx, 'CT_INGRESS');
      if (!(ct.status === 'CT_REPLY' && ct.nodePort && ct.revNat !== 0)) {
        ctx.tb.add({ kind: 'note', text: 'not the reply of a NodePort connection: ctx_skip_nodeport_set, recirculate' });
        ctx.cb.set('SKIP_NODEPORT', 1);
        return epTailCall(ctx, CILIUM_CALL.IPV4_FROM_LXC);
      }
      lb4RevNat(ctx, ct.revNat);
      ctx.tb.add({ kind: 'note', text: 'bpf_mark_snat_done' });
      const info = ctx.node.config.tunnelMode ? lookupIp4RemoteEndpoint(ctx, ctx.pkt.dst, 'ipcache_lookup4') : undefined;
      if (info && info.info.tunnelEndpoint !== 0) return encapAndRedirectWithNodeid(ctx, info.info.tunnelEndpoint, ctx.prog.config.kind === 'lxc' ? ctx.prog.config.seclabel : 2, info.info.secLabel);
      const route = routeLookup(ctx.node, ctx.pkt.dst);
      const dev = route ? [...ctx.node.devices.values()].find((d) => d.name === route.dev) : undefined;
      ctx.tb.add({ kind: 'lookup', map: 'FIB (fib_lookup)', key: formatIpv4(ctx.pkt.dst), result: route ? describeRoute(route) : null });
      if (!route || !dev) return drop('DROP_NO_FIB', 'rev_nodeport_lb4', FILE);
      if (route.via !== undefined) ctx.cb.set('NEXT_HOP', route.via);
      return ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => ({ kind: 'redirect', ifindex: dev.ifindex, peer: false, ingress: false } as const));
    });
    return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'tail_rev_nodeport_lb4', FILE, 'egress') : ret;
  });
}
