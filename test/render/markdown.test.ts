// -o markdown: the report for a pull-request comment. The verdict and why come before the
// hops, the hop table has one row per hop, each hop folds its steps and map lookups in
// <details>, --reply adds the reply's section, --explain its prose, and `check -o markdown`
// is a table with each failure folded. Escaping keeps any trace text inert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';
import { mdCode, mdFence, mdText } from '../../src/render/markdown.js';

const DROP = ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'];
const CHECK = ['check', '-f', 'scenarios/ci-example/cluster.yaml', '-e', 'scenarios/ci-example/expectations.yaml'];

test('-o markdown: a policy drop opens with its verdict, then why, the fix, and the path', async () => {
  const r = await runCli([...DROP, '-o', 'markdown']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, '');
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], '## cilium-trace: tcp 10.11.90.17:43210 > 10.11.71.148:8080  (default/app2 id 36895 → default/app1 id 40026)');
  assert.equal(lines[2], '**DROPPED** — DROP_POLICY (133) "Policy denied" [POLICY_DENIED] in policy_can_access_ingress (ingress) on runtime1');
  const at = (s: string): number => lines.indexOf(s);
  assert.ok(at('**Why**') > 2 && at('**Why**') < at('**Path** (2 hops)'));
  assert.ok(at('**What would allow it** (the smallest policy to add)') < at('**Path** (2 hops)'));
  assert.ok(lines.includes('  - CiliumNetworkPolicy default/l3-rule (scenarios/l3-policy.yaml:38)'), 'the rules are nested under their line');
  assert.ok(lines.includes('            - port: "8080"'), 'the suggested policy is in a yaml block');
  const head = at('| # | node | where | hook · program | what happened |');
  assert.equal(lines[head + 2], '| 1 | runtime1 | `default/app2 netns` | kernel | tx eth0 → veth peer lxc0f90ab6d109d (ifindex 9) |');
  assert.match(lines[head + 3] ?? '', /^\| 2 \| runtime1 \| `lxc0f90ab6d109d` \| tc ingress · `bpf_lxc\.o \[from-container\]` \| .*ingress deny \(none\) · DROP_POLICY in policy_can_access_ingress \|$/);
  assert.equal(lines[head + 4], '');
  assert.ok(lines.includes('<details><summary>2. runtime1 / lxc0f90ab6d109d — tc ingress — bpf_lxc.o [from-container], 19 map lookups</summary>'));
  assert.ok(lines.includes('| `cilium_policy_02173` | `{identity=36895 dport=8080 proto=TCP ingress}` | miss |'));
  assert.ok(lines.includes('| `cilium_ipcache` | `10.11.71.148/32` | `identity=40026 encryptkey=0 tunnelendpoint=0.0.0.0 nodeid=0`<br>↳ pod default/app1 (scenarios/l3-policy.yaml:22) |'));
  // Every <details> is closed, with a blank line after <summary> so GitHub renders the Markdown inside.
  assert.equal(r.stdout.match(/<details>/g)?.length, r.stdout.match(/<\/details>/g)?.length);
  for (const [i, l] of lines.entries()) if (l.startsWith('<details>')) assert.equal(lines[i + 1], '', `line ${i + 1}`);
  // Fences balance.
  assert.equal((r.stdout.match(/^```/gm)?.length ?? 0) % 2, 0);
  // The -o mermaid diagram closes the report, folded, in a block GitHub draws.
  const mermaid = (await runCli([...DROP, '-o', 'mermaid'])).stdout.trimEnd();
  assert.ok(r.stdout.endsWith(`<details><summary>Diagram</summary>\n\n\`\`\`mermaid\n${mermaid}\n\`\`\`\n\n</details>\n`));
});

test('-o markdown --reply --explain: the reply has its own section; the prose is in the steps', async () => {
  const r = await runCli(['pod1', 'pod3', 'icmp', '--reply', '--explain', '-o', 'markdown']);
  assert.equal(r.code, 0);
  const lines = r.stdout.split('\n');
  assert.equal(lines[2], '**FORWARDED** — delivered to default/pod3 on node2 by redirect_peer (ifindex 39)');
  const reply = lines.findIndex((l) => l.startsWith('## Reply: icmp echo-reply 10.0.1.105 > 10.0.0.157'));
  assert.ok(reply > 0);
  assert.match(lines[reply + 2] ?? '', /^\*\*FORWARDED\*\* — delivered to default\/pod1 on node1/);
  assert.ok(lines.includes('» cil_from_container: The program on tc ingress of a pod\'s host-side veth: every packet the pod sends starts here.'));
  const without = await runCli(['pod1', 'pod3', 'icmp', '--reply', '-o', 'markdown']);
  assert.doesNotMatch(without.stdout, /» /);
});

test('-o markdown: the forward packet dropped, --reply says there is no reply', async () => {
  const r = await runCli([...DROP, '--reply', '-o', 'markdown']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\n## Reply\n\nno reply: the forward packet was not delivered\n\n<details><summary>Diagram<\/summary>\n/);
});

test('check -o markdown: the counts, one row per expectation, each failure folded', async () => {
  const r = await runCli([...CHECK, '-o', 'markdown']);
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 6), [
    '## cilium-trace check: shop',
    '',
    '**8 expectations: 6 passed, 2 failed**',
    '',
    '| result | name | flow | expected | actual | decided by |',
    '|---|---|---|---|---|---|',
  ]);
  assert.equal(lines[11], '| **FAIL** | frontend-not-to-db | `shop/frontend-1 → shop/db-0 tcp/5432` | DROPPED (POLICY_DENIED) | FORWARDED | ingress policy of shop/db-0 (endpoint 3538): allow (no policy enforced) |');
  assert.equal(lines.filter((l) => /^\| (\*\*)?(PASS|FAIL)/.test(l)).length, 8);
  assert.ok(lines.includes('<details><summary>FAIL frontend-not-to-db: expected DROPPED (POLICY_DENIED), got FORWARDED</summary>'));
  assert.ok(lines.includes('FAIL prometheus-not-to-db (scenarios/ci-example/expectations.yaml:35:5)'));
  assert.equal(r.stdout.match(/<details>/g)?.length, 2);
});

test('markdown output is deterministic', async () => {
  for (const args of [[...DROP, '-o', 'markdown'], [...CHECK, '-o', 'markdown']]) {
    assert.equal((await runCli(args)).stdout, (await runCli(args)).stdout);
  }
});

test('mdText, mdCode and mdFence keep hostile text inert', () => {
  assert.equal(mdText('<script>alert(1)</script> *x* [a](b) `c` ~~d~~ & _e_ DROP_POLICY'), '\\<script>alert(1)\\</script> \\*x\\* [a\\](b) \\`c\\` \\~\\~d\\~\\~ \\& \\_e\\_ DROP_POLICY');
  assert.equal(mdText('# not a heading'), '\\# not a heading');
  assert.equal(mdText('[a][b] [x]: y ![i](u)'), '[a\\][b] [x\\]: y ![i\\](u)', 'no link, reference or image can close');
  assert.equal(mdText('a\nb'), 'a b');
  assert.equal(mdCode('a`b'), '``a`b``');
  assert.equal(mdCode('`x'), '`` `x ``');
  assert.deepEqual(mdFence(['```', 'x']), ['````text', '```', 'x', '````']);
});
