// JSON output of a trace: a versioned document with explicit key order (an API).
// Lookups appear as {"map", "key", "result"}, tail calls as {"tail_call": {...}}, the
// encapsulation as {"encap": {...}} and redirects as {"redirect": {...}} in the step tree.
import type { L7Record, TraceNode, TraceResult } from '../trace/tree.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function step(n: TraceNode): Json {
  switch (n.kind) {
    case 'hop': return { hop: { node: n.node, where: n.where, hook: n.hook, program: n.program ?? null }, steps: n.children.map(step) };
    case 'fn': return { fn: n.fn, file: n.file, line: n.line, steps: n.children.map(step) };
    case 'lookup': return { map: n.map, key: n.key, result: n.result, note: n.note ?? null, provenance: (n.provenance ?? []).map((p) => ({ kind: p.kind, what: p.what, file: p.pos?.file ?? null, line: p.pos?.line ?? null })) };
    case 'tail_call': return { tail_call: { map: n.map, slot: n.slot, slot_name: n.slotName, program: n.program } };
    case 'inlined': return { inlined: { slot: n.slot, slot_name: n.slotName, program: n.program, why: n.why } };
    case 'trace_point': return { trace_point: { point: n.point, monitor: n.monitor, src_identity: n.srcId, dst_identity: n.dstId, dst_endpoint: n.dstEp, ifindex: n.ifindex, reason: n.reason } };
    case 'policy': return { policy: { direction: n.direction, endpoint: n.endpoint, remote_identity: n.remoteId, allowed: n.allowed, match: n.match, deny: n.deny, provenance: n.provenance.map((p) => ({ kind: p.kind, what: p.what, file: p.pos?.file ?? null, line: p.pos?.line ?? null })) } };
    case 'policy_skip': return { policy_skipped: { direction: n.direction, endpoint: n.endpoint, ct_status: n.status, why: n.why } };
    case 'ct': return { ct: { map: n.map, dir: n.dir, tuple: n.tuple, result: n.result, assumed: n.assumed } };
    case 'ct_create': return { ct_create: { map: n.map, key: n.key, value: n.value } };
    case 'rewrite': return { rewrite: { field: n.field, from: n.from, to: n.to } };
    case 'encap': return { encap: { type: n.type, vni: n.vni, outer_src: n.outerSrc, outer_dst: n.outerDst, sport: n.sport, dport: n.dport, ttl: n.ttl } };
    case 'decap': return { decap: { type: n.type, vni: n.vni, outer_src: n.outerSrc, outer_dst: n.outerDst } };
    case 'redirect': return { redirect: { helper: n.helper, ifindex: n.ifindex, device: n.device, ingress: n.ingress } };
    case 'kernel': return { kernel: { op: n.op, text: n.text } };
    case 'packet': return { packet: { label: n.label, text: n.text } };
    case 'note': return { note: n.text };
    case 'not_simulated': return { not_simulated: n.text };
    case 'l7': return { l7: l7Json(n.record) };
    case 'return': return { return: n.value };
    case 'drop': return { drop: { code: n.drop.code, name: n.drop.name, text: n.drop.text, macro: n.drop.macro, function: n.fn, file: n.file, direction: n.direction } };
    case 'trace_sock': return { trace_sock: { point: n.point, dst: n.dst, dport: n.dport, proto: n.proto, sock_cookie: n.cookie, cgroup_id: n.cgroupId } };
    case 'refused': return { refused: { syscall: n.syscall, errno: n.errno, code: n.code, function: n.fn, file: n.file, ...(n.icmp ? { icmp: n.icmp } : {}) } };
    case 'deliver': return { deliver: { node: n.node, target: n.target, ifname: n.ifname, via: n.via, ifindex: n.ifindex, packet: n.packet } };
  }
}

/** The proxy's decision: l7 {type, verdict, code, …}; DENIED is Envoy's 403. */
function l7Json(l: L7Record): Json {
  if (l.dns) return { type: 'dns', direction: l.direction, verdict: l.verdict, rcode: l.dns.rcode, query: l.dns.query, qtypes: [l.dns.qtype], answers: [...l.dns.answers], node: l.node, listener: l.listener, proxy_port: l.proxyPort, src_identity: l.srcId, dst_identity: l.dstId, matched_rule: l.matched, unmatched_rules: l.misses.map((m) => ({ rule: m.rule, why: m.why })), proposed_rule: l.proposal };
  return { type: l.type, direction: l.direction, verdict: l.verdict, code: l.code, method: l.method, url: l.url, host: l.host, path: l.path, headers: l.headers.map((h) => ({ name: h.name, value: h.value })), node: l.node, listener: l.listener, proxy_port: l.proxyPort, src_identity: l.srcId, dst_identity: l.dstId, matched_rule: l.matched, unmatched_rules: l.misses.map((m) => ({ rule: m.rule, why: m.why })), proposed_rule: l.proposal };
}

export function traceToJson(r: TraceResult): Json {
  const peer = (p: TraceResult['packet']['src']): Json => ({ ip: p.ip, node: p.node, pod: p.pod, service: p.service, identity: p.identity });
  return {
    schema: r.schema,
    verdict: r.verdict,
    drop_reason: r.drop ? { code: r.drop.code, name: r.drop.name, text: r.drop.text, macro: r.drop.macro, function: r.drop.fn, file: r.drop.file, node: r.drop.node, direction: r.drop.direction } : null,
    refused: r.refused ? { syscall: r.refused.syscall, errno: r.refused.errno, code: r.refused.code, function: r.refused.fn, file: r.refused.file, node: r.refused.node, ...(r.refused.icmp ? { icmp: r.refused.icmp } : {}) } : null,
    not_simulated: r.notSimulated ? { node: r.notSimulated.node, text: r.notSimulated.text, proxy: r.notSimulated.proxy ? { parser: r.notSimulated.proxy.parser, listener: r.notSimulated.proxy.listener, port: r.notSimulated.proxy.port, rules: [...r.notSimulated.proxy.rules] } : null } : null,
    explanation: r.explanation ? { direction: r.explanation.direction, endpoint: r.explanation.endpoint, endpoint_id: r.explanation.endpointId, remote_identity: r.explanation.remoteIdentity, remote_labels: [...r.explanation.remoteLabels], lines: [...r.explanation.lines], suggested_policy: r.explanation.suggestion } : null,
    ...(r.l7 ? { l7: l7Json(r.l7) } : {}),
    delivered: r.delivered ? { node: r.delivered.node, target: r.delivered.target, via: r.delivered.via, ifindex: r.delivered.ifindex } : null,
    packet: { proto: r.packet.proto, src: peer(r.packet.src), dst: peer(r.packet.dst), sport: r.packet.sport, dport: r.packet.dport, icmp_type: r.packet.icmpType },
    context: { cluster: r.context.cluster, cilium: r.context.cilium, profile: r.context.profile, profile_reason: r.context.profileWhy, routing: r.context.routing, host_routing: r.context.hostRouting, socket_lb: r.context.socketLb, notes: [...r.context.notes] },
    steps: r.hops.map(step),
  };
}

export function renderJson(r: TraceResult): string {
  return JSON.stringify(traceToJson(r), null, 2) + '\n';
}
