// Release numbers as Cilium tags them (v1.16.15) and the two questions every per-release
// switch asks: is this release at or after the one that brought a change, and which of
// several values (each introduced by some release) is in force at this release.

export interface ReleaseNumber {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** "v1.16.15", "1.16.15" or "1.16" (patch 0). Undefined if it is none of these. */
export function parseRelease(text: string): ReleaseNumber | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function compareReleases(a: ReleaseNumber, b: ReleaseNumber): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

function must(text: string): ReleaseNumber {
  const r = parseRelease(text);
  if (!r) throw new Error(`not a release number: ${text}`);
  return r;
}

/** True when `version` (v1.16.15) is `since` (1.16.4) or later. */
export function atLeast(version: string, since: string): boolean {
  return compareReleases(must(version), must(since)) >= 0;
}

/**
 * The value in force at `version` from a table keyed by the release that introduced each value:
 * `inForce('v1.16.15', {'1.13.0': 40, '1.14.0': 47, '1.15.0': 49, '1.16.0': 50, '1.18.0': 48})` is 50.
 */
export function inForce<T>(version: string, table: Readonly<Record<string, T>>): T {
  const v = must(version);
  let best: { at: ReleaseNumber; value: T } | undefined;
  for (const [since, value] of Object.entries(table)) {
    const at = must(since);
    if (compareReleases(at, v) <= 0 && (!best || compareReleases(at, best.at) > 0)) best = { at, value };
  }
  if (!best) throw new Error(`no value in force at ${version} (table starts at ${Object.keys(table).join(', ')})`);
  return best.value;
}
