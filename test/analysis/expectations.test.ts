// The expectations file: both layouts, defaults, positions; JUnit escaping.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/errors.js';
import { parseExpectations } from '../../src/analysis/expectations.js';
import { renderJunit, xmlEscape } from '../../src/analysis/junit.js';
import { goldenFileName } from '../../src/analysis/check.js';
import { parseScenario } from '../../src/scenario/load.js';
import { readInputs } from '../../src/scenario/inputs.js';

describe('parseExpectations', () => {
  it('a bare list, with positions of every value', () => {
    const [e] = parseExpectations('- from: a\n  to: svc:ns/b\n  expect: FORWARDED\n', 'x.yaml');
    assert.ok(e);
    assert.equal(e.name, null);
    assert.deepEqual(e.from, { value: 'a', pos: { file: 'x.yaml', line: 1, col: 9 } });
    assert.deepEqual(e.to.pos, { file: 'x.yaml', line: 2, col: 7 });
    assert.equal(e.proto, undefined, 'no proto: icmp, or the Service port');
    assert.deepEqual(e.pos, { file: 'x.yaml', line: 1, col: 3 });
  });

  it('a mapping with apiVersion, kind and expectations; ports as numbers or strings', () => {
    const list = parseExpectations('apiVersion: cilium-trace/v1\nkind: Expectations\nexpectations:\n  - { name: n1, from: a, to: b, proto: TCP, port: 80, expect: DROPPED, reason: POLICY_DENY }\n  - { from: a, to: b, proto: udp, port: "53", expect: FORWARDED }\n', 'x.yaml');
    assert.deepEqual(list.map((e) => [e.name, e.proto?.value, e.port?.value, e.expect, e.reason]), [['n1', 'tcp', 80, 'DROPPED', 'POLICY_DENY'], [null, 'udp', 53, 'FORWARDED', null]]);
  });

  it('syntax errors and structural problems are positioned', () => {
    const problems = (text: string) => {
      try {
        parseExpectations(text, 'x.yaml');
      } catch (e) {
        assert.ok(e instanceof InputError);
        return e.lines();
      }
      return [];
    };
    assert.deepEqual(problems('- from: [a\n'), ['x.yaml:1:9: invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]']);
    assert.deepEqual(problems(''), ['x.yaml:1:1: no expectations (expected a list of {from, to, proto, port, expect})']);
    assert.deepEqual(problems('kind: Tests\nexpectations: 3\n'), ['x.yaml:1:7: unknown kind \'Tests\' (expected Expectations)', 'x.yaml:2:15: expectations must be a list (expected - from: … entries)']);
    assert.deepEqual(problems('- from: a\n  from: b\n  to: c\n  expect: DROPPED\n'), ["x.yaml:2:3: duplicate key 'from' (expected each key once per mapping)"]);
    assert.deepEqual(problems('- from: a\n  to: b\n  expect: DROPPED\n  port: 99999\n  proto: tcp\n'), ["x.yaml:4:9: bad port '99999' (expected 1..65535)"]);
  });
});

describe('expect: in a Scenario document', () => {
  const HEAD = 'apiVersion: cilium-trace/v1\nkind: Scenario\nmetadata: { name: s }\nnodes: [{ name: n1, ip: 1.2.3.4, podCIDR: 10.0.0.0/24 }]\npods: [{ name: a, node: n1, ip: 10.0.0.10 }]\n';
  const lines = (f: () => unknown): string[] => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof InputError, String(e));
      return e.lines();
    }
    return [];
  };

  it('the same items as a file, with positions in the scenario, in order', () => {
    const s = parseScenario(`${HEAD}expect:\n  - name: a-self\n    from: a\n    to: a\n    proto: TCP\n    port: "80"\n    expect: FORWARDED\n  - { from: a, to: 10.0.0.99, expect: DROPPED, reason: POLICY_DENIED }\n`, 's.yaml');
    assert.deepEqual(s.expectations.map((e) => [e.name, e.from.value, e.to.value, e.proto?.value, e.port?.value, e.expect, e.reason]), [
      ['a-self', 'a', 'a', 'tcp', 80, 'FORWARDED', null],
      [null, 'a', '10.0.0.99', undefined, undefined, 'DROPPED', 'POLICY_DENIED'],
    ]);
    assert.deepEqual(s.expectations[0]?.pos, { file: 's.yaml', line: 7, col: 5 });
    assert.deepEqual(s.expectations[0]?.port?.pos, { file: 's.yaml', line: 11, col: 11 });
    assert.deepEqual(s.expectations[1]?.to.pos, { file: 's.yaml', line: 13, col: 20 });
    assert.deepEqual(parseScenario(HEAD, 's.yaml').expectations, [], 'no list: none');
    // escapes send the text to the `yaml` package's reader: same items, same positions
    const slow = parseScenario(`${HEAD}expect:\n  - { from: a, to: "10.0.0.\\x399", expect: DROPPED }\n`, 's.yaml');
    assert.deepEqual(slow.expectations.map((e) => [e.to.value, e.to.pos, e.pos]), [['10.0.0.99', { file: 's.yaml', line: 7, col: 20 }, { file: 's.yaml', line: 7, col: 7 }]]);
  });

  it('a bad list or item is reported with everything else the scenario gets wrong', () => {
    assert.deepEqual(lines(() => parseScenario(`${HEAD}expect: 3\n`, 's.yaml')), ['s.yaml:6:9: expect must be a list (expected - from: … entries)']);
    assert.deepEqual(lines(() => parseScenario(`${HEAD}expect:\n`, 's.yaml')), ['s.yaml:6:1: expect must be a list (expected - from: … entries)']);
    assert.deepEqual(lines(() => parseScenario(`${HEAD}expect: []\n`, 's.yaml')), ['s.yaml:6:9: the list of expectations is empty (expected at least one)']);
    assert.deepEqual(lines(() => parseScenario(`${HEAD}expect:\n  - { from: a, to:, expect: FORWARDED, colour: red }\n`, 's.yaml')), [
      "s.yaml:7:16: 'to' must be text (expected a pod, namespace/pod, node:NAME, svc:NAMESPACE/NAME or an IPv4 address)",
      "s.yaml:7:40: unknown key 'colour' in an expectation (expected one of: name, from, to, proto, port, http, expect, reason, why, source)",
    ]);
    assert.deepEqual(lines(() => parseScenario(`${HEAD.replace('ip: 10.0.0.10', 'ip: 10.1.0.10')}expect:\n  - { from: a, to: a, expect: SOMETIMES }\n`, 's.yaml')), [
      "s.yaml:5:33: pod IP 10.1.0.10 is outside n1's pod CIDR 10.0.0.0/24",
      "s.yaml:7:31: unknown verdict 'SOMETIMES' (expected FORWARDED or DROPPED)",
    ]);
  });

  it('several Scenario documents and files: lists in input order, names unique across them', () => {
    const second = (name: string): string => `apiVersion: cilium-trace/v1\nkind: Scenario\nmetadata: { name: t }\nexpect:\n  - { name: ${name}, from: a, to: a, expect: FORWARDED }\n`;
    const first = `${HEAD}expect:\n  - { name: one, from: a, to: a, expect: FORWARDED }\n`;
    const s = readInputs([{ file: 'a.yaml', text: first }, { file: 'b.yaml', text: `---\n${second('two')}` }], 'x');
    assert.deepEqual(s.expectations.map((e) => [e.name, e.pos.file, e.pos.line]), [['one', 'a.yaml', 7], ['two', 'b.yaml', 6]]);
    assert.deepEqual(lines(() => readInputs([{ file: 'a.yaml', text: first }, { file: 'b.yaml', text: second('one') }], 'x')), ["b.yaml:5:13: duplicate name 'one' (expected each name once; first at a.yaml:7)"]);
    assert.deepEqual(lines(() => parseScenario(`${first}---\n${second('one')}`, 'a.yaml')), ["a.yaml:13:13: duplicate name 'one' (expected each name once; first at line 7)"]);
  });

  it('an expectations file may not reuse a name the scenario took', () => {
    const taken = new Map([['one', { file: 'c.yaml', line: 40, col: 5 }]]);
    assert.deepEqual(lines(() => parseExpectations('- { name: one, from: a, to: b, expect: DROPPED }\n', 'x.yaml', taken)), ["x.yaml:1:11: duplicate name 'one' (expected each name once; first at c.yaml:40)"]);
    assert.equal(parseExpectations('- { name: two, from: a, to: b, expect: DROPPED }\n', 'x.yaml', taken).length, 1);
  });
});

describe('golden file names', () => {
  it('from the name, else from the flow; safe characters only', () => {
    const e = parseExpectations('- { name: "web → api", from: a, to: b, expect: DROPPED }\n- { from: ns/a, to: "svc:ns/b", proto: tcp, port: 80, expect: DROPPED }\n', 'x.yaml');
    assert.equal(goldenFileName({ expectation: e[0] as NonNullable<(typeof e)[0]>, protoText: 'icmp' }), 'web_api.txt');
    assert.equal(goldenFileName({ expectation: e[1] as NonNullable<(typeof e)[1]>, protoText: 'tcp/80' }), 'ns_a-svc_ns_b-tcp-80.txt');
  });
});

describe('JUnit XML', () => {
  it('escapes markup, quotes and characters XML 1.0 forbids', () => {
    assert.equal(xmlEscape('a<b & "c" \'d\'\n', true), 'a&lt;b &amp; &quot;c&quot; &apos;d&apos;&#10;');
    assert.equal(xmlEscape('x\u0001y\u001b[0m', false), 'x\uFFFDy\uFFFD[0m');
    assert.equal(renderJunit('s', [{ name: 'ok', classname: 'c', failure: null }, { name: 'b<ad', classname: 'c', failure: { message: 'm"1', type: 'DROPPED', body: '1 > 0\n' } }]), [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="s" tests="2" failures="1" errors="0" time="0">',
      '  <testsuite name="s" tests="2" failures="1" errors="0" skipped="0" time="0">',
      '    <testcase name="ok" classname="c" time="0"/>',
      '    <testcase name="b&lt;ad" classname="c" time="0">',
      '      <failure message="m&quot;1" type="DROPPED">1 &gt; 0',
      '</failure>',
      '    </testcase>',
      '  </testsuite>',
      '</testsuites>',
      '',
    ].join('\n'));
  });
});
