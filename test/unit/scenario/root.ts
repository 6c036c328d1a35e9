// Locates the package root from the compiled test: dist/test/unit/scenario/*.js is four
// levels below it. Imported by the scenario tests; contains no tests itself.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export function fromRoot(...parts: string[]): string {
  return join(ROOT, ...parts);
}
