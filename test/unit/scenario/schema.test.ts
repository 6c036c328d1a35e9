// The JSON schema (for editor completion) must describe exactly what the loader accepts:
// the same field names per object, the same enums, and every key the shipped scenarios use.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isMap, isScalar, isSeq, parseAllDocuments, parseDocument, type Node } from 'yaml';
import { allDropReasons } from '../../../src/cilium/drop-reasons.js';
import {
  CILIUM_VERSIONS,
  ENFORCEMENT_MODES,
  ENTITIES,
  EXPECT_PROTOS,
  EXPECTED_VERDICTS,
  FIELDS,
  ICMP_FAMILIES,
  K8S_PROTOCOLS,
  L4_PROTOCOLS,
  POLICY_KINDS,
  POLICY_TYPES,
  ROUTING_MODES,
  SELECTOR_OPERATORS,
  TUNNEL_PROTOCOLS,
  type FieldSet,
} from '../../../src/scenario/fields.js';
import { listShippedScenarios } from '../../../src/scenario/load.js';
import { fromRoot } from './root.js';

interface SchemaNode {
  readonly $ref?: string;
  readonly allOf?: readonly SchemaNode[];
  readonly anyOf?: readonly SchemaNode[];
  readonly type?: string;
  readonly enum?: readonly string[];
  readonly pattern?: string;
  readonly const?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly definitions?: Readonly<Record<string, SchemaNode>>;
}

const SCHEMA = JSON.parse(readFileSync(fromRoot('schema', 'scenario.schema.json'), 'utf8')) as SchemaNode;

/** Follows $ref and single-element allOf wrappers (used to attach descriptions). */
function resolve(node: SchemaNode): SchemaNode {
  if (node.$ref) {
    const name = node.$ref.replace('#/definitions/', '');
    const target = SCHEMA.definitions?.[name];
    assert.ok(target, `unresolved ${node.$ref}`);
    return resolve(target);
  }
  const [only] = node.allOf ?? [];
  if (only && !node.properties && !node.items) return { ...resolve(only), ...node, allOf: undefined, $ref: undefined };
  return node;
}

function objectSchema(set: FieldSet): SchemaNode {
  const node = set === 'scenario' ? SCHEMA : SCHEMA.definitions?.[set];
  assert.ok(node, `schema has no definition for ${set}`);
  return resolve(node);
}

function prop(parent: SchemaNode, key: string): SchemaNode {
  const p = parent.properties?.[key];
  assert.ok(p, `schema has no property ${key}`);
  return resolve(p);
}

describe('schema/scenario.schema.json', () => {
  it('is draft-07', () => {
    assert.equal((SCHEMA as { $schema?: string }).$schema, 'http://json-schema.org/draft-07/schema#');
  });

  for (const set of Object.keys(FIELDS) as FieldSet[]) {
    it(`${set}: same properties as the loader, closed`, () => {
      const node = objectSchema(set);
      assert.deepEqual(Object.keys(node.properties ?? {}).sort(), [...FIELDS[set]].sort());
      assert.equal(node.additionalProperties, false);
    });
  }

  it('has the loader enums', () => {
    const cluster = objectSchema('cluster');
    assert.deepEqual(prop(cluster, 'routing').enum, ROUTING_MODES);
    assert.deepEqual(prop(cluster, 'tunnelProtocol').enum, TUNNEL_PROTOCOLS);
    assert.deepEqual(prop(cluster, 'policyEnforcement').enum, ENFORCEMENT_MODES);
    assert.deepEqual(prop(cluster, 'cilium').enum, CILIUM_VERSIONS);
    assert.deepEqual(prop(objectSchema('portProtocol'), 'protocol').enum, L4_PROTOCOLS);
    assert.deepEqual(prop(objectSchema('selectorRequirement'), 'operator').enum, SELECTOR_OPERATORS);
    assert.deepEqual(prop(objectSchema('networkPolicyPort'), 'protocol').enum, K8S_PROTOCOLS);
    assert.deepEqual(prop(objectSchema('networkPolicySpec'), 'policyTypes').items?.enum, POLICY_TYPES);
    assert.deepEqual(prop(objectSchema('icmpField'), 'family').enum, ICMP_FAMILIES);
    assert.deepEqual(resolve({ $ref: '#/definitions/entity' }).enum, ENTITIES);
    assert.deepEqual(prop(objectSchema('policy'), 'kind').enum, Object.keys(POLICY_KINDS));
    assert.deepEqual(prop(objectSchema('policy'), 'apiVersion').enum, [...new Set(Object.values(POLICY_KINDS))]);
    assert.deepEqual(prop(objectSchema('expectation'), 'expect').enum, EXPECTED_VERDICTS);
    assert.deepEqual(prop(objectSchema('expectation'), 'reason').enum, allDropReasons().map((r) => r.hubble));
    const proto = new RegExp(prop(objectSchema('expectation'), 'proto').pattern ?? '');
    assert.deepEqual(['icmp', 'TCP', 'Udp', 'sctp', 'tcp/80'].map((p) => proto.test(p)), [true, true, true, false, false]);
    assert.deepEqual(EXPECT_PROTOS.map((p) => proto.test(p)), [true, true, true]);
  });

  /** Walks a YAML node alongside the schema, asserting every mapping key is known. */
  function walk(node: Node, schema: SchemaNode, path: string): number {
    const s = resolve(schema);
    // anyOf (a policy's spec: a Cilium rule or a NetworkPolicy spec): one alternative must fit.
    if (s.anyOf) {
      const errors: string[] = [];
      for (const alt of s.anyOf) {
        try {
          return walk(node, alt, path);
        } catch (e) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
      assert.fail(`${path}: fits no alternative (${errors.join('; ')})`);
    }
    if (isSeq(node)) {
      assert.ok(s.items, `${path}: schema expects no list`);
      return node.items.reduce<number>((n, item, i) => n + walk(item as Node, s.items as SchemaNode, `${path}[${i}]`), 0);
    }
    if (!isMap(node)) return 0;
    let checked = 0;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      const sub = s.properties?.[key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      assert.ok(sub, `${path}.${key}: not in the schema`);
      checked += 1 + walk(pair.value as Node, sub, `${path}.${key}`);
    }
    return checked;
  }

  it('knows every key of the CI example (its expect: list included)', () => {
    const text = readFileSync(fromRoot('scenarios', 'ci-example', 'cluster.yaml'), 'utf8');
    const doc = parseAllDocuments(text)[0];
    assert.ok(doc && !Array.isArray(doc) && text.includes('\nexpect:\n'));
    assert.ok(walk((doc as { contents: Node }).contents, SCHEMA, 'ci-example') > 10);
  });

  for (const name of listShippedScenarios()) {
    it(`knows every key of scenarios/${name}.yaml`, () => {
      const text = readFileSync(fromRoot('scenarios', `${name}.yaml`), 'utf8');
      assert.match(text, /^# yaml-language-server: \$schema=\.\.\/schema\/scenario\.schema\.json$/m);
      const doc = parseDocument(text);
      assert.ok(walk(doc.contents as Node, SCHEMA, name) > 10);
    });
  }
});
