// cilium_policy_<EPID5>: one per endpoint, the policy verdicts the datapath looks up.
// Mirrors pkg/maps/policymap/policymap.go and bpf/lib/policy.h of v1.13: a HASH map keyed
// {sec_label, dport, protocol, egress} with value {proxy_port, deny, packets, bytes}; the
// datapath probes fixed key shapes in order (bpf/lib/policy.h __policy_can_access).
// Dump format: cilium/cmd/bpf_policy_get.go. Left out: IPv6. An entry that redirects to the
// proxy carries its proxy port, as in v1.13.0; what the proxy then does is not simulated.
import type { Provenance } from './provenance.js';
import { tabwrite } from './tabwriter.js';

export type TrafficDirection = 'ingress' | 'egress';

export interface PolicyKey {
  readonly identity: number;
  readonly dport: number; // host order; for ICMP the type (ENABLE_ICMP_RULE)
  readonly proto: number; // IP protocol number, 0 = any
  readonly direction: TrafficDirection;
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
}

export const PROTO_NAMES: Readonly<Record<number, string>> = { 0: 'ANY', 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' };

export function policyMapName(epid: number): string {
  return `cilium_policy_${String(epid).padStart(5, '0')}`;
}

function keyId(k: PolicyKey): string {
  return `${k.identity}/${k.dport}/${k.proto}/${k.direction}`;
}

export function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? String(proto);
}

/** PORT/PROTO cell: ANY for port 0 unless ICMP, else <port>/<PROTO>. */
export function formatPortProto(k: Pick<PolicyKey, 'dport' | 'proto'>): string {
  if (k.dport === 0 && k.proto !== 1 && k.proto !== 58) return 'ANY';
  return `${k.dport}/${protoName(k.proto)}`;
}

/** A key's port and protocol in words (not the CLI's cell, which prints ANY for any port 0 but ICMP's). */
export function describePolicyPort(k: Pick<PolicyKey, 'dport' | 'proto'>): string {
  if (k.proto === 0) return 'any port';
  if (k.proto === 1) return `icmp type ${k.dport}`;
  return k.dport === 0 ? `any ${protoName(k.proto)} port` : `${k.dport}/${protoName(k.proto)}`;
}

/** The key as the trace shows it: {identity, dport, proto, direction}. */
export function formatPolicyKey(k: PolicyKey): string {
  return `{identity=${k.identity} dport=${k.dport} proto=${protoName(k.proto)} ${k.direction}}`;
}

export function formatPolicyEntry(e: PolicyEntry): string {
  return `${e.deny ? 'Deny' : 'Allow'} proxy_port=${e.proxyPort === 0 ? 'NONE' : e.proxyPort}`;
}

export class PolicyMap {
  readonly name: string;
  private readonly byKey = new Map<string, { key: PolicyKey; entry: PolicyEntry }>();
  /** Rules the agent resolves at run time (not map entries): see PendingPeer. */
  pending: readonly PendingPeer[] = [];

  constructor(readonly endpointId: number) {
    this.name = policyMapName(endpointId);
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
      a.key.identity - b.key.identity || a.key.dport - b.key.dport || a.key.proto - b.key.proto);
  }

  /**
   * `cilium bpf policy get <EPID>`. `labelsOf` plays the agent's identity API: it returns the
   * sorted `source:key=value` labels of an identity, or undefined if unknown (the id is printed).
   */
  dump(labelsOf: (id: number) => readonly string[] | undefined): string {
    const rows = this.sortedEntries();
    let text = 'POLICY\tDIRECTION\tLABELS (source:key[=value])\tPORT/PROTO\tPROXY PORT\tBYTES\tPACKETS\t\n';
    // bpf_policy_get.go flushes the header, then adds this line when there were no entries.
    if (rows.length === 0) return tabwrite(text) + 'Policy stats empty. Perhaps the policy enforcement is disabled?\n';
    for (const { key, entry } of rows) {
      const policy = entry.deny ? 'Deny' : 'Allow';
      const dir = key.direction === 'ingress' ? 'Ingress' : 'Egress';
      const port = formatPortProto(key);
      const proxy = entry.proxyPort === 0 ? 'NONE' : String(entry.proxyPort);
      const labels = labelsOf(key.identity);
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
}
