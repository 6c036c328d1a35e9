// Service load-balancing of bpf/lib/lb.h (v1.13.0): lb4_lookup_service (master entry, slot 0),
// the slot and backend lookups (__lb4_lookup_backend_slot, __lb4_lookup_backend and their
// lb4_* wrappers), lb4_select_backend_id (LB_SELECTION_RANDOM), lb4_local (CT_SERVICE entry,
// backend, DNAT) shared by per-packet LB in bpf_lxc and nodeport_lb4, lb4_xlate and lb4_rev_nat.
// The datapath picks a slot at random (get_prandom_u32, or the socket cookie for UDP in
// bpf_sock); cilium-trace takes slot 1 by default and says so, or the slot of --backend.
// Left out: session affinity, Maglev, two scopes (externalTrafficPolicy=Local), L7 LB,
// NAT46/64, and lb4_local's loopback case (a pod reaching itself through a Service).
// Per release: v1.15+ extracts the key with lb4_extract_tuple + lb4_fill_key (ICMP is
// DROP_UNSUPP_SERVICE_PROTO), v1.16+ lb4_local looks CT_SERVICE up (ct_lazy_lookup4) before the
// count == 0 check, v1.17+ keys services by L4 protocol with a proto-0 retry
// (__lb4_lookup_service), and v1.15+ answers a Service without backends with
// tail_no_service_ipv4 (ICMP port unreachable) instead of DROP_NO_SERVICE.
import { formatIpv4, type Ipv4 } from '../../net/ip.js';
import type { Packet } from '../../net/packet.js';
import { LB_BACKENDS_MAP, LB_REVNAT_MAP, LB_SERVICES_MAP, u8proto, SVC_FLAG2_L7LOADBALANCER, SVC_FLAG2_LOCALREDIRECT, formatBackendValue, formatLbKey, formatLbValue, type Lb4Backend, type Lb4Key, type Lb4Service } from '../../maps/lbmap.js';
import { CTX_ACT_OK, drop, unsimulated, type Ctx, type Ret } from '../context.js';
import { ctCreateService, ctLookupService, ctUpdateService } from './conntrack.js';

const LB_H = 'bpf/lib/lb.h';

/** A frontend as lb4_key carries it (address, dport); the slot is set per lookup. */
export interface Frontend {
  readonly address: Ipv4;
  readonly dport: number;
  /** lb4_key.proto of the entry that matched (0 = ANY; v1.17+ the L4 protocol). */
  readonly proto?: number;
}

/** IPPROTO_* of a packet's L4 header. */
export function l4Proto(p: Packet): number {
  return p.l4.proto === 'tcp' ? 6 : p.l4.proto === 'udp' ? 17 : 1;
}

function lookupSlot0(ctx: Ctx, key: Lb4Key, last: boolean): Lb4Service | undefined {
  const r = ctx.cluster.release;
  const svc = ctx.node.maps.lb.lookupService(key);
  ctx.tb.add({ kind: 'lookup', map: LB_SERVICES_MAP, key: `${formatLbKey(key, r)} (slot 0)`, result: svc ? formatLbValue(key, svc, ctx.node.maps.lb.backends, r).trimEnd() : null, ...(svc ? { provenance: [svc.provenance], note: `${svc.count} backend(s)` } : { note: last ? 'not a service frontend' : 'no entry for this protocol' }) });
  return svc;
}

/**
 * lb4_lookup_service: the master entry (slot 0) of a frontend. v1.17+ (lb-service-proto): the
 * key carries the L4 protocol, and __lb4_lookup_service retries with IPPROTO_ANY on a miss
 * (ENABLE_SERVICE_PROTOCOL_DIFFERENTIATION, bpf/lib/lb.h@v1.18.3). `proto` is the packet's.
 */
export function lb4LookupFrontend(ctx: Ctx, address: Ipv4, dport: number, proto: number): { svc: Lb4Service; fe: Frontend } | undefined {
  return ctx.tb.frame('lb4_lookup_service', LB_H, () => {
    const r = ctx.cluster.release;
    if (!r.has('lb-service-proto')) {
      const svc = lookupSlot0(ctx, { address, dport, slot: 0, scope: 0 }, true);
      return svc ? { svc, fe: { address, dport } } : undefined;
    }
    return ctx.tb.frame('__lb4_lookup_service', LB_H, () => {
      ctx.tb.add({ kind: 'note', text: `lb4_key.proto = ${u8proto(proto)} (bpf-lb-proto-diff: services are keyed by L4 protocol)`, feature: 'lb-service-proto' });
      let svc = lookupSlot0(ctx, { address, dport, slot: 0, scope: 0, proto }, false);
      if (svc) return { svc, fe: { address, dport, proto } };
      ctx.tb.add({ kind: 'note', text: 'no entry for the protocol: retry with key->proto = IPPROTO_ANY', feature: 'lb-service-proto' });
      svc = lookupSlot0(ctx, { address, dport, slot: 0, scope: 0, proto: 0 }, true);
      return svc ? { svc, fe: { address, dport, proto: 0 } } : undefined;
    });
  });
}

/** lb4_lookup_service for a key of ANY protocol (the packet's protocol where the release keys by it). */
export function lb4LookupService(ctx: Ctx, address: Ipv4, dport: number, proto = l4Proto(ctx.pkt)): Lb4Service | undefined {
  return lb4LookupFrontend(ctx, address, dport, proto)?.svc;
}

/**
 * The service key of a packet: lb4_extract_key (v1.13) or, from v1.15, lb4_extract_tuple then
 * lb4_fill_key. ICMP has no key: DROP_NO_SERVICE (v1.13) or DROP_UNSUPP_SERVICE_PROTO (v1.15+),
 * and the caller goes to skip_service_lookup; another L4 protocol is DROP_UNKNOWN_L4.
 */
export function lb4ExtractKey(ctx: Ctx, p: Packet, caller: 'lb' | 'revdnat' | 'revdnat-fwd' = 'lb'): { address: Ipv4; dport: number; proto: number } | 'DROP_NO_SERVICE' | 'DROP_UNSUPP_SERVICE_PROTO' {
  const l4 = p.l4;
  if (!ctx.cluster.release.has('no-service-reject')) {
    return ctx.tb.frame('lb4_extract_key', LB_H, () => {
      if (l4.proto !== 'icmp') return { address: p.dst, dport: l4.dport, proto: 0 };
      ctx.tb.add({ kind: 'note', text: 'extract_l4_port: ICMP needs no service lookup: DROP_NO_SERVICE, goto skip_service_lookup' });
      return 'DROP_NO_SERVICE' as const;
    });
  }
  const t = ctx.tb.frame('lb4_extract_tuple', LB_H, () => {
    if (l4.proto !== 'icmp') return { address: p.dst, dport: l4.dport, proto: l4Proto(p) };
    // The reverse-DNAT callers have no skip_service_lookup: nodeport_rev_dnat_fwd_ipv4 returns
    // CTX_ACT_OK (nodeport_egress.h@v1.18.3:487-490), nodeport_rev_dnat_ipv4 goes to skip_revdnat.
    const then = caller === 'lb' ? ', goto skip_service_lookup' : caller === 'revdnat-fwd' ? ': not a service protocol, return CTX_ACT_OK' : '';
    ctx.tb.add({ kind: 'note', text: `IPPROTO_ICMP: DROP_UNSUPP_SERVICE_PROTO${then}` });
    return 'DROP_UNSUPP_SERVICE_PROTO' as const;
  });
  if (typeof t === 'string') return t;
  // Only nodeport_lb4 builds a service key; the reverse-DNAT paths use the tuple (nodeport_egress.h@v1.18.3:485-493).
  if (caller !== 'lb') return t;
  ctx.tb.frame('lb4_fill_key', LB_H, () => {
    ctx.tb.add({ kind: 'note', text: ctx.cluster.release.has('lb-service-proto') ? `key: ${formatIpv4(t.address)}:${t.dport}, proto ${u8proto(t.proto)} (lb4_key_set_protocol)` : `key: ${formatIpv4(t.address)}:${t.dport}, proto 0 ("FIXME: set after adding support for different L4 protocols in LB")` });
  });
  return t;
}

/**
 * A LocalRedirect frontend (CiliumLocalRedirectPolicy) or an L7 load-balanced Service
 * (CiliumEnvoyConfig): flags2 of the master entry says so (lb4_svc_is_localredirect,
 * lb4_svc_is_l7loadbalancer). Where v1.13.0 sends the packet then is not simulated.
 */
export function serviceRedirect(ctx: Ctx, svc: Lb4Service): Ret | undefined {
  if (!(svc.flags2 & (SVC_FLAG2_LOCALREDIRECT | SVC_FLAG2_L7LOADBALANCER))) return undefined;
  const flag = svc.flags2 & SVC_FLAG2_LOCALREDIRECT ? 'SVC_FLAG_LOCALREDIRECT' : 'SVC_FLAG_L7LOADBALANCER';
  ctx.tb.add({ kind: 'note', text: `the master entry has ${flag} in flags2` });
  return unsimulated(svc.redirect ?? `the service entry has ${flag}`);
}

/**
 * Where the datapath's random draw `(rand % count) + 1` lands in this trace: the slot holding
 * --backend, else slot 1. Reading the slots to find --backend is the tool's doing, not a
 * datapath step, so it leaves no lookup in the trace. A string is the reason there is no slot.
 */
export function chosenSlot(ctx: Ctx, fe: Frontend, svc: Lb4Service): { readonly slot: number; readonly why: string } | string {
  const want = ctx.opts.backend;
  if (!want) return { slot: 1, why: `slot 1 of ${svc.count} (default: the first slot; the datapath picks at random, use --backend IP[:PORT])` };
  const found: string[] = [];
  for (let slot = 1; slot <= svc.count; slot++) {
    const entry = ctx.node.maps.lb.lookupService({ address: fe.address, dport: fe.dport, slot, scope: 0, proto: fe.proto ?? 0 });
    const b = entry ? ctx.node.maps.lb.backends.get(entry.backendId) : undefined;
    if (!b) continue;
    if (b.address === want.ip && (want.port === undefined || b.port === want.port)) return { slot, why: `slot ${slot} of ${svc.count}, chosen by --backend` };
    found.push(`${formatIpv4(b.address)}:${b.port}`);
  }
  return `--backend ${formatIpv4(want.ip)}${want.port ? `:${want.port}` : ''} is not a backend of ${formatIpv4(fe.address)}:${fe.dport} (its backends: ${found.join(', ') || 'none'})`;
}

/** A backend slot of the services map (slot ≥ 1): its backend_id. */
export function lb4LookupBackendSlot(ctx: Ctx, fn: '__lb4_lookup_backend_slot' | 'lb4_lookup_backend_slot', fe: Frontend, slot: number): Lb4Service | undefined {
  return ctx.tb.frame(fn, LB_H, () => {
    const key: Lb4Key = { address: fe.address, dport: fe.dport, slot, scope: 0, proto: fe.proto ?? 0 };
    const entry = ctx.node.maps.lb.lookupService(key);
    ctx.tb.add({ kind: 'lookup', map: LB_SERVICES_MAP, key: `${formatLbKey(key, ctx.cluster.release)} (slot ${slot})`, result: entry ? formatLbValue(key, entry, ctx.node.maps.lb.backends, ctx.cluster.release).trimEnd() : null, ...(entry ? { provenance: [entry.provenance] } : {}) });
    return entry;
  });
}

/** cilium_lb4_backends_v3 by backend id. */
export function lb4LookupBackend(ctx: Ctx, fn: '__lb4_lookup_backend' | 'lb4_lookup_backend', backendId: number): Lb4Backend | undefined {
  return ctx.tb.frame(fn, LB_H, () => {
    const b = ctx.node.maps.lb.backends.get(backendId);
    ctx.tb.add({ kind: 'lookup', map: LB_BACKENDS_MAP, key: String(backendId), result: b ? formatBackendValue(b) : null, ...(b ? { provenance: [b.provenance], note: `port ${b.port}` } : {}) });
    return b;
  });
}

/** lb4_select_backend_id, LB_SELECTION_RANDOM (lb.h:1345-1355): a slot, then its backend id (0 on a miss). */
function lb4SelectBackendId(ctx: Ctx, fe: Frontend, svc: Lb4Service): number | Ret {
  return ctx.tb.frame('lb4_select_backend_id', LB_H, (): number | Ret => {
    const pick = chosenSlot(ctx, fe, svc);
    if (typeof pick === 'string') return unsimulated(pick);
    ctx.tb.add({ kind: 'note', text: `(get_prandom_u32() % count) + 1: ${pick.why}` });
    return lb4LookupBackendSlot(ctx, 'lb4_lookup_backend_slot', fe, pick.slot)?.backendId ?? 0;
  });
}

/** A new backend for a CT_NEW connection or a stale CT_SERVICE entry; a Ret when there is none. */
function selectBackend(ctx: Ctx, fe: Frontend, svc: Lb4Service): { id: number; backend: Lb4Backend } | Ret {
  const id = lb4SelectBackendId(ctx, fe, svc);
  if (typeof id !== 'number') return id;
  const backend = lb4LookupBackend(ctx, 'lb4_lookup_backend', id);
  return backend ? { id, backend } : drop('DROP_NO_SERVICE', 'lb4_local', LB_H);
}

/**
 * lb4_local (lb.h:1573-1731), as per-packet LB (bpf_lxc) and nodeport_lb4 call it: no backends
 * is DROP_NO_SERVICE; ct_lookup4(CT_SERVICE) either finds the connection's backend or, for
 * CT_NEW, a backend is selected and ct_create4(CT_SERVICE) remembers it; then lb4_xlate DNATs.
 * The frontend's rev_nat_index is left in ctx.lbRevNat for the connection's CT entry.
 */
export function lb4Local(ctx: Ctx, fe: Frontend, svc: Lb4Service, saddr: Ipv4): Ret {
  return ctx.tb.frame('lb4_local', LB_H, (): Ret => {
    // v1.13: count == 0 before the CT_SERVICE lookup; v1.16+: inside case CT_NEW, after it.
    const ctFirst = ctx.cluster.release.has('lb-local-ct-first');
    if (!ctFirst && svc.count === 0) return drop('DROP_NO_SERVICE', 'lb4_local', LB_H);
    const ct = ctLookupService(ctx);
    let backend: Lb4Backend | undefined;
    if (ctFirst && ct.status === 'CT_NEW' && svc.count === 0) {
      ctx.tb.add({ kind: 'note', text: 'CT_NEW and svc->count == 0: goto no_service (DROP_NO_SERVICE)' });
      return drop('DROP_NO_SERVICE', 'lb4_local', LB_H);
    }
    if (ct.status === 'CT_NEW') {
      const sel = selectBackend(ctx, fe, svc);
      if ('kind' in sel) return sel;
      backend = sel.backend;
      ctCreateService(ctx, sel.id, svc.revNat);
    } else if (ct.revNat !== svc.revNat) {
      ctx.tb.add({ kind: 'note', text: `the entry's rev_nat_index ${ct.revNat} is not the frontend's ${svc.revNat}: select a new backend` });
      const sel = selectBackend(ctx, fe, svc);
      if ('kind' in sel) return sel;
      backend = sel.backend;
      ctUpdateService(ctx, sel.id, svc.revNat);
    } else {
      backend = lb4LookupBackend(ctx, 'lb4_lookup_backend', ct.backendId);
      if (!backend) {
        ctx.tb.add({ kind: 'note', text: `backend ${ct.backendId} is gone: select a new backend` });
        const sel = selectBackend(ctx, fe, svc);
        if ('kind' in sel) return sel;
        backend = sel.backend;
        ctUpdateService(ctx, sel.id, svc.revNat);
      }
    }
    if (saddr === backend.address && !(ctx.prog.object === 'bpf_host')) {
      // Not DISABLE_LOOPBACK_LB (only bpf_host with NodePort defines it): lb.h:1705-1721.
      return unsimulated(`lb4_local's loopback case (source ${formatIpv4(saddr)} is the backend itself: SNAT to IPV4_LOOPBACK) is not simulated`);
    }
    ctx.lbRevNat = svc.revNat;
    lb4Xlate(ctx, backend);
    return CTX_ACT_OK;
  });
}

/** lb4_xlate: DNAT to the backend, with L3/L4 checksum fixups. */
export function lb4Xlate(ctx: Ctx, backend: Lb4Backend): void {
  ctx.tb.frame('lb4_xlate', LB_H, () => {
    const p = ctx.pkt;
    if (p.l4.proto === 'icmp') return;
    ctx.tb.add({ kind: 'rewrite', field: 'daddr:dport', from: `${formatIpv4(p.dst)}:${p.l4.dport}`, to: `${formatIpv4(backend.address)}:${backend.port}` });
    ctx.pkt = { ...p, dst: backend.address, l4: { ...p.l4, dport: backend.port } };
  });
}

/** lb4_rev_nat: a reply of a load-balanced connection gets the Service address back as source. */
export function lb4RevNat(ctx: Ctx, revNat: number): void {
  ctx.tb.frame('lb4_rev_nat', LB_H, () => {
    const nat = ctx.node.maps.lb.revNat.get(revNat);
    ctx.tb.add({ kind: 'lookup', map: LB_REVNAT_MAP, key: String(revNat), result: nat ? `${formatIpv4(nat.address)}:${nat.port}` : null });
    if (!nat) return;
    const p = ctx.pkt;
    if (p.l4.proto === 'icmp') return;
    ctx.tb.add({ kind: 'rewrite', field: 'saddr:sport', from: `${formatIpv4(p.src)}:${p.l4.sport}`, to: `${formatIpv4(nat.address)}:${nat.port}` });
    ctx.pkt = { ...p, src: nat.address, l4: { ...p.l4, sport: nat.port } };
  });
}

/**
 * A Service without backends under per-packet LB (bpf_lxc's __per_packet_lb_svc_xlate_4):
 * v1.13 drops with DROP_NO_SERVICE; v1.15+ with SERVICE_NO_BACKEND_RESPONSE (the agent's
 * service-no-backend-response=reject, the default, pkg/defaults/defaults.go) tail-calls
 * CILIUM_CALL_IPV4_NO_SERVICE: tail_no_service_ipv4 → __tail_no_service_ipv4 (bpf/lib/lb.h)
 * writes an ICMP destination unreachable (type 3, code 3 port unreachable) from the frontend
 * back to the client and ctx_redirect()s it out the interface it came in on. No drop
 * notification: the client's connect() fails with ECONNREFUSED. A trace ends there, as a
 * refused connection does.
 */
export function noServiceResponse(ctx: Ctx, ret: Ret): Ret {
  const r = ctx.cluster.release;
  if (ret.kind !== 'drop' || ret.macro !== 'DROP_NO_SERVICE' || !r.has('no-service-reject')) return ret;
  const slot = r.calls.slot('IPV4_NO_SERVICE');
  ctx.tb.add({ kind: 'note', text: 'ret == DROP_NO_SERVICE and SERVICE_NO_BACKEND_RESPONSE (service-no-backend-response=reject, the default): tail_call_internal(ctx, CILIUM_CALL_IPV4_NO_SERVICE)', feature: 'no-service-reject' });
  const callsMap = ctx.prog.config.kind === 'sock' ? '' : ctx.prog.config.callsMap;
  ctx.tb.add({ kind: 'tail_call', map: callsMap, slot: slot ?? -1, slotName: 'CILIUM_CALL_IPV4_NO_SERVICE', program: 'tail_no_service_ipv4' });
  ctx.tb.resetToHop();
  return ctx.tb.frame('tail_no_service_ipv4', LB_H, (): Ret => ctx.tb.frame('__tail_no_service_ipv4', LB_H, (): Ret => {
    const p = ctx.pkt;
    ctx.tb.add({ kind: 'rewrite', field: 'packet', from: `${formatIpv4(p.src)} > ${formatIpv4(p.dst)} ${p.l4.proto}`, to: `${formatIpv4(p.dst)} > ${formatIpv4(p.src)} ICMP destination unreachable (type 3 code 3, port unreachable), the first 64 bytes of the packet as payload, MACs swapped` });
    ctx.tb.add({ kind: 'note', text: `ctx_redirect(ctx, ctx_get_ifindex(ctx) = ${ctx.ifindex}, 0): the ICMP error goes back out the interface the packet came in on, to the client; no drop notification` });
    const udp = p.l4.proto === 'udp';
    ctx.tb.add({ kind: 'refused', syscall: udp ? 'sendmsg' : 'connect', errno: 'ECONNREFUSED', code: -111, fn: 'tail_no_service_ipv4', file: LB_H, icmp: `ICMP type 3 code 3 (port unreachable) ${formatIpv4(p.dst)} → ${formatIpv4(p.src)}` });
    return { kind: 'refused', errno: 'ECONNREFUSED', code: -111 };
  }));
}

/**
 * Per-packet LB of bpf_lxc (ENABLE_PER_PACKET_LB): the service lookup, lb4_local, and from v1.15
 * the no-backend reject (__per_packet_lb_svc_xlate_4, bpf/bpf_lxc.c@v1.16.15, v1.18.3: ICMP and
 * unknown L4 goto skip_service_lookup). v1.13 is the path of bpf_lxc.c:1205-1248 as before.
 */
export function perPacketLb4(ctx: Ctx): Ret {
  const p = ctx.pkt;
  const l4 = p.l4;
  if (!ctx.cluster.release.has('no-service-reject')) {
    if (l4.proto === 'icmp') {
      ctx.tb.add({ kind: 'note', text: 'lb4_extract_key: not TCP/UDP/SCTP, no service lookup' });
      return CTX_ACT_OK;
    }
    const svc = lb4LookupService(ctx, p.dst, l4.dport);
    if (!svc) return CTX_ACT_OK;
    const redirected = serviceRedirect(ctx, svc);
    if (redirected) return redirected;
    return lb4Local(ctx, { address: p.dst, dport: l4.dport }, svc, p.src);
  }
  const key = lb4ExtractKey(ctx, p);
  if (typeof key === 'string') return CTX_ACT_OK;
  const hit = lb4LookupFrontend(ctx, key.address, key.dport, key.proto);
  if (!hit) return CTX_ACT_OK;
  const redirected = serviceRedirect(ctx, hit.svc);
  if (redirected) return redirected;
  return noServiceResponse(ctx, lb4Local(ctx, hit.fe, hit.svc, p.src));
}
