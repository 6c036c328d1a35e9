import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levenshtein, nameHint } from '../../src/util/similar.js';
import { isIpv6 } from '../../src/net/ipv6.js';
import { cidrValue } from '../../src/scenario/selectors.js';

test('levenshtein counts single-character edits', () => {
  assert.equal(levenshtein('pod1', 'pod1'), 0);
  assert.equal(levenshtein('pod1', 'podd1'), 1);
  assert.equal(levenshtein('', 'abc'), 3);
  assert.equal(levenshtein('kitten', 'sitting'), 3);
});

test('nameHint lists every name on a small cluster and the ten closest on a large one', () => {
  assert.equal(nameHint('x', ['b', 'a']), 'a, b');
  assert.equal(nameHint('x', []), 'none');
  const names = Array.from({ length: 50_000 }, (_, i) => `ns${i % 7}/web-${i}`);
  assert.equal(nameHint('ns3/web-1000x', names), 'ns3/web-10006, ns0/web-10003, ns1/web-10004, ns2/web-10005, ns3/web-10013, ns3/web-10020, ns3/web-10027, ns3/web-10034, ns3/web-1004, ns3/web-10041 (the 10 closest of 50000)');
});

test('IPv6 is recognised by its syntax, not by a colon', () => {
  for (const t of ['2001:db8::1', '::1', 'fe80::/10', '::ffff:10.0.0.1']) assert.equal(isIpv6(t), true, t);
  for (const t of ['10.0.0.1', '10.0.0.0:8', 'fe80::zz', 'pod:1', '']) assert.equal(isIpv6(t), false, t);
  // An IPv6 prefix is set aside (null), never an error: IPv4 traces cannot match it.
  assert.equal(cidrValue('2001:db8::/32', 'toCIDR', false), null);
  assert.equal(cidrValue('10.0.0.0:8', 'toCIDR', false), "invalid toCIDR '10.0.0.0:8' (expected an IPv4 prefix, e.g. 10.0.0.0/8)");
});
