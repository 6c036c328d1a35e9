#!/usr/bin/env node
// Launcher. Start-up is most of the cost of a single trace, so the CLI ships bundled
// (scripts/bundle.mjs): dist/cilium-trace.cjs holds what a trace needs and runs with the V8
// code cache recorded when it was built (dist/cilium-trace.cjs.cache), so there is no module
// resolution and almost nothing left to compile; dist/cilium-trace-extra.cjs holds the
// subcommands and other formats and is loaded only when one is used. `npm run build` (the
// prepare script of `npm ci`) makes them. A cache that does not fit this Node (another V8
// version or flags) is rejected by V8 and the bundle compiles normally; without a bundle the
// launcher runs the compiled modules in dist/src.
//
// Inputs that are large next to the heap run in a worker thread with a known heap limit:
// V8 ends a worker that runs out of heap with an error the launcher reports in one line,
// where the main thread would abort with a fatal error and a native stack trace. A worker
// takes about 40 ms to start, so only inputs over 1/16 of the heap limit (or stdin, whose
// size is unknown) use one; the shell and --step, which need the terminal, never do.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const DIST = path.join(__dirname, '..', 'dist');
const BUNDLE = path.join(DIST, 'cilium-trace.cjs');
const EXTRA = path.join(DIST, 'cilium-trace-extra.cjs');
const CACHE = `${BUNDLE}.cache`;

/**
 * Runs one bundle: a function expression taking CommonJS's arguments and the link to the
 * other part (scripts/bundle.mjs writes it so). Returns its exports and the script.
 */
function runBundle(file, cachedData, value) {
  const source = fs.readFileSync(file, 'latin1'); // ASCII only: no decoding
  const script = new vm.Script(source, { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, path.dirname(file), value);
  return { exports: mod.exports, script };
}

/** Runs the core bundle; the extra one is run the first time the core asks for one of its modules. */
function loadBundle(useCache) {
  let cachedData;
  if (useCache) {
    try {
      cachedData = fs.readFileSync(CACHE);
    } catch {
      cachedData = undefined; // no cache: compile as usual
    }
  }
  let extra;
  const fromExtra = (name) => {
    // The extra part imports ES-module packages (Graphviz) through this file's import().
    extra ??= runBundle(EXTRA, undefined, { modules: core.exports.modules, importPackage: (pkg) => import(pkg) }).exports.modules;
    const m = extra[name];
    if (m === undefined) throw new Error(`module ${name} is missing from ${EXTRA}`);
    return m;
  };
  const core = runBundle(BUNDLE, cachedData, fromExtra);
  return { cli: core.exports, script: core.script };
}

async function runHere(argv) {
  const { main, processIo } = fs.existsSync(BUNDLE)
    ? loadBundle(true).cli
    : { ...(await import('../dist/src/cli/main.js')), ...(await import('../dist/src/cli/io.js')) };
  process.exitCode = await main(argv, processIo());
}

/** The paths given with -f/--file (and diff's -f2/--file2), as typed. */
function inputPaths(argv) {
  const out = [];
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const a = argv[i];
    if ((a === '-f' || a === '--file' || a === '-f2' || a === '--file2') && i + 1 < argv.length) out.push(argv[++i]);
    else if (/^--file2?=/.test(a)) out.push(a.slice(a.indexOf('=') + 1));
  }
  return out;
}

/** Bytes in a file or directory tree (Infinity for stdin; unreadable paths count 0: the CLI reports them). */
function sizeOf(path, budget = { entries: 100000 }) {
  if (path === '-') return Infinity;
  try {
    const st = fs.statSync(path);
    if (!st.isDirectory()) return st.size;
    let total = 0;
    for (const name of fs.readdirSync(path)) {
      if (--budget.entries < 0) break;
      total += sizeOf(path.endsWith('/') ? path + name : `${path}/${name}`, budget);
    }
    return total;
  } catch {
    return 0;
  }
}

function outOfMemory(paths, bytes, limitMb) {
  const what = paths.includes('-') ? 'the input from stdin' : `the input (${paths.length === 1 ? paths[0] : `${paths.length} paths`}, ${Math.round(bytes / 1e6)} MB)`;
  return `cilium-trace: out of memory: ${what} does not fit in the heap limit of ${limitMb} MiB; give Node more (NODE_OPTIONS=--max-old-space-size=${2 * limitMb}) or load fewer objects\n`;
}

/** Runs the CLI in a worker whose heap is as large as this thread's; running out of it is one line, exit 2. */
function runInWorker(argv, paths, bytes, limitMb) {
  const { Worker } = require('node:worker_threads');
  const code0 = `require(${JSON.stringify(__filename)}).runHere(require('node:worker_threads').workerData)`;
  const worker = new Worker(code0, { eval: true, workerData: argv, resourceLimits: { maxOldGenerationSizeMb: limitMb } });
  let code;
  worker.on('error', (e) => {
    if (e && e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      process.stderr.write(outOfMemory(paths, bytes, limitMb));
      code = 2;
    } else {
      process.stderr.write(`cilium-trace: internal error: ${e && e.message} (please report this)\n`);
      code = 3;
    }
  });
  worker.on('exit', (c) => {
    process.exitCode = code ?? c;
  });
}

/**
 * This thread's old-generation limit in MiB: --max-old-space-size if given (to node or in
 * NODE_OPTIONS), else V8's default, the heap limit less the young generation (a multiple of 256).
 */
function heapLimitMb() {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].join(' ');
  const given = [...flags.matchAll(/--max[-_]old[-_]space[-_]size[= ](\d+)/g)].pop();
  if (given) return Number(given[1]);
  const mb = require('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20;
  return Math.max(256, Math.floor(mb / 256) * 256);
}

async function run() {
  const argv = process.argv.slice(2);
  const paths = inputPaths(argv);
  if (paths.length > 0 && !argv.includes('shell') && !argv.includes('--step')) {
    const bytes = paths.reduce((n, p) => n + sizeOf(p), 0);
    const limitMb = heapLimitMb();
    if (bytes > (limitMb * 2 ** 20) / 16) return runInWorker(argv, paths, bytes, limitMb);
  }
  return runHere(argv);
}

if (require.main === module) run();
else module.exports = { loadBundle, main: run, runHere, BUNDLE, CACHE };
