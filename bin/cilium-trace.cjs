#!/usr/bin/env node
// Launcher. Start-up is most of the cost of a single trace, so the CLI ships as one bundle
// (dist/cilium-trace.cjs) run with the V8 code cache recorded when it was built
// (dist/cilium-trace.cjs.cache): no module resolution, and almost nothing left to compile.
// Both are made by `npm run build` (the prepare script of `npm ci`). A cache that does not fit
// this Node (another V8 version or flags) is rejected by V8 and the bundle compiles normally;
// without a bundle the launcher runs the compiled modules in dist/src.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const BUNDLE = path.join(__dirname, '..', 'dist', 'cilium-trace.cjs');
const CACHE = `${BUNDLE}.cache`;

/** Compiles and runs the bundle as a CommonJS module; returns its exports and the script. */
function loadBundle(useCache) {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  let cachedData;
  if (useCache) {
    try {
      cachedData = fs.readFileSync(CACHE);
    } catch {
      cachedData = undefined; // no cache: compile as usual
    }
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
    // The bundle's only dynamic import is the Graphviz renderer (-o svg), resolved as usual.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ?? ((specifier) => import(specifier)),
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(BUNDLE), mod, BUNDLE, path.dirname(BUNDLE));
  return { cli: mod.exports, script };
}

async function run() {
  const argv = process.argv.slice(2);
  const { main, processIo } = fs.existsSync(BUNDLE)
    ? loadBundle(true).cli
    : { ...(await import('../dist/src/cli/main.js')), ...(await import('../dist/src/cli/io.js')) };
  process.exitCode = await main(argv, processIo());
}

if (require.main === module) run();
else module.exports = { loadBundle, BUNDLE, CACHE };
