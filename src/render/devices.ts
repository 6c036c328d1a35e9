// The devices view: what `tc filter show dev DEV ingress|egress` prints on a node running
// Cilium v1.13.0, device by device, and (with calls) the content of every prog array and the
// bpf_sock programs at the cgroup v2 root.
// Filter names follow who attached the program: the Go loader (endpoints, cilium_host,
// cilium_net, native devices) names the filter `cilium-<ifname>`
// (pkg/datapath/loader/netlink.go:191 at v1.13.0); init.sh attaches the overlay programs with
// iproute2's tc (bpf/init.sh:444-445), which names them `<object>:[<section>]`.
// The rest is iproute2's format (tc/f_bpf.c, lib/bpf): the header line ends in a space (init.sh
// greps for "bpf chain 0 $"), the filter line in `id N name <15 chars> tag T jited`, as seed
// note 000 shows. Ids and tags a real node showed are pinned in the scenario (the default
// cluster pins seed 000's); otherwise ids are the loader's deterministic ones and a tag stands
// in for the kernel's hash of the instructions: a hash of the object, section and the
// compile-time constants that differ (the endpoint or device), so each endpoint's program has
// its own tag, as on a real node.
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

/** The constants compiled into this copy of the program that make its instructions differ. */
function compiledFor(prog: ProgramRef): string {
  const c = prog.config;
  switch (c.kind) {
    case 'lxc': return `LXC_ID=${c.lxcId}`;
    case 'host': return `HOST_EP_ID=${c.hostEpId} ifindex=${c.ifindex}`;
    case 'overlay': return 'overlay';
    case 'sock': return 'sock';
  }
}

/** The kernel's program tag: pinned from a real node, else 16 hex digits standing in for it. */
export function programTag(prog: ProgramRef): string {
  return prog.tag ?? sha256Hex(`${prog.object}:[${prog.section}] ${compiledFor(prog)}`).slice(0, 16);
}

/** The tc filter's name: `cilium-<ifname>` from the Go loader, `<object>:[<section>]` from init.sh. */
export function filterName(device: Device, prog: ProgramRef): string {
  return device.kind === 'tunnel' ? `${prog.object}.o:[${prog.section}]` : `cilium-${device.name}`;
}

/** `tc filter show dev DEV HOOK`: two lines per attached bpf filter, nothing when none. */
export function tcFilterShow(device: Device, hook: 'ingress' | 'egress'): string[] {
  const prog = device.tc[hook];
  if (!prog) return [];
  // The kernel keeps BPF_OBJ_NAME_LEN - 1 = 15 characters of the program name.
  return [
    'filter protocol all pref 1 bpf chain 0 ',
    `filter protocol all pref 1 bpf chain 0 handle 0x1 ${filterName(device, prog)} direct-action not_in_hw id ${prog.progId} name ${prog.name.slice(0, 15)} tag ${programTag(prog)} jited`,
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
