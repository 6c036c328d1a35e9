// Who made a pod: metadata.ownerReferences (the controller), and the workload objects
// (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob) of the input. Read for one
// purpose, naming pods as an SRE does (`shop/frontend` for `frontend-6b8f7c9d4-abcde`), so
// read without messages: the API server validated them, and a malformed reference only
// means the owner is unknown.
import { isMap, isScalar, isSeq, type MapNode, type YNode } from './ast.js';
import type { Sink, Source } from './raw.js';
import type { OwnerRef, WorkloadSpec } from './types.js';

/** The kinds that own pods, directly or through another (a Deployment through its ReplicaSets). */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

/** The value of `key` (the last one, as the readers take it), or undefined. */
function valueOf(m: MapNode, key: string): YNode | null | undefined {
  for (let i = m.keys.length - 1; i >= 0; i--) {
    const k = m.keys[i];
    if (isScalar(k) && k.value === key) return m.values[i];
  }
  return undefined;
}

function text(m: MapNode, key: string): string | undefined {
  const v = valueOf(m, key);
  return isScalar(v) && typeof v.value === 'string' && v.value !== '' ? v.value : undefined;
}

// The pods of one ReplicaSet share one owner object (a large input has thousands of pods).
const OWNERS = new WeakMap<Sink, Map<string, OwnerRef>>();

function intern(sink: Sink, kind: string, name: string): OwnerRef {
  let m = OWNERS.get(sink);
  if (!m) OWNERS.set(sink, (m = new Map()));
  const key = `${kind}/${name}`;
  let ref = m.get(key);
  if (!ref) m.set(key, (ref = { kind, name }));
  return ref;
}

/**
 * The controller among an object's ownerReferences (`controller: true`; a single reference
 * without the flag, as hand-written manifests have it, counts too).
 */
export function controllerOf(sink: Sink, metadata: YNode | null | undefined): OwnerRef | undefined {
  if (!isMap(metadata)) return undefined;
  const refs = valueOf(metadata, 'ownerReferences');
  if (!isSeq(refs)) return undefined;
  const maps = refs.items.filter(isMap);
  const controller = maps.find((r) => {
    const c = valueOf(r, 'controller');
    return isScalar(c) && c.value === true;
  }) ?? (maps.length === 1 ? maps[0] : undefined);
  if (!controller) return undefined;
  const kind = text(controller, 'kind');
  const name = text(controller, 'name');
  return kind && name ? intern(sink, kind, name) : undefined;
}

/** A workload object: its kind, namespace, name and owner (a ReplicaSet's Deployment). */
export function readWorkload(src: Source, kind: string, obj: YNode): WorkloadSpec | undefined {
  if (!isMap(obj)) return undefined;
  const meta = valueOf(obj, 'metadata');
  if (!isMap(meta)) return undefined;
  const name = text(meta, 'name');
  if (!name) return undefined;
  const owner = controllerOf(src.sink, meta);
  const namespace = text(meta, 'namespace') ?? 'default';
  return owner ? { kind, namespace, name, owner } : { kind, namespace, name };
}
