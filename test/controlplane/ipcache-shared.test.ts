// The shared ipcache (one table, endpoint entries made on demand, each node's own entries
// laid over it) must read exactly like a cilium_ipcache filled node by node in the agent's
// order: world, policy CIDRs, node addresses, endpoints. Here a policy names a pod's own
// address as a /32 CIDR, so an endpoint entry replaces an earlier write of its prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_ID, REMOTE_NODE_ID, WORLD_ID } from '../../src/cilium/identities.js';
import type { Cluster } from '../../src/controlplane/cluster.js';
import { formatRemoteEndpointInfo, IpcacheMap, type IpcacheEntry, type RemoteEndpointInfo } from '../../src/maps/ipcache.js';
import { formatPrefix, IP_ZERO, ipv4, type Ipv4, type Ipv4Prefix } from '../../src/net/ip.js';
import { build, cnp, type PodDef } from './policy-support.js';

const PODS: PodDef[] = [
  { name: 'server', ip: '10.0.1.10', labels: { app: 'server' } },
  { name: 'other', ip: '10.0.1.11', labels: { app: 'other' } },
  { name: 'client', node: 'n2', ip: '10.0.2.10', labels: { app: 'client' } },
];

/** The agent's fill sequence, replayed into one plain map for `node`. */
function filledNodeByNode(c: Cluster, node: string): IpcacheMap {
  const m = new IpcacheMap();
  const put = (prefix: Ipv4Prefix, info: RemoteEndpointInfo, kind: 'reserved' | 'policy' | 'node' | 'pod'): void =>
    m.upsert({ prefix, info, provenance: { kind, what: '' } as IpcacheEntry['provenance'] });
  const host = (ip: Ipv4): Ipv4Prefix => ({ addr: ip, len: 32 });
  put({ addr: IP_ZERO, len: 0 }, { secLabel: WORLD_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, 'reserved');
  for (const ci of c.cidrIdentities) put(ci.prefix, { secLabel: ci.identity, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, 'policy');
  for (const n of c.scenario.nodes) {
    const own = n.name === node;
    put(host(n.ip), { secLabel: own ? HOST_ID : REMOTE_NODE_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 }, 'node');
    put(host(n.ciliumHostIp), own ? { secLabel: HOST_ID, tunnelEndpoint: IP_ZERO, key: 0, nodeId: 0 } : { secLabel: REMOTE_NODE_ID, tunnelEndpoint: n.ip, key: 0, nodeId: n.nodeId }, 'node');
  }
  for (const e of c.endpoints) {
    const own = e.node.name === node;
    put(host(e.pod.ip), { secLabel: e.identity, tunnelEndpoint: own ? IP_ZERO : e.node.ip, key: 0, nodeId: own ? 0 : e.node.nodeId }, 'pod');
  }
  return m;
}

const rows = (entries: readonly IpcacheEntry[]): string[] => entries.map((e) => `${formatPrefix(e.prefix)} ${formatRemoteEndpointInfo(e.info)} ${e.provenance.kind}`);

test('the shared ipcache reads like one filled node by node', () => {
  const c = build(PODS, cnp('to-server', `
    endpointSelector: { matchLabels: { app: client } }
    egress:
      - toCIDR: [10.0.1.10/32, 10.0.1.0/24, 203.0.113.7/32]
  `));
  assert.ok(c.cidrIdentities.some((ci) => formatPrefix(ci.prefix) === '10.0.1.10/32'), 'the pod address is a policy CIDR');
  const probes = ['10.0.1.10', '10.0.1.11', '10.0.1.99', '10.0.2.10', '192.168.0.1', '192.168.0.2', '203.0.113.7', '203.0.113.8', '8.8.8.8'].map(ipv4);
  for (const name of ['n1', 'n2']) {
    const want = filledNodeByNode(c, name);
    const got = c.datapath.nodes.get(name)?.maps.ipcache;
    assert.ok(got);
    assert.deepEqual(rows(got.entries()), rows(want.entries()), name);
    assert.equal(got.dump(), got.dump());
    for (const ip of probes) {
      const g = got.lookup(ip);
      const w = want.lookup(ip);
      assert.deepEqual(g && rows([g]), w && rows([w]), `${name} lookup ${ip}`);
    }
  }
});
