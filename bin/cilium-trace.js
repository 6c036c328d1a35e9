#!/usr/bin/env node
// Launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { main } from '../dist/src/cli/main.js';
import { processIo } from '../dist/src/cli/io.js';

main(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
