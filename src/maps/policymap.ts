// cilium_policy_<EPID5>: one per endpoint, the policy verdicts the datapath looks up.
// Mirrors pkg/maps/policymap/policymap.go and bpf/lib/policy.h of v1.13: a HASH map keyed
// {sec_label, dport, protocol, egress} with value {proxy_port, deny, packets, bytes}; the
// datapath probes fixed key shapes in order (bpf/lib/policy.h __policy_can_access).
// Dump format: cilium/cmd/bpf_policy_get.go. Left out: IPv6, proxy redirects (no L7 yet).
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
