// Service load-balancing of bpf/lib/lb.h (v1.13.0): lb4_lookup_service (master entry, slot 0),
// the slot and backend lookups (__lb4_lookup_backend_slot, __lb4_lookup_backend and their
// lb4_* wrappers), lb4_select_backend_id (LB_SELECTION_RANDOM), lb4_local (CT_SERVICE entry,
// backend, DNAT) shared by per-packet LB in bpf_lxc and nodeport_lb4, lb4_xlate and lb4_rev_nat.
// The datapath picks a slot at random (get_prandom_u32, or the socket cookie for UDP in
// bpf_sock); cilium-trace takes slot 1 by default and says so, or the slot of --backend.
// Left out: session affinity, Maglev, two scopes (externalTrafficPolicy=Local), L7 LB,
// NAT46/64, and lb4_local's loopback case (a pod reaching itself through a Service).
import { formatIpv4, type Ipv4 } from '../../net/ip.js';
import { LB_BACKENDS_MAP, LB_REVNAT_MAP, LB_SERVICES_MAP, SVC_FLAG2_L7LOADBALANCER, SVC_FLAG2_LOCALREDIRECT, formatBackendValue, formatLbKey, formatLbValue, type Lb4Backend, type Lb4Key, type Lb4Service } from '../../maps/lbmap.js';
import { CTX_ACT_OK, drop, unsimulated, type Ctx, type Ret } from '../context.js';
import { ctCreateService, ctLookupService, ctUpdateService } from './conntrack.js';

const LB_H = 'bpf/lib/lb.h';

/** A frontend as lb4_key carries it (address, dport); the slot is set per lookup. */
export interface Frontend {
  readonly address: Ipv4;
  readonly dport: number;
}

export function lb4LookupService(ctx: Ctx, address: Ipv4, dport: number): Lb4Service | undefined {
  return ctx.tb.frame('lb4_lookup_service', LB_H, () => {
    const key: Lb4Key = { address, dport, slot: 0, scope: 0 };
    const svc = ctx.node.maps.lb.lookupService(key);
    ctx.tb.add({ kind: 'lookup', map: LB_SERVICES_MAP, key: `${formatLbKey(key)} (slot 0)`, result: svc ? formatLbValue(key, svc, ctx.node.maps.lb.backends) : null, ...(svc ? { provenance: [svc.provenance], note: `${svc.count} backend(s)` } : { note: 'not a service frontend' }) });
    return svc;
  });
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
    const entry = ctx.node.maps.lb.lookupService({ address: fe.address, dport: fe.dport, slot, scope: 0 });
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
    const key: Lb4Key = { address: fe.address, dport: fe.dport, slot, scope: 0 };
    const entry = ctx.node.maps.lb.lookupService(key);
    ctx.tb.add({ kind: 'lookup', map: LB_SERVICES_MAP, key: `${formatLbKey(key)} (slot ${slot})`, result: entry ? formatLbValue(key, entry, ctx.node.maps.lb.backends) : null, ...(entry ? { provenance: [entry.provenance] } : {}) });
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
    if (svc.count === 0) return drop('DROP_NO_SERVICE', 'lb4_local', LB_H);
    const ct = ctLookupService(ctx);
    let backend: Lb4Backend | undefined;
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
