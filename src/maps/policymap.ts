// cilium_policy_<EPID5> (cilium_policy_v2_<EPID5> from v1.17): one per endpoint, the policy
// verdicts the datapath looks up. Mirrors pkg/maps/policymap/policymap.go and bpf/lib/policy.h:
//  * v1.13.0: a HASH map keyed {sec_label, dport, protocol, egress} with value {proxy_port,
//    deny, packets, bytes}; the datapath probes fixed key shapes in order.
//  * v1.14+ (v1.16.15, v1.18.3): an LPM trie keyed {prefixlen, sec_label, egress, protocol,
//    dport}; 40 static bits (sec_label, egress) are always matched, then up to 24 bits of
//    protocol (8) and port (16). A key's `prefixLen` is the part after the static bits (0..24),
//    which the entry repeats as lpm_prefix_length (common.h@1.16.4+).
// Dump format: cilium/cmd/bpf_policy_get.go (v1.13), cilium-dbg/cmd/bpf_policy_get.go (v1.16, v1.18).
// Left out: IPv6, auth types (no mutual auth: AUTH TYPE is always `disabled`). An entry that
// redirects to the proxy carries its proxy port; what the proxy then does is not simulated.
import type { HttpRuleSet } from '../proxy/envoy-http.js';
import { V1_13_0, type CiliumRelease } from '../cilium/releases/release.js';
import { policyMapName as releaseMapName } from '../cilium/releases/map-names.js';
import type { Provenance } from './provenance.js';
import { tabwrite } from './tabwriter.js';

/** The endpoint's policy map as the release names it (map-names.ts); v1.13 when none is given. */
export function policyMapName(epid: number, r: CiliumRelease = V1_13_0): string {
  return releaseMapName(r, epid);
}

export type TrafficDirection = 'ingress' | 'egress';

export interface PolicyKey {
  readonly identity: number;
  readonly dport: number; // host order; for ICMP the type (ENABLE_ICMP_RULE)
  readonly proto: number; // IP protocol number, 0 = any
  readonly direction: TrafficDirection;
  /**
   * LPM maps (v1.14+): the prefix length after the 40 static bits, 0 (any protocol), 8 (any
   * port of the protocol), 9..23 (a masked port: part of a port range), 24 (one port). `dport`
   * then holds the masked port. Undefined in the v1.13 HASH map.
   */
  readonly prefixLen?: number;
}

export interface PolicyEntry {
  readonly proxyPort: number;
  readonly deny: boolean;
  readonly packets: number;
  readonly bytes: number;
  /** Every rule that asked for this key (a key can be wanted by several rules). */
  readonly provenance: readonly Provenance[];
  /** With a proxy port: the listener and the L7 rules the proxy would apply (like provenance, never dumped). */
  readonly redirect?: ProxyRedirect;
}

/** Where a redirect entry sends packets and what the proxy would apply there (Envoy, the DNS proxy: not simulated). */
export interface ProxyRedirect {
  /** The L7 parser of the filter (pkg/policy/l4.go createL4Filter): http, dns, kafka, tls, crd or an l7proto name. */
  readonly parser: string;
  /** The proxy listener of the node (pkg/proxy/proxy.go): cilium-http-ingress, cilium-dns-egress, … */
  readonly listener: string;
  /** The rules, as the proxy would apply them: `GET /api/v1/.*`, `matchPattern *`; "anything" for a rule without L7 rules. */
  readonly rules: readonly string[];
  /** Parser http: the rules structured for the simulated Envoy (null: a rule without L7 rules, anything). */
  readonly http?: HttpRuleSet;
}

/**
 * Peers an endpoint's policy names but whose addresses the agent learns only at run time
 * (toFQDNs from DNS answers, toServices, toGroups): they have no entries here. The datapath
 * consults this list (like provenance, never dumped) when its lookup misses (or allows, for
 * a deny) for a peer outside the cluster, to say that such a rule would decide.
 */
export interface PendingPeer {
  readonly direction: TrafficDirection;
  readonly deny: boolean;
  /** Ports it would apply to ({0, 0}: any); port 0 = any port of the protocol. */
  readonly ports: ReadonlyArray<{ readonly port: number; readonly proto: number }>;
  /** `CiliumNetworkPolicy default/x spec egress[1] toFQDNs[0] matchName api.github.com`. */
  readonly what: string;
  /** When it would match: what the agent learns at run time. */
  readonly why: string;
  readonly provenance: Provenance;
  /** A toFQDNs peer (`matchName X`): simulated from the answers a DNS proxy saw, never pending. */
  readonly fqdn?: string;
}

/** Does a peer learnt at run time apply to this port and protocol ({0, 0}: any; port 0: any of the protocol)? */
export function pendingCovers(p: PendingPeer, dport: number, proto: number): boolean {
  return p.ports.some((x) => x.proto === 0 || (x.proto === proto && (x.port === 0 || x.port === dport)));
}

export const PROTO_NAMES: Readonly<Record<number, string>> = { 0: 'ANY', 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' };

function keyId(k: PolicyKey): string {
  return `${k.identity}/${k.dport}/${k.proto}/${k.direction}${k.prefixLen === undefined ? '' : `/${k.prefixLen}`}`;
}

/** Bits of protocol and port after the static prefix (LPM_PROTO_PREFIX_BITS, LPM_FULL_PREFIX_BITS of common.h). */
export const LPM_PROTO_PREFIX_BITS = 8;
export const LPM_FULL_PREFIX_BITS = 24;

/**
 * NewKey (pkg/maps/policymap/policymap.go@1.16.15:312-328): protocol or port set adds the 8
 * protocol bits; a port adds 16 minus the mask's trailing zeros. `mask` 0xffff is one port.
 */
export function lpmKey(identity: number, dport: number, mask: number, proto: number, direction: TrafficDirection): PolicyKey {
  let prefixLen = 0;
  if (proto !== 0 || dport !== 0) {
    prefixLen += LPM_PROTO_PREFIX_BITS;
    if (dport !== 0) prefixLen += 16 - trailingZeros16(mask);
  }
  return { identity, dport: dport & mask, proto, direction, prefixLen };
}

function trailingZeros16(x: number): number {
  if ((x & 0xffff) === 0) return 16;
  let n = 0;
  while (((x >> n) & 1) === 0) n++;
  return n;
}

/** The ports an LPM key covers: [first, last]; every port for prefix ≤ 8. */
export function lpmPortRange(k: Pick<PolicyKey, 'dport' | 'prefixLen'>): [number, number] {
  const p = k.prefixLen ?? LPM_FULL_PREFIX_BITS;
  if (p <= LPM_PROTO_PREFIX_BITS) return [0, 0xffff];
  const span = (1 << (LPM_FULL_PREFIX_BITS - p)) - 1;
  return [k.dport, k.dport + span];
}

/** Does the LPM key `k` match a packet {identity, direction, proto, dport}? */
function lpmMatches(k: PolicyKey, proto: number, dport: number): boolean {
  const p = k.prefixLen ?? LPM_FULL_PREFIX_BITS;
  if (p === 0) return true;
  if (k.proto !== proto) return false;
  if (p <= LPM_PROTO_PREFIX_BITS) return true;
  const [lo, hi] = lpmPortRange(k);
  return dport >= lo && dport <= hi;
}

export function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? String(proto);
}

/**
 * PORT/PROTO cell. HASH (v1.13): ANY for port 0 unless ICMP, else <port>/<PROTO>. LPM: the
 * protocol alone for prefix 0 or 8 (ANY, TCP), a range <first>-<last>/<PROTO> for a masked
 * port, <port>/<PROTO> for a full key (PortProtoString, policymap.go@1.16.15:279-300).
 */
export function formatPortProto(k: Pick<PolicyKey, 'dport' | 'proto' | 'prefixLen'>): string {
  if (k.prefixLen !== undefined) {
    const p = k.prefixLen;
    if (p === 0 || p === LPM_PROTO_PREFIX_BITS) return protoName(k.proto);
    if (p > LPM_PROTO_PREFIX_BITS && p < LPM_FULL_PREFIX_BITS) {
      const [lo, hi] = lpmPortRange(k);
      return `${lo}-${hi}/${protoName(k.proto)}`;
    }
    if (p === LPM_FULL_PREFIX_BITS) return `${k.dport}/${protoName(k.proto)}`;
    return `<INVALID PREFIX LENGTH: ${p}>`;
  }
  if (k.dport === 0 && k.proto !== 1 && k.proto !== 58) return 'ANY';
  return `${k.dport}/${protoName(k.proto)}`;
}

/** A key's port and protocol in words (not the CLI's cell, which prints ANY for any port 0 but ICMP's). */
export function describePolicyPort(k: Pick<PolicyKey, 'dport' | 'proto' | 'prefixLen'>): string {
  if (k.proto === 0) return 'any port';
  if (k.prefixLen !== undefined && k.prefixLen <= LPM_PROTO_PREFIX_BITS) return `any ${protoName(k.proto)} port`;
  if (k.proto === 1) return `icmp type ${k.dport}`;
  if (k.prefixLen !== undefined && k.prefixLen < LPM_FULL_PREFIX_BITS) return formatPortProto(k);
  return k.dport === 0 ? `any ${protoName(k.proto)} port` : `${k.dport}/${protoName(k.proto)}`;
}

/**
 * The key as the trace shows it. HASH: {identity, dport, proto, direction}. LPM: as the CLI
 * prints a key (PolicyKey.String: `Egress: 1234 8080-8095/TCP`) with its prefix length.
 */
export function formatPolicyKey(k: PolicyKey): string {
  if (k.prefixLen !== undefined) return `${k.direction === 'ingress' ? 'Ingress' : 'Egress'}: ${k.identity} ${formatPortProto(k)} (prefix ${k.prefixLen})`;
  return `{identity=${k.identity} dport=${k.dport} proto=${protoName(k.proto)} ${k.direction}}`;
}

export function formatPolicyEntry(e: PolicyEntry, key?: PolicyKey): string {
  const lpm = key?.prefixLen !== undefined ? ` lpm_prefix_length=${key.prefixLen}` : '';
  return `${e.deny ? 'Deny' : 'Allow'} proxy_port=${e.proxyPort === 0 ? 'NONE' : e.proxyPort}${lpm}`;
}

export class PolicyMap {
  readonly name: string;
  private readonly byKey = new Map<string, { key: PolicyKey; entry: PolicyEntry }>();
  /** Rules the agent resolves at run time (not map entries): see PendingPeer. */
  pending: readonly PendingPeer[] = [];

  constructor(readonly endpointId: number, readonly release: CiliumRelease = V1_13_0) {
    this.name = policyMapName(endpointId, release);
  }

  /** LPM trie (v1.14+) rather than HASH. */
  get lpm(): boolean {
    return this.release.has('policy-lpm');
  }

  /**
   * map_lookup_elem on the LPM trie: the entry of this identity and direction whose prefix
   * matches the protocol and port and is the longest.
   */
  lookupLpm(identity: number, direction: TrafficDirection, proto: number, dport: number): { key: PolicyKey; entry: PolicyEntry } | undefined {
    let best: { key: PolicyKey; entry: PolicyEntry } | undefined;
    for (const row of this.byKey.values()) {
      const k = row.key;
      if (k.identity !== identity || k.direction !== direction || !lpmMatches(k, proto, dport)) continue;
      if (!best || (k.prefixLen ?? 0) > (best.key.prefixLen ?? 0)) best = row;
    }
    return best;
  }

  set(key: PolicyKey, entry: PolicyEntry): void {
    this.byKey.set(keyId(key), { key, entry });
  }

  delete(key: PolicyKey): void {
    this.byKey.delete(keyId(key));
  }

  lookup(key: PolicyKey): PolicyEntry | undefined {
    return this.byKey.get(keyId(key))?.entry;
  }

  entries(): Array<{ key: PolicyKey; entry: PolicyEntry }> {
    return [...this.byKey.values()];
  }

  /** PolicyEntriesDump.Less: deny first, then ingress before egress, then identity; then port, proto for stability. */
  sortedEntries(): Array<{ key: PolicyKey; entry: PolicyEntry }> {
    return this.entries().sort((a, b) =>
      Number(b.entry.deny) - Number(a.entry.deny) ||
      Number(a.key.direction === 'egress') - Number(b.key.direction === 'egress') ||
      a.key.identity - b.key.identity || a.key.dport - b.key.dport || a.key.proto - b.key.proto || (a.key.prefixLen ?? 0) - (b.key.prefixLen ?? 0));
  }

  /**
   * `cilium bpf policy get <EPID>`. `labelsOf` plays the agent's identity API: it returns the
   * sorted `source:key=value` labels of an identity, or undefined if unknown (the id is printed).
   */
  dump(labelsOf: (id: number) => readonly string[] | undefined, numeric = false): string {
    // --numeric (-n): identities as numbers, under the title IDENTITY (bpf_policy_get.go printIDs).
    const ids = numeric ? () => undefined : labelsOf;
    const title = numeric ? 'IDENTITY' : 'LABELS (source:key[=value])';
    if (this.lpm) return this.dumpLpm(ids, title);
    const rows = this.sortedEntries();
    let text = `POLICY\tDIRECTION\t${title}\tPORT/PROTO\tPROXY PORT\tBYTES\tPACKETS\t\n`;
    // bpf_policy_get.go flushes the header, then adds this line when there were no entries.
    if (rows.length === 0) return tabwrite(text) + 'Policy stats empty. Perhaps the policy enforcement is disabled?\n';
    for (const { key, entry } of rows) {
      const policy = entry.deny ? 'Deny' : 'Allow';
      const dir = key.direction === 'ingress' ? 'Ingress' : 'Egress';
      const port = formatPortProto(key);
      const proxy = entry.proxyPort === 0 ? 'NONE' : String(entry.proxyPort);
      const labels = ids(key.identity);
      if (!labels || labels.length === 0) {
        text += `${policy}\t${dir}\t${key.identity}\t${port}\t${proxy}\t${entry.bytes}\t${entry.packets}\t\n`;
        continue;
      }
      labels.forEach((lbl, i) => {
        text += i === 0
          ? `${policy}\t${dir}\t${lbl}\t${port}\t${proxy}\t${entry.bytes}\t${entry.packets}\t\n`
          : `\t\t${lbl}\t\t\t\t\t\t\n`; // bpf_policy_get.go writes one empty cell more here
      });
    }
    return tabwrite(text);
  }

  /**
   * cilium-dbg bpf policy get (v1.16.15, v1.18.3): AUTH TYPE after PROXY PORT, PREFIX last
   * (bpf_policy_get.go@1.16.15:145-216). v1.18 prints identity 0's label reserved:unknown as
   * ANY and BYTES/PACKETS as `-` when cilium_policystats has no entry (StatNotAvailable:
   * statsmap.go GetStat, bpf_policy_get.go@1.18.3:198-214); no packet is counted here.
   */
  private dumpLpm(labelsOf: (id: number) => readonly string[] | undefined, title: string): string {
    const rows = this.sortedEntries();
    const v118 = this.release.has('policy-stats-map');
    let text = `POLICY\tDIRECTION\t${title}\tPORT/PROTO\tPROXY PORT\tAUTH TYPE\tBYTES\tPACKETS\tPREFIX\t\n`;
    if (rows.length === 0) return tabwrite(text) + 'Policy stats empty. Perhaps the policy enforcement is disabled?\n';
    for (const { key, entry } of rows) {
      const policy = entry.deny ? 'Deny' : 'Allow';
      const dir = key.direction === 'ingress' ? 'Ingress' : 'Egress';
      const port = formatPortProto(key);
      const proxy = entry.proxyPort === 0 ? 'NONE' : String(entry.proxyPort);
      const bytes = v118 ? '-' : String(entry.bytes);
      const packets = v118 ? '-' : String(entry.packets);
      const tail = `${port}\t${proxy}\tdisabled\t${bytes}\t${packets}\t${key.prefixLen ?? 0}\t\n`;
      const labels = labelsOf(key.identity);
      if (!labels || labels.length === 0) {
        text += `${policy}\t${dir}\t${key.identity}\t${tail}`;
        continue;
      }
      labels.forEach((l, i) => {
        const lbl = v118 && l === 'reserved:unknown' ? 'ANY' : l;
        text += i === 0 ? `${policy}\t${dir}\t${lbl}\t${tail}` : `\t\t${lbl}\t\t\t\t\t\t\t\n`;
      });
    }
    return tabwrite(text);
  }
}
