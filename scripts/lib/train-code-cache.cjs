// Runs the bundle on the default trace, then writes V8's code cache for it: the cache holds
// the functions compiled so far, i.e. the ones a trace needs.
'use strict';
const { writeFileSync } = require('node:fs');
const { loadBundle, CACHE } = require('../../bin/cilium-trace.cjs');

const { cli, script } = loadBundle(false);
const io = { stdout: () => {}, stderr: () => {}, stdoutIsTTY: false, stderrIsTTY: false, env: {} };
cli.main(['pod1', 'pod3', 'icmp'], io).then((code) => {
  if (code !== 0) throw new Error(`training trace exited ${code}`);
  writeFileSync(CACHE, script.createCachedData());
});
