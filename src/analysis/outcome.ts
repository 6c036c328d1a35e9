// What a trace decided, in the few words a reviewer or a table needs: the verdict, the
// Hubble drop reason, and the step that decided it (the policy verdict that denied or
// allowed, or the drop point), with the provenance of the map entry behind it.
import { provenanceText } from '../maps/provenance.js';
import type { TraceNode, TraceResult, Verdict } from '../trace/tree.js';

/** The part of a trace's outcome that does not name pods or nodes (shared by matrix cells). */
export interface CellOutcome {
  readonly verdict: Verdict;
  /**
   * Hubble drop reason (POLICY_DENIED), null unless DROPPED; for a socket call bpf_sock
   * refused (no packet, no drop event, no drop reason) the errno, EHOSTUNREACH, with
   * macro SYS_REJECT.
   */
  readonly reason: string | null;
  readonly macro: string | null;
  readonly fn: string | null;
  readonly direction: 'ingress' | 'egress' | null;
}

export function cellOutcome(r: TraceResult): CellOutcome {
  const f = r.verdict === 'DROPPED' ? r.refused : null;
  if (f) return { verdict: r.verdict, reason: f.errno, macro: 'SYS_REJECT', fn: f.fn, direction: null };
  const d = r.verdict === 'DROPPED' ? r.drop : null;
  return { verdict: r.verdict, reason: d?.name ?? null, macro: d?.macro ?? null, fn: d?.fn ?? null, direction: d?.direction ?? null };
}

/** "FORWARDED", "DROPPED (POLICY_DENIED)", "NOT_SIMULATED". */
export function outcomeText(o: { readonly verdict: Verdict; readonly reason: string | null }): string {
  return o.verdict === 'DROPPED' && o.reason ? `DROPPED (${o.reason})` : o.verdict;
}

const POLICY_DROPS: ReadonlySet<number> = new Set([133, 181]);

export function isPolicyDrop(o: { readonly verdict: Verdict; readonly reason: string | null }): boolean {
  return o.verdict === 'DROPPED' && (o.reason === 'POLICY_DENIED' || o.reason === 'POLICY_DENY');
}

type PolicyNode = Extract<TraceNode, { kind: 'policy' }>;

/** Policy verdict nodes in trace order, with the node (host) each ran on. */
export function policyNodes(r: TraceResult): Array<{ readonly node: string; readonly n: PolicyNode }> {
  const out: Array<{ node: string; n: PolicyNode }> = [];
  const walk = (nodes: readonly TraceNode[], host: string): void => {
    for (const n of nodes) {
      if (n.kind === 'policy') out.push({ node: host, n });
      if ('children' in n) walk(n.children, n.kind === 'hop' ? n.node : host);
    }
  };
  walk(r.hops, '');
  return out;
}

function endpointName(r: TraceResult, endpointId: number, node: string): string {
  const ep = r.endpoints.find((e) => e.endpointId === endpointId && e.node === node) ?? r.endpoints.find((e) => e.endpointId === endpointId);
  return ep ? `${ep.namespace}/${ep.pod}` : `endpoint ${endpointId}`;
}

function policyText(r: TraceResult, p: { node: string; n: PolicyNode }): string {
  const who = `${p.n.direction} policy of ${endpointName(r, p.n.endpoint, p.node)} (endpoint ${p.n.endpoint})`;
  if (!p.n.allowed) return `${who}: ${p.n.deny ? `deny rule (match ${p.n.match})` : `match ${p.n.match}`}`;
  return `${who}: ${p.n.enforced ? `allow (match ${p.n.match})` : 'allow (no policy enforced)'}`;
}

export interface DecidingStep {
  readonly text: string;
  /** Where the deciding map entries came from (rule, file:line); empty for a missing entry. */
  readonly provenance: readonly string[];
}

/** The step that decided the verdict. */
export function decidingStep(r: TraceResult): DecidingStep {
  const policies = policyNodes(r);
  if (r.verdict === 'FORWARDED' && r.l7?.verdict === 'FORWARDED') {
    const l = r.l7;
    return { text: `Envoy ${l.listener} on ${l.node}: ${l.method} ${l.path} allowed by ${l.matched ?? 'a rule'}`, provenance: [...l.from] };
  }
  if (r.verdict === 'DROPPED' && r.drop) {
    const denied = [...policies].reverse().find((p) => !p.n.allowed);
    if (denied && POLICY_DROPS.has(r.drop.code)) return { text: policyText(r, denied), provenance: denied.n.provenance.map(provenanceText) };
    return { text: `${r.drop.macro} in ${r.drop.fn} on ${r.drop.node}`, provenance: [] };
  }
  if (r.verdict === 'DROPPED' && r.l7?.verdict === 'DENIED') {
    const l = r.l7;
    return { text: `Envoy ${l.listener} on ${l.node}: 403 for ${l.method} ${l.path} (no HTTP rule matches)`, provenance: [...l.from] };
  }
  if (r.verdict === 'DROPPED' && r.refused) {
    const f = r.refused;
    return { text: `${f.syscall}() refused with -${f.errno} by ${f.fn} on ${f.node} (no packet sent)`, provenance: [] };
  }
  if (r.verdict === 'FORWARDED') {
    const last = policies[policies.length - 1];
    const provenance = policies.filter((p) => p.n.enforced).flatMap((p) => p.n.provenance.map(provenanceText));
    if (last) return { text: policyText(r, last), provenance };
    const d = r.delivered;
    return { text: d ? `delivered to ${d.target} on ${d.node} (no policy verdict on the path)` : 'delivered', provenance: [] };
  }
  return { text: `not simulated: ${r.notSimulated?.text ?? 'unknown'} (on ${r.notSimulated?.node ?? '?'})`, provenance: [] };
}
