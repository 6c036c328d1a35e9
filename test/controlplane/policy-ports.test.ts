// toPorts and icmps (semantic 6): numeric ports, ANY, named ports (ingress per endpoint,
// egress cluster-wide), endPort under the 1.13 profile, ICMP types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCluster } from '../../src/controlplane/validate.js';
import { absent, allows, build, cnp, ep, ICMP, idOf, key, knp, TCP, trace, UDP, verdict, type PodDef } from './policy-support.js';

const PODS: PodDef[] = [
  { name: 'web1', ip: '10.0.1.10', labels: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] },
  { name: 'web2', node: 'n2', ip: '10.0.2.10', labels: { app: 'web' }, ports: [{ name: 'http', port: 9090 }] },
  { name: 'client', ip: '10.0.1.20', labels: { app: 'client' } },
];

// pkg/policy/rule.go@v1.13.0:433-459 mergeIngress (mergeEgress :652-678; the same at
// v1.16.15 and v1.18.3): "protocol: ANY" (or none) is merged as TCP, UDP and SCTP, with no
// EnableSCTP check anywhere in pkg/policy, so the policy map holds an SCTP entry too.
test('ports: a numeric port with protocol ANY is a TCP, a UDP and an SCTP entry (pkg/policy/rule.go mergeIngress)', () => {
  const c = build(PODS, cnp('any', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "53" }] }]
  `));
  const client = idOf(c, 'client');
  allows(c, 'web1', key(client, 53, TCP));
  allows(c, 'web1', key(client, 53, UDP));
  allows(c, 'web1', key(client, 53, 132));
  absent(c, 'web1', key(client, 53, 1));
  assert.equal(verdict(trace(c, 'client', 'web1', 'udp', 53)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'client', 'web1', 'udp', 54)), 133);
});

// https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports
// (named ports) and Cilium's pkg/endpoint GetNamedPort: ingress named ports are looked up in
// the container ports of the endpoint the policy applies to — two pods of one identity can
// get different entries.
test('named ports, ingress: resolved per selected endpoint from its own container ports', () => {
  const c = build(PODS, cnp('named', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: http, protocol: TCP }] }]
  `));
  assert.equal(idOf(c, 'web1'), idOf(c, 'web2'));
  allows(c, 'web1', key(idOf(c, 'client'), 8080, TCP));
  absent(c, 'web1', key(idOf(c, 'client'), 9090, TCP));
  allows(c, 'web2', key(idOf(c, 'client'), 9090, TCP));
  assert.match(allows(c, 'web1', key(idOf(c, 'client'), 8080, TCP)).provenance[0]!.what, /allow http\/TCP \(named port = 8080\)$/);
  assert.equal(verdict(trace(c, 'client', 'web1', 'tcp', 8080)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'client', 'web2', 'tcp', 8080)), 133);
});

// Cilium resolves egress named ports against the named ports of all pods (the ipcache's
// NamedPortMultiMap); a name bound to two different numbers resolves to nothing
// (ErrDuplicateNamedPorts), and an unknown name produces no entry. Both are reported.
test('named ports, egress: resolved cluster-wide; unknown or ambiguous names give no entry and are reported', () => {
  const unique = build([...PODS.slice(0, 1), PODS[2]!], cnp('egress-named', `
    endpointSelector: { matchLabels: { app: client } }
    egress:
      - toEndpoints: [{ matchLabels: { app: web } }]
        toPorts: [{ ports: [{ port: http, protocol: TCP }] }]
  `));
  allows(unique, 'client', key(idOf(unique, 'web1'), 8080, TCP, 'egress'));

  const ambiguous = build(PODS, cnp('egress-named', `
    endpointSelector: { matchLabels: { app: client } }
    egress:
      - toEndpoints: [{ matchLabels: { app: web } }]
        toPorts: [{ ports: [{ port: http, protocol: TCP }, { port: metrics, protocol: TCP }] }]
  `));
  const client = ep(ambiguous, 'client').policy;
  assert.equal(client.entries.filter((e) => e.key.direction === 'egress').length, 0);
  assert.deepEqual(client.unresolvedNamedPorts.map((u) => u.name).sort(), ['http', 'metrics']);
  assert.match(client.unresolvedNamedPorts.find((u) => u.name === 'http')!.reason, /different ports 'http' \(8080, 9090\)/);
  const problems = validateCluster(ambiguous).map((p) => `${p.pos.line}: ${p.message}`);
  assert.ok(problems.some((p) => /named port 'metrics'\/TCP resolves nowhere: no pod in the cluster has a container port named 'metrics'/.test(p)), problems.join('\n'));
});

// endPort (port ranges) is not in Cilium v1.13.0: its PortProtocol is {Port, Protocol}
// (pkg/policy/api/l4.go:27-47) and its CRD has no endPort, so the API server prunes it; a
// NetworkPolicy's endPort is dropped by parsePorts (pkg/k8s/network_policy.go:275-282). Either
// way v1.13.0 allows only `port`: a warning says so, the load goes on.
test('endPort: ignored as v1.13.0 ignores it (only port is allowed), with a positioned warning', () => {
  const c = build(PODS, cnp('range', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "8000", endPort: 8100, protocol: TCP }] }]
  `));
  const client = idOf(c, 'client');
  allows(c, 'web1', key(client, 8000, TCP));
  absent(c, 'web1', key(client, 8001, TCP));
  assert.equal(verdict(trace(c, 'client', 'web1', 'tcp', 8000)), 'FORWARDED');
  assert.equal(verdict(trace(c, 'client', 'web1', 'tcp', 8050)), 133);
  assert.deepEqual(c.scenario.warnings.map((w) => `${w.pos?.line}:${w.pos?.col}: ${w.message}`), [
    '34:52: endPort 8100 ignored: Cilium v1.13.0 has no port ranges: its CRD has no endPort (pkg/policy/api/l4.go:27-47, PortProtocol{Port, Protocol}), so the API server prunes it; only port 8000 is allowed',
  ]);
  const k = build(PODS, knp('range', `
    podSelector: {}
    ingress: [{ ports: [{ port: 8000, endPort: 8100 }] }]
  `));
  allows(k, 'web1', key(0, 8000, TCP));
  absent(k, 'web1', key(0, 8001, TCP));
  assert.match(k.scenario.warnings[0]?.message ?? '', /^endPort 8100 ignored: Cilium v1\.13\.0 reads only port: its NetworkPolicyPort has no endPort and parsePorts makes \{Port, Protocol\} \(pkg\/k8s\/network_policy\.go:275-282\); only port 8000 is allowed$/);
});

// https://docs.cilium.io/en/v1.13/security/policy/language/#icmp-icmpv6 — with ICMP rules
// the "port" of an ICMP packet is its type (ENABLE_ICMP_RULE, bpf/lib/policy.h).
test('icmps: IPv4 type 8 is the key {id, 8, ICMP}; ICMPv6 fields are ignored (IPv4-only) with a note', () => {
  const c = build(PODS, cnp('icmp', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        icmps: [{ fields: [{ type: 8, family: IPv4 }, { type: 128, family: IPv6 }] }]
  `));
  allows(c, 'web1', key(idOf(c, 'client'), 8, ICMP));
  assert.equal(ep(c, 'web1').policy.entries.filter((e) => e.key.proto === 58).length, 0);
  assert.ok(ep(c, 'web1').policy.notes.some((n) => /ICMPv6 type 128 .*ignored/.test(n)));
  assert.equal(verdict(trace(c, 'client', 'web1', 'icmp')), 'FORWARDED');
  assert.equal(verdict(trace(c, 'client', 'web1', 'tcp', 8)), 133);
});
