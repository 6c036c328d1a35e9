// The expectations file: both layouts, defaults, positions; JUnit escaping.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/errors.js';
import { parseExpectations } from '../../src/analysis/expectations.js';
import { renderJunit, xmlEscape } from '../../src/analysis/junit.js';
import { goldenFileName } from '../../src/analysis/check.js';

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
