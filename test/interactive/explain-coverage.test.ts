// Every name a trace can show has an explanation: run traces over every shipped scenario
// (pods, hosts, the world, services, several protocols, conntrack states, --arp, replies)
// and check each function, tail-call program, inlined program, map, drop reason,
// observation point and attached program section; then every program the loader puts in a
// prog array, on a device or at the cgroup root; and every function the datapath source frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildCluster, type Cluster } from '../../src/controlplane/cluster.js';
import { findTopic, topicOfTraceNode } from '../../src/explain/topics/index.js';
import { listShippedScenarios, loadInputs, loadScenarioFile, SHIPPED_SCENARIOS_DIR } from '../../src/scenario/load.js';
import { traceFlow, traceWithReply, type FlowSource } from '../../src/trace/run.js';
import type { TraceNode } from '../../src/trace/tree.js';
import { ipv4, type Ipv4 } from '../../src/net/ip.js';
import type { CtStatus } from '../../src/cilium/trace-points.js';
import { ROOT } from '../support/run-cli.js';

function shippedClusters(): Array<[string, Cluster]> {
  const out: Array<[string, Cluster]> = listShippedScenarios().map((n) => [n, buildCluster(loadScenarioFile(join(SHIPPED_SCENARIOS_DIR, `${n}.yaml`), `scenarios/${n}.yaml`))]);
  const k8s = join(SHIPPED_SCENARIOS_DIR, 'k8s');
  for (const d of readdirSync(k8s).sort()) {
    if (statSync(join(k8s, d)).isDirectory()) out.push([`k8s/${d}`, buildCluster(loadInputs([join(k8s, d)], () => ''))]);
  }
  return out;
}

const clusters = shippedClusters();

/** name → "scenario: what" of the first place it appeared. */
type Seen = Map<string, string>;

function collect(nodes: readonly TraceNode[], where: string, seen: Seen, unexplained: Seen): void {
  for (const n of nodes) {
    const names: string[] = [];
    if (n.kind === 'fn') names.push(n.fn);
    if (n.kind === 'tail_call') names.push(n.map, ...(n.program ? [n.program] : []));
    if (n.kind === 'inlined') names.push(n.program);
    if (n.kind === 'lookup' || n.kind === 'ct' || n.kind === 'ct_create') names.push(n.map);
    if (n.kind === 'drop') names.push(n.drop.macro, n.fn);
    if (n.kind === 'trace_point') names.push(n.point);
    for (const name of names) {
      seen.set(name, seen.get(name) ?? where);
      if (!findTopic(name)) unexplained.set(name, unexplained.get(name) ?? `${where} (${n.kind})`);
    }
    if (n.kind === 'hop' && n.program !== undefined && !topicOfTraceNode(n)) unexplained.set(n.program, where);
    if ('children' in n) collect(n.children, where, seen, unexplained);
  }
}

test('every fn, tail-call program, map, drop, point and attached program in traces over all shipped scenarios has a topic', () => {
  const seen: Seen = new Map();
  const unexplained: Seen = new Map();
  let traces = 0;
  for (const [name, c] of clusters) {
    const s = c.scenario;
    const pods: FlowSource[] = c.endpoints.map((e) => ({ kind: 'pod', ip: e.pod.ip }));
    const hosts: FlowSource[] = s.nodes.map((n) => ({ kind: 'host', node: n.name, ip: n.ip }));
    const dsts: Ipv4[] = [
      ...c.endpoints.map((e) => e.pod.ip),
      ...s.services.flatMap((v) => (v.clusterIP === undefined ? [] : [v.clusterIP])),
      ...s.nodes.flatMap((n) => [n.ip, n.ciliumHostIp]),
      ipv4('8.8.8.8'), ipv4('1.1.1.1'),
    ];
    const protos: Array<['icmp' | 'tcp' | 'udp', number | null]> = [['icmp', null], ['tcp', 80], ['udp', 53], ['tcp', 443]];
    for (const v of s.services) for (const p of v.ports) protos.push([p.protocol === 'UDP' ? 'udp' : 'tcp', p.port], ...(p.nodePort ? [['tcp', p.nodePort] as ['tcp', number]] : []));
    for (const dst of dsts) {
      const owner = s.nodes.find((n) => n.ip === dst || n.ciliumHostIp === dst)?.name ?? c.endpoints.find((e) => e.pod.ip === dst)?.node.name;
      const world: FlowSource[] = owner ? [{ kind: 'world', ip: ipv4('203.0.113.7'), entryNode: owner }] : [];
      for (const src of [...pods, ...hosts, ...world]) {
        if (src.ip === dst) continue;
        for (const [proto, dport] of protos) {
          for (const ct of [undefined, 'CT_ESTABLISHED', 'CT_REPLY'] as Array<CtStatus | undefined>) {
            for (const traceArp of src.kind === 'pod' && ct === undefined ? [false, true] : [false]) {
              const spec = { src, dstIp: dst, proto, dport, sport: 43210, traceArp, ...(ct ? { ctState: ct } : {}) };
              const where = `${name}: ${src.kind} ${src.ip} → ${dst} ${proto}/${dport ?? ''}${ct ? ` ${ct}` : ''}`;
              if (ct) collect(traceFlow(c, spec).hops, where, seen, unexplained);
              else {
                const r = traceWithReply(c, spec);
                collect(r.forward.hops, where, seen, unexplained);
                if (r.reply) collect(r.reply.hops, `${where} (reply)`, seen, unexplained);
              }
              traces++;
            }
          }
        }
      }
    }
  }
  assert.ok(traces > 1000, `ran ${traces} traces`);
  for (const must of ['handle_ipv4_from_lxc', 'cilium_ipcache', 'DROP_POLICY', 'TRACE_TO_LXC', 'handle_policy', 'cilium_policy_01703']) assert.ok(seen.has(must), `the traces reach ${must}`);
  assert.deepEqual([...unexplained].map(([k, w]) => `${k}  (first in ${w})`), []);
});

test('every program the loader attaches or puts in a prog array has a topic', () => {
  const missing = new Set<string>();
  for (const [, c] of clusters) {
    for (const node of c.datapath.nodes.values()) {
      for (const d of node.devices.values()) for (const p of [d.tc.ingress, d.tc.egress]) if (p && !findTopic(p.name)) missing.add(p.name);
      for (const a of node.maps.progArrays.values()) {
        if (!findTopic(a.name)) missing.add(a.name);
        for (const { prog } of a.entries()) if (!findTopic(prog.name)) missing.add(prog.name);
      }
      for (const p of node.cgroup.values()) if (!findTopic(p.name) || !findTopic(p.section)) missing.add(p.name);
    }
  }
  assert.deepEqual([...missing], []);
});

test('every function the datapath sources frame by name has a topic', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(ROOT, 'src', 'datapath'));
  const names = new Set<string>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\.frame\(\s*'([^']+)'/g)) names.add(m[1] as string);
    // names passed to helpers that frame them: policyCanAccess(…, 'policy_can_egress4'), lookupIp4RemoteEndpoint(…, 'ipcache_lookup4'), …
    for (const m of text.matchAll(/(?:policyCanAccess|lookupIp4RemoteEndpoint)\([^)]*'([a-z_0-9]+)'\)/g)) names.add(m[1] as string);
    for (const m of text.matchAll(/(?:lb4LookupBackendSlot|lb4LookupBackend)\(ctx, '([a-z_0-9]+)'/g)) names.add(m[1] as string);
  }
  assert.ok(names.size > 40, `found ${names.size} framed names`);
  assert.deepEqual([...names].filter((n) => !findTopic(n)).sort(), []);
});
