// Node identities with enable-node-selector-labels (v1.16+). The node manager gives a remote
// node the labels reserved:remote-node plus the node's labels with source `node` (all of them:
// the node-labels filter is empty by default), and from v1.18 k8s:io.cilium.k8s.policy.cluster;
// the local node stays reserved:host (pkg/node/manager/manager.go@v1.16.15:607-637,
// @v1.18.3:610-642; node-labels default daemon/cmd/daemon_main.go@v1.16.15:1137). With the flag
// such a label set is no reserved identity (pkg/identity/identity.go@v1.16.15:279-284): it gets
// one from the remote-node scope, which the datapath still knows as a remote node
// (identity_is_remote_node, bpf/lib/identity.h@v1.16.15:21-45).
// Each agent numbers the nodes it learns of, itself excluded, in the order it learns of them;
// here every agent numbers the label sets alike, in node-name order (a node's own label set
// takes a number too), so a real node's numbers can differ: the ipcache provenance says so.
import type { CiliumRelease } from '../cilium/releases/release.js';
import type { NodeSpec, Scenario } from '../scenario/types.js';
import type { IdentityRegistry } from './identity.js';
import { POLICY_LABEL_CLUSTER, sortLabels, type Label } from './labels.js';

/** Whether the agent allocates per-node identities (release and enable-node-selector-labels). */
export function nodeIdentitiesOn(release: CiliumRelease, scenario: Scenario): boolean {
  return release.has('from-to-nodes') && scenario.cluster.nodeSelectorLabels === true;
}

/** The identity labels of a remote node. */
export function remoteNodeLabels(release: CiliumRelease, node: NodeSpec, clusterName: string): Label[] {
  const labels: Label[] = [{ source: 'reserved', key: 'remote-node', value: '' }];
  for (const [key, value] of Object.entries(node.labels ?? {})) labels.push({ source: 'node', key, value });
  if (release.has('node-identity-cluster-label')) labels.push({ source: 'k8s', key: POLICY_LABEL_CLUSTER, value: clusterName });
  return sortLabels(labels);
}

/** How the ipcache entries of a node address say where their number comes from. */
export const NODE_ID_NUMBERING = 'numbered cluster-wide in node-name order here; each real agent numbers the nodes it learns of';

/** Node name -> identity every other node's ipcache gives its addresses; empty when the flag is off. */
export function allocateNodeIdentities(release: CiliumRelease, scenario: Scenario, identities: IdentityRegistry): Map<string, number> {
  if (!nodeIdentitiesOn(release, scenario)) return new Map();
  const nodes = [...scenario.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ids = identities.allocateRemoteNodes(nodes.map((n) => remoteNodeLabels(release, n, scenario.cluster.name)));
  return new Map(nodes.map((n, i) => [n.name, ids[i] ?? 0] as const));
}
