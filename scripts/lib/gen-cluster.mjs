// Generates a realistic cluster as Kubernetes manifests (multi-document YAML, as
// `kubectl get nodes,ns,pods,svc,cnp,ccnp,netpol -A -o yaml` would print it, trimmed to the
// fields that matter), deterministically from a seed. Used by `npm run gen` and the benchmark.
//
// Shape: namespaces with env/team labels; deployments whose pods share their labels (so
// pods of one deployment share one security identity), spread over the nodes; named
// container ports; Services selecting deployments (a few NodePort); and a mix of policies:
// CNPs with fromEndpoints in and across namespaces, Kubernetes NetworkPolicies with
// namespaceSelector and podSelector, CIDR rules with except, entities, deny rules and a few
// clusterwide policies.
import { rng } from './prng.mjs';

const TIERS = ['web', 'api', 'db', 'cache', 'worker', 'frontend', 'backend'];
const WORDS = ['cart', 'checkout', 'catalog', 'search', 'auth', 'billing', 'ledger', 'notify', 'report', 'ingest', 'render', 'media', 'profile', 'orders', 'stock', 'ship', 'pricing', 'review', 'geo', 'audit'];
const ENVS = ['prod', 'staging', 'dev'];
/** External prefixes the CIDR rules draw from (documentation and public ranges). */
const CIDR_POOL = (() => {
  const out = [];
  for (const base of ['192.0.2', '198.51.100', '203.0.113']) out.push(`${base}.0/24`);
  for (let i = 0; i < 60; i++) out.push(`52.${(i * 7) % 256}.${(i * 13) % 256}.0/24`);
  for (let i = 0; i < 30; i++) out.push(`35.${(i * 11) % 256}.0.0/16`);
  return out;
})();

/** A document as an item of a List's `items`. */
const asItem = (doc) => doc.replace(/\n(?=.)/g, '\n  ').replace(/^/, '- ');

const ipText = (n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const ip = (a, b, c, d) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const pad = (n, w) => String(n).padStart(w, '0');

/**
 * @param {{nodes: number, pods: number, policies: number, services: number, seed?: number}} o
 * @returns {{ text: string, hints: { src: string, dst: string, proto: string, srcNode: string, dstNode: string }, counts: Record<string, number> }}
 */
export function generateCluster(o) {
  const r = rng(o.seed ?? 1);
  const N = Math.max(1, o.nodes | 0);
  const P = Math.max(0, o.pods | 0);
  const Q = Math.max(0, o.policies | 0);
  const S = Math.max(0, o.services | 0);
  const perNode = Math.ceil(P / N) + 3;
  if (perNode > 4094) throw new Error(`${P} pods on ${N} nodes is more than 4094 per node (Cilium's endpoint IDs); add nodes`);
  const bits = Math.max(8, Math.ceil(Math.log2(perNode)));
  if (N * 2 ** bits > 2 ** 23) throw new Error('too many pod addresses for 10.128.0.0/9');
  const docs = [];

  // Namespaces.
  const deployments = [];
  {
    let left = P;
    let i = 0;
    while (left > 0) {
      const replicas = Math.min(left, r.int(1, 19));
      deployments.push({ i, replicas });
      left -= replicas;
      i++;
    }
  }
  const nsCount = Math.max(1, Math.ceil(deployments.length / 50));
  const namespaces = [];
  for (let i = 0; i < nsCount; i++) {
    const name = `ns-${pad(i, 3)}`;
    const env = ENVS[i % ENVS.length];
    const team = `team-${i % 17}`;
    namespaces.push({ name, env, team });
    docs.push(`apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    env: ${env}
    team: ${team}
    kubernetes.io/metadata.name: ${name}
`);
  }

  // Nodes: pod CIDRs carved from 10.128.0.0/9, InternalIPs from 172.16.0.0/12.
  const nodes = [];
  for (let i = 0; i < N; i++) {
    const name = `node-${pad(i, 4)}`;
    const base = (ip(10, 128, 0, 0) + i * 2 ** bits) >>> 0;
    const cidr = `${ipText(base)}/${32 - bits}`;
    const addr = ipText((ip(172, 16, 0, 10) + i) >>> 0);
    nodes.push({ name, base, next: 2, addr });
    docs.push(`apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels:
    kubernetes.io/hostname: ${name}
    kubernetes.io/os: linux
    topology.kubernetes.io/zone: zone-${i % 3}
spec:
  podCIDR: ${cidr}
  podCIDRs:
  - ${cidr}
status:
  addresses:
  - address: ${addr}
    type: InternalIP
  - address: ${name}
    type: Hostname
`);
  }

  // Deployments and their pods, spread round-robin over the nodes from a random start.
  let nodeCursor = r.int(0, N - 1);
  const podsOf = new Map();
  for (const d of deployments) {
    const ns = namespaces[d.i % nsCount];
    d.ns = ns.name;
    d.app = `${r.pick(WORDS)}-${d.i}`;
    d.tier = r.pick(TIERS);
    d.team = ns.team;
    d.sa = r.chance(0.5) ? d.app : 'default';
    d.hash = r.id(10);
    d.metrics = r.chance(0.3);
    const pods = [];
    for (let k = 0; k < d.replicas; k++) {
      const node = nodes[nodeCursor];
      nodeCursor = (nodeCursor + 1) % N;
      const podIp = ipText((node.base + node.next++) >>> 0);
      const name = `${d.app}-${d.hash}-${r.id(5)}`;
      pods.push({ name, node: node.name, ip: podIp });
      docs.push(`apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${d.ns}
  generateName: ${d.app}-${d.hash}-
  labels:
    app: ${d.app}
    tier: ${d.tier}
    team: ${d.team}
    pod-template-hash: ${d.hash}
spec:
  containers:
  - name: app
    image: registry.example.com/${d.app}:1.${d.i % 10}
    ports:
    - containerPort: 8080
      name: http
      protocol: TCP${d.metrics ? `
    - containerPort: 9090
      name: metrics
      protocol: TCP` : ''}
  nodeName: ${node.name}
  serviceAccountName: ${d.sa}
status:
  phase: Running
  podIP: ${podIp}
  podIPs:
  - ip: ${podIp}
`);
    }
    podsOf.set(d, pods);
  }

  // Services: each selects one deployment; targetPort by name or number; a few NodePorts.
  let nodePort = 30000;
  for (let i = 0; i < S && deployments.length > 0; i++) {
    const d = deployments[i % deployments.length];
    const isNodePort = r.chance(0.005) && nodePort <= 32767;
    const clusterIp = ipText((ip(10, 96, 0, 10) + i) >>> 0);
    const named = r.chance(0.5);
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: svc-${pad(i, 4)}-${d.app}
  namespace: ${d.ns}
spec:
  type: ${isNodePort ? 'NodePort' : 'ClusterIP'}
  clusterIP: ${clusterIp}
  clusterIPs:
  - ${clusterIp}
  selector:
    app: ${d.app}
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: ${named ? 'http' : 8080}${isNodePort ? `
    nodePort: ${nodePort++}` : ''}
`);
  }

  // Policies.
  const byNs = new Map();
  for (const d of deployments) {
    const list = byNs.get(d.ns) ?? [];
    list.push(d);
    byNs.set(d.ns, list);
  }
  let hints;
  const kinds = { cnp: 0, knp: 0, ccnp: 0, cidr: 0, deny: 0 };
  for (let i = 0; i < Q && deployments.length > 0; i++) {
    const d = deployments[r.int(0, deployments.length - 1)];
    const peers = byNs.get(d.ns) ?? [d];
    const peer = peers[r.int(0, peers.length - 1)];
    const roll = r.next();
    const name = `pol-${pad(i, 5)}`;
    if (i === 0 || roll < 0.4) {
      kinds.cnp++;
      const other = i === 0 ? deployments.find((x) => x !== d && x.ns === d.ns) ?? peer : peer;
      if (i === 0) {
        const dst = podsOf.get(d)[0];
        const src = podsOf.get(other).find((p) => p.node !== dst.node) ?? podsOf.get(other)[0];
        hints = { src: `${other.ns}/${src.name}`, dst: `${d.ns}/${dst.name}`, proto: 'tcp/8080', srcNode: src.node, dstNode: dst.node };
      }
      docs.push(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: ${d.ns}
spec:
  endpointSelector:
    matchLabels:
      app: ${d.app}
  ingress:
  - fromEndpoints:
    - matchLabels:
        app: ${other.app}
    toPorts:
    - ports:
      - port: "8080"
        protocol: TCP
  - fromEndpoints:
    - matchLabels:
        tier: ${r.pick(TIERS)}
    toPorts:
    - ports:
      - port: http
        protocol: TCP
`);
    } else if (roll < 0.5) {
      kinds.cnp++;
      const far = namespaces[r.int(0, nsCount - 1)];
      docs.push(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: ${d.ns}
spec:
  endpointSelector:
    matchLabels:
      tier: ${d.tier}
  ingress:
  - fromEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: ${far.name}
        tier: ${r.pick(TIERS)}
    toPorts:
    - ports:
      - port: "8080"
        protocol: TCP
  egress:
  - toEndpoints:
    - matchLabels:
        k8s:io.kubernetes.pod.namespace: kube-system
        k8s-app: kube-dns
    toPorts:
    - ports:
      - port: "53"
        protocol: ANY
  - toEndpoints:
    - matchExpressions:
      - key: tier
        operator: In
        values: [api, db, cache]
`);
    } else if (roll < 0.7) {
      kinds.knp++;
      docs.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${d.ns}
spec:
  podSelector:
    matchLabels:
      app: ${d.app}
  policyTypes:
  - Ingress
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          env: ${r.pick(ENVS)}
      podSelector:
        matchLabels:
          tier: ${r.pick(TIERS)}
    - podSelector:
        matchLabels:
          app: ${peer.app}
    ports:
    - port: http
      protocol: TCP
    - port: 9090
      protocol: TCP
`);
    } else if (roll < 0.85) {
      kinds.cidr++;
      const cidr = r.pick(CIDR_POOL);
      const [a, len] = cidr.split('/');
      const parts = a.split('.');
      const except = Number(len) <= 24 ? `${parts[0]}.${parts[1]}.${parts[2]}.128/25` : `${parts[0]}.${parts[1]}.128.0/17`;
      docs.push(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: ${d.ns}
spec:
  endpointSelector:
    matchLabels:
      app: ${d.app}
  egress:
  - toCIDRSet:
    - cidr: ${cidr}
      except:
      - ${except}
    toPorts:
    - ports:
      - port: "443"
        protocol: TCP
  - toEntities:
    - kube-apiserver
  - toCIDR:
    - ${r.pick(CIDR_POOL)}
`);
    } else if (roll < 0.95) {
      kinds.deny++;
      docs.push(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: ${name}
  namespace: ${d.ns}
spec:
  endpointSelector:
    matchLabels:
      app: ${d.app}
  ingressDeny:
  - fromEntities:
    - world
  - fromEndpoints:
    - matchLabels:
        app: ${(byNs.get(d.ns)?.length ?? 0) > 1 ? peer.app : d.app}
    toPorts:
    - ports:
      - port: "9090"
        protocol: TCP
  ingress:
  - fromEntities:
    - cluster
`);
    } else {
      kinds.ccnp++;
      docs.push(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: ${name}
spec:
  endpointSelector:
    matchLabels:
      tier: ${d.tier}
      team: ${d.team}
  ingress:
  - fromEndpoints:
    - matchExpressions:
      - key: tier
        operator: In
        values: [${r.pick(TIERS)}, ${r.pick(TIERS)}]
    toPorts:
    - ports:
      - port: "8080"
        protocol: TCP
  - fromEntities:
    - host
    - remote-node
`);
    }
  }
  if (!hints) {
    const all = [...podsOf.values()].flat();
    const a = all[0];
    const b = all.find((p) => p.node !== a?.node) ?? all[1] ?? a;
    const nsOf = (p) => deployments.find((d) => podsOf.get(d).includes(p))?.ns ?? 'default';
    hints = a && b ? { src: `${nsOf(a)}/${a.name}`, dst: `${nsOf(b)}/${b.name}`, proto: 'tcp/8080', srcNode: a.node, dstNode: b.node } : undefined;
  }
  const header = `# Generated by cilium-trace's scale generator: ${N} nodes, ${P} pods, ${Q} policies, ${S} services, seed ${o.seed ?? 1}.\n`;
  // As \`kubectl get … -o yaml\` prints them: one List per kind of object.
  const lists = [];
  for (const kind of ['Namespace', 'Node', 'Pod', 'Service', 'CiliumNetworkPolicy', 'NetworkPolicy', 'CiliumClusterwideNetworkPolicy']) {
    const items = docs.filter((d) => d.includes(`\nkind: ${kind}\n`));
    if (items.length > 0) lists.push(`apiVersion: v1\nkind: List\nmetadata:\n  resourceVersion: ""\nitems:\n${items.map(asItem).join('')}`);
  }
  return {
    text: header + lists.join('---\n'),
    hints,
    counts: { namespaces: nsCount, nodes: N, deployments: deployments.length, pods: P, services: S, policies: Q, ...kinds },
  };
}
