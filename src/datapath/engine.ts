// The engine moves a packet between attach points: from the source pod's netns to the
// host-side veth's tc ingress, through redirects, the kernel's tunnel devices, the native
// devices and the wire, to a delivery or a drop. At each device it runs the program the
// loader attached to that hook; what happens after CTX_ACT_OK is the kernel's part. Before
// any packet exists, connect()/sendmsg() of a pod or of the host netns (host processes and
// hostNetwork pods alike: bpf_sock sits at the cgroup v2 root) runs the cgroup programs.
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import { ETH_P_ARP, describeInner, describeOuter, type Packet } from '../net/packet.js';
import { TraceBuilder } from '../trace/builder.js';
import type { SockCgroup, TraceNode } from '../trace/tree.js';
import { dropInfo, type Ctx, type DatapathOptions, type Ret, type SkbState, type TunnelKey } from './context.js';
import { podArpRequest, podReceive, podTransmit } from './kernel/netns.js';
import { decapsulate, describeRoute, encapsulate } from './kernel/tunnel.js';
import { traceRoute } from './kernel/stack.js';
import { postroutingMasquerade, preroutingDenat } from './kernel/netfilter.js';
import { objectFile, type ClusterDatapath, type Device, type HostRoute, type NodeDatapath } from '../node-state/node.js';
import { runProgram } from './programs.js';
import { policyMapName } from '../cilium/releases/map-names.js';
import { eventMeta } from './lib/trace.js';
import { MARK_MAGIC_PROXY_EGRESS, MARK_MAGIC_PROXY_INGRESS } from './bpf_host.js';
import { dnsRuleOf, evaluateDns, upstreamMark, type DnsQuery } from '../proxy/dns-proxy.js';
import { evaluateHttp, HTTP_403_BODY, proposeRule, requestUrl, type HttpRequest } from '../proxy/envoy-http.js';
import type { L7Record, ProxyHandoff } from '../trace/tree.js';

const HOP_LIMIT = 32;

/** Where the packet enters: a pod's netns, a node's own stack, or a node's native device from outside. */
export type Injection =
  | { readonly from: 'pod'; readonly node: string; readonly srcIp: Ipv4; readonly packet: Packet; readonly traceArp: boolean; readonly isReply?: boolean }
  /** `pod`: the hostNetwork pod (namespace/name) whose process sends, if not a host process. */
  | { readonly from: 'host'; readonly node: string; readonly packet: Packet; readonly isReply?: boolean; readonly pod?: string }
  | { readonly from: 'network'; readonly node: string; readonly packet: Packet };

/** The MAC the simulated upstream router uses on every node's segment. */
const UPSTREAM_MAC = '02:00:00:00:00:01' as Packet['ethSrc'];

export type Outcome =
  | { readonly kind: 'delivered'; readonly node: string; readonly target: string; readonly via: string; readonly ifindex: number; readonly packet?: Packet }
  | { readonly kind: 'dropped'; readonly node: string }
  /** A bpf_sock program refused the socket call: no packet was ever sent. */
  | { readonly kind: 'refused'; readonly node: string }
  | { readonly kind: 'error'; readonly node: string; readonly text: string };

interface Event {
  readonly node: NodeDatapath;
  readonly device: Device;
  readonly dir: 'ingress' | 'egress';
  readonly pkt: Packet;
  readonly tunnelKey: TunnelKey | undefined;
  readonly cb: Map<string, number>;
  /** The skb's kernel state: the same object while the skb stays on one node, a new one per node and packet. */
  readonly skb: SkbState;
}

const newSkb = (): SkbState => ({ hash: undefined });

export function runTrace(cluster: ClusterDatapath, inj: Injection, opts: DatapathOptions): { hops: TraceNode[]; outcome: Outcome } {
  const tb = new TraceBuilder(cluster.release);
  const node = cluster.nodes.get(inj.node);
  if (!node) throw new Error(`no node ${inj.node}`);
  if (inj.from === 'host') return { hops: tb.hops, outcome: hostOriginated(cluster, tb, node, inj, opts) };
  if (inj.from === 'network') {
    const native = nativeDevice(node);
    tb.hop(node.name, `network → ${native.name}`, 'wire');
    tb.add({ kind: 'kernel', op: 'wire', text: `${formatIpv4(inj.packet.src)} > ${formatIpv4(inj.packet.dst)} arrives from outside the cluster, source address preserved` });
    const pkt: Packet = { ...inj.packet, ethSrc: UPSTREAM_MAC, ethDst: native.mac };
    return { hops: tb.hops, outcome: walk(cluster, tb, { node, device: native, dir: 'ingress', pkt, tunnelKey: undefined, cb: new Map(), skb: newSkb() }, opts) };
  }
  return runFromPod(cluster, tb, node, inj, opts);
}

function runFromPod(cluster: ClusterDatapath, tb: TraceBuilder, node: NodeDatapath, inj: Extract<Injection, { from: 'pod' }>, opts: DatapathOptions): { hops: TraceNode[]; outcome: Outcome } {
  const ns = node.netns.get(inj.srcIp);
  if (!ns) throw new Error(`no netns for ${formatIpv4(inj.srcIp)} on ${inj.node}`);
  const veth = node.devices.get(ns.hostIfindex);
  if (!veth) throw new Error(`no host veth ${ns.hostIfindex}`);
  let packet = inj.packet;
  // A reply is written on an accepted/connected socket: no connect4/sendmsg4 translation.
  if (inj.isReply !== true) {
    const sock = runSockHook(cluster, tb, node, `${ns.display} socket`, packet, opts, { inHostns: false, cgroup: { kind: 'pod', ip: formatIpv4(ns.ip) } });
    if ('outcome' in sock) return { hops: tb.hops, outcome: sock.outcome };
    packet = sock.packet;
  }
  if (packet.dst === ns.ip) {
    // The pod's own address is local to its netns: the kernel loops it back on lo.
    tb.hop(node.name, `${ns.display} netns`, 'kernel');
    tb.add({ kind: 'kernel', op: 'route', text: `local ${formatIpv4(ns.ip)} dev lo (the pod's own address)` });
    tb.add({ kind: 'deliver', node: node.name, target: ns.display, ifname: 'lo', via: 'loopback', ifindex: 1, packet: describeInner(packet) });
    return { hops: tb.hops, outcome: { kind: 'delivered', node: node.name, target: ns.display, via: 'loopback', ifindex: 1, packet } };
  }
  if (inj.traceArp) {
    const arp = podArpRequest(tb, node, ns, packet);
    const arpOutcome = walk(cluster, tb, { node, device: veth, dir: 'ingress', pkt: arp, tunnelKey: undefined, cb: new Map(), skb: newSkb() }, opts);
    if (arpOutcome.kind !== 'delivered') return { hops: tb.hops, outcome: arpOutcome };
  }
  const first = podTransmit(tb, node, ns, packet, inj.traceArp);
  const outcome = walk(cluster, tb, { node, device: veth, dir: 'ingress', pkt: first, tunnelKey: undefined, cb: new Map(), skb: newSkb() }, opts);
  return { hops: tb.hops, outcome };
}

/**
 * cgroup/connect4 (TCP) or cgroup/sendmsg4 (UDP) at the cgroup v2 root, when socket LB loaded
 * them: the socket's destination may become a Service backend before any packet exists, or
 * the call is refused. ICMP (ping sockets) never reaches these hooks.
 */
function runSockHook(cluster: ClusterDatapath, tb: TraceBuilder, node: NodeDatapath, where: string, packet: Packet, opts: DatapathOptions, sock: { readonly inHostns: boolean; readonly cgroup: SockCgroup }): { packet: Packet } | { outcome: Outcome } {
  const hook = packet.l4.proto === 'udp' ? 'sendmsg4' : 'connect4';
  const sockProg = node.cgroup.get(hook);
  if (!sockProg || packet.l4.proto === 'icmp') return { packet };
  tb.hop(node.name, where, `cgroup/${hook}`, `bpf_sock.o [${sockProg.section}]`);
  const ctx: Ctx = { cluster, node, tb, opts, prog: sockProg, pkt: packet, ifindex: 0, cb: new Map(), tunnelKey: undefined, ctBuffer: undefined, dropNotified: false, lbRevNat: 0, sock };
  const ret = runProgram(ctx, sockProg);
  if (ret.kind === 'refused') return { outcome: { kind: 'refused', node: node.name } };
  if (ret.kind === 'drop') {
    tb.add({ kind: 'drop', drop: dropInfo(ret.macro), fn: ret.fn ?? sockProg.name, file: ret.file ?? 'bpf/bpf_sock.c', direction: 'egress', notifier: 'bpf/bpf_sock.c', notifierFn: sockProg.name, notifyLine: null, notify: false, srcId: 0, dstId: 0, dstEp: 0, ev: eventMeta(ctx, 0) });
    return { outcome: { kind: 'dropped', node: node.name } };
  }
  if (ret.kind === 'unsimulated') {
    tb.add(ret.proxy ? { kind: 'not_simulated', text: ret.text, proxy: ret.proxy } : { kind: 'not_simulated', text: ret.text });
    return { outcome: { kind: 'error', node: node.name, text: ret.text } };
  }
  return { packet: ctx.pkt };
}

function runHook(cluster: ClusterDatapath, tb: TraceBuilder, ev: Event, opts: DatapathOptions): { ret: Ret; ctx: Ctx } {
  const prog = ev.device.tc[ev.dir];
  tb.hop(ev.node.name, ev.device.name, `tc ${ev.dir}`, prog ? `${objectFile(ev.device, prog.object, cluster.release)} [${prog.section}]` : undefined);
  const ctx: Ctx = { cluster, node: ev.node, tb, opts, prog: prog ?? ({} as never), pkt: ev.pkt, ifindex: ev.device.ifindex, cb: ev.cb, tunnelKey: ev.tunnelKey, ctBuffer: undefined, dropNotified: false, lbRevNat: 0, skb: ev.skb };
  if (!prog) {
    tb.add({ kind: 'kernel', op: 'tc', text: `no BPF program on ${ev.device.name} tc ${ev.dir}: the packet passes` });
    return { ret: { kind: 'ok' }, ctx };
  }
  return { ret: runProgram(ctx, prog), ctx };
}

function walk(cluster: ClusterDatapath, tb: TraceBuilder, start: Event, opts: DatapathOptions): Outcome {
  let ev: Event | undefined = start;
  for (let hops = 0; ev && hops < HOP_LIMIT; hops++) {
    const { ret, ctx } = runHook(cluster, tb, ev, opts);
    const node: NodeDatapath = ev.node;
    if (ret.kind === 'unsimulated') {
      if (ret.proxy?.parser === 'dns' && opts.dns && !ctx.cb.has(`PROXY_VISITED ${ret.proxy.listener}`)) return dnsProxy(cluster, tb, node, ctx, ret.proxy, opts.dns, opts);
      if (ret.proxy?.http && opts.http && !ctx.cb.has(`PROXY_VISITED ${ret.proxy.listener}`)) return envoyHttp(cluster, tb, node, ctx, ret.proxy, opts.http, opts);
      tb.add(ret.proxy ? { kind: 'not_simulated', text: ret.text, proxy: ret.proxy } : { kind: 'not_simulated', text: ret.text });
      return { kind: 'error', node: node.name, text: ret.text };
    }
    if (ret.kind === 'refused' && ret.errno === 'ECONNREFUSED') return { kind: 'refused', node: node.name };
    if (ret.kind === 'refused') return { kind: 'error', node: node.name, text: `${ctx.prog.name} returned SYS_REJECT at a tc hook` };
    if (ret.kind === 'drop') {
      if (!ctx.dropNotified) tb.add({ kind: 'drop', drop: dropInfo(ret.macro), fn: ret.fn ?? ctx.prog.name, file: ret.file ?? '', direction: null, notifier: ret.file ?? '', notifierFn: ret.fn ?? ctx.prog.name, notifyLine: null, notify: true, srcId: 0, dstId: 0, dstEp: 0, ev: eventMeta(ctx) });
      return { kind: 'dropped', node: node.name };
    }
    const next: Event | Outcome = ret.kind === 'redirect' ? followRedirect(tb, node, ctx, ret, ev.skb) : afterOk(cluster, tb, ev, ctx);
    if ('kind' in next) return next;
    ev = next;
  }
  return { kind: 'error', node: ev?.node.name ?? start.node.name, text: `hop limit ${HOP_LIMIT} reached (a forwarding loop?)` };
}

/**
 * The proxy hop: TPROXY hands the connection to Envoy's listener, whose HTTP filter decides
 * (src/proxy/envoy-http.ts). Denied: Envoy answers 403 itself, nothing goes on and no BPF drop
 * event exists. Allowed: Envoy opens the upstream connection with the client's address
 * (IP_TRANSPARENT) and its mark (MARK_MAGIC_PROXY_INGRESS/EGRESS with the client's identity),
 * which the host routes through cilium_host, where bpf_host's cil_from_host takes it on.
 */
function envoyHttp(cluster: ClusterDatapath, tb: TraceBuilder, node: NodeDatapath, ctx: Ctx, h: ProxyHandoff, req: HttpRequest, opts: DatapathOptions): Outcome {
  const pkt = ctx.pkt;
  const direction = h.direction ?? 'ingress';
  const be16 = ((h.port & 0xff) << 8) | ((h.port >> 8) & 0xff);
  const toProxyMark = (((be16 << 16) | 0x0200) >>> 0).toString(16).padStart(8, '0');
  tb.hop(node.name, `host stack → Envoy ${h.listener}`, 'kernel');
  tb.add({ kind: 'kernel', op: 'rule', text: `ip rule fwmark 0x200/0xf00 lookup 2004: local 0.0.0.0/0 dev lo (the packet is for a local socket)` });
  tb.add({ kind: 'kernel', op: 'tproxy', text: `iptables -t mangle CILIUM_PRE_mangle -m mark --mark 0x${toProxyMark} -m comment --comment "cilium: TPROXY to host ${h.listener} proxy" -j TPROXY --tproxy-mark 0x200 --on-port ${h.port}` });
  tb.add({ kind: 'note', text: `proxy port ${h.port}: the agent draws it at random from 10000-20000 (pkg/proxy/proxy.go allocatePort); cilium-trace uses a hash of node and listener instead` });
  tb.hop(node.name, `Envoy ${h.listener} (proxy port ${h.port})`, 'L7 proxy', 'cilium.l7policy HTTP filter (not BPF)');
  tb.add({ kind: 'note', text: cluster.release.has('envoy-daemonset') ? 'Envoy runs in the cilium-envoy DaemonSet pod of the node (host network; Helm envoy.enabled, true for new installations)' : 'Envoy runs inside the cilium-agent pod of the node (host network)', feature: 'envoy-daemonset' });
  tb.add({ kind: 'note', text: `the TCP handshake completes with Envoy (the client's SYN never reaches the server); Envoy reads the request: ${req.method} ${requestUrl(req)}` });
  const srcId = direction === 'ingress' ? (h.remoteId ?? 0) : identityOfIp(node, pkt.src);
  const dstId = direction === 'ingress' ? identityOfIp(node, pkt.dst) : (h.remoteId ?? 0);
  const v = evaluateHttp(h.http ?? [], req);
  const sport = pkt.l4.proto === 'icmp' ? 0 : pkt.l4.sport;
  const dport = pkt.l4.proto === 'icmp' ? 0 : pkt.l4.dport;
  const record: L7Record = {
    type: 'http', direction, verdict: v.allowed ? 'FORWARDED' : 'DENIED', code: v.allowed ? 0 : 403,
    method: req.method, url: requestUrl(req), host: req.host, path: req.path, headers: req.headers,
    node: node.name, listener: h.listener, proxyPort: h.port, srcId, dstId,
    src: formatIpv4(pkt.src), dst: formatIpv4(pkt.dst), sport, dport,
    matched: v.allowed ? (v.matched ? v.matched.text : 'anything (an allow without L7 rules for this port and peer)') : null,
    misses: v.misses.map((m) => ({ rule: m.rule.text, why: m.why })),
    proposal: v.allowed ? null : proposeRule(req),
    from: h.from ?? [],
  };
  tb.add({ kind: 'l7', record });
  if (!v.allowed) {
    tb.add({ kind: 'note', text: `Envoy answers the client itself: HTTP/1.1 403 Forbidden, body "${HTTP_403_BODY}" (--http-403-msg); no BPF drop notification` });
    return { kind: 'dropped', node: node.name };
  }
  const ingress = direction === 'ingress';
  const mark = ((ingress ? MARK_MAGIC_PROXY_INGRESS : MARK_MAGIC_PROXY_EGRESS) | ((srcId & 0xffff) << 16) | ((srcId >> 16) & 0xff)) >>> 0;
  tb.hop(node.name, `Envoy ${h.listener} upstream socket (host netns)`, 'kernel');
  tb.add({ kind: 'note', text: `Envoy connects to ${formatIpv4(pkt.dst)}:${dport} with the client's address ${formatIpv4(pkt.src)} (IP_TRANSPARENT) and SO_MARK 0x${mark.toString(16).padStart(8, '0')} (${ingress ? 'MARK_MAGIC_PROXY_INGRESS' : 'MARK_MAGIC_PROXY_EGRESS'} with identity ${srcId}); the source port is kept as the client's here (an assumption)` });
  const up: Packet = { ...pkt, mark, ttl: 64, ...(pkt.l4.proto === 'tcp' ? { l4: { ...pkt.l4, flags: 'SYN' } } : {}) };
  let route: HostRoute | undefined;
  if (ingress) {
    tb.add({ kind: 'kernel', op: 'rule', text: `ip rule fwmark 0xa00/0xf00 lookup 2005: default via ${formatIpv4(node.config.routerIp)} dev cilium_host (back into Cilium)` });
    route = { dst: { addr: 0 as Ipv4, len: 0 }, dev: 'cilium_host', via: node.config.routerIp };
  } else {
    route = traceRoute(tb, node, up.dst);
  }
  if (!route) return { kind: 'error', node: node.name, text: `no route to ${formatIpv4(up.dst)}` };
  const next = forward(cluster, tb, node, up, route, newSkb());
  if ('kind' in next) return next;
  next.cb.set(`PROXY_VISITED ${h.listener}`, 1); // the upstream never meets its own listener again
  return walk(cluster, tb, next, opts);
}

/**
 * The DNS proxy hop (pkg/fqdn/dnsproxy/proxy.go ServeDNS, v1.13.0:740-900): TPROXY hands the
 * query to the agent's cilium-dns-egress listener; CheckAllowed matches the lowercased FQDN
 * against the rules.dns of the endpoint's port. Denied: sendRefused answers REFUSED itself (no
 * BPF drop event; only the request is logged, verdict Denied). Allowed: the agent forwards the
 * query from a socket of the host netns with SO_MARK MagicMarkIdentity | identity (setSoMark),
 * which bpf_host takes on at cilium_host.
 */
function dnsProxy(cluster: ClusterDatapath, tb: TraceBuilder, node: NodeDatapath, ctx: Ctx, h: ProxyHandoff, q: DnsQuery, opts: DatapathOptions): Outcome {
  const pkt = ctx.pkt;
  const be16 = ((h.port & 0xff) << 8) | ((h.port >> 8) & 0xff);
  const toProxyMark = (((be16 << 16) | 0x0200) >>> 0).toString(16).padStart(8, '0');
  const proto = pkt.l4.proto === 'tcp' ? 'tcp' : 'udp';
  tb.hop(node.name, `host stack → DNS proxy ${h.listener}`, 'kernel');
  tb.add({ kind: 'kernel', op: 'rule', text: `ip rule fwmark 0x200/0xf00 lookup 2004: local 0.0.0.0/0 dev lo (the packet is for a local socket)` });
  tb.add({ kind: 'kernel', op: 'tproxy', text: `iptables -t mangle CILIUM_PRE_mangle -p ${proto} -m mark --mark 0x${toProxyMark} -m comment --comment "cilium: TPROXY to host ${h.listener} proxy" -j TPROXY --tproxy-mark 0x200 --on-port ${h.port}` });
  tb.add({ kind: 'note', text: `proxy port ${h.port}: the agent's DNS proxy port (--tofqdns-proxy-port, 0 = chosen by the OS); cilium-trace uses a hash of node and listener instead` });
  tb.hop(node.name, `DNS proxy ${h.listener} (proxy port ${h.port})`, 'L7 proxy', 'cilium-agent DNS proxy (not BPF)');
  const srcId = identityOfIp(node, pkt.src);
  const dstId = h.remoteId ?? identityOfIp(node, pkt.dst);
  tb.add({ kind: 'note', text: `ServeDNS: the endpoint from the source address ${formatIpv4(pkt.src)}, the server ${formatIpv4(pkt.dst)}:${proto === 'tcp' || proto === 'udp' ? (pkt.l4 as { dport: number }).dport : 0} (identity ${dstId}) from the TPROXY socket; CheckAllowed matches ${q.name} (lowercased, trailing dot) against the rules.dns of that port` });
  const v = evaluateDns((h.rules).map(dnsRuleOf), q.name);
  const sport = pkt.l4.proto === 'icmp' ? 0 : pkt.l4.sport;
  const dport = pkt.l4.proto === 'icmp' ? 0 : pkt.l4.dport;
  const record: L7Record = {
    type: 'dns', direction: 'egress', verdict: v.allowed ? 'FORWARDED' : 'DENIED', code: 0,
    dns: { query: q.name, qtype: 'A', rcode: v.allowed ? 'NOERROR' : 'REFUSED', answers: v.allowed ? q.answers : [], proto },
    method: '', url: '', host: '', path: '', headers: [],
    node: node.name, listener: h.listener, proxyPort: h.port, srcId, dstId,
    src: formatIpv4(pkt.src), dst: formatIpv4(pkt.dst), sport, dport,
    matched: v.matched ? v.matched.text : null,
    misses: v.misses.map((m) => ({ rule: m.text, why: m.regex === null ? '' : `${q.name} does not match ${m.regex}` })),
    proposal: v.allowed ? null : `{matchName: "${q.name.replace(/\.$/, '')}"}`,
    from: h.from ?? [],
  };
  tb.add({ kind: 'l7', record });
  if (!v.allowed) {
    tb.add({ kind: 'note', text: `sendRefused: the DNS proxy answers the client itself with rcode REFUSED (--tofqdns-dns-reject-response-code, default refused); the query is not forwarded and no BPF drop notification exists` });
    return { kind: 'dropped', node: node.name };
  }
  const egressMark = cluster.release.has('dnsproxy-mark-egress');
  const mark = upstreamMark(srcId, egressMark ? 0x0b00 : 0x0f00);
  tb.hop(node.name, `DNS proxy ${h.listener} upstream socket (host netns)`, 'kernel');
  const route = traceRoute(tb, node, pkt.dst);
  if (!route) return { kind: 'error', node: node.name, text: `no route to ${formatIpv4(pkt.dst)}` };
  const src = route.src ?? node.config.routerIp;
  tb.add({ kind: 'note', text: `the DNS proxy forwards the query to ${formatIpv4(pkt.dst)}:${dport} over ${proto} from ${formatIpv4(src)} (a socket of the host netns, not the pod's address) with SO_MARK 0x${mark.toString(16).padStart(8, '0')} (${egressMark ? 'MagicMarkEgress 0x0B00' : 'MagicMarkIdentity 0x0F00'} with identity ${srcId}, ${egressMark ? 'setSoMarks; not the transparent mode, which would keep the pod\'s address: --dnsproxy-enable-transparent-mode, agent default false' : 'setSoMark'}); the source port is the client's here (an assumption)`, feature: 'dnsproxy-mark-egress' });
  if (q.answers.length > 0) {
    tb.add({ kind: 'note', text: `the answer (--resolve or the scenario's dns:): ${q.name} A ${q.answers.join(', ')}` });
    for (const text of fqdnIdentityNotes(cluster, node, q, pendingFqdn(node, ctx, srcId))) tb.add({ kind: 'note', text, feature: 'fqdn-identity-labels' });
  } else {
    tb.add({ kind: 'note', text: `no answer given for ${q.name} (--resolve ${q.name.replace(/\.$/, '')}=IP): the response is not simulated` });
  }
  const up: Packet = { ...pkt, src, mark, ttl: 64 };
  const next = forward(cluster, tb, node, up, route, newSkb());
  if ('kind' in next) return next;
  next.cb.set(`PROXY_VISITED ${h.listener}`, 1);
  return walk(cluster, tb, next, opts);
}

/** The toFQDNs selectors of the client's egress policy (pending peers), as `matchName X` / `matchPattern Y`. */
function pendingFqdn(node: NodeDatapath, ctx: Ctx, srcId: number): string[] {
  const ep = [...node.maps.lxc.entries()].find((e) => e.ip === ctx.pkt.src);
  const map = ep ? node.maps.policy.get(policyMapName(cluster(ctx).release, ep.info.lxcId)) : undefined;
  void srcId;
  const out: string[] = [];
  for (const p of map?.pending ?? []) {
    const m = /toFQDNs\[\d+\] (match(?:Name|Pattern) \S+)/.exec(p.what);
    if (m?.[1] && p.direction === 'egress' && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

function cluster(ctx: Ctx): ClusterDatapath {
  return ctx.cluster;
}

/**
 * What the agent does with an answer for a name some toFQDNs selector matches (notifyOnDNSMsg →
 * NameManager.UpdateGenerateDNS). v1.13.0 (daemon/cmd/fqdn.go:111 AllocateCIDRsForIPs): one
 * node-local CIDR identity per IP, labels cidr:IP/32 and its shorter prefixes plus
 * reserved:world. v1.16.15/v1.18.3 (pkg/policy/api/fqdn.go IdentityLabel, pkg/fqdn/namemanager):
 * the IPs get the label fqdn:<matchName|matchPattern> of each selector that matches, and one
 * node-local identity per label set. Described here; the connection leg of a trace by name
 * runs over the maps the control plane fills with them (src/controlplane/fqdn.ts).
 */
function fqdnIdentityNotes(c: ClusterDatapath, node: NodeDatapath, q: DnsQuery, selectors: readonly string[]): string[] {
  const hits = selectors.filter((s) => evaluateDns([dnsRuleOf(s)], q.name).allowed);
  if (hits.length === 0) return [`no toFQDNs selector of this endpoint's policy matches ${q.name}: the answer gives its addresses no identity (they stay what the ipcache says, world)`];
  const used = node.maps.ipcache.entries().map((e) => e.info.secLabel).filter((id) => id >= 1 << 24);
  let next = Math.max((1 << 24), ...used) + 1;
  const lines = [`toFQDNs ${hits.join(', ')} match ${q.name}: the agent allocates identities for the answer before it returns it to the pod (--tofqdns-proxy-response-max-delay 100ms)`];
  if (c.release.has('fqdn-identity-labels')) {
    const labels = hits.map((h) => `fqdn:${h.replace(/^match(Name|Pattern) /, '')}`).join(' ');
    lines.push(`one node-local identity for the label set [${labels}] (it would be ${next} if no other local identity were taken; the ipcache may add labels of its own, not modelled), shared by ${q.answers.join(', ')}`);
  } else {
    for (const ip of q.answers) lines.push(`${ip}/32: node-local CIDR identity ${next++} (the next local identity this node's ipcache leaves free; AllocateCIDRsForIPs; labels cidr:${ip}/32 and every shorter prefix, reserved:world)`);
  }
  lines.push(`this trace ends at the DNS server; a trace with the name as DST (SRC ${q.name.replace(/\.$/, '')} PROTO) continues with the connection over the maps these answers fill (ipcache /32 entries and policy map entries on ${node.name})`);
  return lines;
}

function identityOfIp(node: NodeDatapath, ip: Ipv4): number {
  return node.maps.ipcache.lookup(ip)?.info.secLabel ?? 0;
}

function followRedirect(tb: TraceBuilder, node: NodeDatapath, ctx: Ctx, ret: Extract<Ret, { kind: 'redirect' }>, skb: SkbState): Event | Outcome {
  const target = node.devices.get(ret.ifindex);
  if (!target) return { kind: 'error', node: node.name, text: `redirect to unknown ifindex ${ret.ifindex}` };
  tb.add({ kind: 'redirect', helper: ret.peer ? 'redirect_peer' : 'redirect', ifindex: ret.ifindex, device: target.name, ingress: ret.ingress });
  if (ret.peer) {
    const ns = [...node.netns.values()].find((n) => n.hostIfindex === ret.ifindex);
    if (!ns) return { kind: 'error', node: node.name, text: `redirect_peer to ${target.name}, which has no pod netns` };
    podReceive(tb, node, ns, ctx.pkt, 'bpf_redirect_peer: straight into the pod, skipping the host-side veth', ret.ifindex);
    return { kind: 'delivered', node: node.name, target: ns.display, via: 'redirect_peer', ifindex: ret.ifindex, packet: ctx.pkt };
  }
  return { node, device: target, dir: ret.ingress ? 'ingress' : 'egress', pkt: ctx.pkt, tunnelKey: ctx.tunnelKey, cb: ctx.cb, skb };
}

/** What the kernel does with a packet a program passed on (CTX_ACT_OK), per device and hook. */
function afterOk(cluster: ClusterDatapath, tb: TraceBuilder, ev: Event, ctx: Ctx): Event | Outcome {
  const node = ev.node;
  const pkt = ctx.pkt;
  switch (`${ev.device.kind}/${ev.dir}`) {
    case 'lxc/egress': {
      const ns = [...node.netns.values()].find((n) => n.hostIfindex === ev.device.ifindex);
      if (!ns) return { kind: 'error', node: node.name, text: `${ev.device.name} has no pod netns` };
      const via = pkt.ethertype === ETH_P_ARP ? 'veth' : 'veth: host-side egress to the pod-side eth0';
      podReceive(tb, node, ns, pkt, via, ev.device.ifindex);
      return { kind: 'delivered', node: node.name, target: ns.display, via: 'redirect', ifindex: ev.device.ifindex, packet: pkt };
    }
    case 'tunnel/egress': {
      const key = ctx.tunnelKey;
      if (!key) return { kind: 'error', node: node.name, text: 'tunnel device transmit without a tunnel key' };
      const native = [...node.devices.values()].find((d) => d.kind === 'native');
      const remoteName = cluster.nodeByIp.get(key.remoteIpv4);
      const remote = remoteName ? cluster.nodes.get(remoteName) : undefined;
      const remoteNative = remote ? [...remote.devices.values()].find((d) => d.kind === 'native') : undefined;
      if (!native || !remote || !remoteNative) {
        tb.add({ kind: 'not_simulated', text: `tunnel endpoint ${formatIpv4(key.remoteIpv4)} is not a node of this cluster` });
        return { kind: 'error', node: node.name, text: `no node owns ${formatIpv4(key.remoteIpv4)}` };
      }
      tb.hop(node.name, ev.device.name, `kernel ${node.config.tunnelProtocol} (external, dstport ${node.config.tunnelPort})`);
      const enc = encapsulate(node, pkt, key, remoteNative.mac, native.mac);
      const o = enc.outer;
      if (o) {
        tb.add({ kind: 'kernel', op: 'route', text: describeRoute(node, key.remoteIpv4, native.name) });
        tb.add({ kind: 'encap', type: o.type, vni: o.vni, outerSrc: formatIpv4(o.src), outerDst: formatIpv4(o.dst), sport: o.sport, dport: o.dport, ttl: o.ttl });
        tb.add({ kind: 'packet', label: 'outer', text: describeOuter(o) });
        tb.add({ kind: 'note', text: 'outer UDP source port: kernel flow hash of the inner packet (udp_flow_src_port), outer UDP checksum 0 (BPF_F_ZERO_CSUM_TX); inner frame unchanged' });
      }
      return { node, device: native, dir: 'egress', pkt: enc, tunnelKey: undefined, cb: new Map(), skb: ev.skb };
    }
    case 'native/egress': {
      const o = pkt.outer;
      const nextHop = o ? o.dst : (ctx.cb.get('NEXT_HOP') ?? pkt.dst);
      const remoteName = cluster.nodeByIp.get(nextHop);
      const remote = remoteName ? cluster.nodes.get(remoteName) : undefined;
      if (!remote) {
        tb.hop(node.name, `${ev.device.name} → network`, 'wire');
        tb.add({ kind: 'kernel', op: 'wire', text: `${formatIpv4(pkt.src)} > ${formatIpv4(pkt.dst)} leaves the cluster through ${ev.device.name}` });
        return { kind: 'delivered', node: node.name, target: 'the network outside the cluster', via: ev.device.name, ifindex: ev.device.ifindex, packet: pkt };
      }
      const remoteNative = nativeDevice(remote);
      tb.hop(node.name, `${ev.device.name} → wire → ${remote.name}/${remoteNative.name}`, 'wire');
      tb.add({ kind: 'kernel', op: 'wire', text: o
        ? `${formatIpv4(o.src)} > ${formatIpv4(o.dst)} udp ${o.sport} > ${o.dport} (underlay: nodes share an L2 segment)`
        : `${formatIpv4(pkt.src)} > ${formatIpv4(pkt.dst)} to ${remote.name} (underlay: nodes share an L2 segment)` });
      const arriving: Packet = o ? pkt : { ...pkt, ethSrc: ev.device.mac, ethDst: remoteNative.mac };
      // Another host receives it: a new skb, whose hash that host computes.
      return { node: remote, device: remoteNative, dir: 'ingress', pkt: arriving, tunnelKey: undefined, cb: new Map(), skb: newSkb() };
    }
    case 'native/ingress': {
      const o = pkt.outer;
      if (!o) return hostStack(cluster, tb, node, pkt, ev.device.name, ev.skb);
      if (o.dst !== node.ip || o.dport !== node.config.tunnelPort) {
        return { kind: 'error', node: node.name, text: 'encapsulated traffic for another host or port is not simulated' };
      }
      const tun = [...node.devices.values()].find((d) => d.kind === 'tunnel');
      if (!tun) return { kind: 'error', node: node.name, text: 'tunnel traffic arrived but this node has no tunnel device' };
      const dec = decapsulate(pkt);
      if (!dec) return { kind: 'error', node: node.name, text: 'decapsulation failed' };
      tb.hop(node.name, tun.name, `kernel ${o.type} receive (udp ${o.dport})`);
      tb.add({ kind: 'kernel', op: 'stack', text: `ip_rcv: ${formatIpv4(o.dst)} is local → udp_rcv port ${o.dport} → ${o.type}_rcv` });
      tb.add({ kind: 'decap', type: o.type, vni: o.vni, outerSrc: formatIpv4(o.src), outerDst: formatIpv4(o.dst) });
      tb.add({ kind: 'note', text: `tunnel metadata for tc: tunnel_id=${dec.key.tunnelId} remote_ipv4=${formatIpv4(dec.key.remoteIpv4)}` });
      return { node, device: tun, dir: 'ingress', pkt: dec.inner, tunnelKey: dec.key, cb: new Map(), skb: ev.skb };
    }
    case 'lxc/ingress':
      if (pkt.ethertype === ETH_P_ARP) {
        const text = 'an ARP request handed to the host stack is not simulated';
        tb.add({ kind: 'not_simulated', text });
        return { kind: 'error', node: node.name, text };
      }
      return hostStack(cluster, tb, node, pkt, ev.device.name, ev.skb);
    default: {
      const text = `the kernel stack after ${ev.device.name} tc ${ev.dir} (CTX_ACT_OK) is not simulated yet`;
      tb.add({ kind: 'not_simulated', text });
      return { kind: 'error', node: node.name, text };
    }
  }
}

function nativeDevice(node: NodeDatapath): Device {
  const d = [...node.devices.values()].find((x) => x.kind === 'native');
  if (!d) throw new Error(`node ${node.name} has no native device`);
  return d;
}

function deviceNamed(node: NodeDatapath, name: string): Device | undefined {
  return [...node.devices.values()].find((d) => d.name === name);
}

/** A packet the stack received from a device (CTX_ACT_OK): deliver locally or forward. */
function hostStack(cluster: ClusterDatapath, tb: TraceBuilder, node: NodeDatapath, received: Packet, indev: string, skb: SkbState): Event | Outcome {
  tb.hop(node.name, 'host stack', 'kernel');
  tb.add({ kind: 'kernel', op: 'rx', text: `ip_rcv on ${indev}` });
  const pkt = preroutingDenat(tb, node, received);
  const route = traceRoute(tb, node, pkt.dst);
  if (!route) return { kind: 'error', node: node.name, text: `no route to ${formatIpv4(pkt.dst)}` };
  if (route.local) {
    tb.add({ kind: 'deliver', node: node.name, target: `the host of ${node.name}`, ifname: route.dev, via: 'stack', ifindex: 0, packet: describeInner(pkt) });
    return { kind: 'delivered', node: node.name, target: `the host of ${node.name}`, via: 'stack', ifindex: 0, packet: pkt };
  }
  tb.add({ kind: 'rewrite', field: 'ttl', from: String(pkt.ttl), to: String(pkt.ttl - 1) });
  return forward(cluster, tb, node, { ...pkt, ttl: pkt.ttl - 1 }, route, skb);
}

/**
 * A packet the host itself sends (SRC is a node address): socket LB at connect()/sendmsg()
 * (the host netns is under the same cgroup v2 root), then route, source address, host mark.
 */
function hostOriginated(cluster: ClusterDatapath, tb: TraceBuilder, node: NodeDatapath, inj: Extract<Injection, { from: 'host' }>, opts: DatapathOptions): Outcome {
  let pkt = inj.packet;
  if (inj.isReply !== true) {
    const where = inj.pod === undefined ? 'host netns socket' : `${inj.pod} (hostNetwork) socket`;
    const sock = runSockHook(cluster, tb, node, where, pkt, opts, { inHostns: true, cgroup: inj.pod === undefined ? { kind: 'host' } : { kind: 'pod', ip: formatIpv4(node.ip) } });
    if ('outcome' in sock) return sock.outcome;
    pkt = sock.packet;
  }
  tb.hop(node.name, 'host netns', 'kernel');
  const route = traceRoute(tb, node, pkt.dst);
  if (!route) return { kind: 'error', node: node.name, text: `no route to ${formatIpv4(pkt.dst)}` };
  if (route.local) {
    tb.add({ kind: 'deliver', node: node.name, target: `the host of ${node.name}`, ifname: 'lo', via: 'stack', ifindex: 1, packet: describeInner(pkt) });
    return { kind: 'delivered', node: node.name, target: `the host of ${node.name}`, via: 'stack', ifindex: 1, packet: pkt };
  }
  const src = route.src ?? node.ip;
  // An unbound socket gets its address at connect() from the route to the (translated)
  // destination: nothing rewrites the packet, it leaves with that source from the start.
  if (src !== pkt.src) tb.add({ kind: 'kernel', op: 'saddr', text: `${formatIpv4(src)}: the source an unbound socket takes at connect() from the route's preferred source (not ${formatIpv4(pkt.src)}; nothing is rewritten)` });
  tb.add({ kind: 'kernel', op: 'mark', text: 'iptables OUTPUT "cilium: host->any mark as from host": skb->mark 0x0c00 (MARK_MAGIC_HOST)' });
  const next = forward(cluster, tb, node, { ...pkt, src, mark: 0x0c00 }, route, newSkb());
  return 'kind' in next ? next : walk(cluster, tb, next, opts);
}

function forward(cluster: ClusterDatapath, tb: TraceBuilder, node: NodeDatapath, pkt: Packet, route: HostRoute, skb: SkbState): Event | Outcome {
  const dev = deviceNamed(node, route.dev);
  if (!dev) return { kind: 'error', node: node.name, text: `route device ${route.dev} not found` };
  const cb = new Map<string, number>();
  if (route.via !== undefined && dev.kind === 'native') cb.set('NEXT_HOP', route.via);
  const nodeIps = new Set([...cluster.nodeByIp.keys()]);
  const masq = postroutingMasquerade(tb, node, pkt, dev, nodeIps);
  tb.add({ kind: 'kernel', op: 'tx', text: `${route.dev} (ifindex ${dev.ifindex})` });
  const out: Packet = dev.kind === 'native' ? { ...masq, ethSrc: dev.mac } : { ...masq, ethSrc: dev.mac, ethDst: dev.mac };
  return { node, device: dev, dir: 'egress', pkt: out, tunnelKey: undefined, cb, skb };
}
