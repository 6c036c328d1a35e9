// The upgrade view without -p: the connections over all ports that change between releases
// (here endPort: pruned by v1.13.0's CRD, pkg/policy/api/l4.go:27-47; honoured from 1.16), and
// the pointer to the traced form (-p), which names the release feature behind each cell.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'upgrade-ports-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'cluster.yaml');
writeFileSync(file, `apiVersion: cilium-trace/v1
kind: Scenario
metadata: { name: ranges }
nodes:
  - { name: n1, ip: 192.168.0.1, podCIDR: 10.0.1.0/24 }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: default, labels: { app: client } }
spec: { nodeName: n1, containers: [{ name: c }] }
status: { podIP: 10.0.1.10 }
---
apiVersion: v1
kind: Pod
metadata: { name: server, namespace: default, labels: { app: server } }
spec: { nodeName: n1, containers: [{ name: c }] }
status: { podIP: 10.0.1.20 }
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: range, namespace: default }
spec:
  endpointSelector: { matchLabels: { app: server } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: client } }]
      toPorts: [{ ports: [{ port: "8000", endPort: 8099, protocol: TCP }] }]
`);

test('diff --cilium 1.13 --cilium2 1.18 without -p: the range 8001-8099 is added; the traced form is named for the reasons', async () => {
  const r = await runCli(['diff', '--cilium', '1.13', '--cilium2', '1.18', '-f', file]);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.stdout.includes('+ default/client => default/server : TCP 8001-8099\n'), r.stdout);
  assert.ok(r.stdout.endsWith('which change of Cilium made each difference: the same command with -p PROTO/PORT for a port above (the traced cells name the release feature behind each)\n'));
  const p = await runCli(['diff', '--cilium', '1.13', '--cilium2', '1.18', '-f', file, '-p', 'tcp/8050']);
  assert.equal(p.code, 1);
  assert.match(p.stdout, /port-ranges \(1\.16\.0/);
});
