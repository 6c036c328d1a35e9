#!/usr/bin/env node
// Launcher. Start-up is most of the cost of a single trace, so the CLI ships bundled
// (scripts/bundle.mjs): dist/cilium-trace.cjs holds what a trace needs and runs with the V8
// code cache recorded when it was built (dist/cilium-trace.cjs.cache), so there is no module
// resolution and almost nothing left to compile; dist/cilium-trace-extra.cjs holds the
// subcommands and other formats and is loaded only when one is used. `npm run build` (the
// prepare script of `npm ci`) makes them. A cache that does not fit this Node (another V8
// version or flags) is rejected by V8 and the bundle compiles normally; without a bundle the
// launcher runs the compiled modules in dist/src.
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

async function run() {
  const argv = process.argv.slice(2);
  const { main, processIo } = fs.existsSync(BUNDLE)
    ? loadBundle(true).cli
    : { ...(await import('../dist/src/cli/main.js')), ...(await import('../dist/src/cli/io.js')) };
  process.exitCode = await main(argv, processIo());
}

if (require.main === module) run();
else module.exports = { loadBundle, main: run, BUNDLE, CACHE };
