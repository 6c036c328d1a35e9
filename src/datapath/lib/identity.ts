// bpf/lib/identity.h: which identities the datapath takes for a node.
import { REMOTE_NODE_ID, RESERVED_IDENTITIES } from '../../cilium/identities.js';

const KUBE_APISERVER_NODE_ID = RESERVED_IDENTITIES['kube-apiserver'];

/** IDENTITY_LOCAL_SCOPE_MASK / IDENTITY_LOCAL_SCOPE_REMOTE_NODE (identity.h@v1.16.15:13-14). */
const SCOPE_MASK = 0xff000000;
const SCOPE_REMOTE_NODE = 0x02000000;

/**
 * identity_is_remote_node: remote-node, kube-apiserver, and (v1.16.15 identity.h:21-45) any
 * identity of the remote-node scope, which only nodes with enable-node-selector-labels get
 * (v1.13.0 has no such scope and allocates none).
 */
export function identityIsRemoteNode(identity: number): boolean {
  return identity === REMOTE_NODE_ID || identity === KUBE_APISERVER_NODE_ID || ((identity & SCOPE_MASK) >>> 0) === SCOPE_REMOTE_NODE;
}
