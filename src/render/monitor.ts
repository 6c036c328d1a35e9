// `cilium monitor` lines (v1.13, INFO verbosity, aggregation none) from the trace tree:
// trace notifications (pkg/monitor/datapath_trace.go), drops (datapath_drop.go) and policy
// verdicts (datapath_policy.go), in the order the datapath emits them.
// A drop carries the file id of bpf/source_names_to_ids.h and the line of the
// send_drop_notify call at the modelled release (`file 2:1165`). Said in the docs: the flow
// hash is a deterministic stand-in for skb->hash. Socket LB's trace-sock events are not
// printed: v1.13.0's formatter shows them only with -v (pkg/monitor/format/format.go:131-135),
// and a refused connect() has no event at all.
// From v1.14 the drop line names the file (`file bpf_lxc.c:1178`, pkg/monitor/datapath_drop.go,
// api.BPFFileName of pkg/monitor/api/files.go) and the policy verdict line has `auth: %s`
// (datapath_policy.go): both at v1.16.15 and v1.18.3. The trace line is unchanged.
import { reservedName } from '../cilium/identities.js';
import { RELEASES, V1_13_0, type CiliumRelease } from '../cilium/releases/release.js';
import type { EventMeta, L7Record, TraceNode, TraceResult } from '../trace/tree.js';

/** __source_file_name_to_id of bpf/source_names_to_ids.h (v1.13.0). */
const FILE_IDS: Readonly<Record<string, number>> = {
  'bpf/bpf_host.c': 1, 'bpf/bpf_lxc.c': 2, 'bpf/bpf_overlay.c': 3, 'bpf/bpf_xdp.c': 4,
  'bpf/lib/arp.h': 101, 'bpf/lib/drop.h': 102, 'bpf/lib/egress_policies.h': 103, 'bpf/lib/icmp6.h': 104, 'bpf/lib/nodeport.h': 105,
};

/**
 * __id_for_file (bpf/lib/source_info.h) and its Go twin pkg/monitor/api/files.go: the files a
 * drop can name, by release (v1.16.15: 110 is l3.h; v1.18.3: 110 local_delivery.h, 114-117 new).
 */
const FILE_NAMES: Readonly<Record<string, readonly string[]>> = {
  '1.14.0': ['bpf_host.c', 'bpf_lxc.c', 'bpf_overlay.c', 'bpf_xdp.c', 'bpf_sock.c', 'bpf_network.c', 'bpf_wireguard.c',
    'arp.h', 'drop.h', 'srv6.h', 'icmp6.h', 'nodeport.h', 'lb.h', 'mcast.h', 'ipv4.h', 'conntrack.h', 'l3.h', 'trace.h', 'encap.h', 'encrypt.h'],
  '1.18.0': ['bpf_host.c', 'bpf_lxc.c', 'bpf_overlay.c', 'bpf_xdp.c', 'bpf_sock.c', 'bpf_network.c', 'bpf_wireguard.c',
    'arp.h', 'drop.h', 'srv6.h', 'icmp6.h', 'nodeport.h', 'lb.h', 'mcast.h', 'ipv4.h', 'conntrack.h', 'local_delivery.h', 'trace.h', 'encap.h', 'encrypt.h',
    'host_firewall.h', 'nodeport_egress.h', 'ipv6.h', 'classifiers.h'],
};

/** The release a trace models (its context names it), v1.13.0 for anything unknown. */
export function releaseOfResult(r: TraceResult): CiliumRelease {
  // Tests render hand-made results without a context: those are v1.13.
  const version = (r as { readonly context?: { readonly cilium?: string } }).context?.cilium;
  return RELEASES.find((x) => x.version === version) ?? V1_13_0;
}

/** BPFFileName(__id_for_file(file)): the file's base name if the release numbers it, else "unknown(0)". */
export function bpfFileName(release: CiliumRelease, file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return release.pick(FILE_NAMES).includes(base) ? base : 'unknown(0)';
}

/** policy.AuthType.String() (pkg/policy/l4.go@v1.16.15, pkg/policy/types/auth.go@v1.18.3). */
export function authTypeName(t: number): string {
  return t === 0 ? 'disabled' : t === 1 ? 'spire' : t === 2 ? 'test-always-fail' : `Unknown-auth-type-${t}`;
}

/** Identities as `cilium monitor` prints them without -n: reserved names, else the number. */
export function monitorIdentity(id: number): string {
  return reservedName(id) ?? String(id);
}

/** GetConnectionSummary of pkg/monitor/dissect.go. */
export function connectionSummary(ev: EventMeta): string {
  const t = ev.tuple;
  if (t.proto === 'icmp') return `${t.src} -> ${t.dst} ${t.icmpType === 8 ? 'EchoRequest' : t.icmpType === 0 ? 'EchoReply' : `${t.icmpType}`}`;
  const flags = t.proto === 'tcp' && t.tcpFlags ? ` ${t.tcpFlags}` : '';
  return `${t.src}:${t.sport} -> ${t.dst}:${t.dport} ${t.proto}${flags}`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function traceSummary(n: Extract<TraceNode, { kind: 'trace_point' }>): string {
  switch (n.point) {
    case 'TRACE_TO_LXC': return `-> endpoint ${n.dstEp}`;
    case 'TRACE_TO_PROXY': return n.dstEp !== 0 ? `-> proxy port ${n.dstEp}` : '-> proxy'; // datapath_trace.go:160-165
    case 'TRACE_TO_HOST': return '-> host from';
    case 'TRACE_TO_STACK': return '-> stack';
    case 'TRACE_TO_OVERLAY': return '-> overlay';
    case 'TRACE_FROM_LXC': return `<- endpoint ${n.source}`;
    case 'TRACE_FROM_PROXY': return '<- proxy';
    case 'TRACE_FROM_HOST': return '<- host';
    case 'TRACE_FROM_STACK': return '<- stack';
    case 'TRACE_FROM_OVERLAY': return '<- overlay';
    case 'TRACE_FROM_NETWORK': return '<- network';
    default: return '-> network';
  }
}

/**
 * The proxy's access-log record as LogRecordNotify.DumpInfo prints it (pkg/monitor/logrecord.go,
 * v1.13.0:56-76, same at v1.16.15 and v1.18.3): `<-` ingress, `->` egress; the local endpoint's
 * ID, 0 for the remote side; labels as `[k8s:a=b …]`; `=> 403` for a denial, `=> 0` for a
 * forwarded request (no response is simulated).
 */
export function l7MonitorLine(l: L7Record, r: TraceResult): string {
  const epId = (ip: string) => r.endpoints.find((e) => e.ip === ip)?.endpointId ?? 0;
  const labels = (id: number) => `[${(r.labelsOf(id) ?? []).join(' ')}]`;
  const [srcEp, dstEp] = l.direction === 'ingress' ? [0, epId(l.dst)] : [epId(l.src), 0];
  const verdict = l.verdict === 'DENIED' ? 'Denied' : 'Forwarded';
  // DumpInfo for a DNS request: " DNS %s: %s %s" (ObservationSource proxy, the query, its types).
  if (l.dns) return `-> Request dns from ${srcEp} (${labels(l.srcId)}) to ${dstEp} (${labels(l.dstId)}), identity ${l.srcId}->${l.dstId}, verdict ${verdict} DNS proxy: ${l.dns.query} ${l.dns.qtype}`;
  return `${l.direction === 'ingress' ? '<-' : '->'} Request http from ${srcEp} (${labels(l.srcId)}) to ${dstEp} (${labels(l.dstId)}), identity ${l.srcId}->${l.dstId}, verdict ${verdict} ${l.method} ${l.url} => ${l.code}`;
}

function line(n: TraceNode, release: CiliumRelease, r?: TraceResult): string | undefined {
  switch (n.kind) {
    case 'l7': return r ? l7MonitorLine(n.record, r) : undefined;
    case 'trace_point':
      return `${traceSummary(n)} flow ${hex(n.ev.hash)} , identity ${monitorIdentity(n.srcId)}->${monitorIdentity(n.dstId)} state ${n.reason} ifindex ${n.ev.ifname ?? n.ifindex} orig-ip ${n.origIp}: ${connectionSummary(n.ev)}`;
    case 'drop':
      if (!n.notify) return undefined; // bpf_sock refuses the syscall; there is no drop event
      return `xx drop (${n.drop.text}) flow ${hex(n.ev.hash)} to endpoint ${n.dstEp}, ifindex ${n.ev.ifindex}, file ${release.has('drop-file-name') ? bpfFileName(release, n.notifier) : FILE_IDS[n.notifier] ?? 0}:${n.notifyLine ?? 0}, , identity ${monitorIdentity(n.srcId)}->${monitorIdentity(n.dstId)}: ${connectionSummary(n.ev)}`;
    case 'policy': {
      // The datapath decided whether send_policy_verdict_notify emits (see the node's notify).
      if (!n.notify) return undefined;
      const proto = n.ev.tuple.proto === 'icmp' ? 1 : n.ev.tuple.proto === 'tcp' ? 6 : 17;
      // GetPolicyActionString: verdict < 0 deny, > 0 redirect (proxy port), else allow.
      const action = n.verdict < 0 ? 'deny' : n.verdict > 0 ? 'redirect' : 'allow';
      // v1.14+: ", action %s, auth: %s, match %s" (auth_type of the policy entry; 0 = disabled).
      const auth = release.has('verdict-auth-field') ? `, auth: ${authTypeName((n as { readonly authType?: number }).authType ?? 0)}` : '';
      return `Policy verdict log: flow ${hex(n.ev.hash)} local EP ID ${n.endpoint}, remote ID ${monitorIdentity(n.remoteId)}, proto ${proto}, ${n.direction}, action ${action}${auth}, match ${n.match}, ${connectionSummary(n.ev)}`;
    }
    default:
      return undefined;
  }
}

function collect(nodes: readonly TraceNode[], out: string[], release: CiliumRelease, r: TraceResult): void {
  for (const n of nodes) {
    const l = line(n, release, r);
    if (l !== undefined) out.push(l);
    if ('children' in n) collect(n.children, out, release, r);
  }
}

export function renderMonitor(r: TraceResult): string {
  const out: string[] = [];
  collect(r.hops, out, releaseOfResult(r), r);
  return out.map((l) => l + '\n').join('');
}
