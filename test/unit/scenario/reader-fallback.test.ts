// The fast YAML reader gives up per document and per List item, never per file: only the
// odd part goes to the yaml package, and the result (values, positions, problems) is what
// the yaml package makes of the whole file. Collections read later give the same nodes,
// and their problems when read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { InputError } from '../../../src/errors.js';
import type { YNode } from '../../../src/scenario/ast.js';
import { streamYaml, type Fallback } from '../../../src/scenario/fast-yaml.js';
import { parseYamlText, slowParse, YAML_LIMITS } from '../../../src/scenario/yaml-text.js';
import { plain, plainDocs } from '../../support/yaml-tree.js';

/** Reads `text` as the loader does, recording which lines the fallback read. */
function read(text: string): { docs: Array<YNode | null>; items: YNode[]; apart: string[]; problems: string[] } {
  const docs: Array<YNode | null> = [];
  const items: YNode[] = [];
  const apart: string[] = [];
  let mark = { docs: 0, items: 0 };
  const fallback: Fallback = (from, to, line, depth) => {
    const part = text.slice(from, to);
    apart.push(`${line}-${line + part.split('\n').length - 2}`);
    return slowParse('t.yaml', part, line - 1, depth);
  };
  const r = streamYaml(
    text,
    YAML_LIMITS,
    {
      onDocument: (d) => docs.push(d),
      onListItem: (i) => items.push(i),
      documentStart: () => {
        mark = { docs: docs.length, items: items.length };
      },
      restart: (all) => {
        docs.length = all ? 0 : mark.docs;
        items.length = all ? 0 : mark.items;
      },
    },
    fallback,
    't.yaml',
  );
  const problems = r !== true && typeof r === 'object' && 'problems' in r ? r.problems.map((p) => `${p.pos.line}:${p.pos.col} ${p.message}`) : [];
  assert.notEqual(r, false, 'the whole file was given up');
  return { docs, items, apart, problems };
}

/** The line where the `n`th (from 1) `- apiVersion` item of a List starts, and where it ends. */
function itemLines(text: string, n: number): string {
  const lines = text.split('\n');
  const starts = lines.flatMap((l, i) => (l.startsWith('- apiVersion') ? [i + 1] : []));
  const start = starts[n - 1] as number;
  const end = (starts[n] ?? lines.findIndex((l) => l.startsWith('kind: List')) + 1) - 1;
  return `${start}-${end}`;
}

const slowLines = (text: string): string[] => slowParse('t.yaml', text).problems.map((p) => `${p.pos.line}:${p.pos.col} ${p.message}`);

/** A Pod as kubectl prints it, as an item of a List (`- ` at column 0). */
const pod = (name: string, extra = ''): string => `- apiVersion: v1
  kind: Pod
  metadata:
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: |
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"}}
    labels:
      app: web
    managedFields:
    - apiVersion: v1
      fieldsType: FieldsV1
      fieldsV1:
        f:metadata:
          f:labels:
            .: {}
            f:app: {}
      manager: kubectl-client-side-apply
      operation: Update
    name: ${name}
    namespace: default${extra}
  spec:
    nodeName: n1
  status:
    podIP: 10.0.0.5
`;
const list = (items: string[]): string => `apiVersion: v1\nitems:\n${items.join('')}kind: List\nmetadata:\n  resourceVersion: ""\n`;

describe('the fast YAML reader, per document and per List item', () => {
  it('reads an odd document apart and the others fast', () => {
    const text = 'a: 1\nb: [x, y]\n---\nc: &v 2\nd: *v\n---\ne: |\n  literal\n  text\nf: 3\n';
    const r = read(text);
    assert.deepEqual(r.apart, ['3-5'], 'only the document with an anchor and an alias');
    assert.deepEqual(plainDocs(r.docs), plainDocs(slowParse('t.yaml', text).docs));
  });

  it("reads an odd item of a kubectl List apart, the List's other items fast", () => {
    const odd = pod('p3').replace('namespace: default', 'namespace: default\n    note: >\n      folded\n      text');
    const text = list([pod('p1'), pod('p2'), odd, pod('p4')]);
    const r = read(text);
    assert.deepEqual(r.apart, [itemLines(text, 3)], 'the item with a folded scalar, and nothing else');
    assert.equal(r.items.length, 4);
    const slow = slowParse('t.yaml', text).docs[0];
    assert.deepEqual(r.items.map(plain), (plain(slow) as { map: Array<[unknown, { seq: unknown[] }]> }).map[1]?.[1].seq);
  });

  it('tabs, CRs and control characters send only their document away', () => {
    const text = 'a: 1\n---\nb: 2 # a\ttab\n---\nc: 3\r\nd: 4\r\n---\ne: 5\n';
    const r = read(text);
    assert.deepEqual(r.apart, ['2-3', '4-6']);
    assert.deepEqual(plainDocs(r.docs), plainDocs(slowParse('t.yaml', text).docs));
  });

  it("a problem in an item is the yaml package's, at its place in the file", () => {
    const bad = pod('p2').replace('nodeName: n1', 'nodeName: [n1');
    const text = list([pod('p1'), bad, pod('p3')]);
    assert.deepEqual(read(text).problems, slowLines(text));
    assert.ok(slowLines(text).length > 0);
    const docs = `a: 1\n---\nb: {c: 1, c: 2}\n---\nd:\n  - e\n  f: 1\n`;
    assert.deepEqual(read(docs).problems, slowLines(docs));
    // Documents apart, the yaml package sees one more problem than it does when a quote left
    // open swallows the rest of the file.
    const open = `a: 1\n---\nb: "unclosed\n---\nc: {d: 1, d: 2}\n`;
    assert.deepEqual(slowLines(open), ['3:4 invalid YAML: missing closing "quote']);
    assert.deepEqual(read(open).problems, ['3:4 invalid YAML: missing closing "quote', "5:11 duplicate key 'd' (expected each key once per mapping)"]);
  });

  it('a document that is not a List keeps its items', () => {
    const text = 'apiVersion: v1\nitems:\n- a: 1\n- b: 2\nkind: Thing\n';
    const r = read(text);
    assert.equal(r.items.length, 0, 'handed over, then taken back');
    assert.deepEqual(plainDocs(r.docs), plainDocs(slowParse('t.yaml', text).docs));
  });

  it('literal block scalars are read fast, as the yaml package reads them', () => {
    const cases = ['a: |\n  x\n  y\nb: 1\n', 'a: |-\n  x\n\n', 'a: |+\n  x\n\n\nb: 1\n', 'a: |\n\n  x\n', 'a: |\n  x\n   \n', 'a: |\nb: 1\n', '- |\n  x\n- y\n', 'a: |  # c\n  x\n', 'k:\n  a: |\n    x\n    y\n  b: 1\n'];
    for (const text of cases) {
      const r = read(text);
      assert.deepEqual(r.apart, [], text);
      assert.deepEqual(plainDocs(r.docs), plainDocs(slowParse('t.yaml', text).docs), text);
    }
    // Left to the yaml package: indentation indicators, folded scalars, leading lines more indented.
    for (const text of ['a: |2\n   x\n', 'a: >\n  x\n', 'a: |\n   \n  x\n']) {
      const r = read(text);
      assert.equal(r.apart.length + r.problems.length > 0, true, text);
      if (r.problems.length === 0) assert.deepEqual(plainDocs(r.docs), plainDocs(slowParse('t.yaml', text).docs), text);
    }
  });

  it('a collection read later has its problem when it is read, not before', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    a: [1\n';
    const docs = parseYamlText('t.yaml', text).docs;
    assert.equal(docs.length, 1, 'read: the labels are not looked into yet');
    assert.throws(
      () => plain(docs[0]),
      (e: unknown) => e instanceof InputError && e.lines().join('\n') === slowLines(text).map((l) => `t.yaml:${l.replace(' ', ': ')}`).join('\n'),
    );
  });

  it('agrees with the yaml package on generated files of normal and odd documents', () => {
    const odd = fc.constantFrom('x: &a 1\ny: *a\n', 'x: >\n  f\n', 'x: "a\\tb"\n', 'x: !!str 1\n', 'x:\n  - [1,\n     2]\n', 'x: 1 #\ttab\n', '? x\n: y\n', 'x: "unclosed\n', 'x: {a: 1, a: 2}\n');
    const normal = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9.-]{0,6}$/), fc.oneof(fc.stringMatching(/^[a-z0-9 ]{0,8}$/), fc.integer(), fc.array(fc.stringMatching(/^[a-z]{1,4}$/), { maxLength: 3 }), fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.string({ maxLength: 5 }), { maxKeys: 3 })), { minKeys: 1, maxKeys: 4 });
    const doc = fc.oneof({ weight: 3, arbitrary: normal.map((d) => stringify(d, { lineWidth: 0 })) }, { weight: 1, arbitrary: odd });
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 5 }), (docs) => {
        const text = docs.join('---\n');
        const slow = slowParse('t.yaml', text);
        const r = read(text);
        // Every problem of the whole file, and perhaps more (see above: a quote left open).
        if (slow.problems.length > 0) for (const p of slowLines(text)) assert.ok(r.problems.includes(p), `${p} in ${JSON.stringify(r.problems)}\n${text}`);
        else {
          assert.deepEqual(r.problems, [], text);
          assert.deepEqual(plainDocs(r.docs), plainDocs(slow.docs), text);
        }
      }),
      { seed: 1212, numRuns: 400 },
    );
  });
});
