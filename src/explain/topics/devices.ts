// The network devices Cilium v1.13 creates or attaches to, in plain words (bpf/init.sh,
// pkg/datapath/loader/loader.go as the reference describes them).
import type { Topic } from './types.js';

export function deviceTopics(): Topic[] {
  return [
    {
      id: 'cilium_host', kind: 'device', title: "one end of the cilium_host/cilium_net veth pair; carries the node's router IP for its pods",
      aliases: [],
      what: "The node's gateway device for its pods: it holds the router IP (the pods' default gateway) and the route to the pod CIDR points at it.",
      when: "bpf_host runs on it: cil_to_host on tc ingress, cil_from_host on tc egress (host-to-pod traffic). Its address is in the ipcache as host (1) locally and, on other nodes, as remote-node with a tunnel endpoint. Pods resolve the gateway to their own host-side veth's MAC (ARP responder), not to cilium_host's.",
      next: 'cilium-trace devices shows its filters; ip addr show cilium_host on a node.',
      source: ['bpf/init.sh', 'pkg/datapath/loader/loader.go (reloadHostDatapath)', 'bpf/bpf_host.c'],
      see: ['cil_from_host', 'cil_to_host', 'cilium_net'],
    },
    {
      id: 'cilium_net', kind: 'device', title: 'the other end of the cilium_host/cilium_net veth pair',
      aliases: [],
      what: 'The peer of cilium_host: packets sent out of cilium_host arrive on cilium_net and the reverse.',
      when: 'bpf_host runs on its tc ingress (to-host, compiled separately as bpf_host_cilium_net.o with its own cilium_calls_netdev_<ifindex> array).',
      next: 'cilium-trace devices shows its filter.',
      source: ['bpf/init.sh', 'pkg/datapath/loader/loader.go (reloadHostDatapath)'],
      see: ['cilium_host', 'cil_to_host'],
    },
    {
      id: 'cilium_vxlan', kind: 'device', title: 'the collect-metadata tunnel device (cilium_vxlan, UDP 8472; cilium_geneve, UDP 6081)',
      aliases: ['cilium_geneve', 'vxlan', 'geneve', 'tunnel device', 'vni'],
      what: "The node's tunnel device in tunnel mode: one 'external' VXLAN (or Geneve) device that takes the VNI and remote address of each packet from BPF.",
      when: "init.sh creates it as `type vxlan external` (v1.16 creates it from Go). bpf_overlay runs on it: cil_to_overlay on egress before the kernel adds the outer Ethernet/IP/UDP/VXLAN headers, cil_from_overlay on ingress after it removed them. The VNI is the sender's security identity, so the identity travels with the packet; the outer source IP comes from the kernel's route lookup, the outer UDP source port from a hash of the inner flow, and the pods' route MTU is 1500 - 50 = 1450.",
      next: 'cilium-trace devices shows its filters; ip -d link show cilium_vxlan on a node.',
      source: ['bpf/init.sh', 'bpf/bpf_overlay.c', 'pkg/mtu/mtu.go'],
      see: ['cil_from_overlay', 'cil_to_overlay', '__encap_with_nodeid'],
    },
    {
      id: 'lxc', kind: 'device', title: "lxc<hash>: the host side of a pod's veth pair (lxc_health for the health endpoint)",
      aliases: ['lxc*', 'host-side veth', 'veth'],
      pattern: /^lxc[0-9a-f_]/,
      what: "The host side of a pod's veth pair: what the pod sends out of its eth0 arrives here.",
      when: "bpf_lxc's cil_from_container runs on its tc ingress (packets leaving the pod); tc egress has a program only with endpoint routes. Its ifindex and MAC are in the pod's cilium_lxc entry (ifindex=, nodemac=), and the pod's gateway resolves to this MAC.",
      next: 'cilium-trace devices shows the filters; cilium-trace maps endpoint shows which pod has which ifindex.',
      source: ['plugins/cilium-cni', 'pkg/datapath/loader/loader.go', 'bpf/bpf_lxc.c'],
      see: ['cil_from_container', 'cilium_lxc'],
    },
  ];
}
