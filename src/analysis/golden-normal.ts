// The normalised golden form (`check --golden`): a rendered trace with its allocation
// artefacts — numbers the agent or kernel hands out in creation order — written as whose they
// are, so a golden changes only when the path changes. Adding an unrelated pod shifts later
// ifindexes and endpoint ids; a namespace label reallocates identities (and so VNIs); neither
// may show up in another flow's golden. `--golden-exact` keeps the rendered text as it is.
import type { Cluster } from '../controlplane/cluster.js';
import type { Label } from '../controlplane/labels.js';

/** `[shop app=api]`: an identity by its labels, without the ones that carry no meaning to the path. */
function identityName(labels: readonly Label[]): string {
  const reserved = labels.filter((l) => l.source === 'reserved').map((l) => `reserved:${l.key}`);
  if (reserved.length > 0) return `[${reserved.join(',')}]`;
  const ns = labels.find((l) => l.key === 'io.kubernetes.pod.namespace')?.value;
  const own = labels.filter((l) => l.source !== 'cidr' && !l.key.startsWith('io.kubernetes.') && !l.key.startsWith('io.cilium.k8s.')).map((l) => `${l.key}=${l.value}`).sort();
  const cidr = labels.filter((l) => l.source === 'cidr').map((l) => l.key).sort((a, b) => Number(b.split('/')[1]) - Number(a.split('/')[1]))[0];
  return `[${[ns, ...own, ...(cidr ? [`cidr:${cidr}`] : [])].filter((x) => x !== undefined).join(' ')}]`;
}

export interface GoldenNames {
  readonly identity: ReadonlyMap<number, string>;
  readonly endpoint: ReadonlyMap<number, string>;
  /** node → ifindex → device ('[shop/db-0]' for a pod's veth, the name otherwise). */
  readonly ifindex: ReadonlyMap<string, ReadonlyMap<number, string>>;
  readonly veth: ReadonlyMap<string, string>;
  readonly nodes: readonly string[];
}

export function goldenNames(cluster: Cluster): GoldenNames {
  const identity = new Map<number, string>();
  for (const id of cluster.identities.all()) identity.set(id.id, identityName(id.labels));
  const endpoint = new Map<number, string>();
  const veth = new Map<string, string>();
  const ifindex = new Map<string, Map<number, string>>();
  for (const n of cluster.scenario.nodes) {
    ifindex.set(n.name, new Map([n.ciliumHost, n.ciliumNet, n.tunnelDevice, n.device].map((d) => [d.ifindex, d.name])));
  }
  for (const ep of cluster.endpoints) {
    const who = `${ep.pod.namespace}/${ep.pod.name}`;
    endpoint.set(ep.pod.endpointId, `[${who}]`);
    veth.set(ep.pod.hostVeth.name, `lxc[${who}]`);
    ifindex.get(ep.node.name)?.set(ep.pod.hostVeth.ifindex, `[${who}]`);
  }
  return { identity, endpoint, ifindex, veth, nodes: cluster.scenario.nodes.map((n) => n.name) };
}

const nameOr = (m: ReadonlyMap<number, string>, n: string): string => m.get(Number(n)) ?? n;

/** The node a trace line is about: the first node name in it (hop lines start with it; `… on node-b`). */
function nodeOf(line: string, nodes: readonly string[]): string | undefined {
  let best: { node: string; at: number } | undefined;
  for (const n of nodes) {
    const m = new RegExp(`(^|[\\s/(])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[\\s/:),]|$)`).exec(line);
    if (m && (!best || m.index < best.at)) best = { node: n, at: m.index };
  }
  return best?.node;
}

/** The rendered trace in the normalised golden form. */
export function normalizeGolden(text: string, names: GoldenNames): string {
  let last: string | undefined; // detailed levels: lines under a hop header are that node's
  return text.split('\n').map((line) => {
    const node = nodeOf(line, names.nodes) ?? last;
    if (/^\S/.test(line) && node) last = node;
    const devs = node ? names.ifindex.get(node) : undefined;
    return line
      .replace(/\b(ifindex )(\d+)/g, (_, p: string, n: string) => p + (devs?.get(Number(n)) ?? n))
      .replace(/\blxc[0-9a-f]{6,}\b/g, (v) => names.veth.get(v) ?? v)
      .replace(/\b((?:security )?id(?:entity)? |vni |secid |identity )(\d+)\b/g, (_, p: string, n: string) => p + nameOr(names.identity, n))
      .replace(/\b(identity=|tunnel_id=|SourceSecurityID=|secId=|\[CB_SRC_LABEL\]=|(?:Ingress|Egress): )(\d+)\b/g, (_, p: string, n: string) => p + nameOr(names.identity, n))
      .replace(/(\d+)(->|→)(\d+)(?= ifindex| state)/g, (_, a: string, arrow: string, b: string) => `${nameOr(names.identity, a)}${arrow}${nameOr(names.identity, b)}`)
      .replace(/\b(endpoint |lxc_id |ep )(\d+)\b/g, (_, p: string, n: string) => p + nameOr(names.endpoint, n))
      .replace(/\b(cilium_(?:policy(?:_v2)?|calls)_)(\d{5})\b/g, (_, p: string, n: string) => p + (names.endpoint.get(Number(n)) ?? n))
      .replace(/\b(udp )(\d+)( > (?:8472|6081)\b)/g, (_, p: string, _n: string, q: string) => `${p}[flow hash]${q}`)
      .replace(/\b(prog(?:_| )id )(\d+)\b/g, (_, p: string) => `${p}[prog]`);
  }).join('\n');
}
