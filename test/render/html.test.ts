// -o html: one self-contained file (inline CSS and SVG, no URL, no script), the verdict and
// why first, then the diagram and the hops folded in <details>, printing unfolds them; the
// reply and --explain; `check -o html` with a table and each failure expandable. Every piece
// of trace text is escaped. (The browser test renders these files in Chromium.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';
import { esc, inlineSvg, renderTraceHtml } from '../../src/render/html.js';
import { loadCluster, renderReport, trace, traceWithReply } from '../../src/index.js';

const DROP = ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'];
const CHECK = ['check', '-f', 'scenarios/ci-example/cluster.yaml', '-e', 'scenarios/ci-example/expectations.yaml'];

async function graphvizLoads(): Promise<boolean> {
  const { loadGraphviz } = await import('../../src/render/diagram-svg.js');
  return loadGraphviz().then(() => true, () => false);
}

/** No way out of the file: no URL scheme, no external reference, no script. */
function assertSelfContained(html: string): void {
  assert.doesNotMatch(html, /https?:|file:|\/\/[a-z]/i);
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|\ssrc=|@import|url\(/i);
}

test('-o html: a policy drop, verdict and why first, then the diagram and the hops', async (t) => {
  if (!(await graphvizLoads())) { t.skip('the WebAssembly Graphviz did not load'); return; }
  const r = await runCli([...DROP, '-o', 'html']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, '');
  const h = r.stdout;
  assert.ok(h.startsWith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'));
  assert.ok(h.endsWith('</body>\n</html>\n'));
  assertSelfContained(h);
  assert.ok(h.includes('<title>cilium-trace: DROPPED tcp 10.11.90.17:43210 &gt; 10.11.71.148:8080  (default/app2 id 36895 → default/app1 id 40026)</title>'));
  const at = (s: string): number => { const i = h.indexOf(s); assert.ok(i >= 0, s); return i; };
  const order = [
    '<h1>tcp 10.11.90.17:43210 &gt; 10.11.71.148:8080',
    '<p class="verdict DROPPED"><strong>DROPPED</strong> — DROP_POLICY (133) &quot;Policy denied&quot; [POLICY_DENIED] in policy_can_access_ingress (ingress) on runtime1</p>',
    '<h3>Why</h3>',
    '<li>Rules selecting default/app1:\n<ul>\n<li>CiliumNetworkPolicy default/l3-rule (scenarios/l3-policy.yaml:38)\n</li>\n</ul>\n</li>\n<li>The peer is identity 36895',
    '<h3>What would allow it (the smallest policy to add)</h3>',
    '<h2>Diagram</h2>',
    '<figure>\n<svg width="',
    '<h2>Hops</h2>',
    '<tr><td class="n">1</td><td>runtime1</td><td><code>default/app2 netns</code></td><td>kernel</td><td>tx eth0 → veth peer lxc0f90ab6d109d (ifindex 9)</td></tr>',
    '<details class="hop" id="hop-2"><summary>2. runtime1 / lxc0f90ab6d109d — tc ingress — bpf_lxc.o [from-container] <span class="events">',
    '<details class="lookups"><summary>19 map lookups</summary>',
    '<tr><td><code>cilium_policy_02173</code></td><td><code>{identity=36895 dport=8080 proto=TCP ingress}</code></td><td>miss</td></tr>',
  ];
  const positions = order.map(at);
  assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'in reading order');
  assert.ok(h.includes('>intended destination</text>'), 'the drop\'s destination is in the diagram');
  // Printing unfolds every <details>.
  assert.match(h, /@media print \{[^}]*\}?\s*[\s\S]*details::details-content \{ content-visibility: visible; display: contents; \}/);
  assert.equal(h.match(/<details/g)?.length, h.match(/<\/details>/g)?.length);
  assert.equal((await runCli([...DROP, '-o', 'html'])).stdout, h, 'deterministic');
});

test('-o html --reply --explain: the reply after the forward verdict, prose in the steps', async (t) => {
  if (!(await graphvizLoads())) { t.skip('the WebAssembly Graphviz did not load'); return; }
  const r = await runCli(['pod1', 'pod3', 'icmp', '--reply', '--explain', '-o', 'html']);
  assert.equal(r.code, 0);
  const h = r.stdout;
  assertSelfContained(h);
  const fwd = h.indexOf('<p class="verdict FORWARDED"><strong>FORWARDED</strong> — delivered to default/pod3 on node2');
  const rep = h.indexOf('<h2>Reply: icmp echo-reply 10.0.1.105 &gt; 10.0.0.157');
  assert.ok(fwd > 0 && rep > fwd && h.indexOf('<h2>Diagram</h2>') > rep);
  assert.ok(h.includes('<h2>Hops of the packet</h2>') && h.includes('<h2>Hops of the reply</h2>') && h.includes('id="reply-hop-1"'));
  assert.ok(h.includes('» cil_from_container: The program on tc ingress of a pod&#39;s host-side veth'));
  const ids = [...h.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
});

test('check -o html: the counts, a table of expectations, each failure expandable', async () => {
  const r = await runCli([...CHECK, '-o', 'html']);
  assert.equal(r.code, 1);
  const h = r.stdout;
  assertSelfContained(h);
  assert.ok(h.includes('<h1>cilium-trace check: shop</h1>\n<p class="verdict FAIL"><strong>8 expectations: 6 passed, 2 failed</strong></p>'));
  assert.equal(h.match(/<tr><td class="PASS">PASS<\/td>/g)?.length, 6);
  assert.ok(h.includes('<tr><td class="FAIL"><a href="#failure-6">FAIL</a></td><td>frontend-not-to-db</td><td>shop/frontend-1 → shop/db-0 tcp/5432</td><td>DROPPED (POLICY_DENIED)</td><td>FORWARDED</td>'));
  assert.ok(h.includes('<details class="failure" id="failure-6"><summary><strong class="FAIL">FAIL</strong> frontend-not-to-db: expected DROPPED (POLICY_DENIED), got FORWARDED</summary>\n<pre>FAIL frontend-not-to-db (scenarios/ci-example/expectations.yaml:22:5)'));
  assert.equal(h.match(/<details class="failure"/g)?.length, 2);
});

test('every piece of trace text is escaped', () => {
  assert.equal(esc(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  const r = trace(loadCluster({ scenario: 'l3-policy' }), { src: 'app2', dst: 'app1', proto: 'tcp/8080' });
  const evil = '<img src=x onerror=alert(1)>&amp;"\'';
  const hostile = { ...r, context: { ...r.context, cluster: evil, notes: [evil] } };
  const h = renderTraceHtml(hostile, undefined, `<?xml version="1.0"?>\n<!-- c -->\n<svg xmlns="http://www.w3.org/2000/svg"><text>x</text></svg>\n`);
  assert.ok(!h.includes('<img'), 'no tag from the trace');
  assert.ok(h.includes('cluster &lt;img src=x onerror=alert(1)&gt;&amp;amp;&quot;&#39; ·'));
  assert.ok(h.includes('<figure>\n<svg><text>x</text></svg>\n</figure>'), 'the SVG is inlined without its prolog, comments and namespaces');
  assert.equal(inlineSvg('not svg'), '');
  const without = renderTraceHtml(r, undefined, { missing: '-o svg needs the WebAssembly Graphviz <x>' });
  assert.ok(without.includes('<h2>Diagram</h2>\n<p class="context">not drawn: -o svg needs the WebAssembly Graphviz &lt;x&gt;</p>'));
  assert.ok(!without.includes('<figure>'));
});

test('the library renders the same reports as the CLI (renderReport)', async (t) => {
  if (!(await graphvizLoads())) { t.skip('the WebAssembly Graphviz did not load'); return; }
  const cluster = loadCluster({ scenario: 'l3-policy' });
  const drop = trace(cluster, { src: 'app2', dst: 'app1', proto: 'tcp/8080' });
  assert.equal(await renderReport(drop, 'html'), (await runCli([...DROP, '-o', 'html'])).stdout);
  assert.equal(await renderReport(drop, 'markdown', { level: 'summary' }), (await runCli([...DROP, '-o', 'markdown', '-l', 'summary'])).stdout);
  const { forward, reply } = traceWithReply(loadCluster(), { src: 'pod1', dst: 'pod3', proto: 'icmp' });
  assert.equal(await renderReport(forward, 'markdown', { reply, explain: true }), (await runCli(['pod1', 'pod3', 'icmp', '--reply', '--explain', '-o', 'markdown'])).stdout);
});
