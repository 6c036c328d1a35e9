// Tab completion and word splitting of the shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PLAIN } from '../../src/render/style.js';
import { complete } from '../../src/interactive/shell-complete.js';
import { ShellSession } from '../../src/interactive/shell-session.js';
import { splitWords } from '../../src/interactive/shell-words.js';
import { ROOT } from '../support/run-cli.js';

process.chdir(ROOT);
const quiet = { stdout: () => undefined, stderr: () => undefined };
const words = new ShellSession({ cluster: { scenario: 'services' }, out: quiet, style: PLAIN }).completionWords();
const hits = (line: string) => complete(line, words)[0];

test('commands, then sources, destinations (pods and svc:NS/NAME) and protocols', () => {
  assert.deepEqual(hits('tr'), ['trace ']);
  assert.deepEqual(hits('p'), ['pods', 'policies', 'policy']);
  assert.deepEqual(complete('trace po', words), [['pod1', 'pod2', 'pod3', 'pod4'].filter((p) => words.pods.includes(p)), 'po']);
  assert.ok(hits('trace ').includes('node:node1'));
  assert.deepEqual(hits('trace pod1 svc:default/w'), ['svc:default/web', 'svc:default/web-np']);
  assert.deepEqual(hits('trace pod1 svc:default/web '), ['icmp', 'tcp/', 'udp/']);
  assert.deepEqual(hits('trace pod1 pod3 -l '), ['detailed', 'summary', 'minimal']);
  assert.deepEqual(hits('trace pod1 pod3 --c'), ['--ct ']);
  assert.deepEqual(hits('trace pod1 pod3 --ct e'), ['established ']);
});

test('map names, pods for maps policy, nodes for --node; set, policy, ct, load', () => {
  assert.deepEqual(hits('maps '), ['ipcache', 'endpoint', 'policy', 'tunnel', 'lb', 'egress', 'ct', 'nat', 'calls']);
  assert.deepEqual(hits('maps c'), ['ct', 'calls']);
  assert.ok(hits('maps policy ').includes('default/pod1'));
  assert.deepEqual(hits('maps ct --node '), ['node1', 'node2']);
  assert.deepEqual(hits('set '), ['backend', 'ct', 'level', 'output']);
  assert.deepEqual(hits('set output j'), ['json ']);
  assert.deepEqual(hits('policy '), ['add', 'remove']);
  assert.deepEqual(hits('ct '), ['flush ']);
  assert.ok(hits('load --scenario ').includes('l3-policy'));
  assert.deepEqual(hits('policy add scenarios/demo/'), ['scenarios/demo/seed-walkthrough.cilium-trace ']);
  assert.ok(hits('explain DROP_POL').includes('DROP_POLICY'));
});

test('words: quotes, escapes, comments and columns', () => {
  assert.deepEqual(splitWords('  trace pod1  "pod 3" # comment'), [{ text: 'trace', col: 3 }, { text: 'pod1', col: 9 }, { text: 'pod 3', col: 15 }]);
  assert.deepEqual(splitWords("maps ct --after 'pod1 pod3 icmp'").map((w) => w.text), ['maps', 'ct', '--after', 'pod1 pod3 icmp']);
  assert.deepEqual(splitWords('a\\ b c#d').map((w) => w.text), ['a b', 'c#d']);
  assert.deepEqual(splitWords('# only a comment'), []);
  assert.throws(() => splitWords("trace 'pod1"), /unterminated single quote at column 7/);
});
