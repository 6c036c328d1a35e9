// Entities (semantic 4) and CIDR rules (semantic 5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOCAL_IDENTITY_FLAG } from '../../src/cilium/identities.js';
import { formatPrefix, ipv4, prefix } from '../../src/net/ip.js';
import { subtractPrefixes } from '../../src/controlplane/cidr.js';
import { absent, allows, build, cnp, idOf, key, TCP, trace, verdict, type PodDef } from './policy-support.js';

const PODS: PodDef[] = [
  { name: 'server', ip: '10.0.1.10', labels: { app: 'server' } },
  { name: 'client', node: 'n2', ip: '10.0.2.10', labels: { app: 'client' } },
];

function egressEntities(entity: string) {
  return build(PODS, cnp('ent', `
    endpointSelector: { matchLabels: { app: server } }
    egress: [{ toEntities: [${entity}] }]
  `));
}

const egressIds = (c: ReturnType<typeof build>) => c.endpoints.find((e) => e.pod.name === 'server')!.policy.entries.filter((e) => e.key.direction === 'egress').map((e) => e.key.identity);

// https://docs.cilium.io/en/v1.13/security/policy/language/#entities-based — the entities
// and what they select (pkg/policy/api/entity.go EntitySelectorMapping, InitEntities).
test('entities: host, remote-node (6 and kube-apiserver 7), health, init, unmanaged, kube-apiserver, ingress', () => {
  assert.deepEqual(egressIds(egressEntities('host')), [1]);
  assert.deepEqual(egressIds(egressEntities('remote-node')), [6, 7]);
  assert.deepEqual(egressIds(egressEntities('health')), [4]);
  assert.deepEqual(egressIds(egressEntities('init')), [5]);
  assert.deepEqual(egressIds(egressEntities('unmanaged')), [3]);
  assert.deepEqual(egressIds(egressEntities('kube-apiserver')), [7]);
  assert.deepEqual(egressIds(egressEntities('ingress')), [8]);
});

test('entities: all is the wildcard (identity 0), cluster is the reserved in-cluster identities plus every pod of the cluster', () => {
  assert.deepEqual(egressIds(egressEntities('all')), [0]);
  const c = egressEntities('cluster');
  assert.deepEqual(egressIds(c), [1, 3, 4, 5, 6, 7, 8, idOf(c, 'client'), idOf(c, 'server')].sort((a, b) => a - b));
  assert.equal(verdict(trace(c, 'server', 'client', 'tcp', 5000)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'server', '8.8.8.8', 'tcp', 443)), 133);
});

test('entities: world is reserved:world and every CIDR identity (they carry reserved:world)', () => {
  const c = build(PODS, cnp('world', `
    endpointSelector: { matchLabels: { app: server } }
    egress:
      - toEntities: [world]
      - toCIDR: [203.0.113.0/24]
        toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
  `));
  const cidrId = c.cidrIdentities[0]!.identity;
  allows(c, 'server', key(2, 0, 0, 'egress'));
  allows(c, 'server', key(cidrId, 0, 0, 'egress'));
  assert.equal(verdict(trace(c, 'server', '8.8.8.8', 'tcp', 53)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'server', 'client', 'tcp', 80)), 133, 'world does not cover pods');
});

// https://docs.cilium.io/en/v1.13/security/policy/language/#ip-cidr-based — toCIDRSet with
// except; Cilium computes cidr minus excepts as a list of prefixes
// (pkg/policy/api/cidr.go ComputeResultantCIDRSet), allocates a local CIDR identity for each
// and upserts it into the ipcache, where the longest prefix wins.
test('CIDR set difference: cidr minus excepts is the minimal list of prefixes', () => {
  const text = (c: string, ex: string[]) => subtractPrefixes(prefix(c), ex.map((e) => prefix(e))).map(formatPrefix);
  assert.deepEqual(text('10.0.0.0/8', ['10.96.0.0/12']), ['10.0.0.0/10', '10.64.0.0/11', '10.112.0.0/12', '10.128.0.0/9']);
  assert.deepEqual(text('192.168.0.0/24', ['192.168.0.0/24']), []);
  assert.deepEqual(text('192.168.0.0/24', []), ['192.168.0.0/24']);
});

test('CIDR with except: local identities, cidr: labels for every prefix length, ipcache prefixes on every node, verdicts by LPM', () => {
  const c = build(PODS, cnp('cidr', `
    endpointSelector: { matchLabels: { app: server } }
    egress:
      - toCIDRSet: [{ cidr: 172.16.0.0/12, except: [172.20.0.0/14] }]
        toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
  `));
  const prefixes = c.cidrIdentities.map((x) => formatPrefix(x.prefix));
  assert.deepEqual(prefixes, ['172.16.0.0/14', '172.24.0.0/13']);
  assert.deepEqual(c.cidrIdentities.map((x) => x.identity), [LOCAL_IDENTITY_FLAG + 1, LOCAL_IDENTITY_FLAG + 2]);
  const labels = c.identities.labelStrings(LOCAL_IDENTITY_FLAG + 1) ?? [];
  assert.equal(labels.length, 16); // cidr:…/0 … /14 and reserved:world
  assert.ok(labels.includes('cidr:172.16.0.0/12') && labels.includes('cidr:0.0.0.0/0') && labels.includes('reserved:world'));
  for (const n of ['n1', 'n2']) {
    const ipc = c.datapath.nodes.get(n)!.maps.ipcache;
    assert.equal(ipc.lookup(ipv4('172.17.1.1'))?.info.secLabel, LOCAL_IDENTITY_FLAG + 1);
    assert.equal(ipc.lookup(ipv4('172.21.1.1'))?.info.secLabel, 2, 'the except range stays world');
  }
  allows(c, 'server', key(LOCAL_IDENTITY_FLAG + 1, 443, TCP, 'egress'));
  allows(c, 'server', key(LOCAL_IDENTITY_FLAG + 2, 443, TCP, 'egress'));
  assert.equal(verdict(trace(c, 'server', '172.17.1.1', 'tcp', 443)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'server', '172.21.1.1', 'tcp', 443)), 133);
});

test('CIDR selectors select the CIDR identities inside them, never pods; 0.0.0.0/0 also selects world', () => {
  const c = build(PODS, cnp('cidrs', `
    endpointSelector: { matchLabels: { app: server } }
    egress:
      - toCIDR: [10.0.0.0/8]
        toPorts: [{ ports: [{ port: "1", protocol: TCP }] }]
      - toCIDR: [10.1.2.0/24]
        toPorts: [{ ports: [{ port: "2", protocol: TCP }] }]
      - toCIDR: [0.0.0.0/0]
        toPorts: [{ ports: [{ port: "3", protocol: TCP }] }]
  `));
  const id = (p: string) => c.cidrIdentities.find((x) => formatPrefix(x.prefix) === p)!.identity;
  allows(c, 'server', key(id('10.0.0.0/8'), 1, TCP, 'egress'));
  allows(c, 'server', key(id('10.1.2.0/24'), 1, TCP, 'egress'));
  allows(c, 'server', key(id('10.1.2.0/24'), 2, TCP, 'egress'));
  absent(c, 'server', key(id('10.0.0.0/8'), 2, TCP, 'egress'));
  for (const x of [2, id('10.0.0.0/8'), id('10.1.2.0/24')]) allows(c, 'server', key(x, 3, TCP, 'egress'));
  absent(c, 'server', key(idOf(c, 'client'), 1, TCP, 'egress'));
  // The client's /32 wins over 10.0.0.0/8 in the ipcache: the CIDR rule does not reach it.
  assert.equal(verdict(trace(c, 'server', 'client', 'tcp', 1)), 133);
  assert.equal(verdict(trace(c, 'server', '10.9.9.9', 'tcp', 1)), 'FORWARDED');
});

// Cilium PR #14516 (v1.10+): "ExceptCIDRs contains the CIDR itself. In this case nothing
// should be allowed" — not every peer, as a rule without any L3 peer would.
test('CIDR whose excepts cover it all: the rule allows nothing (it does not become "every peer")', () => {
  const c = build(PODS, cnp('nothing', `
    endpointSelector: { matchLabels: { app: server } }
    egress:
      - toCIDRSet: [{ cidr: 10.0.0.0/8, except: [10.0.0.0/8] }]
        toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
  `));
  assert.deepEqual(egressIds(c), []);
  assert.deepEqual(c.cidrIdentities, []);
  assert.equal(verdict(trace(c, 'server', '8.8.8.8', 'tcp', 443)), 133);
});
