// Service load-balancing of bpf/lib/lb.h (v1.13): lb4_lookup_service (master entry, slot 0),
// backend selection, lb4_lookup_backend and lb4_xlate (DNAT of daddr/dport). The real
// datapath picks a slot at random (prandom or the socket cookie); cilium-trace picks the
// first slot by default and says so, or the backend given with --backend.
import { formatIpv4, type Ipv4 } from '../../net/ip.js';
import { LB_BACKENDS_MAP, LB_REVNAT_MAP, LB_SERVICES_MAP, formatBackendValue, formatLbKey, formatLbValue, type Lb4Backend, type Lb4Key, type Lb4Service } from '../../maps/lbmap.js';
import type { Ctx } from '../context.js';

export interface Selected {
  readonly slot: number;
  readonly backendId: number;
  readonly backend: Lb4Backend;
  readonly svc: Lb4Service;
}

export function lb4LookupService(ctx: Ctx, address: Ipv4, dport: number): Lb4Service | undefined {
  return ctx.tb.frame('lb4_lookup_service', 'bpf/lib/lb.h', () => {
    const key: Lb4Key = { address, dport, slot: 0, scope: 0 };
    const svc = ctx.node.maps.lb.lookupService(key);
    ctx.tb.add({ kind: 'lookup', map: LB_SERVICES_MAP, key: `${formatLbKey(key)} (slot 0)`, result: svc ? formatLbValue(key, svc, ctx.node.maps.lb.backends) : null, ...(svc ? { provenance: [svc.provenance], note: `${svc.count} backend(s)` } : { note: 'not a service frontend' }) });
    return svc;
  });
}

/** Chooses a backend slot: --backend if given, else slot 1 (the datapath's choice is random). */
export function lb4SelectBackend(ctx: Ctx, address: Ipv4, dport: number, svc: Lb4Service, fn: string): Selected | undefined {
  return ctx.tb.frame(fn, 'bpf/lib/lb.h', () => {
    const want = ctx.opts.backend;
    let chosen: Selected | undefined;
    for (let slot = 1; slot <= svc.count; slot++) {
      const key: Lb4Key = { address, dport, slot, scope: 0 };
      const entry = ctx.node.maps.lb.lookupService(key);
      const backend = entry ? ctx.node.maps.lb.backends.get(entry.backendId) : undefined;
      if (!entry || !backend) continue;
      const matches = want ? backend.address === want.ip && (want.port === undefined || backend.port === want.port) : slot === 1;
      if (matches) {
        ctx.tb.add({ kind: 'note', text: want ? `slot ${slot} chosen by --backend` : `slot ${slot} of ${svc.count} (default: the first slot; the datapath picks at random, use --backend IP[:PORT])` });
        ctx.tb.add({ kind: 'lookup', map: LB_SERVICES_MAP, key: `${formatLbKey(key)} (slot ${slot})`, result: formatLbValue(key, entry, ctx.node.maps.lb.backends), provenance: [entry.provenance] });
        chosen = { slot, backendId: entry.backendId, backend, svc };
        break;
      }
    }
    if (!chosen) {
      if (want) ctx.tb.add({ kind: 'note', text: `--backend ${formatIpv4(want.ip)}${want.port ? `:${want.port}` : ''} is not a backend of this service` });
      return undefined;
    }
    const b = chosen.backend;
    ctx.tb.add({ kind: 'lookup', map: LB_BACKENDS_MAP, key: String(chosen.backendId), result: formatBackendValue(b), provenance: [b.provenance], note: `port ${b.port}` });
    return chosen;
  });
}

/** lb4_xlate: DNAT to the backend, with L3/L4 checksum fixups. */
export function lb4Xlate(ctx: Ctx, sel: Selected): void {
  ctx.tb.frame('lb4_xlate', 'bpf/lib/lb.h', () => {
    const p = ctx.pkt;
    if (p.l4.proto === 'icmp') return;
    ctx.tb.add({ kind: 'rewrite', field: 'daddr:dport', from: `${formatIpv4(p.dst)}:${p.l4.dport}`, to: `${formatIpv4(sel.backend.address)}:${sel.backend.port}` });
    ctx.pkt = { ...p, dst: sel.backend.address, l4: { ...p.l4, dport: sel.backend.port } };
  });
}

/** lb4_rev_nat: a reply of a load-balanced connection gets the Service address back as source. */
export function lb4RevNat(ctx: Ctx, revNat: number): void {
  ctx.tb.frame('lb4_rev_nat', 'bpf/lib/lb.h', () => {
    const nat = ctx.node.maps.lb.revNat.get(revNat);
    ctx.tb.add({ kind: 'lookup', map: LB_REVNAT_MAP, key: String(revNat), result: nat ? `${formatIpv4(nat.address)}:${nat.port}` : null });
    if (!nat) return;
    const p = ctx.pkt;
    if (p.l4.proto === 'icmp') return;
    ctx.tb.add({ kind: 'rewrite', field: 'saddr:sport', from: `${formatIpv4(p.src)}:${p.l4.sport}`, to: `${formatIpv4(nat.address)}:${nat.port}` });
    ctx.pkt = { ...p, src: nat.address, l4: { ...p.l4, sport: nat.port } };
  });
}
