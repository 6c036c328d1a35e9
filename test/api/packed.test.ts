// The package as a user gets it: `npm pack` the project, install the tarball into an empty
// project (the steps of docs/ci.md), run the installed command with `npm exec --no`,
// use the public API from JavaScript and type-check a TypeScript user of it against the
// published declarations. Dependencies come from the npm cache `npm ci` filled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/run-cli.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const USER_JS = `
import { loadCluster, trace, traceWithReply, render, matrix, InputError, RELEASES, TOOL_VERSION } from 'cilium-trace';
const out = [];
const seed = loadCluster();
const t = trace(seed, { src: 'pod1', dst: 'pod3', proto: 'icmp' });
out.push(t.verdict + ' ' + t.context.cilium + ' ' + t.context.profileWhy);
const k8s = loadCluster({ objects: [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.1.0.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.1.1' }] } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', labels: { app: 'a' } }, spec: { nodeName: 'n1' }, status: { phase: 'Running', podIP: '10.1.0.5' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default' }, spec: { nodeName: 'n1' }, status: { phase: 'Running', podIP: '10.1.0.6' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'b-in', namespace: 'default' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
] }, { cilium: '1.16' });
const d = trace(k8s, { src: 'a', dst: 'b', proto: 'tcp/80' });
out.push(d.verdict + ' ' + d.drop.name + ' ' + d.context.cilium);
out.push(JSON.parse(render(d, 'json')).verdict);
out.push(render(d, 'monitor').split('\\n').some((l) => l.startsWith('xx drop (Policy denied)')) ? 'monitor ok' : render(d, 'monitor'));
const both = traceWithReply(seed, { src: 'pod1', dst: 'pod3', proto: 'tcp/80' });
out.push('reply ' + both.reply.verdict);
const m = matrix(k8s, { ports: ['tcp/80'] });
out.push('matrix ' + m.rows.length + 'x' + m.sections[0].columns.length);
try { loadCluster({ texts: [{ name: 'bad.yaml', text: 'kind: Pod\\nmetadata: [\\n' }] }); } catch (e) { out.push(e instanceof InputError ? 'InputError ' + e.problems[0].pos.file : 'other ' + e); }
out.push(RELEASES.map((r) => r.version).join(',') + ' ' + typeof TOOL_VERSION);
console.log(out.join('\\n'));
`;

const USER_TS = `
import { loadCluster, trace, render, type TraceResult, type Cluster, type Flow } from 'cilium-trace';
const c: Cluster = loadCluster({ scenario: 'l3-policy' }, { cilium: '1.18' });
const flow: Flow = { src: 'app2', dst: 'app1', proto: 'tcp/8080' };
const r: TraceResult = trace(c, flow);
const v: 'FORWARDED' | 'DROPPED' | 'NOT_SIMULATED' = r.verdict;
const text: string = render(r, 'text', 'minimal');
// @ts-expect-error: the level is one of detailed, summary, minimal
render(r, 'text', 'loud');
export { v, text };
`;

test('npm pack, install the tarball in a new project, use the API from JS and type-check a TS user', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cilium-trace-api-'));
  try {
    // dist/ is built by `npm test` before the tests run; packing needs no second build.
    execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe' });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack wrote no tarball');
    const user = join(dir, 'user');
    execFileSync('mkdir', ['-p', user]);
    writeFileSync(join(user, 'package.json'), JSON.stringify({ name: 'api-user', private: true, type: 'module', dependencies: { 'cilium-trace': `file:../${tgz}` } }));
    execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: user, stdio: 'pipe' });
    writeFileSync(join(user, 'use.mjs'), USER_JS);
    const out = execFileSync(process.execPath, ['use.mjs'], { cwd: user, encoding: 'utf8' });
    assert.equal(out, [
      'FORWARDED v1.13.0 cluster.cilium "1.13"',
      'DROPPED POLICY_DENIED v1.16.15',
      'DROPPED',
      'monitor ok',
      'reply FORWARDED',
      'matrix 2x2',
      'InputError bad.yaml',
      'v1.13.0,v1.16.15,v1.18.3 string',
      '',
    ].join('\n'));
    // docs/ci.md: the installed command, run with npx --no (never a download).
    const check = execFileSync(npm, ['exec', '--no', '--', 'cilium-trace', 'check', '-f', join(ROOT, 'scenarios', 'ci-example', 'cluster.yaml'), '-f', join(ROOT, 'scenarios', 'ci-example', 'before'), '-e', join(ROOT, 'scenarios', 'ci-example', 'expectations.yaml'), '-o', 'json'], { cwd: user, encoding: 'utf8' });
    assert.equal(JSON.parse(check).summary.failed, 0);
    writeFileSync(join(user, 'use.ts'), USER_TS);
    writeFileSync(join(user, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['use.ts'] }));
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: user, stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
