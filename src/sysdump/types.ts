// What a `cilium sysdump` gives cilium-trace: the cluster objects (for the Kubernetes
// loader), the nodes with their bugtool directories, the release the agents run, each
// node's command files and the Hubble flows files. A zip and its unpacked directory read
// the same (store.ts). Layout per cilium-cli version and per agent release: layout.ts.
import type { CiliumProfile } from '../cilium/releases/release.js';

/** Something the reader met and passes on without failing: a missing node, a missing file. */
export interface SysdumpNote {
  /** The entry it is about (as shown), when there is one. */
  readonly where?: string;
  readonly message: string;
}

/** A node of the sysdump: a Cilium agent pod and (unless missing) its bugtool directory. */
export interface SysdumpNode {
  /** The Kubernetes node name (kind-worker), or the agent pod's name when nothing maps it. */
  readonly name: string;
  /** The Cilium agent pod (cilium-xk2p9): every per-node entry is keyed by it. */
  readonly ciliumPod: string;
  /** How the pod was mapped to the node: k8s-pods (spec.nodeName), debuginfo, or not at all. */
  readonly mappedBy: 'k8s-pods' | 'debuginfo' | 'unmapped';
  /** The bugtool directory, as an entry path (cilium-sysdump-…/cilium-bugtool-cilium-xk2p9-…/), if there is one. */
  readonly bugtool?: string;
}

/** A Hubble flows file: `hubble observe --last 10000 -o jsonpb` run inside one agent pod. */
export interface FlowsFile {
  /** The node it came from (name as in `nodes`), or the agent pod's name when unmapped. */
  readonly node: string;
  readonly ciliumPod: string;
  /** The entry name as shown in messages: <sysdump>/cilium-sysdump-…/hubble-flows-cilium-xk2p9-….json. */
  readonly display: string;
  readonly text: () => string;
}

/** The release the agents run, and where the reader saw it. */
export interface SysdumpRelease {
  readonly profile: CiliumProfile;
  /** v1.18.3 as the agent reports it, when a version string was found. */
  readonly version?: string;
  readonly why: string;
}

export interface Sysdump {
  /** The path as given (-f). */
  readonly path: string;
  readonly kind: 'zip' | 'directory';
  /** The sysdump's timestamp (20261206-101500), from its file names. */
  readonly timestamp?: string;
  /** The cluster-level files read as Kubernetes input (CRD lists, Pods, Nodes, cilium-config, the agent DaemonSet). */
  readonly clusterInputs: ReadonlyArray<{ readonly file: string; readonly text: string }>;
  /** The agents' release, when the sysdump tells it (DaemonSet image, debuginfo cilium-version, command file names). */
  readonly release?: SysdumpRelease;
  /** Every agent pod, sorted by node name. */
  readonly nodes: readonly SysdumpNode[];
  /** Command files of a node's bugtool, relative to its `cmd/` directory (cilium-dbg-bpf-ipcache-list.md), sorted. */
  files(node: string): readonly string[];
  /** The text of a node's command file (relative to `cmd/`), undefined when missing. */
  read(node: string, name: string): string | undefined;
  /** How `read(node, name)` is named in provenance and notes: <sysdump>/…/cmd/<name>. */
  display(node: string, name: string): string;
  readonly flows: readonly FlowsFile[];
  /** Missing nodes, missing files, unreadable entries: warnings, never failures. */
  readonly notes: readonly SysdumpNote[];
}
