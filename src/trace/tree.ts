// The one trace tree. Executing datapath code appends nodes; renderers (text levels, JSON)
// are pure functions of the tree. Node kinds carry data, never preformatted output, except
// `key`/`result` of lookups, which are the cilium CLI's own text for that map entry.
import type { HttpRuleSet } from '../proxy/envoy-http.js';
import type { Feature } from '../cilium/releases/features.js';
import type { Provenance } from '../maps/provenance.js';
import type { PolicyExplanation } from '../explain/policy-drop.js';

export interface DropInfo {
  readonly code: number; // positive, as notifications carry it
  readonly macro: string; // DROP_POLICY
  readonly name: string; // Hubble enum, POLICY_DENIED
  readonly text: string; // monitor text, Policy denied
}

/** Where and on what an event (observation point, drop, policy verdict) happened. */
export interface EventMeta {
  readonly node: string;
  readonly ifindex: number;
  readonly ifname: string | null;
  readonly tuple: {
    readonly src: string;
    readonly dst: string;
    readonly proto: 'icmp' | 'tcp' | 'udp';
    readonly sport: number | null;
    readonly dport: number | null;
    readonly icmpType: number | null;
    readonly tcpFlags: string | null;
  };
  /**
   * skb->hash (get_hash_recalc): computed at the packet's first event on a node and kept for
   * every later event of that skb there (BPF rewrites do not invalidate it). A deterministic
   * stand-in: the kernel's hash uses a per-host random key.
   */
  readonly hash: number;
  /** The event's `source` field: EVENT_SOURCE of the program that sent it (LXC_ID, HOST_EP_ID, 0 in bpf_overlay). */
  readonly source: number;
  /** The frame's Ethernet addresses at the observation point (the outer ones for a tunnelled packet on a native device). */
  readonly eth: { readonly src: string; readonly dst: string };
}

export type TraceNode =
  /** A place the packet is processed: a device hook, a netns, the kernel, the wire. */
  | { readonly kind: 'hop'; readonly node: string; readonly where: string; readonly hook: string; readonly program?: string; readonly children: TraceNode[] }
  /** A simulated C function (bpf/*.c, bpf/lib/*.h). */
  | { readonly kind: 'fn'; readonly fn: string; readonly file: string; /** where the modelled release defines it; null if it does not */ readonly line: number | null; readonly children: TraceNode[] }
  | { readonly kind: 'lookup'; readonly map: string; readonly key: string; readonly result: string | null; readonly note?: string; readonly provenance?: readonly Provenance[] }
  | { readonly kind: 'tail_call'; readonly map: string; readonly slot: number; readonly slotName: string; readonly program: string | null }
  /** A conditional tail call compiled as a direct call (invoke_tailcall_if with COND 0). */
  | { readonly kind: 'inlined'; readonly slot: number; readonly slotName: string; readonly program: string; readonly why: string }
  | { readonly kind: 'trace_point'; readonly point: string; readonly monitor: string; readonly srcId: number; readonly dstId: number; readonly dstEp: number; readonly source: number; readonly ifindex: number; readonly reason: string; readonly origIp: string; readonly ev: EventMeta }
  /**
   * A policy decision. `enforced`: policy is enabled in this direction (the endpoint's
   * POLICY_VERDICT_LOG_FILTER bit); `notify`: send_policy_verdict_notify emits a verdict event;
   * `verdict`: that event's verdict field (0 allowed, else minus the DROP_* code).
   */
  | { readonly kind: 'policy'; readonly direction: 'ingress' | 'egress'; readonly endpoint: number; readonly remoteId: number; readonly allowed: boolean; readonly match: string; readonly enforced: boolean; readonly deny: boolean; readonly verdict: number; readonly notify: boolean; readonly provenance: readonly Provenance[]; readonly ev: EventMeta }
  /** bpf_lxc's policy enforcement skipped for return traffic (CT_REPLY, CT_RELATED): no lookup, no verdict event. */
  | { readonly kind: 'policy_skip'; readonly direction: 'ingress' | 'egress'; readonly endpoint: number; readonly status: string; readonly why: string }
  | { readonly kind: 'ct'; readonly map: string; readonly dir: 'CT_EGRESS' | 'CT_INGRESS' | 'CT_SERVICE'; readonly tuple: string; readonly result: string; readonly assumed: boolean }
  | { readonly kind: 'ct_create'; readonly map: string; readonly key: string; readonly value: string }
  | { readonly kind: 'rewrite'; readonly field: string; readonly from: string; readonly to: string }
  | { readonly kind: 'encap'; readonly type: 'vxlan' | 'geneve'; readonly vni: number; readonly outerSrc: string; readonly outerDst: string; readonly sport: number; readonly dport: number; readonly ttl: number }
  | { readonly kind: 'decap'; readonly type: 'vxlan' | 'geneve'; readonly vni: number; readonly outerSrc: string; readonly outerDst: string }
  | { readonly kind: 'redirect'; readonly helper: 'redirect_peer' | 'redirect'; readonly ifindex: number; readonly device: string; readonly ingress: boolean }
  | { readonly kind: 'kernel'; readonly op: string; readonly text: string }
  | { readonly kind: 'packet'; readonly label: string; readonly text: string }
  /**
   * `feature`: the release switch (src/cilium/releases/features.ts) that made this step what it
   * is, so an upgrade diff can say which change of Cilium a difference comes from.
   */
  | { readonly kind: 'note'; readonly text: string; readonly feature?: Feature }
  | { readonly kind: 'not_simulated'; readonly text: string; readonly proxy?: ProxyHandoff }
  /** The simulated Envoy's decision on an HTTP request (src/proxy/envoy-http.ts). */
  | { readonly kind: 'l7'; readonly record: L7Record }
  | { readonly kind: 'return'; readonly value: string }
  | { readonly kind: 'drop'; readonly drop: DropInfo; readonly fn: string; readonly file: string; readonly direction: 'ingress' | 'egress' | null; /** the file and function whose send_drop_notify call sent it, and that call's line at the release */ readonly notifier: string; readonly notifierFn: string; readonly notifyLine: number | null; /** false when no drop notification exists (a socket call failing) */ readonly notify: boolean; readonly srcId: number; readonly dstId: number; readonly dstEp: number; readonly ev: EventMeta }
  /** send_trace_sock_notify4 (bpf/lib/trace_sock.h): socket LB's XLATE_PRE/XLATE_POST event. */
  | { readonly kind: 'trace_sock'; readonly point: SockXlatePoint; readonly dst: string; readonly dport: number; readonly proto: 'tcp' | 'udp'; readonly cookie: number; readonly cgroupId: number; readonly node: string; readonly cgroup: SockCgroup }
  /** A cgroup sock_addr program returned SYS_REJECT: the syscall fails with -errno; no packet, no drop event. */
  | { readonly kind: 'refused'; readonly syscall: 'connect' | 'sendmsg'; readonly errno: 'EHOSTUNREACH' | 'ECONNREFUSED'; readonly code: number; readonly fn: string; readonly file: string; /** the ICMP error the datapath answered with (v1.15+ no-backend reject) */ readonly icmp?: string }
  | { readonly kind: 'deliver'; readonly node: string; readonly target: string; readonly ifname: string; readonly via: string; readonly ifindex: number; readonly packet: string };

/** A packet handed to an L7 proxy (a policy entry with a proxy port): where, and the rules it would apply. */
export interface ProxyHandoff {
  /** http, dns, kafka, tls, crd or an l7proto name. */
  readonly parser: string;
  readonly listener: string;
  readonly port: number;
  readonly rules: readonly string[];
  /** Parser http: the rules structured, the direction and the peer, for the simulated Envoy. */
  readonly http?: HttpRuleSet;
  readonly direction?: 'ingress' | 'egress';
  readonly remoteId?: number;
  /** The rules behind the redirect entry (provenance texts). */
  readonly from?: readonly string[];
}

/** What the L7 proxy did with a request: Envoy's access-log record as monitor and Hubble show it. */
export interface L7Record {
  readonly type: 'http' | 'dns';
  /** DNS: the query name (lowercased, trailing dot), its type, the answer the user gave and REFUSED for a denial. */
  readonly dns?: { readonly query: string; readonly qtype: 'A'; readonly rcode: 'NOERROR' | 'REFUSED'; readonly answers: readonly string[]; readonly proto: 'udp' | 'tcp' };
  readonly direction: 'ingress' | 'egress';
  readonly verdict: 'FORWARDED' | 'DENIED';
  /** 403 for a denied request; 0 for a forwarded one (the response is not simulated). */
  readonly code: number;
  readonly method: string;
  readonly url: string;
  readonly host: string;
  readonly path: string;
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly node: string;
  readonly listener: string;
  readonly proxyPort: number;
  /** The identities of the client and the server, and the 5-tuple the proxy saw. */
  readonly srcId: number;
  readonly dstId: number;
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  /** The rule that allowed it ('anything …' for an allow without L7 rules), or the rules that did not match and why. */
  readonly matched: string | null;
  readonly misses: ReadonlyArray<{ readonly rule: string; readonly why: string }>;
  /** For a denial: the smallest rule that would allow the request. */
  readonly proposal: string | null;
  /** The rules behind the redirect entry (provenance texts). */
  readonly from: readonly string[];
}

/** enum xlate_point of bpf/lib/trace_sock.h, forward direction (connect/sendmsg). */
export type SockXlatePoint = 'XLATE_PRE_DIRECTION_FWD' | 'XLATE_POST_DIRECTION_FWD';

/** Whose cgroup made the call: a pod (its IP, as Hubble's cgroup manager knows it) or a host process. */
export type SockCgroup = { readonly kind: 'pod'; readonly ip: string } | { readonly kind: 'host' };

/** NOT_SIMULATED: the path left what cilium-trace simulates; the trace says where and why. */
export interface EndpointView {
  readonly ip: string;
  readonly endpointId: number;
  readonly identity: number;
  readonly namespace: string;
  readonly pod: string;
  readonly labels: readonly string[];
  readonly node: string;
}

/** A Service frontend address as the agent's service manager knows it (svcByHash: address, port). */
export interface ServiceView {
  readonly ip: string;
  readonly port: number;
  readonly namespace: string;
  readonly name: string;
  /** The node whose agent has it (a NodePort on that node's address); null: every node (a ClusterIP). */
  readonly node: string | null;
}

export type Verdict = 'FORWARDED' | 'DROPPED' | 'NOT_SIMULATED';

export interface TraceResult {
  readonly schema: 'cilium-trace/trace/v1';
  readonly packet: PacketSummary;
  readonly context: TraceContext;
  readonly hops: readonly TraceNode[];
  readonly verdict: Verdict;
  readonly drop: (DropInfo & { readonly fn: string; readonly file: string; readonly node: string; readonly direction: 'ingress' | 'egress' | null }) | null;
  readonly notSimulated: { readonly node: string; readonly text: string; readonly proxy?: ProxyHandoff } | null;
  /** DROPPED without a packet: a socket call bpf_sock refused (no drop reason exists for it). */
  readonly refused: { readonly syscall: 'connect' | 'sendmsg'; readonly errno: 'EHOSTUNREACH' | 'ECONNREFUSED'; readonly code: number; readonly fn: string; readonly file: string; readonly node: string; readonly icmp?: string } | null;
  /** What the cluster knows of each address the events mention (Hubble's endpoint view). */
  readonly endpoints: readonly EndpointView[];
  /** The Services' frontend addresses (Hubble's ServiceGetter view), built on first read. */
  readonly services: readonly ServiceView[];
  /** Hubble's IPGetter.LookupSecIDByIP on `node`: that node's ipcache, longest prefix (always down to /0). */
  identityOf(node: string, ip: string): number | undefined;
  /** Hubble's IdentityGetter: the identity's labels (sorted), undefined for an id never allocated (0). */
  labelsOf(id: number): readonly string[] | undefined;
  /** For policy drops: why, and the smallest policy that would allow the flow. */
  readonly explanation: PolicyExplanation | null;
  readonly delivered: { readonly node: string; readonly target: string; readonly via: string; readonly ifindex: number } | null;
  /** The L7 proxy's decision when the trace went through one (an HTTP request given with --http). */
  readonly l7?: L7Record;
}

export interface Peer {
  readonly ip: string;
  readonly node: string | null;
  readonly pod: string | null; // namespace/name
  readonly identity: number | null;
  readonly service: string | null; // namespace/name when the address is a Service's ClusterIP
}

export interface PacketSummary {
  readonly proto: 'icmp' | 'tcp' | 'udp';
  readonly src: Peer;
  readonly dst: Peer;
  readonly sport: number | null;
  readonly dport: number | null;
  readonly icmpType: number | null;
}

export interface TraceContext {
  readonly cluster: string;
  readonly profile: string;
  /** The release the profile models: v1.13.0. */
  readonly cilium: string;
  /** Why this profile: "cluster.cilium \"1.13\"", "--cilium 1.18", "newest, no version given". */
  readonly profileWhy: string;
  readonly routing: string; // "tunnel vxlan:8472" or "native"
  readonly hostRouting: 'BPF' | 'legacy';
  readonly socketLb: boolean;
  readonly notes: readonly string[]; // assumptions marked as such
  /** Where each datapath setting came from (cilium-config, the release's defaults), when not a Scenario's. */
  readonly settings?: ReadonlyArray<{ readonly value: string; readonly from: string }>;
}
