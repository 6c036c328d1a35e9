// The library's traceName: the lookup leg, what the agent learnt, the connection leg
// (src/trace/by-name.ts), on the real-cluster fixture under the newest profile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCluster, traceName, UsageError } from '../../src/index.js';

test('traceName: the DNS proxy forwards the lookup, the connection is allowed by toFQDNs; bad answers are UsageErrors', () => {
  const cluster = loadCluster({ files: ['test/fixtures/real-cluster'] });
  const t = traceName(cluster, { src: 'shop/frontend-6f7d8c9b5-2xkqz', name: 'api.github.com', answers: ['140.82.112.6'], proto: 'tcp/443' });
  assert.equal(t.lookup.verdict, 'FORWARDED');
  assert.equal(t.lookup.l7?.type, 'dns');
  assert.deepEqual(t.learned, { node: 'worker-1', endpoint: 'shop/frontend-6f7d8c9b5-2xkqz', name: 'api.github.com.', ips: ['140.82.112.6'] });
  assert.equal(t.connection?.verdict, 'FORWARDED');
  assert.throws(() => traceName(cluster, { src: 'shop/frontend-6f7d8c9b5-2xkqz', name: 'api.github.com', answers: ['1.2.3'] }), UsageError);
  assert.throws(() => traceName(cluster, { src: 'shop/frontend-6f7d8c9b5-2xkqz', name: 'bad name!', answers: ['1.2.3.4'] }), UsageError);
});
