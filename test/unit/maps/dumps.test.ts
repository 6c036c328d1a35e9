// Each map's dump, on hand-built entries, compared byte for byte with what the v1.13 cilium
// CLI prints for the same map content. Table expectations follow Go's text/tabwriter (see
// tabwriter.test.ts); `·` marks padding and becomes ' '. Where the reference's hand-written
// examples are not what tabwriter prints (column widths, trailing padding), the Go
// behaviour is what is expected here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4, prefix } from '../../../src/net/ip.js';
import { mac } from '../../../src/net/mac.js';
import type { Provenance } from '../../../src/maps/provenance.js';
import { IpcacheMap, formatRemoteEndpointInfo } from '../../../src/maps/ipcache.js';
import { ENDPOINT_F_HOST, LxcMap, formatEndpointInfo, formatEndpointKey } from '../../../src/maps/lxcmap.js';
import { PolicyMap, formatPortProto, policyMapName, type PolicyKey } from '../../../src/maps/policymap.js';
import { TunnelMap, formatTunnelValue } from '../../../src/maps/tunnel.js';
import { CtMap, CT_MAP_TCP, TUPLE_F_IN, TUPLE_F_OUT, TUPLE_F_RELATED, TUPLE_F_SERVICE, formatCtEntry, formatCtKey, type CtEntry, type CtTuple } from '../../../src/maps/ctmap.js';
import { CALL_POLICY_MAP, OVERLAY_CALLS_MAP, ProgArray, hostCallsMapName, lxcCallsMapName, netdevCallsMapName, type ProgramRef } from '../../../src/maps/callmap.js';

const pad = (s: string): string => s.replaceAll('·', ' ');
const dots = (n: number): string => '·'.repeat(n);
const prov: Provenance = { kind: 'agent', what: 'unit test' };

describe('cilium bpf ipcache list', () => {
  const seedRemote = { secLabel: 14753, tunnelEndpoint: ipv4('1.2.3.168'), key: 0, nodeId: 32012 };
  const seedLocal = { secLabel: 14753, tunnelEndpoint: ipv4('0.0.0.0'), key: 0, nodeId: 0 };

  test('value: the seed-000 format identity=%d encryptkey=%d tunnelendpoint=%s nodeid=%d', () => {
    assert.equal(formatRemoteEndpointInfo(seedRemote), 'identity=14753 encryptkey=0 tunnelendpoint=1.2.3.168 nodeid=32012');
    assert.equal(formatRemoteEndpointInfo(seedLocal), 'identity=14753 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0');
  });

  test('table: longest prefixes first, then by address; trailing padding on data rows only', () => {
    const m = new IpcacheMap();
    m.upsert({ prefix: prefix('0.0.0.0/0'), info: { secLabel: 2, tunnelEndpoint: ipv4('0.0.0.0'), key: 0, nodeId: 0 }, provenance: prov });
    m.upsert({ prefix: prefix('10.0.1.105/32'), info: seedRemote, provenance: prov });
    m.upsert({ prefix: prefix('10.0.0.243/32'), info: seedLocal, provenance: prov });
    // Column 0: "IP PREFIX/ADDRESS" (17) + 3 = 20. Column 1 (data rows): 65 + 3 = 68.
    assert.equal(m.dump(), pad(
      'IP PREFIX/ADDRESS···IDENTITY\n' +
      `10.0.0.243/32·······identity=14753 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0${dots(9)}\n` +
      '10.0.1.105/32·······identity=14753 encryptkey=0 tunnelendpoint=1.2.3.168 nodeid=32012···\n' +
      `0.0.0.0/0···········identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0${dots(13)}\n`,
    ));
  });

  test('empty map', () => {
    assert.equal(new IpcacheMap().dump(), 'No entries found.\n');
  });
});

describe('cilium bpf endpoint list', () => {
  const pod2 = { ifindex: 21, lxcId: 505, flags: 0, mac: mac('9a:a7:ad:85:cc:e3'), nodeMac: mac('e6:5b:ce:77:aa:3d') };
  const host = { ifindex: 0, lxcId: 0, flags: ENDPOINT_F_HOST, mac: undefined, nodeMac: undefined };

  test('value: id=%-5d flags=0x%04X ifindex=%-3d mac=%s nodemac=%s, upper-case MACs', () => {
    assert.equal(formatEndpointInfo(pod2), 'id=505   flags=0x0000 ifindex=21  mac=9A:A7:AD:85:CC:E3 nodemac=E6:5B:CE:77:AA:3D');
    assert.equal(
      formatEndpointInfo({ ifindex: 39, lxcId: 2910, flags: 0, mac: mac('5e:74:7d:93:a7:92'), nodeMac: mac('66:a3:fb:74:62:08') }),
      'id=2910  flags=0x0000 ifindex=39  mac=5E:74:7D:93:A7:92 nodemac=66:A3:FB:74:62:08',
    );
    // %-5d and %-3d are minimum widths: longer numbers are not cut.
    assert.equal(
      formatEndpointInfo({ ifindex: 1234, lxcId: 12345, flags: 0, mac: mac('02:00:00:00:00:01'), nodeMac: mac('02:00:00:00:00:02') }),
      'id=12345 flags=0x0000 ifindex=1234 mac=02:00:00:00:00:01 nodemac=02:00:00:00:00:02',
    );
  });

  test('value: host entries print (localhost); key is ip:0', () => {
    assert.equal(formatEndpointInfo(host), '(localhost)');
    assert.equal(formatEndpointKey(ipv4('10.0.0.243')), '10.0.0.243:0');
  });

  test('table: rows by address; (localhost) padded to the value column width', () => {
    const m = new LxcMap();
    m.upsert({ ip: ipv4('10.0.0.243'), info: pod2, provenance: prov });
    m.upsert({ ip: ipv4('10.0.0.2'), info: host, provenance: prov });
    m.upsert({ ip: ipv4('1.2.3.167'), info: host, provenance: prov });
    // Column 0: "10.0.0.243:0" (12) + 3 = 15. Column 1: 81 + 3 = 84, so "(localhost)" (11) gets 73.
    assert.equal(m.dump(), pad(
      'IP ADDRESS·····LOCAL ENDPOINT INFO\n' +
      `1.2.3.167:0····(localhost)${dots(73)}\n` +
      `10.0.0.2:0·····(localhost)${dots(73)}\n` +
      '10.0.0.243:0···id=505   flags=0x0000 ifindex=21  mac=9A:A7:AD:85:CC:E3 nodemac=E6:5B:CE:77:AA:3D···\n',
    ));
  });

  test('empty map', () => {
    assert.equal(new LxcMap().dump(), 'No entries found.\n');
  });
});

describe('cilium bpf tunnel list', () => {
  test('v1.13.0 pkg/maps/tunnel/tunnel.go:85-110: the key prints the bare IP, the value ip:key node_id', () => {
    const m = new TunnelMap();
    m.upsert({ prefixBase: ipv4('10.0.1.0'), endpoint: ipv4('1.2.3.168'), key: 0, nodeId: 32012, provenance: prov });
    assert.equal(m.dump(), pad('TUNNEL·····VALUE\n10.0.1.0···1.2.3.168:0 32012···\n'));
  });

  test('rows sorted by key; the value carries the encryption key', () => {
    const m = new TunnelMap();
    m.upsert({ prefixBase: ipv4('10.0.2.0'), endpoint: ipv4('1.2.3.169'), key: 3, nodeId: 7, provenance: prov });
    m.upsert({ prefixBase: ipv4('10.0.1.0'), endpoint: ipv4('1.2.3.168'), key: 0, nodeId: 5, provenance: prov });
    assert.equal(formatTunnelValue({ endpoint: ipv4('1.2.3.169'), key: 3, nodeId: 7 }), '1.2.3.169:3 7');
    assert.equal(m.dump(), pad('TUNNEL·····VALUE\n10.0.1.0···1.2.3.168:0 5···\n10.0.2.0···1.2.3.169:3 7···\n'));
  });

  test('empty map', () => {
    assert.equal(new TunnelMap().dump(), 'No entries found.\n');
  });
});

describe('cilium bpf policy get', () => {
  const HEADER = 'POLICY···DIRECTION···LABELS (source:key[=value])···PORT/PROTO···PROXY PORT···BYTES···PACKETS···\n';
  const allow = (over: Partial<{ proxyPort: number; bytes: number; packets: number }> = {}) =>
    ({ proxyPort: 0, deny: false, packets: 0, bytes: 0, provenance: [prov], ...over });
  const deny = () => ({ ...allow(), deny: true });
  const key = (identity: number, dport: number, proto: number, direction: PolicyKey['direction']): PolicyKey =>
    ({ identity, dport, proto, direction });

  // The reference example's map content: host, a client identity on 80/TCP, egress allow-all.
  const CLIENT = 20123;
  const LABELS: Record<number, string[]> = {
    0: ['reserved:unknown'],
    1: ['reserved:host'],
    [CLIENT]: ['k8s:app=client', 'k8s:io.cilium.k8s.policy.cluster=default', 'k8s:io.cilium.k8s.policy.serviceaccount=default', 'k8s:io.kubernetes.pod.namespace=default'],
  };
  const referenceMap = (): PolicyMap => {
    const m = new PolicyMap(505);
    m.set(key(0, 0, 0, 'egress'), allow({ bytes: 12345, packets: 150 }));
    m.set(key(CLIENT, 80, 6, 'ingress'), allow({ bytes: 5180, packets: 70 }));
    m.set(key(1, 0, 0, 'ingress'), allow());
    return m;
  };
  // Go output for that content. Column 2 is as wide as the longest label (47) + 3 = 50.
  // Continuation rows are written as "\t\t%s\t\t\t\t\t\t\n" (bpf_policy_get.go): eight
  // terminated cells against seven on a main row, so their extra empty cell is padded to
  // minwidth 5 and they end five spaces later than the main rows.
  const referenceDump = pad(
    'POLICY···DIRECTION···LABELS (source:key[=value])·······················PORT/PROTO···PROXY PORT···BYTES···PACKETS···\n' +
    'Allow····Ingress·····reserved:host·····································ANY··········NONE·········0·······0·········\n' +
    'Allow····Ingress·····k8s:app=client····································80/TCP·······NONE·········5180····70········\n' +
    `·····················k8s:io.cilium.k8s.policy.cluster=default${dots(10)}${dots(13)}${dots(13)}${dots(8)}${dots(10)}·····\n` +
    `·····················k8s:io.cilium.k8s.policy.serviceaccount=default···${dots(13)}${dots(13)}${dots(8)}${dots(10)}·····\n` +
    `·····················k8s:io.kubernetes.pod.namespace=default${dots(11)}${dots(13)}${dots(13)}${dots(8)}${dots(10)}·····\n` +
    'Allow····Egress······reserved:unknown··································ANY··········NONE·········12345···150·······\n',
  );
  const trimLines = (s: string): string => s.split('\n').map((l) => l.trimEnd()).join('\n');

  test('map name is cilium_policy_<EPID 5 digits>', () => {
    assert.equal(policyMapName(505), 'cilium_policy_00505');
    assert.equal(new PolicyMap(1703).name, 'cilium_policy_01703');
  });

  test('PORT/PROTO: ANY for port 0 unless ICMP, else <port>/<PROTO>', () => {
    assert.equal(formatPortProto({ dport: 0, proto: 0 }), 'ANY');
    assert.equal(formatPortProto({ dport: 0, proto: 6 }), 'ANY');
    assert.equal(formatPortProto({ dport: 80, proto: 6 }), '80/TCP');
    assert.equal(formatPortProto({ dport: 53, proto: 17 }), '53/UDP');
    assert.equal(formatPortProto({ dport: 9000, proto: 132 }), '9000/SCTP');
    assert.equal(formatPortProto({ dport: 0, proto: 1 }), '0/ICMP');
    assert.equal(formatPortProto({ dport: 8, proto: 1 }), '8/ICMP');
    assert.equal(formatPortProto({ dport: 0, proto: 58 }), '0/ICMPv6');
    assert.equal(formatPortProto({ dport: 7, proto: 99 }), '7/99');
  });

  test('reference example: rows, order and column widths (continuation rows compared without trailing blanks)', () => {
    const m = referenceMap();
    assert.equal(trimLines(m.dump((id) => LABELS[id])), trimLines(referenceDump));
  });

  test('reference example byte for byte, continuation rows included', () => {
    assert.equal(referenceMap().dump((id) => LABELS[id]), referenceDump);
  });

  test('order: deny rows first, then Ingress before Egress, then identity ascending', () => {
    const m = new PolicyMap(505);
    m.set(key(300, 0, 0, 'egress'), allow({ proxyPort: 15001, bytes: 1234, packets: 5 }));
    m.set(key(2, 0, 1, 'ingress'), allow());
    m.set(key(1, 0, 0, 'ingress'), allow());
    m.set(key(200, 80, 6, 'ingress'), deny());
    m.set(key(0, 0, 0, 'ingress'), allow());
    m.set(key(100, 53, 17, 'egress'), deny());
    // No labels known: the numeric identity takes the LABELS cell (as with a failed lookup).
    assert.equal(m.dump(() => undefined), pad(
      HEADER +
      'Deny·····Ingress·····200···························80/TCP·······NONE·········0·······0·········\n' +
      'Deny·····Egress······100···························53/UDP·······NONE·········0·······0·········\n' +
      'Allow····Ingress·····0·····························ANY··········NONE·········0·······0·········\n' +
      'Allow····Ingress·····1·····························ANY··········NONE·········0·······0·········\n' +
      'Allow····Ingress·····2·····························0/ICMP·······NONE·········0·······0·········\n' +
      'Allow····Egress······300···························ANY··········15001········1234····5·········\n',
    ));
  });

  test('empty map: the message follows the header, as bpf_policy_get.go prints both', () => {
    assert.equal(new PolicyMap(505).dump(() => undefined), pad(HEADER) + 'Policy stats empty. Perhaps the policy enforcement is disabled?\n');
  });

  test('empty map: the message', () => {
    assert.match(new PolicyMap(505).dump(() => undefined), /Policy stats empty\. Perhaps the policy enforcement is disabled\?\n$/);
  });
});

describe('cilium bpf ct list global', () => {
  // Tuples use the simulator's stored form (src/datapath/lib/conntrack.ts originalTuple):
  // daddr = the connection's source address, saddr = its destination, dport = its source
  // port, sport = its destination port, flags OUT (egress) or IN (ingress).
  const tuple = (over: Partial<CtTuple>): CtTuple =>
    ({ daddr: ipv4('10.0.0.243'), saddr: ipv4('10.0.1.17'), dport: 43210, sport: 80, nexthdr: 6, flags: TUPLE_F_OUT, ...over });
  const entry = (over: Partial<CtEntry>): CtEntry => ({
    lifetime: 17394, rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, txFlagsSeen: 0, rxFlagsSeen: 0, flags: 0,
    revNat: 0, srcSecId: 14753, ifindex: 0, lastTxReport: 0, lastRxReport: 0, provenance: prov, ...over,
  });
  const established = entry({
    rxPackets: 5, rxBytes: 412, rxFlagsSeen: 0x1b, lastRxReport: 17334,
    txPackets: 6, txBytes: 460, txFlagsSeen: 0x1b, lastTxReport: 17334, flags: 0x13,
  });
  const firstSyn = entry({ rxPackets: 1, rxBytes: 74, rxFlagsSeen: 0x02, lastRxReport: 17334 });

  test('reference line: TCP OUT, closing flags', () => {
    assert.equal(
      formatCtKey(tuple({})) + formatCtEntry(established),
      'TCP OUT 10.0.0.243:43210 -> 10.0.1.17:80 expires=17394 RxPackets=5 RxBytes=412 RxFlagsSeen=0x1b LastRxReport=17334 ' +
      'TxPackets=6 TxBytes=460 TxFlagsSeen=0x1b LastTxReport=17334 Flags=0x0013 [ RxClosing TxClosing SeenNonSyn ] ' +
      'RevNAT=0 SourceSecurityID=14753 IfIndex=0 ',
    );
  });

  test('reference line: TCP IN, zero-padded %#02x / %#04x and an empty flag list', () => {
    assert.equal(
      formatCtKey(tuple({ saddr: ipv4('10.0.0.9'), flags: TUPLE_F_IN })) + formatCtEntry(firstSyn),
      'TCP IN 10.0.0.243:43210 -> 10.0.0.9:80 expires=17394 RxPackets=1 RxBytes=74 RxFlagsSeen=0x02 LastRxReport=17334 ' +
      'TxPackets=0 TxBytes=0 TxFlagsSeen=0x00 LastTxReport=0 Flags=0x0000 [ ] RevNAT=0 SourceSecurityID=14753 IfIndex=0 ',
    );
  });

  test('key: protocol names and the related / service suffixes', () => {
    assert.equal(
      formatCtKey(tuple({ daddr: ipv4('10.96.0.10'), saddr: ipv4('10.0.0.243'), dport: 53, sport: 40526, nexthdr: 17, flags: TUPLE_F_SERVICE })),
      'UDP OUT 10.96.0.10:53 -> 10.0.0.243:40526 service ',
    );
    assert.equal(formatCtKey(tuple({ nexthdr: 1, dport: 7, sport: 0, flags: TUPLE_F_IN | TUPLE_F_RELATED })), 'ICMP IN 10.0.0.243:7 -> 10.0.1.17:0 related ');
    assert.equal(formatCtKey(tuple({ nexthdr: 132 })), 'SCTP OUT 10.0.0.243:43210 -> 10.0.1.17:80 ');
  });

  test('value: every flag name, in bit order', () => {
    assert.match(formatCtEntry(entry({ flags: 0x1ff })), / Flags=0x01ff \[ RxClosing TxClosing Nat64 LBLoopback SeenNonSyn NodePort ProxyRedirect DSR FromL7LB \] /);
  });

  test('dump lines: insertion order, one " \\n"-terminated line per entry, protocol 0 skipped', () => {
    const m = new CtMap(CT_MAP_TCP);
    m.set(tuple({}), established);
    m.set(tuple({ nexthdr: 0 }), established);
    m.set(tuple({ saddr: ipv4('10.0.0.9'), flags: TUPLE_F_IN }), firstSyn);
    const lines = m.dumpLines();
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => l.endsWith(' \n')));
    assert.ok(lines[0]?.startsWith('TCP OUT 10.0.0.243:43210 -> 10.0.1.17:80 expires=17394 RxPackets=5 '));
    assert.ok(lines[1]?.startsWith('TCP IN 10.0.0.243:43210 -> 10.0.0.9:80 expires=17394 RxPackets=1 '));
  });
});

describe('prog arrays', () => {
  const cfg = { kind: 'lxc', lxcId: 505, seclabel: 14753, lxcIpv4: ipv4('10.0.0.243'), ifindex: 21, callsMap: 'cilium_calls_00505', policyMap: 'cilium_policy_00505', policyVerdictLogFilter: 0x3 } as const;
  const ref = (name: string, section: string, progId: number): ProgramRef => ({ object: 'bpf_lxc', name, section, config: cfg, progId });

  test('map names', () => {
    assert.equal(lxcCallsMapName(505), 'cilium_calls_00505');
    assert.equal(hostCallsMapName(554), 'cilium_calls_hostns_00554');
    assert.equal(netdevCallsMapName(2), 'cilium_calls_netdev_00002');
    assert.equal(OVERLAY_CALLS_MAP, 'cilium_calls_overlay_2');
    assert.equal(CALL_POLICY_MAP, 'cilium_call_policy');
  });

  test('dump: name[slot] = program, slots ascending', () => {
    const a = new ProgArray(lxcCallsMapName(505));
    a.set(7, ref('tail_handle_ipv4', '2/7', 3));
    a.set(1, ref('__send_drop_notify', '2/1', 1));
    a.set(6, ref('tail_handle_arp', '2/6', 2));
    assert.equal(a.dump(),
      'cilium_calls_00505[1] = __send_drop_notify\n' +
      'cilium_calls_00505[6] = tail_handle_arp\n' +
      'cilium_calls_00505[7] = tail_handle_ipv4\n');
    assert.equal(a.lookup(7)?.name, 'tail_handle_ipv4');
    assert.equal(a.lookup(25), undefined);
  });

  test('common.h:128 slots are bounded by max entries: CILIUM_CALL_SIZE (40) for calls maps, 65535 for cilium_call_policy', () => {
    const calls = new ProgArray(lxcCallsMapName(505));
    calls.set(38, ref('tail_handle_snat_fwd_ipv4', '2/38', 1));
    assert.equal(calls.lookup(38)?.name, 'tail_handle_snat_fwd_ipv4', 'slot 38 (CILIUM_CALL_IPV4_NODEPORT_SNAT_FWD) fits');
    assert.throws(() => calls.set(40, ref('x', '2/40', 1)), /slot 40 out of range/);
    const policy = new ProgArray(CALL_POLICY_MAP, 65535);
    policy.set(505, ref('handle_policy', '1/0x1f9', 4));
    assert.equal(policy.dump(), 'cilium_call_policy[505] = handle_policy\n');
  });

  test('empty prog array dumps nothing', () => {
    assert.equal(new ProgArray(OVERLAY_CALLS_MAP).dump(), '');
  });
});
