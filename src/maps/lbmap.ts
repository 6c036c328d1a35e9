// Load-balancer maps: cilium_lb4_services_v2, cilium_lb4_backends_v3, cilium_lb4_reverse_nat.
// Mirrors pkg/maps/lbmap (types.go, ipv4.go) and bpf/lib/lb.h of v1.13.0: a service frontend
// VIP:port has a master entry in slot 0 (backend count, rev_nat_index, flags) and one entry
// per backend in slots 1..count holding a backend id. The datapath's LB4_BACKEND_MAP is
// cilium_lb4_backends_v3 (pkg/datapath/linux/config/config.go:201): u32 backend id →
// struct lb4_backend {address, port, proto, flags, cluster_id} (bpf/lib/common.h:941-951).
// Dump: cilium/cmd/bpf_lb_list.go. Left out: IPv6, session affinity, source ranges, Maglev.
// Per release: v1.16 prints every key with its slot (Service4Key.String, pkg/maps/lbmap/ipv4.go
// @v1.16.15), v1.18 adds /PROTO to keys and backends (pkg/loadbalancer/maps/types.go@v1.18.3,
// cilium-dbg/cmd/bpf_lb_list.go), and its agent keys services by L4 protocol (bpf-lb-proto-diff).
import type { CiliumRelease } from '../cilium/releases/release.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import type { Provenance } from './provenance.js';
import { tabwrite } from './tabwriter.js';

export const LB_SERVICES_MAP = 'cilium_lb4_services_v2';
export const LB_BACKENDS_MAP = 'cilium_lb4_backends_v3';
export const LB_REVNAT_MAP = 'cilium_lb4_reverse_nat';
export const LB_REVERSE_SK_MAP = 'cilium_lb4_reverse_sk';

export const SVC_FLAG_NODEPORT = 2;
export const SVC_FLAG_ROUTABLE = 64;
/** flags2 (bpf/lib/common.h:767-769): a CiliumLocalRedirectPolicy frontend, an Envoy L7 load-balanced Service. */
export const SVC_FLAG2_LOCALREDIRECT = 1;
export const SVC_FLAG2_L7LOADBALANCER = 4;

export interface Lb4Key {
  readonly address: Ipv4;
  readonly dport: number;
  readonly slot: number; // backend_slot, 0 = master
  readonly scope: 0 | 1; // 0 external, 1 internal
  /** lb4_key.proto: 0 (ANY) up to v1.16; the L4 protocol from v1.17 (lb-service-proto). */
  readonly proto?: number;
}

export interface Lb4Service {
  readonly backendId: number; // slot entries
  readonly count: number; // master only
  readonly revNat: number;
  readonly flags: number;
  readonly flags2: number;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'LocalRedirect';
  readonly provenance: Provenance;
  /** With a flags2 redirect: what v1.13.0 does with the packet, which is not simulated (never dumped). */
  readonly redirect?: string;
}

export interface Lb4Backend {
  readonly address: Ipv4;
  readonly port: number;
  readonly proto: number; // always 0 in v1.13
  readonly flags: number; // 0 active
  /** cluster_id (ClusterMesh); 0, or left out, in a single cluster. */
  readonly clusterId?: number;
  readonly provenance: Provenance;
}

/** Backend4ValueV3.String() (pkg/maps/lbmap/ipv4.go:526-529): proto://addr[@cluster], no port; the proto is a u8proto name. */
export function formatBackendValue(b: Lb4Backend): string {
  const cluster = b.clusterId ? `@${b.clusterId}` : '';
  return `${u8proto(b.proto)}://${formatIpv4(b.address)}${cluster}`;
}

function keyId(k: Lb4Key): string {
  return `${k.address}:${k.dport}/${k.slot}/${k.scope}/${k.proto ?? 0}`;
}

/** u8proto.U8proto.String() (pkg/u8proto/u8proto.go). */
export function u8proto(p: number): string {
  return ({ 0: 'ANY', 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' } as Record<number, string>)[p] ?? String(p);
}

/** The frontend as the CLI prints it: VIP:port, v1.17+ VIP:port/PROTO, then /i for the internal scope. */
export function formatLbKey(k: Lb4Key, release?: CiliumRelease): string {
  const proto = release?.has('lb-list-proto') ? `/${u8proto(k.proto ?? 0)}` : '';
  return `${formatIpv4(k.address)}:${k.dport}${proto}${k.scope === 1 ? '/i' : ''}`;
}

/** ServiceFlags.String() of the master entry (pkg/loadbalancer): type, then extras. */
export function formatSvcFlags(s: Lb4Service): string {
  const extras: string[] = [];
  if (!(s.flags & SVC_FLAG_ROUTABLE)) extras.push('non-routable');
  if (s.flags2 & SVC_FLAG2_L7LOADBALANCER) extras.push('l7-load-balancer');
  return [s.type, ...extras].join(', ');
}

/**
 * One entry of `bpf lb list` (dumpSVC): the master entry, or the backend of a slot. v1.16+
 * prints the master entry as "%s:%d (%d) (%d) [%s] %s" with an empty extra (a trailing space);
 * v1.17+ backends as "%s:%d/%s (%d) (%d)" (cilium-dbg/cmd/bpf_lb_list.go@v1.16.15, v1.18.3).
 */
export function formatLbValue(k: Lb4Key, s: Lb4Service, backends: LbMaps['backends'], release?: CiliumRelease): string {
  const newer = release?.has('lb-list-slot-rows') ?? false;
  if (k.slot === 0) return `0.0.0.0:0 (${s.revNat}) (0) [${formatSvcFlags(s)}]${newer ? ' ' : ''}`;
  const b = backends.get(s.backendId);
  const proto = release?.has('lb-list-proto') && b ? `/${u8proto(b.proto)}` : '';
  return b ? `${formatIpv4(b.address)}:${b.port}${proto} (${s.revNat}) (${k.slot})` : `backend ${s.backendId} not found`;
}

/** A frontend (address, port, scope) as one number: the slots of a frontend share it. */
function frontendId(k: { readonly address: Ipv4; readonly dport: number; readonly scope: number }): number {
  return ((k.address >>> 0) * 65536 + k.dport) * 2 + k.scope;
}

export class LbMaps {
  private readonly services = new Map<string, { key: Lb4Key; value: Lb4Service }>();
  /** Writes of frontends not made yet, per frontend, in the order they were registered. */
  private readonly deferred = new Map<number, Array<(lb: LbMaps) => void>>();
  readonly revNat = new Map<number, { address: Ipv4; port: number }>();

  /** `backends` (cilium_lb4_backends_v3) may be shared: every node's agent writes the same ids. */
  constructor(readonly backends: Map<number, Lb4Backend> = new Map()) {}

  setService(key: Lb4Key, value: Lb4Service): void {
    if (this.deferred.size > 0) this.flush(frontendId(key)); // earlier writes first
    this.services.set(keyId(key), { key, value });
  }

  /**
   * Registers the writes of one frontend (its master entry and backend slots), made the
   * first time a lookup asks for that frontend or the map is dumped. The agent writes every
   * frontend up front; with NodePort on every node a large cluster has 100,000s of slots,
   * of which a trace looks up a handful, and every lookup and dump sees the same entries.
   */
  deferService(frontend: { readonly address: Ipv4; readonly dport: number; readonly scope: 0 | 1 }, write: (lb: LbMaps) => void): void {
    const id = frontendId(frontend);
    const list = this.deferred.get(id);
    if (list) list.push(write);
    else this.deferred.set(id, [write]);
  }

  private flush(id: number): void {
    const writes = this.deferred.get(id);
    if (!writes) return;
    this.deferred.delete(id);
    for (const w of writes) w(this);
  }

  /** Removes an entry (a LocalRedirect frontend replaces a Service's backend slots). */
  deleteService(key: Lb4Key): void {
    this.services.delete(keyId(key));
  }

  lookupService(key: Lb4Key): Lb4Service | undefined {
    if (this.deferred.size > 0) this.flush(frontendId(key));
    return this.services.get(keyId(key))?.value;
  }

  /** Every entry, deferred frontends written first (drift compares them). */
  entries(): Array<{ key: Lb4Key; value: Lb4Service }> {
    for (const id of [...this.deferred.keys()]) this.flush(id);
    return [...this.services.values()];
  }

  /**
   * `cilium bpf lb list`: frontends sorted by address and port, slots in order (the CLI ranges
   * over a Go map, so its order varies; sorted here). v1.16+ keys carry the slot, one row each.
   */
  dump(release?: CiliumRelease): string {
    for (const id of [...this.deferred.keys()]) this.flush(id);
    const rows = [...this.services.values()].sort((a, b) => a.key.address - b.key.address || a.key.dport - b.key.dport || (a.key.proto ?? 0) - (b.key.proto ?? 0) || a.key.scope - b.key.scope || a.key.slot - b.key.slot);
    if (rows.length === 0) return 'No entries found.\n';
    let text = 'SERVICE ADDRESS\tBACKEND ADDRESS (REVNAT_ID) (SLOT)\n';
    let last = '';
    const slotRows = release?.has('lb-list-slot-rows') ?? false;
    for (const { key, value } of rows) {
      const frontend = slotRows ? `${formatLbKey(key, release)} (${key.slot})` : formatLbKey(key, release);
      text += `${frontend === last ? '' : frontend}\t${formatLbValue(key, value, this.backends, release)}\t\n`;
      last = frontend;
    }
    return tabwrite(text);
  }
}
