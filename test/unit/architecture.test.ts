// The wall between the control plane and the datapath: nothing under src/datapath may import
// the scenario or the control plane. The datapath sees only maps, devices and config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../support/run-cli.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('src/datapath imports neither scenario/ nor controlplane/', () => {
  const offenders: string[] = [];
  for (const file of tsFiles(join(ROOT, 'src', 'datapath'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from\s+'([^']+)'/g)) {
      const spec = m[1] ?? '';
      if (/\/(scenario|controlplane)\//.test(spec)) offenders.push(`${relative(ROOT, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the control plane and the renderers import nothing from src/datapath/ (shared types live in src/node-state/)', () => {
  const offenders: string[] = [];
  for (const dir of ['controlplane', 'render', 'node-state']) {
    for (const file of tsFiles(join(ROOT, 'src', dir))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1] ?? '';
        if (/(^|\/)datapath\//.test(spec)) offenders.push(`${relative(ROOT, file)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('src/node-state imports neither the datapath, the control plane nor the scenario', () => {
  const offenders: string[] = [];
  for (const file of tsFiles(join(ROOT, 'src', 'node-state'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from\s+'([^']+)'/g)) {
      const spec = m[1] ?? '';
      if (/\/(scenario|controlplane|datapath)\//.test(spec)) offenders.push(`${relative(ROOT, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('no Math.random or Date in the source (output must be deterministic)', () => {
  const offenders: string[] = [];
  for (const file of tsFiles(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    if (/Math\.random|new Date\(|Date\.now/.test(text)) offenders.push(relative(ROOT, file));
  }
  assert.deepEqual(offenders, []);
});
