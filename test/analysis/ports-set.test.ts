// PortSet: ranges merged and ordered, set difference (an L7 change counts both ways), the
// connection text netpol-analyzer style.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatPortSet, PortSet, EMPTY_SET } from '../../src/analysis/ports-set.js';

const tcp = (lo: number, hi: number, l7 = false) => ({ proto: 'TCP' as const, lo, hi, l7 });

describe('PortSet', () => {
  it('merges adjacent ranges of equal L7 marking, orders TCP, UDP, ICMP', () => {
    const s = new PortSet([{ proto: 'ICMP', lo: 8, hi: 8, l7: false }, tcp(81, 90), tcp(80, 80), tcp(91, 91, true), { proto: 'UDP', lo: 53, hi: 53, l7: false }]);
    assert.equal(formatPortSet(s), 'TCP 80-90,91 (L7), UDP 53, ICMP type 8');
    assert.equal(s.key, new PortSet([tcp(80, 85), tcp(86, 90), tcp(91, 91, true), { proto: 'UDP', lo: 53, hi: 53, l7: false }, { proto: 'ICMP', lo: 8, hi: 8, l7: false }]).key);
  });

  it('everything is All Connections; nothing is none', () => {
    const all = new PortSet([tcp(1, 65535), { proto: 'UDP', lo: 1, hi: 65535, l7: false }, { proto: 'ICMP', lo: 0, hi: 255, l7: false }]);
    assert.equal(formatPortSet(all), 'All Connections');
    assert.equal(formatPortSet(EMPTY_SET), 'none');
    assert.equal(formatPortSet(new PortSet([tcp(1, 65535)])), 'TCP 1-65535');
  });

  it('minus splits ranges; a port whose proxy marking changed is in both differences', () => {
    const a = new PortSet([tcp(1, 100), tcp(200, 200, true)]);
    const b = new PortSet([tcp(50, 60), tcp(200, 200)]);
    assert.equal(formatPortSet(a.minus(b)), 'TCP 1-49,61-100,200 (L7)');
    assert.equal(formatPortSet(b.minus(a)), 'TCP 200');
    assert.ok(a.minus(a).empty);
  });

  it('find', () => {
    const s = new PortSet([tcp(8000, 8099, true)]);
    assert.deepEqual(s.find('TCP', 8099), tcp(8000, 8099, true));
    assert.equal(s.find('TCP', 8100), undefined);
    assert.equal(s.find('UDP', 8000), undefined);
  });
});
