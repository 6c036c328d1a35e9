// The NAT engine of bpf/lib/nat.h (Cilium v1.13.0), IPv4: snat_v4_prepare_state (who is
// masqueraded, and the host-local SNAT of the node's own addresses), snat_v4_nat and
// snat_v4_rev_nat with their helpers (can_skip, handle_mapping, track_connection,
// new_mapping with __snat_try_keep_port, rewrite). The map is cilium_snat_v4_external.
// Left out: IPv6, SCTP, egress gateway, ip-masq-agent (ENABLE_IP_MASQ_AGENT), DSR
// (snat_v4_create_dsr), snat_v4_delete_tuples, the NAT fill-up signal. Where the datapath
// takes a random port (get_prandom_u32) cilium-trace takes the first free one from the bottom
// of the range and says so.
// v1.16+ (feature 'nat-needs-masquerade'): snat_v4_needs_masquerade decides (host
// addresses: saddr == IPV4_MASQUERADE with needs_ct; bpf_overlay never), the connection of a
// needs_ct mapping is tracked inside snat_v4_(rev_)nat_handle_mapping with ct_lazy_lookup4,
// __snat_create writes each entry, snat_v4_rewrite_headers rewrites both directions, and
// snat_v4_nat_can_skip no longer lets world-sourced low ports through (nat.h at each release).
import { formatIpv4, prefixContains, type Ipv4, type Ipv4Prefix } from '../../net/ip.js';
import { frameLength, type L4, type Packet } from '../../net/packet.js';
import { ENDPOINT_F_HOST } from '../../maps/lxcmap.js';
import { SIM_CLOCK, TUPLE_F_IN, TUPLE_F_OUT, type CtTuple } from '../../maps/ctmap.js';
import { formatNatEntry, formatNatKey, NAT_MAP, type NatEntry } from '../../maps/natmap.js';
import { CTX_ACT_OK, drop, type Ctx, type Ret } from '../context.js';
import { ctCreate4State, ctIsReply4, ctLookup4 } from './conntrack.js';
import { lookupIp4Endpoint, lookupIp4RemoteEndpoint } from './eps.js';

const FILE = 'bpf/lib/nat.h';
/** NODEPORT_PORT_MIN_NAT / _MAX_NAT: NodePortMax+1 and 65535 (pkg/datapath/linux/config/config.go:429-430). */
export const NODEPORT_PORT_MIN_NAT = 32768;
export const NODEPORT_PORT_MAX_NAT = 65535;
/** NAT_MIN_EGRESS is NODEPORT_PORT_MIN_NAT with ENABLE_NODEPORT (common.h:739-743). */
const NAT_MIN_EGRESS = NODEPORT_PORT_MIN_NAT;
/** MARK_MAGIC_SNAT_DONE (common.h:609 at v1.13.0), set by ctx_snat_done_set in skb->mark. */
export const MARK_MAGIC_SNAT_DONE = 0x1500;
/** v1.16+: MARK_MAGIC_SNAT_DONE is 0x0300 in the MARK_MAGIC_HOST_MASK nibble (common.h@v1.18.3:561, @v1.16.15:730). */
const MARK_MAGIC_SNAT_DONE_V1_16 = 0x0300;
const MARK_MAGIC_HOST_MASK = 0x0f00;
/** Outer Ethernet + IPv4 + UDP + VXLAN/Geneve header bytes of an encapsulated skb. */
const ENCAP_OVERHEAD = 50;

/** struct ipv4_nat_target (nat.h:110-117); `name` says which macro `addr` came from, for the trace. */
export interface NatTarget {
  addr: Ipv4;
  name: string;
  readonly minPort: number;
  readonly maxPort: number;
  readonly srcFromWorld: boolean;
  fromLocalEndpoint: boolean;
  /** v1.16+ target->needs_ct: snat_v4_needs_masquerade sets it for the node's own connections. */
  needsCt: boolean;
}

export function natTarget(init: { addr?: Ipv4; name?: string; srcFromWorld?: boolean } = {}): NatTarget {
  return { addr: init.addr ?? (0 as Ipv4), name: init.name ?? '', minPort: NODEPORT_PORT_MIN_NAT, maxPort: NODEPORT_PORT_MAX_NAT, srcFromWorld: init.srcFromWorld ?? false, fromLocalEndpoint: false, needsCt: false };
}

/** The packet as revalidate_data sees it: the outermost IPv4 header (an encapsulated skb on a native device). */
export function l3Packet(p: Packet): Packet {
  const o = p.outer;
  if (!o) return p;
  return { ethSrc: o.ethSrc, ethDst: o.ethDst, ethertype: p.ethertype, src: o.src, dst: o.dst, ttl: o.ttl, l4: { proto: 'udp', sport: o.sport, dport: o.dport }, mark: p.mark };
}

/** ctx_full_len. */
export function ctxFullLen(p: Packet): number {
  return frameLength(p) + (p.outer ? ENCAP_OVERHEAD : 0);
}

/** Runs conntrack helpers on the outermost headers (they read ctx->pkt); the skb itself is unchanged. */
export function onL3<T>(ctx: Ctx, fn: () => T): T {
  const saved = ctx.pkt;
  if (!saved.outer) return fn();
  ctx.pkt = l3Packet(saved);
  try {
    return fn();
  } finally {
    ctx.pkt = saved;
  }
}

/** ctx_snat_done (overloadable_skb.h:173-176; v1.16+ compares the host-mask nibble, @v1.18.3:237-240). */
export function ctxSnatDone(ctx: Ctx): boolean {
  if (ctx.cluster.release.has('snat-done-host-mask')) return (ctx.pkt.mark & MARK_MAGIC_HOST_MASK) === MARK_MAGIC_SNAT_DONE_V1_16;
  return (ctx.pkt.mark & MARK_MAGIC_SNAT_DONE) === MARK_MAGIC_SNAT_DONE;
}

/** ctx_snat_done_set (overloadable_skb.h:168-171; v1.16+ clears the host-mask nibble first, @v1.18.3:231-235): later NAT hooks skip this skb. */
export function ctxSnatDoneSet(ctx: Ctx): void {
  ctx.tb.frame('ctx_snat_done_set', 'bpf/lib/overloadable_skb.h', () => {
    if (ctx.cluster.release.has('snat-done-host-mask')) {
      const mark = ((ctx.pkt.mark & ~MARK_MAGIC_HOST_MASK) | MARK_MAGIC_SNAT_DONE_V1_16) >>> 0;
      ctx.tb.add({ kind: 'note', text: `skb->mark ${hex(ctx.pkt.mark)} → ${hex(mark)} (&= ~MARK_MAGIC_HOST_MASK, |= MARK_MAGIC_SNAT_DONE 0x0300): later NAT hooks skip this packet`, feature: 'snat-done-host-mask' });
      ctx.pkt = { ...ctx.pkt, mark };
      return;
    }
    const mark = (ctx.pkt.mark | MARK_MAGIC_SNAT_DONE) >>> 0;
    ctx.tb.add({ kind: 'note', text: `skb->mark ${hex(ctx.pkt.mark)} → ${hex(mark)} (|= MARK_MAGIC_SNAT_DONE): later NAT hooks skip this packet` });
    ctx.pkt = { ...ctx.pkt, mark };
  });
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

/** ipv4_is_in_subnet (ipv4.h:88-92). */
function inSubnet(ip: Ipv4, p: Ipv4Prefix): boolean {
  return prefixContains(p, ip);
}

/** IPV4_SNAT_EXCLUSION_DST_CIDR (pkg/datapath/config.go:121-128): native-routing CIDR, else the local pod CIDR. */
export function snatExclusionDstCidr(ctx: Ctx): { prefix: Ipv4Prefix; why: string } {
  const cfg = ctx.node.config;
  if (cfg.ipv4NativeRoutingCidr) return { prefix: cfg.ipv4NativeRoutingCidr.prefix, why: `ipv4-native-routing-cidr${cfg.ipv4NativeRoutingCidr.derived ? ' (not set by the scenario: cilium-trace uses the smallest prefix holding every pod CIDR)' : ''}` };
  const len = Math.clz32(~cfg.ipv4Mask >>> 0);
  return { prefix: { addr: (cfg.routerIp & cfg.ipv4Mask) >>> 0 as Ipv4, len }, why: 'the local pod CIDR (no ipv4-native-routing-cidr)' };
}

/**
 * snat_v4_prepare_state (nat.h:587-742): does a packet leaving this device need SNAT, and to
 * what? Fills target.addr and target.fromLocalEndpoint.
 */
export function snatV4PrepareState(ctx: Ctx, target: NatTarget): boolean {
  if (newNat(ctx)) return snatV4NeedsMasquerade(ctx, target);
  return ctx.tb.frame('snat_v4_prepare_state', FILE, () => {
    const cfg = ctx.node.config;
    const ip = l3Packet(ctx.pkt);
    const overlay = ctx.prog.object === 'bpf_overlay';
    const yes = (addr: Ipv4, name: string, why: string): true => {
      target.addr = addr;
      target.name = name;
      ctx.tb.add({ kind: 'note', text: `${why}: SNAT to ${name} ${formatIpv4(addr)}` });
      return true;
    };
    const no = (why: string): false => {
      ctx.tb.add({ kind: 'note', text: `${why}: no SNAT` });
      return false;
    };
    if (cfg.tunnelMode && overlay) {
      // nat.h:604-608, TUNNEL_MODE && IS_BPF_OVERLAY.
      if (ip.src === cfg.routerIp) return yes(cfg.routerIp, 'IPV4_GATEWAY', `saddr ${formatIpv4(ip.src)} == IPV4_GATEWAY (bpf_overlay, tunnel mode)`);
    } else {
      // nat.h:614-617: DIRECT_ROUTING_DEV_IFINDEX is 0 in tunnel mode (config.go:460-493), so only native routing gets here.
      const nativeDev = ctx.prog.config.kind === 'host' && ctx.node.devices.get(ctx.prog.config.ifindex)?.kind === 'native';
      if (!cfg.tunnelMode && nativeDev && ip.src === cfg.nodeIp) return yes(cfg.nodeIp, 'IPV4_DIRECT_ROUTING', `saddr ${formatIpv4(ip.src)} == IPV4_DIRECT_ROUTING on DIRECT_ROUTING_DEV_IFINDEX`);
      // nat.h:619-623.
      if (cfg.masquerade === 'bpf' && nativeDev && ip.src === cfg.nodeIp) return yes(cfg.nodeIp, 'IPV4_MASQUERADE', `saddr ${formatIpv4(ip.src)} == IPV4_MASQUERADE`);
    }
    const { localEp, remoteEp, isReply } = endpointLookups(ctx, target);
    if (cfg.masquerade !== 'bpf') return no('ENABLE_MASQUERADE is not defined (BPF masquerading off)');
    if (overlay) return no('IS_BPF_OVERLAY: bpf_overlay never masquerades pod traffic (nat.h:651-657)');
    // nat.h:716-728: the remote-node exemption exists only without TUNNEL_MODE.
    return endpointMasquerade(ctx, { localEp, remoteEp, isReply, yes, no }, 'TUNNEL_MODE compiles out the remote-node exemption, the packet leaves unencapsulated and is masqueraded');
  });
}

/** The source's endpoint, the destination's ipcache entry, and for a local endpoint whether the packet is a reply (ct_is_reply4). */
function endpointLookups(ctx: Ctx, target: NatTarget) {
  const ip = l3Packet(ctx.pkt);
  const localEp = lookupIp4Endpoint(ctx, ip.src, '__lookup_ip4_endpoint');
  const remoteEp = lookupIp4RemoteEndpoint(ctx, ip.dst);
  let isReply = false;
  if (localEp) {
    target.fromLocalEndpoint = true;
    isReply = onL3(ctx, () => ctIsReply4(ctx));
  }
  return { localEp, remoteEp, isReply };
}

type Decide = { readonly yes: (addr: Ipv4, name: string, why: string) => true; readonly no: (why: string) => false };

/**
 * The endpoint part of the masquerading decision, the same in v1.13.0 (snat_v4_prepare_state,
 * nat.h:699-740) and later (snat_v4_needs_masquerade): exclusion CIDR, localhost endpoint,
 * no ipcache entry, remote node in native routing, reply, else SNAT a local endpoint's packet.
 */
function endpointMasquerade(ctx: Ctx, d: Decide & { readonly localEp: ReturnType<typeof lookupIp4Endpoint>; readonly remoteEp: ReturnType<typeof lookupIp4RemoteEndpoint>; readonly isReply: boolean }, tunnelRemoteNode: string): boolean {
  const cfg = ctx.node.config;
  const ip = l3Packet(ctx.pkt);
  const { localEp, remoteEp, no, yes } = d;
  const excl = snatExclusionDstCidr(ctx);
  if (inSubnet(ip.dst, excl.prefix)) return no(`daddr ${formatIpv4(ip.dst)} is in IPV4_SNAT_EXCLUSION_DST_CIDR ${formatIpv4(excl.prefix.addr)}/${excl.prefix.len}, ${excl.why}`);
  if (localEp && (localEp.info.flags & ENDPOINT_F_HOST)) return no(`saddr ${formatIpv4(ip.src)} is a localhost endpoint (ENDPOINT_F_HOST)`);
  if (!remoteEp) return no(`daddr ${formatIpv4(ip.dst)} has no ipcache entry`);
  const remoteNode = remoteEp.info.secLabel === 6 || remoteEp.info.secLabel === 7;
  if (!cfg.tunnelMode && remoteNode) return no(`daddr ${formatIpv4(ip.dst)} is a remote node (identity ${remoteEp.info.secLabel}, native routing)`);
  if (d.isReply) return no('a reply of a connection opened from outside (ct_is_reply4)');
  if (!localEp) return no(`saddr ${formatIpv4(ip.src)} is not a local endpoint`);
  const tunnelNote = cfg.tunnelMode && remoteNode ? ` (a remote node: ${tunnelRemoteNode})` : '';
  return yes(cfg.nodeIp, 'IPV4_MASQUERADE', `local endpoint ${formatIpv4(ip.src)} to ${formatIpv4(ip.dst)}, not a reply${tunnelNote}`);
}

/** The NAT engine of v1.16+ (checked at v1.16.0, v1.16.15 and v1.18.3). */
function newNat(ctx: Ctx): boolean {
  return ctx.cluster.release.has('nat-needs-masquerade');
}

/**
 * snat_v4_needs_masquerade (nat.h@v1.16.15:520-671, @v1.18.3:606-767), IPv4, without egress
 * gateway, ip-masq-agent and ClusterMesh: only bpf_host masquerades (ENABLE_MASQUERADE_IPV4 &&
 * IS_BPF_HOST); the node's own address is SNATed to itself with needs_ct; a local endpoint's
 * packet is masqueraded unless its destination is in the exclusion CIDR, it is a localhost
 * endpoint, the destination is a remote node (native routing) or has no ipcache entry, or it
 * is a reply.
 */
function snatV4NeedsMasquerade(ctx: Ctx, target: NatTarget): boolean {
  return ctx.tb.frame('snat_v4_needs_masquerade', FILE, () => {
    const cfg = ctx.node.config;
    const ip = l3Packet(ctx.pkt);
    const yes = (addr: Ipv4, name: string, why: string): true => {
      target.addr = addr;
      target.name = name;
      ctx.tb.add({ kind: 'note', text: `${why}: NAT_NEEDED, SNAT to ${name} ${formatIpv4(addr)}`, feature: 'nat-needs-masquerade' });
      return true;
    };
    const no = (why: string): false => {
      ctx.tb.add({ kind: 'note', text: `${why}: NAT_PUNT_TO_STACK, no SNAT`, feature: 'nat-needs-masquerade' });
      return false;
    };
    if (cfg.masquerade !== 'bpf') return no('ENABLE_MASQUERADE_IPV4 is not defined (BPF masquerading off)');
    if (ctx.prog.object !== 'bpf_host') return no(`${ctx.prog.object} is not bpf_host (the masquerading block is ENABLE_MASQUERADE_IPV4 && IS_BPF_HOST)`);
    if (ip.src === cfg.nodeIp) {
      target.needsCt = true;
      return yes(cfg.nodeIp, 'IPV4_MASQUERADE', `saddr ${formatIpv4(ip.src)} == IPV4_MASQUERADE (the node's own connection; target->needs_ct = true)`);
    }
    const { localEp, remoteEp, isReply } = endpointLookups(ctx, target);
    // "if (!is_defined(TUNNEL_MODE) || remote_ep->flag_skip_tunnel)": the agent never sets flag_skip_tunnel.
    return endpointMasquerade(ctx, { localEp, remoteEp, isReply, yes, no }, 'in TUNNEL_MODE such a packet leaves unencapsulated by a native device and is masqueraded');
  });
}

/** The NAT tuple of the packet (snat_v4_init_tuple + ports; ICMP echo id as port, nat.h:772-788). */
function natTuple(p: Packet, flags: number): { tuple: CtTuple; echoReply: boolean } | Ret {
  const ip = l3Packet(p);
  const l4 = ip.l4;
  if (l4.proto === 'icmp') {
    if (l4.type !== 8 && l4.type !== 0) return drop('DROP_NAT_UNSUPP_PROTO');
    const echo = l4.type === 8;
    return { tuple: { daddr: ip.dst, saddr: ip.src, dport: echo ? 0 : l4.id, sport: echo ? l4.id : 0, nexthdr: 1, flags }, echoReply: !echo };
  }
  return { tuple: { daddr: ip.dst, saddr: ip.src, dport: l4.dport, sport: l4.sport, nexthdr: l4.proto === 'tcp' ? 6 : 17, flags }, echoReply: false };
}

function lookupNat(ctx: Ctx, t: CtTuple): NatEntry | undefined {
  const hit = ctx.node.maps.nat.lookup(t);
  ctx.tb.add({ kind: 'lookup', map: NAT_MAP, key: formatNatKey(t).trimEnd(), result: hit ? formatNatEntry(t, hit, ctx.cluster.release) : null, ...(hit ? {} : { note: 'no mapping' }) });
  return hit;
}

/** snat_v4_track_connection (nat.h:266-313): host-local connections get a CT entry of their own. */
function snatV4TrackConnection(ctx: Ctx, tuple: CtTuple, state: NatEntry | undefined, egress: boolean, target: NatTarget): void {
  if (newNat(ctx)) {
    // v1.16+: inside handle_mapping; egress asks target->needs_ct, ingress the entry's needs_ct.
    const needs = egress ? target.needsCt : state?.hostLocal ?? false;
    if (!needs) return;
    ctx.tb.add({ kind: 'note', text: egress ? 'target->needs_ct: track the connection, ct_lazy_lookup4(CT_EGRESS, SCOPE_FORWARD), ct_create4 on CT_NEW' : 'the mapping has needs_ct: ct_lazy_lookup4(CT_INGRESS, SCOPE_REVERSE)', feature: 'nat-needs-masquerade' });
    const len = ctxFullLen(ctx.pkt);
    onL3(ctx, () => {
      const dir = egress ? 'CT_EGRESS' : 'CT_INGRESS';
      if (ctLookup4(ctx, dir, len, 'ct_lazy_lookup4').status === 'CT_NEW' && egress) ctCreate4State(ctx, dir, { srcSecId: 0, nodePort: false, ifindex: 0, revNat: 0 }, len);
    });
    return;
  }
  const needsCt = state ? state.hostLocal : egress && tuple.saddr === target.addr;
  if (!needsCt) return;
  ctx.tb.frame('snat_v4_track_connection', FILE, () => {
    ctx.tb.add({ kind: 'note', text: state ? 'the mapping is host-local: needs_ct' : `saddr == target ${formatIpv4(target.addr)}: the node's own connection, needs_ct` });
    const len = ctxFullLen(ctx.pkt);
    onL3(ctx, () => {
      const dir = egress ? 'CT_EGRESS' : 'CT_INGRESS';
      if (ctLookup4(ctx, dir, len).status === 'CT_NEW') ctCreate4State(ctx, dir, { srcSecId: 0, nodePort: false, ifindex: 0, revNat: 0 }, len);
    });
  });
}

/** snat_v4_new_mapping (nat.h:212-264) with __snat_try_keep_port (:62-66) and snat_v4_update (:148-155). */
function snatV4NewMapping(ctx: Ctx, otuple: CtTuple, target: NatTarget): NatEntry | Ret {
  return ctx.tb.frame('snat_v4_new_mapping', FILE, (): NatEntry | Ret => {
    const keep = otuple.sport >= target.minPort && otuple.sport <= target.maxPort;
    let port = keep ? otuple.sport : target.minPort;
    ctx.tb.add({ kind: 'note', text: keep
      ? `__snat_try_keep_port: ${otuple.sport} is in [${target.minPort}, ${target.maxPort}], kept`
      : `__snat_try_keep_port: ${otuple.sport} is outside [${target.minPort}, ${target.maxPort}]: a random port (get_prandom_u32); cilium-trace takes the first free one from ${target.minPort}` });
    const hostLocal = newNat(ctx) ? target.needsCt : otuple.saddr === target.addr;
    const rtuple = (p: number): CtTuple => ({ daddr: target.addr, saddr: otuple.daddr, dport: p, sport: otuple.dport, nexthdr: otuple.nexthdr, flags: TUPLE_F_IN });
    let tries = 0;
    while (ctx.node.maps.nat.lookup(rtuple(port))) {
      if (++tries >= 128) return drop('DROP_NAT_NO_MAPPING', 'snat_v4_new_mapping', FILE);
      const next = port >= target.maxPort ? target.minPort : port + 1;
      ctx.tb.add({ kind: 'note', text: `${formatNatKey(rtuple(port)).trimEnd()} is taken: try port ${next}${tries === 1 && keep ? ' (the datapath draws a random port here)' : ''}` });
      port = next;
    }
    const ostate: NatEntry = { created: SIM_CLOCK, hostLocal, toAddr: target.addr, toPort: port };
    const rstate: NatEntry = { created: SIM_CLOCK, hostLocal, toAddr: otuple.saddr, toPort: otuple.sport };
    const write = (): void => {
      // The reverse entry first (BPF_NOEXIST), then the original one.
      for (const [t, e] of [[rtuple(port), rstate], [otuple, ostate]] as const) {
        const put = (): void => {
          ctx.node.maps.nat.set(t, e);
          ctx.tb.add({ kind: 'ct_create', map: NAT_MAP, key: formatNatKey(t).trimEnd(), value: formatNatEntry(t, e, ctx.cluster.release) });
        };
        // v1.16+: __snat_create (map_update_elem, BPF_NOEXIST) per entry.
        if (newNat(ctx)) ctx.tb.frame('__snat_create', FILE, put);
        else put();
        if (t !== otuple && ctx.cluster.release.has('snat-alloc-retries')) {
          // create_nat_entry: the retries histogram, between the RevSNAT and the SNAT entry (nat.h@v1.18.3:264-266).
          ctx.tb.add({ kind: 'lookup', map: 'cilium_snat_v4_alloc_retries', key: `${tries}`, result: `++ (port allocation after ${tries} retries)`, note: 'the retries histogram' });
        }
      }
    };
    if (newNat(ctx)) write();
    else ctx.tb.frame('snat_v4_update', FILE, write);
    return ostate;
  });
}

/** Rewrites the outermost source (or destination) address and port of the skb. */
function rewriteL3(ctx: Ctx, which: 'src' | 'dst', addr: Ipv4, port: number, label: string): void {
  const p = ctx.pkt;
  const ip = l3Packet(p);
  const l4 = ip.l4;
  const oldAddr = which === 'src' ? ip.src : ip.dst;
  const oldPort = l4.proto === 'icmp' ? l4.id : which === 'src' ? l4.sport : l4.dport;
  const field = l4.proto === 'icmp' ? `${which === 'src' ? 'saddr' : 'daddr'}:echo.id` : which === 'src' ? 'saddr:sport' : 'daddr:dport';
  ctx.tb.add({ kind: 'rewrite', field, from: `${formatIpv4(oldAddr)}:${oldPort}`, to: `${formatIpv4(addr)}:${port}${label}` });
  if (p.outer) {
    ctx.pkt = { ...p, outer: which === 'src' ? { ...p.outer, src: addr, sport: port } : { ...p.outer, dst: addr, dport: port } };
    return;
  }
  const nl4: L4 = p.l4.proto === 'icmp' ? { ...p.l4, id: port } : which === 'src' ? { ...p.l4, sport: port } : { ...p.l4, dport: port };
  ctx.pkt = which === 'src' ? { ...p, src: addr, l4: nl4 } : { ...p, dst: addr, l4: nl4 };
}

/** snat_v4_nat (nat.h:745-807). NAT_PUNT_TO_STACK is DROP_NAT_NOT_NEEDED, as in C. */
export function snatV4Nat(ctx: Ctx, target: NatTarget): Ret {
  return ctx.tb.frame('snat_v4_nat', FILE, (): Ret => {
    const t = natTuple(ctx.pkt, TUPLE_F_OUT);
    if ('kind' in t) return t;
    const { tuple, echoReply } = t;
    // snat_v4_nat_can_skip (nat.h:485-498); v1.16+ has no src_from_world exception and punts echo replies before it.
    if ((!target.fromLocalEndpoint && (newNat(ctx) || !target.srcFromWorld) && tuple.sport < NAT_MIN_EGRESS) || echoReply) {
      ctx.tb.add({ kind: 'note', text: echoReply ? 'snat_v4_nat_can_skip: an ICMP echo reply: NAT_PUNT_TO_STACK' : `snat_v4_nat_can_skip: not from a local endpoint nor from the world, and source port ${tuple.sport} < NAT_MIN_EGRESS ${NAT_MIN_EGRESS}: NAT_PUNT_TO_STACK` });
      return drop('DROP_NAT_NOT_NEEDED');
    }
    return newNat(ctx) ? snatV4NatCore(ctx, tuple, target) : snatV4NatBody(ctx, tuple, target);
  });
}

/** __snat_v4_nat (v1.16+): handle_mapping, then snat_v4_rewrite_headers. NodePort's egress tail calls it directly (no can_skip). */
export function snatV4NatCore(ctx: Ctx, tuple: CtTuple, target: NatTarget): Ret {
  return ctx.tb.frame('__snat_v4_nat', FILE, () => snatV4NatBody(ctx, tuple, target));
}

/** The packet's NAT tuple, for callers of __snat_v4_nat (lb4_extract_tuple, ports swapped to packet order). */
export function natTupleOut(ctx: Ctx): CtTuple | Ret {
  const t = natTuple(ctx.pkt, TUPLE_F_OUT);
  return 'kind' in t ? t : t.tuple;
}

function snatV4NatBody(ctx: Ctx, tuple: CtTuple, target: NatTarget): Ret {
  const state = ctx.tb.frame('snat_v4_nat_handle_mapping', FILE, (): NatEntry | Ret => {
    const found = lookupNat(ctx, tuple);
    snatV4TrackConnection(ctx, tuple, found, true, target);
    return found ?? snatV4NewMapping(ctx, tuple, target);
  });
  if ('kind' in state) return state;
  return ctx.tb.frame(newNat(ctx) ? 'snat_v4_rewrite_headers' : 'snat_v4_rewrite_egress', FILE, () => {
    if (state.toAddr === tuple.saddr && state.toPort === tuple.sport) {
      ctx.tb.add({ kind: 'note', text: 'to_saddr:to_sport equal the packet\'s source: nothing to rewrite' });
      return CTX_ACT_OK;
    }
    rewriteL3(ctx, 'src', state.toAddr, state.toPort, target.name ? ` (${target.name})` : '');
    return CTX_ACT_OK;
  });
}

/** snat_v4_rev_nat (nat.h:810-872). */
export function snatV4RevNat(ctx: Ctx, target: NatTarget): Ret {
  return ctx.tb.frame('snat_v4_rev_nat', FILE, (): Ret => {
    const t = natTuple(ctx.pkt, TUPLE_F_IN);
    if ('kind' in t) return t;
    const { tuple } = t;
    const r = ctx.cluster.release;
    const l4 = ctx.pkt.l4;
    const icmp = l4.proto === 'icmp' && !ctx.pkt.outer;
    // v1.16+: only ECHOREPLY (and ICMP errors) are reverse-NATed; any other ICMP type is the
    // switch's default: NAT_PUNT_TO_STACK (nat.h@v1.18.3:1133-1163, @v1.16.15:942-964).
    if (icmp && l4.proto === 'icmp' && l4.type !== 0 && r.has('nat-rev-icmp-type')) {
      ctx.tb.add({ kind: 'note', text: `ICMP type ${l4.type}${l4.type === 8 ? ' (ICMP_ECHO)' : ''} is not ICMP_ECHOREPLY: switch (icmphdr.type) default: NAT_PUNT_TO_STACK`, feature: 'nat-rev-icmp-type' });
      return drop('DROP_NAT_NOT_NEEDED');
    }
    // snat_v4_rev_nat_can_skip (nat.h:501-506): no map lookup at all. v1.18: TCP/UDP/SCTP only (nat.h@v1.18.3:1119).
    const canSkip = !(icmp && r.has('nat-rev-can-skip-l4-only'));
    if (canSkip && (tuple.dport < target.minPort || tuple.dport > target.maxPort)) {
      ctx.tb.add({ kind: 'note', text: `snat_v4_rev_nat_can_skip: destination ${ctx.pkt.l4.proto === 'icmp' && !ctx.pkt.outer ? 'echo id' : 'port'} ${tuple.dport} is outside [${target.minPort}, ${target.maxPort}]: NAT_PUNT_TO_STACK` });
      return drop('DROP_NAT_NOT_NEEDED');
    }
    const state = ctx.tb.frame('snat_v4_rev_nat_handle_mapping', FILE, (): NatEntry | Ret => {
      const found = lookupNat(ctx, tuple);
      snatV4TrackConnection(ctx, tuple, found, false, target);
      if (found) return found;
      if (newNat(ctx)) return drop('DROP_NAT_NO_MAPPING');
      return tuple.nexthdr !== 1 && tuple.dport < target.minPort ? drop('DROP_NAT_NOT_NEEDED') : drop('DROP_NAT_NO_MAPPING');
    });
    if ('kind' in state) return state;
    return ctx.tb.frame(newNat(ctx) ? 'snat_v4_rewrite_headers' : 'snat_v4_rewrite_ingress', FILE, () => {
      if (state.toAddr === tuple.daddr && state.toPort === tuple.dport) {
        ctx.tb.add({ kind: 'note', text: 'to_daddr:to_dport equal the packet\'s destination: nothing to rewrite' });
        return CTX_ACT_OK;
      }
      rewriteL3(ctx, 'dst', state.toAddr, state.toPort, '');
      return CTX_ACT_OK;
    });
  });
}
