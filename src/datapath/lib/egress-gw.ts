// The egress gateway step of handle_ipv4_from_lxc (bpf/bpf_lxc.c:1003-1027, ENABLE_EGRESS_GATEWAY)
// and bpf/lib/egress_policies.h of v1.13.0: traffic to a destination outside the cluster that
// a CiliumEgressGatewayPolicy selects is encapsulated to the gateway node (or, when this node
// is the gateway, SNATed to the egress IP on the way out). The gateway's part is not
// simulated: a hit in cilium_egress_gw_policy_v4 ends the trace, naming the policy.
import { formatEgressEntry, formatEgressKey, EGRESS_POLICY_MAP, type EgressGwEntry } from '../../maps/egressmap.js';
import { WORLD_ID } from '../../cilium/identities.js';
import type { Ipv4 } from '../../net/ip.js';
import { unsimulated, type Ctx, type Ret } from '../context.js';

const H13 = 'bpf/lib/egress_policies.h';

/** bpf/lib/egress_policies.h at v1.13.0, bpf/lib/egress_gateway.h at v1.16.15 and v1.18.3 (the bpf-index says which). */
function egressFile(ctx: Ctx): string {
  return ctx.cluster.release.site(H13, 'egress_gw_request_needs_redirect') !== undefined ? H13 : 'bpf/lib/egress_gateway.h';
}

/** identity_is_cluster (bpf/lib/identity.h): not world and not a CIDR identity. */
function identityIsCluster(ctx: Ctx, id: number): boolean {
  return ctx.tb.frame('identity_is_cluster', 'bpf/lib/identity.h', () => id !== WORLD_ID && id < 1 << 24);
}

function lookupIp4EgressGwPolicy(ctx: Ctx, saddr: Ipv4, daddr: Ipv4): EgressGwEntry | undefined {
  return ctx.tb.frame('lookup_ip4_egress_gw_policy', egressFile(ctx), () => {
    const e = ctx.node.maps.egressGw?.lookup(saddr, daddr);
    ctx.tb.add({ kind: 'lookup', map: EGRESS_POLICY_MAP, key: formatEgressKey(saddr, daddr), result: e ? formatEgressEntry(e) : null, ...(e ? { provenance: [e.provenance] } : { note: 'no egress gateway policy for this source and destination' }) });
    return e;
  });
}

/** The egress gateway block: undefined to go on as usual, else the end of the trace. */
export function egressGwRequestNeedsRedirect(ctx: Ctx, dstId: number): Ret | undefined {
  if (identityIsCluster(ctx, dstId)) {
    ctx.tb.add({ kind: 'note', text: `identity ${dstId} is inside the cluster: goto skip_egress_gateway` });
    return undefined;
  }
  return ctx.tb.frame('egress_gw_request_needs_redirect', egressFile(ctx), () => {
    const e = lookupIp4EgressGwPolicy(ctx, ctx.pkt.src, ctx.pkt.dst);
    if (!e) return undefined;
    return unsimulated(e.effect);
  });
}
