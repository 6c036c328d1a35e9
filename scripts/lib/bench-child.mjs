// One benchmark measurement, in its own process: runs the CLI in-process (main(argv, io))
// `runs` times on the same arguments and prints the wall times and the peak RSS as JSON.
// Output of the CLI is discarded; only its exit code is kept.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { root: { type: 'string' }, runs: { type: 'string' } }, allowPositionals: true });
const root = values.root;
const runs = Number(values.runs ?? 1);
const t0 = performance.now();
const { main } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli', 'main.js')).href);
const importMs = performance.now() - t0;
const times = [];
let code = -1;
let stderr = '';
for (let i = 0; i < runs; i++) {
  stderr = '';
  const t = performance.now();
  code = await main(positionals, { stdout: () => {}, stderr: (s) => { stderr += s; }, stdoutIsTTY: false, env: {} });
  times.push(performance.now() - t);
}
process.stdout.write(JSON.stringify({ importMs, times, code, stderr: stderr.slice(0, 500), maxRssKb: process.resourceUsage().maxRSS }) + '\n');
