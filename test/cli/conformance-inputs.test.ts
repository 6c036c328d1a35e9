// What the cilium-cli connectivity cases (scripts/conformance.mjs) write that cilium-trace reads:
// informational `why` and `source` on an expectation, and `service:NS/NAME` for a Service.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/errors.js';
import { parseExpectations } from '../../src/analysis/expectations.js';
import { ROOT, runCli } from '../support/run-cli.js';

process.chdir(ROOT);

function problems(text: string): string[] {
  try {
    parseExpectations(text, 'x.yaml');
  } catch (e) {
    assert.ok(e instanceof InputError);
    return e.lines();
  }
  return [];
}

describe('expectations: why and source are notes', () => {
  it('are kept, and change nothing that is checked', () => {
    const [e] = parseExpectations("- from: a\n  to: b\n  proto: tcp\n  port: 8080\n  expect: FORWARDED\n  why: 'Expectation (ResultOK, ResultOK)'\n  source: 'cilium/cilium cilium-cli/connectivity/builder/no_policies.go'\n", 'x.yaml');
    assert.ok(e);
    assert.equal(e.why, 'Expectation (ResultOK, ResultOK)');
    assert.equal(e.source, 'cilium/cilium cilium-cli/connectivity/builder/no_policies.go');
    assert.deepEqual([e.expect, e.reason, e.port?.value], ['FORWARDED', null, 8080]);
  });

  it('must be text; any other key is still an error', () => {
    assert.deepEqual(problems('- { from: a, to: b, expect: DROPPED, why: [x] }\n'), ["x.yaml:1:43: 'why' must be text (expected a note; it is shown, not checked)"]);
    assert.deepEqual(problems('- { from: a, to: b, expect: DROPPED, because: x }\n'), [
      "x.yaml:1:38: unknown key 'because' in an expectation (expected one of: name, from, to, proto, port, http, expect, reason, why, source)",
    ]);
  });
});

describe('service:NS/NAME, as the connectivity tests name a Service', () => {
  it('is the same destination as svc:NS/NAME', async () => {
    const short = await runCli(['--scenario', 'services', '-l', 'minimal', 'pod1', 'svc:default/web', 'tcp/80']);
    const long = await runCli(['--scenario', 'services', '-l', 'minimal', 'pod1', 'service:default/web', 'tcp/80']);
    assert.equal(short.code, 0, short.stderr);
    assert.equal(long.code, 0, long.stderr);
    assert.equal(long.stdout, short.stdout);
  });

  it('sends nothing: refused as a source (exit 2)', async () => {
    const run = await runCli(['--scenario', 'services', 'service:default/web', 'pod1', 'tcp/80']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /a Service sends nothing: 'service:default\/web' cannot be a source/);
  });
});
