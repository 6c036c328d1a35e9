// Policy resolution: rules -> per-identity selector policy -> per-endpoint policy map state.
// Mirrors pkg/policy/repository.go (computePolicyEnforcementAndRules, resolvePolicyLocked),
// pkg/policy/rule.go (mergeIngress/mergeEgress: one L4Filter per port/protocol, allow and
// deny rules in the same filter, deny wins for the same selector), pkg/policy/l4.go
// (toMapState: named ports, wildcard selector = identity 0, __canSkip) and
// pkg/policy/resolve.go (DistillPolicy: allow-all for unenforced directions, then the
// filters, then DetermineAllowLocalhostIngress) of v1.13. The selector policy is computed
// once per identity, as the agent's policyCache does; named ports make the distilled
// policy per endpoint (ingress named ports are the endpoint's own container ports).
import type { Position } from '../errors.js';
import type { PendingPeer, PolicyKey, ProxyRedirect } from '../maps/policymap.js';
import type { Provenance } from '../maps/provenance.js';
import type { CiliumProfile, EnforcementMode, PodSpec, UnresolvedPeer } from '../scenario/types.js';
import { fqdnSelectorOf } from './fqdn.js';
import { l7Redirect, mergeRedirects, pendingWhy, proxyListener, type SelectorRedirect } from './l7.js';
import type { Identity } from './identity.js';
import { LpmMapState, MapState, type MapStateEntry, type SuppressedInsert } from './mapstate.js';
import { lpmKey } from '../maps/policymap.js';
import { releaseOfProfile, type CiliumRelease } from '../cilium/releases/release.js';
import { portRangeToMaskedPorts } from './portrange.js';
import type { NamedPorts } from './named-ports.js';
import { protoText, type Direction, type ParsedRule, type Peer, type PortRef, type RuleRef, type RuleSection } from './policy-rules.js';
import type { SelectorCache } from './selector-cache.js';
import { hasKey, isWildcard, selectorMatches, WILDCARD, type Selector } from './selector.js';
import { POD_NAMESPACE_LABEL } from './labels.js';

/** A rule whose endpointSelector (podSelector) selects the identity. */
export interface SelectingRule extends RuleRef {
  readonly rule: ParsedRule;
  /** The rule has ingress/ingressDeny (resp. egress/egressDeny) sections. */
  readonly ingress: boolean;
  readonly egress: boolean;
}

export interface DirectionPolicy {
  readonly enforced: boolean;
  /**
   * v1.16+: only default-allow rules (enableDefaultDeny false) select the endpoint in this
   * direction: enforced, with a synthesized wildcard allow (repository.go@1.16.15:866-876).
   */
  readonly defaultAllow?: boolean;
  /** Why the direction is (not) enforced, in words. */
  readonly reason: string;
  /** The selecting rules that switch enforcement on for this direction. */
  readonly enforcedBy: readonly SelectingRule[];
}

/** One desired policy map entry, with every rule that asked for it. */
export interface DesiredEntry {
  readonly key: PolicyKey;
  readonly deny: boolean;
  readonly provenance: readonly Provenance[];
  /** The entry redirects to this proxy listener (the agent writes the listener's port). */
  readonly redirect?: ProxyRedirect;
}

export interface UnresolvedNamedPort {
  readonly rule: RuleRef;
  readonly section: string;
  readonly direction: Direction;
  readonly name: string;
  readonly proto: number;
  readonly reason: string;
  readonly pos: Position;
}

export interface ResolvedPolicy {
  readonly identity: number;
  readonly ingressEnforced: boolean;
  readonly egressEnforced: boolean;
  readonly ingress: DirectionPolicy;
  readonly egress: DirectionPolicy;
  readonly selectingRules: readonly SelectingRule[];
  /** The desired map state, sorted: ingress first, then identity, port, protocol. */
  readonly entries: readonly DesiredEntry[];
  /** Inserts that lost to deny precedence or were skipped as redundant, with the reason. */
  readonly suppressed: readonly SuppressedInsert[];
  readonly unresolvedNamedPorts: readonly UnresolvedNamedPort[];
  readonly notes: readonly string[];
  /** Rules of enforced directions whose peers the agent learns at run time (toFQDNs, …). */
  readonly pending: readonly PendingPeer[];
}

/** One contribution of a rule section's peer to an L4Filter. */
interface Contribution {
  readonly section: RuleSection;
  readonly peer: Peer;
  readonly port: PortRef | undefined;
}

interface SelectorPolicy {
  readonly selector: Selector;
  deny: boolean;
  /** The L7 rules of the allow (PerSelectorPolicy with isRedirect); undefined: no redirect. */
  redirect: SelectorRedirect | undefined;
  contributions: Contribution[];
  /** Allows of the same selector that a deny of the same port/protocol overrode. */
  readonly overridden: Contribution[];
}

/** An L4Filter: one port (number or name) and protocol in one direction. */
interface L4Filter {
  readonly direction: Direction;
  readonly port: number | string;
  readonly endPort: number | undefined;
  readonly proto: number;
  readonly selectors: Map<string, SelectorPolicy>;
}

interface IdentityPolicy {
  readonly selecting: readonly SelectingRule[];
  readonly ingress: DirectionPolicy;
  readonly egress: DirectionPolicy;
  readonly filters: readonly L4Filter[];
  readonly ingressNamedPorts: boolean;
  readonly notes: readonly string[];
  readonly pending: readonly PendingPeer[];
}

export interface ResolverOptions {
  readonly mode: EnforcementMode;
  readonly profile: CiliumProfile;
  /** The ipcache's named ports of all pods (egress named ports). */
  readonly namedPorts: NamedPorts;
  /** `namespace/name` of the Services that have a selector: toServices ignores them in v1.13.0. */
  readonly servicesWithSelector?: ReadonlySet<string>;
}

function portText(port: number | string, proto: number, endPort?: number): string {
  if (proto === 0) return 'any port';
  if (proto === 1 || proto === 58) return `${protoText(proto)} type ${port}`;
  if (port === 0) return `any ${protoText(proto)} port`;
  return endPort !== undefined ? `${port}-${endPort}/${protoText(proto)}` : `${port}/${protoText(proto)}`;
}

function contributionProvenance(c: Contribution, deny: boolean, resolved: string): Provenance {
  const what = `${c.section.rule.label} ${c.section.path} ${c.peer.text}: ${deny ? 'deny' : 'allow'} ${resolved}`;
  return { kind: 'policy', what, pos: c.peer.pos };
}

/** Plain code-unit order: the same on every machine, whatever its locale (no localeCompare). */
function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A key that sorts filters: direction, L3-only first, then port and protocol. */
function filterOrder(a: L4Filter, b: L4Filter): number {
  const num = (p: number | string) => (typeof p === 'number' ? p : -1);
  return Number(a.direction === 'egress') - Number(b.direction === 'egress') || a.proto - b.proto || num(a.port) - num(b.port) || codeUnitOrder(String(a.port), String(b.port));
}

export class PolicyResolver {
  private readonly byNamespace = new Map<string | null, ParsedRule[]>();
  private readonly identityCache = new Map<number, IdentityPolicy>();
  private readonly distilled = new Map<string, ResolvedPolicy>();
  private unscoped: ParsedRule[] | undefined;
  private readonly release: CiliumRelease;

  constructor(
    readonly rules: readonly ParsedRule[],
    readonly selectors: SelectorCache,
    private readonly opts: ResolverOptions,
  ) {
    this.release = releaseOfProfile(opts.profile);
    for (const r of rules) {
      const list = this.byNamespace.get(r.ref.namespace);
      if (list) list.push(r);
      else this.byNamespace.set(r.ref.namespace, [r]);
    }
  }

  /** Rules whose endpointSelector selects this identity (clusterwide ones, then its namespace's). */
  rulesSelecting(identity: Identity): SelectingRule[] {
    const ns = identity.labels.find((l) => l.source === 'k8s' && l.key === POD_NAMESPACE_LABEL)?.value;
    // Without a namespace label (reserved:init), a namespaced rule whose subject has no namespace match can still select it.
    const unscoped = ns === undefined ? (this.unscoped ??= this.rules.filter((r) => r.ref.namespace !== null && !hasKey(r.subject, 'k8s', POD_NAMESPACE_LABEL))) : [];
    const candidates = new Set([...(this.byNamespace.get(null) ?? []), ...(ns !== undefined ? this.byNamespace.get(ns) ?? [] : []), ...unscoped]);
    const ordered = this.rules.filter((r) => candidates.has(r));
    return ordered.filter((r) => selectorMatches(r.subject, identity.labels)).map((rule) => ({ ...rule.ref, rule, ingress: rule.hasIngress, egress: rule.hasEgress }));
  }

  /** The policy of one endpoint (identity + its container ports), computed once and cached. */
  resolve(identity: Identity, pod?: Pick<PodSpec, 'containerPorts'>): ResolvedPolicy {
    const ip = this.identityPolicy(identity);
    const portsSig = ip.ingressNamedPorts && pod ? JSON.stringify(pod.containerPorts) : '';
    const cacheKey = `${identity.id}|${portsSig}`;
    const hit = this.distilled.get(cacheKey);
    if (hit) return hit;
    const resolved = this.distill(identity, ip, pod);
    this.distilled.set(cacheKey, resolved);
    return resolved;
  }

  private identityPolicy(identity: Identity): IdentityPolicy {
    const hit = this.identityCache.get(identity.id);
    if (hit) return hit;
    const selecting = this.rulesSelecting(identity);
    const isInit = identity.labels.some((l) => l.source === 'reserved' && l.key === 'init');
    const direction = (d: Direction): DirectionPolicy => {
      const by = selecting.filter((r) => (d === 'ingress' ? r.ingress : r.egress));
      if (this.opts.mode === 'never') return { enforced: false, reason: `${d} not enforced: policyEnforcement=never`, enforcedBy: [] };
      if (this.opts.mode === 'always') return { enforced: true, reason: `${d} enforced: policyEnforcement=always`, enforcedBy: by };
      if (isInit) return { enforced: true, reason: `${d} enforced: reserved:init endpoints are always enforced`, enforcedBy: by };
      if (by.length > 0 && by.every((r) => r.rule.defaultDeny && !r.rule.defaultDeny[d])) {
        return { enforced: true, defaultAllow: true, reason: `${d} enforced, default allow: ${by.map((r) => r.label).join(', ')} ${by.length === 1 ? 'sets' : 'set'} enableDefaultDeny.${d} false, so the agent adds a wildcard allow (only default-allow policies, pkg/policy/repository.go:866-876)`, enforcedBy: by };
      }
      if (by.length > 0) return { enforced: true, reason: `${d} enforced: selected by ${by.map((r) => r.label).join(', ')}, which ${by.length === 1 ? 'has' : 'have'} ${d} rules`, enforcedBy: by };
      return { enforced: false, reason: `${d} not enforced: allow-all (no rule selecting this endpoint has ${d} rules)`, enforcedBy: [] };
    };
    const ingress = direction('ingress');
    const egress = direction('egress');
    const filters = new Map<string, L4Filter>();
    const notes = [...new Set(selecting.flatMap((r) => r.rule.notes))];
    const pending: PendingPeer[] = [];
    for (const r of selecting) {
      for (const s of r.rule.sections) {
        if (!(s.direction === 'ingress' ? ingress.enforced : egress.enforced)) continue;
        this.mergeSection(filters, s);
        for (const u of s.unresolved ?? []) this.addPending(pending, s, u);
      }
    }
    const sorted = [...filters.values()].sort(filterOrder);
    const result: IdentityPolicy = {
      selecting, ingress, egress, filters: sorted, notes, pending,
      ingressNamedPorts: sorted.some((f) => f.direction === 'ingress' && typeof f.port === 'string'),
    };
    this.identityCache.set(identity.id, result);
    return result;
  }

  /** A peer learnt at run time: what it would allow (or deny), for the datapath's explanation. */
  private addPending(out: PendingPeer[], s: RuleSection, u: UnresolvedPeer): void {
    if (u.service && this.opts.servicesWithSelector?.has(`${u.service.namespace ?? s.rule.namespace ?? 'default'}/${u.service.name}`)) return; // v1.13.0 ignores it
    const ports = s.ports === undefined ? [{ port: 0, proto: 0 }] : s.ports.map((p) => ({ port: typeof p.port === 'number' ? p.port : 0, proto: p.proto }));
    const fqdn = u.kind === 'toFQDNs' ? fqdnSelectorOf(u.text) : undefined;
    out.push({ direction: s.direction, deny: s.deny, ports, what: `${s.rule.label} ${s.path} ${u.text}`, why: pendingWhy(u.kind), provenance: { kind: 'policy', what: `${s.rule.label} ${s.path} ${u.text}`, pos: u.pos }, ...(fqdn ? { fqdn } : {}) });
  }

  /** mergeIngress/mergeEgress of one rule section into the filters. */
  private mergeSection(filters: Map<string, L4Filter>, s: RuleSection): void {
    if (s.emptyL3) return; // peers written, none left (e.g. except = cidr): nothing is allowed
    if (s.ports === undefined) {
      // L3-only: only with at least one peer; an empty item enforces and allows nothing.
      if (s.peers.length > 0) this.addToFilter(filters, s, 0, undefined, 0, undefined);
      return;
    }
    for (const port of s.ports) this.addToFilter(filters, s, port.port, port.endPort, port.proto, port);
  }

  private addToFilter(filters: Map<string, L4Filter>, s: RuleSection, port: number | string, endPort: number | undefined, proto: number, portRef: PortRef | undefined): void {
    const id = `${s.direction}|${port}|${endPort ?? ''}|${proto}`;
    let f = filters.get(id);
    if (!f) {
      f = { direction: s.direction, port, endPort, proto, selectors: new Map() };
      filters.set(id, f);
    }
    // No peer with toPorts: every peer. A wildcard among the peers makes the filter select all.
    const wildcardPeer = s.peers.find((p) => isWildcard(p.selector));
    const peers: readonly Peer[] = s.peers.length === 0
      ? [{ selector: WILDCARD, kind: 'any', text: `(no ${s.direction === 'ingress' ? 'from' : 'to'}Endpoints/CIDR/Entities: every peer)`, pos: s.pos }]
      : wildcardPeer ? [wildcardPeer] : s.peers;
    // createL4Filter: the L7 parser of this port's rules decides the redirect (never for a deny).
    const redirect = s.deny || !portRef?.l7 ? undefined : l7Redirect(portRef.l7, proto, s.rule.label);
    for (const peer of peers) {
      const c: Contribution = { section: s, peer, port: portRef };
      const existing = f.selectors.get(peer.selector.id);
      if (!existing) {
        f.selectors.set(peer.selector.id, { selector: peer.selector, deny: s.deny, redirect, contributions: [c], overridden: [] });
      } else if (existing.deny === s.deny) {
        // mergePortProto: isRedirect is ORed; a rule without L7 rules adds an allow-all L7 rule.
        if (!s.deny) existing.redirect = mergeRedirects(existing.redirect, redirect, s.rule.label);
        existing.contributions.push(c);
      } else {
        // mergePortProto: for the same selector, port and protocol the deny takes priority.
        const losers = s.deny ? existing.contributions : [c];
        existing.overridden.push(...losers);
        if (s.deny) existing.contributions = [c];
        existing.deny = true;
        existing.redirect = undefined;
      }
    }
  }

  private distill(identity: Identity, ip: IdentityPolicy, pod: Pick<PodSpec, 'containerPorts'> | undefined): ResolvedPolicy {
    const lpm = this.release.has('policy-lpm');
    const ms = lpm ? new LpmMapState(this.release.has('policy-deny-first')) : new MapState();
    const unresolved: UnresolvedNamedPort[] = [];
    const anyKey = (identity: number, direction: Direction): PolicyKey => (lpm ? lpmKey(identity, 0, 0, 0, direction) : { identity, dport: 0, proto: 0, direction });
    for (const [d, dp] of [['ingress', ip.ingress], ['egress', ip.egress]] as const) {
      if (!dp.enforced) ms.set(anyKey(0, d), false, [{ kind: 'agent', what: dp.reason }]);
    }
    for (const f of ip.filters) this.filterToMapState(ms, f, pod, unresolved);
    // wildcardRule (repository.go@1.16.15:882-912): fromEntities/toEntities all, after the rules.
    for (const [d, dp] of [['ingress', ip.ingress], ['egress', ip.egress]] as const) {
      if (dp.defaultAllow) ms.denyPreferredInsert(anyKey(0, d), false, [{ kind: 'agent', what: `Only default-allow policies, synthesizing ${d} wildcard-allow rule (pkg/policy/repository.go:866-876)` }]);
    }
    // DetermineAllowLocalhostIngress: Kubernetes mode turns allow-localhost=auto into always.
    ms.denyPreferredInsert(anyKey(1, 'ingress'), false, [{ kind: 'agent', what: 'allow-localhost: reserved:host may always reach local endpoints' }]);
    const entries: DesiredEntry[] = ms.entries().map((e: MapStateEntry) => (e.redirect ? { key: e.key, deny: e.deny, provenance: e.provenance, redirect: e.redirect } : { key: e.key, deny: e.deny, provenance: e.provenance }));
    return {
      identity: identity.id,
      ingressEnforced: ip.ingress.enforced,
      egressEnforced: ip.egress.enforced,
      ingress: ip.ingress,
      egress: ip.egress,
      selectingRules: ip.selecting,
      entries,
      suppressed: ms.suppressed,
      unresolvedNamedPorts: unresolved,
      notes: ip.notes,
      pending: ip.pending,
    };
  }

  /** L4Filter.toMapState. */
  private filterToMapState(ms: MapState | LpmMapState, f: L4Filter, pod: Pick<PodSpec, 'containerPorts'> | undefined, unresolved: UnresolvedNamedPort[]): void {
    // HASH (v1.13): one key per port; LPM: PortRangeToMaskedPorts (l4.go@1.16.15:665-674).
    const lpm = this.release.has('policy-lpm');
    let ports: number[];
    let masks: number[] | undefined;
    let resolvedText: string;
    if (typeof f.port === 'string') {
      const r = f.direction === 'ingress' ? this.opts.namedPorts.ingress(pod?.containerPorts ?? [], f.port, f.proto) : this.opts.namedPorts.egress(f.port, f.proto);
      if (typeof r === 'string') {
        for (const sp of f.selectors.values()) {
          for (const c of sp.contributions) unresolved.push({ rule: c.section.rule, section: c.section.path, direction: f.direction, name: f.port, proto: f.proto, reason: r, pos: c.port?.pos ?? c.section.pos });
        }
        return; // nothing to be done for an undefined named port
      }
      ports = [r];
      resolvedText = `${f.port}/${protoText(f.proto)} (named port = ${r})`;
    } else {
      if (lpm) {
        const mps = portRangeToMaskedPorts(f.port, f.endPort ?? 0).sort((a, b) => a.port - b.port);
        ports = mps.map((m) => m.port);
        masks = mps.map((m) => m.mask);
      } else {
        ports = f.endPort !== undefined ? range(f.port, f.endPort) : [f.port];
      }
      resolvedText = portText(f.port, f.proto, f.endPort);
    }
    if (lpm && !masks) masks = ports.map(() => 0xffff);
    const keyOf = (identity: number, i: number): PolicyKey => (masks ? lpmKey(identity, ports[i]!, masks[i]!, f.proto, f.direction) : { identity, dport: ports[i]!, proto: f.proto, direction: f.direction });
    const wildcard = f.selectors.get(WILDCARD.id);
    const hasPort = f.port !== 0;
    for (const sp of f.selectors.values()) {
      const prov = sp.contributions.map((c) => contributionProvenance(c, sp.deny, resolvedText));
      const redirect: ProxyRedirect | undefined = sp.redirect && { parser: sp.redirect.parser, listener: proxyListener(sp.redirect.parser, f.direction, sp.redirect.listener), rules: sp.redirect.rules, ...(sp.redirect.http ? { http: sp.redirect.http } : {}) };
      if (sp.overridden.length > 0) {
        const lost = sp.overridden.map((c) => contributionProvenance(c, false, resolvedText));
        for (const id of isWildcard(sp.selector) ? [0] : this.selectors.selections(sp.selector)) {
          for (let i = 0; i < ports.length; i++) ms.suppressed.push({ key: keyOf(id, i), deny: false, provenance: lost, reason: `the same peers are denied on ${resolvedText} (deny takes priority over allow for the same selector)` });
        }
      }
      if (hasPort && wildcard && sp !== wildcard && canSkip(sp, wildcard)) {
        for (const id of this.selectors.selections(sp.selector)) {
          for (let i = 0; i < ports.length; i++) ms.suppressed.push({ key: keyOf(id, i), deny: sp.deny, provenance: prov, reason: wildcard.deny ? 'the L4-only deny for every peer on this port takes precedence' : 'redundant with the L4-only allow for every peer on this port (__canSkip)' });
        }
        continue;
      }
      const ids = isWildcard(sp.selector) ? [0] : this.selectors.selections(sp.selector);
      for (const id of ids) {
        for (let i = 0; i < ports.length; i++) ms.denyPreferredInsert(keyOf(id, i), sp.deny, prov, redirect);
      }
    }
  }
}

/**
 * __canSkipTruthTable (pkg/policy/l4.go:46-80): skip an L3/L4 key when the L4-only key has
 * the same effect (a redirect included) or denies. Keys: current redirect, current allow,
 * L4-only redirect, L4-only allow.
 */
const CAN_SKIP = new Set(['1100', '0101', '0100', '0000', '1111', '0111']);
function canSkip(current: SelectorPolicy, wildcard: SelectorPolicy): boolean {
  const bit = (b: boolean) => (b ? '1' : '0');
  return CAN_SKIP.has(bit(!!current.redirect) + bit(!current.deny) + bit(!!wildcard.redirect) + bit(!wildcard.deny));
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let p = from; p <= to; p++) out.push(p);
  return out;
}
