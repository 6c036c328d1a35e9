// Tier 2: the default scenario (seed note 000's cluster) through the control plane, checked
// as the cilium CLI would show it: map dumps, program arrays and tc attachments. Values the
// seed note prints are compared with the note's text; table rows are also compared byte
// for byte as Go's tabwriter lays them out for this cluster's tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefaultScenario } from '../../src/scenario/load.js';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { deviceByName, type NodeDatapath } from '../../src/node-state/node.js';
import type { ProgArray } from '../../src/maps/callmap.js';

const cluster: Cluster = buildCluster(loadDefaultScenario());

function node(name: string): NodeDatapath {
  const n = cluster.datapath.nodes.get(name);
  assert.ok(n, `node ${name} missing`);
  return n;
}

function progArray(n: NodeDatapath, name: string): ProgArray {
  const a = n.maps.progArrays.get(name);
  assert.ok(a, `${n.name}: prog array ${name} missing`);
  return a;
}

/** The dump line whose first cell is `key` (without its newline). */
function row(dump: string, key: string): string {
  const line = dump.split('\n').find((l) => l.startsWith(`${key} `));
  assert.ok(line !== undefined, `no row for ${key} in:\n${dump}`);
  return line;
}

/** A row as the seed note prints it: runs of spaces collapsed, no trailing blanks. */
const collapse = (line: string): string => line.replace(/ +/g, ' ').trimEnd();
const sp = (n: number): string => ' '.repeat(n);

test('scenario: two nodes, three pods', () => {
  assert.deepEqual([...cluster.datapath.nodes.keys()], ['node1', 'node2']);
  assert.deepEqual(cluster.endpoints.map((e) => `${e.pod.name}@${e.node.name}`), ['pod1@node1', 'pod2@node1', 'pod3@node2']);
});

test('identities: pod1 47204; pod2 and pod3 share 14753 (same labels, same identity)', () => {
  const idOf = (pod: string) => cluster.endpoints.find((e) => e.pod.name === pod)?.identity;
  assert.equal(idOf('pod1'), 47204);
  assert.equal(idOf('pod2'), 14753);
  assert.equal(idOf('pod3'), 14753);
  assert.deepEqual(cluster.identities.labelStrings(14753), [
    'k8s:app=server',
    'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default',
    'k8s:io.cilium.k8s.policy.cluster=default',
    'k8s:io.cilium.k8s.policy.serviceaccount=default',
    'k8s:io.kubernetes.pod.namespace=default',
  ]);
});

test('node1 ipcache: the seed-000 lines', () => {
  const dump = node('node1').maps.ipcache.dump();
  assert.ok(dump.startsWith('IP PREFIX/ADDRESS   IDENTITY\n'));
  // As the seed note prints them.
  assert.equal(collapse(row(dump, '10.0.1.105/32')), '10.0.1.105/32 identity=14753 encryptkey=0 tunnelendpoint=1.2.3.168 nodeid=32012');
  assert.equal(collapse(row(dump, '10.0.0.243/32')), '10.0.0.243/32 identity=14753 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0');
  // As tabwriter lays them out: column 0 is 20 wide ("IP PREFIX/ADDRESS" + 3), column 1 is
  // the longest value (the 10.0.1.105 one, 65) + 3.
  assert.equal(row(dump, '10.0.1.105/32'), `10.0.1.105/32${sp(7)}identity=14753 encryptkey=0 tunnelendpoint=1.2.3.168 nodeid=32012${sp(3)}`);
  assert.equal(row(dump, '10.0.0.243/32'), `10.0.0.243/32${sp(7)}identity=14753 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0${sp(9)}`);
});

test('ipcache: world, local and remote node addresses', () => {
  const n1 = node('node1').maps.ipcache.dump();
  const n2 = node('node2').maps.ipcache.dump();
  assert.equal(collapse(row(n1, '0.0.0.0/0')), '0.0.0.0/0 identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0');
  // node2's InternalIP is remote-node (6) on node1 and host (1) on node2 itself.
  assert.equal(collapse(row(n1, '1.2.3.168/32')), '1.2.3.168/32 identity=6 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0');
  assert.equal(collapse(row(n2, '1.2.3.168/32')), '1.2.3.168/32 identity=1 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0');
  // The world entry is the last row: longest prefixes first.
  assert.ok(n1.trimEnd().split('\n').at(-1)?.startsWith('0.0.0.0/0 '));
});

test('node1 endpoint list: pod2 as the seed prints it, and the host addresses', () => {
  const dump = node('node1').maps.lxc.dump();
  assert.ok(dump.startsWith('IP ADDRESS     LOCAL ENDPOINT INFO\n'));
  const pod2 = 'id=505   flags=0x0000 ifindex=21  mac=9A:A7:AD:85:CC:E3 nodemac=E6:5B:CE:77:AA:3D';
  assert.equal(collapse(row(dump, '10.0.0.243:0')), collapse(`10.0.0.243:0 ${pod2}`));
  // Column 0: "10.0.0.157:0" / "10.0.0.243:0" (12) + 3; column 1: the pod value (81) + 3.
  assert.equal(row(dump, '10.0.0.243:0'), `10.0.0.243:0${sp(3)}${pod2}${sp(3)}`);
  assert.equal(row(dump, '1.2.3.167:0'), `1.2.3.167:0${sp(4)}(localhost)${sp(73)}`);
  assert.equal(row(dump, '10.0.0.2:0'), `10.0.0.2:0${sp(5)}(localhost)${sp(73)}`);
  // Only local endpoints: pod3 lives on node2.
  assert.ok(!dump.includes('10.0.1.105:0'));
});

test('node2 endpoint list: pod3 as the seed prints it', () => {
  const dump = node('node2').maps.lxc.dump();
  const pod3 = 'id=2910  flags=0x0000 ifindex=39  mac=5E:74:7D:93:A7:92 nodemac=66:A3:FB:74:62:08';
  assert.equal(row(dump, '10.0.1.105:0'), `10.0.1.105:0${sp(3)}${pod3}${sp(3)}`);
  assert.equal(collapse(row(dump, '1.2.3.168:0')), '1.2.3.168:0 (localhost)');
  assert.equal(collapse(row(dump, '10.0.1.2:0')), '10.0.1.2:0 (localhost)');
});

test('v1.13.0 pkg/maps/tunnel/tunnel.go:85-110, pkg/datapath/linux/node.go:121: each node points at the other node for its pod CIDR, with its node id', () => {
  assert.equal(node('node1').maps.tunnel.dump(), 'TUNNEL     VALUE\n10.0.1.0   1.2.3.168:0 32012   \n');
  assert.equal(node('node2').maps.tunnel.dump(), 'TUNNEL     VALUE\n10.0.0.0   1.2.3.167:0 5791   \n');
});

test('node1 bpf_lxc calls map of pod1: ARP and IPv4 slots; 25/29 inlined (kube-proxy replacement, no per-packet LB)', () => {
  const n1 = node('node1');
  assert.equal(n1.config.enablePerPacketLb, false);
  const calls = progArray(n1, 'cilium_calls_01703');
  assert.equal(calls.lookup(1)?.name, '__send_drop_notify');
  assert.equal(calls.lookup(6)?.name, 'tail_handle_arp');
  assert.equal(calls.lookup(7)?.name, 'tail_handle_ipv4');
  assert.equal(calls.lookup(25), undefined, 'tail_handle_ipv4_cont must be inlined');
  assert.equal(calls.lookup(29), undefined, 'tail_ipv4_ct_egress must be inlined');
  assert.ok(calls.dump().includes('cilium_calls_01703[7] = tail_handle_ipv4\n'));
  for (const { prog } of calls.entries()) {
    assert.equal(prog.object, 'bpf_lxc');
    assert.ok(prog.config.kind === 'lxc' && prog.config.lxcId === 1703, `slot program ${prog.name} belongs to another object`);
  }
});

test('node1 cilium_call_policy[505] = handle_policy of pod2\'s own object', () => {
  const callPolicy = progArray(node('node1'), 'cilium_call_policy');
  const prog = callPolicy.lookup(505);
  assert.equal(prog?.name, 'handle_policy');
  assert.equal(prog?.object, 'bpf_lxc');
  assert.ok(prog?.config.kind === 'lxc');
  assert.equal(prog.config.lxcId, 505);
  assert.equal(prog.config.seclabel, 14753);
  assert.equal(prog.config.policyMap, 'cilium_policy_00505');
  assert.ok(callPolicy.dump().includes('cilium_call_policy[505] = handle_policy\n'));
  assert.equal(callPolicy.lookup(2910), undefined, 'pod3 is on node2');
});

test('node1 cilium_calls_overlay_2[7] = tail_handle_ipv4 of bpf_overlay', () => {
  const overlay = progArray(node('node1'), 'cilium_calls_overlay_2');
  assert.equal(overlay.lookup(7)?.name, 'tail_handle_ipv4');
  assert.equal(overlay.lookup(7)?.object, 'bpf_overlay');
  assert.ok(overlay.dump().includes('cilium_calls_overlay_2[7] = tail_handle_ipv4\n'));
});

test('node1 tc attachments', () => {
  const n1 = node('node1');
  const tc = (dev: string) => {
    const d = deviceByName(n1, dev);
    assert.ok(d, `device ${dev} missing`);
    return { ingress: d.tc.ingress?.name, egress: d.tc.egress?.name };
  };
  // Pod veths: from-container on ingress; no to-container (no endpoint routes).
  assert.deepEqual(tc('lxc1466f225c091'), { ingress: 'cil_from_container', egress: undefined });
  assert.deepEqual(tc('lxcdb54060a47de'), { ingress: 'cil_from_container', egress: undefined });
  assert.equal(deviceByName(n1, 'lxc1466f225c091')?.ifindex, 21);
  assert.deepEqual(tc('cilium_vxlan'), { ingress: 'cil_from_overlay', egress: 'cil_to_overlay' });
  assert.deepEqual(tc('cilium_host'), { ingress: 'cil_to_host', egress: 'cil_from_host' });
  assert.deepEqual(tc('cilium_net'), { ingress: 'cil_to_host', egress: undefined });
  // Kube-proxy replacement needs devices: bpf_host on eth0 both ways.
  assert.deepEqual(tc('eth0'), { ingress: 'cil_from_netdev', egress: 'cil_to_netdev' });
});

test('policy map of pod2 (no policy selects it): allow-all both ways plus reserved:host, byte for byte', () => {
  const pm = node('node1').maps.policy.get('cilium_policy_00505');
  assert.ok(pm);
  assert.equal(pm.dump((id) => cluster.identities.labelStrings(id)),
    'POLICY   DIRECTION   LABELS (source:key[=value])   PORT/PROTO   PROXY PORT   BYTES   PACKETS   \n' +
    'Allow    Ingress     reserved:unknown              ANY          NONE         0       0         \n' +
    'Allow    Ingress     reserved:host                 ANY          NONE         0       0         \n' +
    'Allow    Egress      reserved:unknown              ANY          NONE         0       0         \n');
});
