// Every trace of the golden cases (pods, Services, the world, hosts, native routing, Geneve,
// replies, refused connections, denied flows, each release), and paths not simulated and an
// L7 denial, also as -o markdown and -o html:
// the same exit code and messages as the text output, the verdict first, one table row (and
// one folded block) per hop the text output shows, and every tag the HTML opens is closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';
import { GOLDEN_CASES } from '../golden/cases.js';

const NOT_TRACES = new Set(['maps', 'validate', 'check', 'matrix', 'diff', 'devices', 'explain', 'exercise', 'completion']);

/** The golden trace commands, without their output options, once each. */
function traceCases(): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const c of GOLDEN_CASES) {
    if (NOT_TRACES.has(c.args[0] ?? '') || c.name.startsWith('bad-')) continue;
    const args: string[] = [];
    for (let i = 0; i < c.args.length; i++) {
      if (c.args[i] === '-o' || c.args[i] === '-l') { i++; continue; }
      args.push(c.args[i] as string);
    }
    if (!seen.has(args.join(' '))) { seen.add(args.join(' ')); out.push(args); }
  }
  return out;
}

// Beyond the goldens: a path not simulated (the proxy redirect, an egress gateway) and Envoy's 403.
const EXTRA: readonly string[][] = [
  ['-f', 'scenarios/k8s/star-wars-l7', 'tiefighter', 'svc:deathstar', 'tcp/80'],
  ['-f', 'scenarios/k8s/star-wars-l7', 'tiefighter', 'svc:deathstar', 'tcp/80', '--http', 'PUT /v1/exhaust-port'],
  ['-f', 'test/fixtures/real-cluster', 'shop/api-7c5d9f8b6-wv4mn', '203.0.113.10', 'tcp/443'],
];

const VERDICT = /^(FORWARDED|DROPPED|NOT SIMULATED) — /;

/** The verdict words of the text output (forward, then reply), in order. */
function verdicts(text: string): string[] {
  return text.split('\n').flatMap((l) => VERDICT.exec(l)?.[1] ?? []);
}

/** Open and close tags balance, for the elements the report writes with an end tag. */
function assertBalanced(html: string, where: string): void {
  const body = html.replace(/<svg[\s\S]*?<\/svg>/g, '');
  for (const tag of ['html', 'head', 'body', 'style', 'title', 'h1', 'h2', 'h3', 'p', 'ul', 'li', 'table', 'tr', 'td', 'th', 'details', 'summary', 'pre', 'code', 'figure', 'span', 'strong', 'a']) {
    const open = body.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0;
    const close = body.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
    assert.equal(open, close, `${where}: <${tag}> ${open} opened, ${close} closed`);
  }
}

test('every golden trace as -o markdown and -o html: same exit code, verdict first, every hop', async (t) => {
  const cases = [...traceCases(), ...EXTRA];
  const seen: Record<string, number> = {};
  assert.ok(cases.length >= 30, `${cases.length} traces`);
  for (const args of cases) {
    const where = args.join(' ');
    const text = await runCli([...args, '-l', 'minimal']);
    const md = await runCli([...args, '-o', 'markdown']);
    const html = await runCli([...args, '-o', 'html']);
    assert.equal(md.code, text.code, where);
    assert.equal(html.code, text.code, where);
    assert.equal(md.stderr, text.stderr, where);
    assert.equal(html.stderr, text.stderr, where);
    if (text.code === 2) { assert.equal(md.stdout + html.stdout, '', where); continue; } // bad input: one message, no report
    const words = verdicts(text.stdout);
    assert.ok(words.length >= 1, where);
    for (const w of words) seen[w] = (seen[w] ?? 0) + 1;
    // Markdown: the forward verdict is the third line; each verdict heads its section.
    const mdVerdicts = md.stdout.split('\n').flatMap((l) => /^\*\*(FORWARDED|DROPPED|NOT SIMULATED)\*\* — /.exec(l)?.[1] ?? []);
    assert.deepEqual(mdVerdicts, words, where);
    assert.match(md.stdout.split('\n')[2] ?? '', /^\*\*[A-Z ]+\*\* — /, where);
    // One row per hop of the minimal text output (its lines that start with two spaces).
    const hops = text.stdout.split('\n').filter((l) => /^ {2}\S/.test(l)).length;
    assert.equal(md.stdout.split('\n').filter((l) => /^\| \d+ \| /.test(l)).length, hops, `${where}: hop rows`);
    assert.equal(md.stdout.match(/^<details><summary>\d+\. /gm)?.length ?? 0, hops, `${where}: hop blocks`);
    // HTML: the same verdicts in the same order, before the diagram; every hop folded.
    const htmlVerdicts = [...html.stdout.matchAll(/<p class="verdict (?:FORWARDED|DROPPED|NOT_SIMULATED)"><strong>([A-Z ]+)<\/strong>/g)].map((m) => m[1]);
    assert.deepEqual(htmlVerdicts, words, where);
    assert.equal(html.stdout.match(/<details class="hop"/g)?.length ?? 0, hops, `${where}: hop blocks`);
    assertBalanced(html.stdout, where);
  }
  t.diagnostic(`${cases.length} traces; verdicts ${JSON.stringify(seen)}`);
  assert.ok((seen['DROPPED'] ?? 0) >= 3 && (seen['FORWARDED'] ?? 0) >= 10 && (seen['NOT SIMULATED'] ?? 0) === 2);
});
