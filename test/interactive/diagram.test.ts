// -o mermaid / dot / svg: exact output for the seed's pod1 → pod3 (VXLAN, VNI 47204,
// redirect_peer into pod3) and for a policy drop (in red), Mermaid syntax rules GitHub's
// renderer needs, determinism, --reply, and the SVG through the WebAssembly Graphviz.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';
import { mermaidText } from '../../src/render/diagram-mermaid.js';
import { dotString } from '../../src/render/diagram-dot.js';

const POD1_POD3_MERMAID = `sequenceDiagram
    title icmp echo-request 10.0.0.157 #gt; 10.0.1.105 (default/pod1 id 47204 → default/pod3 id 14753)
    autonumber
    box transparent node1
        participant p1 as default/pod1 netns
        participant p2 as lxcdb54060a47de
        participant p3 as cilium_vxlan
        participant p4 as eth0
    end
    participant p5 as wire
    box transparent node2
        participant p6 as eth0
        participant p7 as cilium_vxlan
        participant p8 as default/pod3 netns
    end
    p1->>p2: tc ingress · bpf_lxc.o [from-container]
    p2->>p3: redirect ifindex 5 · tc egress · bpf_overlay.o [to-overlay]
    p3->>p3: encap vxlan VNI 47204 · outer 1.2.3.167 #gt; 1.2.3.168:8472
    p3->>p4: tc egress · bpf_netdev_eth0.o [to-netdev]
    p4->>p5: VXLAN VNI 47204 · 1.2.3.167 #gt; 1.2.3.168 udp 51023 #gt; 8472
    p5->>p6: tc ingress · bpf_netdev_eth0.o [from-netdev]
    p6->>p7: decap vxlan VNI 47204
    p7->>p7: tc ingress · bpf_overlay.o [from-overlay]
    p7->>p8: redirect_peer ifindex 39 · rx eth0
    Note left of p8: FORWARDED: delivered to default/pod3 (redirect_peer, ifindex 39)
`;

const POD1_POD3_DOT = `digraph cilium_trace {
  graph [rankdir=TB, newrank=true, label="icmp echo-request 10.0.0.157 > 10.0.1.105  (default/pod1 id 47204 → default/pod3 id 14753)\\nFORWARDED: delivered to default/pod3 (redirect_peer, ifindex 39)", labelloc=t, fontname="Helvetica", fontsize=14, nodesep=0.5, ranksep=0.45, pad=0.3];
  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, margin="0.15,0.06"];
  edge [fontname="Helvetica", fontsize=10, color="#2b6cb0", fontcolor="#2b6cb0", arrowsize=0.7];
  subgraph cluster_1 {
    label="node1"; style="rounded,filled"; fillcolor="#fbfbfd"; color="#a0aec0"; fontname="Helvetica-Bold"; fontsize=13;
    p1 [label="default/pod1 netns\\n10.0.0.157", fillcolor="#e6f0fa", color="#2c5282", penwidth=2];
    p2 [label="lxcdb54060a47de\\nhost-side veth", fillcolor="#ffffff", color="#4a5568"];
    p3 [label="cilium_vxlan\\ntunnel device\\n3. encap vxlan VNI 47204\\nouter 1.2.3.167 > 1.2.3.168:8472", fillcolor="#fefcbf", color="#975a16"];
    p4 [label="eth0\\nnative device", fillcolor="#edf2f7", color="#2d3748"];
    s1 [label="1. tc ingress\\nbpf_lxc.o [from-container]", shape=plain, style="", fontsize=10, fontcolor="#2b6cb0"];
    s2 [label="2. redirect ifindex 5\\ntc egress\\nbpf_overlay.o [to-overlay]", shape=plain, style="", fontsize=10, fontcolor="#2b6cb0"];
    s4 [label="4. tc egress\\nbpf_netdev_eth0.o [to-netdev]", shape=plain, style="", fontsize=10, fontcolor="#2b6cb0"];
  }
  subgraph cluster_2 {
    label="node2"; style="rounded,filled"; fillcolor="#fbfbfd"; color="#a0aec0"; fontname="Helvetica-Bold"; fontsize=13;
    p6 [label="eth0\\nnative device", fillcolor="#edf2f7", color="#2d3748"];
    p7 [label="cilium_vxlan\\ntunnel device\\n8. tc ingress\\nbpf_overlay.o [from-overlay]", fillcolor="#fefcbf", color="#975a16"];
    p8 [label="default/pod3 netns\\n10.0.1.105", fillcolor="#e6f0fa", color="#2f855a", penwidth=2];
    s7 [label="7. decap vxlan VNI 47204", shape=plain, style="", fontsize=10, fontcolor="#2b6cb0"];
    s9 [label="9. redirect_peer ifindex 39\\nrx eth0", shape=plain, style="", fontsize=10, fontcolor="#2b6cb0"];
  }
  p5 [label="wire\\nunderlay", shape=ellipse, style=filled, fillcolor="#edf2f7", color="#718096"];
  s5 [label="5. VXLAN VNI 47204\\n1.2.3.167 > 1.2.3.168 udp 51023 > 8472", shape=plain, style="", fontsize=10, fontcolor="#2b6cb0"];
  s6 [label="6. tc ingress\\nbpf_netdev_eth0.o [from-netdev]", shape=plain, style="", fontsize=10, fontcolor="#2b6cb0"];
  { rank=same; p1; p8; }
  { rank=same; p3; p7; }
  { rank=same; p4; p6; }
  p1 -> s1 [dir=none];
  s1 -> p2;
  p2 -> s2 [dir=none];
  s2 -> p3;
  p3 -> s4 [dir=none];
  s4 -> p4;
  p4 -> s5 [dir=none];
  s5 -> p5;
  p6 -> s6 [dir=back];
  s6 -> p5 [dir=none];
  p7 -> s7 [dir=back];
  s7 -> p6 [dir=none];
  p8 -> s9 [dir=back];
  s9 -> p7 [dir=none];
}
`;

const POLICY_DROP_MERMAID = `sequenceDiagram
    title tcp 10.11.90.17:43210 #gt; 10.11.71.148:8080 (default/app2 id 36895 → default/app1 id 40026)
    autonumber
    box transparent runtime1
        participant p1 as default/app2 netns
        participant p2 as lxc0f90ab6d109d
        participant p3 as default/app1 netns (intended destination)
    end
    p1->>p2: tc ingress · bpf_lxc.o [from-container]
    Note left of p2: ingress policy of default/app1: DENIED
    rect rgb(255, 221, 221)
        p2-xp3: DROPPED: DROP_POLICY #quot;Policy denied#quot; in policy_can_access_ingress (ingress)
    end
`;

const POLICY_DROP_DOT = `digraph cilium_trace {
  graph [rankdir=TB, newrank=true, label="tcp 10.11.90.17:43210 > 10.11.71.148:8080  (default/app2 id 36895 → default/app1 id 40026)\\nDROPPED: DROP_POLICY \\"Policy denied\\" in policy_can_access_ingress (ingress)", labelloc=t, fontname="Helvetica", fontsize=14, nodesep=0.5, ranksep=0.45, pad=0.3];
  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, margin="0.15,0.06"];
  edge [fontname="Helvetica", fontsize=10, color="#2b6cb0", fontcolor="#2b6cb0", arrowsize=0.7];
  subgraph cluster_1 {
    label="runtime1"; style="rounded,filled"; fillcolor="#fbfbfd"; color="#a0aec0"; fontname="Helvetica-Bold"; fontsize=13;
    p1 [label="default/app2 netns\\n10.11.90.17", fillcolor="#e6f0fa", color="#2c5282", penwidth=2];
    p2 [label="lxc0f90ab6d109d\\nhost-side veth", fillcolor="#ffffff", color="#4a5568"];
    p3 [label="default/app1 netns\\n10.11.71.148\\nintended destination\\n(not reached)", style="rounded,dashed", color="#718096", fontcolor="#718096"];
    s1 [label="1. tc ingress\\nbpf_lxc.o [from-container]\\ningress policy of default/app1: DENIED", shape=plain, style="", fontsize=10, fontcolor="#c53030"];
  }
  { rank=same; p1; p3; }
  p1 -> s1 [dir=none];
  s1 -> p2;
  drop [label="DROPPED\\nDROP_POLICY \\"Policy denied\\"\\nin policy_can_access_ingress (ingress)", shape=octagon, style=filled, fillcolor="#fed7d7", color="#c53030", fontcolor="#c53030", penwidth=2];
  p2 -> drop [label="2. dropped", color="#c53030", fontcolor="#c53030", penwidth=2];
  p3 -> p2 [dir=back, style=dashed, color="#718096", fontcolor="#718096", label="intended"];
}
`;

const DROP_ARGS = ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'];

test('-o mermaid: pod1 → pod3 as a sequence diagram, VNI 47204 on the tunnel arrow, redirect_peer ifindex 39', async () => {
  const r = await runCli(['pod1', 'pod3', 'icmp', '-o', 'mermaid']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, POD1_POD3_MERMAID);
  assert.match(r.stdout, /^ {4}p4->>p5: VXLAN VNI 47204 /m);
  assert.match(r.stdout, /^ {4}p7->>p8: redirect_peer ifindex 39 /m);
});

test('-o dot: pod1 → pod3 with nodes as clusters and numbered steps', async () => {
  const r = await runCli(['pod1', 'pod3', 'icmp', '-o', 'dot']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, POD1_POD3_DOT);
  assert.match(r.stdout, /s5 \[label="5\. VXLAN VNI 47204\\n/);
  assert.match(r.stdout, /s9 \[label="9\. redirect_peer ifindex 39\\n/);
});

test('-o mermaid / -o dot: a policy drop is a crossed arrow (towards the pod it was going to) on a red band / a red octagon', async () => {
  const m = await runCli([...DROP_ARGS, '-o', 'mermaid']);
  assert.equal(m.code, 1);
  assert.equal(m.stdout, POLICY_DROP_MERMAID);
  assert.match(m.stdout, /rect rgb\(255, 221, 221\)\n {8}p2-xp3: DROPPED: DROP_POLICY/);
  const d = await runCli([...DROP_ARGS, '-o', 'dot']);
  assert.equal(d.code, 1);
  assert.equal(d.stdout, POLICY_DROP_DOT);
  assert.match(d.stdout, /drop \[label="DROPPED\\n[^\]]*color="#c53030"/);
  assert.match(d.stdout, /p2 -> drop \[[^\]]*color="#c53030"/);
  // F27: the pod the packet was going to is drawn, dashed, in its node's box.
  assert.match(d.stdout, /p3 \[label="default\/app1 netns\\n10\.11\.71\.148\\nintended destination/);
  assert.match(d.stdout, /p3 -> p2 \[dir=back, style=dashed/);
});

test('diagrams are deterministic', async () => {
  for (const format of ['mermaid', 'dot']) {
    const a = await runCli(['--scenario', 'services', 'pod1', 'svc:web', 'tcp/80', '--reply', '-o', format]);
    const b = await runCli(['--scenario', 'services', 'pod1', 'svc:web', 'tcp/80', '--reply', '-o', format]);
    assert.equal(a.stdout, b.stdout, format);
  }
});

const CASES: readonly (readonly string[])[] = [
  ['pod1', 'pod3', 'icmp'],
  ['pod1', 'pod2', '--arp'],
  DROP_ARGS,
  ['--scenario', 'services', 'pod1', 'svc:web', 'tcp/80', '--backend', '10.0.1.105', '--reply'],
  ['--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080'],
  ['--scenario', 'world-host', '203.0.113.7', 'frontend', 'tcp/80'],
  ['--scenario', 'world-host', 'frontend', '8.8.8.8', 'tcp/443'],
  ['--scenario', 'world-host', 'node:node-b', 'backend', 'tcp/5432'],
  ['--scenario', 'native', 'client', '1.1.1.1', 'tcp/443'],
  ['--scenario', 'geneve', 'client', 'web', 'tcp/80'],
];

test('mermaid output keeps to what GitHub renders: simple ids, escaped text, declared participants', async () => {
  for (const args of CASES) {
    const r = await runCli([...args, '-o', 'mermaid']);
    assert.ok(r.code === 0 || r.code === 1, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'sequenceDiagram');
    const bare = (x: string): string => x.replace(/#[a-z0-9]+;/g, '');
    const declared = new Set<string>();
    let depth = 0;
    for (const line of lines.slice(1)) {
      const t = line.trim();
      const p = /^participant (\S+) as (.+)$/.exec(t);
      if (p) {
        assert.match(p[1] ?? '', /^p\d+$/, line);
        assert.doesNotMatch(bare(p[2] ?? ''), /[;<>:,@"#]/, `label needs escaping: ${line}`);
        declared.add(p[1] ?? '');
        continue;
      }
      if (/^(box|rect) /.test(t)) { depth++; continue; }
      if (t === 'end') { depth--; continue; }
      if (t === 'autonumber' || t.startsWith('title ')) {
        assert.doesNotMatch(bare(t), /[;<>#]/, line);
        continue;
      }
      const msg = /^(p\d+)(->>|-x)(p\d+): (.+)$/.exec(t);
      const note = /^Note (?:over|left of) (p\d+)(?:,(p\d+))?: (.+)$/.exec(t);
      assert.ok(msg ?? note, `unexpected line in ${args.join(' ')}: ${line}`);
      const ids = msg ? [msg[1], msg[3]] : [note?.[1], note?.[2]];
      for (const id of ids) if (id !== undefined) assert.ok(declared.has(id), `undeclared ${id}: ${line}`);
      const text = (msg ? msg[4] : note?.[3]) ?? '';
      assert.doesNotMatch(bare(text), /[;<>"#]/, `text needs escaping: ${line}`);
    }
    assert.equal(depth, 0, `unbalanced box/rect/end in ${args.join(' ')}`);
  }
});

test('mermaidText escapes what the Mermaid lexer takes; dotString escapes quotes and backslashes', () => {
  assert.equal(mermaidText('a;b #1 <x> "q" 50%'), 'a#59;b #35;1 #lt;x#gt; #quot;q#quot; 50#37;');
  assert.equal(dotString(['say "hi"', 'C:\\dir']), '"say \\"hi\\"\\nC:\\\\dir"');
});

test('--reply draws the reply in the same diagram: numbering goes on, dashed in DOT', async () => {
  const args = ['--scenario', 'services', 'pod1', 'svc:web', 'tcp/80', '--backend', '10.0.1.105', '--reply'];
  const m = await runCli([...args, '-o', 'mermaid']);
  assert.equal(m.code, 0);
  assert.match(m.stdout, /Note over p1,p\d+: reply: tcp 10\.0\.1\.105:80 #gt; 10\.0\.0\.157:43210/);
  assert.match(m.stdout, /Note over p1: socket LB 10\.96\.0\.10:80 → 10\.0\.1\.105:80/);
  const d = await runCli([...args, '-o', 'dot']);
  assert.match(d.stdout, /s19 \[label="19\. redirect_peer ifindex 19\\nrx eth0"[^\]]*fontcolor="#6b46c1"/);
  assert.match(d.stdout, /style=dashed/);
  assert.match(d.stdout, /reply: FORWARDED: delivered to default\/pod1/);
});

test('-o svg: Graphviz (WebAssembly) renders the DOT locally', async (t) => {
  const { loadGraphviz } = await import('../../src/render/diagram-svg.js');
  try {
    await loadGraphviz();
  } catch (e) {
    t.skip(`the WebAssembly Graphviz (@hpcc-js/wasm-graphviz) did not load: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  const r = await runCli(['pod1', 'pod3', 'icmp', '-o', 'svg']);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /<svg /);
  for (const name of ['node1', 'node2', 'default/pod1 netns', 'default/pod3 netns', 'cilium_vxlan', 'wire']) assert.ok(r.stdout.includes(`>${name}</text>`), name);
  assert.ok(r.stdout.includes('5. VXLAN VNI 47204'));
  const again = await runCli(['pod1', 'pod3', 'icmp', '-o', 'svg']);
  assert.equal(again.stdout, r.stdout, 'deterministic');
  const drop = await runCli([...DROP_ARGS, '-o', 'svg']);
  assert.equal(drop.code, 1);
  assert.ok(drop.stdout.includes('fill="#fed7d7" stroke="#c53030"'), 'the drop is red');
});
