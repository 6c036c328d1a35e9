// The devices view: what `tc filter show dev DEV ingress|egress` prints on a node running
// Cilium v1.13, device by device, and (with calls) the content of every prog array and the
// bpf_sock programs at the cgroup v2 root.
// Format: iproute2's bpf filter output as in seed note 001, in its newer shape with
// `chain 0` and `not_in_hw id N tag T`; each line ends in a space, as tc prints it. The
// filter name is `<object file>:[<section>]`; the object files are named as the v1.13 loader
// names them (bpf_lxc.o, bpf_host.o, bpf_host_cilium_net.o, bpf_netdev_<dev>.o,
// bpf_overlay.o; seed notes 001 and 002). Ids are the loader's deterministic program ids.
// A real tag is a hash of the program's instructions; here it is a hash of (object, section),
// so the same program text has the same tag on every device and node.
// Prog arrays print as seed note 002 does: `cilium_calls_00908[6] = tail_handle_arp`.
import type { Device, NodeDatapath } from '../node-state/node.js';
import type { ProgramRef } from '../maps/callmap.js';
import { sha256Hex } from '../util/hash.js';

export interface DevicesOptions {
  /** Also list the prog arrays and the cgroup programs. */
  readonly calls: boolean;
  /** Print a `node NAME` line before each node (when showing every node). */
  readonly nodeHeaders: boolean;
}

/** 16 hex digits standing in for the kernel's program tag (a hash of the instructions). */
export function programTag(prog: Pick<ProgramRef, 'object' | 'section'>): string {
  return sha256Hex(`${prog.object}:[${prog.section}]`).slice(0, 16);
}

/** The ELF object the v1.13 loader compiled for this device (pkg/datapath/loader, init.sh). */
export function objectFileName(device: Device): string {
  switch (device.kind) {
    case 'lxc': return 'bpf_lxc.o';
    case 'cilium_host': return 'bpf_host.o';
    case 'cilium_net': return 'bpf_host_cilium_net.o';
    case 'native': return `bpf_netdev_${device.name}.o`;
    case 'tunnel': return 'bpf_overlay.o';
  }
}

/** `tc filter show dev DEV HOOK`: two lines per attached bpf filter, nothing when none. */
export function tcFilterShow(device: Device, hook: 'ingress' | 'egress'): string[] {
  const prog = device.tc[hook];
  if (!prog) return [];
  return [
    'filter protocol all pref 1 bpf chain 0 ',
    `filter protocol all pref 1 bpf chain 0 handle 0x1 ${objectFileName(device)}:[${prog.section}] direct-action not_in_hw id ${prog.progId} tag ${programTag(prog)} `,
  ];
}

function deviceLines(node: NodeDatapath): string[] {
  const out: string[] = [];
  const devices = [...node.devices.values()].sort((a, b) => a.ifindex - b.ifindex);
  devices.forEach((d, i) => {
    if (i > 0) out.push('');
    for (const hook of ['ingress', 'egress'] as const) {
      out.push(`$ tc filter show dev ${d.name} ${hook}`);
      out.push(...tcFilterShow(d, hook));
    }
  });
  return out;
}

function callsLines(node: NodeDatapath): string[] {
  const out: string[] = ['', 'prog arrays (map[slot] = program):'];
  const arrays = [...node.maps.progArrays.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const a of arrays) for (const { slot, prog } of a.entries()) out.push(`${a.name}[${slot}] = ${prog.name}`);
  out.push('');
  if (node.cgroup.size === 0) {
    out.push('cgroup v2 root: no bpf_sock programs (socket LB is off)');
    return out;
  }
  out.push('cgroup v2 root (bpf_sock.o):');
  for (const prog of node.cgroup.values()) out.push(`${prog.section} = ${prog.name}`);
  return out;
}

/** The devices view of the given nodes, in the order given. */
export function renderDevices(nodes: readonly NodeDatapath[], opts: DevicesOptions): string {
  const out: string[] = [];
  nodes.forEach((n, i) => {
    if (i > 0) out.push('');
    if (opts.nodeHeaders) out.push(`node ${n.name}`);
    out.push(...deviceLines(n));
    if (opts.calls) out.push(...callsLines(n));
  });
  return out.join('\n') + '\n';
}
