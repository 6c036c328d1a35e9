// The Cilium release a profile models, and where that release defines each C name a trace
// cites. A trace frame names a function, macro, label or macro-generated program with the
// file and line of its definition at exactly this release, so every step can be checked
// against the source (`git show <commit>:<file>`).
import { DROPS_V1_13_0 } from './drops-v1.13.0.js';
import { LABELS_V1_13_0 } from './labels-v1.13.0.js';
import { SITES_V1_13_0 } from './sites-v1.13.0.js';

export interface CiliumRelease {
  /** The profile name users select: 1.13. */
  readonly profile: string;
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

export const V1_13_0: CiliumRelease = {
  profile: '1.13',
  version: 'v1.13.0',
  commit: 'c9723a8df3',
  site: siteTable(SITES_V1_13_0),
  dropSites: dropTable(DROPS_V1_13_0),
  labelSites: labelTable(LABELS_V1_13_0),
  variants: new Map([
    ['bpf/lib/drop.h\t_send_drop_notify', { line: 98, why: 'drop.h:97-130 is the #ifdef DROP_NOTIFY definition (the stub at :133 is its #else); the agent sets DropNotify by default (daemon/cmd/daemon_main.go:1287), which ep_config.h and netdev_config.h define as DROP_NOTIFY' }],
  ]),
};

export const RELEASES: readonly CiliumRelease[] = [V1_13_0];

export function releaseOfProfile(profile: string): CiliumRelease {
  const r = RELEASES.find((x) => x.profile === profile);
  if (!r) throw new Error(`no release for profile ${profile}`);
  return r;
}
