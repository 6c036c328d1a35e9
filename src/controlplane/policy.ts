// Policy resolution: rules -> per-identity policy -> policy map entries.
// Mirrors pkg/policy/repository.go (computePolicyEnforcementAndRules, namespace scoping from
// pkg/k8s/apis/cilium.io/utils ParseToCiliumRule), pkg/policy/resolve.go (DistillPolicy:
// allow-all for unenforced directions, DetermineAllowLocalhostIngress) and
// pkg/policy/mapstate.go of v1.13. Policy is computed once per identity and shared by every
// endpoint with that identity, as the agent's selectorPolicy is.
// Covered: fromEndpoints/toEndpoints, toPorts (TCP/UDP/SCTP/ANY). Left out for now: entities,
// CIDRs, deny rules, named ports, L7 (rejected by the loader with a clear message).
import type { EnforcementMode, L4Protocol, PolicyRuleSection, PolicySpec } from '../scenario/types.js';
import type { PolicyKey, TrafficDirection } from '../maps/policymap.js';
import type { Provenance } from '../maps/provenance.js';
import { selectorMatches, selectorNamesNamespace, type Label, type ScopedSelector } from './labels.js';
import type { Identity } from './identity.js';

const NS_KEY = 'k8s:io.kubernetes.pod.namespace';
const PROTO_NUMBERS: Record<Exclude<L4Protocol, 'ANY'>, number> = { TCP: 6, UDP: 17, SCTP: 132 };

export interface DesiredEntry {
  readonly key: PolicyKey;
  readonly provenance: Provenance;
}

export interface ResolvedPolicy {
  readonly ingressEnforced: boolean;
  readonly egressEnforced: boolean;
  /** Policies whose endpointSelector selects this identity, with the position of the rule. */
  readonly selectingRules: readonly PolicySpec[];
  readonly entries: readonly DesiredEntry[];
}

function endpointSelector(p: PolicySpec): ScopedSelector {
  return { selector: p.endpointSelector, extra: { [NS_KEY]: p.namespace } };
}

function peerSelector(p: PolicySpec, sel: ScopedSelector['selector']): ScopedSelector {
  return { selector: sel, extra: selectorNamesNamespace(sel) ? {} : { [NS_KEY]: p.namespace } };
}

/** L4 protocols a port rule expands to: ANY means TCP and UDP (SCTP is off by default). */
function protocolsOf(proto: L4Protocol): number[] {
  return proto === 'ANY' ? [PROTO_NUMBERS.TCP, PROTO_NUMBERS.UDP] : [PROTO_NUMBERS[proto]];
}

export class PolicyResolver {
  private readonly cache = new Map<number, ResolvedPolicy>();

  constructor(
    private readonly policies: readonly PolicySpec[],
    private readonly identities: readonly Identity[],
    private readonly mode: EnforcementMode,
  ) {}

  resolve(identity: Identity): ResolvedPolicy {
    const cached = this.cache.get(identity.id);
    if (cached) return cached;
    const selecting = this.policies.filter((p) => selectorMatches(endpointSelector(p), identity.labels));
    const has = (dir: TrafficDirection) => selecting.some((p) => (dir === 'ingress' ? p.ingress : p.egress)?.length);
    const ingressEnforced = this.mode === 'always' || (this.mode === 'default' && has('ingress'));
    const egressEnforced = this.mode === 'always' || (this.mode === 'default' && has('egress'));
    const entries: DesiredEntry[] = [];
    for (const dir of ['ingress', 'egress'] as const) {
      const enforced = dir === 'ingress' ? ingressEnforced : egressEnforced;
      if (!enforced) {
        entries.push({ key: { identity: 0, dport: 0, proto: 0, direction: dir }, provenance: { kind: 'agent', what: `${dir} not enforced: allow-all (no rule selecting this endpoint has ${dir} rules)` } });
        continue;
      }
      for (const p of selecting) {
        (dir === 'ingress' ? p.ingress : p.egress)?.forEach((section, i) => entries.push(...this.sectionEntries(p, dir, i, section)));
      }
    }
    // DetermineAllowLocalhostIngress: k8s mode turns allow-localhost=auto into always.
    entries.push({ key: { identity: 1, dport: 0, proto: 0, direction: 'ingress' }, provenance: { kind: 'agent', what: 'allow-localhost: reserved:host may always reach local endpoints' } });
    const resolved: ResolvedPolicy = { ingressEnforced, egressEnforced, selectingRules: selecting, entries };
    this.cache.set(identity.id, resolved);
    return resolved;
  }

  private sectionEntries(p: PolicySpec, dir: TrafficDirection, index: number, s: PolicyRuleSection): DesiredEntry[] {
    const peerField = dir === 'ingress' ? 'fromEndpoints' : 'toEndpoints';
    const what = `CiliumNetworkPolicy ${p.namespace}/${p.name} ${dir}[${index}]`;
    // An empty rule (`ingress: [{}]`) turns enforcement on and allows nothing: default deny.
    if (s.peers === undefined && s.ports === undefined) return [];
    const peers: number[] = s.peers === undefined
      ? [0] // no L3 peer: wildcard identity
      : [...new Set(s.peers.flatMap((sel) => this.selectedIdentities(peerSelector(p, sel))))].sort((a, b) => a - b);
    const l4: Array<{ dport: number; proto: number }> = s.ports === undefined
      ? [{ dport: 0, proto: 0 }]
      : s.ports.flatMap((pp) => protocolsOf(pp.protocol).map((proto) => ({ dport: pp.port, proto })));
    const out: DesiredEntry[] = [];
    for (const identity of peers) {
      for (const { dport, proto } of l4) {
        const peerText = s.peers === undefined ? `any peer (no ${peerField})` : `${peerField} selects identity ${identity}`;
        out.push({ key: { identity, dport, proto, direction: dir }, provenance: { kind: 'policy', what: `${what}: ${peerText}`, pos: s.pos } });
      }
    }
    return out;
  }

  private selectedIdentities(sel: ScopedSelector): number[] {
    return this.identities.filter((i) => !i.reserved && selectorMatches(sel, i.labels)).map((i) => i.id);
  }
}

export type { Label };
