// The `cluster` section: datapath-wide settings, every one optional with Cilium's default.
import { isScalar } from './ast.js';
import type { ClusterSettings } from './types.js';
import { dnsLabel } from './checks.js';
import { CILIUM_VERSIONS, ENFORCEMENT_MODES, MASQUERADE_MODES, ROUTING_MODES, TUNNEL_PORTS, TUNNEL_PROTOCOLS } from './fields.js';
import type { Position } from '../errors.js';
import { bool, int, oneOf, parsed, readMap, type Entry, type Field, type Reader, type Source } from './raw.js';

/** `cilium: 1.13` unquoted is the float 1.13 in YAML; versions are strings ("1.10" ≠ 1.1). */
const ciliumVersion: Reader<Field<'1.13'>> = (src, e) => {
  if (isScalar(e.node) && typeof e.node.value === 'number') {
    return src.report(e.pos, `cilium version must be a string, e.g. "${CILIUM_VERSIONS[0]}"`);
  }
  return oneOf(CILIUM_VERSIONS)(src, { ...e, label: 'cilium version' });
};

/** Cluster settings from a Scenario's `cluster` section, or all defaults (placed at `fallback`). */
export function readCluster(src: Source | undefined, entry: Entry | undefined, fallback: Position): ClusterSettings {
  const m = src && entry ? readMap(src, entry, 'cluster') : undefined;
  const get = <T>(key: string, read: Reader<T>): T | undefined => m?.opt(key, read);

  const tunnelProtocol = get('tunnelProtocol', oneOf(TUNNEL_PROTOCOLS))?.value ?? 'vxlan';
  const bpfHostRouting = get('bpfHostRouting', bool);
  const kubeProxyReplacement = get('kubeProxyReplacement', bool)?.value ?? false;
  if (bpfHostRouting?.value === true && !kubeProxyReplacement) {
    src?.report(
      bpfHostRouting.pos,
      'BPF host routing requires kubeProxyReplacement: true (Cilium v1.13 falls back to legacy host routing without NodePort)',
    );
  }
  const masquerade = get('masquerade', oneOf(MASQUERADE_MODES));
  if (bpfHostRouting?.value === true && kubeProxyReplacement && (masquerade?.value ?? 'iptables') === 'iptables') {
    src?.report(
      masquerade?.pos ?? bpfHostRouting.pos,
      'BPF host routing does not work with iptables masquerading (Cilium v1.13 falls back to legacy host routing); set masquerade: bpf or none',
    );
  }
  if (masquerade?.value === 'bpf' && !kubeProxyReplacement) {
    src?.report(masquerade.pos, 'BPF masquerading requires kubeProxyReplacement: true (it runs in the NodePort code of cil_to_netdev)');
  }
  return {
    name: get('name', parsed(dnsLabel('cluster name')))?.value ?? 'default',
    profile: get('cilium', ciliumVersion)?.value ?? '1.13',
    routing: get('routing', oneOf(ROUTING_MODES))?.value ?? 'tunnel',
    tunnelProtocol,
    tunnelPort: get('tunnelPort', int(1, 65535))?.value ?? TUNNEL_PORTS[tunnelProtocol],
    bpfHostRouting: bpfHostRouting?.value ?? false,
    kubeProxyReplacement,
    policyEnforcement: get('policyEnforcement', oneOf(ENFORCEMENT_MODES))?.value ?? 'default',
    mtu: get('mtu', int(576, 9216))?.value ?? 1500,
    masquerade: masquerade?.value ?? 'iptables',
    pos: m?.pos ?? fallback,
  };
}
