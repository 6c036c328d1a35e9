// The hashes behind every derived default (MACs, veth names, ids) must stay byte-for-byte
// what node:crypto and Buffer give: the goldens pin their results.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { macFromBytes } from '../../src/net/mac.js';
import { fnv1a, sha256Bytes, sha256Hex } from '../../src/util/hash.js';

function fnv1aReference(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const nodeSha = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

describe('sha256 and fnv1a', () => {
  it('match node:crypto and Buffer at every padding boundary', () => {
    for (let n = 0; n < 300; n++) {
      const text = 'x'.repeat(n);
      assert.equal(sha256Hex(text), nodeSha(text).toString('hex'), `length ${n}`);
    }
  });

  it('match on arbitrary strings, lone surrogates and astral characters included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (text) => {
        assert.deepEqual(Buffer.from(sha256Bytes(text)), nodeSha(text));
        assert.equal(fnv1a(text), fnv1aReference(text));
      }),
      { numRuns: 2000 },
    );
    for (const text of ['\ud800', 'a\udc00b', '\ud83d\ude00', 'é/ß', '\uffff']) {
      assert.equal(sha256Hex(text), nodeSha(text).toString('hex'));
      assert.equal(fnv1a(text), fnv1aReference(text));
    }
  });

  it('derive MACs as before', () => {
    assert.equal(macFromBytes(nodeSha('default/p1/eth0')), macFromBytes(sha256Bytes('default/p1/eth0')));
    const b = nodeSha('x');
    const old = Array.from(b.subarray(0, 6));
    old[0] = ((old[0] ?? 0) & 0xfc) | 0x02;
    assert.equal(macFromBytes(b), old.map((x) => x.toString(16).padStart(2, '0')).join(':'));
  });
});
