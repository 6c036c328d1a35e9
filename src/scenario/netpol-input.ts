// networking.k8s.io/v1 NetworkPolicy `spec`, validated as the API server does
// (pkg/apis/networking/validation) and kept as written: an absent `from`, `ports`,
// `ingress` or `policyTypes` stays undefined and an empty list stays empty, because the
// two mean different things. The control plane converts it as Cilium does.
import { isScalar } from './ast.js';
import { k8sPortName, Invalid } from './checks.js';
import { K8S_PROTOCOLS, POLICY_TYPES, type FieldSet } from './fields.js';
import { cidrValue, IPV6_SET_ASIDE, readExcepts, readK8sSelector } from './selectors.js';
import type { Ipv4Prefix } from '../net/ip.js';
import { int, listOf, oneOf, readMap, str, typeError, type Field, type Reader } from './raw.js';
import { compact } from '../util/compact.js';
import type { CidrRule, NetworkPolicyInput, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicyRule } from './types.js';

/** Cilium v1.13.0 converts a NetworkPolicy port without its endPort. */
export const KNP_END_PORT_WHY = 'Cilium v1.13.0 reads only port: its NetworkPolicyPort has no endPort and parsePorts makes {Port, Protocol} (pkg/k8s/network_policy.go:275-282)';

export const readNetworkPolicySpec: Reader<NetworkPolicyInput> = (src, e) => {
  const m = readMap(src, e, 'networkPolicySpec');
  if (!m) return undefined;
  // podSelector is a struct in the API: absent reads as {} (every pod of the namespace).
  const podSelector = m.opt('podSelector', readK8sSelector) ?? { matchLabels: {}, matchExpressions: [], pos: m.pos };
  const policyTypes = m.opt('policyTypes', listOf(readPolicyType));
  if (policyTypes) {
    const seen = new Set<string>();
    for (const t of policyTypes) {
      if (seen.has(t.value)) src.report(t.pos, `duplicate policy type '${t.value}'`);
      seen.add(t.value);
    }
  }
  const ingress = m.opt('ingress', listOf(rule('networkPolicyIngressRule', 'from')));
  const egress = m.opt('egress', listOf(rule('networkPolicyEgressRule', 'to')));
  return compact<NetworkPolicyInput>({ podSelector, policyTypes: policyTypes ? [...new Set(policyTypes.map((t) => t.value))] : undefined, ingress, egress });
};

const readPolicyType: Reader<Field<'Ingress' | 'Egress'>> = (src, e) => oneOf(POLICY_TYPES)(src, { ...e, label: 'policy type' });

function rule(set: FieldSet, peersKey: 'from' | 'to'): Reader<NetworkPolicyRule> {
  return (src, e) => {
    const m = readMap(src, e, set);
    if (!m) return undefined;
    const peers = m.opt(peersKey, listOf(readPeer));
    const ports = m.opt('ports', listOf(readPort));
    return compact<NetworkPolicyRule>({ peers, ports, pos: m.pos });
  };
}

/** One of ipBlock, or podSelector and/or namespaceSelector (ValidateNetworkPolicyPeer). */
const readPeer: Reader<NetworkPolicyPeer> = (src, e) => {
  const m = readMap(src, e, 'networkPolicyPeer');
  if (!m) return undefined;
  const podSelector = m.opt('podSelector', readK8sSelector);
  const namespaceSelector = m.opt('namespaceSelector', readK8sSelector);
  const block = m.opt('ipBlock', readIpBlock);
  const given = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => m.entry(k));
  if (given.length === 0) return src.report(m.pos, 'a peer needs podSelector, namespaceSelector or ipBlock');
  if (m.entry('ipBlock') && given.length > 1) {
    return src.report(m.pos, 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer (write them as two peers)');
  }
  // An IPv6 ipBlock stays a peer (the rule names peers), one no IPv4 packet matches.
  if (block === IPV6_SET_ASIDE) return { ipv6: true, pos: m.pos };
  return compact<NetworkPolicyPeer>({ podSelector, namespaceSelector, ipBlock: block, pos: m.pos });
};

/** ipBlock: a prefix (host bits allowed, as the API server allows them) and excepts strictly inside it. */
const readIpBlock: Reader<CidrRule | typeof IPV6_SET_ASIDE> = (src, e) => {
  const m = readMap(src, e, 'ipBlock');
  if (!m) return undefined;
  const cidr = m.req('cidr', (s, x): Field<Ipv4Prefix> | typeof IPV6_SET_ASIDE | undefined => {
    const t = str(s, x);
    if (!t) return undefined;
    const v = cidrValue(t.value, 'cidr', false);
    if (v === null) {
      s.sink.ipv6.push({ what: 'policy CIDR', pos: x.pos });
      return IPV6_SET_ASIDE;
    }
    return typeof v === 'string' ? s.report(x.pos, v) : { value: v, pos: x.pos };
  });
  if (cidr === IPV6_SET_ASIDE) return cidr;
  const except = readExcepts(m, cidr?.value, true);
  return cidr ? { cidr: cidr.value, except: except ?? [], pos: m.pos } : undefined;
};

/** port: a number 1..65535 or a container port name; endPort only after a numeric port. */
const readPort: Reader<NetworkPolicyPort> = (src, e) => {
  const m = readMap(src, e, 'networkPolicyPort');
  if (!m) return undefined;
  const protocol = m.opt('protocol', oneOf(K8S_PROTOCOLS))?.value ?? 'TCP';
  const port = m.opt('port', readIntOrName);
  const endPort = m.opt('endPort', int(1, 65535));
  // The API server's checks (ValidateNetworkPolicyPort) come first: what it refuses is an error.
  if (endPort) {
    if (!port) return src.report(endPort.pos, 'endPort needs a port (the start of the range)');
    if (typeof port.value === 'string') return src.report(endPort.pos, `endPort needs a numeric port (port is the named port '${port.value}')`);
    if (endPort.value < port.value) return src.report(endPort.pos, `endPort ${endPort.value} is below port ${port.value} (expected endPort >= port)`);
    if (endPort.value > port.value) src.warnUnless('port-ranges', endPort.pos, `endPort ${endPort.value} ignored: ${KNP_END_PORT_WHY}; only port ${port.value} is allowed`);
  }
  if (m.entry('port') && !port) return undefined;
  // Whether the range counts depends on the release: the control plane decides (policy-rules.ts).
  return compact<NetworkPolicyPort>({ port: port?.value, endPort: endPort?.value, protocol, pos: m.pos });
};

/** IntOrString ports of Kubernetes: an integer 1..65535 or a port name (not a quoted number). */
export const readIntOrName: Reader<Field<number | string>> = (src, e) => {
  const v = isScalar(e.node) ? e.node.value : undefined;
  if (typeof v === 'number') return int(1, 65535)(src, e);
  if (typeof v !== 'string') return typeError(src, e, 'a port number 1..65535 or a port name');
  if (/^\d+$/.test(v)) return src.report(e.pos, `${e.label} "${v}" is a quoted number (expected ${v} without quotes, or a port name)`);
  const name = k8sPortName(v, `${e.label} name`);
  return name instanceof Invalid ? src.report(e.pos, name.message) : { value: name, pos: e.pos };
};
