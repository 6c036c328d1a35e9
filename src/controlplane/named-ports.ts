// Named ports of policies, resolved as Cilium v1.13 resolves them (pkg/endpoint/policy.go
// GetNamedPort, pkg/policy/types NamedPortMap / NamedPortMultiMap GetNamedPort):
//  * ingress: the container ports of the endpoint the policy applies to;
//  * egress: the named ports of all pods, as the ipcache collects them from the pods it
//    knows (hostNetwork pods are not in the ipcache). A name that maps to two different
//    port numbers is ErrDuplicateNamedPorts and resolves to nothing.
// A port that does not resolve produces no policy map entry; the reason is returned.
import type { PodSpec } from '../scenario/types.js';

type ContainerPort = PodSpec['containerPorts'][number];

const PROTO_NUM: Readonly<Record<ContainerPort['protocol'], number>> = { TCP: 6, UDP: 17, SCTP: 132 };

export class NamedPorts {
  /** name → set of `port/proto` over all (non-hostNetwork) pods; built on the first egress lookup. */
  private index: Map<string, Map<string, { port: number; proto: number }>> | undefined;

  constructor(private readonly pods: readonly PodSpec[]) {}

  private get multi(): Map<string, Map<string, { port: number; proto: number }>> {
    if (this.index) return this.index;
    this.index = new Map();
    for (const pod of this.pods) {
      if (pod.hostNetwork) continue;
      for (const c of pod.containerPorts) {
        if (!c.name) continue;
        const name = c.name.toLowerCase();
        let set = this.index.get(name);
        if (!set) this.index.set(name, (set = new Map()));
        const proto = PROTO_NUM[c.protocol];
        set.set(`${c.port}/${proto}`, { port: c.port, proto });
      }
    }
    return this.index;
  }

  /** NamedPortMap.GetNamedPort over one endpoint's container ports. */
  ingress(ports: readonly ContainerPort[], name: string, proto: number): number | string {
    const c = ports.find((p) => p.name?.toLowerCase() === name.toLowerCase());
    if (!c) return `the endpoint has no container port named '${name}'`;
    if (PROTO_NUM[c.protocol] !== proto) return `container port '${name}' is ${c.protocol}, the rule asks for protocol ${proto}`;
    if (c.port === 0) return `container port '${name}' has port 0`;
    return c.port;
  }

  /** NamedPortMultiMap.GetNamedPort over the named ports of all pods. */
  egress(name: string, proto: number): number | string {
    const set = this.multi.get(name.toLowerCase());
    if (!set) return `no pod in the cluster has a container port named '${name}'`;
    let port = 0;
    let err = `no pod has a container port named '${name}' with protocol ${proto}`;
    for (const pp of set.values()) {
      if (pp.proto !== proto) continue;
      if (pp.port === 0) {
        err = `container port '${name}' has port 0`;
        continue;
      }
      if (port !== 0 && pp.port !== port) {
        const all = [...set.values()].filter((x) => x.proto === proto).map((x) => x.port).sort((a, b) => a - b);
        return `pods name different ports '${name}' (${all.join(', ')}): Cilium v1.13 resolves egress named ports cluster-wide and gives up on duplicates`;
      }
      port = pp.port;
    }
    return port === 0 ? err : port;
  }
}
