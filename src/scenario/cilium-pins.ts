// Applying what the cluster's own objects pin: each pod's CiliumEndpoint gives its endpoint
// id and identity (with the identity's labels), EndpointSlices give selector-less Services
// their backends. Objects that disagree with each other or with their pod are stale (the
// dump was taken while things changed): they are left out with a warning, never an error.
import { formatIpv4 } from '../net/ip.js';
import type { ServiceDraft } from './assemble.js';
import type { EndpointPin, SliceDraft } from './cilium-objects.js';
import type { PodDraft } from './pods.js';
import type { CiliumIdentitySpec, LoadWarning, SliceBackend } from './types.js';

const MAX_ENDPOINT_ID = 4095;
const FIRST_CLUSTER_IDENTITY = 256;
const LOCAL_IDENTITY_FLAG = 1 << 24;

const labelsKey = (labels: readonly string[]): string => [...labels].sort().join(';');

/**
 * Pods with their CiliumEndpoint's pins. A pin a Scenario already sets wins; a CEP whose
 * address is not its pod's, an endpoint id another pod of the node has, or an identity whose
 * labels disagree with another CEP or CiliumIdentity is left out.
 */
export function applyEndpointPins(pods: readonly PodDraft[], pins: readonly EndpointPin[], identities: readonly CiliumIdentitySpec[], warn: (w: LoadWarning) => void): PodDraft[] {
  if (pins.length === 0) return [...pods];
  const byPod = new Map<string, EndpointPin>();
  for (const p of pins) if (!byPod.has(p.pod)) byPod.set(p.pod, p);
  const labelsOfId = new Map<number, { key: string; labels: readonly string[]; what: string }>();
  for (const i of identities) if (!labelsOfId.has(i.id)) labelsOfId.set(i.id, { key: labelsKey(i.labels), labels: i.labels, what: `CiliumIdentity ${i.id}` });
  const idOfLabels = new Map<string, { id: number; what: string }>();
  const epIds = new Map<string, string>(); // node/endpoint id → pod
  const used = new Set<string>();
  const out = pods.map((pod) => {
    const pin = byPod.get(pod.id);
    if (!pin || pod.hostNetwork) return pod;
    used.add(pod.id);
    if (pin.ipv4 !== undefined && pod.ip && pin.ipv4 !== pod.ip.value) {
      warn({ pos: pin.pos, message: `CiliumEndpoint ${pin.pod} has address ${formatIpv4(pin.ipv4)}, its pod ${formatIpv4(pod.ip.value)}: stale, not used` });
      return pod;
    }
    let next: PodDraft = pod;
    const ep = pin.endpointId;
    if (ep && !pod.endpointId) {
      const k = `${pod.node.value}/${ep.value}`;
      const other = epIds.get(k);
      if (ep.value < 1 || ep.value > MAX_ENDPOINT_ID) warn({ pos: ep.pos, message: `CiliumEndpoint ${pin.pod} status.id ${ep.value} is not an endpoint id (1..${MAX_ENDPOINT_ID}): not used` });
      else if (other) warn({ pos: ep.pos, message: `CiliumEndpoint ${pin.pod} has endpoint id ${ep.value} on node ${pod.node.value}, as ${other} has: stale, not used` });
      else {
        epIds.set(k, pin.pod);
        next = { ...next, endpointId: ep };
      }
    }
    const id = pin.identity;
    if (!id || pod.identity) return next;
    if (id.value < FIRST_CLUSTER_IDENTITY || id.value >= LOCAL_IDENTITY_FLAG) return next; // reserved (init) or local: not a pin
    const labels = pin.labels ?? labelsOfId.get(id.value)?.labels;
    if (!labels) return { ...next, identity: id };
    const key = labelsKey(labels);
    const known = labelsOfId.get(id.value);
    if (known && known.key !== key) {
      warn({ pos: id.pos, message: `CiliumEndpoint ${pin.pod} has identity ${id.value} with other labels than ${known.what}: stale, not used` });
      return next;
    }
    const same = idOfLabels.get(key);
    if (same && same.id !== id.value) {
      warn({ pos: id.pos, message: `CiliumEndpoint ${pin.pod} has identity ${id.value} for the labels ${same.what} has as identity ${same.id}: stale, not used` });
      return next;
    }
    labelsOfId.set(id.value, { key, labels, what: `CiliumEndpoint ${pin.pod}` });
    idOfLabels.set(key, { id: id.value, what: `CiliumEndpoint ${pin.pod}` });
    return { ...next, identity: id, securityLabels: labels };
  });
  const orphans = pins.filter((p) => !used.has(p.pod) && p === byPod.get(p.pod));
  if (orphans.length > 0) {
    const first = orphans[0] as EndpointPin;
    warn({ pos: first.pos, message: `${orphans.length} CiliumEndpoint${orphans.length === 1 ? '' : 's'} (${first.pod}${orphans.length > 1 ? ', …' : ''}) name${orphans.length === 1 ? 's' : ''} no running pod of the inputs: not used` });
  }
  return out;
}

/**
 * Services with the backends of their EndpointSlices, for those without a selector (the
 * others' backends are the pods their selector picks). A selector-less Service with no slice
 * has no backends; that is said once, since a trace to it ends without a backend.
 */
export function applySlices(services: readonly ServiceDraft[], slices: readonly SliceDraft[], warn: (w: LoadWarning) => void): ServiceDraft[] {
  const byService = new Map<string, SliceBackend[]>();
  for (const s of slices) {
    const list = byService.get(s.service) ?? [];
    for (const b of s.backends) if (!list.some((x) => x.ip === b.ip && sameKeys(x, b))) list.push(b);
    byService.set(s.service, list);
  }
  return services.map((d) => {
    if (d.spec.selector !== undefined) return d;
    const backends = byService.get(d.id);
    if (!backends) {
      if (d.spec.clusterIP !== undefined) {
        warn({ pos: d.spec.pos, message: `Service ${d.id} has no selector and no EndpointSlice among the inputs: no backends (add kubectl get endpointslices -A -o yaml)` });
      }
      return d;
    }
    return { ...d, spec: { ...d.spec, endpoints: [...backends].sort((a, b) => a.ip - b.ip) } };
  });
}

function sameKeys(a: SliceBackend, b: SliceBackend): boolean {
  return Object.keys(a.ports).join() === Object.keys(b.ports).join();
}
