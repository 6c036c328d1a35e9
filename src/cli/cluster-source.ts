// Chooses the cluster: -f PATH… (files, directories, `-` for stdin; scenario documents and
// Kubernetes manifests mixed freely), --scenario NAME, or the embedded default (seed note 000).
import { oneLine, UsageError } from '../errors.js';
import { buildCluster, type Cluster } from '../controlplane/cluster.js';
import { listShippedScenarios, loadDefaultScenario, loadInputs, loadScenarioFile, readStdin, resolveShippedScenario, type LoadOptions } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import type { ProfileChoice } from '../scenario/cilium-release.js';
import { CILIUM_VERSIONS } from '../scenario/fields.js';
import { profileOf } from '../cilium/releases/release.js';
import { applyMapsSource, mapsSourceOf } from '../sysdump/maps-source.js';

export interface ClusterOptions {
  readonly file?: string[];
  readonly scenario?: string;
  /** --max-input-size: bytes one input may have (default 4 GiB). */
  readonly maxInputSize?: string;
  /** --cilium: the profile (1.16) or release (1.16.15) to trace as, whatever the input says. */
  readonly cilium?: string;
  /** The option that gave `cilium`, for the profile's why (diff's second side: --cilium2). */
  readonly ciliumFlag?: string;
  /** `check`: `expect:` items with problems become failed cases instead of failing the load. */
  readonly lenientExpectations?: boolean;
  /** --maps: with a sysdump input, trace over its map dumps (real, the default) or the computed maps. */
  readonly maps?: string;
  /** The option that gave `maps` (diff's second side: --maps2). */
  readonly mapsFlag?: string;
}

/** --cilium as a load option; a value that names no profile is a usage error. */
export function ciliumChoice(text: string | undefined, flag = '--cilium'): ProfileChoice | undefined {
  if (text === undefined) return undefined;
  const profile = profileOf(text);
  if (!profile) throw new UsageError(`bad ${flag} '${text}' (expected one of: ${CILIUM_VERSIONS.join(', ')})`);
  return { profile, why: `${flag} ${text}` };
}

function maxInputSize(o: ClusterOptions): LoadOptions {
  const cilium = ciliumChoice(o.cilium, o.ciliumFlag);
  const withCilium = { ...(cilium ? { cilium } : {}), ...(o.lenientExpectations ? { lenientExpectations: true } : {}) };
  if (o.maxInputSize === undefined) return withCilium;
  if (!/^[1-9]\d{0,15}$/.test(o.maxInputSize)) throw new UsageError(`bad --max-input-size '${o.maxInputSize}' (expected a number of bytes, e.g. 134217728)`);
  return { maxInputSize: Number(o.maxInputSize), ...withCilium };
}

export function loadScenario(o: ClusterOptions): Scenario {
  const files = o.file ?? [];
  const limits = maxInputSize(o);
  if (files.length > 0 && o.scenario) throw new UsageError('use either -f/--file or --scenario, not both');
  if (files.length > 0) return loadInputs(files, () => readStdin(limits), limits);
  if (o.scenario) {
    const found = resolveShippedScenario(o.scenario);
    if (!found) throw new UsageError(`unknown scenario '${o.scenario}' (expected one of: ${listShippedScenarios().join(', ')})`);
    return loadScenarioFile(found.path, found.display, limits);
  }
  return loadDefaultScenario(limits);
}

export function loadCluster(o: ClusterOptions): Cluster {
  return applyMapsSource(buildCluster(loadScenario(o)), mapsSourceOf(o.maps, o.mapsFlag), o.mapsFlag).cluster;
}

/** One stderr line naming what the loader read but does not model (never silently dropped). */
export function skippedSummary(s: Scenario): string | undefined {
  if (s.skipped.length === 0) return undefined;
  const byKind = new Map<string, number>();
  for (const k of s.skipped) byKind.set(k.kind, (byKind.get(k.kind) ?? 0) + 1);
  const kinds = [...byKind.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k} (${n})`).join(', ');
  return oneLine(`cilium-trace: skipped ${s.skipped.length} object${s.skipped.length === 1 ? '' : 's'} not modelled: ${kinds}`);
}

/** One stderr line naming the files and documents passed over (dotfiles, Chart.yaml, YAML without kind). */
export function ignoredInputsNote(s: Scenario): string | undefined {
  const ignored = [...(s.ignoredInputs ?? [])].sort((a, b) => (a.where < b.where ? -1 : a.where > b.where ? 1 : 0));
  if (ignored.length === 0) return undefined;
  const list = ignored.slice(0, 10).map((i) => `${i.where} (${i.why})`).join(', ');
  const more = ignored.length > 10 ? ` and ${ignored.length - 10} more` : '';
  return oneLine(`cilium-trace: skipped ${ignored.length} input${ignored.length === 1 ? '' : 's'} that ${ignored.length === 1 ? 'is' : 'are'} not Kubernetes objects: ${list}${more}`);
}

/** The loader's warnings, one stderr line each: `file:line:col: warning: …` (or `cilium-trace: warning: …`). */
export function loadWarnings(s: Scenario): string {
  return (s.warnings ?? []).map((w) => `${w.pos ? `${w.pos.file}:${w.pos.line}:${w.pos.col}` : 'cilium-trace'}: warning: ${oneLine(w.message)}\n`).join('');
}
