// Policy enforcement of bpf/lib/policy.h (v1.13, HASH policy map): __policy_can_access probes
// fixed key shapes in order and takes the first hit:
//   1 {id, dport, proto} L3-L4 · 2 {0, dport, proto} L4-Only · 3 {0, 0, proto} L4-Only
//   4 {id, 0, 0} L3-Only · 5 {0, 0, 0} all; else DROP_POLICY.
// A deny entry returns DROP_POLICY_DENY. Steps 1–3 are skipped for untracked fragments
// (not simulated: packets here are never fragments). Left out: proxy redirects, audit mode.
import { formatPolicyEntry, formatPolicyKey, type PolicyKey, type TrafficDirection } from '../../maps/policymap.js';
import type { Provenance } from '../../maps/provenance.js';
import { ipProto, policyPort } from '../../net/packet.js';
import { drop, CTX_ACT_OK, type Ctx, type Ret } from '../context.js';

export type MatchType = 'L3-L4' | 'L4-Only' | 'L3-Only' | 'all' | 'none';

export interface PolicyVerdict {
  readonly ret: Ret;
  readonly match: MatchType;
  readonly provenance: readonly Provenance[];
}

export function policyCanAccess(ctx: Ctx, mapName: string, direction: TrafficDirection, remoteId: number, fn: string): PolicyVerdict {
  return ctx.tb.frame(fn, 'bpf/lib/policy.h', () => {
    const map = ctx.node.maps.policy.get(mapName);
    const dport = policyPort(ctx.pkt);
    const proto = ipProto(ctx.pkt);
    const probes: Array<[PolicyKey, MatchType]> = [
      [{ identity: remoteId, dport, proto, direction }, 'L3-L4'],
      [{ identity: 0, dport, proto, direction }, 'L4-Only'],
      [{ identity: 0, dport: 0, proto, direction }, 'L4-Only'],
      [{ identity: remoteId, dport: 0, proto: 0, direction }, 'L3-Only'],
      [{ identity: 0, dport: 0, proto: 0, direction }, 'all'],
    ];
    for (const [key, match] of probes) {
      const entry = map?.lookup(key);
      ctx.tb.add({ kind: 'lookup', map: mapName, key: formatPolicyKey(key), result: entry ? formatPolicyEntry(entry) : null, ...(entry ? { provenance: entry.provenance, note: `match ${match}` } : {}) });
      if (entry) return { ret: entry.deny ? drop('DROP_POLICY_DENY', fn, 'bpf/lib/policy.h') : CTX_ACT_OK, match, provenance: entry.provenance };
    }
    return { ret: drop('DROP_POLICY', fn, 'bpf/lib/policy.h'), match: 'none', provenance: [] };
  });
}
