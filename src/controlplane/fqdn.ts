// What an agent does with a DNS answer its DNS proxy forwarded (notifyOnDNSMsg): the IPs of
// a name that some toFQDNs selector matches get identities, the ipcache gets their /32s and
// the selector cache selects those identities, so the policy maps of the endpoints whose
// rules hold the selector get entries for them.
//  * v1.13.0 (daemon/cmd/fqdn.go:111 → AllocateCIDRsForIPs, pkg/ipcache/cidr.go): one
//    node-local CIDR identity per IP, labels cidr:IP/32 and every shorter prefix plus
//    reserved:world; the FQDN selector selects those identities (pkg/policy/selectorcache.go
//    UpdateFQDNSelector).
//  * v1.16.15 / v1.18.3 (pkg/fqdn/namemanager, pkg/policy/api/fqdn.go IdentityLabel,
//    pkg/ipcache/metadata.go resolveIdentity): each IP gets the label fqdn:<matchName or
//    matchPattern> of every selector that matches one of its names, reserved:world
//    (AddWorldLabel), and the cidr: label of a policy prefix containing it (its parent);
//    one node-local identity per label set, so IPs may share one.
// Only the agent that saw the answer learns it: the entries are written on that node alone.
import type { CiliumRelease } from '../cilium/releases/release.js';
import { formatIpv4, maskOf, type Ipv4 } from '../net/ip.js';
import { dnsRuleOf, evaluateDns } from '../proxy/dns-proxy.js';
import { cidrIdentityLabels, WORLD_LABEL } from './cidr.js';
import type { CidrIdentity } from './cluster.js';
import type { IdentityRegistry } from './identity.js';
import { sortLabels, type Label } from './labels.js';
import type { ParsedRule } from './policy-rules.js';

/** One answer a node's DNS proxy forwarded to a pod (the lookup leg of a trace). */
export interface FqdnLearned {
  /** The node whose agent saw the answer. */
  readonly node: string;
  /** `namespace/pod` that looked the name up. */
  readonly endpoint: string;
  /** As the DNS proxy sees it: lowercased, with the trailing dot. */
  readonly name: string;
  readonly ips: readonly Ipv4[];
}

/** An address the answers gave an identity to. */
export interface FqdnIdentity {
  readonly ip: Ipv4;
  readonly identity: number;
  readonly names: readonly string[];
  /** `matchName X` / `matchPattern Y` of the selectors that matched. */
  readonly selectors: readonly string[];
  readonly nodes: readonly string[];
  /** Allocated for the answer (not a policy CIDR's identity the ipcache already had). */
  readonly learnedOnly: boolean;
  readonly labels: readonly string[];
}

/** `matchName X` / `matchPattern Y` of a toFQDNs peer text (`toFQDNs[0] matchName X`). */
export function fqdnSelectorOf(text: string): string | undefined {
  return /^toFQDNs\[\d+\] (match(?:Name|Pattern) \S+)$/.exec(text)?.[1];
}

/** Every toFQDNs selector of the rules, in rule order. */
export function fqdnSelectors(rules: readonly ParsedRule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const s of r.sections) {
      for (const u of s.unresolved ?? []) {
        const sel = u.kind === 'toFQDNs' ? fqdnSelectorOf(u.text) : undefined;
        if (sel) out.add(sel);
      }
    }
  }
  return [...out];
}

export function selectorMatchesName(selector: string, name: string): boolean {
  return evaluateDns([dnsRuleOf(selector)], name).allowed;
}

/** The addresses learnt for names a selector matches (v1.13.0: what its selections are made of). */
export function learnedIpsFor(selector: string, learned: readonly FqdnLearned[]): Ipv4[] {
  const out = new Set<Ipv4>();
  for (const l of learned) if (selectorMatchesName(selector, l.name)) for (const ip of l.ips) out.add(ip);
  return [...out].sort((a, b) => a - b);
}

/** The label an FQDN selector gives (IdentityLabel): `fqdn:<matchName or matchPattern>`. */
export function fqdnLabel(selector: string): Label {
  return { source: 'fqdn', key: selector.replace(/^match(?:Name|Pattern) /, ''), value: '' };
}

export function allocateFqdnIdentities(identities: IdentityRegistry, rules: readonly ParsedRule[], learned: readonly FqdnLearned[], release: CiliumRelease, cidrs: readonly CidrIdentity[]): FqdnIdentity[] {
  if (learned.length === 0) return [];
  const selectors = fqdnSelectors(rules);
  // Per address: the names, matching selectors and nodes of every answer that gave it.
  const byIp = new Map<Ipv4, { names: Set<string>; selectors: Set<string>; nodes: Set<string> }>();
  for (const l of learned) {
    const hits = selectors.filter((s) => selectorMatchesName(s, l.name));
    if (hits.length === 0) continue; // no selector wants the name: its addresses stay what they were
    for (const ip of l.ips) {
      const e = byIp.get(ip) ?? { names: new Set<string>(), selectors: new Set<string>(), nodes: new Set<string>() };
      e.names.add(l.name);
      for (const h of hits) e.selectors.add(h);
      e.nodes.add(l.node);
      byIp.set(ip, e);
    }
  }
  const out: FqdnIdentity[] = [];
  // In answer order, as AllocateCIDRsForIPs (v1.13.0) and the metadata upserts (v1.16+) go.
  for (const ip of byIp.keys()) {
    const e = byIp.get(ip) as { names: Set<string>; selectors: Set<string>; nodes: Set<string> };
    let labels: Label[];
    if (release.has('fqdn-identity-labels')) {
      labels = [...[...e.selectors].map(fqdnLabel), WORLD_LABEL];
      const parent = parentPrefix(ip, cidrs);
      if (parent) labels.push(...cidrIdentityLabels(parent.prefix, true).filter((l) => l.source === 'cidr'));
      labels = sortLabels(labels);
    } else {
      labels = cidrIdentityLabels({ addr: ip, len: 32 });
    }
    const before = identities.idOf(labels);
    const id = before ?? identities.allocateLocal(labels, release.has('fqdn-identity-labels') ? undefined : { addr: ip, len: 32 });
    out.push({ ip, identity: id, names: [...e.names].sort(), selectors: [...e.selectors], nodes: [...e.nodes].sort(), learnedOnly: before === undefined || out.some((o) => o.identity === id && o.learnedOnly), labels: identities.labelStrings(id) ?? [] });
  }
  return out;
}

/** findCIDRParentPrefix: the longest policy prefix that holds the address (itself included). */
function parentPrefix(ip: Ipv4, cidrs: readonly CidrIdentity[]): CidrIdentity | undefined {
  let best: CidrIdentity | undefined;
  for (const c of cidrs) {
    if (c.prefix.len === 0 || ((ip & maskOf(c.prefix.len)) >>> 0) !== c.prefix.addr) continue;
    if (!best || c.prefix.len > best.prefix.len) best = c;
  }
  return best;
}

/** The provenance text of an address's ipcache entry. */
export function fqdnProvenance(f: FqdnIdentity, learned: readonly FqdnLearned[], release: CiliumRelease): string {
  const by = learned.filter((l) => l.ips.includes(f.ip) && f.names.includes(l.name));
  const who = [...new Set(by.map((l) => `${l.endpoint} on ${l.node}`))].join(', ');
  const how = release.has('fqdn-identity-labels') ? `identity of the label set [${f.labels.join(' ')}]` : `CIDR identity (AllocateCIDRsForIPs)`;
  return `DNS answer ${f.names.map((n) => `${n} A ${formatIpv4(f.ip)}`).join(', ')} seen by the DNS proxy (lookup by ${who}); ${f.selectors.join(', ')}: ${how}`;
}
