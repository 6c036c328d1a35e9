// The host routing table the agent and the system leave on a node (v1.13, cluster-pool IPAM):
// local addresses, the local pod CIDR and, in tunnel mode, every remote pod CIDR via
// cilium_host with the route MTU (pkg/datapath/linux/node.go, routing.go); in native mode
// remote pod CIDRs via the remote node IP (auto-direct-node-routes); the node subnet on the
// native device and a default route out of it.
import { IP_ZERO, type Ipv4 } from '../net/ip.js';
import type { NodeSpec, Scenario } from '../scenario/types.js';
import type { HostRoute } from '../node-state/node.js';

export function hostRoutes(scenario: Scenario, n: NodeSpec, routeMtu: number): HostRoute[] {
  const routes: HostRoute[] = [
    { dst: { addr: n.ip, len: 32 }, dev: n.device.name, local: true },
    { dst: { addr: n.ciliumHostIp, len: 32 }, dev: 'cilium_host', local: true },
  ];
  // Every pod CIDR of a node (GetIPv4AllocCIDRs: the primary and the secondary ones) is routed alike.
  for (const dst of [n.podCIDR, ...(n.extraPodCIDRs ?? [])]) routes.push({ dst, dev: 'cilium_host', via: n.ciliumHostIp, src: n.ciliumHostIp });
  for (const other of scenario.nodes) {
    if (other.name === n.name) continue;
    for (const dst of [other.podCIDR, ...(other.extraPodCIDRs ?? [])]) {
      routes.push(scenario.cluster.routing === 'tunnel'
        ? { dst, dev: 'cilium_host', via: n.ciliumHostIp, src: n.ciliumHostIp, mtu: routeMtu }
        : { dst, dev: n.device.name, via: other.ip });
    }
    routes.push({ dst: { addr: other.ip, len: 32 }, dev: n.device.name, src: n.ip });
  }
  routes.push({ dst: { addr: IP_ZERO as Ipv4, len: 0 }, dev: n.device.name, src: n.ip });
  return routes.sort((a, b) => b.dst.len - a.dst.len || a.dst.addr - b.dst.addr);
}
