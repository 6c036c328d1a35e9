// Issue 16 (CI): `check --golden` compares a normalised form, so a golden changes only when
// the path does. Adding an unrelated pod (it takes an earlier ifindex and endpoint id on its
// node) or a namespace label (identities, and so VNIs, are reallocated) must not change
// another flow's golden; `--golden-exact` keeps today's form, where both do.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, runCli } from '../support/run-cli.js';
import { CI } from './golden-support.js';

const dir = mkdtempSync(join(tmpdir(), 'ct-golden-normal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const base = readFileSync(join(ROOT, CI, 'cluster.yaml'), 'utf8');
const EXP = ['-e', `${CI}/expectations.yaml`];
const POL = ['-f', `${CI}/before`];
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const PLAIN = write('plain.yaml', base);
// An unrelated pod first on node-a, and one on node-b: every later veth gets another ifindex and endpoint id.
const MORE_PODS = write('more-pods.yaml', base.replace('pods:\n', 'pods:\n  - { name: aaa-debug, namespace: default, node: node-a, ip: 10.20.0.5, labels: { app: debug } }\n  - { name: aaa-debug-b, namespace: default, node: node-b, ip: 10.20.1.5, labels: { app: debug } }\n'));
const NS_LABEL = write('ns-label.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop, labels: { team: web } }\n');

async function goldens(files: readonly string[], exact: boolean): Promise<Map<string, string>> {
  const g = mkdtempSync(join(dir, 'g-'));
  const r = await runCli(['check', ...files.flatMap((f) => ['-f', f]), ...POL, ...EXP, '--golden', g, '--update', ...(exact ? ['--golden-exact'] : [])]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const names = ['api-to-db', 'frontend-not-to-db', 'frontends-across-nodes', 'frontend-to-api-service', 'kubelet-probes-db'];
  return new Map(names.map((n) => [n, readFileSync(join(g, `${n}.txt`), 'utf8')]));
}

describe('check --golden: the normalised golden form', () => {
  it('an unrelated pod does not change another flow\'s golden; in the exact form it does', async () => {
    const [a, b, ea, eb] = await Promise.all([goldens([PLAIN], false), goldens([MORE_PODS], false), goldens([PLAIN], true), goldens([MORE_PODS], true)]);
    for (const [n, text] of a) assert.equal(b.get(n), text, n);
    assert.notDeepEqual([...ea.values()], [...eb.values()], 'the exact form carries the shifted ifindexes');
    assert.match(a.get('api-to-db') ?? '', /redirect_peer ifindex \[shop\/db-0\] lxc\[shop\/db-0\]\n/);
  });

  it('a namespace label does not change another flow\'s golden (identities and VNIs by their labels)', async () => {
    const [a, b, ea, eb] = await Promise.all([goldens([PLAIN], false), goldens([PLAIN, NS_LABEL], false), goldens([PLAIN], true), goldens([PLAIN, NS_LABEL], true)]);
    for (const [n, text] of a) assert.equal(b.get(n), text, n);
    assert.notEqual(ea.get('frontend-not-to-db'), eb.get('frontend-not-to-db'), 'the exact form carries the reallocated identity');
    assert.match(a.get('frontend-not-to-db') ?? '', /encap vxlan vni \[shop app=frontend\] 192\.168\.10\.11 > 192\.168\.10\.12:8472\n/);
  });

  it('the shipped goldens are the normalised form; --golden-exact against them differs, exit 1', async () => {
    const ok = await runCli(['check', '-f', `${CI}/cluster.yaml`, ...POL, ...EXP, '--golden', `${CI}/goldens`]);
    assert.equal(ok.code, 0, ok.stdout);
    const exact = await runCli(['check', '-f', `${CI}/cluster.yaml`, ...POL, ...EXP, '--golden', `${CI}/goldens`, '--golden-exact']);
    assert.equal(exact.code, 1);
    assert.match(exact.stdout, /\n-  node-a shop\/api-1 netns kernel: tx eth0 → veth peer lxc\[shop\/api-1\] \(ifindex \[shop\/api-1\]\)\n/);
    assert.match(exact.stdout, /\n\+  node-a shop\/api-1 netns kernel: tx eth0 → veth peer lxc[0-9a-f]+ \(ifindex \d+\)\n/);
    const usage = await runCli(['check', '-f', `${CI}/cluster.yaml`, ...POL, ...EXP, '--golden-exact']);
    assert.equal(usage.code, 2);
  });
});
