// Objects that pin what the agent allocated, so traces show the cluster's real numbers:
// CiliumEndpoints (status.id, status.identity, status.networking; v1.13.0
// pkg/k8s/apis/cilium.io/v2/types.go EndpointStatus) and CiliumIdentities (`security-labels`,
// pkg/k8s/identitybackend/identity.go); and EndpointSlices, the backends of Services without
// a selector (read as pkg/k8s/endpoints.go:271-334 ParseEndpointSliceV1 reads them).
import { isMap, isScalar, isSeq } from './ast.js';
import type { Position } from '../errors.js';
import { parseIpv4, type Ipv4 } from '../net/ip.js';
import { field, isV6, section } from './k8s.js';
import { list, looseMap, type Entry, type MapView } from './raw.js';
import type { CiliumIdentitySpec, LoadWarning, SliceBackend } from './types.js';

/** A CiliumEndpoint, by the pod it belongs to (same namespace and name). */
export interface EndpointPin {
  readonly pod: string;
  readonly pos: Position;
  readonly endpointId?: { readonly value: number; readonly pos: Position };
  readonly identity?: { readonly value: number; readonly pos: Position };
  readonly labels?: readonly string[];
  readonly ipv4?: Ipv4;
}

/** An EndpointSlice's ready backends, for the Service `service` (namespace/name). */
export interface SliceDraft {
  readonly service: string;
  readonly backends: readonly SliceBackend[];
  readonly pos: Position;
}

function text(e: Entry | undefined): string | undefined {
  return e && isScalar(e.node) && typeof e.node.value === 'string' ? e.node.value : undefined;
}

function integer(e: Entry | undefined): { value: number; pos: Position } | undefined {
  if (!e || !isScalar(e.node)) return undefined;
  const v = typeof e.node.value === 'string' && /^\d+$/.test(e.node.value) ? Number(e.node.value) : e.node.value;
  return typeof v === 'number' && Number.isInteger(v) ? { value: v, pos: e.pos } : undefined;
}

function strings(m: MapView | undefined, key: string): string[] {
  const e = field(m, key);
  if (!e || !m || !isSeq(e.node)) return [];
  return (list(m.src, e) ?? []).flatMap((i) => {
    const t = text(i);
    return t === undefined ? [] : [t];
  });
}

function nameOf(obj: MapView): { name?: string; namespace: string; labels?: MapView } {
  const meta = section(obj, 'metadata');
  const name = text(meta?.entry('name'));
  const labels = meta ? section(meta, 'labels') : undefined;
  return { ...(name !== undefined ? { name } : {}), namespace: text(meta?.entry('namespace')) ?? 'default', ...(labels ? { labels } : {}) };
}

export function readCiliumEndpoint(obj: MapView): EndpointPin | undefined {
  const { name, namespace } = nameOf(obj);
  if (name === undefined) return undefined;
  const status = section(obj, 'status');
  const identity = status ? section(status, 'identity') : undefined;
  const networking = status ? section(status, 'networking') : undefined;
  const addressing = field(networking, 'addressing');
  let ipv4: Ipv4 | undefined;
  for (const a of addressing && networking && isSeq(addressing.node) ? (list(networking.src, addressing) ?? []) : []) {
    const t = text(looseMap(obj.src, a)?.entry('ipv4'));
    ipv4 ??= t === undefined ? undefined : parseIpv4(t);
  }
  const endpointId = integer(status?.entry('id'));
  const id = integer(identity?.entry('id'));
  const labels = strings(identity, 'labels');
  return {
    pod: `${namespace}/${name}`,
    pos: obj.pos,
    ...(endpointId ? { endpointId } : {}),
    ...(id ? { identity: id } : {}),
    ...(labels.length > 0 ? { labels: [...labels].sort() } : {}),
    ...(ipv4 !== undefined ? { ipv4 } : {}),
  };
}

/** A CiliumIdentity: metadata.name is the number; `security-labels` are authoritative. */
export function readCiliumIdentity(obj: MapView, warn: (w: LoadWarning) => void): CiliumIdentitySpec | undefined {
  const { name } = nameOf(obj);
  const id = name !== undefined && /^\d+$/.test(name) ? Number(name) : undefined;
  const sec = section(obj, 'security-labels');
  if (id === undefined || id < 256 || id >= 1 << 24) {
    warn({ pos: obj.pos, message: `CiliumIdentity '${name ?? ''}' is not a cluster identity number (256..16777215): ignored` });
    return undefined;
  }
  const labels: string[] = [];
  const node = obj.entry('security-labels')?.node;
  if (sec && node && isMap(node)) {
    node.keys.forEach((k, i) => {
      const v = node.values[i];
      if (isScalar(k) && typeof k.value === 'string') labels.push(`${k.value}=${v && isScalar(v) && v.value !== null ? String(v.value) : ''}`);
    });
  }
  return { id, labels: labels.sort(), pos: obj.pos };
}

/** `kubernetes.io/service-name` names the slice's Service (discovery.k8s.io/v1 LabelServiceName). */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function readEndpointSlice(obj: MapView): SliceDraft | undefined {
  const { namespace, labels } = nameOf(obj);
  const service = text(labels?.entry(SERVICE_NAME_LABEL));
  if (service === undefined || text(obj.entry('addressType')) !== 'IPv4') return undefined;
  const ports: Record<string, { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' }> = {};
  const portsEntry = obj.entry('ports');
  for (const p of portsEntry && isSeq(portsEntry.node) ? (list(obj.src, portsEntry) ?? []) : []) {
    const pm = looseMap(obj.src, p);
    const port = integer(pm?.entry('port'));
    const protocol = text(pm?.entry('protocol')) ?? 'TCP';
    if (!port || (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP')) continue; // parseEndpointPortV1
    ports[text(pm?.entry('name')) ?? ''] = { port: port.value, protocol };
  }
  const backends: SliceBackend[] = [];
  const eps = obj.entry('endpoints');
  for (const e of eps && isSeq(eps.node) ? (list(obj.src, eps) ?? []) : []) {
    const em = looseMap(obj.src, e);
    const cond = em ? section(em, 'conditions') : undefined;
    const ready = cond?.entry('ready');
    // A nil `ready` counts as ready; not-ready ones are left out (terminating ones too: they
    // take no new connections).
    if (ready && isScalar(ready.node) && ready.node.value === false) continue;
    const addrs = em?.entry('addresses');
    for (const a of em && addrs && isSeq(addrs.node) ? (list(obj.src, addrs) ?? []) : []) {
      const t = text(a);
      const ip = t === undefined || isV6(t) ? undefined : parseIpv4(t);
      if (ip !== undefined) backends.push({ ip, ports, pos: a.pos });
    }
  }
  return { service: `${namespace}/${service}`, backends, pos: obj.pos };
}
