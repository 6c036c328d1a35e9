// The files a directory given with -f contributes: every *.yaml, *.yml and *.json file in
// it and below it (kustomize and Helm layouts keep manifests in subfolders), in sorted
// order. Dot-directories (.git, .github) are not entered; dotfiles, Helm's Chart.yaml and
// values.yaml and kustomize's kustomization.yaml hold no objects and are listed as skipped.
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { IgnoredInput } from './types.js';

const INPUT_FILE = /\.(ya?ml|json)$/;

/** Files that are never Kubernetes objects, and what they are. */
const NOT_OBJECTS: Readonly<Record<string, string>> = {
  'Chart.yaml': 'Helm chart file',
  'Chart.yml': 'Helm chart file',
  'values.yaml': 'Helm values',
  'values.yml': 'Helm values',
  'kustomization.yaml': 'kustomize file',
  'kustomization.yml': 'kustomize file',
};

export interface WalkedFile {
  readonly path: string;
  /** The name messages show: the directory as typed, then the path below it. */
  readonly display: string;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The input files under `dir` (shown as `display`), depth first in name order; files passed
 * over go to `ignored`, and what cannot be read to `unreadable`.
 */
export function walkDirectory(dir: string, display: string, unreadable: (display: string, err: unknown) => void, ignored: IgnoredInput[]): WalkedFile[] {
  const out: WalkedFile[] = [];
  const seen = new Set<string>(); // real paths walked: a symlink loop is walked once
  const walk = (path: string, shown: string): void => {
    let names: string[];
    try {
      const real = realpathSync(path);
      if (seen.has(real)) return;
      seen.add(real);
      names = readdirSync(path).sort(byName);
    } catch (err) {
      unreadable(shown, err);
      return;
    }
    for (const name of names) {
      const child = join(path, name);
      const childShown = shown.endsWith('/') ? `${shown}${name}` : `${shown}/${name}`;
      let st: Stats;
      try {
        st = statSync(child);
      } catch (err) {
        if (INPUT_FILE.test(name) && !name.startsWith('.')) unreadable(childShown, err);
        continue;
      }
      if (st.isDirectory()) {
        if (!name.startsWith('.')) walk(child, childShown);
        continue;
      }
      if (!st.isFile() || !INPUT_FILE.test(name)) continue;
      const why = name.startsWith('.') ? 'dotfile' : NOT_OBJECTS[name];
      if (why) ignored.push({ where: childShown, why });
      else out.push({ path: child, display: childShown });
    }
  };
  walk(dir, display);
  return out;
}
