// `-o hubble`: one JSON object per event, shaped like `hubble observe -o json` output: a
// GetFlowsResponse `{flow, node_name}` in protojson form (api/v1/flow/flow.proto field names
// and enum names, fields in declaration order, unset messages and zero scalars left out, uint64
// as strings). The encoder is the hubble CLI's, not part of the v1.13.0 tree; the flow fields
// are what v1.13.0's parsers fill: pkg/hubble/parser/threefour/parser.go for trace, drop and
// policy-verdict events, pkg/hubble/parser/sock/parser.go for socket LB's trace-sock events.
// Left out: `time` (output must be byte-stable), `workloads` (owner references are not
// modelled), DNS names (no FQDN cache). Events of host processes (no pod cgroup) are skipped,
// as --hubble-skip-unknown-cgroup-ids (default true) does. The events are those of monitor
// aggregation `none` (the agent flag's default); see the README.
import { isLocalIdentity } from '../cilium/identities.js';
import { dropReasonByCode } from '../cilium/drop-reasons.js';
import { TRACE_POINTS, type TracePoint } from '../cilium/trace-points.js';
import type { EventMeta, L7Record, TraceNode, TraceResult } from '../trace/tree.js';
import { bpfFileName, releaseOfResult } from './monitor.js';

/**
 * decodeTraceReason (pkg/hubble/parser/threefour/parser.go@v1.16.15): flow.proto `enum
 * TraceReason` from v1.16; the datapath's unknown (5) is TRACE_REASON_UNKNOWN (0, not printed).
 */
const TRACE_REASONS: Readonly<Record<string, string>> = { new: 'NEW', established: 'ESTABLISHED', reply: 'REPLY', related: 'RELATED', reopened: 'REOPENED', 'srv6-encap': 'SRV6_ENCAP', 'srv6-decap': 'SRV6_DECAP', 'encrypt-overlay': 'ENCRYPT_OVERLAY' };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
type Field = Json | undefined;

// POLICY_MATCH_* of bpf/lib/common.h, named as pkg/monitor/api/types.go prints them.
const MATCH_TYPES: Readonly<Record<string, number>> = { none: 0, 'L3-Only': 1, 'L3-L4': 2, 'L4-Only': 3, all: 4, 'L3-Proto': 5, 'Proto-Only': 6 };

/**
 * protojson with EmitUnpopulated false: zero scalars, empty lists and unset messages are not
 * printed. `is_reply` is a google.protobuf.BoolValue, a message: printed whenever it is set, false too.
 */
function msg(fields: { [k: string]: Field }): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'is_reply' ? v === undefined : v === undefined || v === null || v === 0 || v === '' || v === false || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v as Json;
  }
  return out;
}

/** FilterCIDRLabels + sort of pkg/hubble/parser/common/labels.go:16-56: of the cidr: labels of a local-scope identity, the longest prefix only. */
function sortAndFilterLabels(labels: readonly string[], id: number): string[] {
  let out = [...labels];
  if (isLocalIdentity(id)) {
    const cidr = out.filter((l) => l.startsWith('cidr:'));
    const longest = cidr.reduce<string | undefined>((best, l) => (best === undefined || prefixLen(l) > prefixLen(best) ? l : best), undefined);
    out = out.filter((l) => !l.startsWith('cidr:'));
    if (longest !== undefined && prefixLen(longest) !== 0) out.push(longest);
  }
  return out.sort();
}

function prefixLen(label: string): number {
  return Number(label.slice(label.lastIndexOf('/') + 1)) || 0;
}

interface Endpoint {
  readonly json: Obj;
  /** The local endpoint's ID, 0 for anything else (decodeTrafficDirection compares it with the event's Source). */
  readonly id: number;
}

/**
 * ResolveEndpoint (pkg/hubble/parser/common/endpoint.go:39-115): a pod on the observing node
 * is a local endpoint (ID, namespace, labels, pod name); anything else is assembled from the
 * observing node's ipcache (identity, K8s metadata) and the identity's labels. The identity
 * is the datapath's label when it is non-zero, else the agent's (resolveIdentityConflict, :48-65).
 */
function resolveEndpoint(r: TraceResult, observer: string, ip: string, datapathId: number): Endpoint {
  const e = r.endpoints.find((x) => x.ip === ip);
  if (e && e.node === observer) {
    const identity = datapathId !== 0 ? datapathId : e.identity;
    return { id: e.endpointId, json: msg({ ID: e.endpointId, identity, namespace: e.namespace, labels: sortAndFilterLabels(e.labels, identity), pod_name: e.pod }) };
  }
  const cached = r.identityOf(observer, ip);
  const identity = cached === undefined || datapathId !== 0 ? datapathId : cached;
  const labels = r.labelsOf(identity);
  return { id: 0, json: msg({ identity, namespace: e?.namespace, labels: labels ? sortAndFilterLabels(labels, identity) : undefined, pod_name: e?.pod }) };
}

/** GetServiceByAddr (daemon/cmd/hubble.go:362-381): the observing node's Service with a frontend ip:port. */
function serviceAt(r: TraceResult, observer: string, ip: string, port: number): Obj | undefined {
  const s = r.services.find((x) => x.ip === ip && x.port === port && (x.node === null || x.node === observer));
  return s ? msg({ name: s.name, namespace: s.namespace }) : undefined;
}

/** decodeLayers (parser.go:227-259): Ethernet, IPv4 and the L4 layer; the VXLAN/Geneve payload is not decoded. */
function layers(ev: EventMeta, srcIp: string): { ethernet: Obj; IP: Obj; l4: Obj; summary: string } {
  const t = ev.tuple;
  const ethernet = msg({ source: ev.eth.src, destination: ev.eth.dst });
  const IP = msg({ source: srcIp, destination: t.dst, ipVersion: 'IPv4' });
  if (t.proto === 'icmp') {
    const type = t.icmpType ?? 0;
    // gopacket's ICMPv4TypeCode.String(): EchoRequest, EchoReply, else type(code).
    const name = type === 8 ? 'EchoRequest' : type === 0 ? 'EchoReply' : `${type}(0)`; // the last: gopacket's form for a type it does not name
    return { ethernet, IP, l4: { ICMPv4: msg({ type }) }, summary: `ICMPv4 ${name}` };
  }
  if (t.proto === 'tcp') {
    // One boolean per flag (flow.proto TCPFlags, parser.go:331-335); Summary "TCP Flags: " + getTCPFlags (:245, :472-526).
    const flags = (t.tcpFlags ?? '').split(', ').filter((f) => f !== '');
    const order = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'];
    const summaryOrder = ['SYN', 'ACK', 'RST', 'FIN', 'PSH', 'URG', 'ECE', 'CWR', 'NS'];
    const flagObj = Object.fromEntries(order.filter((f) => flags.includes(f)).map((f) => [f, true]));
    return { ethernet, IP, l4: { TCP: msg({ source_port: t.sport, destination_port: t.dport, flags: flagObj }) }, summary: `TCP Flags: ${summaryOrder.filter((f) => flags.includes(f)).join(', ')}` };
  }
  return { ethernet, IP, l4: { UDP: msg({ source_port: t.sport, destination_port: t.dport }) }, summary: 'UDP' };
}

/** The fields Decode (parser.go:169-214) fills the same way for every event kind. */
function decode(r: TraceResult, ev: EventMeta, srcLabel: number, dstLabel: number, origIp?: string): { l: ReturnType<typeof layers>; src: Endpoint; dst: Endpoint; srcService: Obj | undefined; dstService: Obj | undefined } {
  // :170-176: a trace event's orig-ip, when set, replaces the source address.
  const srcIp = origIp !== undefined && origIp !== '0.0.0.0' ? origIp : ev.tuple.src;
  const l = layers(ev, srcIp);
  return {
    l,
    src: resolveEndpoint(r, ev.node, srcIp, srcLabel),
    dst: resolveEndpoint(r, ev.node, ev.tuple.dst, dstLabel),
    srcService: serviceAt(r, ev.node, srcIp, ev.tuple.sport ?? 0),
    dstService: serviceAt(r, ev.node, ev.tuple.dst, ev.tuple.dport ?? 0),
  };
}

const SOCK_POINTS: Readonly<Record<string, { sub: number; hubble: string; verdict: string }>> = {
  XLATE_PRE_DIRECTION_FWD: { sub: 1, hubble: 'SOCK_XLATE_POINT_PRE_DIRECTION_FWD', verdict: 'TRACED' },
  XLATE_POST_DIRECTION_FWD: { sub: 2, hubble: 'SOCK_XLATE_POINT_POST_DIRECTION_FWD', verdict: 'TRANSLATED' },
};

function sockFlow(r: TraceResult, n: Extract<TraceNode, { kind: 'trace_sock' }>): Json | undefined {
  if (n.cgroup.kind !== 'pod') return undefined;
  const p = SOCK_POINTS[n.point] ?? { sub: 0, hubble: 'SOCK_XLATE_POINT_UNKNOWN', verdict: 'VERDICT_UNKNOWN' };
  const ports = msg({ destination_port: n.dport }); // source port 0: not known for trace-sock events
  return {
    flow: msg({
      verdict: p.verdict,
      IP: msg({ source: n.cgroup.ip, destination: n.dst, ipVersion: 'IPv4' }),
      l4: n.proto === 'tcp' ? { TCP: ports } : { UDP: ports },
      source: resolveEndpoint(r, n.node, n.cgroup.ip, 0).json,
      destination: resolveEndpoint(r, n.node, n.dst, 0).json,
      Type: 'SOCK',
      node_name: n.node,
      event_type: msg({ type: 7, sub_type: p.sub }),
      source_service: serviceAt(r, n.node, n.cgroup.ip, 0),
      destination_service: serviceAt(r, n.node, n.dst, n.dport),
      sock_xlate_point: p.hubble,
      socket_cookie: String(n.cookie),
      cgroup_id: String(n.cgroupId),
      Summary: n.proto.toUpperCase(),
    }),
    node_name: n.node,
  };
}

function traceFlow(r: TraceResult, n: Extract<TraceNode, { kind: 'trace_point' }>): Json {
  const point = TRACE_POINTS[n.point as TracePoint];
  const d = decode(r, n.ev, n.srcId, n.dstId, n.origIp);
  // decodeIsReply (parser.go:385-402) and decodeTrafficDirection (:432-470): only for a known
  // reason (TraceReasonIsKnown, pkg/monitor/datapath_trace.go:107-114) and, for the
  // direction, a non-zero Source: EGRESS iff (Source == source endpoint ID) != reply.
  const known = n.reason !== 'unknown';
  const reply = n.reason === 'reply';
  const direction = known && n.source !== 0 ? ((n.source === d.src.id) !== reply ? 'EGRESS' : 'INGRESS') : undefined;
  return {
    flow: msg({
      verdict: 'FORWARDED',
      ethernet: d.l.ethernet,
      IP: d.l.IP,
      l4: d.l.l4,
      source: d.src.json,
      destination: d.dst.json,
      Type: 'L3_L4',
      node_name: n.ev.node,
      reply: known && reply,
      // CiliumEventType {type 4, sub_type obs point} (:120, :207).
      event_type: msg({ type: 4, sub_type: point.value }),
      source_service: d.srcService,
      destination_service: d.dstService,
      traffic_direction: direction,
      trace_observation_point: point.hubble,
      // v1.16+ (trace_reason = 36, declared after trace_observation_point).
      trace_reason: releaseOfResult(r).has('hubble-trace-reason') ? TRACE_REASONS[n.reason] : undefined,
      is_reply: known ? reply : undefined,
      // decodeNetworkInterface (:535-565): none for ifindex 0.
      interface: n.ifindex !== 0 ? msg({ index: n.ifindex, name: n.ev.ifname ?? undefined }) : undefined,
      // decodeProxyPort (parser.go@v1.13.0:567-569): TraceNotify.DstID, the dst_id argument (the proxy port), not the destination identity.
      proxy_port: n.point === 'TRACE_TO_PROXY' ? n.dstEp : undefined,
      Summary: d.l.summary,
    }),
    node_name: n.ev.node,
  };
}

function dropFlow(r: TraceResult, n: Extract<TraceNode, { kind: 'drop' }>): Json {
  const d = decode(r, n.ev, n.srcId, n.dstId);
  // decodeTrafficDirection (:433-442): with a non-zero Source, EGRESS iff it is the source endpoint.
  const direction = n.ev.source !== 0 ? (n.ev.source === d.src.id ? 'EGRESS' : 'INGRESS') : undefined;
  return {
    flow: msg({
      verdict: 'DROPPED',
      drop_reason: n.drop.code,
      ethernet: d.l.ethernet,
      IP: d.l.IP,
      l4: d.l.l4,
      source: d.src.json,
      destination: d.dst.json,
      Type: 'L3_L4',
      node_name: n.ev.node,
      event_type: msg({ type: 1, sub_type: n.drop.code }),
      source_service: d.srcService,
      destination_service: d.dstService,
      traffic_direction: direction,
      // v1.18: decodeFileInfo (parser.go@v1.18.3:460-468), FileInfo file = 38, declared before drop_reason_desc.
      file: releaseOfResult(r).has('hubble-file-info') ? msg({ name: bpfFileName(releaseOfResult(r), n.notifier), line: n.notifyLine ?? 0 }) : undefined,
      drop_reason_desc: n.drop.name,
      Summary: d.l.summary,
    }),
    node_name: n.ev.node,
  };
}

function policyFlow(r: TraceResult, n: Extract<TraceNode, { kind: 'policy' }>): Json {
  // decodeSecurityIdentities (:421-426): the remote label is the source's on ingress, the destination's on egress.
  const d = n.direction === 'ingress' ? decode(r, n.ev, n.remoteId, 0) : decode(r, n.ev, 0, n.remoteId);
  // decodeVerdict (:268-278); a negative verdict is a drop with reason -verdict (:287-289).
  const verdict = n.verdict < 0 ? 'DROPPED' : n.verdict > 0 ? 'REDIRECTED' : 'FORWARDED';
  return {
    flow: msg({
      verdict,
      drop_reason: n.verdict < 0 ? -n.verdict : undefined,
      ethernet: d.l.ethernet,
      IP: d.l.IP,
      l4: d.l.l4,
      source: d.src.json,
      destination: d.dst.json,
      Type: 'L3_L4',
      node_name: n.ev.node,
      // send_policy_verdict_notify: __notify_common_hdr(CILIUM_NOTIFY_POLICY_VERDICT, 0)
      // (bpf/lib/policy_log.h:65), so sub_type 0; the direction is in traffic_direction only.
      event_type: msg({ type: 5 }),
      source_service: d.srcService,
      destination_service: d.dstService,
      traffic_direction: n.direction === 'ingress' ? 'INGRESS' : 'EGRESS',
      policy_match_type: MATCH_TYPES[n.match],
      drop_reason_desc: n.verdict < 0 ? (dropReasonByCode(-n.verdict, releaseOfResult(r).version)?.hubble ?? 'DROP_REASON_UNKNOWN') : undefined,
      // decodeIsReply (:392-396): a forwarded verdict is statically not a reply; a drop has none.
      is_reply: n.verdict >= 0 ? false : undefined,
      Summary: d.l.summary,
    }),
    node_name: n.ev.node,
  };
}

/**
 * An access-log record of the proxy (pkg/hubble/parser/seven/parser.go Decode, same fields at
 * v1.13.0, v1.16.15 and v1.18.3): Type L7, event_type 129 (MessageTypeAccessLog), verdict
 * Denied → DROPPED, Forwarded → FORWARDED; a request has no code (http.go decodeHTTP) and the
 * summary "HTTP/1.1 METHOD URL" (httpSummary). Endpoints from the record (the local endpoint's
 * ID, 0 for the remote side; labels sorted), namespace and pod from the ipcache's K8s metadata.
 * Headers: the probe's only (Envoy logs every request header; the others are not simulated).
 */
function l7Flow(r: TraceResult, l: L7Record): Json {
  const ep = (ip: string, id: number, local: boolean): Obj => {
    const e = r.endpoints.find((x) => x.ip === ip);
    return msg({ ID: local && e ? e.endpointId : 0, identity: id, namespace: e?.namespace, labels: [...(r.labelsOf(id) ?? [])].sort(), pod_name: e?.pod });
  };
  const ingress = l.direction === 'ingress';
  const headers = [...l.headers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((h) => ({ key: h.name, value: h.value }));
  return {
    flow: msg({
      verdict: l.verdict === 'DENIED' ? 'DROPPED' : 'FORWARDED',
      IP: msg({ source: l.src, destination: l.dst, ipVersion: 'IPv4' }),
      l4: { [l.dns?.proto === 'udp' ? 'UDP' : 'TCP']: msg({ source_port: l.sport, destination_port: l.dport }) },
      source: ep(l.src, l.srcId, !ingress),
      destination: ep(l.dst, l.dstId, ingress),
      Type: 'L7',
      node_name: l.node,
      l7: msg(l.dns ? { type: 'REQUEST', dns: msg({ query: l.dns.query, qtypes: [l.dns.qtype], observation_source: 'proxy' }) } : { type: 'REQUEST', http: msg({ method: l.method, url: l.url, protocol: 'HTTP/1.1', headers }) }),
      reply: false,
      event_type: msg({ type: 129 }),
      source_service: serviceAt(r, l.node, l.src, l.sport),
      destination_service: serviceAt(r, l.node, l.dst, l.dport),
      traffic_direction: ingress ? 'INGRESS' : 'EGRESS',
      is_reply: false,
      Summary: l.dns ? `DNS Query ${l.dns.query} ${l.dns.qtype}` : `HTTP/1.1 ${l.method} ${l.url}`,
    }),
    node_name: l.node,
  };
}

function flow(r: TraceResult, n: TraceNode): Json | undefined {
  switch (n.kind) {
    case 'l7': return l7Flow(r, n.record);
    case 'trace_sock': return sockFlow(r, n);
    case 'trace_point': return traceFlow(r, n);
    case 'drop': return n.notify ? dropFlow(r, n) : undefined;
    case 'policy': return n.notify ? policyFlow(r, n) : undefined;
    default: return undefined;
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
