// `explain --cilium R TOPIC`: the topics describe v1.13.0; for a newer release the closing
// section lists what that release changed for the topic, from the release profiles' own data
// (features.ts, the CILIUM_CALL_* table of the release, the agent CLI's name).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../support/run-cli.js';
import { findTopic } from '../../src/explain/topics/index.js';
import { RELEASE_NAMES, releaseNotes, topicsWithFeatures } from '../../src/explain/topics/releases.js';
import { DEFAULT_RELEASE, V1_13_0, V1_16_15, V1_18_3 } from '../../src/cilium/releases/release.js';

process.chdir(ROOT);

function section(text: string, heading: string): string {
  const i = text.indexOf(`\n${heading}\n`);
  assert.ok(i >= 0, `no '${heading}' in:\n${text}`);
  return text.slice(i + heading.length + 1).replace(/\n {4}/g, ' ').replace(/\n  /g, '\n').slice(1);
}

describe('explain names the release it describes', () => {
  it('--cilium 1.13: a Release section naming v1.13.0 and how to ask for the newer ones', async () => {
    const run = await runCli(['explain', '--cilium', '1.13', 'handle_policy']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\n\nRelease\n  Cilium v1\.13\.0\. What a newer release changes: explain --cilium 1\.16\|1\.18\n  handle_policy\n$/);
  });

  it('without --cilium: the release input without a version gets', async () => {
    const plain = await runCli(['explain', 'handle_policy']);
    const explicit = await runCli(['explain', '--cilium', DEFAULT_RELEASE.profile, 'handle_policy']);
    assert.equal(plain.stdout, explicit.stdout);
    // --cilium before the command is the same option.
    assert.equal((await runCli(['--cilium', '1.18', 'explain', 'handle_policy'])).stdout, (await runCli(['explain', '--cilium', '1.18', 'handle_policy'])).stdout);
  });

  it('a bad --cilium is a usage error', async () => {
    const run = await runCli(['explain', '--cilium', '1.17', 'handle_policy']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^cilium-trace: bad --cilium '1\.17' \(expected one of: 1\.13, /);
  });
});

describe('what a newer release changed, per topic', () => {
  it('v1.18.3 bpf/lib/tailcall.h:82: CILIUM_CALL_IPV4_CT_EGRESS is slot 30 (29 in v1.13.0 and v1.16.15)', async () => {
    assert.deepEqual([V1_13_0.calls.slot('IPV4_CT_EGRESS'), V1_16_15.calls.slot('IPV4_CT_EGRESS'), V1_18_3.calls.slot('IPV4_CT_EGRESS')], [29, 29, 30]);
    const r18 = await runCli(['explain', '--cilium', '1.18', 'tail_ipv4_ct_egress']);
    assert.match(section(r18.stdout, 'In Cilium v1.18.3 (the text above describes v1.13.0)'), /^- CILIUM_CALL_IPV4_CT_EGRESS is slot 30 \(bpf\/lib\/tailcall\.h:82; slot 29 in v1\.13\.0\)\n$/);
    const r16 = await runCli(['explain', '--cilium', '1.16', 'tail_ipv4_ct_egress']);
    assert.equal(section(r16.stdout, 'In Cilium v1.16.15 (the text above describes v1.13.0)'), 'cilium-trace records no change of this topic between v1.13.0 and v1.16.15.\n');
  });

  it('v1.18.3 bpf/lib/tailcall.h:100: CILIUM_CALL_SIZE 48 (40 in v1.13.0) on the prog-array topic', () => {
    const t = findTopic('cilium_calls_00505');
    assert.ok(t);
    assert.ok(releaseNotes(t, V1_18_3).some((n) => n.text === 'CILIUM_CALL_SIZE is 48 (bpf/lib/tailcall.h:100; 40 in v1.13.0)'));
  });

  it('v1.18.3 bpf/bpf_lxc.c:2246 cil_lxc_policy is a topic of its own; handle_policy names the rename', async () => {
    const run = await runCli(['explain', '--cilium', '1.18', 'cil_lxc_policy']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^cil_lxc_policy — bpf\/bpf_lxc\.c \(v1\.18\), section tc\/entry/);
    const hp = await runCli(['explain', '--cilium', '1.18', 'handle_policy']);
    assert.match(section(hp.stdout, 'In Cilium v1.18.3 (the text above describes v1.13.0)'), /^- the policy programs are cil_lxc_policy \/ cil_lxc_policy_egress \/ cil_host_policy \(since 1\.18\.0; /m);
    // v1.16.15 still calls it handle_policy: only the EP_NOT_READY change applies.
    const t = findTopic('handle_policy');
    assert.ok(t);
    assert.deepEqual(releaseNotes(t, V1_16_15).map((n) => n.feature), ['ep-not-ready']);
  });

  it('v1.18.3 pkg/maps/policymap/policymap.go:36 cilium_policy_v2_<EPID> finds the policy map topic; v1.15 on: cilium-dbg', async () => {
    const run = await runCli(['explain', '--cilium', '1.18', 'cilium_policy_v2_00505']);
    assert.match(run.stdout, /^cilium_policy_v2_00505: see cilium_policy_\*\n/);
    const notes = section(run.stdout, 'In Cilium v1.18.3 (the text above describes v1.13.0)');
    assert.match(notes, /^- the policy map is cilium_policy_v2_<EP> \(since 1\.17\.0; /m);
    assert.match(notes, /^- the agent CLI is cilium-dbg \(was cilium\): read the `cilium …` commands above as `cilium-dbg …`/m);
    const t = findTopic('DROP_POLICY');
    assert.ok(t);
    assert.ok(releaseNotes(t, V1_16_15).some((n) => n.feature === 'cli-dbg'));
    assert.deepEqual(releaseNotes(t, V1_13_0), []);
  });

  it('v1.18.3 bpf/lib/tailcall.h:75: a bare "slot 22" of cil_from_host is CILIUM_CALL_IPV4_FROM_HOST, slot 23; a Service\'s backend slots are not tail calls', () => {
    const host = findTopic('cil_from_host');
    assert.ok(host);
    assert.ok(releaseNotes(host, V1_18_3).some((n) => n.text === 'CILIUM_CALL_IPV4_FROM_HOST is slot 23 (bpf/lib/tailcall.h:75; slot 22 in v1.13.0)'));
    assert.ok(!releaseNotes(host, V1_16_15).some((n) => n.feature === 'call-slots-renumbered'));
    const slot = findTopic('sock_select_slot');
    assert.ok(slot);
    assert.deepEqual(releaseNotes(slot, V1_18_3), []);
  });

  it('every topic with release switches and every release name is a real topic', () => {
    for (const id of topicsWithFeatures()) assert.equal(findTopic(id)?.id, id, id);
    for (const [id, names] of Object.entries(RELEASE_NAMES)) for (const n of names) assert.equal(findTopic(n)?.id, id, n);
  });
});
