// Provenance: which object of the input made a map entry. A lookup in the trace copies the
// provenance of the entry it hit, so "why was this allowed" is answered by data, not a guess.
// Provenance never appears in the byte-faithful cilium CLI dumps.
import type { Position } from '../errors.js';

export interface Provenance {
  /**
   * What made the entry: a pod, a node, a policy rule, a reserved identity, agent default;
   * `sysdump`: the entry was read from a node's map dump in a sysdump (what names file and line).
   */
  readonly kind: 'pod' | 'node' | 'policy' | 'reserved' | 'agent' | 'service' | 'sysdump';
  /** Human-readable origin, e.g. "pod default/pod3", "CiliumNetworkPolicy default/l3-rule ingress[0]". */
  readonly what: string;
  readonly pos?: Position;
}

export function provenanceText(p: Provenance): string {
  return p.pos ? `${p.what} (${p.pos.file}:${p.pos.line})` : p.what;
}
