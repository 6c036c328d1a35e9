// One end's policy verdict over every port, by running the datapath's own lookup
// (policy_can_egress4 / policy_can_access_ingress of src/datapath/lib/policy.ts: the v1.13
// HASH probes or the LPM rule of precedence of the release) on a packet per port interval.
// The verdict can only change where a map entry's port range starts or ends (and, for
// egress in tunnel mode, at the tunnel port, which is_encap refuses), so the lookup runs
// once per interval between those points, not once per port.
import type { Ctx } from '../datapath/context.js';
import { policyCanAccess, policyCanEgress4 } from '../datapath/lib/policy.js';
import { lpmPortRange, LPM_PROTO_PREFIX_BITS, type PolicyMap, type TrafficDirection } from '../maps/policymap.js';
import type { ClusterDatapath, NodeDatapath } from '../node-state/node.js';
import type { Packet } from '../net/packet.js';
import { TraceBuilder } from '../trace/builder.js';
import { DOMAIN, PROTO_NUMBER, SET_PROTOS, type SetProto } from './ports-set.js';

/** 0: dropped (a deny, a miss, DROP_ENCAP_PROHIBITED, or decided at run time), 1: allowed, 2: allowed through the proxy. */
export type PortVerdict = 0 | 1 | 2;

export interface Segment {
  readonly lo: number;
  readonly hi: number;
  readonly v: PortVerdict;
}

/** The verdict over each protocol's whole domain, as segments in port order. */
export type DirectionVerdict = Readonly<Record<SetProto, readonly Segment[]>>;

export const ALLOW_ALL: DirectionVerdict = { TCP: [{ lo: 1, hi: 65535, v: 1 }], UDP: [{ lo: 1, hi: 65535, v: 1 }], ICMP: [{ lo: 0, hi: 255, v: 1 }] };

/** The lookup without its trace: the same code, its nodes dropped (only the verdict is wanted). */
class SilentBuilder extends TraceBuilder {
  override add(): void {}
  override frame<T>(_fn: string, _file: string, body: () => T): T {
    return body();
  }
}

function packetFor(proto: SetProto, port: number): Packet {
  const l4: Packet['l4'] = proto === 'ICMP' ? { proto: 'icmp', type: port, code: 0, id: 0 } : proto === 'TCP' ? { proto: 'tcp', sport: 43210, dport: port, flags: 'SYN' } : { proto: 'udp', sport: 43210, dport: port };
  return { l4 } as Packet; // the policy lookup reads only the L4 header
}

/** The points where the verdict may change, in the domain, sorted: every entry's first port and the port after its last. */
function breakpoints(map: PolicyMap | undefined, node: NodeDatapath, direction: TrafficDirection, remote: number, proto: SetProto): number[] {
  const [lo, hi] = DOMAIN[proto];
  const pts = new Set<number>([lo]);
  const add = (a: number, b: number) => {
    pts.add(a);
    pts.add(b + 1);
  };
  const p = PROTO_NUMBER[proto];
  for (const { key } of map?.entries() ?? []) {
    if (key.direction !== direction || key.proto !== p || (key.identity !== remote && key.identity !== 0)) continue;
    if (key.prefixLen !== undefined) {
      if (key.prefixLen > LPM_PROTO_PREFIX_BITS) add(...lpmPortRange(key));
    } else if (key.dport !== 0 || proto === 'ICMP') add(key.dport, key.dport); // HASH: one port (ICMP type 0 is a type)
  }
  if (direction === 'egress' && proto === 'UDP' && node.config.tunnelMode) add(node.config.tunnelPort, node.config.tunnelPort);
  return [...pts].filter((x) => x >= lo && x <= hi).sort((a, b) => a - b);
}

/**
 * The verdict of `map` (the policy map of an endpoint on `node`) for packets from (ingress)
 * or to (egress) identity `remote`, over every port of TCP, UDP and ICMP.
 */
export function directionVerdict(dp: ClusterDatapath, node: NodeDatapath, map: PolicyMap | undefined, mapName: string, direction: TrafficDirection, remote: number): DirectionVerdict {
  const tb = new SilentBuilder(dp.release);
  const ctx = { cluster: dp, node, tb, opts: {}, pkt: packetFor('TCP', 1), ifindex: 0, cb: new Map<string, number>(), tunnelKey: undefined, ctBuffer: undefined, lbRevNat: 0, dropNotified: false } as unknown as Ctx;
  const verdictAt = (proto: SetProto, port: number): PortVerdict => {
    ctx.pkt = packetFor(proto, port);
    const r = direction === 'egress' ? policyCanEgress4(ctx, mapName, remote) : policyCanAccess(ctx, mapName, 'ingress', remote, 'policy_can_access_ingress');
    if (r.ret.kind !== 'ok') return 0;
    return r.proxyPort > 0 ? 2 : 1;
  };
  const out = {} as Record<SetProto, Segment[]>;
  for (const proto of SET_PROTOS) {
    const pts = breakpoints(map, node, direction, remote, proto);
    const segs: Segment[] = [];
    pts.forEach((lo, i) => {
      const hi = (pts[i + 1] ?? DOMAIN[proto][1] + 1) - 1;
      const v = verdictAt(proto, lo);
      const last = segs[segs.length - 1];
      if (last && last.v === v) segs[segs.length - 1] = { lo: last.lo, hi, v };
      else segs.push({ lo, hi, v });
    });
    out[proto] = segs;
  }
  return out;
}

/** Both ends' verdicts together: allowed where both allow, through the proxy where either redirects. */
export function combine(egress: DirectionVerdict, ingress: DirectionVerdict): Array<{ proto: SetProto; lo: number; hi: number; l7: boolean }> {
  const out: Array<{ proto: SetProto; lo: number; hi: number; l7: boolean }> = [];
  for (const proto of SET_PROTOS) {
    const a = egress[proto];
    const b = ingress[proto];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i] as Segment;
      const y = b[j] as Segment;
      const lo = Math.max(x.lo, y.lo);
      const hi = Math.min(x.hi, y.hi);
      if (lo <= hi && x.v !== 0 && y.v !== 0) out.push({ proto, lo, hi, l7: x.v === 2 || y.v === 2 });
      if (x.hi < y.hi) i++;
      else j++;
    }
  }
  return out;
}
