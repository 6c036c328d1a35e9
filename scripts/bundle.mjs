#!/usr/bin/env node
// npm run build, after tsc: bundles the compiled CLI (dist/src) into dist/cilium-trace.cjs and
// records V8's code cache for it by running a typical trace (dist/cilium-trace.cjs.cache).
// bin/cilium-trace.cjs runs the two; see the comment there for why.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'cilium-trace.cjs');

/**
 * commander requires node:child_process for subcommands that are separate executables;
 * cilium-trace declares none, and loading it (with net, dgram and streams) is a sizeable
 * part of start-up. The bundle gets a stand-in that refuses to run anything.
 */
const noChildProcess = {
  name: 'no-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, () => ({ path: 'child_process', namespace: 'stand-in' }));
    b.onLoad({ filter: /.*/, namespace: 'stand-in' }, () => ({
      contents: "const refuse = () => { throw new Error('cilium-trace runs no other programs'); };\nmodule.exports = { spawn: refuse, execFile: refuse, execFileSync: refuse, spawnSync: refuse };\n",
      loader: 'js',
    }));
  },
};

rmSync(`${OUT}.cache`, { force: true });
await build({
  stdin: {
    contents: "export { main } from './dist/src/cli/main.js';\nexport { processIo } from './dist/src/cli/io.js';\n",
    resolveDir: ROOT,
    sourcefile: 'cli-entry.js',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: OUT,
  // Loaded on first use from node_modules: yaml when a file needs the full YAML parser,
  // ip-address to recognise IPv6 in error paths, Graphviz for -o svg.
  external: ['yaml', 'ip-address', '@hpcc-js/wasm-graphviz'],
  // Smaller source to read and hash at start-up; names are kept for --debug stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // The modules find the package root and load `yaml` relative to their own URL.
  define: { 'import.meta.url': '__cilium_trace_url' },
  banner: { js: "var __cilium_trace_url = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [noChildProcess],
  logLevel: 'warning',
});

const train = spawnSync(process.execPath, [join(ROOT, 'scripts', 'lib', 'train-code-cache.cjs')], { stdio: 'inherit' });
if (train.status !== 0) {
  // The launcher runs the bundle without a cache; only start-up is slower.
  process.stderr.write('bundle: no code cache recorded (the CLI still works, it starts slower)\n');
}
