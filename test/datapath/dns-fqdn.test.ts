// The DNS proxy's rule matching, held to the release source (same at v1.13.0, v1.16.15 and
// v1.18.3): pkg/fqdn/matchpattern/matchpattern.go ToRegexp, pkg/policy/api/fqdn.go ToRegex,
// pkg/fqdn/dnsproxy/proxy.go CheckAllowed (lowercased FQDN), setSoMark.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dnsRuleOf, evaluateDns, patternRegex, queryName, selectorRegex, upstreamMark } from '../../src/proxy/dns-proxy.js';

const allows = (rule: string, name: string): boolean => evaluateDns([dnsRuleOf(rule)], name).allowed;

describe('v1.13.0 pkg/fqdn/matchpattern/matchpattern.go ToRegexp and pkg/policy/api/fqdn.go ToRegex', () => {
  it('matchpattern.go:ToRegexp: * alone is the match-all regex; * elsewhere stays within one label', () => {
    assert.equal(patternRegex('*'), '(^([-a-zA-Z0-9_]+[.])+$)|(^[.]$)');
    assert.equal(patternRegex('*.cilium.io.'), '^[-a-zA-Z0-9_]*[.]cilium[.]io[.]$');
    assert.equal(selectorRegex({ matchName: 'API.GitHub.com' }), '^api[.]github[.]com[.]$');
  });
  it('fqdn.go:ToRegex: matchName is exact, case-insensitive, trailing dot or not', () => {
    assert.equal(allows('matchName api.github.com', 'api.github.com'), true);
    assert.equal(allows('matchName api.github.com', 'API.GitHub.COM.'), true);
    assert.equal(allows('matchName api.github.com', 'xapi.github.com'), false);
    assert.equal(allows('matchName api.github.com', 'api.github.com.evil.io'), false);
  });
  it('matchPattern: *.cilium.io matches one label only, not the apex nor two labels; * matches all', () => {
    assert.equal(allows('matchPattern *.cilium.io', 'docs.cilium.io'), true);
    assert.equal(allows('matchPattern *.cilium.io', 'cilium.io'), false);
    assert.equal(allows('matchPattern *.cilium.io', 'a.b.cilium.io'), false);
    assert.equal(allows('matchPattern *', 'anything.example.org'), true);
    assert.equal(allows('matchPattern api.*.com', 'api.github.com'), true);
  });
  it('proxy.go:CheckAllowed: rules are ORed; a selector without DNS rules allows every name; misses are kept', () => {
    const v = evaluateDns(['matchName a.io', 'matchPattern *.b.io'].map(dnsRuleOf), 'x.b.io');
    assert.equal(v.matched?.text, 'matchPattern *.b.io');
    assert.deepEqual(v.misses.map((m) => m.text), ['matchName a.io']);
    assert.equal(evaluateDns([dnsRuleOf('anything (x has no L7 rules for it)')], 'z.io').allowed, true);
    assert.equal(queryName(' Foo.IO '), 'foo.io.');
  });
  it('proxy.go:setSoMark: MagicMarkIdentity 0x0F00 | (id & 0xFFFF) << 16 | (id & 0xFF0000) >> 16', () => {
    assert.equal(upstreamMark(16260), 0x3f840f00);
    assert.equal(upstreamMark(0x123456), 0x34560f12);
    assert.equal(upstreamMark(16260, 0x0b00), 0x3f840b00); // v1.16.15 proxy.go:843-846 setSoMarks, MagicMarkEgress
  });
});
