// `cilium-trace replay`: Hubble flows (hubble observe -o json lines) re-simulated on the
// cluster of the reference samples (test/replay/fixtures/cluster.yaml). flows.jsonl holds a
// forwarded connection (request events on both nodes, the VXLAN outer header, a SYN-ACK
// reply), the reference sample's policy drop (client → server, verbatim), a planted
// disagreement (frontend → server dropped with source identity 6, a stale ipcache entry as in
// cilium/cilium#20243) and a flow from an address no pod has. sysdump-v1.18-frontend-dropped.jsonl
// is the sample's drop for frontend → server, which the v1.18 sysdump fixture's planted drift explains.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';

const CLUSTER = ['-f', 'test/replay/fixtures/cluster.yaml'];
const FLOWS = 'test/replay/fixtures/flows.jsonl';
const LINES = readFileSync(FLOWS, 'utf8').trimEnd().split('\n');
const dir = mkdtempSync(join(tmpdir(), 'replay-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function flowsFile(text: string): string {
  const p = join(dir, `flows-${++n}.jsonl`);
  writeFileSync(p, text);
  return p;
}

interface JsonFlow {
  readonly index: number;
  readonly at: Array<{ file: string; lines: number[] }>;
  readonly status: string;
  readonly finding: string | null;
  readonly hubble: { verdict: string; drop_reason: string | null; drop_code: number | null };
  readonly simulated: { verdict: string; drop_reason: string | null; node: string | null } | null;
  readonly explanation: string[];
  readonly proposed_fix: { name: string; yaml: string } | null;
  readonly rule: string | null;
  readonly notes: string[];
}
interface JsonReport {
  readonly schema: string;
  readonly summary: Record<string, unknown> & { drops_by_reason: unknown[]; drops_by_rule: unknown[]; drops_by_workload: unknown[] };
  readonly flows: JsonFlow[];
  readonly notes: string[];
}

async function json(file: string, ...extra: string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const r = await runCli(['replay', file, ...CLUSTER, '-o', 'json', ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
}

describe('replay of the fixture flows', () => {
  it('text: each flow with both verdicts, the explained drop with its fix, the disagreement, the unmapped flow, and the summary; exit 1', async () => {
    const r = await runCli(['replay', FLOWS, ...CLUSTER]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const out = r.stdout;
    assert.ok(out.startsWith('replay test/replay/fixtures/flows.jsonl on cluster replay-demo (Cilium v1.18.3)\nnote: 1 event on the vxlan outer header (node to node, UDP 8472) not replayed on its own: the same packet as an inner flow (line 3)\n'), out);
    assert.ok(out.includes([
      'flow 3 (lines 8-9): default/client-6f8b9c7d5-abcde (10.0.1.23:43210) → default/server-5d4f7c9b8-xyz12 (10.0.2.45:8080) TCP SYN',
      '  hubble:    DROPPED POLICY_DENIED (133) on kind-worker2 INGRESS at bpf_lxc.c:2081 (2 events: policy-verdict, drop)',
      '  simulated: DROPPED POLICY_DENIED (133) DROP_POLICY in policy_can_ingress4 (bpf/lib/policy.h) on kind-worker2 ingress',
      '  agrees: the drop is explained',
      '  why:',
      '    ingress policy of default/server-5d4f7c9b8-xyz12 (endpoint 2087, identity 41235) is enforced on kind-worker2.',
    ].join('\n')), out);
    assert.ok(out.includes('  what would allow it (the smallest policy to add):\n    apiVersion: cilium.io/v2\n    kind: CiliumNetworkPolicy\n    metadata:\n      name: allow-client-to-server-5d4f7c9b8-xyz12-tcp-8080-ingress\n'), out);
    assert.ok(out.includes("  DISAGREES: Hubble saw DROPPED POLICY_DENIED (133) on kind-worker2, the simulation gives FORWARDED: the flow's source identity 6 (reserved:remote-node) is not default/frontend-7d9c8b6f5-fghij's identity 33333 (k8s:app=frontend): the observing node resolved 10.0.1.30 to another identity (a stale ipcache entry, or identity churn)\n"), out);
    assert.ok(out.includes("  UNMAPPED: cannot be mapped onto the cluster: source 10.0.2.99 is in kind-worker2's pod CIDR 10.0.2.0/24 but no pod of the cluster has it, and no pod has its labels\n"), out);
    assert.ok(out.endsWith([
      'summary',
      '  5 flows (12 events): 3 agree (2 forwarded, 1 dropped), 1 disagree, 1 unmapped, 0 not simulated, 0 not compared',
      '  2 drops unexplained, 1 disagreement (exit 1)',
      '',
      'drops by reason',
      '  REASON               FLOWS  EVENTS  EXPLAINED  UNEXPLAINED',
      '  POLICY_DENIED (133)  3      5       1          2',
      '',
      'drops by workload',
      '  SOURCE            DESTINATION     REASON               FLOWS  EXPLAINED  UNEXPLAINED',
      '  10.0.2.99         default/server  POLICY_DENIED (133)  1      0          1',
      '  default/client    default/server  POLICY_DENIED (133)  1      1          0',
      '  default/frontend  default/server  POLICY_DENIED (133)  1      0          1',
      '',
      'drops by rule',
      '  RULE                                                                                                                     FLOWS  EXPLAINED  UNEXPLAINED',
      '  (not reproduced)                                                                                                         2      0          2',
      '  default deny, ingress of default/server-5d4f7c9b8-xyz12 (selected by CiliumNetworkPolicy default/server-allow-frontend)  1      1          0',
      '',
    ].join('\n')), out);
  });

  it('json: the status of every flow, the reply traced after its request, and the summary counts', async () => {
    const { code, report } = await json(FLOWS);
    assert.equal(code, 1);
    assert.equal(report.schema, 'cilium-trace/replay/v1');
    assert.deepEqual(report.flows.map((f) => [f.index, f.at.flatMap((a) => a.lines), f.status, f.hubble.verdict, f.simulated?.verdict ?? null]), [
      [1, [1, 2, 4, 5, 6], 'agree', 'FORWARDED', 'FORWARDED'],
      [2, [7], 'agree', 'FORWARDED', 'FORWARDED'],
      [3, [8, 9], 'agree', 'DROPPED', 'DROPPED'],
      [4, [10, 11], 'disagree', 'DROPPED', 'FORWARDED'],
      [5, [12], 'unmappable', 'DROPPED', null],
    ]);
    assert.deepEqual(report.flows[1]?.notes, ['a reply: traced on the conntrack entries of its request, traced first']);
    const drop = report.flows[2] as JsonFlow;
    assert.deepEqual([drop.hubble.drop_reason, drop.hubble.drop_code, drop.simulated?.drop_reason, drop.simulated?.node], ['POLICY_DENIED', 133, 'POLICY_DENIED', 'kind-worker2']);
    assert.equal(drop.proposed_fix?.name, 'allow-client-to-server-5d4f7c9b8-xyz12-tcp-8080-ingress');
    assert.equal(drop.rule, 'default deny, ingress of default/server-5d4f7c9b8-xyz12 (selected by CiliumNetworkPolicy default/server-allow-frontend)');
    const s = report.summary;
    assert.deepEqual([s['flows'], s['events'], s['agree'], s['disagree'], s['unmapped'], s['unexplained_drops']], [5, 12, 3, 1, 1, 2]);
    assert.deepEqual(s.drops_by_reason, [{ reason: 'POLICY_DENIED (133)', flows: 3, events: 5, explained: 1, unexplained: 2 }]);
  });

  it('markdown: the verdict line, the summary tables and a section per finding, for an incident ticket', async () => {
    const r = await runCli(['replay', FLOWS, ...CLUSTER, '-o', 'markdown']);
    assert.equal(r.code, 1);
    const md = r.stdout;
    assert.ok(md.startsWith('# Hubble flows replayed: test/replay/fixtures/flows.jsonl\n\nCluster `replay-demo`, Cilium v1.18.3, simulated by cilium-trace. 5 flows (12 events): 3 agree (2 forwarded, 1 dropped), 1 disagree, 1 unmapped, 0 not simulated, 0 not compared.\n\n**2 drops unexplained, 1 disagreement (exit 1)**\n'), md);
    assert.ok(md.includes('## Drops by reason\n\n| Reason | Flows | Events | Explained | Unexplained |\n| --- | ---: | ---: | ---: | ---: |\n| POLICY_DENIED (133) | 3 | 5 | 1 | 2 |\n'), md);
    assert.ok(md.includes('### Flow 4: disagrees\n'), md);
    assert.ok(md.includes('### Flow 5: unmapped\n'), md);
    assert.ok(md.includes('## Explained drops\n\n### Flow 3: DROPPED POLICY_DENIED (133)\n'), md);
    assert.ok(md.includes('```yaml\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n'), md);
  });

  it('exit 0 when every drop is explained and nothing disagrees (the first nine lines)', async () => {
    const r = await runCli(['replay', flowsFile(LINES.slice(0, 9).join('\n') + '\n'), ...CLUSTER]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\n {2}3 flows \(9 events\): 3 agree \(2 forwarded, 1 dropped\), 0 disagree, 0 unmapped, 0 not simulated, 0 not compared\n {2}every drop explained, no disagreement \(exit 0\)\n/);
  });

  it('the same drop is explained under Cilium 1.13 (--cilium 1.13)', async () => {
    const { code, report } = await json(flowsFile(LINES.slice(7, 9).join('\n') + '\n'), '--cilium', '1.13');
    assert.equal(code, 0);
    assert.equal(report.flows[0]?.status, 'agree');
    assert.equal(report.flows[0]?.simulated?.drop_reason, 'POLICY_DENIED');
    // the sample is a v1.18 flow: its drop names bpf_lxc.c:2081, which v1.13's Hubble did not
    assert.match(report.notes[0] ?? '', /^the flows name the drop's source file \(\S+:2: file bpf_lxc\.c:2081\), which Hubble does from v1\.17 on, but the cluster is simulated as Cilium v1\.13\.0 \(--cilium 1\.18 to match\)$/);
  });
});

describe('mapping flows onto the cluster', () => {
  const drop = JSON.parse(LINES[8] as string) as { flow: Record<string, unknown> & { IP: Record<string, string>; source: Record<string, unknown> } };
  const variant = (edit: (f: typeof drop.flow) => void): string => {
    const copy = JSON.parse(JSON.stringify(drop)) as typeof drop;
    edit(copy.flow);
    return JSON.stringify(copy);
  };

  it('an address the cluster does not have, but a pod it does: mapped by the pod name, with a note', async () => {
    const { code, report } = await json(flowsFile(variant((f) => { f.IP['source'] = '10.0.3.7'; }) + '\n'));
    assert.equal(code, 0);
    assert.equal(report.flows[0]?.status, 'agree');
    assert.deepEqual(report.flows[0]?.notes, ['source 10.0.3.7 is no address of the cluster; mapped by the pod the flow names, default/client-6f8b9c7d5-abcde (10.0.1.23)']);
  });

  it('no address and no pod name, but the labels of a pod: mapped by the labels', async () => {
    const { report } = await json(flowsFile(variant((f) => { f.IP['source'] = '10.0.3.7'; delete f.source['pod_name']; }) + '\n'));
    assert.deepEqual(report.flows[0]?.notes, ['source 10.0.3.7 is no address of the cluster; mapped by its labels k8s:app=client in default to default/client-6f8b9c7d5-abcde (10.0.1.23)']);
  });

  it('a node the cluster does not have is a note; another identity number with the same labels is only numbering', async () => {
    const { report } = await json(flowsFile(variant((f) => { f['node_name'] = 'kind-worker9'; f.source['identity'] = 12345; }) + '\n'));
    assert.deepEqual(report.flows[0]?.notes, [
      "node kind-worker9 (the flow's node_name) is not a node of the cluster",
      'source default/client-6f8b9c7d5-abcde: identity 12345 in the flow, 28567 in the cluster (same app labels; each cluster allocates its own numbers)',
    ]);
    // the drop happened on kind-worker9 for Hubble, on kind-worker2 in the simulation
    assert.equal(report.flows[0]?.status, 'disagree');
  });

  it('drop_reason_desc alone (no numeric drop_reason) names the reason, its code looked up in flow.proto\'s table', async () => {
    const { code, report } = await json(flowsFile(variant((f) => { delete f['drop_reason']; f['event_type'] = { type: 1 }; }) + '\n'));
    assert.equal(code, 0);
    assert.deepEqual([report.flows[0]?.status, report.flows[0]?.hubble.drop_reason, report.flows[0]?.hubble.drop_code], ['agree', 'POLICY_DENIED', 133]);
  });

  it('a deny rule: POLICY_DENY (181) explained, the rule named, and no policy proposed (no allow can override a deny)', async () => {
    const deny = variant((f) => { f['drop_reason'] = 181; f['drop_reason_desc'] = 'POLICY_DENY'; f['event_type'] = { type: 1, sub_type: 181 }; });
    const r = await runCli(['replay', flowsFile(deny + '\n'), '-f', 'test/replay/fixtures/cluster-deny.yaml', '-o', 'json']);
    assert.equal(r.code, 0, r.stdout);
    const f = (JSON.parse(r.stdout) as JsonReport).flows[0] as JsonFlow;
    assert.deepEqual([f.status, f.simulated?.drop_reason, f.proposed_fix], ['agree', 'POLICY_DENY', null]);
    assert.match(f.rule ?? '', /^CiliumNetworkPolicy default\/deny-client /);
    assert.ok(f.explanation.includes('Deny rules take precedence over every allow rule, so no added allow policy can let this through: remove or narrow the deny rule.'), f.explanation.join('\n'));
  });

  it('connections that differ only in the client port are one flow (retries, many connections), with their ports', async () => {
    const retry = variant((f) => { (f['l4'] as { TCP: { source_port: number } }).TCP.source_port = 43211; });
    const r = await runCli(['replay', flowsFile(`${LINES[7]}\n${LINES[8]}\n${retry}\n`), ...CLUSTER]);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(r.stdout.includes('flow 1 (lines 1-3): default/client-6f8b9c7d5-abcde (10.0.1.23:*) → default/server-5d4f7c9b8-xyz12 (10.0.2.45:8080) TCP SYN\n  2 connections, client ports 43210, 43211\n  hubble:    DROPPED POLICY_DENIED (133) on kind-worker2 INGRESS at bpf_lxc.c:2081 (3 events: policy-verdict, drop)\n'), r.stdout);
    assert.match(r.stdout, /\n {2}1 flow \(3 events\): 1 agree \(0 forwarded, 1 dropped\)/);
  });

  it('another drop reason is a disagreement', async () => {
    const { code, report } = await json(flowsFile(variant((f) => { f['drop_reason'] = 181; f['drop_reason_desc'] = 'POLICY_DENY'; f['event_type'] = { type: 1, sub_type: 181 }; }) + '\n'));
    assert.equal(code, 1);
    assert.equal(report.flows[0]?.finding, "Hubble saw DROPPED POLICY_DENY (181) on kind-worker2, the simulation gives DROPPED POLICY_DENIED (133) on kind-worker2: another drop reason; the node's real state (ipcache, policy maps, endpoints) differs from what the cluster's objects compute, or cilium-trace models this case wrong");
  });

  it('a forwarded flow the simulation drops is a disagreement; one it cannot simulate is said so', async () => {
    const fwd = variant((f) => { f['verdict'] = 'FORWARDED'; delete f['drop_reason']; delete f['drop_reason_desc']; f['event_type'] = { type: 4 }; });
    const icmp = variant((f) => { f['l4'] = { ICMPv4: { type: 3 } }; });
    const { code, report } = await json(flowsFile(`${fwd}\n${icmp}\n`));
    assert.equal(code, 1);
    assert.deepEqual(report.flows.map((f) => f.status), ['disagree', 'not-simulated']);
    assert.equal(report.flows[1]?.finding, 'not simulated: ICMPv4 type 3 is not simulated (echo requests, type 8, and their replies are)');
  });
});

describe('replaying cilium-trace\'s own -o hubble output', () => {
  it('socket-LB (trace-sock) events are folded into the connection, whose packets agree (services scenario, 1.13)', async () => {
    const trace = await runCli(['--scenario', 'services', 'pod1', 'svc:web', '-o', 'hubble']);
    assert.equal(trace.code, 0);
    const p = flowsFile(trace.stdout);
    const r = await runCli(['replay', p, '--scenario', 'services']);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(r.stdout.startsWith(`replay ${p} on cluster services (Cilium v1.13.0)\nnote: 2 socket-LB (trace-sock) events not replayed on their own: the translation is part of the trace of the connection's packets (line 1, line 2)\n\nflow 1 (lines 3-4): default/pod1 (10.0.0.157:43210) → default/pod2 (10.0.0.243:80) TCP SYN\n`), r.stdout);
  });
});

describe('replay -f SYSDUMP without FLOWS: the hubble-flows files inside it', () => {
  it('replays the v1.18 sysdump fixture\'s flows over its real maps: the policy drop explained, the pod name of the flow noted', async () => {
    const r = await runCli(['replay', '-f', 'test/fixtures/sysdump/v1.18']);
    assert.equal(r.code, 0, r.stdout);
    assert.ok(r.stdout.startsWith('replay test/fixtures/sysdump/v1.18/cilium-sysdump-20261206-101500/hubble-flows-cilium-q9wzr-20261206-101500.json on cluster v1.18 (Cilium v1.18.3)\n'), r.stdout);
    assert.ok(r.stdout.includes('  agrees: the drop is explained\n  note: source 10.0.1.23: the flow names pod default/client-6f8b9c7d5-abcde, the cluster has default/client-645b68dcf7-2jmrw there (an IP reused, or the flow and the cluster are from different moments)\n'), r.stdout);
  });

  it('the planted drift of the v1.18 fixture (server\'s policy map lacks frontend\'s 8080 entry): a frontend drop is explained over the real maps as drift, and disagrees over the computed ones', async () => {
    const flows = 'test/replay/fixtures/sysdump-v1.18-frontend-dropped.jsonl';
    const real = await runCli(['replay', flows, '-f', 'test/fixtures/sysdump/v1.18', '-o', 'json']);
    assert.equal(real.code, 0, real.stdout);
    const r = (JSON.parse(real.stdout) as JsonReport).flows[0] as JsonFlow;
    assert.equal(r.status, 'agree');
    assert.equal(r.proposed_fix, null);
    assert.ok(r.explanation.includes('The real cilium_policy_v2_02087 on kind-worker2 (read from the sysdump) has no such entry: the map has drifted from the policy, and adding a policy would not help.'), r.explanation.join('\n'));
    const computed = await runCli(['replay', flows, '-f', 'test/fixtures/sysdump/v1.18', '--maps', 'computed', '-o', 'json']);
    assert.equal(computed.code, 1);
    const c = (JSON.parse(computed.stdout) as JsonReport).flows[0] as JsonFlow;
    assert.deepEqual([c.status, c.simulated?.verdict], ['disagree', 'FORWARDED']);
  });

  it('a sysdump without flows files, or no sysdump and no FLOWS, is a usage error (exit 2)', async () => {
    const none = await runCli(['replay', ...CLUSTER]);
    assert.deepEqual([none.code, none.stderr], [2, 'cilium-trace: replay needs FLOWS (files of hubble observe -o json lines), or -f SYSDUMP to replay the Hubble flows inside it\n']);
    const quick = await runCli(['replay', '-f', 'test/fixtures/sysdump/v1.13']);
    assert.equal(quick.code, 2);
    assert.match(quick.stderr, /cilium-trace: no hubble-flows-\*\.json in test\/fixtures\/sysdump\/v1\.13 \(a --quick sysdump has none\): give FLOWS\n$/);
  });
});

describe('the flows file format', () => {
  it('tolerates blank lines, node_status responses, bare Flow objects and a last line that is no JSON, each with a note', async () => {
    const bare = JSON.stringify((JSON.parse(LINES[8] as string) as { flow: unknown }).flow);
    const text = `${LINES[7]}\n\n{"node_status":{"state_change":"NODE_CONNECTED","node_names":["kind-worker"]},"node_name":"kind-worker"}\n${bare}\n\nfailed to get flows: rpc error: code = Canceled\n`;
    const { code, report } = await json(flowsFile(text));
    assert.equal(code, 0);
    const p = join(dir, `flows-${n}.jsonl`);
    assert.deepEqual(report.notes, [
      `${p}:6: the last line is no JSON flow (an error message or a line cut short), ignored: failed to get flows: rpc error: code = Canceled`,
      `${p}: 2 blank lines skipped`,
      `${p}: 1 node_status response skipped (not a flow)`,
    ]);
    assert.deepEqual(report.flows[0]?.at, [{ file: p, lines: [1, 4] }]);
  });

  it('a malformed line in the middle: file:line:col of the error, exit 2, nothing on stdout', async () => {
    const p = flowsFile(`${LINES[0]}\n{"flow": {"verdict": }}\n${LINES[1]}\n`);
    const r = await runCli(['replay', p, ...CLUSTER]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${p}:2:22: not a JSON flow: expected a JSON value (got '}') (expected one JSON object per line, as hubble observe -o json prints)\n`);
  });

  it('a field of the wrong type: its position, every bad line listed', async () => {
    const p = flowsFile(`{"flow":{"IP":{"source":5,"destination":"10.0.2.45"}}}\n[1]\n{"flow":{"verdict":"DROPPED","drop_reason":"x"}}\n`);
    const r = await runCli(['replay', p, ...CLUSTER]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, [
      `${p}:1:25: flow.IP.source: expected a string (got 5)`,
      `${p}:2:1: not a Hubble flow: expected a JSON object ({"flow": {…}} as hubble observe -o json prints)`,
      `${p}:3:44: flow.drop_reason: expected a number (got "x")`,
      '',
    ].join('\n'));
  });

  it('a flows file that cannot be read is a usage error (exit 2)', async () => {
    const r = await runCli(['replay', join(dir, 'missing.jsonl'), ...CLUSTER]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `cilium-trace: cannot read flows file '${join(dir, 'missing.jsonl')}' (no such file)\n`);
  });
});

describe('a flows file with no flow at all', () => {
  it('is bad input (exit 2, one positioned line per file), not a clean run', async () => {
    const garbage = join(dir, 'garbage.json');
    const empty = join(dir, 'empty.json');
    writeFileSync(garbage, 'Error: rpc error: code = Unavailable\n');
    writeFileSync(empty, '');
    const r = await runCli(['replay', garbage, empty, ...CLUSTER]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trimEnd().split('\n').filter((l) => l.includes('no Hubble flow in it')).length, 2, r.stderr);
    assert.ok(r.stderr.includes(`${garbage}:1:1: no Hubble flow in it (expected one JSON object per line, as hubble observe -o json prints)`), r.stderr);
    assert.equal(r.stdout, '');
  });
});
