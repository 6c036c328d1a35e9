// Helpers for the policy semantics tests: a two-node cluster written as a Scenario document
// followed by Kubernetes objects (Namespaces, Pods, policies), built through the real loader
// and control plane; policy map lookups and datapath traces on the result. The cluster pins
// v1.13.0: these tests hold the v1.13.0 policy map (HASH keys, cilium_policy_<EPID>) and its rules.
import assert from 'node:assert/strict';
import { buildCluster, type Cluster, type EndpointRecord } from '../../src/controlplane/cluster.js';
import { policyMapName, type PolicyEntry, type PolicyKey, type PolicyMap } from '../../src/maps/policymap.js';
import { ipv4 } from '../../src/net/ip.js';
import { parseScenario } from '../../src/scenario/load.js';
import { traceFlow, type FlowSpec } from '../../src/trace/run.js';
import type { TraceResult } from '../../src/trace/tree.js';

/** Two nodes; pods on n1 get 10.0.1.x, pods on n2 10.0.2.x. */
export const BASE = `apiVersion: cilium-trace/v1
kind: Scenario
metadata: { name: policy-test }
cluster: { cilium: "1.13", routing: tunnel, kubeProxyReplacement: false, bpfHostRouting: false }
nodes:
  - { name: n1, ip: 192.168.0.1, podCIDR: 10.0.1.0/24 }
  - { name: n2, ip: 192.168.0.2, podCIDR: 10.0.2.0/24 }
`;

export interface PodDef {
  readonly name: string;
  readonly ns?: string;
  readonly node?: 'n1' | 'n2';
  readonly ip: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ports?: ReadonlyArray<{ name: string; port: number; protocol?: string }>;
  readonly hostNetwork?: boolean;
}

export function podDoc(p: PodDef): string {
  const labels = JSON.stringify(p.labels ?? {});
  const ports = (p.ports ?? []).map((x) => `{ containerPort: ${x.port}, name: ${x.name}, protocol: ${x.protocol ?? 'TCP'} }`).join(', ');
  return `---
apiVersion: v1
kind: Pod
metadata: { name: ${p.name}, namespace: ${p.ns ?? 'default'}, labels: ${labels} }
spec: { nodeName: ${p.node ?? 'n1'}, ${p.hostNetwork ? 'hostNetwork: true, ' : ''}containers: [{ name: c, ports: [${ports}] }] }
status: { podIP: ${p.ip} }
`;
}

export function nsDoc(name: string, labels: Readonly<Record<string, string>> = {}): string {
  return `---
apiVersion: v1
kind: Namespace
metadata: { name: ${name}, labels: ${JSON.stringify(labels)} }
`;
}

/** Builds a cluster from the base, pods and any further YAML documents (policies). */
export function build(pods: readonly PodDef[], ...docs: string[]): Cluster {
  const text = BASE + pods.map(podDoc).join('') + docs.map((d) => (d.startsWith('---') ? d : `---\n${d}`)).join('\n');
  return buildCluster(parseScenario(text, 'x.yaml'));
}

export function ep(c: Cluster, name: string): EndpointRecord {
  const e = c.endpoints.find((x) => x.pod.name === name);
  assert.ok(e, `no endpoint ${name}`);
  return e;
}

export function policyMap(c: Cluster, name: string): PolicyMap {
  const e = ep(c, name);
  const pm = c.datapath.nodes.get(e.node.name)?.maps.policy.get(policyMapName(e.pod.endpointId));
  assert.ok(pm, `no policy map for ${name}`);
  return pm;
}

export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;

export function key(identity: number, dport: number, proto: number, direction: PolicyKey['direction'] = 'ingress'): PolicyKey {
  return { identity, dport, proto, direction };
}

export function lookup(c: Cluster, pod: string, k: PolicyKey): PolicyEntry | undefined {
  return policyMap(c, pod).lookup(k);
}

/** Asserts an allow entry exists. */
export function allows(c: Cluster, pod: string, k: PolicyKey): PolicyEntry {
  const e = lookup(c, pod, k);
  assert.ok(e, `${pod}: expected an allow entry ${JSON.stringify(k)}; map:\n${dump(c, pod)}`);
  assert.equal(e.deny, false, `${pod}: ${JSON.stringify(k)} is a deny entry`);
  return e;
}

export function denies(c: Cluster, pod: string, k: PolicyKey): PolicyEntry {
  const e = lookup(c, pod, k);
  assert.ok(e, `${pod}: expected a deny entry ${JSON.stringify(k)}; map:\n${dump(c, pod)}`);
  assert.equal(e.deny, true, `${pod}: ${JSON.stringify(k)} is an allow entry`);
  return e;
}

export function absent(c: Cluster, pod: string, k: PolicyKey): void {
  assert.equal(lookup(c, pod, k), undefined, `${pod}: unexpected entry ${JSON.stringify(k)}; map:\n${dump(c, pod)}`);
}

export function dump(c: Cluster, pod: string): string {
  return policyMap(c, pod).sortedEntries().map(({ key: k, entry }) => `${entry.deny ? 'deny ' : 'allow'} ${k.direction} id=${k.identity} ${k.dport}/${k.proto}`).join('\n');
}

export function idOf(c: Cluster, pod: string): number {
  return ep(c, pod).identity;
}

/** Traces a packet from a pod to a pod or address through the simulated datapath. */
export function trace(c: Cluster, from: string, to: string, proto: FlowSpec['proto'] = 'tcp', dport: number | null = 80): TraceResult {
  const dst = /^\d+\.\d+\.\d+\.\d+$/.test(to) ? ipv4(to) : ep(c, to).pod.ip;
  return traceFlow(c, { src: { kind: 'pod', ip: ep(c, from).pod.ip }, dstIp: dst, proto, dport: proto === 'icmp' ? null : dport, sport: 43210, traceArp: false });
}

/** FORWARDED, or the drop code. */
export function verdict(r: TraceResult): 'FORWARDED' | number | 'NOT_SIMULATED' {
  if (r.verdict === 'FORWARDED') return 'FORWARDED';
  if (r.verdict === 'DROPPED') return r.drop?.code ?? -1;
  return 'NOT_SIMULATED';
}

export function cnp(name: string, spec: string, ns = 'default'): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${name}, namespace: ${ns} }
spec:
${indent(spec, 2)}`;
}

export function ccnp(name: string, spec: string): string {
  return `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: ${name} }
spec:
${indent(spec, 2)}`;
}

export function knp(name: string, spec: string, ns = 'default'): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: ${name}, namespace: ${ns} }
spec:
${indent(spec, 2)}`;
}

function indent(text: string, n: number): string {
  const lines = text.replace(/^\n+|\s+$/g, '').split('\n');
  const min = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => ' '.repeat(n) + l.slice(min)).join('\n') + '\n';
}
