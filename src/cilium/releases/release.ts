// The Cilium release a profile models, and where that release defines each C name a trace
// cites. A trace frame names a function, macro, label or macro-generated program with the
// file and line of its definition at exactly this release, so every step can be checked
// against the source (`git show <commit>:<file>`).
import { CALLS_FILE_V1_13_0, CALLS_V1_13_0 } from './calls-v1.13.0.js';
import { CALLS_FILE_V1_16_15, CALLS_V1_16_15 } from './calls-v1.16.15.js';
import { CALLS_FILE_V1_18_3, CALLS_V1_18_3 } from './calls-v1.18.3.js';
import { DROPS_V1_13_0 } from './drops-v1.13.0.js';
import { DROPS_V1_16_15 } from './drops-v1.16.15.js';
import { DROPS_V1_18_3 } from './drops-v1.18.3.js';
import { hasFeature, type Feature } from './features.js';
import { LABELS_V1_13_0 } from './labels-v1.13.0.js';
import { LABELS_V1_16_15 } from './labels-v1.16.15.js';
import { LABELS_V1_18_3 } from './labels-v1.18.3.js';
import { SITES_V1_13_0 } from './sites-v1.13.0.js';
import { SITES_V1_16_15 } from './sites-v1.16.15.js';
import { SITES_V1_18_3 } from './sites-v1.18.3.js';
import { inForce } from './semver.js';

export type CiliumProfile = '1.13' | '1.16' | '1.18';

export interface CiliumRelease {
  /** The profile name users select: 1.13. */
  readonly profile: CiliumProfile;
  /** The release it pins: v1.13.0. */
  readonly version: string;
  /** The upstream commit "Prepare for release …", abbreviated as git prints it. */
  readonly commit: string;
  /** Line of the definition of `name` in `file` at this release, if it defines it there. */
  readonly site: (file: string, name: string) => number | undefined;
  /**
   * Lines of the send_drop_notify* calls inside `fn` of `file` (in source order): the line a
   * drop notification carries (bpf/lib/drop.h passes __LINE__ of the call).
   */
  readonly dropSites: (file: string, fn: string) => readonly number[];
  /**
   * Where a goto label of `file` is, per enclosing function: labels such as pass_to_stack
   * exist once in each function that uses them (IPv4 and IPv6 paths).
   */
  readonly labelSites: (file: string, label: string) => ReadonlyMap<string, number>;
  /**
   * Functions defined twice in one file under #ifdef/#else: the line of the variant the agent
   * compiles, with why. The bpf-index keeps one definition per name and file.
   */
  readonly variants: ReadonlyMap<string, { readonly line: number; readonly why: string }>;
  /** The tail-call slots: CILIUM_CALL_<name> as this release defines them (calls-<release>.ts). */
  readonly calls: CallSlots;
  /** Does this release have the change (features.ts)? */
  readonly has: (feature: Feature) => boolean;
  /** The value in force at this release from a table keyed by the release that brought each value. */
  readonly pick: <T>(table: Readonly<Record<string, T>>) => T;
  /** The agent's CLI binary: cilium (v1.13, v1.14), cilium-dbg (v1.15 on). */
  readonly cli: 'cilium' | 'cilium-dbg';
}

export interface CallSlots {
  /** bpf/lib/common.h (to v1.17) or bpf/lib/tailcall.h (v1.18). */
  readonly file: string;
  /** CILIUM_CALL_SIZE: the size of every cilium_calls_* prog array. */
  readonly size: number;
  /** The slot of CILIUM_CALL_<name> (IPV4_FROM_LXC → 7), undefined if this release has none. */
  readonly slot: (name: string) => number | undefined;
  /** The line of its #define. */
  readonly line: (name: string) => number | undefined;
  /** The names of a slot, in source order (7 → IPV4_FROM_LXC, IPV4_FROM_NETDEV, …). */
  readonly names: (slot: number) => readonly string[];
}

function callSlots(file: string, text: string): CallSlots {
  const slot = new Map<string, number>();
  const line = new Map<string, number>();
  const names = new Map<number, string[]>();
  for (const row of text.split('\n')) {
    const [name, n, l] = row.split('\t');
    if (!name || !n || !l) continue;
    slot.set(name, Number(n));
    line.set(name, Number(l));
    if (name !== 'SIZE') names.set(Number(n), [...(names.get(Number(n)) ?? []), name]);
  }
  return { file, size: slot.get('SIZE') ?? 0, slot: (n) => slot.get(n), line: (n) => line.get(n), names: (s) => names.get(s) ?? [] };
}

type ReleaseData = Omit<CiliumRelease, 'has' | 'pick' | 'cli'>;

function release(data: ReleaseData): CiliumRelease {
  const has = (f: Feature): boolean => hasFeature(data.version, f);
  return { ...data, has, pick: (table) => inForce(data.version, table), cli: has('cli-dbg') ? 'cilium-dbg' : 'cilium' };
}

function siteTable(text: string): (file: string, name: string) => number | undefined {
  let table: Map<string, number> | undefined;
  return (file, name) => {
    if (!table) {
      table = new Map();
      for (const row of text.split('\n')) {
        const [f, n, line] = row.split('\t');
        if (f && n && line) table.set(`${f}\t${n}`, Number(line));
      }
    }
    return table.get(`${file}\t${name}`);
  };
}

function dropTable(text: string): (file: string, fn: string) => readonly number[] {
  let table: Map<string, number[]> | undefined;
  return (file, fn) => {
    if (!table) {
      table = new Map();
      for (const row of text.split('\n')) {
        const [f, n, line] = row.split('\t');
        if (!f || !n || !line) continue;
        const k = `${f}\t${n}`;
        table.set(k, [...(table.get(k) ?? []), Number(line)]);
      }
    }
    return table.get(`${file}\t${fn}`) ?? [];
  };
}

function labelTable(text: string): (file: string, label: string) => ReadonlyMap<string, number> {
  let table: Map<string, Map<string, number>> | undefined;
  const none: ReadonlyMap<string, number> = new Map();
  return (file, label) => {
    if (!table) {
      table = new Map();
      for (const row of text.split('\n')) {
        const [f, fn, l, line] = row.split('\t');
        if (!f || !fn || !l || !line) continue;
        const k = `${f}\t${l}`;
        const m = table.get(k) ?? new Map<string, number>();
        m.set(fn, Number(line));
        table.set(k, m);
      }
    }
    return table.get(`${file}\t${label}`) ?? none;
  };
}

export const V1_13_0: CiliumRelease = release({
  profile: '1.13',
  version: 'v1.13.0',
  commit: 'c9723a8df3',
  site: siteTable(SITES_V1_13_0),
  dropSites: dropTable(DROPS_V1_13_0),
  labelSites: labelTable(LABELS_V1_13_0),
  calls: callSlots(CALLS_FILE_V1_13_0, CALLS_V1_13_0),
  variants: new Map([
    ['bpf/lib/drop.h\t_send_drop_notify', { line: 98, why: 'drop.h:97-130 is the #ifdef DROP_NOTIFY definition (the stub at :133 is its #else); the agent sets DropNotify by default (daemon/cmd/daemon_main.go:1287), which ep_config.h and netdev_config.h define as DROP_NOTIFY' }],
  ]),
});

export const V1_16_15: CiliumRelease = release({
  profile: '1.16',
  version: 'v1.16.15',
  commit: '7513067408',
  site: siteTable(SITES_V1_16_15),
  dropSites: dropTable(DROPS_V1_16_15),
  labelSites: labelTable(LABELS_V1_16_15),
  calls: callSlots(CALLS_FILE_V1_16_15, CALLS_V1_16_15),
  variants: new Map([
    ['bpf/lib/drop.h\t_send_drop_notify', { line: 97, why: 'drop.h:97-124 is the #ifdef DROP_NOTIFY definition (the stub at :127 is its #else); the agent defines DROP_NOTIFY by default' }],
  ]),
});

export const V1_18_3: CiliumRelease = release({
  profile: '1.18',
  version: 'v1.18.3',
  commit: 'c160168901',
  site: siteTable(SITES_V1_18_3),
  dropSites: dropTable(DROPS_V1_18_3),
  labelSites: labelTable(LABELS_V1_18_3),
  calls: callSlots(CALLS_FILE_V1_18_3, CALLS_V1_18_3),
  variants: new Map(),
});

/** Oldest first; the last is the newest, the profile of Kubernetes input that names no release. */
export const RELEASES: readonly CiliumRelease[] = [V1_13_0, V1_16_15, V1_18_3];

export const NEWEST: CiliumRelease = RELEASES[RELEASES.length - 1]!;

/** The release of input that names none: the newest. */
export const DEFAULT_RELEASE: CiliumRelease = NEWEST;

export const PROFILES: readonly CiliumProfile[] = RELEASES.map((r) => r.profile);

export function releaseOfProfile(profile: CiliumProfile): CiliumRelease {
  const r = RELEASES.find((x) => x.profile === profile);
  if (!r) throw new Error(`no release for profile ${profile}`);
  return r;
}

/**
 * The profile a user's `--cilium` / `cilium:` names: a profile (1.16) or the release it pins
 * (1.16.15, v1.16.15). Undefined for anything else (the caller says which profiles exist).
 */
export function profileOf(text: string): CiliumProfile | undefined {
  const t = text.trim().replace(/^v/, '');
  return RELEASES.find((r) => r.profile === t || r.version === `v${t}`)?.profile;
}
