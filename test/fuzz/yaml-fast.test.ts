// The fast YAML reader must build exactly what the `yaml` package builds (values, sources,
// lines, columns, structure) for every text it accepts, and give up on the rest. Checked on
// generated YAML (block and flow styles, odd scalars), on the shipped scenarios and on
// damaged copies of them. Fixed seeds: the same cases on every run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { isMap, isScalar, isSeq, type YNode } from '../../src/scenario/ast.js';
import { fastParseYaml, resolvePlain } from '../../src/scenario/fast-yaml.js';
import { slowParse, YAML_LIMITS } from '../../src/scenario/yaml-text.js';
import { applyRaw } from './mutations.js';
import { corpus } from './corpus.js';

/** Where two trees differ, or undefined. */
function diff(a: YNode | null, b: YNode | null, path = '$'): string | undefined {
  if (a === null || b === null) return a === b ? undefined : `${path}: ${a === null ? 'null' : a.kind} vs ${b === null ? 'null' : b.kind}`;
  if (a.kind !== b.kind) return `${path}: ${a.kind} vs ${b.kind}`;
  if (a.line !== b.line || a.col !== b.col) return `${path}: at ${a.line}:${a.col} vs ${b.line}:${b.col}`;
  if (isScalar(a) && isScalar(b)) {
    if (!Object.is(a.value, b.value)) return `${path}: value ${JSON.stringify(a.value)} vs ${JSON.stringify(b.value)}`;
    if (a.source !== b.source) return `${path}: source ${JSON.stringify(a.source)} vs ${JSON.stringify(b.source)}`;
    return undefined;
  }
  if (isMap(a) && isMap(b)) {
    if (a.keys.length !== b.keys.length) return `${path}: ${a.keys.length} vs ${b.keys.length} keys`;
    for (let i = 0; i < a.keys.length; i++) {
      const d = diff(a.keys[i] ?? null, b.keys[i] ?? null, `${path}.key${i}`) ?? diff(a.values[i] ?? null, b.values[i] ?? null, `${path}.${i}`);
      if (d) return d;
    }
    return undefined;
  }
  if (isSeq(a) && isSeq(b)) {
    if (a.items.length !== b.items.length) return `${path}: ${a.items.length} vs ${b.items.length} items`;
    for (let i = 0; i < a.items.length; i++) {
      const d = diff(a.items[i] ?? null, b.items[i] ?? null, `${path}[${i}]`);
      if (d) return d;
    }
  }
  return undefined;
}

/** Undefined when the fast reader agrees with the yaml package (or gives up); else why not. */
export function disagreement(text: string): string | undefined {
  const fast = fastParseYaml(text, YAML_LIMITS);
  if (!fast) return undefined;
  const slow = slowParse('t.yaml', text);
  if (slow.problems.length > 0) return `fast reader accepted a text the yaml package rejects: ${slow.problems[0]?.message}`;
  const a = fast.filter((d) => d !== null);
  const b = slow.docs.filter((d) => d !== null && !(isScalar(d) && d.value === null && !d.source));
  if (a.length !== b.length) return `${a.length} vs ${b.length} documents`;
  for (let i = 0; i < a.length; i++) {
    const d = diff(a[i] ?? null, b[i] ?? null, `doc${i}`);
    if (d) return d;
  }
  return undefined;
}

const scalarText = fc.oneof(
  fc.constantFrom('null', 'Null', 'NULL', '~', 'true', 'True', 'FALSE', 'yes', '0', '-0', '+1', '007', '0o17', '0x1F', '0xZZ', '1e3', '-1.5e-3', '.5', '1.', '.inf', '-.Inf', '.nan', '.NaN', '1_000', '10.0.0.1', '10.0.0.0/24', '52:54:00:12:34:56', 'a b', 'a:b', 'a#b', 'é', '-x', '--', '1.13', '12:30', '0.0.0.0/0'),
  fc.string({ maxLength: 8 }),
);
const keyText = fc.oneof(fc.constantFrom('a', 'name', 'ip', '1', 'true', 'null', 'x y', 'k8s:app', 'a.b/c', '-k'), fc.string({ minLength: 1, maxLength: 6 }));

/** A JSON-like value whose strings are the odd scalars above. */
const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarText,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(keyText, tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Mappings all the way down, as cluster files are: what the fast reader mostly accepts. */
const simpleScalar = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-z][a-z0-9.\/-]{0,8}$/) },
  { weight: 1, arbitrary: scalarText },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
const simpleKey = fc.oneof({ weight: 8, arbitrary: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9._-]{0,7}$/) }, { weight: 1, arbitrary: keyText });
const treeArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  map: fc.dictionary(simpleKey, tie('v'), { minKeys: 1, maxKeys: 5 }),
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    simpleScalar,
    tie('map'),
    fc.array(fc.oneof(simpleScalar, tie('map')), { maxLength: 4 }),
  ),
})).map;

const styleArb = fc.record({
  collectionStyle: fc.constantFrom('any' as const, 'block' as const, 'flow' as const),
  indent: fc.integer({ min: 1, max: 4 }),
  indentSeq: fc.boolean(),
  defaultStringType: fc.constantFrom('PLAIN' as const, 'QUOTE_DOUBLE' as const, 'QUOTE_SINGLE' as const),
});

describe('fast YAML reader against the yaml package', () => {
  it('agrees on generated documents (block, flow, quoted, odd scalars)', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 3 }), styleArb, (docs, style) => {
        const text = docs.map((d) => stringify(d, { ...style, lineWidth: 0 })).join('---\n');
        const why = disagreement(text);
        assert.equal(why, undefined, `${why}\n--- text\n${text}`);
      }),
      { seed: 4242, numRuns: 1500 },
    );
  });

  it('agrees on generated cluster-like documents (mappings of mappings and lists)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(treeArb, { minLength: 1, maxLength: 3 }), styleArb, (docs, style) => {
        const text = docs.map((d) => stringify(d, { ...style, collectionStyle: style.collectionStyle === 'flow' ? 'any' : style.collectionStyle, lineWidth: 0 })).join('---\n');
        if (fastParseYaml(text, YAML_LIMITS)) accepted++;
        const why = disagreement(text);
        assert.equal(why, undefined, `${why}\n--- text\n${text}`);
      }),
      { seed: 99, numRuns: 1500 },
    );
    assert.ok(accepted > 400, `the fast reader took only ${accepted} of 1500 texts`);
  });

  it('agrees on the shipped scenarios and on damaged copies of them', () => {
    const files = corpus().flatMap((e) => e.files.map((f) => f.text));
    for (const text of files) assert.equal(disagreement(text), undefined, text.slice(0, 200));
    const raw = fc.record({ at: fc.nat(1_000_000), op: fc.constantFrom('deleteLine' as const, 'dupLine' as const, 'swapLines' as const, 'insert' as const, 'truncate' as const, 'indent' as const), text: fc.oneof(fc.constantFrom(':', ' ', '- ', '[', ']', '{', '}', '"', "'", '#', ' #', '\n', '---\n', ',', 'a: b', '  - x\n', '? ', '&a ', '*a'), fc.string({ maxLength: 3 })), n: fc.integer({ min: -3, max: 3 }) });
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.array(raw, { minLength: 1, maxLength: 3 }), (i, ops) => {
        let text = files[i] as string;
        for (const op of ops) text = applyRaw(text, op);
        const why = disagreement(text);
        assert.equal(why, undefined, `${why}\n--- text\n${text}`);
      }),
      { seed: 777, numRuns: 1500 },
    );
  });

  it('resolves plain scalars as the YAML 1.2 core schema does', () => {
    const cases: Array<[string, unknown]> = [['null', null], ['~', null], ['True', true], ['FALSE', false], ['yes', 'yes'], ['0o17', 15], ['0x1F', 31], ['-12', -12], ['+7', 7], ['1e3', 1000], ['.5', 0.5], ['-.inf', -Infinity], ['1.13', 1.13], ['10.0.0.1', '10.0.0.1'], ['012', 12]];
    for (const [text, value] of cases) assert.ok(Object.is(resolvePlain(text), value), text);
  });
});
