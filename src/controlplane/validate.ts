// Checks for a future `validate` command: things that are valid input but almost certainly
// not what the author meant. Everything is computed from the control plane's own view (the
// parsed rules, the selector cache, the resolved endpoint policies), so a warning here is
// exactly what the simulated agent would do with the policy.
import type { Position } from '../errors.js';
import { formatPrefix, prefixContains, prefixesOverlap } from '../net/ip.js';
import type { Cluster } from './cluster.js';
import { labelFilter, podSecurityLabels, namespaceLabels } from './labels.js';
import { protoText } from './policy-rules.js';
import { isWildcard, selectorMatches } from './selector.js';
import type { ParsedRule } from './policy-rules.js';
import { nearMisses, nearMissText } from './validate-near.js';

export interface ValidationProblem {
  readonly pos: Position;
  readonly message: string;
}

function comparePos(a: ValidationProblem, b: ValidationProblem): number {
  if (a.pos.file !== b.pos.file) return a.pos.file < b.pos.file ? -1 : 1;
  return a.pos.line - b.pos.line || a.pos.col - b.pos.col || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

/**
 * Policies that select no pod, endpoint peers that match no pod, named ports that resolve
 * nowhere, overlapping pod CIDRs and pods outside their node's pod CIDR. Sorted by position.
 */
export function validateCluster(cluster: Cluster): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  const seen = new Set<string>();
  const add = (pos: Position, message: string) => {
    const k = `${pos.file}:${pos.line}:${pos.col}:${message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push({ pos, message });
    }
  };
  const epIdentities = new Set(cluster.endpoints.map((e) => e.identity));
  const c = cluster.scenario.cluster;
  const hostNetLabels = cluster.hostNetworkPods.map((h) => ({ h, labels: podSecurityLabels(h.pod, c.name, namespaceLabels(cluster.scenario.namespaces, h.pod.namespace), labelFilter(c.labelPrefixes)) }));
  const hostNetMatches = (sel: Parameters<typeof selectorMatches>[0]) => hostNetLabels.filter((x) => selectorMatches(sel, x.labels)).map((x) => `${x.h.pod.namespace}/${x.h.pod.name}`);

  for (const r of cluster.policy.rules) {
    const subjects = cluster.endpoints.filter((e) => selectorMatches(r.subject, cluster.identities.get(e.identity)?.labels ?? []));
    if (subjects.length === 0) {
      const hn = hostNetMatches(r.subject);
      const extra = hn.length ? ` (it matches only hostNetwork pods ${hn.join(', ')}, which have no endpoint and no policy)` : '';
      add(r.ref.pos, `${r.ref.label}: ${r.subjectText} selects no pod${extra}${nearMissText(nearMisses(cluster, r.subject), false)}`);
    }
    for (const s of r.sections) {
      for (const p of s.peers) {
        if (p.kind !== 'endpoints') continue;
        const sel = cluster.policy.selectors.selections(p.selector);
        if (sel.some((id) => epIdentities.has(id))) continue;
        const hn = hostNetMatches(p.selector);
        const extra = hn.length ? ` (it matches only hostNetwork pods ${hn.join(', ')}: use the host or remote-node entity)` : '';
        add(p.pos, `${r.ref.label} ${s.path} ${p.text} matches no pod${extra}${nearMissText(nearMisses(cluster, p.selector), true)}`);
      }
    }
  }

  for (const m of mootDefaultDenies(cluster)) add(m.pos, m.message);

  // Named ports: report a (rule, port) only when it resolves for none of the endpoints it applies to.
  const resolvedSomewhere = new Set<string>();
  const unresolved = new Map<string, { pos: Position; message: string }>();
  for (const ep of cluster.endpoints) {
    const failed = new Set<string>();
    for (const u of ep.policy.unresolvedNamedPorts) {
      const k = `${u.rule.label}|${u.section}|${u.name}|${u.proto}`;
      failed.add(k);
      if (!unresolved.has(k)) unresolved.set(k, { pos: u.pos, message: `${u.rule.label} ${u.section}: named port '${u.name}'/${protoText(u.proto)} resolves nowhere: ${u.reason}` });
    }
    for (const r of ep.policy.selectingRules) {
      for (const s of r.rule.sections) {
        for (const p of s.ports ?? []) {
          if (typeof p.port !== 'string') continue;
          const k = `${r.label}|${s.path}|${p.port}|${p.proto}`;
          if (!failed.has(k)) resolvedSomewhere.add(k);
        }
      }
    }
  }
  for (const [k, v] of unresolved) if (!resolvedSomewhere.has(k)) add(v.pos, v.message);

  // NetworkPolicy: Cilium v1.13 parses ingress/egress rules whatever policyTypes says.
  for (const p of cluster.scenario.policies) {
    const np = p.networkPolicy;
    if (!np?.policyTypes) continue;
    for (const d of ['Ingress', 'Egress'] as const) {
      const rules = d === 'Ingress' ? np.ingress : np.egress;
      if (rules?.length && !np.policyTypes.includes(d)) {
        add(rules[0]?.pos ?? p.pos, `NetworkPolicy ${p.namespace}/${p.name}: ${d.toLowerCase()} rules without ${d} in policyTypes (Kubernetes ignores them; Cilium v1.13 still enforces them)`);
      }
    }
  }

  // Cheap re-checks of what the loader already rejects.
  const nodes = cluster.scenario.nodes;
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i];
      const b = nodes[j];
      if (a && b && prefixesOverlap(a.podCIDR, b.podCIDR)) add(b.pos, `node ${b.name}: pod CIDR ${formatPrefix(b.podCIDR)} overlaps node ${a.name}'s ${formatPrefix(a.podCIDR)}`);
    }
  }
  for (const ep of cluster.endpoints) {
    if (![ep.node.podCIDR, ...(ep.node.extraPodCIDRs ?? [])].some((c) => prefixContains(c, ep.pod.ip))) add(ep.pod.pos, `pod ${ep.pod.namespace}/${ep.pod.name}: IP outside node ${ep.node.name}'s pod CIDR ${formatPrefix(ep.node.podCIDR)}`);
  }
  return out.sort(comparePos);
}

/** A rule's allow sections of one direction name no peer and no port: it only turns on default deny. */
function onlyDenies(r: ParsedRule, d: 'ingress' | 'egress'): boolean {
  if (r.defaultDeny && !r.defaultDeny[d]) return false;
  const secs = r.sections.filter((s) => s.direction === d);
  return secs.length > 0 && secs.every((s) => !s.deny && (s.emptyL3 === true || (s.peers.length === 0 && s.ports === undefined)));
}

/** The first allow section of `d` that lets every peer in (fromEntities all, an empty NetworkPolicy from) on every port. */
function allowAll(r: ParsedRule, d: 'ingress' | 'egress'): { pos: Position; text: string } | undefined {
  for (const s of r.sections) {
    if (s.direction !== d || s.deny || s.ports !== undefined) continue;
    const p = s.peers.find((x) => isWildcard(x.selector) && (x.kind === 'entity' || x.kind === 'any'));
    if (p) return { pos: p.pos, text: `${s.path} ${p.text}` };
  }
  return undefined;
}

/**
 * A namespace's default deny (a policy whose rules only turn enforcement on) made moot by
 * another policy that allows every peer to the same pods: the allow wins, since policy is a
 * union of allows (no deny rule is involved). Reported at the allow-all, naming both.
 */
function mootDefaultDenies(cluster: Cluster): Array<{ pos: Position; message: string }> {
  const out: Array<{ pos: Position; message: string }> = [];
  const rules = cluster.policy.rules;
  const podsOf = (r: ParsedRule) => cluster.endpoints.filter((e) => selectorMatches(r.subject, cluster.identities.get(e.identity)?.labels ?? []));
  for (const d of ['ingress', 'egress'] as const) {
    for (const deny of rules) {
      if (deny.ref.namespace === null || !onlyDenies(deny, d)) continue;
      const denied = podsOf(deny);
      if (denied.length === 0) continue;
      // A deny section anywhere on these pods in this direction would still bite: not moot.
      if (rules.some((r) => r.sections.some((s) => s.direction === d && s.deny) && podsOf(r).some((e) => denied.includes(e)))) continue;
      for (const allow of rules) {
        if (allow.ref.policy === deny.ref.policy) continue;
        const a = allowAll(allow, d);
        if (!a) continue;
        const both = podsOf(allow).filter((e) => denied.includes(e)).map((e) => `${e.pod.namespace}/${e.pod.name}`);
        if (both.length === 0) continue;
        const names = both.length > 5 ? `${both.slice(0, 5).join(', ')} and ${both.length - 5} more` : both.join(', ');
        out.push({ pos: a.pos, message: `${allow.ref.label} ${a.text} allows every ${d === 'ingress' ? 'source' : 'destination'} on every port for ${names}: the ${d} default deny of ${deny.ref.label} is moot there` });
      }
    }
  }
  return out;
}
