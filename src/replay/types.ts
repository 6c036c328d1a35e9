// What a replay produces: per flow (the events of one packet, or of connections that differ
// only in the client's port) what Hubble saw, what the simulation gives, and the comparison.
import type { FlowProto } from './flows-file.js';

export type Status = 'agree' | 'disagree' | 'unmappable' | 'not-simulated' | 'not-compared';

export interface Observed {
  /** FORWARDED when no event of the packet dropped it, DROPPED when one did, else the verdict (AUDIT, ERROR, …). */
  readonly verdict: string;
  readonly dropCode: number | null;
  readonly dropName: string | null;
  /** Every node that reported an event, in file order; the drop's node first for a drop. */
  readonly nodes: readonly string[];
  readonly dropNode: string | null;
  readonly direction: string | null;
  /** file.{name,line} of the drop (v1.17+). */
  readonly file: string | null;
  /** Event kinds as Hubble numbers them: drop, trace, policy-verdict, trace-sock, L7. */
  readonly events: readonly string[];
}

export interface Simulated {
  readonly verdict: 'FORWARDED' | 'DROPPED' | 'NOT_SIMULATED';
  readonly dropCode: number | null;
  readonly dropName: string | null;
  readonly macro: string | null;
  readonly text: string | null;
  readonly fn: string | null;
  readonly file: string | null;
  readonly node: string | null;
  readonly direction: string | null;
  /** Where it was delivered, for FORWARDED. */
  readonly delivered: string | null;
  readonly notSimulated: string | null;
}

export interface FlowSide {
  readonly ip: string | null;
  readonly port: number | null;
  /** The cluster's name for it (namespace/pod, node:NAME, svc:NS/NAME, the address), null when unmapped. */
  readonly name: string | null;
  /** namespace/workload as the summary groups it. */
  readonly workload: string;
}

export interface ReplayedFlow {
  readonly index: number;
  /** The lines of its events, per flows file (in file order). */
  readonly at: ReadonlyArray<{ readonly file: string; readonly lines: readonly number[] }>;
  readonly src: FlowSide;
  readonly dst: FlowSide;
  readonly proto: FlowProto;
  readonly icmpType: number | null;
  readonly tcpFlags: readonly string[];
  readonly reply: boolean;
  /**
   * The client's port of each connection merged into this flow (the source port, the
   * destination port of a reply): connections that differ only in it, seen and simulated alike, are one flow.
   */
  readonly clientPorts: readonly number[];
  readonly observed: Observed;
  readonly simulated: Simulated | null;
  readonly status: Status;
  /** Why it disagrees, cannot be mapped, is not simulated or not compared. */
  readonly finding: string | null;
  /** For a drop both sides agree on: why (the trace's explanation, or the drop site). */
  readonly explanation: readonly string[];
  readonly proposedFix: { readonly name: string; readonly yaml: string } | null;
  /** The policy rule behind a reproduced policy drop, as the summary groups it. */
  readonly rule: string | null;
  readonly notes: readonly string[];
}

export interface ReplayReport {
  readonly schema: 'cilium-trace/replay/v1';
  /** The flows files, as shown. */
  readonly inputs: readonly string[];
  readonly cluster: string;
  readonly cilium: string;
  readonly notes: readonly string[];
  readonly events: number;
  readonly flows: readonly ReplayedFlow[];
}

