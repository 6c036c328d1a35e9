// Reserved security identities of Cilium v1.13 (pkg/identity/numericidentity.go) and the
// datapath constants of bpf/node_config.h.

export const RESERVED_IDENTITIES = {
  unknown: 0,
  host: 1,
  world: 2,
  unmanaged: 3,
  health: 4,
  init: 5,
  'remote-node': 6,
  'kube-apiserver': 7,
  ingress: 8,
} as const;

export type ReservedName = keyof typeof RESERVED_IDENTITIES;

export const HOST_ID = 1;
export const WORLD_ID = 2;
export const HEALTH_ID = 4;
export const REMOTE_NODE_ID = 6;
/** Identity the local host uses on the wire (VNI for host traffic). */
export const LOCAL_NODE_ID = 6;

/** First cluster-local identity; [MIN, MAX] is the range the allocator draws from. */
export const MIN_CLUSTER_IDENTITY = 256;
export const MAX_CLUSTER_IDENTITY = 65535;
/** Node-local (CIDR) identities: LocalIdentityFlag | n. */
export const LOCAL_IDENTITY_FLAG = 1 << 24;
/** The first node-local identity handed out (localIdentityCache starts its pool at 1). */
export const FIRST_LOCAL_IDENTITY = LOCAL_IDENTITY_FLAG + 1;

export function isLocalIdentity(id: number): boolean {
  return id >= LOCAL_IDENTITY_FLAG;
}

export function reservedName(id: number): string | undefined {
  for (const [name, v] of Object.entries(RESERVED_IDENTITIES)) if (v === id) return name;
  return undefined;
}
