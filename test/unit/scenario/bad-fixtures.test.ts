// Every file in test/fixtures/bad/ must fail to load with exactly the problems listed in
// its .expected file (one formatted problem per line, sorted as InputError sorts them).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/errors.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { fromRoot } from './root.js';

const DIR = fromRoot('test', 'fixtures', 'bad');
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();

function problemsOf(name: string): string {
  const display = `test/fixtures/bad/${name}.yaml`;
  try {
    parseScenario(readFileSync(fromRoot(display), 'utf8'), display);
  } catch (e) {
    if (e instanceof InputError) return `${e.lines().join('\n')}\n`;
    throw e;
  }
  return '(no error)\n';
}

describe('bad scenario fixtures', () => {
  it('cover the expected problem kinds', () => {
    for (const kind of [
      'not-yaml',
      'unknown-field',
      'bad-ip',
      'bad-cidr',
      'bad-mac',
      'pod-outside-cidr',
      'duplicate-ip',
      'duplicate-name',
      'unknown-node',
      'wrong-type',
      'unsupported-policy-field',
      'host-routing-without-kpr',
      'several-problems',
      'two-cluster-sections',
      'named-port',
      'cnp-values',
      'netpol-values',
      'k8s-missing-data',
      'k8s-services',
      'k8s-kinds',
      'k8s-cluster-pool',
    ]) {
      assert.ok(fixtures.includes(kind), `missing fixture ${kind}.yaml`);
    }
  });

  for (const name of fixtures) {
    it(name, () => {
      const expected = readFileSync(fromRoot('test', 'fixtures', 'bad', `${name}.expected`), 'utf8');
      assert.equal(problemsOf(name), expected);
    });
  }

  it('several-problems reports every problem, sorted by position', () => {
    const lines = problemsOf('several-problems').trimEnd().split('\n');
    assert.ok(lines.length >= 5);
    const positions = lines.map((l) => l.split(':').slice(1, 3).map(Number) as [number, number]);
    const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    assert.deepEqual(positions, sorted);
  });
});
