// The datapath side of policy per release: __policy_can_access of bpf/lib/policy.h, the
// lookups it makes (LPM key with prefix length, the entry hit) and which rule of precedence
// picked the verdict, for the same policies under 1.13 (v1.13.0), 1.16 (v1.16.15) and 1.18
// (v1.18.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { TraceNode, TraceResult } from '../../src/trace/tree.js';
import { BASE, cnp, idOf, podDoc, trace, verdict, type PodDef } from '../controlplane/policy-support.js';

type Profile = '1.13' | '1.16' | '1.18';

const PODS: PodDef[] = [
  { name: 'web1', ip: '10.0.1.10', labels: { app: 'web' } },
  { name: 'client', ip: '10.0.1.20', labels: { app: 'client' } },
];

function build(profile: Profile, ...docs: string[]): Cluster {
  const base = BASE.replace('cilium: "1.13"', `cilium: "${profile}"`);
  return buildCluster(parseScenario(base + PODS.map(podDoc).join('') + docs.map((d) => `---\n${d}`).join('\n'), 'x.yaml'));
}

/** The ingress policy lookup of a trace: its lookups (`KEY → RESULT`) and notes, in order. */
function ingressLookup(r: TraceResult): string[] {
  const out: string[] = [];
  const walk = (n: TraceNode, inIngress: boolean): void => {
    const here = inIngress || (n.kind === 'fn' && /^policy_can_(access_)?ingress/.test(n.fn));
    if (here && n.kind === 'lookup' && n.map.startsWith('cilium_policy_')) out.push(`${n.key} → ${n.result ?? 'miss'}`);
    if (here && n.kind === 'note') out.push(n.text);
    if ('children' in n) for (const c of n.children) walk(c, here);
  };
  for (const h of r.hops) walk(h, false);
  return out;
}

/**
 * bpf_lxc.ts is another helper's: until it follows v1.18.3 (policy_clear_mark is gone there),
 * a strict trace under 1.18 stops before the policy lookup. Such tests stay visible as todo;
 * an uncited frame of this model (__policy_can_access, policy_can_*) still fails them.
 */

const RANGE = cnp('range', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "8080", endPort: 8095, protocol: TCP }] }]
  `);

test('v1.16.15 bpf/lib/policy.h:109-144: a port range 8080-8095 probed outside, at both edges and inside', () => {
  const c = build('1.16', RANGE);
  const id = idOf(c, 'client');
  for (const port of [8079, 8096]) {
    const r = trace(c, 'client', 'web1', 'tcp', port);
    assert.equal(verdict(r), 133, `port ${port}`);
    assert.deepEqual(ingressLookup(r), [`Ingress: ${id} ${port}/TCP (prefix 24) → miss`, `Ingress: 0 ${port}/TCP (prefix 24) → miss`]);
  }
  for (const port of [8080, 8087, 8095]) {
    const r = trace(c, 'client', 'web1', 'tcp', port);
    assert.equal(verdict(r), 'FORWARDED', `port ${port}`);
    assert.deepEqual(ingressLookup(r), [
      `Ingress: ${id} ${port}/TCP (prefix 24) → Ingress: ${id} 8080-8095/TCP (prefix 20): Allow proxy_port=NONE lpm_prefix_length=20`,
      `Ingress: 0 ${port}/TCP (prefix 24) → miss`,
      'only the L3 entry matched (policy.h:139-144)',
      // v1.16.15 calls an L3 hit below the full prefix L3-Proto, a range included (policy.h:139-142).
      'match L3-Proto',
      'the entry covers ports 8080-8095/TCP (a port prefix of an endPort range)',
    ]);
  }
});

test('v1.18.3 bpf/lib/policy.h:228-246: the same range matches L3-L4 (prefix 20 > LPM_PROTO_PREFIX_BITS)', () => {
  const c = build('1.18', RANGE);
  const id = idOf(c, 'client');
  for (const port of [8079, 8096]) assert.equal(verdict(trace(c, 'client', 'web1', 'tcp', port)), 133, `port ${port}`);
  for (const port of [8080, 8095]) {
    const r = trace(c, 'client', 'web1', 'tcp', port);
    assert.equal(verdict(r), 'FORWARDED', `port ${port}`);
    assert.deepEqual(ingressLookup(r), [
      `Ingress: ${id} ${port}/TCP (prefix 24) → Ingress: ${id} 8080-8095/TCP (prefix 20): Allow proxy_port=NONE lpm_prefix_length=20`,
      `Ingress: 0 ${port}/TCP (prefix 24) → miss`,
      'only the L3 entry matched (policy.h:228-230)',
      'match L3-L4',
      'the entry covers ports 8080-8095/TCP (a port prefix of an endPort range)',
    ]);
  }
});

test('v1.13.0 bpf/lib/policy.h __policy_can_access: endPort pruned, 8080 allowed by probe 1, 8081 dropped after six misses', () => {
  const c = build('1.13', RANGE);
  assert.equal(verdict(trace(c, 'client', 'web1', 'tcp', 8080)), 'FORWARDED');
  const r = trace(c, 'client', 'web1', 'tcp', 8081);
  assert.equal(verdict(r), 133);
  assert.equal(ingressLookup(r).length, 6);
});

test('v1.16.15 bpf/lib/policy.h:114-119: an L3-L4 allow is a full-prefix L3 hit, no L4-only lookup', () => {
  const c = build('1.16', cnp('l3l4', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `));
  const id = idOf(c, 'client');
  const r = trace(c, 'client', 'web1', 'tcp', 80);
  assert.equal(verdict(r), 'FORWARDED');
  assert.deepEqual(ingressLookup(r), [
    `Ingress: ${id} 80/TCP (prefix 24) → Ingress: ${id} 80/TCP (prefix 24): Allow proxy_port=NONE lpm_prefix_length=24`,
    'lpm_prefix_length 24 = LPM_FULL_PREFIX_BITS: a full L3/L4 match, no L4-only lookup (policy.h:114-119)',
    'match L3-L4',
  ]);
});

// An L4-only allow on 80/TCP with an L3 deny of the client: denied in every release, by
// a different entry and rule each time.
const L4_ALLOW_L3_DENY = cnp('deny', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
  `);

test('v1.13.0 bpf/lib/policy.h: the L4-only allow with an L3 deny is denied by the {id, 80, TCP} deny companion (probe 1)', () => {
  const c = build('1.13', L4_ALLOW_L3_DENY);
  const r = trace(c, 'client', 'web1', 'tcp', 80);
  assert.equal(verdict(r), 181);
  assert.deepEqual(ingressLookup(r), [`{identity=${idOf(c, 'client')} dport=80 proto=TCP ingress} → Deny proxy_port=NONE`]);
});

test('v1.16.15 bpf/lib/policy.h:114-119: the deny companion {id, 80/TCP} is a full-prefix L3 hit: DROP_POLICY_DENY', () => {
  const c = build('1.16', L4_ALLOW_L3_DENY);
  const id = idOf(c, 'client');
  const r = trace(c, 'client', 'web1', 'tcp', 80);
  assert.equal(verdict(r), 181);
  assert.deepEqual(ingressLookup(r), [
    `Ingress: ${id} 80/TCP (prefix 24) → Ingress: ${id} 80/TCP (prefix 24): Deny proxy_port=NONE lpm_prefix_length=24`,
    'lpm_prefix_length 24 = LPM_FULL_PREFIX_BITS: a full L3/L4 match, no L4-only lookup (policy.h:114-119)',
    'match L3-L4',
  ]);
  // Another client port is not allowed by the L4-only entry: the L3 deny is the only hit.
  const other = trace(c, 'client', 'web1', 'tcp', 81);
  assert.equal(verdict(other), 181);
});

test('v1.18.3 bpf/lib/policy.h:205-209: the L3 deny {id, ANY} wins at once, no L4-only lookup', () => {
  const c = build('1.18', L4_ALLOW_L3_DENY);
  const id = idOf(c, 'client');
  const r = trace(c, 'client', 'web1', 'tcp', 80);
  assert.equal(verdict(r), 181);
  assert.deepEqual(ingressLookup(r), [
    `Ingress: ${id} 80/TCP (prefix 24) → Ingress: ${id} ANY (prefix 0): Deny proxy_port=NONE lpm_prefix_length=0`,
    'the L3 entry is a deny: it wins at once, no L4-only lookup (policy.h:205-209)',
    'match L3-Only',
  ]);
});

test('v1.16.15 bpf/lib/policy.h:129-137: an L4-only allow with a longer prefix beats a shorter L3 allow', () => {
  const c = build('1.16', cnp('mix', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "0", protocol: TCP }] }]
      - toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `));
  const id = idOf(c, 'client');
  const r = trace(c, 'client', 'web1', 'tcp', 80);
  assert.equal(verdict(r), 'FORWARDED');
  assert.deepEqual(ingressLookup(r), [
    `Ingress: ${id} 80/TCP (prefix 24) → Ingress: ${id} TCP (prefix 8): Allow proxy_port=NONE lpm_prefix_length=8`,
    'Ingress: 0 80/TCP (prefix 24) → Ingress: 0 80/TCP (prefix 24): Allow proxy_port=NONE lpm_prefix_length=24',
    'the L4-only entry is chosen: its lpm_prefix_length 24 is longer than the L3 entry\'s 8 (policy.h:129-137)',
    'match L4-Only',
  ]);
});

test('v1.16.15 pkg/policy/repository.go:866-876 with bpf/lib/policy.h: enableDefaultDeny false lets other ports through, the deny still drops', () => {
  const c = build('1.16', cnp('dd', `
    endpointSelector: { matchLabels: { app: web } }
    enableDefaultDeny: { ingress: false }
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]
  `));
  assert.equal(verdict(trace(c, 'client', 'web1', 'tcp', 22)), 181);
  const r = trace(c, 'client', 'web1', 'tcp', 80);
  assert.equal(verdict(r), 'FORWARDED');
  assert.deepEqual(ingressLookup(r).slice(1), ['Ingress: 0 80/TCP (prefix 24) → Ingress: 0 ANY (prefix 0): Allow proxy_port=NONE lpm_prefix_length=0', 'the L4-only entry is chosen: no L3 entry matched (policy.h:129-137)', 'match all']);
  // v1.13.0 prunes enableDefaultDeny: the rule is default deny, port 80 is dropped.
  const c13 = build('1.13', cnp('dd', `
    endpointSelector: { matchLabels: { app: web } }
    enableDefaultDeny: { ingress: false }
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]
  `));
  assert.equal(verdict(trace(c13, 'client', 'web1', 'tcp', 80)), 133);
});
