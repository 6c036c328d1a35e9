// Program arrays: cilium_calls_<EPID5>, cilium_calls_hostns_<EPID5>, cilium_calls_netdev_<IFINDEX5>,
// cilium_calls_overlay_2 and cilium_call_policy. Mirrors pkg/maps/callsmap and
// pkg/maps/policymap (PolicyCallMapName) of v1.13. A slot holds a reference to a loaded
// program; an empty slot makes the tail call fall through, as in the kernel.
// Dump format follows seed note 002: `cilium_calls_00908[6] = tail_handle_arp`.

import { V1_13_0 } from '../cilium/releases/release.js';

export type BpfObject = 'bpf_lxc' | 'bpf_host' | 'bpf_overlay' | 'bpf_sock';

/** Compile-time constants of one loaded object (what ep_config.h / node_config.h give it). */
export type ObjectConfig =
  | {
    readonly kind: 'lxc'; readonly lxcId: number; readonly seclabel: number; readonly lxcIpv4: number; readonly ifindex: number; readonly callsMap: string; readonly policyMap: string;
    /** POLICY_VERDICT_LOG_FILTER (ep_config.h): 0x1 ingress, 0x2 egress policy enabled (pkg/endpoint/bpf.go GetPolicyVerdictLogFilter). */
    readonly policyVerdictLogFilter: number;
  }
  | { readonly kind: 'host'; readonly hostEpId: number; readonly ifindex: number; readonly device: string; readonly callsMap: string }
  | { readonly kind: 'overlay'; readonly seclabel: number; readonly callsMap: string }
  | { readonly kind: 'sock' };

export interface ProgramRef {
  readonly object: BpfObject;
  /** C function name of the program, e.g. tail_handle_ipv4. */
  readonly name: string;
  /** ELF section, e.g. from-container or 2/7. */
  readonly section: string;
  readonly config: ObjectConfig;
  /** Deterministic program id, as `tc filter show` and bpftool print. */
  readonly progId: number;
  /** The kernel's tag (a hash of the instructions), when a real node's value is pinned. */
  readonly tag?: string;
}

export const CALL_POLICY_MAP = 'cilium_call_policy';
export const OVERLAY_CALLS_MAP = 'cilium_calls_overlay_2';

export function lxcCallsMapName(epid: number): string {
  return `cilium_calls_${String(epid).padStart(5, '0')}`;
}
export function hostCallsMapName(hostEpId: number): string {
  return `cilium_calls_hostns_${String(hostEpId).padStart(5, '0')}`;
}
export function netdevCallsMapName(ifindex: number): string {
  return `cilium_calls_netdev_${String(ifindex).padStart(5, '0')}`;
}

export class ProgArray {
  private readonly slots = new Map<number, ProgramRef>();

  /** `maxEntries`: CILIUM_CALL_SIZE of the release (40 at v1.13.0, 50 at v1.16.15, 48 at v1.18.3), or the policy array's size. */
  constructor(readonly name: string, readonly maxEntries: number = V1_13_0.calls.size) {}

  set(slot: number, prog: ProgramRef): void {
    if (slot < 0 || slot >= this.maxEntries) throw new Error(`${this.name}: slot ${slot} out of range`);
    this.slots.set(slot, prog);
  }

  /** An endpoint's program leaving the array (an endpoint being deleted or regenerated). */
  delete(slot: number): void {
    this.slots.delete(slot);
  }

  lookup(slot: number): ProgramRef | undefined {
    return this.slots.get(slot);
  }

  entries(): Array<{ slot: number; prog: ProgramRef }> {
    return [...this.slots.entries()].sort((a, b) => a[0] - b[0]).map(([slot, prog]) => ({ slot, prog }));
  }

  dump(): string {
    return this.entries().map(({ slot, prog }) => `${this.name}[${slot}] = ${prog.name}\n`).join('');
  }
}
