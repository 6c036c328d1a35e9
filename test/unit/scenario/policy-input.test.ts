// The policy readers: the full CiliumNetworkPolicy language (shapes, values and positions),
// CiliumClusterwideNetworkPolicy, and Kubernetes NetworkPolicy kept as written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError, type Position } from '../../../src/errors.js';
import { formatPrefix, type Ipv4Prefix } from '../../../src/net/ip.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { readInputs } from '../../../src/scenario/inputs.js';
import type { ProfileChoice } from '../../../src/scenario/cilium-release.js';
import type { CidrRule, PolicySpec } from '../../../src/scenario/types.js';

const NODE = `apiVersion: v1
kind: Node
metadata: { name: n1 }
spec: { podCIDR: 10.0.1.0/24 }
status: { addresses: [{ type: InternalIP, address: 192.168.0.1 }] }
---
`;
/** Lines NODE takes, so positions below read as lines of the policy text. */
const OFFSET = 6;

function policies(text: string): PolicySpec[] {
  return [...parseScenario(NODE + text, 'p.yaml').policies];
}

/** The load's warnings, line:col relative to the policy text. */
function warnings(text: string, cilium?: ProfileChoice): string[] {
  // The policy tests load bare Nodes and policies: the cilium-config defaults warning is not theirs.
  return readInputs([{ file: 'p.yaml', text: NODE + text }], 'p', cilium).warnings.filter((w) => !w.message.startsWith('no cilium-config')).map((w) => (w.pos ? `${at(w.pos)}: ${w.message}` : w.message));
}

function errors(text: string): string[] {
  try {
    parseScenario(NODE + text, 'p.yaml');
  } catch (e) {
    if (e instanceof InputError) return e.lines().map((l) => l.replace(/^p\.yaml:(\d+):/, (_, n: string) => `${Number(n) - OFFSET}:`));
    throw e;
  }
  return [];
}

/** line:col relative to the policy text. */
function at(pos: Position): string {
  return `${pos.line - OFFSET}:${pos.col}`;
}

const cidr = (p: Ipv4Prefix): string => formatPrefix(p);
const cidrs = (c: readonly CidrRule[] | undefined) => c?.map((r) => ({ cidr: cidr(r.cidr), except: r.except.map(cidr), at: at(r.pos) }));

const FULL = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: full
  namespace: shop
  labels: { team: shop }
  annotations: { note: "anything" }
  uid: 0f7c1a55-6b1e-4cf0-a3a4-9a3b3c1f2d10
  resourceVersion: "1234"
spec:
  endpointSelector:
    matchLabels: { app: web }
  ingress:
    - fromEndpoints:
        - matchLabels: { k8s:app: lb }
      toPorts:
        - ports:
            - { port: "80", protocol: TCP }
            - { port: HTTP-Alt }
            - { port: 8000, endPort: 8100 }
    - fromCIDR: [10.1.2.3, 10.2.0.1/16]
    - fromCIDRSet:
        - cidr: 10.0.0.0/8
          except: [10.1.0.0/16]
    - fromEntities: [world, remote-node]
      icmps:
        - fields:
            - type: 8
            - { type: 128, family: IPv6 }
    - {}
  egress:
    - toEndpoints: []
    - toCIDR: [0.0.0.0/0]
      toPorts: [{ ports: [{ port: "53", protocol: UDP }, { port: "0" }] }]
  ingressDeny:
    - fromEntities: [world]
      fromCIDR: [192.0.2.0/24]
  egressDeny:
    - toEndpoints: [{ matchLabels: { app: db } }]
      toPorts: [{ ports: [{ port: "5432" }] }]
specs:
  - endpointSelector: {}
    description: second rule
    labels: [{ key: rule, value: two, source: user }]
    egress:
      - toEntities: [kube-apiserver]
status:
  nodes:
    node1: { enforcing: true, ok: true }
`;

describe('CiliumNetworkPolicy', () => {
  it('reads every field of the language, with positions', () => {
    const [p] = policies(FULL);
    assert.ok(p);
    assert.deepEqual([p.kind, p.namespace, p.name, at(p.pos), p.networkPolicy], ['CiliumNetworkPolicy', 'shop', 'full', '1:1', undefined]);
    assert.equal(p.rules.length, 2, 'spec, then specs');
    const [r1, r2] = p.rules;
    assert.ok(r1 && r2);
    assert.equal(at(r1.pos), '11:3');
    assert.deepEqual(r1.endpointSelector.matchLabels, { app: 'web' });
    const [i0, i1, i2, i3, i4] = r1.ingress ?? [];
    assert.ok(i0 && i1 && i2 && i3 && i4);
    assert.deepEqual(i0.peers?.map((s) => [s.matchLabels, at(s.pos)]), [[{ 'k8s:app': 'lb' }, '15:11']]);
    assert.deepEqual(
      i0.ports?.map((x) => ({ port: x.port, endPort: x.endPort, protocol: x.protocol, at: at(x.pos) })),
      [
        { port: 80, endPort: undefined, protocol: 'TCP', at: '18:17' },
        { port: 'http-alt', endPort: undefined, protocol: 'ANY', at: '19:17' },
        { port: 8000, endPort: 8100, protocol: 'ANY', at: '20:17' }, // kept: the release decides (v1.13.0 prunes it, warned)
      ],
    );
    assert.deepEqual(warnings(FULL), [], 'the newest release (v1.18.3) takes the range');
    assert.deepEqual(warnings(FULL, { profile: '1.13', why: '--cilium 1.13' }), ['20:38: endPort 8100 ignored: Cilium v1.13.0 has no port ranges: its CRD has no endPort (pkg/policy/api/l4.go:27-47, PortProtocol{Port, Protocol}), so the API server prunes it; only port 8000 is allowed']);
    assert.deepEqual([i0.entities, i0.cidrs, i0.icmps, at(i0.pos)], [undefined, undefined, undefined, '14:7']);
    assert.deepEqual(cidrs(i1.cidrs), [
      { cidr: '10.1.2.3/32', except: [], at: '21:18' },
      { cidr: '10.2.0.0/16', except: [], at: '21:28' },
    ]);
    assert.deepEqual(cidrs(i2.cidrs), [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'], at: '23:11' }]);
    assert.deepEqual(i3.entities, ['world', 'remote-node']);
    assert.deepEqual(
      i3.icmps?.map((x) => [x.type, x.family, at(x.pos)]),
      [
        [8, 'IPv4', '28:15'],
        [128, 'IPv6', '29:17'],
      ],
    );
    assert.deepEqual(i4, { pos: i4.pos }, 'an empty item has no fields at all');
    const [e0, e1] = r1.egress ?? [];
    assert.deepEqual(e0?.peers, [], 'toEndpoints: [] is kept as an empty list');
    assert.deepEqual(cidrs(e1?.cidrs), [{ cidr: '0.0.0.0/0', except: [], at: '33:16' }]);
    assert.deepEqual(e1?.ports?.map((x) => [x.port, x.protocol]), [
      [53, 'UDP'],
      [0, 'ANY'],
    ]);
    assert.deepEqual(r1.ingressDeny?.map((s) => [s.entities, cidrs(s.cidrs)]), [[['world'], [{ cidr: '192.0.2.0/24', except: [], at: '37:18' }]]]);
    assert.deepEqual(r1.egressDeny?.map((s) => [s.peers?.length, s.ports?.map((x) => x.port)]), [[1, [5432]]]);
    assert.deepEqual([r2.endpointSelector.matchLabels, r2.ingress, r2.egress?.[0]?.entities, at(r2.pos)], [{}, undefined, ['kube-apiserver'], '42:5']);
  });

  it('defaults the namespace and accepts a policy with only specs', () => {
    const [p] = policies('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: p }\nspecs: []\n');
    assert.deepEqual([p?.namespace, p?.rules], ['default', []]);
  });

  it('refuses what the API server refuses; what only the agent refuses, or v1.13.0 lacks, is a warning', () => {
    const ports = `[${Array.from({ length: 41 }, (_, i) => `{ port: "${i + 1}" }`).join(', ')}]`;
    assert.deepEqual(errors(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: bad }
spec:
  endpointSelector: {}
  ingress:
    - fromEntities: [everything]
    - toPorts:
        - ports: ${ports}
`), [
      "7:22: unknown entity 'everything' (expected one of: all, world, cluster, host, remote-node, kube-apiserver, init, ingress, health, unmanaged)",
      '9:18: too many ports (41; Cilium allows at most 40)',
    ]);
    const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: agent-refuses }
spec:
  endpointSelector: {}
  ingress:
    - fromEntities: [world]
      fromRequires: [{ matchLabels: { env: prod } }]
      authentication: { mode: required }
    - fromCIDR: [10.0.0.0/8]
      fromCIDRSet: [{ cidr: 11.0.0.0/8 }]
  egress:
    - toGroups: [{ aws: { securityGroupsIds: [sg-1] } }]
    - toRequires: [{}]
    - toEndpoints: [{}]
      toEntities: [world]
  egressDeny:
    - toFQDNs: [{ matchName: example.com }]
`;
    assert.deepEqual(errors(text), []);
    assert.deepEqual(policies(text), [], 'the v1.13.0 agent does not import it');
    assert.deepEqual(warnings(text), [
      "8:7: 'fromRequires' is not simulated: v1.13.0 adds these requirements to the fromEndpoints of every rule selecting these endpoints; here they are ignored, so a trace may allow what the cluster denies",
      "9:7: 'authentication' ignored: not in Cilium v1.13.0's CRD (mutual authentication of a later release), so the API server prunes it",
      ' 11:7: CiliumNetworkPolicy default/agent-refuses is not enforced: the v1.13.0 agent refuses it ("Combining FromCIDR and FromCIDRSet is not supported yet": fromCIDR and fromCIDRSet cannot be combined in one rule; write two rules)'.trim(),
      "13:7: 'toGroups' is not simulated (its addresses come from the cloud provider's API at run time): it allows no peer here, and a trace that only it could allow ends NOT_SIMULATED",
      "14:7: 'toRequires' is not simulated: v1.13.0 adds these requirements to the toEndpoints of every rule selecting these endpoints; here they are ignored, so a trace may allow what the cluster denies",
      '16:7: CiliumNetworkPolicy default/agent-refuses is not enforced: the v1.13.0 agent refuses it ("Combining ToEndpoints and ToEntities is not supported yet": toEndpoints and toEntities cannot be combined in one rule; write two rules)',
      "18:7: unknown field 'toFQDNs' ignored, as the API server prunes it (expected one of: toEndpoints, toCIDR, toCIDRSet, toEntities, toRequires, toServices, toGroups, toPorts, icmps)",
    ]);
  });

  it('combines L3 fields freely in deny rules, as Cilium v1.13 does not sanitize them', () => {
    const [p] = policies(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: d }
spec:
  endpointSelector: {}
  ingressDeny:
    - fromEndpoints: [{}]
      fromCIDR: [10.0.0.0/8]
`);
    assert.equal(p?.rules[0]?.ingressDeny?.[0]?.peers?.length, 1);
  });

  it('reads host policies, L7 rules and peers learnt at run time, each with one warning', () => {
    const text = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: host }
specs:
  - nodeSelector: {}
    ingress: [{ fromEntities: [cluster] }]
  - endpointSelector: {}
    egress:
      - toPorts:
          - ports: [{ port: "80", protocol: TCP }]
            rules: { http: [{ method: GET, path: /api/v1/.* }, {}] }
      - toFQDNs: [{ matchName: api.github.com }, { matchPattern: "*.cilium.io" }]
        toPorts: [{ ports: [{ port: "443" }] }]
      - toServices: [{ k8sService: { serviceName: db, namespace: shop } }]
`;
    assert.deepEqual(errors(text), []);
    const [p] = policies(text);
    const [host, pods] = p?.rules ?? [];
    assert.equal(host?.hostPolicy, true);
    assert.equal(pods?.hostPolicy, undefined);
    const [e0, e1, e2] = pods?.egress ?? [];
    assert.deepEqual(e0?.ports?.map((x) => [x.port, x.protocol, x.l7?.http]), [[80, 'TCP', ['GET /api/v1/.*', '* /.*']]]);
    assert.deepEqual(e1?.unresolved?.map((u) => [u.kind, u.text, at(u.pos)]), [
      ['toFQDNs', 'toFQDNs[0] matchName api.github.com', '12:21'],
      ['toFQDNs', 'toFQDNs[1] matchPattern *.cilium.io', '12:52'],
    ]);
    assert.deepEqual(e2?.unresolved?.map((u) => [u.text, u.service]), [['toServices[0] k8sService shop/db', { name: 'db', namespace: 'shop' }]]);
    assert.deepEqual(warnings(text), [
      "5:5: host policy ('nodeSelector') is not simulated: it selects nodes, not pods, so it changes no pod's policy here; the host firewall is not modelled",
      "11:13: HTTP rules are simulated (Envoy's matching) only for a request given with --http: without one, a packet that reaches its proxy redirect ends NOT_SIMULATED",
      "12:9: 'toFQDNs' selects the addresses of DNS answers a DNS proxy has forwarded; the simulated agents start with none: give the name as DST (SRC NAME PROTO --resolve NAME=IP) to trace the lookup, then the connection over the maps the answer fills",
      "14:9: 'toServices' is not simulated (v1.13.0 turns it into toCIDRSet rules for the endpoints of Services without a selector only (pkg/k8s/watchers/watcher.go:620)): it allows no peer here, and a trace that only it could allow ends NOT_SIMULATED",
    ]);
  });
});

describe('CiliumClusterwideNetworkPolicy', () => {
  it('has no namespace (metadata.namespace is ignored) and is unique by name', () => {
    const ccnp = (ns: string) => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: cw${ns} }
spec:
  endpointSelector: { matchLabels: { k8s:io.kubernetes.pod.namespace: shop } }
  ingress: [{ fromEntities: [cluster] }]
`;
    const [p] = policies(ccnp(', namespace: ignored'));
    assert.deepEqual([p?.kind, p?.namespace, p?.name], ['CiliumClusterwideNetworkPolicy', null, 'cw']);
    assert.deepEqual(errors(`${ccnp('')}---\n${ccnp(', namespace: a')}`), [
      // "line 9" is the file's line: the policy's line 3 after the Node document.
      "10:19: duplicate CiliumClusterwideNetworkPolicy 'cw' (first defined at line 9)",
    ]);
  });

  it('may share a name with a CiliumNetworkPolicy or a NetworkPolicy', () => {
    const ps = policies(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: same }
spec: { endpointSelector: {} }
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: same }
spec: { endpointSelector: {} }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: same }
spec: { podSelector: {} }
`);
    assert.deepEqual(
      ps.map((p) => [p.kind, p.namespace]),
      [
        ['CiliumClusterwideNetworkPolicy', null],
        ['CiliumNetworkPolicy', 'default'],
        ['NetworkPolicy', 'default'],
      ],
    );
  });
});

describe('NetworkPolicy', () => {
  it('keeps absent and empty apart', () => {
    const [p] = policies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: np, namespace: shop }
spec:
  podSelector:
    matchLabels: { app: web }
    matchExpressions: [{ key: tier, operator: In, values: [front] }]
  ingress:
    - {}
    - from: []
      ports: []
    - from:
        - podSelector: { matchLabels: { app: lb } }
        - namespaceSelector: {}
        - namespaceSelector: { matchLabels: { purpose: prod } }
          podSelector: {}
        - ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/16] }
      ports:
        - port: http
        - { protocol: UDP, port: 53 }
        - { port: 30000, endPort: 32767 }
        - {}
  egress: []
`);
    assert.ok(p);
    assert.deepEqual([p.kind, p.namespace, p.rules], ['NetworkPolicy', 'shop', []]);
    const np = p.networkPolicy;
    assert.ok(np);
    assert.equal(np.policyTypes, undefined, 'policyTypes absent');
    assert.deepEqual(np.podSelector.matchLabels, { app: 'web' });
    assert.deepEqual(np.podSelector.matchExpressions, [{ key: 'tier', operator: 'In', values: ['front'] }]);
    assert.deepEqual(np.egress, [], 'egress: [] is kept');
    const [r0, r1, r2] = np.ingress ?? [];
    assert.ok(r0 && r1 && r2);
    assert.deepEqual([r0.peers, r0.ports, at(r0.pos)], [undefined, undefined, '9:7']);
    assert.deepEqual([r1.peers, r1.ports], [[], []]);
    assert.deepEqual(
      r2.peers?.map((x) => ({
        pod: x.podSelector?.matchLabels,
        ns: x.namespaceSelector?.matchLabels,
        ip: x.ipBlock && { cidr: cidr(x.ipBlock.cidr), except: x.ipBlock.except.map(cidr) },
        at: at(x.pos),
      })),
      [
        { pod: { app: 'lb' }, ns: undefined, ip: undefined, at: '13:11' },
        { pod: undefined, ns: {}, ip: undefined, at: '14:11' },
        { pod: {}, ns: { purpose: 'prod' }, ip: undefined, at: '15:11' },
        { pod: undefined, ns: undefined, ip: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, at: '17:11' },
      ],
    );
    assert.deepEqual(
      r2.ports?.map((x) => ({ port: x.port, endPort: x.endPort, protocol: x.protocol, at: at(x.pos) })),
      [
        { port: 'http', endPort: undefined, protocol: 'TCP', at: '19:11' },
        { port: 53, endPort: undefined, protocol: 'UDP', at: '20:13' },
        { port: 30000, endPort: 32767, protocol: 'TCP', at: '21:13' }, // kept: the release decides
        { port: undefined, endPort: undefined, protocol: 'TCP', at: '22:11' },
      ],
    );
  });

  it('reads policyTypes as written and an absent podSelector as {}', () => {
    const [p] = policies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-egress }
spec:
  policyTypes: [Egress]
`);
    assert.deepEqual(p?.networkPolicy?.policyTypes, ['Egress']);
    assert.deepEqual(p?.networkPolicy?.podSelector.matchLabels, {});
    assert.equal(p?.networkPolicy?.ingress, undefined);
    assert.equal(p?.networkPolicy?.egress, undefined);
  });
});

describe('scenario policies list', () => {
  it('takes CiliumClusterwideNetworkPolicy and NetworkPolicy as well', () => {
    const s = parseScenario(
      `apiVersion: cilium-trace/v1
kind: Scenario
metadata: { name: t }
nodes: [{ name: a, ip: 192.168.0.1, podCIDR: 10.0.0.0/24 }]
policies:
  - apiVersion: cilium.io/v2
    kind: CiliumClusterwideNetworkPolicy
    metadata: { name: cw }
    spec: { endpointSelector: {}, ingressDeny: [{ fromEntities: [world] }] }
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: np, namespace: shop }
    spec: { podSelector: {}, policyTypes: [Ingress] }
`,
      't.yaml',
    );
    assert.deepEqual(
      s.policies.map((p) => [p.kind, p.namespace, p.name, p.pos.line]),
      [
        ['CiliumClusterwideNetworkPolicy', null, 'cw', 6],
        ['NetworkPolicy', 'shop', 'np', 10],
      ],
    );
    assert.deepEqual(
      s.namespaces.map((n) => n.name),
      ['shop'],
    );
  });
});
