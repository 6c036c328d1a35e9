// A generated cluster for the matrix benchmark and the cache tests, deterministic:
// NODES nodes, DEPLOYMENTS deployments × REPLICAS pods spread over every node (as a
// scheduler spreads them), five namespaces and tiers, and POLICIES CiliumNetworkPolicies
// (ingress from another tier's namespace on 80/TCP; every third one also restricts egress).
import { stringify } from 'yaml';

export interface BenchShape {
  readonly nodes: number;
  readonly deployments: number;
  readonly replicas: number;
  readonly policies: number;
  readonly routing?: 'tunnel' | 'native';
}

export const BENCH_DEFAULT: BenchShape = { nodes: 10, deployments: 50, replicas: 20, policies: 30 };

const TIERS = ['web', 'api', 'db', 'cache', 'batch'] as const;
const tier = (i: number): string => TIERS[i % TIERS.length] as string;

export function benchScenarioText(shape: BenchShape): string {
  const nodes = Array.from({ length: shape.nodes }, (_, i) => ({ name: `node-${String(i).padStart(2, '0')}`, ip: `192.168.0.${10 + i}`, podCIDR: `10.${i + 1}.0.0/16` }));
  const perNode = new Array<number>(shape.nodes).fill(0);
  const pods = [];
  for (let d = 0; d < shape.deployments; d++) {
    for (let r = 0; r < shape.replicas; r++) {
      const n = (d + r) % shape.nodes;
      const k = (perNode[n] ?? 0) + 10;
      perNode[n] = (perNode[n] ?? 0) + 1;
      pods.push({ name: `app-${String(d).padStart(2, '0')}-${String(r).padStart(3, '0')}`, namespace: `team-${d % 5}`, node: nodes[n]?.name, ip: `10.${n + 1}.${k >> 8}.${k & 255}`, labels: { app: `app-${d}`, tier: tier(d) } });
    }
  }
  const policies = Array.from({ length: shape.policies }, (_, p) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: `pol-${p}`, namespace: `team-${p % 5}` },
    spec: {
      endpointSelector: { matchLabels: { app: `app-${p}` } },
      ingress: [{ fromEndpoints: [{ matchLabels: { tier: tier(p + 1), 'k8s:io.kubernetes.pod.namespace': `team-${(p + 1) % 5}` } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
      ...(p % 3 === 0 ? { egress: [{ toEndpoints: [{ matchLabels: { tier: tier(p + 2) } }] }] } : {}),
    },
  }));
  const cluster = shape.routing === 'native' ? { routing: 'native', bpfHostRouting: false } : { routing: 'tunnel' };
  return stringify({ apiVersion: 'cilium-trace/v1', kind: 'Scenario', metadata: { name: 'bench' }, cluster, nodes, pods, policies });
}
