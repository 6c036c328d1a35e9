// Which Cilium release a Kubernetes dump runs: the image tag of the agent DaemonSet
// (kube-system/cilium, container cilium-agent: quay.io/cilium/cilium:v1.16.15@sha256:…), as a
// sysdump reads it. A release cilium-trace does not model gets the nearest profile not newer
// than it, and the load says so; without a tag, a cilium-config key that only some releases
// write narrows it down (`tunnel` was removed in v1.15).
import { isMap, isScalar, isSeq } from './ast.js';
import { looseMap, type MapView } from './raw.js';
import { RELEASES, type CiliumProfile } from '../cilium/releases/release.js';
import { compareReleases, parseRelease } from '../cilium/releases/semver.js';
import type { LoadWarning } from './types.js';

export interface ProfileChoice {
  readonly profile: CiliumProfile;
  readonly why: string;
}

const AGENT_IMAGE = /(?:^|\/)cilium(?:-dbg)?:v?(\d+\.\d+\.\d+)(?:[-@].*)?$/;

/** Is this the agent DaemonSet (a DaemonSet named cilium)? Read later, with every input in. */
export function isCiliumDaemonSet(o: MapView): boolean {
  return text(o, ['metadata', 'name']) === 'cilium';
}

/** The profile for the release an agent DaemonSet's image names, or undefined. */
export function profileOfDaemonSet(o: MapView, warn: (w: LoadWarning) => void): ProfileChoice | undefined {
  const containers = node(o, ['spec', 'template', 'spec', 'containers']);
  if (!containers || !isSeq(containers.node)) return undefined;
  for (const item of containers.node.items) {
    if (!item || !isMap(item)) continue;
    const c = looseMap(o.src, { node: item, pos: o.src.posOf(item), label: 'container' });
    const image = c?.entry('image');
    if (!image || !isScalar(image.node) || typeof image.node.value !== 'string') continue;
    const m = AGENT_IMAGE.exec(image.node.value);
    const runs = m ? parseRelease(m[1]!) : undefined;
    if (!m || !runs) continue;
    const ns = text(o, ['metadata', 'namespace']);
    // The image as written, without its digest: quay.io/cilium/cilium:v1.16.15.
    const where = `image ${image.node.value.replace(/@.*$/, '')} of DaemonSet ${ns ? `${ns}/` : ''}cilium`;
    const exact = RELEASES.find((r) => { const v = parseRelease(r.version)!; return v.major === runs.major && v.minor === runs.minor; });
    if (exact) {
      if (exact.version !== `v${m[1]}`) warn({ pos: image.pos, message: `the cluster runs Cilium v${m[1]}; profile ${exact.profile} models ${exact.version} of the same minor release` });
      return { profile: exact.profile, why: where };
    }
    const older = [...RELEASES].reverse().find((r) => compareReleases(parseRelease(r.version)!, runs) <= 0) ?? RELEASES[0]!;
    warn({ pos: image.pos, message: `the cluster runs Cilium v${m[1]}, which cilium-trace does not model: traces use profile ${older.profile} (${older.version}); choose another with --cilium` });
    return { profile: older.profile, why: `${where}, not modelled: nearest older profile` };
  }
  return undefined;
}

/** A cilium-config key only old releases write: `tunnel` (v1.13, v1.14; removed in v1.15). */
export function profileOfConfigKeys(cm: MapView): ProfileChoice | undefined {
  const data = node(cm, ['data']);
  if (!data || !isMap(data.node)) return undefined;
  const d = looseMap(cm.src, data);
  if (d?.entry('tunnel') && !d.entry('routing-mode')) return { profile: '1.13', why: 'cilium-config has tunnel (written by v1.13 and v1.14, removed in v1.15)' };
  return undefined;
}

function node(o: MapView, path: readonly string[]): ReturnType<MapView['entry']> {
  let m: MapView | undefined = o;
  let e: ReturnType<MapView['entry']>;
  for (const key of path) {
    e = m?.entry(key);
    if (!e) return undefined;
    m = isMap(e.node) ? looseMap(o.src, e) : undefined;
  }
  return e;
}

function text(o: MapView, path: readonly string[]): string | undefined {
  const e = node(o, path);
  return e && isScalar(e.node) && typeof e.node.value === 'string' ? e.node.value : undefined;
}
