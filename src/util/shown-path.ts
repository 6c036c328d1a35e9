// How a file of the package (a shipped scenario, an exercise) is named in messages: a path
// the user can type from the working directory, never a package-relative one that does not
// exist there. The shorter of the relative and the absolute path (relative on a tie):
// `scenarios/l3-policy.yaml` in the package root, `../scenarios/l3-policy.yaml` from test/,
// `/usr/lib/node_modules/cilium-trace/scenarios/l3-policy.yaml` from a home directory.
import { isAbsolute, relative } from 'node:path';

export function shownPath(abs: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, abs);
  if (rel === '') return '.';
  if (isAbsolute(rel)) return abs; // another drive
  return rel.length <= abs.length ? rel : abs;
}
