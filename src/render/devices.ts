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
//
// v1.16+ (pkg/datapath/loader/tc.go attachSKBProgram): with enable-tcx (default true,
// daemon/cmd/daemon_main.go) the Go loader attaches every program as a tcx link when the
// kernel has tcx (Linux 6.6, Documentation/operations/upgrade.rst@v1.16.0), else as a legacy
// tc filter named `<program>-<device>` (upsertTCProgram: fmt.Sprintf("%s-%s", progName,
// device), priority bpf-filter-priority, default 1); init.sh no longer attaches the overlay.
// A tcx link is no tc filter: `tc filter show` prints nothing for it.
import type { CiliumRelease } from '../cilium/releases/release.js';
import type { Device, NodeDatapath } from '../node-state/node.js';
import type { ProgramRef } from '../maps/callmap.js';
import { sha256Hex } from '../util/hash.js';

/** The first kernel with tcx (bpf_mprog links on tc hooks). */
export const TCX_KERNEL = '6.6';

/** The kernel the nodes are assumed to run when nothing says: seed note 000's (the default cluster's). */
export const DEFAULT_KERNEL = '6.0';

export interface DevicesOptions {
  /** Also list the prog arrays and the cgroup programs. */
  readonly calls: boolean;
  /** Print a `node NAME` line before each node (when showing every node). */
  readonly nodeHeaders: boolean;
  /** The release whose loader attached the programs (v1.13.0 when absent). */
  readonly release?: CiliumRelease;
  /** The nodes' kernel version (e.g. 6.0) and whether the user gave it. */
  readonly kernel?: { readonly version: string; readonly given: boolean };
}

/** Is kernel `v` (6.8, 6.6.1) at least `min`? */
export function kernelAtLeast(v: string, min: string): boolean {
  const a = v.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

type Attach = 'tc-init' | 'tc-loader' | 'tcx';

/** How the release's loader attaches on this kernel: legacy tc (init.sh names / Go loader names) or tcx. */
function attachMode(opts: DevicesOptions): Attach {
  const r = opts.release;
  if (!r || !r.has('tcx')) return 'tc-init';
  return kernelAtLeast(opts.kernel?.version ?? DEFAULT_KERNEL, TCX_KERNEL) ? 'tcx' : 'tc-loader';
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

/**
 * The tc filter's name: at v1.13.0 `cilium-<ifname>` from the Go loader, `<object>:[<section>]`
 * from init.sh; from v1.16 `<program>-<ifname>` for every device (tc.go upsertTCProgram).
 */
export function filterName(device: Device, prog: ProgramRef, mode: Attach = 'tc-init'): string {
  if (mode !== 'tc-init') return `${prog.name}-${device.name}`;
  return device.kind === 'tunnel' ? `${prog.object}.o:[${prog.section}]` : `cilium-${device.name}`;
}

/** `tc filter show dev DEV HOOK`: two lines per attached bpf filter, nothing when none (or a tcx link). */
export function tcFilterShow(device: Device, hook: 'ingress' | 'egress', mode: Attach = 'tc-init'): string[] {
  const prog = device.tc[hook];
  if (!prog) return [];
  if (mode === 'tcx') return [`# ${prog.name} (id ${prog.progId}) is attached as a tcx/${hook} link, which tc filter show does not list`];
  // The kernel keeps BPF_OBJ_NAME_LEN - 1 = 15 characters of the program name.
  return [
    'filter protocol all pref 1 bpf chain 0 ',
    `filter protocol all pref 1 bpf chain 0 handle 0x1 ${filterName(device, prog, mode)} direct-action not_in_hw id ${prog.progId} name ${prog.name.slice(0, 15)} tag ${programTag(prog)} jited`,
  ];
}

function deviceLines(node: NodeDatapath, mode: Attach): string[] {
  const out: string[] = [];
  const devices = [...node.devices.values()].sort((a, b) => a.ifindex - b.ifindex);
  devices.forEach((d, i) => {
    if (i > 0) out.push('');
    for (const hook of ['ingress', 'egress'] as const) {
      out.push(`$ tc filter show dev ${d.name} ${hook}`);
      out.push(...tcFilterShow(d, hook, mode));
    }
  });
  return out;
}

function callsLines(node: NodeDatapath, r: CiliumRelease | undefined): string[] {
  // The size line is new with the profiles; the v1.13.0 view stays as it was (its fixture).
  const size = r && r.profile !== '1.13' ? [`(cilium_calls_* hold CILIUM_CALL_SIZE = ${r.calls.size} slots at ${r.version}, ${r.calls.file}; the loader fills only these)`] : [];
  const out: string[] = ['', 'prog arrays (map[slot] = program):', ...size];
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

/** What the view assumes about the kernel and the attach API (v1.16+ only; v1.13.0 always used tc). */
function assumption(opts: DevicesOptions, mode: Attach): string[] {
  const r = opts.release;
  if (!r || mode === 'tc-init') return [];
  const k = opts.kernel ?? { version: DEFAULT_KERNEL, given: false };
  const whose = k.given ? `kernel ${k.version} (--kernel)` : `kernel ${k.version} assumed (the input names no kernel; seed note 000's node ran 6.0; --kernel to change)`;
  const how = mode === 'tcx' ? `tcx (Linux ${TCX_KERNEL}+), so the programs are tcx links` : `no tcx before Linux ${TCX_KERNEL}, so the loader falls back to legacy tc filters`;
  return [`# Cilium ${r.version}: enable-tcx=true (pkg/datapath/loader/tc.go); ${whose}: ${how}`, ''];
}

/** The devices view of the given nodes, in the order given. */
export function renderDevices(nodes: readonly NodeDatapath[], opts: DevicesOptions): string {
  const mode = attachMode(opts);
  const out: string[] = [...assumption(opts, mode)];
  nodes.forEach((n, i) => {
    if (i > 0) out.push('');
    if (opts.nodeHeaders) out.push(`node ${n.name}`);
    out.push(...deviceLines(n, mode));
    if (opts.calls) out.push(...callsLines(n, opts.release));
  });
  return out.join('\n') + '\n';
}
