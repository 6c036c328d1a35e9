// A policy drop traced over a sysdump's real policy map, where the maps computed from the
// objects would allow the flow: the map has drifted from the policy. Adding a policy would
// not help, so the drop explanation says so instead of proposing one.
import type { DesiredEntry } from '../controlplane/policy.js';
import { lpmPortRange, type PolicyMap } from '../maps/policymap.js';
import { provenanceText } from '../maps/provenance.js';

const PROTO = { tcp: 6, udp: 17, icmp: 1 } as const;

/** Was this policy map read from a sysdump (its entries' provenance says so)? */
export function isRealPolicyMap(pm: PolicyMap | undefined): boolean {
  return pm !== undefined && pm.entries().some((e) => e.entry.provenance.some((p) => p.kind === 'sysdump'));
}

/** The computed allow entry that covers the flow (its identity, or any identity), if one does and no deny does. */
export function computedAllow(entries: readonly DesiredEntry[], direction: 'ingress' | 'egress', identity: number, proto: 'tcp' | 'udp' | 'icmp', dport: number): DesiredEntry | undefined {
  const p = PROTO[proto];
  const covers = (e: DesiredEntry): boolean => {
    if (e.key.direction !== direction || (e.key.identity !== identity && e.key.identity !== 0)) return false;
    if (e.key.proto === 0) return true;
    if (e.key.proto !== p) return false;
    if (e.key.prefixLen !== undefined) {
      const [lo, hi] = lpmPortRange(e.key);
      return dport >= lo && dport <= hi;
    }
    return e.key.dport === 0 || e.key.dport === dport;
  };
  const matching = entries.filter(covers);
  if (matching.some((e) => e.deny)) return undefined;
  return matching[0];
}

/** The explanation's lines when the computed policy allows what the real map dropped. */
export function driftLines(allow: DesiredEntry, mapName: string, node: string): string[] {
  return [
    `The maps computed from the objects allow this: ${allow.provenance.map(provenanceText).join('; ')}.`,
    `The real ${mapName} on ${node} (read from the sysdump) has no such entry: the map has drifted from the policy, and adding a policy would not help.`,
    'The agent writes the entry when it regenerates the endpoint; cilium-trace drift -f SYSDUMP lists every entry where the real maps and the objects disagree.',
  ];
}
