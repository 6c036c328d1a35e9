// The execution context of simulated BPF programs: the skb (packet, ifindex, cb[], mark,
// tunnel key), the object whose code is running (its compile-time constants), the node's
// maps and the trace builder. Helpers return Cilium's convention as a union: CTX_ACT_OK,
// a redirect, or a DROP_* reason; only entry and tail programs turn a drop into a drop node.
import { dropReason, type DropMacro } from '../cilium/drop-reasons.js';
import type { ObjectConfig, ProgramRef } from '../maps/callmap.js';
import type { Packet } from '../net/packet.js';
import type { TraceBuilder } from '../trace/builder.js';
import type { CtStatus } from '../cilium/trace-points.js';
import type { HttpRequest } from '../proxy/envoy-http.js';
import type { DnsQuery } from '../proxy/dns-proxy.js';
import type { ProxyHandoff, SockCgroup } from '../trace/tree.js';
import type { ClusterDatapath, NodeDatapath } from '../node-state/node.js';

export type Ret =
  | { readonly kind: 'ok' }
  | { readonly kind: 'redirect'; readonly ifindex: number; readonly peer: boolean; readonly ingress: boolean }
  | { readonly kind: 'drop'; readonly macro: DropMacro; readonly fn?: string; readonly file?: string }
  /** The path continues into something cilium-trace does not simulate: the trace stops here, saying so. */
  | { readonly kind: 'unsimulated'; readonly text: string; readonly proxy?: ProxyHandoff }
  /** SYS_REJECT of a cgroup sock_addr program after try_set_retval(-errno): the syscall fails, no packet exists. */
  | { readonly kind: 'refused'; readonly errno: 'EHOSTUNREACH'; readonly code: number }
  /** v1.15+ tail_no_service_ipv4: an ICMP port unreachable goes back to the client instead of the packet; its connect() fails. */
  | { readonly kind: 'refused'; readonly errno: 'ECONNREFUSED'; readonly code: number };

export const unsimulated = (text: string, proxy?: ProxyHandoff): Ret => (proxy ? { kind: 'unsimulated', text, proxy } : { kind: 'unsimulated', text });

export const CTX_ACT_OK: Ret = { kind: 'ok' };
/** A DROP_* return; `fn`/`file` name the function that decided it, when not the notifier. */
export const drop = (macro: DropMacro, fn?: string, file?: string): Ret =>
  fn === undefined ? { kind: 'drop', macro } : { kind: 'drop', macro, fn, file: file ?? '' };

export interface TunnelKey {
  readonly tunnelId: number;
  readonly remoteIpv4: number;
  readonly ttl: number;
}

/** Options that stand in for state the tracer cannot know: marked in the trace when used. */
export interface DatapathOptions {
  /** Force the CT lookup result instead of consulting the (empty) CT maps. */
  readonly ctState?: CtStatus;
  /** Backend to pick for a Service (like ovn-trace's --lb-dst); default: the first slot. */
  readonly backend?: { readonly ip: number; readonly port?: number };
  /** The HTTP request the connection carries (--http): Envoy's HTTP filter is simulated for it. */
  readonly http?: HttpRequest;
  /** The DNS query the flow carries (--dns-query): the DNS proxy is simulated for it. */
  readonly dns?: DnsQuery;
}

export interface CtBuffer {
  readonly status: CtStatus;
  /** rev_nat_index of the entry hit (replies of load-balanced connections). */
  readonly revNat: number;
  /** The entry hit has the node_port flag (a NodePort connection). */
  readonly nodePort: boolean;
}

/** What a bpf_sock program learns about the calling socket besides its address. */
export interface SockInfo {
  /** ctx_in_hostns(): the socket lives in the host network namespace (host process, hostNetwork pod). */
  readonly inHostns: boolean;
  /** The caller's cgroup, for the trace-sock event's cgroup_id (and Hubble's view of it). */
  readonly cgroup: SockCgroup;
}

/** What the kernel keeps on the skb across programs of one node (not in the packet's headers). */
export interface SkbState {
  /** skb->hash once get_hash_recalc computed it; BPF header rewrites keep it (no BPF_F_INVALIDATE_HASH). */
  hash: number | undefined;
}

export interface Ctx {
  readonly cluster: ClusterDatapath;
  readonly node: NodeDatapath;
  readonly tb: TraceBuilder;
  readonly opts: DatapathOptions;
  prog: ProgramRef;
  pkt: Packet;
  /** skb->ifindex: the device the packet is being processed on. */
  ifindex: number;
  /** skb->cb[]: CB_SRC_LABEL, CB_IFINDEX, CB_FROM_HOST, ... */
  readonly cb: Map<string, number>;
  tunnelKey: TunnelKey | undefined;
  ctBuffer: CtBuffer | undefined;
  /** rev_nat_index parked by the per-packet LB for the CT entry it creates (lb4_ctx_store_state). */
  lbRevNat: number;
  /** A tail call never returns in C: once the callee reported a drop, callers must not again. */
  dropNotified: boolean;
  /** The skb's kernel state on this node; shared by every program the skb runs through there. */
  readonly skb?: SkbState;
  /** Set only while a bpf_sock program runs (struct bpf_sock_addr, not an skb). */
  readonly sock?: SockInfo;
}

export function lxcConfig(ctx: Ctx): Extract<ObjectConfig, { kind: 'lxc' }> {
  if (ctx.prog.config.kind !== 'lxc') throw new Error(`${ctx.prog.name} is not a bpf_lxc program`);
  return ctx.prog.config;
}

export function dropInfo(macro: DropMacro) {
  const r = dropReason(macro);
  return { code: r.code, macro: r.macro, name: r.hubble, text: r.text };
}
