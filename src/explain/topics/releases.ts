// The topics are written for Cilium v1.13.0 (the seed's release). For another release a topic
// gets what changed for it up to that release, from data the release profiles already hold:
// the release switches of features.ts (each with the release that brought it and its source),
// the tail-call slots of the release's own header (calls-<release>.ts) and the agent CLI's
// name. Nothing here is prose about a release that the profiles do not record.
import { FEATURES, type Feature } from '../../cilium/releases/features.js';
import { V1_13_0, type CiliumRelease } from '../../cilium/releases/release.js';
import { compareReleases, parseRelease } from '../../cilium/releases/semver.js';
import type { Topic } from './types.js';

/** The release every topic text describes. */
export const WRITTEN_FOR: CiliumRelease = V1_13_0;

const TC_ENTRY: readonly Feature[] = ['section-entry-tc', 'section-tc-entry-tail', 'tcx'];
const POLICY_LOOKUP: readonly Feature[] = ['policy-lpm', 'policy-lpm-prefix-length', 'policy-deny-first', 'port-ranges'];

/** The release switches that change what a topic says (by topic id). */
const TOPIC_FEATURES: Readonly<Record<string, readonly Feature[]>> = {
  // maps
  cilium_ipcache: ['ipcache-nodeid-hex', 'ipcache-no-nodeid', 'ipcache-flags-comma', 'ipcache-flags-space', 'ipcache-v2', 'no-tunnel-map'],
  cilium_lxc: ['endpoint-sec-id', 'endpoint-key-addrcluster', 'endpoint-parent-ifindex'],
  'cilium_policy_*': [...POLICY_LOOKUP, 'policy-get-auth-prefix', 'policy-get-ranges', 'policy-get-any-label', 'policy-map-v2', 'policy-stats-map'],
  cilium_call_policy: ['policy-prog-cil-lxc', 'ep-not-ready'],
  'cilium_calls_*': ['remove-unreachable-tails', 'call-slots-renumbered', 'section-tc-entry-tail'],
  cilium_tunnel_map: ['tunnel-value-no-nodeid', 'no-tunnel-map'],
  cilium_ct4_global: ['ct-flag-from-tunnel', 'ct-list-svc-form', 'ct-list-single-counters', 'ct-list-no-ifindex', 'no-endpoint-ct'],
  cilium_ct_any4_global: ['ct-flag-from-tunnel', 'ct-list-svc-form', 'ct-list-single-counters', 'ct-list-no-ifindex', 'no-endpoint-ct'],
  cilium_lb4_services_v2: ['lb-list-slot-rows', 'lb-list-proto', 'lb-service-proto'],
  cilium_lb4_backends_v3: ['lb-list-proto'],
  cilium_snat_v4_external: ['nat-list-needs-ct', 'nat-list-created-ago'],
  // programs
  cil_from_container: TC_ENTRY,
  cil_to_container: TC_ENTRY,
  cil_from_overlay: [...TC_ENTRY, 'overlay-trace-identity'],
  cil_to_overlay: [...TC_ENTRY, 'to-overlay-trace-first'],
  cil_from_netdev: [...TC_ENTRY, 'from-netdev-always'],
  cil_to_netdev: TC_ENTRY,
  cil_from_host: TC_ENTRY,
  cil_to_host: TC_ENTRY,
  handle_policy: ['policy-prog-cil-lxc', 'ep-not-ready'],
  __send_drop_notify: ['tail-drop-notify', 'drop-file-name'],
  // functions
  send_drop_notify: ['tail-drop-notify', 'drop-file-name'],
  _send_drop_notify: ['tail-drop-notify', 'drop-file-name'],
  ipv4_local_delivery: ['local-delivery-h', 'ep-not-ready'],
  policy_can_egress4: POLICY_LOOKUP,
  policy_can_access_ingress: POLICY_LOOKUP,
  send_policy_verdict_notify: ['verdict-auth-field'],
  encap_and_redirect_lxc: ['no-tunnel-map'],
  __encap_and_redirect_lxc: ['no-tunnel-map'],
  lb4_lookup_service: ['lb-service-proto'],
  // drop reasons and observation points
  DROP_POLICY: [...POLICY_LOOKUP, 'enable-default-deny'],
  DROP_POLICY_DENY: ['deny-always-wins', 'policy-deny-first'],
  DROP_MISSED_TAIL_CALL: ['ep-not-ready'],
  DROP_NO_SERVICE: ['no-service-reject'],
  DROP_NO_TUNNEL_ENDPOINT: ['no-tunnel-map'],
  TRACE_FROM_OVERLAY: ['overlay-trace-identity'],
  TRACE_TO_OVERLAY: ['to-overlay-trace-first'],
  // identities and devices
  world: ['world-ipv4-ipv6', 'cidr-single-label'],
  'world-ipv4': ['world-ipv4-ipv6'],
  'world-ipv6': ['world-ipv4-ipv6'],
  host: ['host-entity-host-only'],
  'remote-node': ['host-entity-host-only', 'from-to-nodes'],
  init: ['cnp-no-init'],
  lxc: ['tcx'],
};

/** The topic ids with release switches (a test checks each names a topic). */
export function topicsWithFeatures(): string[] {
  return Object.keys(TOPIC_FEATURES);
}

/**
 * Names a newer release gives the thing a topic is about, so `explain cil_lxc_policy` finds it
 * (bpf-index of v1.18.3: cil_lxc_policy bpf/bpf_lxc.c, local_delivery and tail_drop_notify).
 */
export const RELEASE_NAMES: Readonly<Record<string, readonly string[]>> = {
  cilium_ipcache: ['cilium_ipcache_v2'],
};

/** Concrete map names of newer releases that a topic's pattern covers (cilium_policy_v2_01703). */
export const RELEASE_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [['cilium_policy_*', /^cilium_policy_v2_\d+$/]];

function release(text: string) {
  const r = parseRelease(text);
  if (!r) throw new Error(`not a release number: ${text}`);
  return r;
}

/** A change of the topic between WRITTEN_FOR and `r`, in one sentence. */
export interface ReleaseNote {
  readonly text: string;
  readonly feature?: Feature;
}

const SLOT = /slot (\d+) \(CILIUM_CALL_([A-Z0-9_]+)\)/g;
/** "slot 22", not "slot 1..count" (a Service's backend slots) nor a prefix of a longer number. */
const BARE_SLOT = /\bslot (\d+)(?![\d.])/g;

/** What `r` changes of topic `t` since WRITTEN_FOR: features, slot numbers, the CLI's name. */
export function releaseNotes(t: Topic, r: CiliumRelease): ReleaseNote[] {
  const out: ReleaseNote[] = [];
  const from = release(WRITTEN_FOR.version);
  const to = release(r.version);
  const features = [...(TOPIC_FEATURES[t.id] ?? [])].sort((a, b) => compareReleases(release(FEATURES[a].since), release(FEATURES[b].since)));
  for (const f of features) {
    const since = release(FEATURES[f].since);
    if (compareReleases(since, from) > 0 && compareReleases(since, to) <= 0) out.push({ text: `${FEATURES[f].what} (since ${FEATURES[f].since}; ${FEATURES[f].source})`, feature: f });
  }
  const text = `${t.title} ${t.what} ${t.when}`;
  const seen = new Set<string>();
  const moved = (name: string, old: number) => {
    if (seen.has(name)) return;
    seen.add(name);
    const now = r.calls.slot(name);
    if (now === undefined) out.push({ text: `${r.version} defines no CILIUM_CALL_${name} (${r.calls.file}); ${WRITTEN_FOR.version} has it at slot ${old}` });
    else if (now !== old) out.push({ text: `CILIUM_CALL_${name} is slot ${now} (${r.calls.file}:${r.calls.line(name)}; slot ${old} in ${WRITTEN_FOR.version})`, feature: 'call-slots-renumbered' });
  };
  // "slot 29 (CILIUM_CALL_IPV4_CT_EGRESS)" names the slot; a bare "slot 22" of a program,
  // function or observation point is a tail-call slot: every name v1.13.0 gives it.
  for (const m of text.matchAll(SLOT)) moved(m[2] as string, Number(m[1]));
  if (t.kind === 'program' || t.kind === 'function' || t.kind === 'point') {
    for (const m of text.matchAll(BARE_SLOT)) for (const name of WRITTEN_FOR.calls.names(Number(m[1]))) moved(name, Number(m[1]));
  }
  if (/CILIUM_CALL_SIZE/.test(text) && r.calls.size !== WRITTEN_FOR.calls.size) out.push({ text: `CILIUM_CALL_SIZE is ${r.calls.size} (${r.calls.file}:${r.calls.line('SIZE')}; ${WRITTEN_FOR.calls.size} in ${WRITTEN_FOR.version})` });
  if (r.cli !== WRITTEN_FOR.cli && /\bcilium (bpf|monitor|endpoint|identity|policy|service|version|status)\b/.test(`${t.when} ${t.next}`)) {
    out.push({ text: `${FEATURES['cli-dbg'].what}: read the \`cilium …\` commands above as \`${r.cli} …\` (since ${FEATURES['cli-dbg'].since}; ${FEATURES['cli-dbg'].source})`, feature: 'cli-dbg' });
  }
  return out;
}

/** The closing section of a topic: which release it describes and, for another, what changed. */
export function releaseSection(t: Topic, r: CiliumRelease, others: readonly CiliumRelease[]): { heading: string; lines: string[] } {
  if (r.version === WRITTEN_FOR.version) {
    const more = others.filter((o) => o.version !== r.version).map((o) => o.profile);
    return { heading: 'Release', lines: [`Cilium ${r.version}.${more.length > 0 ? ` What a newer release changes: explain --cilium ${more.join('|')} ${t.id}` : ''}`] };
  }
  const notes = releaseNotes(t, r);
  const heading = `In Cilium ${r.version} (the text above describes ${WRITTEN_FOR.version})`;
  if (notes.length === 0) return { heading, lines: [`cilium-trace records no change of this topic between ${WRITTEN_FOR.version} and ${r.version}.`] };
  return { heading, lines: notes.map((n) => `- ${n.text}`) };
}
