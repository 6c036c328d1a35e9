// Real dumps through the binary: `kubectl get … -o yaml` and `-o json` of the same cluster
// (made by the realistic generator, scripts/lib/gen-realistic.mjs) trace alike, from files
// and from stdin, where JSON is read as a stream; the input limits; and running out of
// heap, which is one line and exit 2, never V8's stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadInputs } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { ROOT } from '../support/run-cli.js';

const BIN = join(ROOT, 'bin', 'cilium-trace.cjs');
const dir = mkdtempSync(join(tmpdir(), 'cilium-trace-large-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: readonly string[], opts: { input?: string | Buffer; node?: string[] } = {}) {
  return spawnSync(process.execPath, [...(opts.node ?? []), BIN, ...args], { cwd: ROOT, input: opts.input, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' }, maxBuffer: 1 << 26 });
}

interface Generated {
  yaml: string;
  json: string;
  hints: { src: string; dst: string; proto: string };
}

/** A small cluster as kubectl prints it, in both formats. */
async function realistic(): Promise<Generated> {
  const gen = (await import(pathToFileURL(join(ROOT, 'scripts', 'lib', 'gen-realistic.mjs')).href)) as { RealisticCluster: new (o: object) => { objects(): Iterable<object>; hints: Generated['hints'] } };
  const print = (await import(pathToFileURL(join(ROOT, 'scripts', 'lib', 'kube-print.mjs')).href)) as { yamlListChunks(i: Iterable<object>): Iterable<string>; jsonListChunks(i: Iterable<object>): Iterable<string> };
  const o = { nodes: 3, pods: 24, policies: 6, services: 4, seed: 7 };
  const c = new gen.RealisticCluster(o);
  return { yaml: [...print.yamlListChunks(new gen.RealisticCluster(o).objects())].join(''), json: [...print.jsonListChunks(new gen.RealisticCluster(o).objects())].join(''), hints: c.hints };
}

/** What a cluster is, without where it was written. */
function content(s: Scenario): unknown {
  return {
    nodes: s.nodes.map((n) => [n.name, n.ip, n.podCIDR]),
    pods: s.pods.map((p) => [p.namespace, p.name, p.ip, p.node, p.labels, p.containerPorts, p.hostNetwork]),
    services: s.services.map((v) => [v.namespace, v.name, v.clusterIP, v.ports.length]),
    policies: s.policies.map((p) => [p.kind, p.namespace, p.name]),
    skipped: s.skipped.map((k) => [k.kind, k.name]),
  };
}

describe('real dumps', () => {
  let g: Generated;
  let yamlFile: string;
  let jsonFile: string;
  before(async () => {
    g = await realistic();
    yamlFile = join(dir, 'dump.yaml');
    jsonFile = join(dir, 'dump.json');
    writeFileSync(yamlFile, g.yaml);
    writeFileSync(jsonFile, g.json);
  });

  it('kubectl -o yaml and -o json of one cluster are the same cluster', () => {
    const fromYaml = loadInputs([yamlFile], () => '');
    const fromJson = loadInputs([jsonFile], () => '');
    assert.equal(fromYaml.pods.length, 24 + 2 + 3, 'the pods, CoreDNS and a Cilium agent per node');
    assert.deepEqual(content(fromJson), content(fromYaml));
    assert.match(fromJson.pods[0]?.pos.file ?? '', /dump\.json$/);
  });

  it('an odd item (a tab in a comment: the yaml package reads it) leaves the cluster as it is, positions included', () => {
    mkdirSync(join(dir, 'odd'));
    const odd = join(dir, 'odd', 'dump.yaml');
    const at = g.yaml.indexOf('    phase: Running\n', g.yaml.indexOf('  kind: Pod\n'));
    writeFileSync(odd, `${g.yaml.slice(0, at)}    phase: Running # odd:\ta tab\n${g.yaml.slice(at + '    phase: Running\n'.length)}`);
    const text = (file: string): string => JSON.stringify(loadInputs([file], () => '')).split(file).join('FILE');
    assert.equal(text(odd), text(yamlFile));
  });

  it('both trace alike, from files and from stdin (JSON as a stream)', () => {
    const args = [g.hints.src, g.hints.dst, g.hints.proto, '-l', 'minimal'];
    const viaYaml = cli(['-f', yamlFile, ...args]);
    assert.equal(viaYaml.status, 1, viaYaml.stderr);
    assert.match(viaYaml.stdout, /\nDROPPED — DROP_POLICY \(133\)/);
    for (const r of [cli(['-f', jsonFile, ...args]), cli(['-f', '-', ...args], { input: g.json }), cli(['-f', '-', ...args], { input: g.yaml })]) {
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stdout, viaYaml.stdout);
      assert.equal(r.stderr, viaYaml.stderr);
    }
  });

  it('stdin that starts like JSON but is YAML is read as YAML', () => {
    const flow = g.json.replace('"apiVersion": "v1",', 'apiVersion: v1, # YAML, not JSON\n');
    const r = cli(['-f', '-', g.hints.src, g.hints.dst, g.hints.proto, '-l', 'minimal'], { input: flow });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, cli(['-f', jsonFile, g.hints.src, g.hints.dst, g.hints.proto, '-l', 'minimal']).stdout);
  });

  it('the input limit: a file or a stream over it is one line', () => {
    const file = cli(['-f', jsonFile, 'a', 'b', '--max-input-size', '1000']);
    assert.equal(file.status, 2);
    assert.equal(file.stderr, `${jsonFile}:1:1: input is too large (${Buffer.byteLength(g.json)} bytes; the limit is 1000 bytes, raise it with --max-input-size BYTES)\n`);
    const stream = cli(['-f', '-', 'a', 'b', '--max-input-size', '100000'], { input: g.json });
    assert.equal(stream.status, 2);
    assert.equal(stream.stderr, '<stdin>:1:1: input is too large (more than 100000 bytes; the limit is 100000 bytes, raise it with --max-input-size BYTES)\n');
  });

  it('YAML longer than a string can be is one line that says to use JSON', () => {
    // A sparse file: its size is what matters, nothing is read past its first bytes.
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, `${'# comment\n'.repeat(7000)}`);
    truncateSync(huge, 600 * 1024 * 1024);
    const r = cli(['-f', huge, 'a', 'b']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `${huge}:1:1: YAML input is too large to read as one text (${600 * 1024 * 1024} bytes; at most 536870888): give it as JSON (kubectl get … -o json is read as a stream) or split it into files\n`);
  });
});

describe('out of memory', () => {
  /** 10 nodes and `pods` pods, as one List. */
  function pods(n: number): string {
    let s = 'apiVersion: v1\nitems:\n';
    for (let k = 0; k < 10; k++) s += `- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n${k}\n  spec:\n    podCIDR: 10.${k}.0.0/16\n  status:\n    addresses:\n    - address: 192.168.0.${k + 1}\n      type: InternalIP\n`;
    for (let i = 0; i < n; i++) {
      const k = i % 10;
      const j = Math.floor(i / 10) + 2;
      s += `- apiVersion: v1\n  kind: Pod\n  metadata:\n    labels:\n      app: web-${i % 100}\n    name: p-${i}\n    namespace: default\n  spec:\n    nodeName: n${k}\n  status:\n    podIP: 10.${k}.${j >> 8}.${j & 255}\n`;
    }
    return `${s}kind: List\nmetadata:\n  resourceVersion: ""\n`;
  }

  it('is one line saying what was too big and what to do, exit 2 (the heap made small on purpose)', () => {
    const file = join(dir, 'pods.yaml');
    writeFileSync(file, pods(20_000));
    const small = cli(['-f', file, 'default/p-1', 'default/p-2', '-l', 'minimal'], { node: ['--max-old-space-size=16'] });
    assert.equal(small.status, 2);
    assert.equal(small.stdout, '');
    assert.equal(small.stderr, `cilium-trace: out of memory: the input (${file}, 3 MB) does not fit in the heap limit of 16 MiB; give Node more (NODE_OPTIONS=--max-old-space-size=32) or load fewer objects\n`);
    // The same run with a heap that fits: the input goes through the same worker and traces.
    const enough = cli(['-f', file, 'default/p-1', 'default/p-2', '-l', 'minimal'], { node: ['--max-old-space-size=96'] });
    assert.equal(enough.status, 0, enough.stderr);
    assert.match(enough.stdout, /\nFORWARDED — /);
    // NODE_OPTIONS counts as well; stdin's size is unknown, so it always runs so.
    const viaStdin = spawnSync(process.execPath, [BIN, '-f', '-', 'a', 'b'], { input: pods(20_000), encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: '--max-old-space-size=16' } });
    assert.equal(viaStdin.status, 2);
    assert.equal(viaStdin.stderr, 'cilium-trace: out of memory: the input from stdin does not fit in the heap limit of 16 MiB; give Node more (NODE_OPTIONS=--max-old-space-size=32) or load fewer objects\n');
  });
});
