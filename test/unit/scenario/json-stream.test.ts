// JSON is read from bytes as a stream into what the yaml package makes of the same text
// (values, sources, lines, columns), whatever the chunks it arrives in; a List's items are
// handed over one by one; what is not JSON is said where it is, and whether the YAML
// reader may read it instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../../src/errors.js';
import type { YNode } from '../../../src/scenario/ast.js';
import { bytesSource, type ByteSource } from '../../../src/scenario/json-bytes.js';
import { streamJson, type JsonOutcome } from '../../../src/scenario/json-stream.js';
import { readInput } from '../../../src/scenario/input-reader.js';
import { slowParse, YAML_LIMITS } from '../../../src/scenario/yaml-text.js';
import { plain, plainDocs } from '../../support/yaml-tree.js';

/** The bytes of `text` in chunks of the given sizes (cycled), to cut tokens anywhere. */
function chunked(text: string | Buffer, sizes: readonly number[]): ByteSource {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  let at = 0;
  let k = 0;
  return {
    next: () => {
      if (at >= bytes.length) return undefined;
      const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
      const chunk = bytes.subarray(at, at + n);
      at += n;
      return chunk;
    },
  };
}

function read(source: ByteSource, list = false): { docs: Array<YNode | null>; items: YNode[]; r: JsonOutcome } {
  const docs: Array<YNode | null> = [];
  const items: YNode[] = [];
  const r = streamJson('t.json', source, YAML_LIMITS, { onDocument: (d) => docs.push(d), ...(list ? { onListItem: (i: YNode) => items.push(i) } : {}) });
  return { docs, items, r };
}

const problemOf = (r: JsonOutcome): string => ('problem' in r ? `${r.problem.pos.line}:${r.problem.pos.col} ${r.problem.message}` : 'ok');

/** JSON values with the strings kubectl dumps hold: names, escapes, non-ASCII, astral characters. */
const text = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('kube-system', 'k:{"name":"app"}', 'a"b\\c', 'tab\there', 'é', '日本', '😀x', '\u2028', '', '0', 'true', 'null'));
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(text, tie('v'), { maxKeys: 4 }),
  ),
})).v;

describe('the JSON stream reader', () => {
  it('builds what the yaml package builds, positions included, in any layout and any chunks', () => {
    fc.assert(
      fc.property(json, fc.constantFrom(0, 2, 4), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), (value, indent, sizes) => {
        const t = JSON.stringify(value, null, indent);
        const slow = slowParse('t.json', t);
        assert.deepEqual(slow.problems, [], t);
        const whole = read(bytesSource(Buffer.from(t)));
        assert.equal(problemOf(whole.r), 'ok', t);
        assert.deepEqual(plainDocs(whole.docs), plainDocs(slow.docs), t);
        assert.deepEqual(plainDocs(read(chunked(t, sizes)).docs), plainDocs(slow.docs), `${t} in chunks of ${sizes}`);
      }),
      { seed: 3131, numRuns: 600 },
    );
  });

  it("reads kubectl's layout, collections deep in an object read later, as the yaml package does", () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web' }, managedFields: [{ manager: 'kubelet', fieldsV1: { 'f:status': { 'k:{"type":"Ready"}': { '.': {} } } } }] }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    const t = JSON.stringify({ apiVersion: 'v1', items: [pod, pod], kind: 'List', metadata: { resourceVersion: '' } }, null, 4);
    const slow = plain(slowParse('t.json', t).docs[0]) as { map: Array<[unknown, { seq: unknown[] }]> };
    for (const sizes of [[1 << 20], [1], [3, 5, 7]]) {
      const r = read(chunked(t, sizes), true);
      assert.equal(problemOf(r.r), 'ok');
      assert.deepEqual(r.items.map(plain), slow.map[1]?.[1].seq, `chunks ${sizes}`);
      const doc = plain(r.docs[0]) as { map: Array<[unknown, { seq: unknown[] }]> };
      assert.deepEqual(doc.map[1]?.[1].seq, [], 'the List document keeps none of its items');
    }
  });

  it('a collection read later that is not JSON says so when it is read', () => {
    const t = '{\n    "kind": "Pod",\n    "metadata": {\n        "labels": {\n            "a": tru\n        }\n    }\n}\n';
    const r = read(bytesSource(Buffer.from(t)));
    assert.equal(problemOf(r.r), 'ok', 'not looked into yet');
    assert.throws(() => plain(r.docs[0]), (e: unknown) => e instanceof InputError && e.message === "t.json:5:18: invalid JSON: expected a JSON value, found 'tru'");
  });

  it('what is not JSON: where, and whether the YAML reader may read it', () => {
    const cases: Array<[string, string, boolean]> = [
      ['{"a": 1,}', "1:9 invalid JSON: expected a key in quotes, found '}'", true],
      ['{a: 1}', "1:2 invalid JSON: expected a key in quotes, found 'a'", true],
      ['{"a": 1} x', "1:10 invalid JSON: expected a JSON value, found 'x'", true],
      ['{"a": 1, "a": 2}', "1:10 duplicate key 'a' (expected each key once per mapping)", true],
      ['{"a": "x\u0000"}', '1:9 not UTF-8 text (a NUL byte: binary or UTF-16 data?)', false],
      ['{"a": [1, 2}', "1:12 invalid JSON: expected ',' or ']', found '}'", true],
      ['{"kind": "Pod", "items": [1]}', 'ok', true],
    ];
    for (const [t, problem, yaml] of cases) {
      const r = read(bytesSource(Buffer.from(t)), true);
      assert.equal(problemOf(r.r), problem, t);
      if ('problem' in r.r) assert.equal(r.r.yamlMayRead, yaml, t);
    }
    const notList = read(bytesSource(Buffer.from('{"items": [{"a": 1}], "kind": "Pod"}')), true);
    assert.equal(problemOf(notList.r), "1:11 'items' of an object of kind \"Pod\" read as a List's");
    const bad = Buffer.concat([Buffer.from('{"a": "é'), Buffer.from([0xff]), Buffer.from('"}')]);
    assert.equal(problemOf(read(bytesSource(bad)).r), '1:9 not UTF-8 text (invalid byte 0xff)');
  });

  it('JSON that is YAML but not JSON is read as YAML; the rest is one problem', () => {
    const docs = (t: string): { docs: Array<YNode | null>; problems: string[] } => {
      const out: Array<YNode | null> = [];
      const problems = readInput({ file: 't.json', text: t }, { onDocument: (d) => out.push(d), documentStart: () => undefined, restart: () => (out.length = 0) });
      return { docs: out, problems: problems.map((p) => `${p.pos.line}:${p.pos.col} ${p.message}`) };
    };
    for (const t of ['{"a": 1,}', '{a: 1, b: [x, y]}', '{"a": 1} # a comment', '[1, 2]']) {
      const r = docs(t);
      assert.deepEqual(r.problems, [], t);
      assert.deepEqual(plainDocs(r.docs), plainDocs(slowParse('t.json', t).docs), t);
    }
    assert.deepEqual(docs('{"a": 1, "a": 2}').problems, ["1:10 duplicate key 'a' (expected each key once per mapping)"]);
    assert.deepEqual(docs('{"a": [1, 2}').problems, slowParse('t.json', '{"a": [1, 2}').problems.map((p) => `${p.pos.line}:${p.pos.col} ${p.message}`));
  });
});
