// The host's IP stack, as far as Cilium's paths need it: a route lookup in the node's table
// (filled by the control plane as the agent and system set it up), local delivery, and
// forwarding out of a device. Kernel behaviour, not Cilium code; of netfilter only the mark of
// host traffic and iptables masquerading (kernel/netfilter.ts) are simulated.
import { formatIpv4, formatPrefix, maskOf, type Ipv4 } from '../../net/ip.js';
import type { TraceBuilder } from '../../trace/builder.js';
import type { HostRoute, NodeDatapath } from '../../node-state/node.js';

export function routeLookup(node: NodeDatapath, dst: Ipv4): HostRoute | undefined {
  return node.hostRoutes.find((r) => ((dst & maskOf(r.dst.len)) >>> 0) === r.dst.addr);
}

export function describeRoute(r: HostRoute): string {
  const dst = r.dst.len === 0 ? 'default' : r.dst.len === 32 ? formatIpv4(r.dst.addr) : formatPrefix(r.dst);
  if (r.local) return `local ${dst} dev ${r.dev}`;
  return `${dst}${r.via !== undefined ? ` via ${formatIpv4(r.via)}` : ''} dev ${r.dev}${r.src !== undefined ? ` src ${formatIpv4(r.src)}` : ''}${r.mtu !== undefined ? ` mtu ${r.mtu}` : ''}`;
}

export function traceRoute(tb: TraceBuilder, node: NodeDatapath, dst: Ipv4): HostRoute | undefined {
  const r = routeLookup(node, dst);
  tb.add({ kind: 'kernel', op: 'route', text: r ? `ip route get ${formatIpv4(dst)}: ${describeRoute(r)}` : `ip route get ${formatIpv4(dst)}: no route` });
  return r;
}
