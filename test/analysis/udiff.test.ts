// unifiedDiff: hand-checked cases, then agreement with GNU diff -u on generated texts
// (when diff(1) is installed): same hunks, same line numbers, same EOF markers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unifiedDiff } from '../../src/analysis/udiff.js';
import { stepText } from '../../src/analysis/steps.js';
import { test } from 'node:test';

describe('unifiedDiff', () => {
  it('equal texts: empty', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y'), '');
  });
  it('one changed line with context', () => {
    assert.equal(unifiedDiff('1\n2\n3\n4\n5\n6\n7\n8\n', '1\n2\n3\n4\nfive\n6\n7\n8\n', 'a', 'b'), '--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
  });
  it('into an empty file, and out of one', () => {
    assert.equal(unifiedDiff('', 'x\ny\n', 'a', 'b'), '--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n');
    assert.equal(unifiedDiff('x\n', '', 'a', 'b'), '--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n');
  });
  it('a missing newline at the end is a difference, marked as diff(1) marks it', () => {
    assert.equal(unifiedDiff('a\nb', 'a\nb\n', 'a', 'b'), '--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
  });
  it('distant changes make separate hunks', () => {
    const a = Array.from({ length: 20 }, (_, i) => `${i}`).join('\n') + '\n';
    const b = a.replace('\n2\n', '\ntwo\n').replace('\n17\n', '\nseventeen\n');
    const d = unifiedDiff(a, b, 'a', 'b');
    assert.deepEqual(d.split('\n').filter((l) => l.startsWith('@@')), ['@@ -1,6 +1,6 @@', '@@ -15,6 +15,6 @@']);
  });
});

/** A deterministic generator (no Math.random): a linear congruential sequence. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function mutate(lines: string[], next: () => number): string[] {
  const out = [...lines];
  const edits = 1 + Math.floor(next() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (out.length + 1));
    const r = next();
    if (r < 0.35 && out.length > 0) out.splice(at, 1);
    else if (r < 0.7) out.splice(at, 0, `new ${Math.floor(next() * 5)}`);
    else if (out.length > 0) out[Math.min(at, out.length - 1)] = `changed ${Math.floor(next() * 5)}`;
  }
  return out;
}

const hasDiff = spawnSync('diff', ['--version']).status === 0;

describe('unifiedDiff agrees with GNU diff -u', { skip: !hasDiff && 'diff(1) not installed' }, () => {
  it('on 300 generated pairs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-udiff-'));
    try {
      const next = lcg(42);
      let same = 0;
      for (let n = 0; n < 300; n++) {
        const base = Array.from({ length: Math.floor(next() * 30) }, () => `line ${Math.floor(next() * 8)}`);
        const a = base.join('\n') + (base.length > 0 && next() < 0.9 ? '\n' : '');
        const m = mutate(base, next);
        const b = m.join('\n') + (m.length > 0 && next() < 0.9 ? '\n' : '');
        writeFileSync(join(dir, 'a'), a);
        writeFileSync(join(dir, 'b'), b);
        const gnu = spawnSync('diff', ['-u', '--label', 'a', '--label', 'b', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' }).stdout;
        const ours = unifiedDiff(a, b, 'a', 'b');
        // Both are minimal edit scripts; where several exist they may pair lines differently,
        // so compare what any correct diff must agree on: applying it gives b, and its size.
        assert.equal(apply(a, ours), b, `case ${n}: applying our diff\n${ours}`);
        assert.equal(changed(ours), changed(gnu), `case ${n}: edit size\nours:\n${ours}\ngnu:\n${gnu}`);
        for (const h of ours.split('\n').filter((l) => l.startsWith('@@'))) assert.match(h, /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@$/);
        if (ours === gnu) same++;
      }
      // GNU diff prefers other pairings now and then; most outputs are byte-identical.
      assert.ok(same > 240, `${same} of 300 byte-identical to diff -u`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function changed(d: string): number {
  return d.split('\n').filter((l) => (l.startsWith('+') || l.startsWith('-')) && !l.startsWith('+++') && !l.startsWith('---')).length;
}

/** Applies a unified diff (as produced above) to a text. */
function apply(a: string, diff: string): string {
  if (diff === '') return a;
  const src = a === '' ? [] : a.split(/(?<=\n)/);
  const out: string[] = [];
  let i = 0;
  const lines = diff.split(/(?<=\n)/).slice(2);
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k] as string;
    const h = /^@@ -(\d+)(?:,(\d+))? /.exec(l);
    if (h) {
      const start = Number(h[1]);
      const count = h[2] === undefined ? 1 : Number(h[2]);
      const to = count === 0 ? start : start - 1;
      while (i < to) out.push(src[i++] as string);
      continue;
    }
    const noEol = lines[k + 1]?.startsWith('\\ No newline') === true;
    const body = noEol ? l.slice(1, -1) : l.slice(1);
    if (l[0] === ' ') { out.push(body); i++; }
    else if (l[0] === '-') i++;
    else if (l[0] === '+') out.push(body);
  }
  while (i < src.length) out.push(src[i++] as string);
  return out.join('');
}

test('F20: a rewrite step reads `rewrite ttl 64 → 63`, not `rewrite ttl → 64 → 63`', () => {
  assert.equal(stepText({ depth: 1, sig: 'rewrite ttl', result: '64 → 63', provenance: [], map: null }), 'rewrite ttl 64 → 63');
  assert.equal(stepText({ depth: 1, sig: 'lookup cilium_lxc 10.0.1.105:0', result: 'miss', provenance: [], map: 'cilium_lxc' }), 'lookup cilium_lxc 10.0.1.105:0 → miss');
});
