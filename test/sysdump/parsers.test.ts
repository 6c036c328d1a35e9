// The bugtool map-dump parsers on both releases' formats (written from the printing code:
// pkg/maps/*/…String(), cilium[-dbg]/cmd/bpf_*_list.go at v1.13.0 and v1.18.3), and on the
// traps of real files: stderr lines, the error trailer, rows that are no rows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEndpointList, parseIpcacheList, parseLbList, parseTunnelList } from '../../src/sysdump/parse-maps.js';
import { parsePolicyGetAll, parsePortProto } from '../../src/sysdump/parse-policy.js';
import { parseCtList, parseNatList } from '../../src/sysdump/parse-ct.js';

describe('ipcache list', () => {
  it('v1.13.0: identity, tunnel endpoint and nodeid; a stale prefix and the world prefix', () => {
    const p = parseIpcacheList([
      'IP PREFIX/ADDRESS   IDENTITY',
      '10.0.2.45/32        identity=41235 encryptkey=0 tunnelendpoint=192.168.10.12 nodeid=2   ',
      '0.0.0.0/0           identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0   ',
    ].join('\n'));
    assert.deepEqual(p.notes, []);
    assert.deepEqual(p.rows, [
      { line: 2, prefix: '10.0.2.45/32', clusterId: 0, identity: 41235, encryptKey: 0, tunnelEndpoint: '192.168.10.12', nodeId: 2, flags: [] },
      { line: 3, prefix: '0.0.0.0/0', clusterId: 0, identity: 2, encryptKey: 0, tunnelEndpoint: '0.0.0.0', nodeId: 0, flags: [] },
    ]);
  });
  it('v1.16 `, flags=` and v1.18 ` flags=hastunnel`; a cluster id; an slog line and an IPv6 row become a note and nothing', () => {
    const p = parseIpcacheList([
      'time=2026-12-06T10:15:02.311Z level=WARN msg="x" subsys=cilium-dbg',
      'IP PREFIX/ADDRESS   IDENTITY',
      '10.0.1.0/24@3       identity=2 encryptkey=0 tunnelendpoint=192.168.10.11, flags=<none>',
      '10.0.2.0/24         identity=2 encryptkey=0 tunnelendpoint=192.168.10.12 flags=hastunnel,skiptunnel',
      'f00d::a00:0:0:c164/128   identity=1 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
      'garbage',
    ].join('\n'));
    assert.deepEqual(p.rows.map((r) => [r.line, r.prefix, r.clusterId, r.tunnelEndpoint, r.flags]), [
      [3, '10.0.1.0/24', 3, '192.168.10.11', []],
      [4, '10.0.2.0/24', 0, '192.168.10.12', ['hastunnel', 'skiptunnel']],
    ]);
    assert.deepEqual(p.notes.map((n) => n.line), [1, 6]);
    assert.match(p.notes[0]!.message, /^stderr mixed into the ipcache list: time=/);
    assert.equal(p.notes[1]!.message, 'not an ipcache row: garbage');
  });
  it('"No entries found." is an empty map, not a note', () => {
    assert.deepEqual(parseIpcacheList('No entries found.\n'), { rows: [], notes: [] });
  });
});

describe('endpoint list', () => {
  it('v1.13.0 (no sec_id) and v1.18.3 (sec_id, parent_ifindex); (localhost) rows; a logrus warning between rows', () => {
    const p = parseEndpointList([
      'IP ADDRESS        LOCAL ENDPOINT INFO',
      '10.0.1.23:0       id=1238  flags=0x0000 ifindex=11  mac=5E:1C:A7:2B:90:3D nodemac=B2:7F:0E:61:C4:18   ',
      'level=warning msg="Unable to open map" subsys=map-endpoint',
      '10.0.2.45:0       id=2087  sec_id=41235 flags=0x0000 ifindex=15  mac=3A:D0:8C:17:E2:59 nodemac=CE:44:71:0B:9F:26 parent_ifindex=0     ',
      '192.168.10.11:0   (localhost)    ',
    ].join('\n'));
    assert.deepEqual(p.rows, [
      { line: 2, ip: '10.0.1.23', host: false, id: 1238, flags: 0, ifindex: 11, mac: '5E:1C:A7:2B:90:3D', nodeMac: 'B2:7F:0E:61:C4:18' },
      { line: 4, ip: '10.0.2.45', host: false, id: 2087, secId: 41235, flags: 0, ifindex: 15, mac: '3A:D0:8C:17:E2:59', nodeMac: 'CE:44:71:0B:9F:26' },
      { line: 5, ip: '192.168.10.11', host: true },
    ]);
    assert.deepEqual(p.notes.map((n) => [n.line, n.message.slice(0, 36)]), [[3, 'stderr mixed into the endpoint list:']]);
  });
});

describe('tunnel list (v1.13: value ip:key nodeid; v1.16: ip:key)', () => {
  it('reads both value forms', () => {
    const p = parseTunnelList('TUNNEL     VALUE\n10.0.2.0   192.168.10.12:0 2   \n10.0.0.0   192.168.10.10:0   \n');
    assert.deepEqual(p.rows, [
      { line: 2, prefix: '10.0.2.0', endpoint: '192.168.10.12', key: 0, nodeId: 2 },
      { line: 3, prefix: '10.0.0.0', endpoint: '192.168.10.10', key: 0 },
    ]);
  });
});

describe('lb list', () => {
  it('v1.13.0: one key per frontend, slots on continuation rows (any order), /i internal scope', () => {
    const p = parseLbList([
      'SERVICE ADDRESS   BACKEND ADDRESS (REVNAT_ID) (SLOT)',
      '10.96.120.15:80   0.0.0.0:0 (2) (0) [ClusterIP, non-routable]   ',
      '                  10.0.2.45:8080 (2) (1)                        ',
      '10.96.0.1:443/i   192.168.10.10:6443 (1) (1)',
    ].join('\n'));
    assert.deepEqual(p.notes, []);
    assert.deepEqual(p.rows, [
      { line: 2, frontend: { ip: '10.96.120.15', port: 80, internal: false }, slot: 0, revNat: 2, flags: ['ClusterIP', 'non-routable'] },
      { line: 3, frontend: { ip: '10.96.120.15', port: 80, internal: false }, slot: 1, revNat: 2, backend: { ip: '10.0.2.45', port: 8080 } },
      { line: 4, frontend: { ip: '10.96.0.1', port: 443, internal: true }, slot: 1, revNat: 1, backend: { ip: '192.168.10.10', port: 6443 } },
    ]);
  });
  it('v1.17+: /PROTO and the slot in the key, the master\'s trailing space, a dangling slot', () => {
    const p = parseLbList([
      'SERVICE ADDRESS           BACKEND ADDRESS (REVNAT_ID) (SLOT)',
      '10.96.120.15:80/TCP (0)   0.0.0.0:0 (2) (0) [ClusterIP, non-routable] ',
      '10.96.120.15:80/TCP (1)   10.0.2.45:8080/TCP (2) (1)',
      '10.96.120.15:80/TCP (2)   backend 17 not found',
    ].join('\n'));
    assert.deepEqual(p.notes, []);
    assert.deepEqual(p.rows.map((r) => [r.slot, r.frontend.proto, r.backend?.proto, r.missingBackend]), [[0, 6, undefined, undefined], [1, 6, 6, undefined], [2, 6, undefined, 17]]);
  });
});

describe('bpf policy get --all --numeric', () => {
  it('v1.13.0: `<path>:` headers, HASH rows (ANY, 8080/TCP), empty maps', () => {
    const p = parsePolicyGetAll([
      '/sys/fs/bpf/tc/globals/cilium_policy_02087:',
      '',
      'POLICY   DIRECTION   IDENTITY   PORT/PROTO   PROXY PORT   BYTES   PACKETS   ',
      'Allow    Ingress     1          ANY          NONE         0       0         ',
      'Allow    Ingress     33333      8080/TCP     NONE         0       0         ',
      'Deny     Egress      2          53/UDP       15001        74      1         ',
      '',
      '',
      '/sys/fs/bpf/tc/globals/cilium_policy_00377:',
      '',
      'POLICY   DIRECTION   IDENTITY   PORT/PROTO   PROXY PORT   BYTES   PACKETS   ',
      'Policy stats empty. Perhaps the policy enforcement is disabled?',
    ].join('\n'));
    assert.deepEqual(p.notes, []);
    assert.deepEqual(p.maps.map((m) => [m.endpointId, m.line]), [[2087, 1], [377, 9]]);
    assert.deepEqual(p.rows, [
      { line: 4, endpointId: 2087, deny: false, direction: 'ingress', identity: 1, proto: 0, port: 0, portEnd: 0, proxyPort: 0 },
      { line: 5, endpointId: 2087, deny: false, direction: 'ingress', identity: 33333, proto: 6, port: 8080, portEnd: 8080, proxyPort: 0 },
      { line: 6, endpointId: 2087, deny: true, direction: 'egress', identity: 2, proto: 17, port: 53, portEnd: 53, proxyPort: 15001 },
    ]);
  });
  it('v1.18.3: Endpoint ID/Path headers, AUTH TYPE and PREFIX, `-` stats, ranges; the error trailer is a note', () => {
    const p = parsePolicyGetAll([
      'Endpoint ID: 2087',
      'Path: /sys/fs/bpf/tc/globals/cilium_policy_v2_02087',
      '',
      'POLICY   DIRECTION   IDENTITY   PORT/PROTO      PROXY PORT   AUTH TYPE   BYTES   PACKETS   PREFIX   ',
      'Allow    Ingress     0          TCP             NONE         disabled    -       -         8        ',
      'Allow    Ingress     33333      8080-8095/TCP   NONE         disabled    -       -         20       ',
      '',
      '',
      "> Error while running 'cilium-dbg bpf policy get --all --numeric':  exit status 1",
    ].join('\n'));
    assert.deepEqual(p.maps, [{ endpointId: 2087, line: 1, path: '/sys/fs/bpf/tc/globals/cilium_policy_v2_02087' }]);
    assert.deepEqual(p.rows.map((r) => [r.identity, r.proto, r.port, r.portEnd, r.prefixLen, r.authType]), [[0, 6, 0, 0, 8, 'disabled'], [33333, 6, 8080, 8095, 20, 'disabled']]);
    assert.deepEqual(p.notes, [{ line: 9, message: 'the command failed: exit status 1 (rows before it are read)' }]);
  });
  it('PORT/PROTO cells', () => {
    assert.deepEqual(parsePortProto('ANY'), { proto: 0, port: 0, portEnd: 0 });
    assert.deepEqual(parsePortProto('UDP'), { proto: 17, port: 0, portEnd: 0 });
    assert.deepEqual(parsePortProto('0/ICMP'), { proto: 1, port: 0, portEnd: 0 });
    assert.equal(parsePortProto('8080/XYZ'), undefined);
  });
});

describe('ct and nat lists', () => {
  it('v1.13.0 and v1.18.3 (--time-diff) CT lines; SVC and related entries', () => {
    const p = parseCtList([
      'TCP OUT 10.0.1.31:52814 -> 10.0.2.45:8080 expires=17336 RxPackets=5 RxBytes=437 RxFlagsSeen=0x1b LastRxReport=17322 TxPackets=6 TxBytes=421 TxFlagsSeen=0x1b LastTxReport=17322 Flags=0x0013 [ RxClosing TxClosing SeenNonSyn ] RevNAT=2 SourceSecurityID=33333 IfIndex=0 ',
      'TCP SVC 10.0.1.31:52814 -> 10.96.120.15:80 expires=17336 (remaining: 21549 sec(s)) Packets=0 Bytes=0 RxFlagsSeen=0x1b LastRxReport=17322 TxFlagsSeen=0x1b LastTxReport=17322 Flags=0x0013 [ RxClosing TxClosing SeenNonSyn ] RevNAT=2 SourceSecurityID=0 BackendID=1 ',
      'ICMP OUT 10.0.1.31:0 -> 10.0.2.45:0 related expires=1060 Packets=0 Bytes=0',
    ].join('\n'));
    assert.deepEqual(p.notes, []);
    assert.deepEqual(p.rows.map((r) => [r.proto, r.dir, r.src, r.dport, r.related, r.fields.get('SourceSecurityID'), r.fields.get('RevNAT')]), [
      ['TCP', 'OUT', '10.0.1.31', 8080, false, '33333', '2'],
      ['TCP', 'SVC', '10.0.1.31', 80, false, '0', '2'],
      ['ICMP', 'OUT', '10.0.1.31', 0, true, undefined, undefined],
    ]);
  });
  it('NAT lines: XLATE_SRC and the address it becomes', () => {
    const p = parseNatList('TCP OUT 10.0.1.31:43210 -> 8.8.8.8:80 XLATE_SRC 192.168.10.11:43210 Created=1000sec ago NeedsCT=1\n');
    assert.deepEqual(p.rows[0]!.xlate, { kind: 'XLATE_SRC', to: '192.168.10.11:43210' });
  });
});
