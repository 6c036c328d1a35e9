// The agent side of policy per release: what the policy map holds (`bpf policy get` as each
// release's CLI prints it), port ranges, deny precedence and enableDefaultDeny, for the same
// policies under the profiles 1.13 (v1.13.0), 1.16 (v1.16.15) and 1.18 (v1.18.3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { portRangeToMaskedPorts } from '../../src/controlplane/portrange.js';
import { parseScenario } from '../../src/scenario/load.js';
import { explainPolicyDrop } from '../../src/explain/policy-drop.js';
import { BASE, cnp, ep, idOf, knp, podDoc, trace, type PodDef } from './policy-support.js';

type Profile = '1.13' | '1.16' | '1.18';

const PODS: PodDef[] = [
  { name: 'web1', ip: '10.0.1.10', labels: { app: 'web' } },
  { name: 'client', ip: '10.0.1.20', labels: { app: 'client' } },
];

function build(profile: Profile, ...docs: string[]): Cluster {
  const base = BASE.replace('cilium: "1.13"', `cilium: "${profile}"`);
  const text = base + PODS.map(podDoc).join('') + docs.map((d) => `---\n${d}`).join('\n');
  return buildCluster(parseScenario(text, 'x.yaml'));
}

/** The `bpf policy get` table of a pod, trailing blanks cut, identity labels shortened to their first. */
function table(c: Cluster, pod: string): string[] {
  const e = ep(c, pod);
  const pm = [...c.datapath.nodes.get(e.node.name)!.maps.policy.values()].find((m) => m.endpointId === e.pod.endpointId)!;
  return pm.dump((id) => c.identities.labelStrings(id)?.slice(0, 1)).split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
}

const RANGE = cnp('range', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "8080", endPort: 8095, protocol: TCP }] }]
      - toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
  `);

test('v1.16.15 pkg/policy/portrange.go:37-103 PortRangeToMaskedPorts: ranges become masked ports', () => {
  const hex = (start: number, end: number) => portRangeToMaskedPorts(start, end).map((m) => `${m.port}/${m.mask.toString(16)}`).sort();
  assert.deepEqual(hex(8080, 8095), ['8080/fff0']);
  assert.deepEqual(hex(8080, 8100), ['8080/fff0', '8096/fffc', '8100/ffff']);
  assert.deepEqual(hex(80, 80), ['80/ffff']);
  assert.deepEqual(hex(90, 80), ['90/ffff']); // end <= start: the start alone
  assert.deepEqual(hex(0, 65535), ['0/0']);
  assert.deepEqual(hex(1024, 2048), ['1024/fc00', '2048/ffff']);
});

test('v1.13.0 cilium/cmd/bpf_policy_get.go: endPort pruned (pkg/policy/api/l4.go:27-47), one 8080/TCP entry, HASH columns', () => {
  const c = build('1.13', RANGE);
  assert.deepEqual(table(c, 'web1'), [
    'POLICY   DIRECTION   LABELS (source:key[=value])   PORT/PROTO   PROXY PORT   BYTES   PACKETS',
    'Allow    Ingress     reserved:unknown              80/TCP       NONE         0       0',
    'Allow    Ingress     reserved:host                 ANY          NONE         0       0',
    'Allow    Ingress     k8s:app=client                8080/TCP     NONE         0       0',
    'Allow    Egress      reserved:unknown              ANY          NONE         0       0',
  ]);
  assert.deepEqual(c.scenario.warnings.map((w) => w.message), [
    'endPort 8095 ignored: Cilium v1.13.0 has no port ranges: its CRD has no endPort (pkg/policy/api/l4.go:27-47, PortProtocol{Port, Protocol}), so the API server prunes it; only port 8080 is allowed',
  ]);
});

test('v1.16.15 cilium-dbg/cmd/bpf_policy_get.go:145-216: AUTH TYPE and PREFIX columns, the range as 8080-8095/TCP prefix 20', () => {
  const c = build('1.16', RANGE);
  assert.deepEqual(table(c, 'web1'), [
    'POLICY   DIRECTION   LABELS (source:key[=value])   PORT/PROTO      PROXY PORT   AUTH TYPE   BYTES   PACKETS   PREFIX',
    'Allow    Ingress     reserved:unknown              80/TCP          NONE         disabled    0       0         24',
    'Allow    Ingress     reserved:host                 ANY             NONE         disabled    0       0         0',
    'Allow    Ingress     k8s:app=client                8080-8095/TCP   NONE         disabled    0       0         20',
    'Allow    Egress      reserved:unknown              ANY             NONE         disabled    0       0         0',
  ]);
  assert.deepEqual(c.scenario.warnings, []);
});

test('v1.18.3 cilium-dbg/cmd/bpf_policy_get.go:198-226: identity 0 prints ANY, BYTES/PACKETS "-" without policystats entries; map cilium_policy_v2_', () => {
  const c = build('1.18', RANGE);
  assert.deepEqual(table(c, 'web1'), [
    'POLICY   DIRECTION   LABELS (source:key[=value])   PORT/PROTO      PROXY PORT   AUTH TYPE   BYTES   PACKETS   PREFIX',
    'Allow    Ingress     ANY                           80/TCP          NONE         disabled    -       -         24',
    'Allow    Ingress     reserved:host                 ANY             NONE         disabled    -       -         0',
    'Allow    Ingress     k8s:app=client                8080-8095/TCP   NONE         disabled    -       -         20',
    'Allow    Egress      ANY                           ANY             NONE         disabled    -       -         0',
  ]);
  const e = ep(c, 'web1');
  assert.ok(c.datapath.nodes.get('n1')!.maps.policy.has(`cilium_policy_v2_${String(e.pod.endpointId).padStart(5, '0')}`));
});

test('v1.16.15 pkg/policy/l4.go:665-674: a range that is not one prefix is several entries (8080-8100: /20, /22, /24)', () => {
  const c = build('1.16', cnp('r', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "8080", endPort: 8100, protocol: TCP }] }]
  `));
  const rows = table(c, 'web1').filter((l) => l.includes('k8s:app=client'));
  assert.deepEqual(rows.map((l) => l.split(/\s{2,}/).filter((x) => /\/TCP$|^\d+$/.test(x))), [['8080-8095/TCP', '0', '0', '20'], ['8096-8099/TCP', '0', '0', '22'], ['8100/TCP', '0', '0', '24']]);
});

// Deny precedence: an L4-only allow on 80/TCP and an L3 deny of the client.
const L4_ALLOW_L3_DENY = cnp('deny', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
  `);

test('v1.16.15 pkg/policy/mapstate.go:1016-1040: an L3 deny gets a {id, 80/TCP} deny companion for the L4-only allow', () => {
  const c = build('1.16', L4_ALLOW_L3_DENY);
  const client = idOf(c, 'client');
  const entries = ep(c, 'web1').policy.entries.filter((e) => e.key.direction === 'ingress' && e.key.identity === client);
  assert.deepEqual(entries.map((e) => [e.deny, e.key.proto, e.key.dport, e.key.prefixLen]), [[true, 0, 0, 0], [true, 6, 80, 24]]);
  assert.match(entries[1]!.provenance[0]!.what, /deny companion for the L4-only allow on 80\/6/);
});

test('v1.18.3 pkg/policy/mapstate.go:687-732 insertWithChanges: no deny companion (the datapath lets an L3 deny win)', () => {
  const c = build('1.18', L4_ALLOW_L3_DENY);
  const client = idOf(c, 'client');
  const entries = ep(c, 'web1').policy.entries.filter((e) => e.key.direction === 'ingress' && e.key.identity === client);
  assert.deepEqual(entries.map((e) => [e.deny, e.key.proto, e.key.dport, e.key.prefixLen]), [[true, 0, 0, 0]]);
});

test('v1.18.3 pkg/policy/mapstate.go:688-701: a deny inside a broader allow of its identity stays beside it (the L3 lookup takes the longest prefix)', () => {
  const c = build('1.18', cnp('d', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "8080", endPort: 8095, protocol: TCP }] }]
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "8080", endPort: 8083, protocol: TCP }] }]
  `));
  const client = idOf(c, 'client');
  const entries = ep(c, 'web1').policy.entries.filter((e) => e.key.identity === client);
  // The allow 8080-8095 is broader than the deny 8080-8083: both stay, the LPM picks the deny inside it.
  assert.deepEqual(entries.map((e) => [e.deny, e.key.dport, e.key.prefixLen]), [[false, 8080, 20], [true, 8080, 22]]);
});

test('v1.18.3 pkg/policy/mapstate.go:696-701 and v1.16.15 mapstate.go:880-893: a broader deny of the identity deletes its narrower allows', () => {
  for (const profile of ['1.16', '1.18'] as const) {
    const c = build(profile, cnp('d', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "8080", endPort: 8095, protocol: TCP }] }]
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
  `));
    const client = idOf(c, 'client');
    const pol = ep(c, 'web1').policy;
    assert.deepEqual(pol.entries.filter((e) => e.key.identity === client).map((e) => [e.deny, e.key.prefixLen]), [[true, 0]], profile);
    assert.ok(pol.suppressed.some((x) => x.key.identity === client && x.key.prefixLen === 20 && !x.deny), profile);
  }
});

const DEFAULT_ALLOW = cnp('dd', `
    endpointSelector: { matchLabels: { app: web } }
    enableDefaultDeny: { ingress: false }
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]
  `);

test('v1.16.15 pkg/policy/repository.go:866-876: enableDefaultDeny.ingress false synthesizes the wildcard allow', () => {
  for (const profile of ['1.16', '1.18'] as const) {
    const c = build(profile, DEFAULT_ALLOW);
    const pol = ep(c, 'web1').policy;
    assert.equal(pol.ingress.enforced, true);
    assert.match(pol.ingress.reason, /enableDefaultDeny\.ingress false/);
    const all = pol.entries.find((e) => e.key.direction === 'ingress' && e.key.identity === 0 && e.key.prefixLen === 0);
    assert.ok(all && !all.deny, profile);
    assert.match(all.provenance[0]!.what, /^Only default-allow policies, synthesizing ingress wildcard-allow rule/);
    assert.deepEqual(c.scenario.warnings, []);
  }
});

test('v1.13.0 ciliumnetworkpolicies CRD: enableDefaultDeny is pruned (warning), the rule is default deny', () => {
  const c = build('1.13', DEFAULT_ALLOW);
  const pol = ep(c, 'web1').policy;
  assert.equal(pol.entries.some((e) => e.key.direction === 'ingress' && e.key.identity === 0), false);
  assert.deepEqual(c.scenario.warnings.map((w) => w.message), [
    "'enableDefaultDeny' ignored: not in Cilium v1.13.0's CRD (default-deny control of a later release), so the API server prunes it",
  ]);
});

test('v1.16.15 pkg/k8s/network_policy.go:304-310: a NetworkPolicy endPort is a range; v1.13.0 keeps only port', () => {
  const doc = knp('np', `
    podSelector: {}
    ingress: [{ ports: [{ port: 8080, endPort: 8095 }] }]
  `);
  const v16 = ep(build('1.16', doc), 'web1').policy.entries.filter((e) => e.key.direction === 'ingress' && e.key.proto === 6);
  assert.deepEqual(v16.map((e) => [e.key.identity, e.key.dport, e.key.prefixLen]), [[0, 8080, 20]]);
  const c13 = build('1.13', doc);
  const v13 = ep(c13, 'web1').policy.entries.filter((e) => e.key.direction === 'ingress' && e.key.proto === 6);
  assert.deepEqual(v13.map((e) => [e.key.identity, e.key.dport]), [[0, 8080]]);
  assert.match(c13.scenario.warnings[0]!.message, /^endPort 8095 ignored: Cilium v1\.13\.0 reads only port/);
});

test('v1.16.15 pkg/policy/api/rule_validation.go:629: L7 rules on a port range are refused; v1.18.3 only refuses DNS rules (:658)', () => {
  const http = cnp('l7', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - toPorts: [{ ports: [{ port: "8080", endPort: 8095, protocol: TCP }], rules: { http: [{ method: GET }] } }]
  `);
  assert.throws(() => build('1.16', http), /L7 rules do not support port ranges/);
  assert.doesNotThrow(() => build('1.18', http));
  assert.doesNotThrow(() => build('1.13', http)); // endPort pruned: no range
});

const CIDR = cnp('cidr', `
    endpointSelector: { matchLabels: { app: client } }
    egress:
      - toCIDR: [192.0.0.0/8]
    egressDeny:
      - toCIDR: [192.168.1.0/30]
  `);

test('v1.13.0 pkg/labels/cidr/cidr.go GetCIDRLabels: a CIDR identity carries a cidr: label for every prefix length, and world', () => {
  const c = build('1.13', CIDR);
  const id = c.identities.all().find((i) => i.cidr?.len === 30)!;
  assert.equal(id.labels.filter((l) => l.source === 'cidr').length, 31);
  assert.ok(id.labels.some((l) => l.source === 'cidr' && l.key === '192.0.0.0/8'));
});

test('v1.16.15 pkg/labels/cidr.go:89-99 GetCIDRLabels: only the exact cidr: label and world; selectors match by containment', () => {
  for (const profile of ['1.16', '1.18'] as const) {
    const c = build(profile, CIDR);
    const i30 = c.identities.all().find((i) => i.cidr?.len === 30)!;
    const i8 = c.identities.all().find((i) => i.cidr?.len === 8)!;
    assert.deepEqual(i30.labels.map((l) => `${l.source}:${l.key}`), ['cidr:192.168.1.0/30', 'reserved:world'], profile);
    // The /8 allow selects the /30 identity by prefix containment, and the deny of the /30 wins.
    const egress = ep(c, 'client').policy.entries.filter((e) => e.key.direction === 'egress');
    assert.deepEqual(egress.map((e) => [e.key.identity, e.deny]).sort((a, b) => Number(a[0]) - Number(b[0])), [[i8.id, false], [i30.id, true]].sort((a, b) => Number(a[0]) - Number(b[0])), profile);
    assert.ok(ep(c, 'client').policy.suppressed.some((s) => s.key.identity === i30.id && !s.deny), profile);
  }
});

test('v1.13.0 pkg/policy/api/l4.go:27-47: the drop explanation names the pruned range; under 1.16 the entry is the range', () => {
  const c13 = build('1.13', RANGE);
  const e13 = explainPolicyDrop(c13, trace(c13, 'client', 'web1', 'tcp', 8085))!;
  assert.ok(e13.lines.includes('CiliumNetworkPolicy default/range writes the range 8080-8095 (x.yaml:28), but Cilium v1.13.0 has no port ranges: its CRD has no endPort (pkg/policy/api/l4.go:27-47, PortProtocol{Port, Protocol}), so the API server prunes it; only port 8080 is allowed (ranges arrive in Cilium 1.16: --cilium 1.16).'), e13.lines.join('\n'));
  const c16 = build('1.16', RANGE);
  const e16 = explainPolicyDrop(c16, trace(c16, 'client', 'web1', 'tcp', 8096))!;
  assert.ok(e16.lines.includes(`Entries for identity ${idOf(c16, 'client')} exist only for other ports: 8080-8095/TCP; nothing allows 8096/TCP.`), e16.lines.join('\n'));
  assert.equal(e16.lines.some((l) => l.includes('no port ranges')), false);
});

const FROM_NODES = cnp('nodes', `
    endpointSelector: { matchLabels: { app: web } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: client } }]
      - fromNodes: [{ matchLabels: { node-role: worker } }]
  `);

test('v1.16.15 pkg/policy/api/rule_validation.go:23,215: fromNodes without enable-node-selector-labels: the agent refuses the policy', () => {
  for (const profile of ['1.16', '1.18'] as const) {
    const c = build(profile, FROM_NODES);
    assert.deepEqual(ep(c, 'web1').policy.selectingRules, [], profile);
    assert.equal(ep(c, 'web1').policy.ingress.enforced, false, profile);
    assert.deepEqual(c.scenario.warnings.map((w) => w.message), [
      'CiliumNetworkPolicy default/nodes is not enforced: the agent of Cilium 1.16.0 and later refuses it (FromNodes/ToNodes rules can only be applied when the "enable-node-selector-labels" flag is set (pkg/policy/api/rule_validation.go@v1.16.15:23, @v1.18.3:25); it is off (its default: set cluster.nodeSelectorLabels or cilium-config enable-node-selector-labels))',
    ], profile);
  }
});

test('v1.13.0 ciliumnetworkpolicies CRD: fromNodes is pruned (warning); the rest of the policy applies', () => {
  const c = build('1.13', FROM_NODES);
  assert.equal(ep(c, 'web1').policy.ingress.enforced, true);
  assert.ok(ep(c, 'web1').policy.entries.some((e) => e.key.identity === idOf(c, 'client') && !e.deny));
  assert.deepEqual(c.scenario.warnings.map((w) => w.message), ["'fromNodes' ignored: not in Cilium v1.13.0's CRD (node selectors of a later release), so the API server prunes it"]);
});

test('v1.16.15 pkg/k8s/apis/cilium.io/utils/utils.go:327-350: a CiliumNetworkPolicy selecting reserved:init is namespaced, so it no longer selects init endpoints', () => {
  const init = { id: 5, labels: [{ source: 'reserved', key: 'init', value: '' }], reserved: true, scope: 'reserved' as const };
  const doc = cnp('init', `
    endpointSelector: { matchLabels: { "reserved:init": "" } }
    ingress:
      - fromEntities: [cluster]
  `);
  assert.equal(build('1.13', doc).policy.rulesSelecting(init).length, 1);
  assert.equal(build('1.16', doc).policy.rulesSelecting(init).length, 0);
  assert.equal(build('1.18', doc).policy.rulesSelecting(init).length, 0);
  // A clusterwide policy still can (upgrade.rst@1.15.0).
  const ccnp = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: init }
spec:
  endpointSelector: { matchLabels: { "reserved:init": "" } }
  ingress:
    - fromEntities: [cluster]`;
  assert.equal(build('1.16', ccnp).policy.rulesSelecting(init).length, 1);
});

test('v1.16.15 pkg/policy/mapstate.go:948-1003 and v1.18.3 mapstate.go:688-701: a deny under a broader deny of its identity is not written', () => {
  for (const profile of ['1.16', '1.18'] as const) {
    const c = build(profile, cnp('dd', `
    endpointSelector: { matchLabels: { app: web } }
    ingressDeny:
      - fromEndpoints: [{ matchLabels: { app: client } }]
        toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
      - fromEndpoints: [{ matchLabels: { app: client } }]
  `));
    const client = idOf(c, 'client');
    const pol = ep(c, 'web1').policy;
    assert.deepEqual(pol.entries.filter((e) => e.key.identity === client).map((e) => [e.deny, e.key.prefixLen]), [[true, 0]], profile);
    assert.ok(pol.suppressed.some((s) => s.key.identity === client && s.deny && s.key.prefixLen === 24 && /covered by the deny/.test(s.reason)), profile);
  }
});
