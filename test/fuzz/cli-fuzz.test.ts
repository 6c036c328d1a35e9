// A short, fixed-seed run of the CLI fuzzer (npm run fuzz runs 100,000 cases): mutated
// shipped scenarios, generated clusters, random bytes and random command lines, each run
// in-process; every run must keep the contract checked by contractViolation (exit 0/1/2,
// one-line positioned errors, no stack trace, no prototype pollution).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { caseArb } from './arbitraries.js';
import { contractViolation, FuzzSession } from './harness.js';

const session = new FuzzSession();
after(() => session.close());

describe('CLI fuzz (short run; npm run fuzz for the long one)', () => {
  it('every run exits 0, 1, 2 or 4 with one-line errors and no stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb(), async (c) => {
        const r = await session.run(c);
        const why = contractViolation(r);
        assert.equal(why, undefined, `${why}\nargv: ${JSON.stringify(r.argv)}\n--- stderr\n${r.stderr}`);
      }),
      { seed: 1_310_2024, numRuns: 600 },
    );
  });
});
