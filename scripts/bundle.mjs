#!/usr/bin/env node
// npm run build, after tsc: bundles the compiled CLI (dist/src) in two parts and records
// V8's code cache for the first by running a typical trace. bin/cilium-trace.cjs runs them;
// see the comment there for why.
//   dist/cilium-trace.cjs        the core: what a trace needs (main, loader, control plane,
//                                datapath, text renderer), read and run at every start;
//   dist/cilium-trace-extra.cjs  everything main.ts and the renderers load with import():
//                                subcommands, other output formats, step mode, explanations,
//                                chalk. Loaded on first use; it shares the core's module
//                                instances (one InputError class, one commander) through
//                                a registry of them the core exports.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CORE = join(ROOT, 'dist', 'cilium-trace.cjs');
const EXTRA = join(ROOT, 'dist', 'cilium-trace-extra.cjs');
const ENTRY = "export { main } from './dist/src/cli/main.js';\nexport { processIo } from './dist/src/cli/io.js';\n";

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

/** A module's name in the registry: its path in the package, or a package name. */
const moduleName = (path) => relative(ROOT, path).split('\\').join('/');

/** Core: every import() is left to the extra part, through __cilium_trace_extra(name). */
const deferImports = {
  name: 'defer-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => {
      if (a.kind !== 'dynamic-import' || a.path === '@hpcc-js/wasm-graphviz') return undefined;
      const name = a.path.startsWith('.') ? moduleName(resolve(a.resolveDir, a.path)) : a.path;
      return { path: name, namespace: 'extra' };
    });
    b.onLoad({ filter: /.*/, namespace: 'extra' }, (a) => ({ contents: `module.exports = __cilium_trace_extra(${JSON.stringify(a.path)});\n`, loader: 'js' }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Loaded on first use from node_modules: yaml when a file needs the full YAML parser,
  // ip-address to recognise IPv6 in error paths, Graphviz for -o svg, fflate for a zip input.
  external: ['yaml', 'ip-address', '@hpcc-js/wasm-graphviz', 'fflate'],
  // Smaller source to read and hash at start-up; names are kept for --debug stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // The modules find the package root and load `yaml` relative to their own URL.
  define: { 'import.meta.url': '__cilium_trace_url' },
  banner: { js: "var __cilium_trace_url = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

// 1. Which modules the core holds and which it defers (a dry run).
const dry = await build({ ...common, stdin: { contents: ENTRY, resolveDir: ROOT, sourcefile: 'cli-entry.js' }, write: false, metafile: true, outfile: CORE, plugins: [noChildProcess, deferImports] });
const coreFiles = Object.keys(dry.metafile.inputs).filter((f) => f.startsWith('dist/src/'));
const corePackages = [...new Set(Object.keys(dry.metafile.inputs).flatMap((f) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []))];
const inCore = new Map([...coreFiles.map((f) => [f, `./${f}`]), ...corePackages.map((p) => [p, p])]);
const deferred = [...dry.outputFiles[0].text.matchAll(/__cilium_trace_extra\("([^"]+)"\)/g)].map((m) => m[1]).filter((n, i, all) => all.indexOf(n) === i);
/** The core modules the extra part imports: the core exports these (and only these) to it. */
const shared = new Set();

// 2. The extra part: each module the core defers, with the core's modules taken from it.
const fromCore = {
  name: 'from-core',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => {
      if (a.kind === 'entry-point' || a.namespace === 'core') return undefined;
      const name = a.path.startsWith('.') ? moduleName(resolve(a.resolveDir, a.path)) : a.path;
      if (!inCore.has(name)) return undefined;
      shared.add(name);
      return { path: name, namespace: 'core' };
    });
    b.onLoad({ filter: /.*/, namespace: 'core' }, (a) => ({ contents: `module.exports = __cilium_trace_core.modules[${JSON.stringify(a.path)}];\n`, loader: 'js' }));
  },
};

/**
 * The Graphviz renderer is an ES module, loaded with import(). Run by vm.Script, the bundle's
 * own import() would need Node's experimental loader hooks, so the launcher's import() is
 * used: `__cilium_trace_core.importPackage(name)`.
 */
const launcherImport = {
  name: 'launcher-import',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/].*\.js$/ }, (a) => {
      const text = readFileSync(a.path, 'utf8');
      return { contents: text.replace(/\bimport\((['"])(@hpcc-js\/wasm-graphviz)\1\)/g, '__cilium_trace_core.importPackage($1$2$1)'), loader: 'js' };
    });
  },
};
const extraEntry = deferred.map((n, i) => `import * as m${i} from ${JSON.stringify(n.startsWith('dist/') ? `./${n}` : n)};`).join('\n')
  + `\nexport const modules = { ${deferred.map((n, i) => `${JSON.stringify(n)}: m${i}`).join(', ')} };\n`;
await build({ ...common, stdin: { contents: extraEntry, resolveDir: ROOT, sourcefile: 'cli-extra-entry.js' }, outfile: EXTRA, plugins: [noChildProcess, fromCore, launcherImport] });
if (!readFileSync(EXTRA, 'utf8').includes('__cilium_trace_core.importPackage(')) throw new Error('bundle: the Graphviz import was not found in the extra part');

// 3. The core, with a registry of the modules the extra part shares.
const registered = [...shared].sort();
const registry = registered.map((name, i) => `import * as m${i} from ${JSON.stringify(inCore.get(name))};`).join('\n')
  + `\nexport const modules = { ${registered.map((name, i) => `${JSON.stringify(name)}: m${i}`).join(', ')} };\n`;
await build({ ...common, stdin: { contents: ENTRY + registry, resolveDir: ROOT, sourcefile: 'cli-entry.js' }, outfile: CORE, plugins: [noChildProcess, deferImports] });

// esbuild escapes non-ASCII text in strings but leaves it in regular expression literals.
// Escaped there too (one \uXXXX per UTF-16 unit, which means the same in every regex mode),
// the bundles are pure ASCII and the launcher reads them as latin1: a plain copy, no decoding.
// Each file is written as the function expression the launcher runs (CommonJS's wrapper plus
// the link between the two parts), so V8 compiles the text as read, without a copy.
for (const [file, param] of [[CORE, '__cilium_trace_extra'], [EXTRA, '__cilium_trace_core']]) {
  const ascii = readFileSync(file, 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(file, `(function (exports, require, module, __filename, __dirname, ${param}) {${ascii}\n})`, 'latin1');
}

rmSync(`${CORE}.cache`, { force: true });
const train = spawnSync(process.execPath, [join(ROOT, 'scripts', 'lib', 'train-code-cache.cjs')], { stdio: 'inherit' });
if (train.status !== 0) {
  // The launcher runs the bundle without a cache; only start-up is slower.
  process.stderr.write('bundle: no code cache recorded (the CLI still works, it starts slower)\n');
}
