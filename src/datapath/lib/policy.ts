// Policy enforcement of bpf/lib/policy.h (v1.13.0, HASH policy map): __policy_can_access
// probes six key shapes in order and takes the first hit (match types of bpf/lib/common.h
// POLICY_MATCH_*, named as pkg/monitor/api/types.go prints them):
//   1 {id, dport, proto} L3-L4 · 2 {0, dport, proto} L4-Only · 3 {id, 0, proto} L3-Proto
//   4 {0, 0, proto} Proto-Only · 5 {id, 0, 0} L3-Only · 6 {0, 0, 0} all; else DROP_POLICY.
// A deny entry returns DROP_POLICY_DENY. With ENABLE_ICMP_RULE (always defined by the agent)
// the ICMP type is the key's port. Left out: untracked fragments (probes 1-2 skipped,
// DROP_FRAG_NOSUPPORT on a miss; packets here are never fragments), ALLOW_ICMP_FRAG_NEEDED
// (no ICMP errors are traced), the CB_POLICY skip after a miss (cb[CB_POLICY] is 0 on every
// path traced: ipv4_policy and cil_from_container clear it), auth_type (no mutual auth),
// audit mode, the entries' packet/byte counters. An entry with a proxy port is a redirect:
// the caller sends the packet to the proxy (ctx_redirect_to_proxy4), where the simulation ends.
// Rules the agent resolves at run time (toFQDNs, …) have no entries: their map's `pending`
// list lets a miss (or an allow, for a deny) toward a peer outside the cluster say so.
import { describePolicyPort, formatPolicyEntry, pendingCovers, formatPolicyKey, LPM_FULL_PREFIX_BITS, LPM_PROTO_PREFIX_BITS, type PendingPeer, type PolicyEntry, type PolicyKey, type PolicyMap, type ProxyRedirect, type TrafficDirection } from '../../maps/policymap.js';
import { WORLD_ID } from '../../cilium/identities.js';
import type { CiliumRelease } from '../../cilium/releases/release.js';
import { provenanceText, type Provenance } from '../../maps/provenance.js';
import { ipProto, policyPort } from '../../net/packet.js';
import { formatIpv4 } from '../../net/ip.js';
import { drop, unsimulated, CTX_ACT_OK, type Ctx, type Ret } from '../context.js';

export type MatchType = 'L3-L4' | 'L4-Only' | 'L3-Proto' | 'Proto-Only' | 'L3-Only' | 'all' | 'none';

/** The probes in __policy_can_access order: which key fields keep the packet's value. */
export const POLICY_PROBES: ReadonlyArray<{ readonly id: boolean; readonly port: boolean; readonly proto: boolean; readonly match: Exclude<MatchType, 'none'> }> = [
  { id: true, port: true, proto: true, match: 'L3-L4' },
  { id: false, port: true, proto: true, match: 'L4-Only' },
  { id: true, port: false, proto: true, match: 'L3-Proto' },
  { id: false, port: false, proto: true, match: 'Proto-Only' },
  { id: true, port: false, proto: false, match: 'L3-Only' },
  { id: false, port: false, proto: false, match: 'all' },
];

/** The match type the datapath reports when this map key is the one that hits. */
export function matchTypeOfKey(k: Pick<PolicyKey, 'identity' | 'dport' | 'proto' | 'prefixLen'>, release?: CiliumRelease): Exclude<MatchType, 'none'> {
  if (k.prefixLen !== undefined) {
    // LPM: by prefix length (policy.h@1.16.15:114-142, @1.18.3:243-257).
    const p = k.prefixLen;
    if (k.identity === 0) return p === 0 ? 'all' : p <= LPM_PROTO_PREFIX_BITS ? 'Proto-Only' : 'L4-Only';
    const full = release && !release.has('policy-deny-first') ? p === LPM_FULL_PREFIX_BITS : p > LPM_PROTO_PREFIX_BITS;
    return full ? 'L3-L4' : p > 0 ? 'L3-Proto' : 'L3-Only';
  }
  if (k.proto === 0) return k.identity === 0 ? 'all' : 'L3-Only';
  if (k.dport === 0) return k.identity === 0 ? 'Proto-Only' : 'L3-Proto';
  return k.identity === 0 ? 'L4-Only' : 'L3-L4';
}

export interface PolicyVerdict {
  readonly ret: Ret;
  readonly match: MatchType;
  readonly provenance: readonly Provenance[];
  /** The entry's proxy port (0: none) and where it redirects; the key that hit. */
  readonly proxyPort: number;
  readonly redirect?: ProxyRedirect;
  readonly key?: PolicyKey;
}

export function policyCanAccess(ctx: Ctx, mapName: string, direction: TrafficDirection, remoteId: number, fn: string): PolicyVerdict {
  const name = releaseName(ctx, fn);
  return ctx.tb.frame(name, 'bpf/lib/policy.h', () => policyLookup(ctx, mapName, direction, remoteId, name));
}

/** policy_can_access_ingress (v1.13) is policy_can_ingress4 from v1.14 (policy.h@1.16.15:222, @1.18.3:320). */
function releaseName(ctx: Ctx, fn: string): string {
  const r = ctx.cluster.release;
  if (fn === 'policy_can_access_ingress' && r.site('bpf/lib/policy.h', fn) === undefined && r.site('bpf/lib/policy.h', 'policy_can_ingress4') !== undefined) return 'policy_can_ingress4';
  return fn;
}

/**
 * policy_can_egress4 → policy_can_egress: under HAVE_ENCAP a pod may not send to the tunnel
 * port (is_encap), checked before __policy_can_access, so only where policy is looked up.
 */
export function policyCanEgress4(ctx: Ctx, mapName: string, remoteId: number): PolicyVerdict {
  return ctx.tb.frame('policy_can_egress4', 'bpf/lib/policy.h', () => {
    const p = ctx.pkt;
    if (ctx.node.config.tunnelMode && p.l4.proto === 'udp' && p.l4.dport === ctx.node.config.tunnelPort) {
      ctx.tb.add({ kind: 'note', text: `is_encap: pod traffic to UDP ${ctx.node.config.tunnelPort} (TUNNEL_PORT) is prohibited` });
      return { ret: drop('DROP_ENCAP_PROHIBITED', 'policy_can_egress', 'bpf/lib/policy.h'), match: 'none', provenance: [], proxyPort: 0 };
    }
    return policyLookup(ctx, mapName, 'egress', remoteId, 'policy_can_egress4');
  });
}

function policyLookup(ctx: Ctx, mapName: string, direction: TrafficDirection, remoteId: number, fn: string): PolicyVerdict {
  const map = ctx.node.maps.policy.get(mapName);
  const dport = policyPort(ctx.pkt);
  const proto = ipProto(ctx.pkt);
  if (ctx.cluster.release.has('policy-lpm')) {
    return ctx.tb.frame('__policy_can_access', 'bpf/lib/policy.h', () => lpmLookup(ctx, map, mapName, direction, remoteId, dport, proto, fn));
  }
  for (const probe of POLICY_PROBES) {
    const key: PolicyKey = { identity: probe.id ? remoteId : 0, dport: probe.port ? dport : 0, proto: probe.proto ? proto : 0, direction };
    const entry = map?.lookup(key);
    ctx.tb.add({ kind: 'lookup', map: mapName, key: formatPolicyKey(key), result: entry ? formatPolicyEntry(entry) : null, ...(entry ? { provenance: entry.provenance, note: `match ${probe.match}` } : {}) });
    if (!entry) continue;
    if (entry.deny) return { ret: drop('DROP_POLICY_DENY', fn, 'bpf/lib/policy.h'), match: probe.match, provenance: entry.provenance, proxyPort: 0, key };
    const pendingDeny = pendingFor(map?.pending, direction, remoteId, dport, proto, true);
    if (pendingDeny) return { ret: unsimulated(pendingText(pendingDeny, remoteId, dport, proto, 'deny')), match: probe.match, provenance: entry.provenance, proxyPort: 0, key };
    return { ret: CTX_ACT_OK, match: probe.match, provenance: entry.provenance, proxyPort: entry.proxyPort, ...(entry.redirect ? { redirect: entry.redirect } : {}), key };
  }
  return missVerdict(ctx, map, direction, remoteId, dport, proto, fn);
}

/** No entry matched: a peer learnt at run time may explain it, else DROP_POLICY. */
function missVerdict(ctx: Ctx, map: PolicyMap | undefined, direction: TrafficDirection, remoteId: number, dport: number, proto: number, fn: string): PolicyVerdict {
  const pending = pendingFor(map?.pending, direction, remoteId, dport, proto, false);
  if (pending) return { ret: unsimulated(pendingText(pending, remoteId, dport, proto, 'allow')), match: 'none', provenance: [pending.provenance], proxyPort: 0 };
  const fqdn = pendingFor(map?.pending, direction, remoteId, dport, proto, false, true);
  if (fqdn) {
    const hasDnsRule = map?.entries().some((e) => e.entry.redirect?.parser === 'dns') === true;
    const ip = formatIpv4(direction === 'egress' ? ctx.pkt.dst : ctx.pkt.src);
    ctx.tb.add({ kind: 'note', text: `${fqdn.what} allows ${describePolicyPort({ dport, proto })} only toward the addresses of DNS answers the DNS proxy has seen for names it matches; ${ip} has no such identity on this node (identity ${remoteId}), so no entry exists for it` });
    ctx.tb.add({ kind: 'note', text: hasDnsRule ? `no lookup of this trace gave ${ip} (a trace sees only the lookups it makes; the agent's DNS cache starts empty): give the name as DST (SRC NAME ${describePolicyPort({ dport, proto }).replace(/^(\d+)\/(\w+)$/, (_m, p: string, q: string) => `${q.toLowerCase()}/${p}`)}) to trace its lookup first` : FORGOT_DNS });
  }
  return { ret: drop('DROP_POLICY', fn, 'bpf/lib/policy.h'), match: 'none', provenance: [], proxyPort: 0 };
}

type Hit = { key: PolicyKey; entry: PolicyEntry } | undefined;

/**
 * __policy_can_access on the LPM trie (v1.14+): two lookups with the full key, first with the
 * peer's identity (L3), then with identity 0 (L4-only); the trie returns the longest prefix of
 * each. Which one decides is the release's rule of precedence:
 *  * v1.16.15 (policy.h@7513067408:109-155): an L3 hit of full prefix (24) is L3-L4; else the
 *    L4-only hit if there is no L3 hit or its lpm_prefix_length is longer; else the L3 hit.
 *    The entry chosen then decides (a deny drops, __account_and_check).
 *  * v1.18.3 (policy.h@c160168901:202-258, the 1.17 algorithm): an L3 deny wins at once; else
 *    the L4-only hit if it is a deny, or there is no L3 hit, or its proxy_port_priority is
 *    higher, or equal with a longer lpm_prefix_length; else the L3 hit (__policy_check).
 * Left out as in v1.13: untracked fragments, auth types, accounting; v1.16's CB_POLICY
 * fallback after two misses (cb[CB_POLICY] is 0 on every path traced). No listener priority
 * differs here: every redirect of one port goes to one listener, so priorities are equal.
 */
function lpmLookup(ctx: Ctx, map: PolicyMap | undefined, mapName: string, direction: TrafficDirection, remoteId: number, dport: number, proto: number, fn: string): PolicyVerdict {
  const r = ctx.cluster.release;
  const v118 = r.has('policy-deny-first');
  const full: PolicyKey = { identity: remoteId, dport, proto, direction, prefixLen: LPM_FULL_PREFIX_BITS };
  const show = (key: PolicyKey, hit: Hit, what: string) =>
    ctx.tb.add({ kind: 'lookup', map: mapName, key: formatPolicyKey(key), result: hit ? `${formatPolicyKey(hit.key)}: ${formatPolicyEntry(hit.entry, hit.key)}` : null, ...(hit ? { provenance: hit.entry.provenance } : {}), note: what });
  const l3: Hit = map?.lookupLpm(remoteId, direction, proto, dport);
  show(full, l3, 'L3 lookup: exact identity, longest prefix of protocol and port');
  const plen = (h: NonNullable<Hit>) => h.key.prefixLen ?? 0;
  const l3Match = (h: NonNullable<Hit>): Exclude<MatchType, 'none'> => (v118 ? (plen(h) > LPM_PROTO_PREFIX_BITS ? 'L3-L4' : plen(h) > 0 ? 'L3-Proto' : 'L3-Only') : plen(h) === LPM_FULL_PREFIX_BITS ? 'L3-L4' : plen(h) > 0 ? 'L3-Proto' : 'L3-Only');
  const l4Match = (h: NonNullable<Hit>): Exclude<MatchType, 'none'> => (plen(h) === 0 ? 'all' : plen(h) <= LPM_PROTO_PREFIX_BITS ? 'Proto-Only' : 'L4-Only');
  const why = (text: string) => ctx.tb.add({ kind: 'note', text, feature: v118 ? 'policy-deny-first' : 'policy-lpm-prefix-length' });
  if (v118 && l3?.entry.deny) {
    why(`the L3 entry is a deny: it wins at once, no L4-only lookup (policy.h:205-209)`);
    return verdictOf(ctx, map, direction, remoteId, dport, proto, l3, l3Match(l3), fn);
  }
  if (!v118 && l3 && plen(l3) === LPM_FULL_PREFIX_BITS) {
    why(`lpm_prefix_length ${LPM_FULL_PREFIX_BITS} = LPM_FULL_PREFIX_BITS: a full L3/L4 match, no L4-only lookup (policy.h:114-119)`);
    return verdictOf(ctx, map, direction, remoteId, dport, proto, l3, 'L3-L4', fn);
  }
  const l4: Hit = map?.lookupLpm(0, direction, proto, dport);
  show({ ...full, identity: 0 }, l4, 'L4-only lookup: identity 0, longest prefix of protocol and port');
  if (l4) {
    let reason: string | undefined;
    if (!l3) reason = 'no L3 entry matched';
    else if (v118 && l4.entry.deny) reason = 'it is a deny';
    else if (v118 && l4.entry.proxyPort !== 0 && l3.entry.proxyPort === 0) reason = 'it redirects to the proxy and the L3 entry does not (higher proxy_port_priority)';
    else if (plen(l4) > plen(l3) && !(v118 && l3.entry.proxyPort !== 0 && l4.entry.proxyPort === 0)) reason = `its lpm_prefix_length ${plen(l4)} is longer than the L3 entry's ${plen(l3)}`;
    if (reason) {
      why(`the L4-only entry is chosen: ${reason} (policy.h:${v118 ? '221-226' : '129-137'})`);
      return verdictOf(ctx, map, direction, remoteId, dport, proto, l4, l4Match(l4), fn);
    }
  }
  if (l3) {
    why(l4 ? `the L3 entry is chosen: the L4-only entry's lpm_prefix_length ${plen(l4)} is not longer than ${plen(l3)} (policy.h:${v118 ? '228-230' : '139-144'})` : `only the L3 entry matched (policy.h:${v118 ? '228-230' : '139-144'})`);
    return verdictOf(ctx, map, direction, remoteId, dport, proto, l3, l3Match(l3), fn);
  }
  return missVerdict(ctx, map, direction, remoteId, dport, proto, fn);
}

/**
 * The "forgot DNS" mistake: toFQDNs learns addresses only from answers the DNS proxy sees, and
 * the proxy sees a pod's queries only through a port-53 rule with rules.dns (pkg/policy/l4.go
 * createL4Filter: DNS rules make the redirect). The selector cache is shared, so another
 * endpoint's lookups through the proxy could still feed it.
 */
export const FORGOT_DNS = "this endpoint's egress policy has no DNS rule (a port-53 toPorts item with rules.dns), so the DNS proxy never sees its lookups and they give no address to its toFQDNs selectors (another endpoint's lookups through the proxy still could); the rule to add: egress toEndpoints {k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns}, toPorts [{ports: [{port: '53', protocol: ANY}], rules: {dns: [{matchPattern: '*'}]}}]";

function verdictOf(ctx: Ctx, map: PolicyMap | undefined, direction: TrafficDirection, remoteId: number, dport: number, proto: number, hit: NonNullable<Hit>, match: Exclude<MatchType, 'none'>, fn: string): PolicyVerdict {
  const { key, entry } = hit;
  ctx.tb.add({ kind: 'note', text: `match ${match}` });
  const plen = key.prefixLen ?? LPM_FULL_PREFIX_BITS;
  if (plen > LPM_PROTO_PREFIX_BITS && plen < LPM_FULL_PREFIX_BITS) {
    // A port/mask prefix the agent made of an endPort range (PortRangeToMaskedPorts); v1.13.0 has no ranges.
    ctx.tb.add({ kind: 'note', text: `the entry covers ports ${describePolicyPort(key)} (a port prefix of an endPort range)`, feature: 'port-ranges' });
  }
  if (entry.deny) return { ret: drop('DROP_POLICY_DENY', fn, 'bpf/lib/policy.h'), match, provenance: entry.provenance, proxyPort: 0, key };
  const pendingDeny = pendingFor(map?.pending, direction, remoteId, dport, proto, true);
  if (pendingDeny) return { ret: unsimulated(pendingText(pendingDeny, remoteId, dport, proto, 'deny')), match, provenance: entry.provenance, proxyPort: 0, key };
  return { ret: CTX_ACT_OK, match, provenance: entry.provenance, proxyPort: entry.proxyPort, ...(entry.redirect ? { redirect: entry.redirect } : {}), key };
}

/** Peers learnt at run time are addresses outside the cluster: world, or a CIDR identity (local scope). */
function outsideCluster(identity: number): boolean {
  return identity === WORLD_ID || identity >= 1 << 24;
}

/** A peer learnt at run time that covers the packet; `fqdn`: a toFQDNs selector (simulated: see missVerdict). */
function pendingFor(list: readonly PendingPeer[] | undefined, direction: TrafficDirection, remoteId: number, dport: number, proto: number, deny: boolean, fqdn = false): PendingPeer | undefined {
  if (!list || !outsideCluster(remoteId)) return undefined;
  return list.find((p) => (p.fqdn !== undefined) === fqdn && p.direction === direction && p.deny === deny && pendingCovers(p, dport, proto));
}

function pendingText(p: PendingPeer, remoteId: number, dport: number, proto: number, what: 'allow' | 'deny'): string {
  const port = describePolicyPort({ dport, proto });
  const lead = what === 'allow' ? `no ${p.direction} policy entry allows identity ${remoteId} on ${port}` : `an ${p.direction} policy entry allows identity ${remoteId} on ${port}`;
  return `${lead}, but ${p.what} would ${what} it if ${p.why}: the agent learns that at run time, which is not simulated`;
}

const PROXY_NAME: Readonly<Record<string, string>> = { http: 'Envoy', dns: 'the DNS proxy', crd: 'Envoy', tls: 'Envoy' };

/**
 * ctx_redirect_to_proxy4 (bpf/lib/proxy.h): the packet goes to the node's proxy listener
 * (skb->mark MARK_MAGIC_TO_PROXY | port, then TPROXY). Only Envoy's HTTP filter is simulated,
 * and only for a request the probe gives (--http): the engine then runs the proxy hop
 * (src/proxy/envoy-http.ts). Otherwise the trace ends here, naming the entry, the listener and
 * the rules the proxy would apply.
 */
export function ctxRedirectToProxy4(ctx: Ctx, direction: TrafficDirection, remoteId: number, v: PolicyVerdict): Ret {
  return ctx.tb.frame('ctx_redirect_to_proxy4', 'bpf/lib/proxy.h', () => {
    const r = v.redirect;
    const port = v.key ? describePolicyPort(v.key) : 'this port';
    const peer = direction === 'ingress' ? `from identity ${remoteId}` : `to identity ${remoteId}`;
    const proxy = PROXY_NAME[r?.parser ?? ''] ?? `the ${r?.parser ?? 'L7'} proxy (Envoy)`;
    const rules = r ? r.rules.join('; ') : 'its L7 rules';
    const simulated = r?.parser === 'http' && r.http !== undefined;
    const text = `the ${direction} policy entry redirects to the proxy (${port} ${peer}; proxy port ${v.proxyPort}, listener ${r?.listener ?? '?'}); ${proxy} would then apply: ${rules}`;
    const dns = r?.parser === 'dns';
    if (dns && !ctx.opts.dns) ctx.tb.add({ kind: 'note', text: 'the DNS proxy\'s verdict depends on the query: give one with --dns-query NAME (and its answer with --resolve NAME=IP) to simulate the rules.dns' });
    if (simulated && !ctx.opts.http) ctx.tb.add({ kind: 'note', text: "the L7 verdict depends on the request: give one with --http 'METHOD /PATH' (and --header, --host) to simulate Envoy's HTTP rules" });
    // proxy_port is the entry's __be16: the mark holds the port's bytes swapped (0x0200 | be16 << 16).
    const be16 = ((v.proxyPort & 0xff) << 8) | ((v.proxyPort >> 8) & 0xff);
    ctx.tb.add({ kind: 'note', text: `skb->mark 0x${(((be16 << 16) | 0x0200) >>> 0).toString(16).padStart(8, '0')} (MARK_MAGIC_TO_PROXY | proxy_port << 16, the port in network byte order), ctx_change_type(PACKET_HOST), CTX_ACT_OK: the stack's TPROXY rule hands the packet to ${r?.listener ?? 'the proxy'} on port ${v.proxyPort}` });
    return unsimulated(text, r ? { parser: r.parser, listener: r.listener, port: v.proxyPort, rules: r.rules, ...(simulated ? { http: r.http } : {}), ...(simulated || (dns && ctx.opts.dns) ? { direction, remoteId, from: v.provenance.map(provenanceText) } : {}) } : undefined);
  });
}
