// The egress gateway step of handle_ipv4_from_lxc (bpf/bpf_lxc.c:1003-1027) in the shape of
// Cilium's bpf/tests: cilium_egress_gw_policy_v4 filled by hand, one program run. The
// datapath knows of a CiliumEgressGatewayPolicy only through this map and ENABLE_EGRESS_GATEWAY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EgressGwMap } from '../../src/maps/egressmap.js';
import { ipv4, parseIpv4Prefix } from '../../src/net/ip.js';
import { EP1, fixture, runEntry, tcpPacket } from '../support/datapath-fixture.js';

function withEntry(enable: boolean) {
  const f = fixture({ enableEgressGateway: enable });
  const map = new EgressGwMap();
  map.upsert({ saddr: ipv4(EP1.ip), daddr: parseIpv4Prefix('203.0.113.0/24', false)!, egressIp: ipv4('192.0.2.50'), gatewayIp: ipv4('1.2.3.168'), provenance: { kind: 'policy', what: 'CiliumEgressGatewayPolicy gw' }, effect: 'the gateway takes it' });
  (f.node.maps as { egressGw?: EgressGwMap }).egressGw = map;
  const prog = f.node.devices.get(EP1.ifindex)?.tc.ingress;
  assert.ok(prog);
  return (dst: string) => runEntry(f, prog, { ...tcpPacket(EP1.ip, dst, 443), ethDst: f.node.devices.get(EP1.ifindex)?.mac ?? tcpPacket(EP1.ip, dst, 443).ethDst }, EP1.ifindex);
}

test('egress_policies.h:32-51: a world destination in a policy CIDR is not simulated; the lookup names the map and the policy', () => {
  const r = withEntry(true)('203.0.113.9');
  assert.deepEqual(r.ret, { kind: 'unsimulated', text: 'the gateway takes it' });
  const lookup = r.nodes.find((n) => n.kind === 'lookup' && n.map === 'cilium_egress_gw_policy_v4');
  assert.ok(lookup && lookup.kind === 'lookup');
  assert.equal(lookup.key, '{saddr=10.0.0.157 daddr=203.0.113.9}');
  assert.equal(lookup.result, '203.0.113.0/24 egress_ip=192.0.2.50 gateway_ip=1.2.3.168');
  assert.equal(lookup.provenance?.[0]?.what, 'CiliumEgressGatewayPolicy gw');
});

test('bpf_lxc.c:1010-1011: identity_is_cluster skips the egress gateway; without ENABLE_EGRESS_GATEWAY there is no lookup', () => {
  const inside = withEntry(true)('10.0.1.105');
  assert.notEqual(inside.ret.kind, 'unsimulated');
  assert.ok(!inside.nodes.some((n) => n.kind === 'lookup' && n.map === 'cilium_egress_gw_policy_v4'));
  const off = withEntry(false)('203.0.113.9');
  assert.notEqual(off.ret.kind, 'unsimulated');
  assert.ok(!off.nodes.some((n) => n.kind === 'lookup' && n.map === 'cilium_egress_gw_policy_v4'));
  const elsewhere = withEntry(true)('198.51.100.1');
  assert.notEqual(elsewhere.ret.kind, 'unsimulated');
  assert.ok(elsewhere.nodes.some((n) => n.kind === 'lookup' && n.map === 'cilium_egress_gw_policy_v4' && n.result === null));
});
