// The `-o json` forms of the dumps (shapes of real-state §3.3–3.5, from the Go types): the
// same rows as the text tables, the byte-order trap of the policy map's raw structs, v1.13's
// per-map arrays that are not one JSON document, warnings and the error trailer around them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isJsonDump, parseIpcacheJson, parseLbJson, parsePolicyJson } from '../../src/sysdump/parse-json.js';

describe('-o json dumps', () => {
  it('ipcache: map of value lists, a warning before it, the line of each value', () => {
    const text = [
      'level=warning msg="x"',
      '{',
      '  "10.0.2.45/32": [',
      '    "identity=41235 encryptkey=0 tunnelendpoint=192.168.10.12 flags=hastunnel"',
      '  ],',
      '  "0.0.0.0/0": [',
      '    "identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>"',
      '  ]',
      '}',
    ].join('\n');
    assert.equal(isJsonDump(text), true);
    const p = parseIpcacheJson(text);
    assert.deepEqual(p.rows.map((r) => [r.line, r.prefix, r.identity, r.tunnelEndpoint, r.flags]), [[4, '10.0.2.45/32', 41235, '192.168.10.12', ['hastunnel']], [7, '0.0.0.0/0', 2, '0.0.0.0', []]]);
    assert.deepEqual(p.notes.map((n) => n.line), [1]);
  });

  it('lb: v1.13 all slots under one key, v1.18 one key per slot', () => {
    const v113 = parseLbJson('{\n  "10.96.120.15:80": [\n    "0.0.0.0:0 (7) (0) [ClusterIP, non-routable]",\n    "10.0.2.45:8080 (7) (1)"\n  ]\n}\n');
    assert.deepEqual(v113.rows.map((r) => [r.line, r.slot, r.revNat, r.backend?.ip]), [[3, 0, 7, undefined], [4, 1, 7, '10.0.2.45']]);
    const v118 = parseLbJson('{\n  "10.96.120.15:80/TCP (0)": [\n    "0.0.0.0:0 (7) (0) [ClusterIP, non-routable] "\n  ],\n  "10.96.120.15:80/TCP (1)": [\n    "10.0.2.45:8080/TCP (7) (1)"\n  ]\n}\n');
    assert.deepEqual(v118.notes, []);
    assert.deepEqual(v118.rows.map((r) => [r.line, r.slot, r.frontend.proto, r.backend?.port]), [[3, 0, 6, undefined], [6, 1, 6, 8080]]);
  });

  it('policy v1.18: DestPortNetwork 36895 is port 8080, Prefixlen 64 is 24 bits after the 40 static ones; the error trailer is a note', () => {
    const entry = (id: number, dir: number, proto: number, port: number, prefix: number, flags = 0) =>
      `      {\n        "ProxyPortNetwork": 0,\n        "Flags": ${flags},\n        "Packets": 0,\n        "Bytes": 0,\n        "Key": {\n          "Prefixlen": ${prefix},\n          "Identity": ${id},\n          "TrafficDirection": ${dir},\n          "Nexthdr": ${proto},\n          "DestPortNetwork": ${port}\n        }\n      }`;
    const text = `[\n  {\n    "EndpointID": "2087",\n    "Path": "/sys/fs/bpf/tc/globals/cilium_policy_v2_02087",\n    "Content": [\n${entry(0, 1, 0, 0, 40)},\n${entry(33333, 0, 6, 36895, 64, 192)},\n${entry(2, 1, 17, 13568, 64, 1)}\n    ]\n  }\n]\n> Error while running 'cilium-dbg bpf policy get --all -o json':  exit status 1\n`;
    const p = parsePolicyJson(text);
    assert.deepEqual(p.maps, [{ endpointId: 2087, line: 3, path: '/sys/fs/bpf/tc/globals/cilium_policy_v2_02087' }]);
    assert.deepEqual(p.rows.map((r) => [r.identity, r.direction, r.proto, r.port, r.prefixLen, r.deny]), [
      [0, 'egress', 0, 0, 0, false],
      [33333, 'ingress', 6, 8080, 24, false],
      [2, 'egress', 17, 53, 24, true],
    ]);
    assert.equal(text.split('\n')[p.rows[1]!.line - 1], '        "Key": {');
    assert.deepEqual(p.notes.map((n) => n.message), ['the command failed: exit status 1 (rows before it are read)']);
  });

  it('policy v1.13: `<path>:` and one array per map (not one JSON document); DestPort and ProxyPort in network order', () => {
    const text = [
      '/sys/fs/bpf/tc/globals/cilium_policy_02087:',
      '',
      '[',
      '  {',
      '    "ProxyPort": 39459,',
      '    "Flags": 0,',
      '    "Key": { "Identity": 33333, "DestPort": 20480, "Nexthdr": 6, "TrafficDirection": 0 }',
      '  }',
      ']',
      '',
      '',
      '/sys/fs/bpf/tc/globals/cilium_policy_00377:',
      '',
      '[]',
    ].join('\n');
    assert.equal(isJsonDump(text), true);
    const p = parsePolicyJson(text);
    assert.deepEqual(p.notes, []);
    assert.deepEqual(p.maps.map((m) => m.endpointId), [2087, 377]);
    assert.deepEqual(p.rows, [{ line: 7, endpointId: 2087, deny: false, direction: 'ingress', identity: 33333, proto: 6, port: 80, portEnd: 80, proxyPort: 9114 }]);
  });

  it('a text table is no JSON dump', () => {
    assert.equal(isJsonDump('IP PREFIX/ADDRESS   IDENTITY\n'), false);
  });
});
