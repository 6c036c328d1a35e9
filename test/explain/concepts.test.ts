// The concepts students ask about first (identity, tail call, conntrack states, enforcement
// modes, socket LB / kube-proxy replacement, masquerading, Hubble) are topics, found by the
// words people use, and every topic they point to exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTopics, findTopic } from '../../src/explain/topics/index.js';
import { runCli } from '../support/run-cli.js';

const ASKED: ReadonlyArray<readonly [string, string]> = [
  ['identity', 'identity'], ['security identity', 'identity'],
  ['tail call', 'tail-call'], ['tailcall', 'tail-call'],
  ['connection tracking', 'conntrack-states'], ['CT_REPLY', 'conntrack-states'],
  ['enforcement mode', 'enforcement-modes'], ['default deny', 'enforcement-modes'],
  ['kube-proxy replacement', 'socket-lb'], ['socket LB', 'socket-lb'], ['KPR', 'socket-lb'],
  ['masquerading', 'masquerading'], ['masquerade', 'masquerading'],
  ['toFQDNs', 'fqdn'], ['DNS proxy', 'fqdn'], ['forgot DNS', 'fqdn'],
  ['hubble', 'hubble'], ['hubble observe', 'hubble'],
];

test('each concept is found by the words people use', () => {
  for (const [asked, id] of ASKED) assert.equal(findTopic(asked)?.id, id, asked);
});

test('every "see also" of a concept is a topic', () => {
  for (const t of allTopics().filter((x) => x.kind === 'concept')) {
    for (const s of t.see ?? []) assert.ok(findTopic(s), `${t.id} points to ${s}, which is no topic`);
  }
});

test('explain --list starts with the concepts', async () => {
  const run = await runCli(['explain', '--list']);
  assert.equal(run.code, 0);
  assert.deepEqual(run.stdout.split('\n').slice(0, 9).map((l) => l.trim().split(/\s+/)[0]), ['concepts:', 'identity', 'tail-call', 'conntrack-states', 'enforcement-modes', 'socket-lb', 'masquerading', 'fqdn', 'hubble']);
});
