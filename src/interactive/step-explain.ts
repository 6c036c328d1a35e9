// `e` in --step: what a step means. First a few lines derived from the step's own data (so
// they are always right for this trace), then the general explanation of the topic the
// step belongs to, from the explain topics when this build has them.
import { provenanceText } from '../maps/provenance.js';
import type { TraceNode, TraceResult } from '../trace/tree.js';

/** The explanation topics, when this build has them: by trace node, and by name. */
export interface Explainer {
  readonly node: (n: TraceNode) => { readonly id: string; readonly text: string } | undefined;
  readonly query: (q: string) => { readonly id: string; readonly text: string } | undefined;
}

const CT_MEANING: Readonly<Record<string, string>> = {
  CT_NEW: 'no entry matched: this is the first packet of a connection as far as this map knows',
  CT_ESTABLISHED: 'an entry for this direction exists: the connection was seen before',
  CT_REPLY: 'the entry of the opposite direction matched: this packet is a reply',
  CT_RELATED: 'a related entry matched (e.g. an ICMP error for a known connection)',
};

/** What this step did, from its own data. */
export function describeStep(n: TraceNode | null, host: string, r: TraceResult): string[] {
  if (n === null) {
    const lines = [`The trace ends: ${r.verdict}.`];
    if (r.explanation) lines.push(...r.explanation.lines);
    return lines;
  }
  switch (n.kind) {
    case 'hop': return [
      `The packet reaches ${n.where} on ${n.node} (${n.hook}).`,
      n.program ? `The BPF program ${n.program} attached there runs now; the steps below are its code path.` : 'No BPF program runs here: this is the kernel (or the wire) moving the packet on.',
    ];
    case 'fn': return [`${n.fn} is defined in Cilium's ${n.line === null ? n.file : `${n.file}:${n.line}`}. The steps nested under it are what it did for this packet.`];
    case 'lookup': return [
      `A lookup in ${n.map} on ${host}, key ${n.key}.`,
      n.result === null ? `Miss: no entry for this key${n.note ? ` (${n.note})` : ''}.` : `Hit: ${n.result}${n.note ? ` (${n.note})` : ''}.`,
      ...(n.provenance ?? []).map((p) => `The entry is there because of: ${provenanceText(p)}.`),
      'Press m to see the whole map with this row marked.',
    ];
    case 'tail_call': return [
      `A BPF tail call through the program array ${n.map}, slot ${n.slot} (${n.slotName}).`,
      n.program ? `It jumps to ${n.program}: the current program is replaced and never returns.` : 'The slot is empty: the call falls through and the caller drops the packet (DROP_MISSED_TAIL_CALL).',
    ];
    case 'inlined': return [`${n.program} would be a tail call through slot ${n.slot} (${n.slotName}), but here it is compiled as a direct call: ${n.why}.`];
    case 'trace_point': return [`An observation point: Cilium sends a ${n.point} event, what \`cilium monitor\` shows as "${n.monitor}". It does not change the packet.`];
    case 'policy': return [
      `The ${n.direction} policy of endpoint ${n.endpoint} decides on traffic ${n.direction === 'ingress' ? 'from' : 'to'} identity ${n.remoteId}: ${n.allowed ? 'allowed' : n.deny ? 'denied by a deny rule' : 'denied'} (match ${n.match}).`,
      n.enforced ? 'Policy is enforced for this endpoint in this direction.' : 'Policy is not enforced in this direction (no rule selects the endpoint for it): the map holds an allow-all entry.',
      ...n.provenance.map((p) => `Because of: ${provenanceText(p)}.`),
    ];
    case 'policy_skip': return [
      `The ${n.direction} policy of endpoint ${n.endpoint} is not looked up: the packet is return traffic (${n.status}) of a connection conntrack already knows.`,
      `v1.13 bpf_lxc: ${n.why}. So no policy-map entry, no verdict event; a deny rule added later does not stop the replies of an open connection.`,
    ];
    case 'ct': return [
      `A conntrack lookup in ${n.map} (${n.dir}) for ${n.tuple}: ${n.result}${n.assumed ? ', assumed with --ct rather than looked up' : ''}.`,
      ...(CT_MEANING[n.result] ? [`${n.result}: ${CT_MEANING[n.result]}.`] : []),
    ];
    case 'ct_create': return [`A new entry in ${n.map}: ${n.key}. Later packets of this connection (and its replies) will find it.`];
    case 'rewrite': return [`The packet's ${n.field} changes from ${n.from} to ${n.to}. Press p to see the headers now.`];
    case 'encap': return [
      `${n.type.toUpperCase()} encapsulation: the pod's frame is wrapped in an outer IP/UDP header from ${n.outerSrc} to ${n.outerDst}:${n.dport}.`,
      `The VNI ${n.vni} carries the source security identity, so the receiving node knows who sent it without an ipcache lookup.`,
      'Press p to see inner and outer headers.',
    ];
    case 'decap': return [`The tunnel device strips the outer header (${n.outerSrc} > ${n.outerDst}, vni ${n.vni}); the inner frame continues, with the VNI kept as tunnel metadata.`];
    case 'redirect': return [
      n.helper === 'redirect_peer'
        ? `bpf_redirect_peer moves the packet straight into the network namespace behind ifindex ${n.ifindex} (${n.device}), skipping the host-side veth and a second pass through the stack.`
        : `bpf_redirect sends the packet to ${n.device} (ifindex ${n.ifindex}) ${n.ingress ? 'as if received there' : 'for transmission'}, bypassing the kernel's routing.`,
    ];
    case 'kernel': return [`The kernel, not BPF: ${n.op} — ${n.text}.`];
    case 'packet': return [`The packet as it is now (${n.label}): ${n.text}.`];
    case 'note': return [n.text];
    case 'not_simulated': return [`cilium-trace stops simulating here: ${n.text}.`];
    case 'l7': return n.record.dns ? [
      `The DNS proxy (listener ${n.record.listener}, proxy port ${n.record.proxyPort}) matches the query ${n.record.dns.query} against the rules.dns of this port: ${n.record.verdict === 'DENIED' ? 'none matches, so it answers REFUSED itself' : `allowed by ${n.record.matched ?? 'a rule'}`}.`,
      ...n.record.misses.map((m) => `Rule ${m.rule}: ${m.why}.`),
    ] : [
      `Envoy (listener ${n.record.listener}, proxy port ${n.record.proxyPort}) matches the request ${n.record.method} ${n.record.url} against the HTTP rules of this port: ${n.record.verdict === 'DENIED' ? 'none matches, so Envoy answers 403 "Access denied" itself' : `allowed by ${n.record.matched ?? 'a rule'}`}.`,
      ...n.record.misses.map((m) => `Rule ${m.rule}: ${m.why}.`),
      ...(n.record.proposal ? [`A rule that would allow it: ${n.record.proposal}.`] : []),
    ];
    case 'return': return [`The program returns ${n.value}.${n.value.includes('CTX_ACT_OK') ? ' CTX_ACT_OK hands the packet on to the kernel stack.' : ''}`];
    case 'drop': return [`The packet is dropped: ${n.drop.macro} (${n.drop.code}) "${n.drop.text}" in ${n.fn}.`, n.notify ? 'A drop notification is sent: `cilium monitor --type drop` and Hubble show it.' : 'No drop notification exists for this case.'];
    case 'trace_sock': return [`A socket trace event (${n.point}): socket LB reports the destination ${n.point === 'XLATE_PRE_DIRECTION_FWD' ? 'before' : 'after'} translation, ${n.dst}:${n.dport}. Hubble shows it as a SOCK flow; \`cilium monitor\` prints it only with -v.`];
    case 'refused': return [`The ${n.syscall}() system call fails with -${n.errno} (${n.code}): ${n.fn} returned SYS_REJECT. No packet is ever sent, so no drop notification exists and Hubble shows no drop.`];
    case 'deliver': return [`Delivered to ${n.target} (${n.ifname}) by ${n.via}.`];
  }
}

export function explainLines(n: TraceNode | null, host: string, r: TraceResult, explainer: Explainer | null): string[] {
  const out = describeStep(n, host, r);
  if (explainer === null) {
    out.push('', 'explanations are not available in this build (no explain topics)');
    return out;
  }
  const topic = n !== null ? explainer.node(n) : r.drop ? explainer.query(r.drop.macro) : r.refused ? explainer.query(r.refused.fn) : undefined;
  if (topic === undefined) return out;
  out.push('', `cilium-trace explain ${topic.id}:`, ...topic.text.trimEnd().split('\n'));
  return out;
}
