// Hostile input gets one clear, positioned line and exit 2: alias bombs, oversized files,
// deep nesting, floods of documents, binary data, prototype keys. Nothing here is timed;
// a regression to exponential or quadratic work shows as a test that never finishes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, type CliRun } from '../support/run-cli.js';
import { DEFAULT_MAX_INPUT_SIZE } from '../../src/scenario/input-bytes.js';
import { parseScenario } from '../../src/scenario/load.js';
import { parseYamlText, YAML_LIMITS } from '../../src/scenario/yaml-text.js';
import { isMap, type YNode } from '../../src/scenario/ast.js';
import { InputError } from '../../src/errors.js';
import { buildCluster } from '../../src/controlplane/cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'cilium-trace-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(data: string | Uint8Array): string {
  const p = join(dir, `f${n++}.yaml`);
  writeFileSync(p, data);
  return p;
}

async function load(data: string | Uint8Array, ...extra: string[]): Promise<CliRun & { path: string }> {
  const path = file(data);
  const r = await runCli(['-f', path, 'pod1', 'pod3', ...extra]);
  return { ...r, path, stderr: r.stderr.split(path).join('F') };
}

/** One stderr line, positioned, and exit 2. */
function oneLine(r: CliRun, re: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] as string, re);
}

const POD_K8S = (labels: string) => `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: ${labels}
spec:
  nodeName: n1
status:
  podIP: 10.0.0.5
---
apiVersion: v1
kind: Node
metadata:
  name: n1
spec:
  podCIDR: 10.0.0.0/24
status:
  addresses:
    - type: InternalIP
      address: 192.168.0.1
`;

describe('input limits', () => {
  it('an alias bomb ("billion laughs") is one positioned line', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const r = await load(`apiVersion: v1\nkind: List\n${levels.join('\n')}\nitems: *i\n`);
    oneLine(r, new RegExp(`^F:4:8: YAML aliases expand to too many nodes \\(more than ${YAML_LIMITS.maxAliasCount}, starting with \\*a`));
  });

  it('a few aliases are fine; an alias to no anchor is an error', async () => {
    assert.equal((await load(`${POD_K8S('&l { app: web }')}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: default\n  labels: *l\n`)).code, 2); // pod1 is unknown: exit 2 from the command line
    const r = await load('apiVersion: v1\nkind: Pod\nmetadata: *nope\n');
    oneLine(r, /^F:3:11: unknown alias '\*nope' \(expected an anchor &nope before it in the document\)$/);
  });

  it('too many aliases in one document', async () => {
    const r = await load(`a: &a x\nb: [${Array(YAML_LIMITS.maxAliases + 5).fill('*a').join(', ')}]\n`);
    oneLine(r, new RegExp(`^F:2:\\d+: too many YAML aliases in one document \\(more than ${YAML_LIMITS.maxAliases}\\)$`));
  });

  it('a file over the size limit, and --max-input-size', async () => {
    assert.equal(DEFAULT_MAX_INPUT_SIZE, 4 * 1024 * 1024 * 1024); // admits a 1 GiB `kubectl -o json` dump (read as a stream)
    const text = POD_K8S('{ app: web }');
    const r = await load(text, '--max-input-size', '100');
    oneLine(r, new RegExp(`^F:1:1: input is too large \\(${Buffer.byteLength(text)} bytes; the limit is 100 bytes, raise it with --max-input-size BYTES\\)$`));
    const ok = await load(text, '--max-input-size', String(Buffer.byteLength(text)));
    assert.match(ok.stderr, /unknown pod 'pod3'/); // read and loaded: the pod is p
    oneLine(await load(text, '--max-input-size', '1e3'), /^cilium-trace: bad --max-input-size '1e3' \(expected a number of bytes/);
  });

  it('deep nesting, flow and block', async () => {
    const depth = YAML_LIMITS.maxDepth + 10;
    oneLine(await load(`a: ${'['.repeat(depth)}${']'.repeat(depth)}\n`), new RegExp(`^F:1:\\d+: nesting too deep \\(more than ${YAML_LIMITS.maxDepth} levels of mappings and lists\\)$`));
    oneLine(await load(`a: ${'['.repeat(100_000)}\n`), /^F:1:\d+: nesting too deep/);
    let block = '';
    for (let i = 0; i < depth; i++) block += `${' '.repeat(i)}k${i}:\n`;
    // Collections below an object's first two levels are parsed when a reader looks into them:
    // this document has no kind, so nothing does; walked, the nesting is one positioned line.
    oneLine(await load(block), /^F:1:1: no Kubernetes objects in the input \(skipped: F \(no kind\)\)/);
    const walk = (n: YNode | null): void => {
      if (isMap(n)) n.values.forEach(walk);
    };
    assert.throws(() => parseYamlText('F', block).docs.forEach(walk), (e: unknown) => e instanceof InputError && /^F:\d+:\d+: nesting too deep/.test(e.message));
    let seqs = '';
    for (let i = 0; i < depth; i++) seqs += `${' '.repeat(2 * i)}- \n`;
    oneLine(await load(`${seqs}${' '.repeat(2 * depth)}x\n`), /^F:\d+:\d+: nesting too deep/);
  });

  it('a flood of documents', async () => {
    const r = await load('---\n'.repeat(YAML_LIMITS.maxDocuments + 3));
    oneLine(r, new RegExp(`^F:${YAML_LIMITS.maxDocuments + 1}:1: too many YAML documents \\(more than ${YAML_LIMITS.maxDocuments} in one file\\)$`));
  });

  it('binary data and other encodings are "not UTF-8 text"', async () => {
    oneLine(await load(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0x0a])), /^F:1:4: not UTF-8 text \(invalid byte 0xff\)$/);
    oneLine(await load(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00])), /^F:1:2: not UTF-8 text \(invalid byte 0x8b\)$/);
    oneLine(await load(Buffer.from('\ufeffa: b\n', 'utf16le')), /^F:1:1: not UTF-8 text \(invalid byte 0xff\)$/);
    oneLine(await load(Buffer.from('apiVersion: v1\n', 'utf16le')), /^F:1:2: not UTF-8 text \(a NUL byte: binary or UTF-16 data\?\)$/);
    oneLine(await load(new Uint8Array([0x61, 0x0a, 0xe2, 0x82])), /^F:2:1: not UTF-8 text \(invalid byte 0xe2\)$/);
    assert.throws(() => parseScenario('a: b\u0000c\n', 't.yaml'), (e: unknown) => e instanceof InputError && e.lines()[0] === 't.yaml:1:5: not UTF-8 text (a NUL character: binary or UTF-16 data?)');
  });

  it('-f with an empty path, a directory with nothing to read, a device', async () => {
    oneLine(await runCli(['-f', '', 'a', 'b']), /^cilium-trace: empty path in -f/);
    const devNull = await runCli(['-f', '/dev/null', 'a', 'b']);
    oneLine(devNull, /^\/dev\/null:1:1: file is empty/);
  });

  it('large mappings load in linear time (no quadratic duplicate-key check)', async () => {
    // The yaml package's own duplicate check is quadratic; 60,000 keys would take minutes.
    const keys = Array.from({ length: 60_000 }, (_, i) => `k${i}: v`).join('\n');
    const fast = await load(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n${keys.replace(/^/gm, '  ')}\n`);
    assert.match(fast.stderr, /no nodes/);
    // A tab keeps the text off the fast reader: the yaml package path must be linear too.
    const slow = await load(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name:\tx\ndata:\n${keys.replace(/^/gm, '  ')}\n  k7: again\n`);
    oneLine(slow, /^F:60006:3: duplicate key 'k7' \(expected each key once per mapping\)$/);
  });

  it('a List that contains itself through an alias', async () => {
    const r = await load('&l\napiVersion: v1\nkind: List\nitems:\n  - *l\n');
    oneLine(r, /^F:2:1: List contains itself \(through a YAML alias\)$/);
  });

  it('messages stay on one line whatever the input holds', async () => {
    const r = await load('apiVersion: cilium-trace/v1\nkind: Scenario\nmetadata:\n  name: "a\\nb\\u001b[31m"\nnodes: []\n');
    assert.equal(r.code, 2);
    for (const line of r.stderr.trimEnd().split('\n')) assert.match(line, /^F:\d+:\d+: /);
    assert.match(r.stderr, /invalid scenario name 'a\\nb\\u001b\[31m'/);
    const argv = await runCli(['--scenario', 'x\ny\u001b[2J', 'a', 'b']);
    oneLine(argv, /^cilium-trace: unknown scenario 'x\\ny\\u001b\[2J' \(expected one of: /);
  });
});

describe('prototype keys in input', () => {
  const clean = () => {
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  };

  it('labels: {__proto__: x} neither pollutes nor crashes', async () => {
    const r = await load(POD_K8S('{ __proto__: x, app: web }'));
    oneLine(r, /^F:5:13: invalid label key '__proto__'/);
    clean();
  });

  it('constructor and prototype are ordinary label keys', async () => {
    const s = parseScenario(POD_K8S('{ constructor: x, prototype: y, app: web }'), 't.yaml');
    const pod = s.pods[0];
    assert.ok(pod);
    assert.deepEqual(Object.entries(pod.labels), [['constructor', 'x'], ['prototype', 'y'], ['app', 'web']]);
    const c = buildCluster(s);
    const labels = c.identities.labelStrings(c.endpoints[0]?.identity ?? 0) ?? [];
    assert.ok(labels.includes('k8s:constructor=x') && labels.includes('k8s:prototype=y'), labels.join(' '));
    const path = file(POD_K8S('{ constructor: x, prototype: y, app: web }'));
    const r = await runCli(['-f', path, 'p', 'p', 'icmp']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    clean();
  });

  it('__proto__ in selectors, service selectors, annotations and unknown places', async () => {
    const text = `${POD_K8S('{ app: web }')}---
apiVersion: v1
kind: Service
metadata:
  name: s
  annotations: { __proto__: { polluted: yes } }
spec:
  clusterIP: 10.96.0.1
  selector: { __proto__: "yes", constructor: web }
  ports: [{ port: 80 }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: pol
  labels: { constructor: "x" }
spec:
  endpointSelector:
    matchLabels: { __proto__: x, constructor: y }
  ingress:
    - fromEndpoints:
        - matchLabels: { prototype: z }
---
apiVersion: v1
kind: Gadget
__proto__: { polluted: yes }
metadata: { name: g, __proto__: { polluted: yes } }
`;
    const r = await load(text);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid label key '__proto__'/);
    for (const line of r.stderr.trimEnd().split('\n')) assert.match(line, /^(F:\d+:\d+: |cilium-trace: )/);
    clean();
    // The same without the invalid matchLabels key loads and traces.
    const ok = await load(text.replace('__proto__: x, ', ''));
    assert.match(ok.stderr, /unknown pod 'pod3'/);
    clean();
  });
});
