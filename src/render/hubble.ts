// `-o hubble`: one JSON object per event, shaped like `hubble observe -o json` output
// (api/v1/flow/flow.proto field names and enums), so jq snippets written for Hubble work.
// Time is left out on purpose (output must be byte-stable). Traffic direction follows the
// observation point (FROM_ENDPOINT and TO_* toward the network are EGRESS, the rest INGRESS).
// Socket LB's trace-sock events become SOCK flows as pkg/hubble/parser/sock/parser.go (v1.13.0)
// decodes them: source = the pod the cgroup id belongs to, port 0; events of host processes
// (no pod cgroup) are skipped, as --hubble-skip-unknown-cgroup-ids (default true) does.
import { HOST_ID, REMOTE_NODE_ID } from '../cilium/identities.js';
import { dropReasonByCode } from '../cilium/drop-reasons.js';
import { TRACE_POINTS, type TracePoint } from '../cilium/trace-points.js';
import type { EndpointView, EventMeta, TraceNode, TraceResult } from '../trace/tree.js';
import { connectionSummary } from './monitor.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const EGRESS_POINTS = new Set(['TRACE_FROM_LXC', 'TRACE_TO_OVERLAY', 'TRACE_TO_STACK', 'TRACE_TO_NETWORK', 'TRACE_TO_PROXY']);
// POLICY_MATCH_* of bpf/lib/common.h, named as pkg/monitor/api/types.go prints them.
const MATCH_TYPES: Readonly<Record<string, number>> = { none: 0, 'L3-Only': 1, 'L3-L4': 2, 'L4-Only': 3, all: 4, 'L3-Proto': 5, 'Proto-Only': 6 };

/**
 * Hubble's view of an address: the endpoint, else the identity the observing node's ipcache
 * gives it (a node address is host on its own node and remote-node elsewhere: the outer
 * header of a tunnelled packet never carries a pod's identity), else the flow's own.
 */
function endpoint(r: TraceResult, ip: string, observer: string): Json {
  const e: EndpointView | undefined = r.endpoints.find((x) => x.ip === ip);
  const nodeAddress = e ? undefined : r.nodeAddresses.find((x) => x.ip === ip);
  if (nodeAddress) return nodeAddress.node === observer ? { identity: HOST_ID, labels: ['reserved:host'] } : { identity: REMOTE_NODE_ID, labels: ['reserved:remote-node'] };
  if (!e) return { identity: r.packet.src.ip === ip ? (r.packet.src.identity ?? 2) : (r.packet.dst.identity ?? 2), labels: [] };
  return { ID: e.endpointId, identity: e.identity, namespace: e.namespace, labels: [...e.labels], pod_name: e.pod };
}

function l4(ev: EventMeta): Json {
  const t = ev.tuple;
  if (t.proto === 'icmp') return { ICMPv4: { type: t.icmpType ?? 0 } };
  if (t.proto === 'tcp') return { TCP: { source_port: t.sport ?? 0, destination_port: t.dport ?? 0, flags: t.tcpFlags ? { [t.tcpFlags]: true } : {} } };
  return { UDP: { source_port: t.sport ?? 0, destination_port: t.dport ?? 0 } };
}

function base(r: TraceResult, ev: EventMeta, verdict: string): { [k: string]: Json } {
  return {
    verdict,
    IP: { source: ev.tuple.src, destination: ev.tuple.dst, ipVersion: 'IPv4' },
    l4: l4(ev),
    source: endpoint(r, ev.tuple.src, ev.node),
    destination: endpoint(r, ev.tuple.dst, ev.node),
    Type: 'L3_L4',
    node_name: ev.node,
  };
}

const SOCK_POINTS: Readonly<Record<string, { sub: number; hubble: string; verdict: string }>> = {
  XLATE_PRE_DIRECTION_FWD: { sub: 1, hubble: 'SOCK_XLATE_POINT_PRE_DIRECTION_FWD', verdict: 'TRACED' },
  XLATE_POST_DIRECTION_FWD: { sub: 2, hubble: 'SOCK_XLATE_POINT_POST_DIRECTION_FWD', verdict: 'TRANSLATED' },
};

function sockFlow(r: TraceResult, n: Extract<TraceNode, { kind: 'trace_sock' }>): Json | undefined {
  if (n.cgroup.kind !== 'pod') return undefined;
  const p = SOCK_POINTS[n.point] ?? { sub: 0, hubble: 'SOCK_XLATE_POINT_UNKNOWN', verdict: 'VERDICT_UNKNOWN' };
  const ports = { source_port: 0, destination_port: n.dport };
  const service = r.packet.dst.service !== null && n.dst === r.packet.dst.ip && n.dport === r.packet.dport ? r.packet.dst.service.split('/') : null;
  return {
    flow: {
      verdict: p.verdict,
      IP: { source: n.cgroup.ip, destination: n.dst, ipVersion: 'IPv4' },
      l4: n.proto === 'tcp' ? { TCP: ports } : { UDP: ports },
      source: endpoint(r, n.cgroup.ip, n.node),
      destination: endpoint(r, n.dst, n.node),
      Type: 'SOCK',
      node_name: n.node,
      event_type: { type: 7, sub_type: p.sub },
      ...(service ? { destination_service: { name: service[1] ?? '', namespace: service[0] ?? '' } } : {}),
      sock_xlate_point: p.hubble,
      socket_cookie: n.cookie,
      cgroup_id: n.cgroupId,
      Summary: n.proto.toUpperCase(),
    },
    node_name: n.node,
  };
}

function flow(r: TraceResult, n: TraceNode): Json | undefined {
  switch (n.kind) {
    case 'trace_sock':
      return sockFlow(r, n);
    case 'trace_point': {
      const point = TRACE_POINTS[n.point as TracePoint];
      return {
        flow: {
          ...base(r, n.ev, 'FORWARDED'),
          event_type: { type: 4, sub_type: point.value },
          traffic_direction: EGRESS_POINTS.has(n.point) ? 'EGRESS' : 'INGRESS',
          trace_observation_point: point.hubble,
          is_reply: n.reason === 'reply',
          interface: n.ev.ifname ? { index: n.ev.ifindex, name: n.ev.ifname } : null,
          Summary: connectionSummary(n.ev),
        },
        node_name: n.ev.node,
      };
    }
    case 'drop':
      if (!n.notify) return undefined;
      return {
        flow: {
          ...base(r, n.ev, 'DROPPED'),
          drop_reason: n.drop.code,
          event_type: { type: 1, sub_type: n.drop.code },
          traffic_direction: n.direction === 'ingress' ? 'INGRESS' : 'EGRESS',
          drop_reason_desc: n.drop.name,
          Summary: connectionSummary(n.ev),
        },
        node_name: n.ev.node,
      };
    case 'policy':
      if (!n.notify) return undefined;
      // pkg/hubble/parser/threefour: a negative verdict is DROPPED with drop reason -verdict, and
      // is_reply stays unset (decodeIsReply knows it only for verdict >= 0); a positive one, a
      // proxy port, is REDIRECTED (decodeVerdict, parser.go:262-281).
      return {
        flow: {
          ...base(r, n.ev, n.verdict < 0 ? 'DROPPED' : n.verdict > 0 ? 'REDIRECTED' : 'FORWARDED'),
          ...(n.verdict < 0 ? { drop_reason: -n.verdict, drop_reason_desc: dropReasonByCode(-n.verdict)?.hubble ?? 'DROP_REASON_UNKNOWN' } : {}),
          event_type: { type: 5, sub_type: n.direction === 'ingress' ? 1 : 2 },
          traffic_direction: n.direction === 'ingress' ? 'INGRESS' : 'EGRESS',
          policy_match_type: MATCH_TYPES[n.match] ?? 0,
          ...(n.verdict < 0 ? {} : { is_reply: false }),
          Summary: connectionSummary(n.ev),
        },
        node_name: n.ev.node,
      };
    default:
      return undefined;
  }
}

function collect(r: TraceResult, nodes: readonly TraceNode[], out: Json[]): void {
  for (const n of nodes) {
    const f = flow(r, n);
    if (f !== undefined) out.push(f);
    if ('children' in n) collect(r, n.children, out);
  }
}

export function renderHubble(r: TraceResult): string {
  const out: Json[] = [];
  collect(r, r.hops, out);
  return out.map((f) => JSON.stringify(f) + '\n').join('');
}
