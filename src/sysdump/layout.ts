// Names in a sysdump (cilium-cli sysdump/constants.go) and in a bugtool directory
// (bugtool/cmd/root.go writeCmdToFile at v1.13.0 and v1.18.3):
//   cilium-sysdump-<ts>/                      the zip's one top directory
//     k8s-pods-<ts>.yaml, ciliumendpoints-<ts>.yaml, cilium-configmap-<ts>.yaml, …
//     cilium-bugtool-<ciliumpod>-<ts>/cmd/<command file>.md
//     hubble-flows-<ciliumpod>-<ts>.json
// <ts> is the sysdump's start time, Go layout 20060102-150405.
import { parseRelease, compareReleases } from '../cilium/releases/semver.js';
import { RELEASES } from '../cilium/releases/release.js';
import type { SysdumpRelease } from './types.js';

const TS = '(\\d{8}-\\d{6})';
/** A bugtool directory (cilium-cli) or the older Python tool's `bugtool-<pod>-<ts>`. */
export const BUGTOOL_DIR = new RegExp(`^(?:cilium-)?bugtool-(.+)-${TS}$`);
export const BUGTOOL_TGZ = new RegExp(`^cilium-bugtool-(.+)-${TS}\\.tar\\.gz$`);
export const FLOWS_FILE = new RegExp(`^hubble-flows-(.+)-${TS}\\.json$`);
export const TOP_DIR = new RegExp(`^cilium-sysdump-${TS}$`);

/**
 * The cluster-level files read as Kubernetes input, by the name before `-<ts>.yaml`. Others
 * (events, leases, Helm values, cni-configmap) hold nothing the simulation reads.
 */
export const CLUSTER_FILES: readonly string[] = [
  'cilium-configmap',
  'cilium-daemonset',
  'k8s-namespaces',
  'k8s-nodes',
  'ciliumnodes',
  'k8s-pods',
  'ciliumendpoints',
  'ciliumidentities',
  'k8s-services',
  'k8s-endpointslices',
  'ciliumnetworkpolicies',
  'ciliumclusterwidenetworkpolicies',
  'k8s-networkpolicies',
  'ciliumegressgatewaypolicies',
  'ciliumlocalredirectpolicies',
];

/**
 * The file a bugtool writes for a command (writeCmdToFile): '/' → ' ', ' ' → '-', then
 * `.md`. `cilium-dbg bpf policy get --all --numeric` → cilium-dbg-bpf-policy-get---all---numeric.md.
 */
export function bugtoolFileName(command: string): string {
  return `${command.replaceAll('/', ' ').replaceAll(' ', '-')}.md`;
}

/** The agent CLI's name in a bugtool: `cilium` (v1.13, v1.14) or `cilium-dbg` (v1.15 on), from its command files. */
export function cliOfFiles(files: readonly string[]): 'cilium' | 'cilium-dbg' | undefined {
  if (files.some((f) => f.startsWith('cilium-dbg-'))) return 'cilium-dbg';
  if (files.some((f) => /^cilium-(bpf|status|endpoint|config|ip|policy)-/.test(f))) return 'cilium';
  return undefined;
}

/** The profile for an agent version (1.18.3, v1.16.15): the same minor release, else the nearest older one. */
export function profileOfVersion(text: string, why: string): SysdumpRelease | undefined {
  const m = /v?(\d+\.\d+\.\d+)/.exec(text);
  const runs = m ? parseRelease(m[1]!) : undefined;
  if (!m || !runs) return undefined;
  const same = RELEASES.find((r) => { const v = parseRelease(r.version)!; return v.major === runs.major && v.minor === runs.minor; });
  if (same) return { profile: same.profile, version: `v${m[1]}`, why };
  const older = [...RELEASES].reverse().find((r) => compareReleases(parseRelease(r.version)!, runs) <= 0) ?? RELEASES[0]!;
  return { profile: older.profile, version: `v${m[1]}`, why: `${why}, not modelled: nearest older profile` };
}

/** The image tag of the cilium-agent container in the DaemonSet's YAML text. */
export function agentImageVersion(daemonSetYaml: string): string | undefined {
  const m = /image:\s*["']?[^\s"']*\/cilium(?:-dbg)?:v?(\d+\.\d+\.\d+)/.exec(daemonSetYaml);
  return m ? m[1] : undefined;
}
