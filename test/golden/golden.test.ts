// Golden CLI tests: the exact bytes of stdout, stderr and the exit code for each case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/run-cli.js';
import { GOLDEN_CASES, formatGolden } from './cases.js';

process.chdir(ROOT);
for (const c of GOLDEN_CASES) {
  test(`golden: ${c.name}`, async () => {
    const expected = readFileSync(join(ROOT, 'test', 'golden', 'cases', `${c.name}.txt`), 'utf8');
    const run = await runCli(c.args);
    assert.equal(formatGolden(c.args, run), expected, `golden mismatch for ${c.name}; if the change is intended run: npm run golden:update`);
  });
}
