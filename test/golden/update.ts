// Rewrites the golden files from the current behaviour: `npm run golden:update`.
// Review the diff (git diff test/golden) before committing it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/run-cli.js';
import { GOLDEN_CASES, formatGolden } from './cases.js';

// `node --test dist/test/` loads every file: only an explicit `npm run golden:update` rewrites.
if (process.env['NODE_TEST_CONTEXT'] !== undefined) process.exit(0);
process.chdir(ROOT);
const dir = join(ROOT, 'test', 'golden', 'cases');
mkdirSync(dir, { recursive: true });
for (const c of GOLDEN_CASES) {
  const run = await runCli(c.args);
  writeFileSync(join(dir, `${c.name}.txt`), formatGolden(c.args, run));
}
process.stdout.write(`updated ${GOLDEN_CASES.length} golden files in test/golden/cases\n`);
