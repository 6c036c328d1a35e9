// cilium-cli sysdump/writers.go writeYAML prints a typed list item by item with yaml.Marshal:
// the List's apiVersion first, then items whose TypeMeta is empty (no apiVersion, no kind), then
// `kind: PodList`. The loader takes the items' kind and apiVersion from the List, streamed or not.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readInputs } from '../../src/scenario/inputs.js';
import { runCli } from '../support/run-cli.js';

const POD = (name: string, ip: string) => `- metadata:
    labels: { app: ${name} }
    name: ${name}
    namespace: default
  spec:
    nodeName: n1
    containers: [{ name: c }]
  status:
    phase: Running
    podIP: ${ip}
`;

const NODES = `apiVersion: v1
items:
- metadata:
    name: n1
  spec:
    podCIDR: 10.0.1.0/24
  status:
    addresses: [{ type: InternalIP, address: 192.168.0.1 }]
kind: NodeList
metadata:
  resourceVersion: "1"
`;

test('a typed List whose items have no kind (Go yaml.Marshal of a PodList) loads: kind and apiVersion from the List', () => {
  const pods = `apiVersion: v1\nitems:\n${POD('a', '10.0.1.10')}${POD('b', '10.0.1.11')}kind: PodList\nmetadata:\n  resourceVersion: "42"\n`;
  const s = readInputs([{ file: 'nodes.yaml', text: NODES }, { file: 'pods.yaml', text: pods }], 'x');
  assert.deepEqual(s.pods.map((p) => `${p.namespace}/${p.name}`), ['default/a', 'default/b']);
  assert.deepEqual(s.nodes.map((n) => n.name), ['n1']);
  // A plain `kind: List` names no kind: its items still need their own.
  assert.throws(() => readInputs([{ file: 'nodes.yaml', text: NODES }, { file: 'list.yaml', text: `apiVersion: v1\nitems:\n${POD('a', '10.0.1.10')}kind: List\n` }], 'x'), /list\.yaml:3:\d+: .*kind/);
});

const dir = mkdtempSync(join(tmpdir(), 'sysdump-typed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the v1.18 sysdump fixture with its list items written as cilium-cli writes them traces the same', async () => {
  const src = 'test/fixtures/sysdump/v1.18/cilium-sysdump-20261206-101500';
  const copy = join(dir, 'cilium-sysdump-20261206-101500');
  cpSync(src, copy, { recursive: true });
  let stripped = 0;
  for (const f of readdirSync(copy).filter((x) => x.endsWith('.yaml'))) {
    const text = readFileSync(join(copy, f), 'utf8');
    const out = text.replace(/^- apiVersion: [^\n]*\n {2}kind: [^\n]*\n {2}/gm, () => { stripped++; return '- '; });
    writeFileSync(join(copy, f), out);
  }
  assert.ok(stripped >= 15, `items stripped: ${stripped}`);
  const flow = ['frontend-7c9d8e5f6-fk4lp', 'server-5d4f7c9b8-xyz12', 'tcp/8080', '-l', 'minimal'];
  const a = await runCli(['-f', src, ...flow]);
  const b = await runCli(['-f', copy, ...flow]);
  // The planted policy-map drift drops the flow over the real maps, the same with either form.
  assert.equal(a.code, 1, a.stderr);
  assert.match(a.stdout, /DROPPED — DROP_POLICY \(133\)/);
  assert.equal(b.code, a.code, b.stderr);
  assert.equal(b.stdout, a.stdout);
});
