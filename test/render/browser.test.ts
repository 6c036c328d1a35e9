// The reports in a real browser: headless Chromium (Debian's `chromium`; .ci/run installs it)
// renders the HTML report and the SVG diagrams. The report's screenshot is checked for its size
// and content (not blank, the red verdict, the drawn diagram), and a TEST-ONLY page, the report
// plus more diagrams (again in Liberation Sans, the stack's fallback), the -o svg file as an
// image and a small script, measures every SVG text's getBBox() against its box and the
// canvas (F27), checks the width table against the
// browser's own text lengths, and that the print style unfolds every <details>. Skipped,
// saying so, without Chromium.
// UPDATE_DOCS_SCREENSHOT=1 also writes the pictures of the README and docs/classroom.md,
// docs/img/html-report.png and docs/img/pod1-pod3.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { ROOT, runCli } from '../support/run-cli.js';
import { countColour, readPng } from './png.js';
import { SVG_FONT_STACK, textWidth } from '../../src/render/text-width.js';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome'];

/** The browser: $CHROMIUM, else the first of NAMES on the PATH. */
function findBrowser(): string | null {
  const own = process.env['CHROMIUM'];
  if (own) return existsSync(own) ? own : null;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    for (const name of NAMES) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function run(file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${file} failed: ${err.message}\n${stderr}`)) : resolve({ stdout, stderr })));
  });
}

/** One headless Chromium run with its own profile directory (runs go in parallel). */
async function chromium(browser: string, dir: string, name: string, extra: readonly string[], page: string): Promise<string> {
  const profile = join(dir, `profile-${name}`);
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions', '--mute-audio', '--hide-scrollbars', `--user-data-dir=${profile}`, ...extra, pathToFileURL(page).href];
  return (await run(browser, args)).stdout;
}

const DROP = ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'];
const DIAGRAMS: readonly (readonly string[])[] = [
  ['pod1', 'pod3', 'icmp'],
  ['pod1', 'pod3', 'icmp', '--reply'],
  ['--scenario', 'services', 'pod1', 'svc:default/web', '--reply'],
  ['--scenario', 'geneve', 'shop/client', 'shop/web', 'tcp/80'],
  ['-f', 'scenarios/exercises/03-egress-dns/cluster', 'shop/frontend', 'svc:kube-system/kube-dns', 'udp/53'],
];

/** Runs in the TEST-ONLY page: every SVG text against its node/cluster shape and the canvas; hidden <details> content. */
// On load: the -o svg image is loaded then, and --dump-dom prints the DOM after the load event.
const MEASURE = `<script>
window.addEventListener('load', () => {
  const img = document.getElementById('standalone');
  const out = { texts: [], hidden: [], details: 0, image: [img.naturalWidth, img.naturalHeight] };
  for (const [figure, svg] of [...document.querySelectorAll('figure svg')].entries()) {
    const canvas = svg.querySelector('g.graph > polygon').getBBox();
    for (const text of svg.querySelectorAll('text')) {
      const g = text.closest('g.node, g.cluster');
      const shape = g && g.querySelector(':scope > polygon, :scope > path, :scope > ellipse');
      const box = shape ? shape.getBBox() : canvas;
      const t = text.getBBox();
      out.texts.push({ figure, own: !!shape, text: text.textContent, size: +text.getAttribute('font-size'), bold: text.getAttribute('font-weight') === 'bold',
        length: text.getComputedTextLength(), left: t.x - box.x, right: box.x + box.width - (t.x + t.width),
        inCanvas: t.x >= canvas.x - 0.01 && t.x + t.width <= canvas.x + canvas.width + 0.01 && t.y >= canvas.y - 0.01 && t.y + t.height <= canvas.y + canvas.height + 0.01 });
    }
  }
  for (const d of document.querySelectorAll('details')) {
    out.details++;
    for (const inner of d.querySelectorAll(':scope > :not(summary)')) if (inner.getBoundingClientRect().height === 0) out.hidden.push(d.id || d.className);
  }
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>`;

interface Measured {
  texts: { figure: number; own: boolean; text: string; size: number; bold: boolean; length: number; left: number; right: number; inCanvas: boolean }[];
  hidden: string[];
  details: number;
  image: [number, number];
}

/** Whether fontconfig resolves "DejaVu Sans" to itself (then the browser's lengths must match the table). */
async function hasDejaVu(): Promise<boolean> {
  try {
    return (await run('fc-match', ['-f', '%{family}', 'DejaVu Sans'])).stdout.split(',').includes('DejaVu Sans');
  } catch {
    return false;
  }
}

test('headless Chromium renders the HTML report and the SVG diagrams; no SVG text leaves its box', async (t) => {
  const browser = findBrowser();
  if (!browser) { t.skip(`no Chromium (looked for ${NAMES.join(', ')} on the PATH, or $CHROMIUM): install Debian's chromium package to run the browser test`); return; }
  const { loadGraphviz } = await import('../../src/render/diagram-svg.js');
  try { await loadGraphviz(); } catch { t.skip('the WebAssembly Graphviz did not load'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'cilium-trace-browser-'));
  try {
    const report = await runCli([...DROP, '-o', 'html']);
    assert.equal(report.code, 1);
    const svg = await runCli(['pod1', 'pod3', 'icmp', '-o', 'svg']);
    writeFileSync(join(dir, 'report.html'), report.stdout);
    writeFileSync(join(dir, 'diagram.svg'), svg.stdout);
    // The TEST-ONLY page: the report, its print style applied on screen, more diagrams, the script.
    const figures: string[] = [];
    for (const args of DIAGRAMS) {
      const r = await runCli([...args, '-o', 'svg']);
      assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
      figures.push(`<figure>${r.stdout.slice(r.stdout.indexOf('<svg'))}</figure>`);
    }
    // The same diagrams in the stack's fallback, Liberation Sans (Arial's widths): they must fit too.
    const fallback = figures.map((f) => f.replaceAll(`font-family="${SVG_FONT_STACK}"`, 'font-family="\'Liberation Sans\'"'));
    assert.notDeepEqual(fallback, figures);
    figures.push(...fallback);
    // The -o svg file itself as an image: Chromium must parse it as an SVG document of its size.
    const image = '<img id="standalone" src="diagram.svg" alt="">';
    const page = report.stdout.replace('@media print {', '@media all {').replace('</body>', `${figures.join('\n')}\n${image}\n${MEASURE}\n</body>`);
    assert.notEqual(page, report.stdout);
    writeFileSync(join(dir, 'measure.html'), page);

    const started = Date.now();
    const [dom] = await Promise.all([
      chromium(browser, dir, 'measure', ['--dump-dom'], join(dir, 'measure.html')),
      chromium(browser, dir, 'report', ['--window-size=1200,1600', `--screenshot=${join(dir, 'report.png')}`], join(dir, 'report.html')),
    ]);
    const seconds = (Date.now() - started) / 1000;

    // The screenshots: the window's size, not blank, the verdict in red at the top, the diagram drawn.
    const shot = readPng(readFileSync(join(dir, 'report.png')));
    assert.deepEqual([shot.width, shot.height], [1200, 1600]);
    const white = countColour(shot, '#ffffff', 2);
    assert.ok(white < shot.width * shot.height * 0.97 && white > shot.width * shot.height * 0.5, `white pixels: ${white}`);
    assert.ok(countColour(shot, '#c53030', 30, { x: 0, y: 0, w: 1200, h: 150 }) > 100, 'the red DROPPED verdict at the top');
    assert.ok(countColour(shot, '#fed7d7', 6) > 5000, 'the red octagon of the drop in the diagram');

    const m = /<pre id="measured">([^<]*)<\/pre>/.exec(dom)?.[1];
    assert.ok(m, 'the measuring script ran');
    const measured = JSON.parse(m.replace(/&nbsp;/g, '\u00a0').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Measured;
    assert.equal(new Set(measured.texts.map((x) => x.figure)).size, 2 * DIAGRAMS.length + 1, 'every diagram measured');
    assert.ok(measured.texts.filter((x) => x.own).length > 40, `${measured.texts.length} texts`);
    for (const x of measured.texts) {
      assert.ok(x.inCanvas, `figure ${x.figure}: "${x.text}" leaves the picture`);
      if (x.own) assert.ok(x.left >= 0 && x.right >= 0, `figure ${x.figure}: "${x.text}" overflows its box (left ${x.left.toFixed(1)}, right ${x.right.toFixed(1)})`);
    }
    // With DejaVu Sans installed the browser lays the text out as the table measures it.
    if (await hasDejaVu()) {
      for (const x of measured.texts.filter((m) => m.figure <= DIAGRAMS.length)) {
        const table = textWidth(x.text, x.size, x.bold);
        assert.ok(x.length <= table + 0.5 && x.length >= table * 0.95, `"${x.text}": Chromium ${x.length.toFixed(2)}, table ${table.toFixed(2)}`);
      }
    } else t.diagnostic('DejaVu Sans is not installed: the table was not compared with the browser');
    // The print style unfolds every <details>: nothing inside one has zero height.
    assert.equal(measured.details, report.stdout.match(/<details/g)?.length);
    assert.deepEqual(measured.hidden, []);
    const [w, h] = (/<svg width="(\d+)pt" height="(\d+)pt"/.exec(svg.stdout) ?? []).slice(1).map((x) => Math.round((Number(x) * 4) / 3));
    assert.deepEqual(measured.image, [w, h], 'the standalone SVG loads as an image of its size');
    t.diagnostic(`two Chromium runs in parallel: ${seconds.toFixed(1)} s; ${measured.texts.length} SVG texts measured`);

    if (process.env['UPDATE_DOCS_SCREENSHOT'] === '1') {
      await chromium(browser, dir, 'docs', ['--window-size=900,1640', `--screenshot=${join(dir, 'docs.png')}`], join(dir, 'report.html'));
      copyFileSync(join(dir, 'docs.png'), join(ROOT, 'docs', 'img', 'html-report.png'));
      // The classroom's picture of pod1 → pod3: the -o svg file at its own size.
      await chromium(browser, dir, 'docs-svg', [`--window-size=${w},${h}`, `--screenshot=${join(dir, 'pod1-pod3.png')}`], join(dir, 'diagram.svg'));
      copyFileSync(join(dir, 'pod1-pod3.png'), join(ROOT, 'docs', 'img', 'pod1-pod3.png'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
