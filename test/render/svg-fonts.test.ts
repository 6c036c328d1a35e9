// F27: -o svg sizes its boxes for DejaVu Sans, the widest font of its stack. Without a browser:
// every boxed node of the SVG is at least as wide as its widest line measured with the
// per-character table (text-width.ts) plus the margins, the canvas holds the title, the text
// names the font stack, and a drop draws the pod the packet was going to (dashed, named).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';
import { SVG_FONT_STACK, textWidth } from '../../src/render/text-width.js';
import { DEJAVU_SANS, UNITS_PER_EM } from '../../src/render/font-metrics.js';

const CASES: readonly (readonly string[])[] = [
  ['pod1', 'pod3', 'icmp'],
  ['pod1', 'pod3', 'icmp', '--reply'],
  ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'],
  ['--scenario', 'services', 'pod1', 'svc:default/web', '--reply'],
  ['-f', 'scenarios/exercises/03-egress-dns/cluster', 'shop/frontend', 'svc:kube-system/kube-dns', 'udp/53'],
];

function unescape(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

interface Group { readonly cls: string; readonly xs: number[]; readonly texts: { size: number; bold: boolean; text: string }[] }

/** Graphviz's groups (class node/cluster/graph) with the x extent of their shape and their texts. */
function groups(svg: string): Group[] {
  const out: Group[] = [];
  for (const m of svg.matchAll(/<g id="[^"]*" class="(node|cluster|graph)"[^>]*>([\s\S]*?)(?=<g id=|<\/svg>)/g)) {
    const body = m[2] ?? '';
    const xs: number[] = [];
    const shape = /<(?:polygon|path) [^>]*?(?:points|d)="([^"]+)"/.exec(body)?.[1] ?? '';
    for (const p of shape.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) xs.push(Number(p[1]));
    const texts = [...body.matchAll(/<text [^>]*?(font-weight="bold" )?font-size="([\d.]+)">([^<]*)<\/text>/g)].map((t) => ({ bold: t[1] !== undefined, size: Number(t[2]), text: unescape(t[3] ?? '') }));
    out.push({ cls: m[1] ?? '', xs, texts });
  }
  return out;
}

test('the width table is DejaVu Sans: digits share one width, W is the widest letter', () => {
  assert.equal(UNITS_PER_EM, 2048);
  assert.equal(DEJAVU_SANS['0'], 1303);
  assert.equal(DEJAVU_SANS['1'], DEJAVU_SANS['8']);
  assert.equal(DEJAVU_SANS['W'], 2025);
  assert.equal(textWidth('W', 2048), 2025);
  assert.equal(textWidth('\u4e00', 10), 10, 'a character the table lacks counts as one em');
});

test('-o svg: every box holds its lines as DejaVu Sans measures them; the canvas holds the title', async (t) => {
  const { loadGraphviz } = await import('../../src/render/diagram-svg.js');
  try { await loadGraphviz(); } catch { t.skip('the WebAssembly Graphviz did not load'); return; }
  for (const args of CASES) {
    const r = await runCli([...args, '-o', 'svg']);
    assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.ok(!r.stdout.includes('font-family="Helvetica'), 'no Helvetica left');
    assert.ok(r.stdout.includes(`font-family="${SVG_FONT_STACK}"`));
    const all = groups(r.stdout);
    const canvas = all.find((g) => g.cls === 'graph');
    assert.ok(canvas && canvas.xs.length > 0);
    let checked = 0;
    for (const g of all) {
      if (g.xs.length === 0 || g.texts.length === 0) continue; // shape=plain step labels have no box
      const box = Math.max(...g.xs) - Math.min(...g.xs);
      for (const x of g.texts) {
        const need = textWidth(x.text, x.size, x.bold);
        assert.ok(need <= box, `${args.join(' ')}: "${x.text}" needs ${need.toFixed(1)}pt, its ${g.cls} is ${box.toFixed(1)}pt`);
        checked++;
      }
    }
    assert.ok(checked >= 6, `${args.join(' ')}: ${checked} texts checked`);
  }
});

test('-o svg of a policy drop draws the intended destination dashed and names it', async (t) => {
  const { loadGraphviz } = await import('../../src/render/diagram-svg.js');
  try { await loadGraphviz(); } catch { t.skip('the WebAssembly Graphviz did not load'); return; }
  const r = await runCli(['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080', '-o', 'svg']);
  assert.equal(r.code, 1);
  const i1 = /<g id="[^"]*" class="node">\n<title>p3<\/title>\n([\s\S]*?)<\/g>/.exec(r.stdout)?.[1] ?? '';
  assert.match(i1, /stroke-dasharray/);
  for (const line of ['default/app1 netns', '10.11.71.148', 'intended destination', '(not reached)']) assert.ok(i1.includes(`>${line}</text>`), line);
  assert.match(r.stdout, /<title>p3&#45;&gt;p2<\/title>\n<path fill="none" stroke="#718096" stroke-dasharray/);
});

test('an egress drop after DNAT: the intended destination is the backend, in its own node\'s box', async () => {
  const r = await runCli(['-f', 'scenarios/exercises/03-egress-dns/cluster', 'shop/frontend', 'svc:kube-system/kube-dns', 'udp/53', '-o', 'dot']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /subgraph cluster_2 \{\n {4}label="worker-2";[^\n]*\n {4}p3 \[label="kube-system\/coredns-5d78c9869d-x7k2p netns\\n10\.244\.2\.53\\nintended destination\\n\(not reached\)"/);
  assert.match(r.stdout, /\n {2}p3 -> p2 \[dir=back, style=dashed, color="#718096", fontcolor="#718096", label="intended"\];\n/);
});
