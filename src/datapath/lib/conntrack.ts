// Connection tracking of bpf/lib/conntrack.h (v1.13.0). ct_lookup4 first looks up the tuple
// as a reply (addresses of the packet, flag TUPLE_F_IN for CT_EGRESS / TUPLE_F_OUT for
// CT_INGRESS), then reversed as the original direction; a miss is CT_NEW. A hit updates the
// entry as __ct_lookup does (ct_update_timeout, CONNTRACK_ACCOUNTING). ct_create4 stores the
// entry keyed by the original-direction tuple with TUPLE_F_OUT (egress) or TUPLE_F_IN.
// TCP uses cilium_ct4_global, everything else cilium_ct_any4_global.
// Left out: ACTION_CLOSE and CT_REOPENED (cilium-trace sends no FIN/RST), the CT_SERVICE
// rebalance of closing entries (HAVE_LARGE_INSN_LIMIT), loopback entries.
import { CT_LIFETIME_NONTCP, CT_LIFETIME_TCP, CT_SYN_TIMEOUT, SIM_CLOCK, TUPLE_F_IN, TUPLE_F_OUT, TUPLE_F_RELATED, TUPLE_F_SERVICE, formatCtEntry, formatCtKey, type CtEntry, type CtMap, type CtTuple } from '../../maps/ctmap.js';
import type { CtStatus } from '../../cilium/trace-points.js';
import { frameLength, ipProto } from '../../net/packet.js';
import type { Packet } from '../../net/packet.js';
import type { Ctx } from '../context.js';

export type CtDir = 'CT_EGRESS' | 'CT_INGRESS';

/** ct_entry flag bit 5 (node_port): the connection came in through NodePort. */
export const CT_FLAG_NODE_PORT = 1 << 5;
/** ct_entry flag bit 4 (seen_non_syn): set on ICMP related entries ("For ICMP, there is no SYN"). */
const CT_FLAG_SEEN_NON_SYN = 1 << 4;
/** ct_entry flag bit 10 (from_tunnel, bpf/lib/common.h@v1.18.3:795-806; Go FromTunnel). */
const CT_FLAG_FROM_TUNNEL = 1 << 10;

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

/** CT_REPORT_FLAGS: the agent's --monitor-aggregation-flags, default syn,fin,rst (pkg/option/config.go:1133, constants.go:8-10). */
const CT_REPORT_FLAGS = 0x07;
/** CT_REPORT_INTERVAL: --monitor-aggregation-interval, 5 s by default (daemon/cmd/daemon_main.go:806). */
const CT_REPORT_INTERVAL = 5;
/** CT_SERVICE_LIFETIME_NONTCP: the agent's --bpf-ct-timeout-service-any, 60 s by default. */
const CT_SERVICE_LIFETIME_NONTCP = 60;
/** CT_SERVICE_LIFETIME_TCP: --bpf-ct-timeout-service-tcp, 21600 s by default (daemon_main.go:791). */
const CT_SERVICE_LIFETIME_TCP = 21600;
const TCP_FLAG_SYN = 0x02;
const CT_FLAG_RX_CLOSING = 1 << 0;
const CT_FLAG_TX_CLOSING = 1 << 1;

function tcpFlagBits(p: Packet): number {
  return p.l4.proto === 'tcp' ? (p.l4.flags === 'SYN' ? 0x02 : 0x12) : 0;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * What __ct_lookup (conntrack.h:188-221) does to an entry it hits: ct_update_timeout (:125-147:
 * lifetime, seen_non_syn; __ct_update_timeout :53-117: flags seen and report time of the
 * direction, CT_INGRESS rx, else tx) if the entry is alive, then CONNTRACK_ACCOUNTING (on by
 * default) counts the packet in rx for CT_INGRESS, tx for CT_EGRESS, nothing for CT_SERVICE.
 */
function ctUpdateOnHit(ctx: Ctx, map: CtMap, tuple: CtTuple, hit: CtEntry, dir: CtDir | 'CT_SERVICE', len: number): void {
  const p = ctx.pkt;
  const tcp = ipProto(p) === 6;
  const seenFlags = tcpFlagBits(p);
  const e: Mutable<CtEntry> = { ...hit };
  if (!((e.flags & CT_FLAG_RX_CLOSING) && (e.flags & CT_FLAG_TX_CLOSING))) {
    let lifetime = dir === 'CT_SERVICE' ? CT_SERVICE_LIFETIME_NONTCP : CT_LIFETIME_NONTCP;
    if (tcp) {
      if (!(seenFlags & TCP_FLAG_SYN)) e.flags |= CT_FLAG_SEEN_NON_SYN;
      lifetime = e.flags & CT_FLAG_SEEN_NON_SYN ? (dir === 'CT_SERVICE' ? CT_SERVICE_LIFETIME_TCP : CT_LIFETIME_TCP) : CT_SYN_TIMEOUT;
    }
    e.lifetime = SIM_CLOCK + lifetime;
    const rx = dir === 'CT_INGRESS';
    const accumulated = rx ? e.rxFlagsSeen : e.txFlagsSeen;
    const seen = (seenFlags & CT_REPORT_FLAGS) | accumulated;
    if ((rx ? e.lastRxReport : e.lastTxReport) + CT_REPORT_INTERVAL < SIM_CLOCK || accumulated !== seen) {
      if (rx) { e.rxFlagsSeen = seen; e.lastRxReport = SIM_CLOCK; } else { e.txFlagsSeen = seen; e.lastTxReport = SIM_CLOCK; }
    }
  }
  // CONNTRACK_ACCOUNTING (conntrack.h@v1.18.3:305-308) is off by default from v1.16 (ct-accounting-off).
  const accounting = !ctx.cluster.release.has('ct-accounting-off');
  if (accounting && dir === 'CT_INGRESS') { e.rxPackets += 1; e.rxBytes += len; }
  if (accounting && dir === 'CT_EGRESS') { e.txPackets += 1; e.txBytes += len; }
  map.set(tuple, e);
  const before = formatCtEntry(hit, ctx.cluster.release).trim().split(' ');
  const changed = formatCtEntry(e, ctx.cluster.release).trim().split(' ').flatMap((f, i) => (f === before[i] ? [] : [`${before[i]} → ${f.replace(/^[A-Za-z]+=/, '')}`]));
  ctx.tb.add({ kind: 'note', text: `__ct_lookup hit, entry updated (ct_update_timeout${dir === 'CT_SERVICE' || !accounting ? '' : ', CONNTRACK_ACCOUNTING'}): ${changed.length ? changed.join(', ') : 'no change'}` });
}

/**
 * ct_lookup4 (conntrack.h:639-765): probe 1 is the reply direction (:742-753), a hit is
 * CT_REPLY; on a miss probe 2 is the original direction (:755-760), a hit is CT_ESTABLISHED,
 * a miss CT_NEW. `len` is ctx_full_len, what accounting adds. Under --ct no probe decides.
 */
export function ctLookup4(ctx: Ctx, dir: CtDir, len: number = frameLength(ctx.pkt), fn: 'ct_lookup4' | 'ct_lazy_lookup4' = 'ct_lookup4', types: 'any' | 'nodeport' = 'any', scope: CtScope = 'SCOPE_BIDIR'): { status: CtStatus; revNat: number; nodePort: boolean } {
  return ctx.tb.frame(fn, 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const orig = originalTuple(ctx.pkt, dir);
    const reply: CtTuple = { daddr: orig.saddr, saddr: orig.daddr, dport: orig.sport, sport: orig.dport, nexthdr: orig.nexthdr, flags: orig.flags ^ TUPLE_F_IN };
    const forced = ctx.opts.ctState;
    if (forced) {
      ctx.tb.add({ kind: 'ct', map: map.name, dir, tuple: formatCtKey(orig, ctx.cluster.release).trimEnd(), result: forced, assumed: true });
      return { status: forced, revNat: 0, nodePort: false };
    }
    const probe = (t: CtTuple, what: string): CtEntry | undefined => {
      const hit = map.lookup(t);
      ctx.tb.add({ kind: 'lookup', map: map.name, key: formatCtKey(t, ctx.cluster.release).trimEnd(), result: hit ? formatCtEntry(hit, ctx.cluster.release).trimEnd() : null, note: what });
      // v1.16+ ct_entry_matches_types (conntrack.h@v1.16.15:247): CT_ENTRY_NODEPORT wants node_port, else goto ct_new.
      if (hit && types === 'nodeport' && !(hit.flags & CT_FLAG_NODE_PORT)) {
        ctx.tb.add({ kind: 'note', text: 'the entry has no node_port: it does not match CT_ENTRY_NODEPORT, goto ct_new (not updated)' });
        return undefined;
      }
      if (hit) ctUpdateOnHit(ctx, map, t, hit, dir, len);
      return hit;
    };
    const flag = (t: CtTuple) => (t.flags & TUPLE_F_IN ? 'TUPLE_F_IN' : 'TUPLE_F_OUT');
    let status: CtStatus = 'CT_NEW';
    let hitTuple: CtTuple | undefined;
    // __ct_lookup4 (conntrack.h@v1.18.3:864-887): SCOPE_FORWARD probes only the original
    // direction, SCOPE_REVERSE only the reply direction, SCOPE_BIDIR both.
    let hit = scope === 'SCOPE_FORWARD' ? undefined : probe(reply, `reply direction, ${flag(reply)}`);
    if (hit) {
      status = 'CT_REPLY';
      hitTuple = reply;
    } else if (scope !== 'SCOPE_REVERSE') {
      hit = probe(orig, `${scope === 'SCOPE_FORWARD' ? 'SCOPE_FORWARD: ' : ''}original direction, ${flag(orig)}`);
      if (hit) { status = 'CT_ESTABLISHED'; hitTuple = orig; }
    }
    ctx.tb.add({ kind: 'ct', map: map.name, dir, tuple: formatCtKey(hitTuple ?? orig, ctx.cluster.release).trimEnd(), result: status, assumed: false });
    return { status, revNat: hit?.revNat ?? 0, nodePort: hit !== undefined && (hit.flags & CT_FLAG_NODE_PORT) !== 0 };
  });
}

/** enum ct_scope (conntrack.h): which directions __ct_lookup4 probes. */
export type CtScope = 'SCOPE_FORWARD' | 'SCOPE_REVERSE' | 'SCOPE_BIDIR';

/** The ct_state a caller of ct_create4 sets for a CT_EGRESS/CT_INGRESS entry of bpf_lxc. */
export interface CtStateLxc {
  readonly srcSecId: number;
  /** ct_state_new.node_port: ipv4_policy copies it from ct_has_nodeport_egress_entry4. */
  readonly nodePort: boolean;
  /** ct_state_new.from_tunnel: ipv4_policy sets it from CB_FROM_TUNNEL (bpf_lxc.c@v1.18.3:2019). */
  readonly fromTunnel?: boolean;
}

/**
 * ct_create4(map_main, map_related, …) as bpf_lxc calls it. With a related map (bpf_lxc passes
 * CT_MAP_ANY4; the NodePort, NAT and service callers pass NULL) it also stores the same entry,
 * plus seen_non_syn, under the ICMP tuple {daddr, saddr, ports 0, flags | TUPLE_F_RELATED}, so
 * ICMP errors about the connection are CT_RELATED (cilium-trace traces no ICMP errors).
 * rev_nat_index: bpf_lxc's egress entry gets the one lb4_ctx_restore_state left; ipv4_policy's
 * ct_state_new is zeroed (bpf_lxc.c:1677), so an ingress entry has none.
 */
export function ctCreate4(ctx: Ctx, dir: CtDir, state: CtStateLxc, mapRelated?: CtMap): void {
  const full: CtStateNew = { srcSecId: state.srcSecId, nodePort: state.nodePort, ifindex: 0, revNat: dir === 'CT_EGRESS' ? ctx.lbRevNat : 0, ...(state.fromTunnel ? { fromTunnel: true } : {}) };
  createEntry(ctx, dir, full, frameLength(ctx.pkt), mapRelated);
}

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
  // v1.16+ lb4_local calls ct_lazy_lookup4(…, CT_SERVICE, SCOPE_REVERSE, CT_ENTRY_SVC, …) (lb.h@v1.16.15, v1.18.3).
  const fn = ctx.cluster.release.has('lb-local-ct-first') ? 'ct_lazy_lookup4' : 'ct_lookup4';
  return ctx.tb.frame(fn, 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const tuple = serviceTuple(ctx.pkt);
    const hit = map.lookup(tuple);
    if (hit) ctUpdateOnHit(ctx, map, tuple, hit, 'CT_SERVICE', frameLength(ctx.pkt));
    ctx.tb.add({ kind: 'ct', map: map.name, dir: 'CT_SERVICE', tuple: formatCtKey(tuple, ctx.cluster.release).trimEnd(), result: hit ? 'CT_REPLY' : 'CT_NEW', assumed: false });
    const backendId = hit ? hit.backendId ?? hit.rxBytes : 0;
    if (hit) ctx.tb.add({ kind: 'note', text: `an existing CT_SERVICE entry (reported as CT_REPLY): backend_id ${backendId}, rev_nat_index ${hit.revNat}` });
    return hit ? { status: 'CT_REPLY' as const, backendId, revNat: hit.revNat } : { status: 'CT_NEW' as const, backendId: 0, revNat: 0 };
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
      // v1.16+: backend_id is a field of its own (rx_bytes stays 0); up to v1.15 it is the rx_bytes union.
      ...(ctx.cluster.release.has('ct-list-single-counters') ? { rxBytes: 0, backendId } : {}),
      provenance: { kind: 'agent' as const, what: 'created by this trace (CT_SERVICE)' },
    };
    map.set(tuple, entry);
    ctx.tb.add({ kind: 'ct_create', map: map.name, key: formatCtKey(tuple, ctx.cluster.release).trimEnd(), value: formatCtEntry(entry, ctx.cluster.release).trimEnd() });
  });
}

/** ct_update4_backend_id + ct_update4_rev_nat_index: a stale CT_SERVICE entry gets the new backend. */
export function ctUpdateService(ctx: Ctx, backendId: number, revNat: number): void {
  const map = ctMap(ctx);
  const tuple = serviceTuple(ctx.pkt);
  const old = map.lookup(tuple);
  if (!old) return;
  map.set(tuple, old.backendId !== undefined ? { ...old, backendId, revNat } : { ...old, rxBytes: backendId, revNat });
  ctx.tb.add({ kind: 'note', text: `ct_update4_backend_id, ct_update4_rev_nat_index: ${formatCtKey(tuple, ctx.cluster.release).trimEnd()} now backend_id ${backendId}, rev_nat_index ${revNat}` });
}

/** The ct_state a caller of ct_create4 fills in (the fields cilium-trace keeps). */
export interface CtStateNew {
  readonly srcSecId: number;
  readonly nodePort: boolean;
  readonly ifindex: number;
  readonly revNat: number;
  /** ct_state.from_tunnel, copied by ct_create_fill_entry (conntrack.h@v1.18.3:969). */
  readonly fromTunnel?: boolean;
}

/**
 * ct_create4(map, NULL, tuple, ctx, dir, ct_state, …) as nodeport.h and nat.h call it: no
 * related ICMP entry (map_related is NULL), every value from the caller's ct_state.
 * `len` is ctx_full_len (the outer frame for an encapsulated skb).
 */
export function ctCreate4State(ctx: Ctx, dir: CtDir, state: CtStateNew, len: number = frameLength(ctx.pkt)): void {
  createEntry(ctx, dir, state, len);
}

/** The body of ct_create4 (conntrack.h:916-1018): the new entry, and the related one if asked. */
function createEntry(ctx: Ctx, dir: CtDir, state: CtStateNew, len: number, mapRelated?: CtMap): void {
  ctx.tb.frame('ct_create4', 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const tuple = originalTuple(ctx.pkt, dir);
    const tcp = ipProto(ctx.pkt) === 6;
    // v1.16+ (conntrack.h@v1.18.3:1035-1085, @v1.16.15:1008-1058): CONNTRACK_ACCOUNTING is off by
    // default, so packets/bytes stay 0; the related ICMP entry is written first, a copy of the
    // entry without seen_non_syn (set only for TCP, :178-179). v1.13.0: main entry first, counted,
    // the related one with seen_non_syn ("For ICMP, there is no SYN").
    const r = ctx.cluster.release;
    const accounting = !r.has('ct-accounting-off');
    const relatedFirst = r.has('ct-related-first');
    const entry = {
      lifetime: SIM_CLOCK + (tcp ? CT_SYN_TIMEOUT : CT_LIFETIME_NONTCP),
      rxPackets: accounting && dir === 'CT_INGRESS' ? 1 : 0, rxBytes: accounting && dir === 'CT_INGRESS' ? len : 0, txPackets: accounting && dir === 'CT_EGRESS' ? 1 : 0, txBytes: accounting && dir === 'CT_EGRESS' ? len : 0,
      txFlagsSeen: dir === 'CT_EGRESS' && tcp ? 0x02 : 0, rxFlagsSeen: dir === 'CT_INGRESS' && tcp ? 0x02 : 0,
      flags: (state.nodePort ? CT_FLAG_NODE_PORT : 0) | (state.fromTunnel ? CT_FLAG_FROM_TUNNEL : 0), revNat: state.revNat, srcSecId: state.srcSecId, ifindex: state.ifindex,
      lastTxReport: dir === 'CT_EGRESS' ? SIM_CLOCK : 0, lastRxReport: dir === 'CT_INGRESS' ? SIM_CLOCK : 0,
      provenance: { kind: 'agent' as const, what: 'created by this trace' },
    };
    const main = (): void => {
      map.set(tuple, entry);
      ctx.tb.add({ kind: 'ct_create', map: map.name, key: formatCtKey(tuple, r).trimEnd(), value: formatCtEntry(entry, r).trimEnd() });
    };
    if (!relatedFirst) main();
    if (mapRelated) {
      const icmpTuple: CtTuple = { ...tuple, nexthdr: 1, sport: 0, dport: 0, flags: tuple.flags | TUPLE_F_RELATED };
      const related = { ...entry, flags: relatedFirst ? entry.flags : entry.flags | CT_FLAG_SEEN_NON_SYN, provenance: { kind: 'agent' as const, what: 'created by this trace (ICMP related entry)' } };
      mapRelated.set(icmpTuple, related);
      ctx.tb.add({ kind: 'ct_create', map: mapRelated.name, key: formatCtKey(icmpTuple, r).trimEnd(), value: formatCtEntry(related, r).trimEnd() });
    }
    if (relatedFirst) main();
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
  const body = (): boolean => {
    const map = ctMap(ctx);
    const key = packetKey(ctx.pkt, TUPLE_F_IN);
    const hit = map.lookup(key);
    ctx.tb.add({ kind: 'lookup', map: map.name, key: formatCtKey(key, ctx.cluster.release).trimEnd(), result: hit ? formatCtEntry(hit, ctx.cluster.release).trimEnd() : null, note: hit ? 'is_reply' : 'not a reply' });
    return hit !== undefined;
  };
  const r = ctx.cluster.release;
  if (r.site('bpf/lib/conntrack.h', 'ct_is_reply4') !== undefined) return ctx.tb.frame('ct_is_reply4', 'bpf/lib/conntrack.h', body);
  // v1.16+: a macro writes the function (no definition of its own to cite as a frame).
  const line = r.pick({ '1.13.0': 0, '1.16.15': 804, '1.18.3': 832 });
  ctx.tb.add({ kind: 'note', text: `ct_is_reply4, generated by DEFINE_FUNC_CT_IS_REPLY(4) at bpf/lib/conntrack.h:${line}` });
  return body();
}

/**
 * ct_has_nodeport_egress_entry4 (conntrack.h:1030-1044): the CT_EGRESS entry nodeport_lb4
 * created for client → backend, looked up with flag TUPLE_F_OUT; true when it carries
 * node_port. A plain map lookup: the entry is not updated. `packet`: the caller's tuple was
 * extracted from a reply (backend → client: rev_nodeport_lb4, nodeport_rev_dnat_fwd_ipv4);
 * `ct-buffer`: it is the tuple ct_lookup4 left after a CT_NEW (ipv4_policy, client → backend).
 */
export function ctHasNodeportEgressEntry4(ctx: Ctx, from: 'packet' | 'ct-buffer' = 'packet'): boolean {
  return ctx.tb.frame('ct_has_nodeport_egress_entry4', 'bpf/lib/conntrack.h', () => {
    const map = ctMap(ctx);
    const key = from === 'packet' ? packetKey(ctx.pkt, TUPLE_F_OUT) : originalTuple(ctx.pkt, 'CT_EGRESS');
    const hit = map.lookup(key);
    const nodePort = hit !== undefined && (hit.flags & CT_FLAG_NODE_PORT) !== 0;
    ctx.tb.add({ kind: 'lookup', map: map.name, key: formatCtKey(key, ctx.cluster.release).trimEnd(), result: hit ? formatCtEntry(hit, ctx.cluster.release).trimEnd() : null, note: nodePort ? 'node_port=1' : hit ? 'node_port=0' : 'no NodePort entry' });
    return nodePort;
  });
}
