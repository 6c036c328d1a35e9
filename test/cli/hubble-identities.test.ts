// Review row 13: Hubble takes the datapath's label or, when it is 0, the observing node's
// ipcache identity of the address. The outer header of a VXLAN packet is node to node: host
// on the node that owns the address, remote-node on the other, never the inner pod's identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';

interface Flow {
  readonly IP: { readonly source: string; readonly destination: string };
  readonly source: { readonly identity: number; readonly labels: readonly string[] };
  readonly destination: { readonly identity: number; readonly labels: readonly string[] };
  readonly node_name: string;
}

test('pkg/hubble/parser/common/endpoint.go:48-53, :88-94 (v1.13.0): datapath label 0, so the ipcache identity: the outer VXLAN packet 1.2.3.167 > 1.2.3.168 is host -> remote-node on node1 and remote-node -> host on node2', async () => {
  const run = await runCli(['pod1', 'pod3', 'icmp', '-o', 'hubble']);
  assert.equal(run.code, 0, run.stderr);
  const flows = run.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { flow: Flow }).flow);
  const outer = flows.filter((f) => f.IP.source === '1.2.3.167' && f.IP.destination === '1.2.3.168');
  assert.ok(outer.length >= 2, 'events on the outer packet on both nodes');
  for (const f of outer) {
    const [src, dst] = f.node_name === 'node1' ? [1, 6] : [6, 1];
    assert.equal(f.source.identity, src, `${f.node_name} source`);
    assert.equal(f.destination.identity, dst, `${f.node_name} destination`);
  }
  assert.deepEqual(outer.find((f) => f.node_name === 'node2')?.destination.labels, ['reserved:host']);
  const inner = flows.filter((f) => f.IP.source === '10.0.0.157');
  assert.ok(inner.every((f) => f.source.identity === 47204 && f.destination.identity === 14753));
});
