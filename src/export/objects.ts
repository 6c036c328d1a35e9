// The cluster-level files of a sysdump (cilium-cli sysdump/constants.go names), written from
// the simulated cluster as `kubectl get -o yaml` Lists: Nodes, Pods (with one Cilium agent pod
// per node, k8s-app=cilium, which is how a sysdump's per-node files find their node),
// Services, Namespaces, CiliumNodes, CiliumEndpoints and CiliumIdentities (the numbers the
// simulation allocated), the cilium-config ConfigMap and the agent DaemonSet (its image tag is
// the release). Policies are copied as the input wrote them (policies.ts).
import type { Cluster } from '../controlplane/cluster.js';
import type { CiliumRelease } from '../cilium/releases/release.js';
import { formatIpv4, formatPrefix } from '../net/ip.js';
import type { ClusterSettings } from '../scenario/types.js';

type Obj = Record<string, unknown>;

/** `kubectl get … -o yaml` of a list: apiVersion, items, kind, metadata (writeYAML, cilium-cli writers.go). */
export function list(items: readonly Obj[], kind = 'List'): Obj {
  return { apiVersion: 'v1', items: [...items], kind, metadata: { resourceVersion: '' } };
}

// Kubernetes' rand.String alphabet (k8s.io/apimachinery/pkg/util/rand): no vowels, no 0/1/3.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A DaemonSet pod's name (cilium-xxxxx), derived from the node's name so it is the same on every run. */
export function agentPodName(node: string): string {
  let h = 0x811c9dc5;
  for (const c of node) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  let s = '';
  for (let i = 0; i < 5; i++) {
    s += ALPHABET[h % ALPHABET.length];
    h = Math.floor(h / ALPHABET.length) + (i + 1) * 7919;
  }
  return `cilium-${s}`;
}

/** The cilium-config keys that decide the datapath shape (real-state.md §5), for the release's chart. */
export function ciliumConfig(c: ClusterSettings, r: CiliumRelease): Obj {
  const v113 = r.profile === '1.13';
  const data: Record<string, string> = {
    'cluster-name': c.name,
    'cluster-id': String(c.clusterId ?? 0),
    'enable-ipv4': 'true',
    'enable-ipv6': 'false',
    'enable-policy': c.policyEnforcement,
    'enable-bpf-masquerade': String(c.masquerade === 'bpf'),
    'enable-ipv4-masquerade': String(c.masquerade !== 'none'),
    'enable-host-legacy-routing': String(!c.bpfHostRouting),
    'bpf-lb-sock': String(c.socketLb ?? c.kubeProxyReplacement),
    // v1.13: disabled|partial|strict|probe; v1.16+: true|false.
    'kube-proxy-replacement': v113 ? (c.kubeProxyReplacement ? 'strict' : 'disabled') : String(c.kubeProxyReplacement),
  };
  if (v113) data['tunnel'] = c.routing === 'tunnel' ? c.tunnelProtocol : 'disabled';
  else {
    data['routing-mode'] = c.routing;
    data['tunnel-protocol'] = c.tunnelProtocol;
  }
  if (c.routing === 'tunnel' && c.tunnelPort !== (c.tunnelProtocol === 'vxlan' ? 8472 : 6081)) data['tunnel-port'] = String(c.tunnelPort);
  if (c.nativeRoutingCidr) data['ipv4-native-routing-cidr'] = formatPrefix(c.nativeRoutingCidr);
  const sorted = Object.fromEntries(Object.entries(data).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return { apiVersion: 'v1', data: sorted, kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' } };
}

export function daemonSet(r: CiliumRelease): Obj {
  const container = { name: 'cilium-agent', image: `quay.io/cilium/cilium:${r.version}` };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { labels: { 'k8s-app': 'cilium' }, name: 'cilium', namespace: 'kube-system' },
    spec: { selector: { matchLabels: { 'k8s-app': 'cilium' } }, template: { metadata: { labels: { 'k8s-app': 'cilium' } }, spec: { containers: [container], hostNetwork: true } } },
  };
}

export function nodes(cluster: Cluster): Obj[] {
  return [...cluster.scenario.nodes].sort((a, b) => (a.name < b.name ? -1 : 1)).map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { labels: { 'kubernetes.io/hostname': n.name, ...(n.labels ?? {}) }, name: n.name },
    spec: { podCIDR: formatPrefix(n.podCIDR), podCIDRs: [formatPrefix(n.podCIDR)] },
    status: { addresses: [{ address: formatIpv4(n.ip), type: 'InternalIP' }, { address: n.name, type: 'Hostname' }] },
  }));
}

export function ciliumNodes(cluster: Cluster): Obj[] {
  return [...cluster.scenario.nodes].sort((a, b) => (a.name < b.name ? -1 : 1)).map((n) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNode',
    metadata: { name: n.name },
    spec: {
      addresses: [{ ip: formatIpv4(n.ip), type: 'InternalIP' }, { ip: formatIpv4(n.ciliumHostIp), type: 'CiliumInternalIP' }],
      ipam: { podCIDRs: [formatPrefix(n.podCIDR)] },
    },
  }));
}

export function namespaces(cluster: Cluster): Obj[] {
  const names = new Set(['kube-system', ...cluster.scenario.pods.map((p) => p.namespace), ...cluster.scenario.services.map((s) => s.namespace)]);
  const labelled = new Map((cluster.scenario.namespaces ?? []).map((n) => [n.name, n.labels] as const));
  return [...names].sort().map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { labels: { 'kubernetes.io/metadata.name': name, ...(labelled.get(name) ?? {}) }, name },
  }));
}

/** The workload pods, then one agent pod per node (hostNetwork, k8s-app=cilium). */
export function pods(cluster: Cluster): Obj[] {
  const sorted = [...cluster.scenario.pods].sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
  const workloads: Obj[] = sorted.map((p) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      labels: { ...p.labels },
      name: p.name,
      namespace: p.namespace,
      ...(p.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', controller: true, kind: p.owner.kind, name: p.owner.name }] } : {}),
    },
    spec: {
      containers: [{ name: 'app', ...(p.containerPorts.length > 0 ? { ports: p.containerPorts.map((c) => ({ ...(c.name ? { name: c.name } : {}), containerPort: c.port, protocol: c.protocol })) } : {}) }],
      ...(p.hostNetwork ? { hostNetwork: true } : {}),
      nodeName: p.node,
      serviceAccountName: p.serviceAccount,
    },
    status: { phase: 'Running', podIP: formatIpv4(p.ip), podIPs: [{ ip: formatIpv4(p.ip) }] },
  }));
  const agents: Obj[] = [...cluster.scenario.nodes].sort((a, b) => (a.name < b.name ? -1 : 1)).map((n) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { labels: { 'k8s-app': 'cilium' }, name: agentPodName(n.name), namespace: 'kube-system', ownerReferences: [{ apiVersion: 'apps/v1', controller: true, kind: 'DaemonSet', name: 'cilium' }] },
    spec: { containers: [{ name: 'cilium-agent' }], hostNetwork: true, nodeName: n.name, serviceAccountName: 'cilium' },
    status: { phase: 'Running', podIP: formatIpv4(n.ip), podIPs: [{ ip: formatIpv4(n.ip) }] },
  }));
  return [...workloads, ...agents];
}

export function services(cluster: Cluster): Obj[] {
  return [...cluster.scenario.services].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1)).map((s) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace },
    spec: {
      clusterIP: s.clusterIP === undefined ? 'None' : formatIpv4(s.clusterIP),
      ports: s.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}), port: p.port, protocol: p.protocol, targetPort: p.targetPort })),
      ...(s.selector ? { selector: { ...s.selector } } : {}),
      type: s.type,
    },
  }));
}

/** CiliumEndpoints (status.id, identity, networking; pkg/k8s/apis/cilium.io/v2 EndpointStatus). */
export function ciliumEndpoints(cluster: Cluster): Obj[] {
  return [...cluster.endpoints].sort((a, b) => (`${a.pod.namespace}/${a.pod.name}` < `${b.pod.namespace}/${b.pod.name}` ? -1 : 1)).map((e) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumEndpoint',
    metadata: { name: e.pod.name, namespace: e.pod.namespace },
    status: {
      id: e.pod.endpointId,
      identity: { id: e.identity, labels: [...(cluster.identities.labelStrings(e.identity) ?? [])] },
      networking: { addressing: [{ ipv4: formatIpv4(e.pod.ip) }], node: formatIpv4(e.node.ip) },
      state: 'ready',
    },
  }));
}

/** CiliumIdentities of the endpoints (name = the number, `security-labels` source:key → value). */
export function ciliumIdentities(cluster: Cluster): Obj[] {
  const ids = [...new Set(cluster.endpoints.map((e) => e.identity))].sort((a, b) => a - b);
  return ids.map((id) => {
    const labels = cluster.identities.labelStrings(id) ?? [];
    const security = Object.fromEntries(labels.map((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? [l, ''] : [l.slice(0, eq), l.slice(eq + 1)];
    }));
    const ns = security['k8s:io.kubernetes.pod.namespace'];
    return { apiVersion: 'cilium.io/v2', kind: 'CiliumIdentity', metadata: { labels: ns === undefined ? {} : { 'io.kubernetes.pod.namespace': ns }, name: String(id) }, 'security-labels': security };
  });
}
