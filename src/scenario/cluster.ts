// The `cluster` section: datapath-wide settings, every one optional with Cilium's default.
import { isScalar } from './ast.js';
import type { CiliumProfile, ClusterSettings } from './types.js';
import { DEFAULT_RELEASE, profileOf } from '../cilium/releases/release.js';
import { dnsLabel } from './checks.js';
import { CILIUM_VERSIONS, ENFORCEMENT_MODES, MASQUERADE_MODES, ROUTING_MODES, TUNNEL_PORTS, TUNNEL_PROTOCOLS } from './fields.js';
import type { Position } from '../errors.js';
import { bool, int, oneOf, parsed, readMap, type Entry, type Field, type Reader, type Source } from './raw.js';

/** `cilium: 1.13` unquoted is the float 1.13 in YAML; versions are strings ("1.10" ≠ 1.1). */
const ciliumVersion: Reader<Field<CiliumProfile>> = (src, e) => {
  if (isScalar(e.node) && typeof e.node.value === 'number') {
    return src.report(e.pos, `cilium version must be a string, e.g. "${CILIUM_VERSIONS[0]}"`);
  }
  const f = oneOf(CILIUM_VERSIONS)(src, { ...e, label: 'cilium version' });
  const profile = f ? profileOf(f.value) : undefined;
  return f && profile ? { value: profile, pos: f.pos } : undefined;
};

/** Why the newest profile: the input names no release. */
export const NO_VERSION = 'newest, no version given';

/**
 * Cluster settings from a Scenario's `cluster` section, or all defaults (placed at `fallback`).
 * `given` (--cilium) is the release the checks name when it overrides cluster.cilium.
 */
export function readCluster(src: Source | undefined, entry: Entry | undefined, fallback: Position, given?: CiliumProfile): ClusterSettings {
  const m = src && entry ? readMap(src, entry, 'cluster') : undefined;
  const get = <T>(key: string, read: Reader<T>): T | undefined => m?.opt(key, read);

  const cilium = get('cilium', ciliumVersion);
  const runs = `Cilium v${given ?? cilium?.value ?? DEFAULT_RELEASE.profile}`;
  // v1.13.0 falls back without NodePort (kube_proxy_replacement.go:414-419); from v1.14 also unless kube-proxy-replacement=true.
  const needsKpr = runs === 'Cilium v1.13' ? 'without NodePort' : 'unless kube-proxy-replacement is true';
  const tunnelProtocol = get('tunnelProtocol', oneOf(TUNNEL_PROTOCOLS))?.value ?? 'vxlan';
  const bpfHostRouting = get('bpfHostRouting', bool);
  const kubeProxyReplacement = get('kubeProxyReplacement', bool)?.value ?? false;
  if (bpfHostRouting?.value === true && !kubeProxyReplacement) {
    src?.report(
      bpfHostRouting.pos,
      `BPF host routing requires kubeProxyReplacement: true (${runs} falls back to legacy host routing ${needsKpr})`,
    );
  }
  const masquerade = get('masquerade', oneOf(MASQUERADE_MODES));
  if (bpfHostRouting?.value === true && kubeProxyReplacement && (masquerade?.value ?? 'iptables') === 'iptables') {
    src?.report(
      masquerade?.pos ?? bpfHostRouting.pos,
      `BPF host routing does not work with iptables masquerading (${runs} falls back to legacy host routing); set masquerade: bpf or none`,
    );
  }
  if (masquerade?.value === 'bpf' && !kubeProxyReplacement) {
    src?.report(masquerade.pos, 'BPF masquerading requires kubeProxyReplacement: true (it runs in the NodePort code of cil_to_netdev)');
  }
  return {
    name: get('name', parsed(dnsLabel('cluster name')))?.value ?? 'default',
    profile: cilium?.value ?? DEFAULT_RELEASE.profile,
    profileWhy: cilium ? `cluster.cilium "${String(m?.entry('cilium')?.node && isScalar(m.entry('cilium')!.node) ? (m.entry('cilium')!.node as { value: unknown }).value : '')}"` : NO_VERSION,
    routing: get('routing', oneOf(ROUTING_MODES))?.value ?? 'tunnel',
    tunnelProtocol,
    tunnelPort: get('tunnelPort', int(1, 65535))?.value ?? TUNNEL_PORTS[tunnelProtocol],
    bpfHostRouting: bpfHostRouting?.value ?? false,
    kubeProxyReplacement,
    policyEnforcement: get('policyEnforcement', oneOf(ENFORCEMENT_MODES))?.value ?? 'default',
    mtu: get('mtu', int(576, 9216))?.value ?? 1500,
    masquerade: masquerade?.value ?? 'iptables',
    // enable-node-selector-labels (v1.16+, default false; daemon/cmd/daemon_main.go@v1.16.15:1134).
    ...nodeSelectorLabels(src, get('nodeSelectorLabels', bool)),
    pos: m?.pos ?? fallback,
  };
}

/** Only when written: a cilium-config's value (cilium-settings.ts) is the other way to set it. */
function nodeSelectorLabels(src: Source | undefined, f: Field<boolean> | undefined): { nodeSelectorLabels?: boolean } {
  if (!f) return {};
  src?.warnUnless('from-to-nodes', f.pos, 'cluster.nodeSelectorLabels (enable-node-selector-labels) is an option of Cilium 1.16 and later: v1.13.0 ignores it');
  return { nodeSelectorLabels: f.value };
}
