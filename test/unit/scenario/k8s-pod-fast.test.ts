// readPodFast must build exactly what the general Pod reader builds (positions included)
// for every pod it accepts, and accept only pods the general reader reads without a
// problem. Pods here are generated with every field present, absent, empty, null, of the
// wrong type or invalid, in YAML block and flow style.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { readPod } from '../../../src/scenario/k8s.js';
import { readPodFast } from '../../../src/scenario/k8s-pod-fast.js';
import { looseMap, rootEntry, Sink, Source } from '../../../src/scenario/raw.js';
import { parseYamlText } from '../../../src/scenario/yaml-text.js';

/** A field's value: usually a good one, sometimes absent (undefined), empty, null, of another type or bad. */
function variant<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 40, arbitrary: good },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('', null, 7, true, [], {}) },
    ...bad.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}

const dnsName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?$/);
const labelValue = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,6}[A-Za-z0-9])?$/);
const labelKey = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom('app', 'tier', 'team', 'pod-template-hash', 'app.kubernetes.io/name') },
  { weight: 1, arbitrary: fc.constantFrom('x/y/z', '-bad', '__proto__') },
);
const labels = fc.dictionary(labelKey, variant(labelValue, [fc.constant('bad value')]), { maxKeys: 4 });
const port = fc.record({
  name: variant(fc.constantFrom('http', 'grpc', 'metrics', 'p8080'), [fc.constant('HTTP'), fc.constant('a--b')]),
  containerPort: variant(fc.integer({ min: 1, max: 65535 }), [fc.constant(0), fc.constant(70000), fc.constant(1.5)]),
  protocol: variant(fc.constantFrom('TCP', 'UDP', 'SCTP'), [fc.constant('ICMP')]),
});
const container = fc.record({ name: fc.constant('app'), ports: variant(fc.array(variant(port), { maxLength: 3 })) });
const ip = variant(fc.constantFrom('10.0.1.5', '10.0.1.77', '10.1.2.3'), [fc.constantFrom('fd00::5', '127.0.0.1', '10.0.1', '300.1.1.1')]);

const ownerReference = fc.record({
  apiVersion: fc.constant('apps/v1'),
  kind: variant(fc.constantFrom('ReplicaSet', 'StatefulSet', 'DaemonSet')),
  name: variant(dnsName),
  controller: variant(fc.boolean()),
  uid: fc.constant('0b9a4c71-52f6-4f1e-9c3a-6f2e1d0a8b11'),
});

const pod = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: variant(
    fc.record({
      name: variant(dnsName, [fc.constant('Bad_Name')]),
      namespace: variant(dnsName, [fc.constant('a.b')]),
      generateName: fc.constant('web-'),
      labels: variant(labels),
      ownerReferences: variant(fc.array(ownerReference, { maxLength: 2 })),
    }),
  ),
  spec: variant(
    fc.record({
      containers: variant(fc.array(variant(container), { maxLength: 2 })),
      nodeName: variant(fc.constantFrom('n1', 'n2')),
      serviceAccountName: variant(dnsName, [fc.constant('Bad')]),
      serviceAccount: variant(dnsName),
      hostNetwork: variant(fc.constant(false), [fc.constant(true)]),
    }),
  ),
  status: variant(
    fc.record({
      phase: variant(fc.constantFrom('Running', 'Pending'), [fc.constantFrom('Succeeded', 'Failed')]),
      podIP: ip,
      podIPs: fc.constant([{ ip: '10.0.1.9' }]),
    }),
  ),
});

/** undefined fields left out, as a generated manifest would. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, clean(x)]));
  return v;
}

describe('readPodFast', () => {
  it('accepts only what the general reader reads cleanly, and builds the same draft', () => {
    let accepted = 0;
    // One load for the fast reader, so it shares strings and labels between pods as it does
    // in a real load; a fresh sink per pod for the general reader, to see its problems.
    const fastSrc = new Source('p.yaml', new Sink());
    fc.assert(
      fc.property(pod, fc.boolean(), (p, flow) => {
        const text = stringify(clean(p), flow ? { collectionStyle: 'flow' } : {});
        const parsed = parseYamlText('p.yaml', text);
        const root = parsed.docs[0];
        if (!root) return;
        const sink = new Sink();
        const src = new Source('p.yaml', sink);
        const fast = readPodFast(fastSrc, root);
        const m = looseMap(src, rootEntry(src, root));
        const general = m ? readPod(m) : undefined;
        if (!fast) return;
        accepted++;
        assert.deepEqual(sink.problems, [], text);
        assert.deepStrictEqual({ pod: fast }, general, text);
      }),
      { numRuns: 3000 },
    );
    assert.ok(accepted > 300, `only ${accepted} pods took the fast path`);
  });

  it('shares the labels of consecutive pods that write the same ones', () => {
    const src = new Source('p.yaml', new Sink());
    const read = (name: string, labels: string) => {
      const root = parseYamlText('p.yaml', `kind: Pod\nmetadata: { name: ${name}, labels: ${labels} }\nspec: { nodeName: n1 }\nstatus: { podIP: 10.0.1.5 }\n`).docs[0];
      assert.ok(root);
      const d = readPodFast(src, root);
      assert.ok(d);
      return d.labels;
    };
    const a = read('a', '{ app: web, tier: fe }');
    const b = read('b', '{ app: web, tier: fe }');
    const c = read('c', '{ tier: fe, app: web }');
    const d = read('d', '{ app: web }');
    assert.equal(a, b);
    assert.notEqual(b, c);
    assert.deepEqual(Object.keys(c), ['tier', 'app']);
    assert.deepEqual(d, { app: 'web' });
  });
});
