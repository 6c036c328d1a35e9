// `matrix` and `diff` without -p on the command line: the all-ports connectivity of the CI
// example (byte-exact), its CSV, JSON, Markdown and dot forms, the diff of its pull request
// (connections added and removed, exit codes), and -o dot where it does not apply (exit 2).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../support/run-cli.js';

process.chdir(ROOT);
const CI = 'scenarios/ci-example';
const BEFORE = ['-f', `${CI}/cluster.yaml`, '-f', `${CI}/before`];
const AFTER = ['-f', `${CI}/cluster.yaml`, '-f', `${CI}/after`];
const AFTER2 = ['--f2', `${CI}/cluster.yaml`, '--f2', `${CI}/after`];
const BEFORE2 = ['--f2', `${CI}/cluster.yaml`, '--f2', `${CI}/before`];

const TEXT = "all ports: 5 sources \u00d7 5 destinations and 1 Service, Cilium v1.18.3: what the policy maps of both ends allow, as the datapath looks them up\nshop/api-1 => shop/db-0 : TCP 5432\nshop/api-1 => shop/frontend-1 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255\nshop/api-1 => shop/frontend-2 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255\nshop/api-1 => svc:shop/api : TCP 8080 (1 of 2 backends)\nshop/api-2 => shop/db-0 : TCP 5432\nshop/api-2 => shop/frontend-1 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255\nshop/api-2 => shop/frontend-2 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255\nshop/api-2 => svc:shop/api : TCP 8080 (1 of 2 backends)\nshop/db-0 => shop/frontend-1 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255\nshop/db-0 => shop/frontend-2 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255\nshop/frontend-1 => shop/api-1 : TCP 8080\nshop/frontend-1 => shop/api-2 : TCP 8080\nshop/frontend-1 => shop/db-0 : TCP 5432\nshop/frontend-1 => shop/frontend-2 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255\nshop/frontend-1 => svc:shop/api : TCP 8080\nshop/frontend-2 => shop/api-1 : TCP 8080\nshop/frontend-2 => shop/api-2 : TCP 8080\nshop/frontend-2 => shop/db-0 : TCP 5432\nshop/frontend-2 => shop/frontend-1 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255\nshop/frontend-2 => svc:shop/api : TCP 8080\n\nICMP types as the policy keys them (ENABLE_ICMP_RULE); a trace sends an echo request, type 8\nUDP 8472: a pod may not send to the tunnel port (is_encap: DROP_ENCAP_PROHIBITED)\nleft out: 4 pairs allowing nothing; a pod to its own address (the kernel's loopback, no BPF program); protocols other than TCP, UDP and ICMP (not simulated)\n";

const DIFF = "before: scenarios/ci-example/cluster.yaml + scenarios/ci-example/after\nafter:  scenarios/ci-example/cluster.yaml + scenarios/ci-example/before\n\n- shop/frontend-1 => shop/db-0 : TCP 5432\n- shop/frontend-2 => shop/db-0 : TCP 5432\n\n2 of 36 pairs changed (0 with connections added, 2 with connections removed, 0 other changes) over all ports\n";

describe('matrix without -p', () => {
  it('text: one line per pair that allows something (byte-exact)', async () => {
    const run = await runCli(['matrix', ...AFTER, '--namespace', 'shop']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, TEXT);
    assert.equal(run.stderr, '');
  });

  it('csv: one line per port range; a Service line per frontend port with its backends', async () => {
    const run = await runCli(['matrix', ...AFTER, '-o', 'csv']);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'from,to,proto,first,last,l7,backends');
    assert.ok(lines.includes('shop/frontend-1,shop/db-0,TCP,5432,5432,no,'));
    assert.ok(lines.includes('shop/db-0,shop/frontend-2,UDP,8473,65535,no,'));
    assert.ok(lines.includes('shop/api-1,svc:shop/api,TCP,8080,8080,no,1/2'));
    assert.ok(!lines.some((l) => l.startsWith('shop/db-0,shop/api-1,')), 'nothing allowed, no line');
  });

  it('json: versioned, each connection with its ranges', async () => {
    const run = await runCli(['matrix', ...AFTER, '-o', 'json']);
    const j = JSON.parse(run.stdout) as { schema: string; cilium: string; connections: Array<{ from: string; to: string; text: string; ranges?: unknown[] }> };
    assert.equal(j.schema, 'cilium-trace/connectivity/v1');
    assert.equal(j.cilium, 'v1.18.3');
    const c = j.connections.find((x) => x.from === 'monitoring/prometheus-0' && x.to === 'shop/api-2');
    assert.deepEqual(c?.ranges, [{ proto: 'TCP', first: 9090, last: 9090, l7: false }]);
  });

  it('markdown and dot', async () => {
    const md = await runCli(['matrix', ...AFTER, '-o', 'markdown']);
    assert.ok(md.stdout.includes('| `shop/frontend-1` | `svc:shop/api` | TCP 8080 |\n'));
    const dot = await runCli(['matrix', ...AFTER, '-o', 'dot']);
    assert.match(dot.stdout, /^digraph connectivity \{\n/);
    assert.ok(dot.stdout.includes('  "svc:shop/api" [shape=box];\n'));
    assert.ok(dot.stdout.includes('  "shop/frontend-2" -> "shop/db-0" [label="TCP 5432"];\n'));
  });

  it('--selector keeps the pods with those labels (rows and destinations), and their Services', async () => {
    const run = await runCli(['matrix', ...AFTER, '--selector', 'app=frontend']);
    assert.equal(run.code, 0);
    const lines = run.stdout.split('\n').filter((l) => l.includes(' => '));
    assert.deepEqual(lines, [
      'shop/frontend-1 => shop/frontend-2 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255',
      'shop/frontend-1 => svc:shop/api : TCP 8080',
      'shop/frontend-2 => shop/frontend-1 : TCP 1-65535, UDP 1-8471,8473-65535, ICMP type 0-255',
      'shop/frontend-2 => svc:shop/api : TCP 8080',
    ]);
  });

  it('-o dot with -p is a usage error', async () => {
    for (const args of [['matrix', ...AFTER, '-p', 'icmp', '-o', 'dot'], ['diff', ...BEFORE, ...AFTER2, '-o', 'dot']]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /-o dot/);
    }
  });
});

describe('diff without -p', () => {
  it('the connections a pull request removes, per pair (byte-exact), exit 1', async () => {
    const run = await runCli(['diff', ...AFTER, ...BEFORE2]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, DIFF);
  });

  it('added connections in json; identical clusters exit 0', async () => {
    const json = await runCli(['diff', ...BEFORE, ...AFTER2, '-o', 'json']);
    assert.equal(json.code, 1);
    const j = JSON.parse(json.stdout) as { mode: string; changes: Array<{ from: string; to: string; added: unknown[]; removed: unknown[] }> };
    assert.equal(j.mode, 'all-ports');
    assert.deepEqual(j.changes.map((c) => [c.from, c.to, c.added, c.removed]), [
      ['shop/frontend-1', 'shop/db-0', [{ proto: 'TCP', first: 5432, last: 5432, l7: false }], []],
      ['shop/frontend-2', 'shop/db-0', [{ proto: 'TCP', first: 5432, last: 5432, l7: false }], []],
    ]);
    const csv = await runCli(['diff', ...BEFORE, ...AFTER2, '-o', 'csv']);
    assert.equal(csv.stdout, 'from,to,change,proto,first,last,l7\nshop/frontend-1,shop/db-0,added,TCP,5432,5432,no\nshop/frontend-2,shop/db-0,added,TCP,5432,5432,no\n');
    const same = await runCli(['diff', ...BEFORE, ...BEFORE2]);
    assert.equal(same.code, 0);
    assert.match(same.stdout, /\nidentical: 36 pairs compared over all ports, none changed\n$/);
  });
});
