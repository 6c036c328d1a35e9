// What an agent does with an answer its DNS proxy forwarded (src/controlplane/fqdn.ts), held
// to the source of each release: v1.13.0 daemon/cmd/fqdn.go:111 AllocateCIDRsForIPs (one
// CIDR identity per IP, cidr: labels of every prefix length and reserved:world);
// v1.16.15/v1.18.3 pkg/policy/api/fqdn.go IdentityLabel and pkg/ipcache/metadata.go
// resolveIdentity (fqdn:<selector> labels, AddWorldLabel, one identity per label set);
// pkg/fqdn/matchpattern (`*` stays within one label). Only the node that saw the answer learns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import type { FqdnLearned } from '../../src/controlplane/fqdn.js';
import { policyMapName } from '../../src/cilium/releases/map-names.js';
import { releaseOfProfile } from '../../src/cilium/releases/release.js';
import { ipv4 } from '../../src/net/ip.js';
import { parseScenario } from '../../src/scenario/load.js';
import { BASE, podDoc, ep } from './policy-support.js';

const POLICY = `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: egress-fqdn, namespace: default }
spec:
  endpointSelector: { matchLabels: { app: client } }
  egress:
    - toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns } }]
      toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]
    - toFQDNs: [{ matchName: api.github.com }, { matchPattern: "*.github.com" }]
      toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
`;

const PODS = [
  podDoc({ name: 'client', node: 'n1', ip: '10.0.1.10', labels: { app: 'client' } }),
  podDoc({ name: 'client2', node: 'n2', ip: '10.0.2.10', labels: { app: 'client' } }),
].join('');

function cluster(profile: string, learned: readonly FqdnLearned[]): Cluster {
  const s = parseScenario(BASE.replace('cilium: "1.13"', `cilium: "${profile}"`) + PODS + POLICY, 'x.yaml');
  return buildCluster({ ...s, fqdnLearned: learned });
}

const ANSWER: FqdnLearned = { node: 'n1', endpoint: 'default/client', name: 'api.github.com.', ips: [ipv4('140.82.112.6'), ipv4('140.82.112.5')] };

function ipcacheId(c: Cluster, node: string, ip: string): number | undefined {
  const e = c.datapath.nodes.get(node)?.maps.ipcache.lookup(ipv4(ip));
  return e && e.prefix.len === 32 ? e.info.secLabel : undefined;
}

function egressIds(c: Cluster, pod: string): number[] {
  const e = ep(c, pod);
  const pm = c.datapath.nodes.get(e.node.name)?.maps.policy.get(policyMapName(releaseOfProfile(c.scenario.cluster.profile), e.pod.endpointId));
  return [...new Set((pm?.entries() ?? []).filter((x) => x.key.direction === 'egress' && x.key.dport === 443).map((x) => x.key.identity))].sort((a, b) => a - b);
}

describe('toFQDNs from the answers a DNS proxy forwarded', () => {
  it('no answer seen: the selectors select nothing, no /32 in the ipcache, no 443 entry (1.13 and 1.18)', () => {
    for (const p of ['1.13', '1.18']) {
      const c = cluster(p, []);
      assert.deepEqual(c.fqdnIdentities, []);
      assert.equal(ipcacheId(c, 'n1', '140.82.112.6'), undefined);
      assert.deepEqual(egressIds(c, 'client'), []);
    }
  });

  it('v1.13.0 AllocateCIDRsForIPs: one CIDR identity per IP in answer order, cidr: labels of every length and reserved:world', () => {
    const c = cluster('1.13', [ANSWER]);
    assert.deepEqual(c.fqdnIdentities.map((f) => [f.identity, f.labels.includes('cidr:140.82.112.6/32') || f.labels.includes('cidr:140.82.112.5/32'), f.labels.includes('reserved:world'), f.labels.includes('cidr:0.0.0.0/0')]), [[16777217, true, true, true], [16777218, true, true, true]]);
    assert.equal(ipcacheId(c, 'n1', '140.82.112.6'), 16777217);
    assert.equal(ipcacheId(c, 'n1', '140.82.112.5'), 16777218);
    assert.deepEqual(egressIds(c, 'client'), [16777217, 16777218]);
  });

  it('v1.18.3 IdentityLabel: the IPs share one identity of [fqdn:*.github.com fqdn:api.github.com reserved:world]', () => {
    const c = cluster('1.18', [ANSWER]);
    const ids = [...new Set(c.fqdnIdentities.map((f) => f.identity))];
    assert.deepEqual(ids, [16777217]);
    assert.deepEqual(c.identities.labelStrings(16777217), ['fqdn:*.github.com', 'fqdn:api.github.com', 'reserved:world']);
    assert.equal(ipcacheId(c, 'n1', '140.82.112.5'), 16777217);
    assert.deepEqual(egressIds(c, 'client'), [16777217]);
  });

  it('matchpattern.go: *.github.com does not match github.com (one label for *): its address gets no identity', () => {
    const c = cluster('1.18', [ANSWER, { node: 'n1', endpoint: 'default/client', name: 'github.com.', ips: [ipv4('140.82.121.4')] }]);
    assert.equal(ipcacheId(c, 'n1', '140.82.121.4'), undefined, 'no selector matches github.com.');
  });

  it('only the node whose DNS proxy saw the answer learns it: n2 has neither the /32 nor the entries', () => {
    for (const p of ['1.13', '1.18']) {
      const c = cluster(p, [ANSWER]);
      assert.equal(ipcacheId(c, 'n2', '140.82.112.6'), undefined, p);
      assert.deepEqual(egressIds(c, 'client2'), [], p);
      assert.equal(c.datapath.nodes.get('n2')?.maps.ipcache.lookup(ipv4('140.82.112.6'))?.info.secLabel, 2, `${p}: world on n2`);
    }
  });
});
