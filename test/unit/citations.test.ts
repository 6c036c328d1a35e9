// Every step checkable against the source: the release tables the trace frames cite from
// (src/cilium/releases/sites-*.ts) must agree, row by row, with the bpf-index made from each
// release's own source (../shared/reference/bpf-index, beside the project in CI). And the test
// suite runs with strict citations, so any frame of any trace it makes that names something the
// release does not define in the cited file fails that test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASES, V1_13_0 } from '../../src/cilium/releases/release.js';
import { SITES_V1_13_0 } from '../../src/cilium/releases/sites-v1.13.0.js';
import { SITES_V1_16_15 } from '../../src/cilium/releases/sites-v1.16.15.js';
import { SITES_V1_18_3 } from '../../src/cilium/releases/sites-v1.18.3.js';
import { DROPS_V1_13_0 } from '../../src/cilium/releases/drops-v1.13.0.js';
import { DROPS_V1_16_15 } from '../../src/cilium/releases/drops-v1.16.15.js';
import { DROPS_V1_18_3 } from '../../src/cilium/releases/drops-v1.18.3.js';
import { LABELS_V1_13_0 } from '../../src/cilium/releases/labels-v1.13.0.js';
import { LABELS_V1_16_15 } from '../../src/cilium/releases/labels-v1.16.15.js';
import { LABELS_V1_18_3 } from '../../src/cilium/releases/labels-v1.18.3.js';
import { TraceBuilder } from '../../src/trace/builder.js';
import { ROOT } from '../support/run-cli.js';

const INDEX_DIR = join(ROOT, '..', 'shared', 'reference', 'bpf-index');
const TABLES: Readonly<Record<string, string>> = { 'v1.13.0': SITES_V1_13_0, 'v1.16.15': SITES_V1_16_15, 'v1.18.3': SITES_V1_18_3 };

function indexRows(version: string): Set<string> {
  const rows = new Set<string>();
  for (const line of readFileSync(join(INDEX_DIR, `bpf-index-${version}.tsv`), 'utf8').split('\n')) {
    const [name, , file, first] = line.split('\t');
    if (name && file && first) rows.add(`${file}\t${name}\t${first}`);
  }
  return rows;
}

for (const release of RELEASES) {
  test(`every citation of ${release.version} is a definition in the bpf-index of ${release.version}`, (t) => {
    if (!existsSync(INDEX_DIR)) return t.skip('the bpf-index (../shared/reference/bpf-index) is not beside this checkout');
    const table = TABLES[release.version];
    assert.ok(table, `no citation table for ${release.version}`);
    const index = indexRows(release.version);
    const rows = table.split('\n').filter((r) => r !== '');
    assert.ok(rows.length > 50, `only ${rows.length} rows`);
    assert.deepEqual(rows.filter((r) => !index.has(r)), []);
  });
}

const DROP_TABLES: Readonly<Record<string, string>> = { 'v1.13.0': DROPS_V1_13_0, 'v1.16.15': DROPS_V1_16_15, 'v1.18.3': DROPS_V1_18_3 };

for (const release of RELEASES) {
  test(`every drop site of ${release.version} lies inside the function the bpf-index says it is in`, (t) => {
    if (!existsSync(INDEX_DIR)) return t.skip('the bpf-index (../shared/reference/bpf-index) is not beside this checkout');
    const spans = new Map<string, Array<[number, number | undefined]>>();
    for (const line of readFileSync(join(INDEX_DIR, `bpf-index-${release.version}.tsv`), 'utf8').split('\n')) {
      const [name, , file, first, last] = line.split('\t');
      if (!name || !file || !first) continue;
      const k = `${file}\t${name}`;
      spans.set(k, [...(spans.get(k) ?? []), [Number(first), last ? Number(last) : undefined]]);
    }
    const table = DROP_TABLES[release.version];
    assert.ok(table);
    const bad = table.split('\n').filter((r) => r !== '').filter((r) => {
      const [file, fn, line] = r.split('\t');
      const n = Number(line);
      return !(spans.get(`${file}\t${fn}`) ?? []).some(([a, b]) => a <= n && (b === undefined || n <= b));
    });
    assert.deepEqual(bad, []);
  });
}

const LABEL_TABLES: Readonly<Record<string, string>> = { 'v1.13.0': LABELS_V1_13_0, 'v1.16.15': LABELS_V1_16_15, 'v1.18.3': LABELS_V1_18_3 };

for (const release of RELEASES) {
  test(`every label site of ${release.version} is a label of that file in the bpf-index, inside its enclosing function`, (t) => {
    if (!existsSync(INDEX_DIR)) return t.skip('the bpf-index (../shared/reference/bpf-index) is not beside this checkout');
    const labels = new Set<string>();
    const spans = new Map<string, Array<[number, number | undefined]>>();
    for (const line of readFileSync(join(INDEX_DIR, `bpf-index-${release.version}.tsv`), 'utf8').split('\n')) {
      const [name, kind, file, first, last] = line.split('\t');
      if (!name || !file || !first) continue;
      if (kind === 'label') labels.add(`${file}\t${name}`);
      const k = `${file}\t${name}`;
      spans.set(k, [...(spans.get(k) ?? []), [Number(first), last ? Number(last) : undefined]]);
    }
    const table = LABEL_TABLES[release.version];
    assert.ok(table);
    const rows = table.split('\n').filter((r) => r !== '');
    assert.ok(rows.length > 20);
    const bad = rows.filter((r) => {
      const [file, fn, label, line] = r.split('\t');
      const n = Number(line);
      return !labels.has(`${file}\t${label}`) || !(spans.get(`${file}\t${fn}`) ?? []).some(([a, b]) => a <= n && (b === undefined || n <= b));
    });
    assert.deepEqual(bad, []);
  });
}

for (const release of RELEASES) {
  test(`every #ifdef variant cited at ${release.version} names a function the bpf-index has in that file, and says why`, (t) => {
    if (!existsSync(INDEX_DIR)) return t.skip('the bpf-index (../shared/reference/bpf-index) is not beside this checkout');
    const index = new Set<string>();
    for (const line of readFileSync(join(INDEX_DIR, `bpf-index-${release.version}.tsv`), 'utf8').split('\n')) {
      const [name, kind, file] = line.split('\t');
      if (name && file && kind === 'function') index.add(`${file}\t${name}`);
    }
    for (const [key, v] of release.variants) {
      assert.ok(index.has(key), `${key} is not a function of that file in the bpf-index`);
      assert.match(v.why, /#ifdef|#else/);
    }
  });
}

test('_send_drop_notify is cited at the DROP_NOTIFY definition, drop.h:98, not the #else stub at :133', () => {
  const tb = new TraceBuilder(V1_13_0);
  tb.hop('n1', 'lxc', 'tc ingress');
  tb.frame('_send_drop_notify', 'bpf/lib/drop.h', () => 0);
  const hop = tb.hops[0];
  assert.ok(hop && 'children' in hop);
  const f = hop.children[0];
  assert.ok(f && f.kind === 'fn');
  assert.equal(f.line, 98);
});

test('a label is cited where the enclosing function has it: pass_to_stack of handle_ipv4_from_lxc is bpf_lxc.c:1111, not the IPv6 one at :532', () => {
  const tb = new TraceBuilder(V1_13_0);
  tb.hop('n1', 'lxc', 'tc ingress');
  tb.frame('handle_ipv4_from_lxc', 'bpf/bpf_lxc.c', () => tb.frame('pass_to_stack', 'bpf/bpf_lxc.c', () => 0));
  const hop = tb.hops[0];
  assert.ok(hop && 'children' in hop);
  const outer = hop.children[0];
  assert.ok(outer && outer.kind === 'fn');
  const inner = outer.children[0];
  assert.ok(inner && inner.kind === 'fn');
  assert.deepEqual([inner.fn, inner.line], ['pass_to_stack', 1111]);
});

test('handle_ipv4_from_lxc is cited at bpf/bpf_lxc.c:727 of v1.13.0, sock_select_slot only in bpf/bpf_sock.c', () => {
  assert.equal(V1_13_0.site('bpf/bpf_lxc.c', 'handle_ipv4_from_lxc'), 727);
  assert.equal(V1_13_0.site('bpf/lib/lb.h', 'sock_select_slot'), undefined);
  assert.equal(V1_13_0.site('bpf/include/bpf/ctx/skb.h', 'ctx_set_tunnel_key'), 47);
  assert.equal(V1_13_0.site('bpf/lib/identity.h', 'inherit_identity_from_host'), 93);
});

test('the suite traces with strict citations: a frame the release does not define fails the trace', () => {
  assert.equal(process.env['CILIUM_TRACE_STRICT_CITATIONS'], '1', 'run the tests with npm test (it sets CILIUM_TRACE_STRICT_CITATIONS=1)');
  const tb = new TraceBuilder(V1_13_0);
  tb.hop('n1', 'lxc', 'tc ingress');
  assert.throws(() => tb.frame('nodeport_nat_ipv4_fwd', 'bpf/lib/nodeport.h', () => 0), /defines no nodeport_nat_ipv4_fwd in bpf\/lib\/nodeport\.h/);
  assert.equal(tb.frame('handle_ipv4_from_lxc', 'bpf/bpf_lxc.c', () => 7), 7);
  const hop = tb.hops[0];
  assert.ok(hop && 'children' in hop);
  assert.deepEqual(hop.children.map((n) => (n.kind === 'fn' ? [n.fn, n.file, n.line] : null)), [['handle_ipv4_from_lxc', 'bpf/bpf_lxc.c', 727]]);
});
