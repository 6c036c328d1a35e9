// Connection tracking of bpf/lib/conntrack.h (v1.13). ct_lookup4 first looks up the tuple
// as a reply (addresses of the packet, flag TUPLE_F_IN for CT_EGRESS / TUPLE_F_OUT for
// CT_INGRESS), then reversed as the original direction; a miss is CT_NEW. ct_create4 stores
// the entry keyed by the original-direction tuple with TUPLE_F_OUT (egress) or TUPLE_F_IN.
// TCP uses cilium_ct4_global, everything else cilium_ct_any4_global.
import { CT_LIFETIME_NONTCP, CT_SYN_TIMEOUT, SIM_CLOCK, TUPLE_F_IN, TUPLE_F_OUT, TUPLE_F_RELATED, TUPLE_F_SERVICE, formatCtEntry, formatCtKey, type CtMap, type CtTuple } from '../../maps/ctmap.js';
import type { CtStatus } from '../../cilium/trace-points.js';
import { frameLength, ipProto } from '../../net/packet.js';
import type { Packet } from '../../net/packet.js';
import type { Ctx } from '../context.js';

export type CtDir = 'CT_EGRESS' | 'CT_INGRESS';

/** ct_entry flag bit 5 (node_port): the connection came in through NodePort. */
export const CT_FLAG_NODE_PORT = 1 << 5;
/** ct_entry flag bit 4 (seen_non_syn): set on ICMP related entries ("For ICMP, there is no SYN"). */
const CT_FLAG_SEEN_NON_SYN = 1 << 4;

function ports(p: Packet): { sport: number; dport: number } {
  // ICMP: ct_lookup4 puts the echo identifier in tuple->dport for a request and in
  // tuple->sport for a reply (here in packet order, swapped into the tuple below).
  if (p.l4.proto === 'icmp') return p.l4.type === 0 ? { sport: 0, dport: p.l4.id } : { sport: p.l4.id, dport: 0 };
  return { sport: p.l4.sport, dport: p.l4.dport };
}

function ctMap(ctx: Ctx): CtMap {
  return ipProto(ctx.pkt) === 6 ? ctx.node.maps.ctTcp : ctx.node.maps.ctAny;
}

/** The tuple as stored for the original direction: daddr/saddr swapped into display order. */
function originalTuple(p: Packet, dir: CtDir): CtTuple {
  const { sport, dport } = ports(p);
  return { daddr: p.src, saddr: p.dst, dport: sport, sport: dport, nexthdr: ipProto(p), flags: dir === 'CT_EGRESS' ? TUPLE_F_OUT : TUPLE_F_IN };
}

export function ctLookup4(ctx: Ctx, dir: CtDir): { status: CtStatus; revNat: number; nodePort: boolean } {
  return ctx.tb.frame('ct_lookup4', 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const orig = originalTuple(ctx.pkt, dir);
    const reply: CtTuple = { daddr: orig.saddr, saddr: orig.daddr, dport: orig.sport, sport: orig.dport, nexthdr: orig.nexthdr, flags: orig.flags ^ TUPLE_F_IN };
    const forced = ctx.opts.ctState;
    let status: CtStatus;
    let revNat = 0;
    let flags = 0;
    const asReply = map.lookup(reply);
    const asOrig = map.lookup(orig);
    if (forced) {
      status = forced;
    } else if (asReply) {
      status = 'CT_REPLY';
      revNat = asReply.revNat;
      flags = asReply.flags;
    } else if (asOrig) {
      status = 'CT_ESTABLISHED';
      revNat = asOrig.revNat;
      flags = asOrig.flags;
    } else {
      status = 'CT_NEW';
    }
    const hit = forced ? undefined : asReply ? reply : asOrig ? orig : undefined;
    ctx.tb.add({ kind: 'ct', map: map.name, dir, tuple: formatCtKey(hit ?? orig).trimEnd(), result: status, assumed: forced !== undefined });
    return { status, revNat, nodePort: (flags & CT_FLAG_NODE_PORT) !== 0 };
  });
}

/**
 * ct_create4(map_main, map_related, …). With a related map (bpf_lxc passes CT_MAP_ANY4; the
 * NodePort, NAT and service callers pass NULL) it also stores the same entry, plus
 * seen_non_syn, under the ICMP tuple {daddr, saddr, ports 0, flags | TUPLE_F_RELATED}, so ICMP
 * errors about the connection are CT_RELATED (cilium-trace traces no ICMP errors).
 */
export function ctCreate4(ctx: Ctx, dir: CtDir, srcSecId: number, mapRelated?: CtMap): void {
  ctx.tb.frame('ct_create4', 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const tuple = originalTuple(ctx.pkt, dir);
    const tcp = ipProto(ctx.pkt) === 6;
    const entry = {
      lifetime: SIM_CLOCK + (tcp ? CT_SYN_TIMEOUT : CT_LIFETIME_NONTCP),
      rxPackets: dir === 'CT_INGRESS' ? 1 : 0, rxBytes: dir === 'CT_INGRESS' ? frameLength(ctx.pkt) : 0, txPackets: dir === 'CT_EGRESS' ? 1 : 0, txBytes: dir === 'CT_EGRESS' ? frameLength(ctx.pkt) : 0,
      txFlagsSeen: dir === 'CT_EGRESS' && tcp ? 0x02 : 0, rxFlagsSeen: dir === 'CT_INGRESS' && tcp ? 0x02 : 0,
      flags: ctx.nodePort ? CT_FLAG_NODE_PORT : 0, revNat: dir === 'CT_EGRESS' || ctx.nodePort ? ctx.lbRevNat : 0, srcSecId, ifindex: 0, lastTxReport: dir === 'CT_EGRESS' ? SIM_CLOCK : 0, lastRxReport: dir === 'CT_INGRESS' ? SIM_CLOCK : 0,
      provenance: { kind: 'agent' as const, what: 'created by this trace' },
    };
    map.set(tuple, entry);
    ctx.tb.add({ kind: 'ct_create', map: map.name, key: formatCtKey(tuple).trimEnd(), value: formatCtEntry(entry).trimEnd() });
    if (mapRelated) {
      const icmpTuple: CtTuple = { ...tuple, nexthdr: 1, sport: 0, dport: 0, flags: tuple.flags | TUPLE_F_RELATED };
      const related = { ...entry, flags: entry.flags | CT_FLAG_SEEN_NON_SYN, provenance: { kind: 'agent' as const, what: 'created by this trace (ICMP related entry)' } };
      mapRelated.set(icmpTuple, related);
      ctx.tb.add({ kind: 'ct_create', map: mapRelated.name, key: formatCtKey(icmpTuple).trimEnd(), value: formatCtEntry(related).trimEnd() });
    }
  });
}

/** CT_SERVICE_LIFETIME_NONTCP: the agent's --bpf-ct-timeout-service-any, 60 s by default. */
const CT_SERVICE_LIFETIME_NONTCP = 60;

/** lb4_local's service tuple: the packet toward the frontend, flag TUPLE_F_SERVICE. */
function serviceTuple(p: Packet): CtTuple {
  const { sport, dport } = ports(p);
  return { daddr: p.dst, saddr: p.src, dport, sport, nexthdr: ipProto(p), flags: TUPLE_F_SERVICE };
}

/**
 * ct_lookup4(CT_SERVICE) in lb4_local (lb.h:1597): one lookup of the service tuple, no
 * forward-direction retry (conntrack.h:757); a hit comes back as CT_REPLY (:744-750), with
 * the backend id (kept in rx_bytes) and rev_nat_index of the entry. --ct does not apply here.
 */
export function ctLookupService(ctx: Ctx): { status: 'CT_NEW' | 'CT_REPLY'; backendId: number; revNat: number } {
  return ctx.tb.frame('ct_lookup4', 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const tuple = serviceTuple(ctx.pkt);
    const hit = map.lookup(tuple);
    ctx.tb.add({ kind: 'ct', map: map.name, dir: 'CT_SERVICE', tuple: formatCtKey(tuple).trimEnd(), result: hit ? 'CT_REPLY' : 'CT_NEW', assumed: false });
    if (hit) ctx.tb.add({ kind: 'note', text: `an existing CT_SERVICE entry (reported as CT_REPLY): backend_id ${hit.rxBytes}, rev_nat_index ${hit.revNat}` });
    return hit ? { status: 'CT_REPLY' as const, backendId: hit.rxBytes, revNat: hit.revNat } : { status: 'CT_NEW' as const, backendId: 0, revNat: 0 };
  });
}

/**
 * ct_create4(CT_SERVICE) in lb4_local (lb.h:1621): keyed by the packet's tuple toward the
 * Service address with TUPLE_F_SERVICE; the backend id lives in the rx_bytes union. Packet and
 * byte counters are only counted for CT_INGRESS/CT_EGRESS (conntrack.h:948-954), while
 * __ct_update_timeout records the SYN and the report time in the tx fields (:65-71, :104-113).
 */
export function ctCreateService(ctx: Ctx, backendId: number, revNat: number): void {
  ctx.tb.frame('ct_create4', 'bpf/lib/conntrack.h', () => {
    const p = ctx.pkt;
    if (p.l4.proto === 'icmp') return;
    const map = ctMap(ctx);
    const tuple = serviceTuple(p);
    const tcp = p.l4.proto === 'tcp';
    const entry = {
      lifetime: SIM_CLOCK + (tcp ? CT_SYN_TIMEOUT : CT_SERVICE_LIFETIME_NONTCP), rxPackets: 0, rxBytes: backendId, txPackets: 0, txBytes: 0,
      txFlagsSeen: tcp ? 0x02 : 0, rxFlagsSeen: 0, flags: 0, revNat, srcSecId: 0, ifindex: 0, lastTxReport: SIM_CLOCK, lastRxReport: 0,
      provenance: { kind: 'agent' as const, what: 'created by this trace (CT_SERVICE)' },
    };
    map.set(tuple, entry);
    ctx.tb.add({ kind: 'ct_create', map: map.name, key: formatCtKey(tuple).trimEnd(), value: formatCtEntry(entry).trimEnd() });
  });
}

/** ct_update4_backend_id + ct_update4_rev_nat_index: a stale CT_SERVICE entry gets the new backend. */
export function ctUpdateService(ctx: Ctx, backendId: number, revNat: number): void {
  const map = ctMap(ctx);
  const tuple = serviceTuple(ctx.pkt);
  const old = map.lookup(tuple);
  if (!old) return;
  map.set(tuple, { ...old, rxBytes: backendId, revNat });
  ctx.tb.add({ kind: 'note', text: `ct_update4_backend_id, ct_update4_rev_nat_index: ${formatCtKey(tuple).trimEnd()} now backend_id ${backendId}, rev_nat_index ${revNat}` });
}

/** The ct_state a caller of ct_create4 fills in (the fields cilium-trace keeps). */
export interface CtStateNew {
  readonly srcSecId: number;
  readonly nodePort: boolean;
  readonly ifindex: number;
  readonly revNat: number;
}

/**
 * ct_create4(map, NULL, tuple, ctx, dir, ct_state, …) as nodeport.h and nat.h call it: no
 * related ICMP entry (map_related is NULL), every value from the caller's ct_state.
 * `len` is ctx_full_len (the outer frame for an encapsulated skb).
 */
export function ctCreate4State(ctx: Ctx, dir: CtDir, state: CtStateNew, len: number = frameLength(ctx.pkt)): void {
  ctx.tb.frame('ct_create4', 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const tuple = originalTuple(ctx.pkt, dir);
    const tcp = ipProto(ctx.pkt) === 6;
    const entry = {
      lifetime: SIM_CLOCK + (tcp ? CT_SYN_TIMEOUT : CT_LIFETIME_NONTCP),
      rxPackets: dir === 'CT_INGRESS' ? 1 : 0, rxBytes: dir === 'CT_INGRESS' ? len : 0, txPackets: dir === 'CT_EGRESS' ? 1 : 0, txBytes: dir === 'CT_EGRESS' ? len : 0,
      txFlagsSeen: dir === 'CT_EGRESS' && tcp ? 0x02 : 0, rxFlagsSeen: dir === 'CT_INGRESS' && tcp ? 0x02 : 0,
      flags: state.nodePort ? CT_FLAG_NODE_PORT : 0, revNat: state.revNat, srcSecId: state.srcSecId, ifindex: state.ifindex,
      lastTxReport: dir === 'CT_EGRESS' ? SIM_CLOCK : 0, lastRxReport: dir === 'CT_INGRESS' ? SIM_CLOCK : 0,
      provenance: { kind: 'agent' as const, what: 'created by this trace' },
    };
    map.set(tuple, entry);
    ctx.tb.add({ kind: 'ct_create', map: map.name, key: formatCtKey(tuple).trimEnd(), value: formatCtEntry(entry).trimEnd() });
  });
}

/** The key of the packet's own connection as its reply would be stored (flag `flags`). */
function packetKey(p: Packet, flags: number): CtTuple {
  const { sport, dport } = ports(p);
  return { daddr: p.dst, saddr: p.src, dport, sport, nexthdr: ipProto(p), flags };
}

/**
 * ct_is_reply4 (conntrack.h:622-636): an egress packet is a reply when its tuple, flag
 * TUPLE_F_IN, is a stored entry (the entry of a connection the other side opened).
 */
export function ctIsReply4(ctx: Ctx): boolean {
  return ctx.tb.frame('ct_is_reply4', 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const key = packetKey(ctx.pkt, TUPLE_F_IN);
    const hit = map.lookup(key);
    ctx.tb.add({ kind: 'lookup', map: map.name, key: formatCtKey(key).trimEnd(), result: hit ? formatCtEntry(hit).trimEnd() : null, note: hit ? 'is_reply' : 'not a reply' });
    return hit !== undefined;
  });
}

/**
 * ct_has_nodeport_egress_entry4 (conntrack.h:1030-1044): the CT_EGRESS entry nodeport_lb4
 * created for client → backend, looked up with the reply's tuple and TUPLE_F_OUT; true when it
 * carries node_port.
 */
export function ctHasNodeportEgressEntry4(ctx: Ctx): boolean {
  return ctx.tb.frame('ct_has_nodeport_egress_entry4', 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const key = packetKey(ctx.pkt, TUPLE_F_OUT);
    const hit = map.lookup(key);
    const nodePort = hit !== undefined && (hit.flags & CT_FLAG_NODE_PORT) !== 0;
    ctx.tb.add({ kind: 'lookup', map: map.name, key: formatCtKey(key).trimEnd(), result: hit ? formatCtEntry(hit).trimEnd() : null, note: nodePort ? 'node_port=1' : hit ? 'node_port=0' : 'no NodePort entry' });
    return nodePort;
  });
}
