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
// proxy ports (no L7), audit mode, the entries' packet/byte counters.
import { formatPolicyEntry, formatPolicyKey, type PolicyKey, type TrafficDirection } from '../../maps/policymap.js';
import type { Provenance } from '../../maps/provenance.js';
import { ipProto, policyPort } from '../../net/packet.js';
import { drop, CTX_ACT_OK, type Ctx, type Ret } from '../context.js';

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
export function matchTypeOfKey(k: Pick<PolicyKey, 'identity' | 'dport' | 'proto'>): Exclude<MatchType, 'none'> {
  if (k.proto === 0) return k.identity === 0 ? 'all' : 'L3-Only';
  if (k.dport === 0) return k.identity === 0 ? 'Proto-Only' : 'L3-Proto';
  return k.identity === 0 ? 'L4-Only' : 'L3-L4';
}

export interface PolicyVerdict {
  readonly ret: Ret;
  readonly match: MatchType;
  readonly provenance: readonly Provenance[];
}

export function policyCanAccess(ctx: Ctx, mapName: string, direction: TrafficDirection, remoteId: number, fn: string): PolicyVerdict {
  return ctx.tb.frame(fn, 'bpf/lib/policy.h', () => policyLookup(ctx, mapName, direction, remoteId, fn));
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
      return { ret: drop('DROP_ENCAP_PROHIBITED', 'policy_can_egress', 'bpf/lib/policy.h'), match: 'none', provenance: [] };
    }
    return policyLookup(ctx, mapName, 'egress', remoteId, 'policy_can_egress4');
  });
}

function policyLookup(ctx: Ctx, mapName: string, direction: TrafficDirection, remoteId: number, fn: string): PolicyVerdict {
  const map = ctx.node.maps.policy.get(mapName);
  const dport = policyPort(ctx.pkt);
  const proto = ipProto(ctx.pkt);
  for (const probe of POLICY_PROBES) {
    const key: PolicyKey = { identity: probe.id ? remoteId : 0, dport: probe.port ? dport : 0, proto: probe.proto ? proto : 0, direction };
    const entry = map?.lookup(key);
    ctx.tb.add({ kind: 'lookup', map: mapName, key: formatPolicyKey(key), result: entry ? formatPolicyEntry(entry) : null, ...(entry ? { provenance: entry.provenance, note: `match ${probe.match}` } : {}) });
    if (entry) return { ret: entry.deny ? drop('DROP_POLICY_DENY', fn, 'bpf/lib/policy.h') : CTX_ACT_OK, match: probe.match, provenance: entry.provenance };
  }
  return { ret: drop('DROP_POLICY', fn, 'bpf/lib/policy.h'), match: 'none', provenance: [] };
}
