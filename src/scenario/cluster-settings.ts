// Which settings a cluster gets: a Scenario's `cluster` section, the cilium-config ConfigMap
// (the section's keys win over it, for "what if" traces of a real cluster), or, for
// Kubernetes input with neither, the defaults of the selected release; each setting says where it came from.
import { isMap, isScalar } from './ast.js';
import type { Position } from '../errors.js';
import { firstAt } from './checks.js';
import { readCiliumConfig } from './cilium-config.js';
import { settingsFromConfig } from './cilium-settings.js';
import { NO_VERSION, readCluster } from './cluster.js';
import type { ProfileChoice } from './cilium-release.js';
import type { Entry, MapView, Source } from './raw.js';
import type { CiliumProfile, ClusterSettings, LoadWarning } from './types.js';
import { releaseOfProfile } from '../cilium/releases/release.js';

/** The warning for Kubernetes input without cilium-config: the defaults of the selected release. */
export function noConfig(profile: CiliumProfile): string {
  return `no cilium-config ConfigMap among the inputs: the datapath settings are the defaults of Cilium ${releaseOfProfile(profile).version} (add kubectl -n kube-system get cm cilium-config -o yaml; -l detailed shows each setting)`;
}

/** `section`: the first Scenario `cluster:` entry; `configMaps`: the cilium-config ConfigMaps in input order. */
export function clusterSettings(src: Source | undefined, section: Entry | undefined, configMaps: readonly MapView[], k8s: boolean, fallbackPos: Position, warn: (w: LoadWarning) => void, profiles: { given?: ProfileChoice; detected?: ProfileChoice } = {}): ClusterSettings {
  const read = readCluster(src, section, fallbackPos, profiles.given?.profile);
  // --cilium wins; then the Scenario's cluster.cilium; then what the cluster objects say; else the newest.
  const choice = profiles.given ?? (read.profileWhy !== NO_VERSION ? undefined : profiles.detected);
  const declared = read.profileWhy !== NO_VERSION ? { declaredProfile: read.profile } : {};
  const fromScenario: ClusterSettings = choice ? { ...read, ...declared, profile: choice.profile, profileWhy: choice.why } : { ...read, ...declared };
  const [cm, ...more] = configMaps;
  for (const o of more) warn({ pos: o.pos, message: `a second cilium-config (the first is at ${firstAt(cm?.pos ?? o.pos, o.pos)}): ignored` });
  if (!cm) {
    if (section || !k8s) return fromScenario;
    warn({ message: noConfig(fromScenario.profile) });
    return settingsFromConfig(undefined, fallbackPos, warn, fromScenario);
  }
  const settings = settingsFromConfig(readCiliumConfig(cm, warn), fallbackPos, warn, fromScenario);
  if (!section || !isMap(section.node)) return settings;
  const written = new Set(section.node.keys.flatMap((k) => (isScalar(k) && typeof k.value === 'string' ? [k.value] : [])));
  return overrideWithScenario(settings, fromScenario, written);
}

/** Scenario cluster keys and the setting line (index in `sources`) each one decides. */
const SCENARIO_KEYS: ReadonlyArray<readonly [string, number]> = [
  ['routing', 0], ['tunnelProtocol', 0], ['tunnelPort', 0], ['kubeProxyReplacement', 1], ['bpfHostRouting', 2],
  ['masquerade', 3], ['policyEnforcement', 4], ['name', 5], ['mtu', 8],
];

/** A Scenario `cluster:` section next to a cilium-config: the keys it writes win. */
function overrideWithScenario(fromConfig: ClusterSettings, scenario: ClusterSettings, written: ReadonlySet<string>): ClusterSettings {
  const pick = <K extends keyof ClusterSettings>(k: K): ClusterSettings[K] => (written.has(k) ? scenario[k] : fromConfig[k]);
  const kpr = written.has('kubeProxyReplacement');
  const sources = [...(fromConfig.sources ?? [])];
  const from = new Map<number, string[]>();
  for (const [k, i] of SCENARIO_KEYS) if (written.has(k)) from.set(i, [...(from.get(i) ?? []), `cluster.${k}`]);
  const out: ClusterSettings = {
    ...fromConfig,
    profile: scenario.profile, profileWhy: scenario.profileWhy,
    name: pick('name'), routing: pick('routing'), tunnelProtocol: pick('tunnelProtocol'), tunnelPort: pick('tunnelPort'),
    bpfHostRouting: pick('bpfHostRouting'), kubeProxyReplacement: pick('kubeProxyReplacement'), policyEnforcement: pick('policyEnforcement'),
    mtu: pick('mtu'), masquerade: pick('masquerade'),
    ...(kpr ? { socketLb: scenario.kubeProxyReplacement, nodePort: scenario.kubeProxyReplacement } : {}),
  };
  const values = settingValues(out);
  for (const [i, keys] of from) sources[i] = { value: values[i] ?? '', from: `scenario ${keys.join(', ')} (over ${fromConfig.sources?.[i]?.from ?? 'cilium-config'})` };
  return { ...out, sources };
}

/** The value text of the lines a Scenario can override (same order as `sources`). */
function settingValues(c: ClusterSettings): string[] {
  const sock = c.socketLb ?? c.kubeProxyReplacement;
  const np = c.nodePort ?? c.kubeProxyReplacement;
  return [
    c.routing === 'native' ? 'native routing' : `tunnel ${c.tunnelProtocol}:${c.tunnelPort}`,
    `${sock ? 'socket LB' : 'per-packet LB'} · ${np ? 'BPF NodePort' : 'no BPF NodePort'}`,
    c.bpfHostRouting ? 'BPF host routing' : 'legacy host routing',
    `masquerade ${c.masquerade}`,
    `policy enforcement ${c.policyEnforcement}`,
    `cluster ${c.name}, id ${c.clusterId ?? 0}`,
    '', '', `MTU ${c.mtu}`,
  ];
}
