// `cilium-trace validate`: problems in a cluster's policies that are valid input but almost
// certainly not what the author meant, found without tracing. One line per problem,
// `file:line:col: warning: …` (or `-o json`: the same findings as objects); exit 1 when
// there is any, 0 when there is none, 2 for input that does not load.
import { Command, Option } from 'commander';
import { EXIT } from '../errors.js';
import { validateCluster } from '../controlplane/validate.js';
import type { Io } from './io.js';
import { newCommand } from './commands/common.js';

export function validateCommand(io: Io, result: { code: number }, load: (opts: { file?: string[]; scenario?: string }) => import('../controlplane/cluster.js').Cluster): Command {
  const cmd = newCommand('validate', io)
    .description('report likely mistakes in the policies without tracing: rules selecting nothing, peers matching no pod, named ports resolving nowhere')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));
  cmd.action((_opts: unknown, c: Command) => {
    const opts = c.optsWithGlobals<{ file?: string[]; scenario?: string }>();
    const cluster = load(opts);
    const problems = validateCluster(cluster);
    const s = cluster.scenario;
    result.code = problems.length === 0 ? EXIT.FORWARDED : EXIT.DROPPED;
    if (c.opts<{ output?: string }>().output === 'json') {
      const findings = problems.map((p) => ({ file: p.pos.file, line: p.pos.line, col: p.pos.col, severity: 'warning', message: p.message }));
      io.stdout(`${JSON.stringify({ problems: findings, nodes: s.nodes.length, pods: s.pods.length, policies: s.policies.length, services: s.services.length }, null, 2)}\n`);
      return;
    }
    for (const p of problems) io.stdout(`${p.pos.file}:${p.pos.line}:${p.pos.col}: warning: ${p.message}\n`);
    const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
    io.stdout(`${problems.length === 0 ? 'no problems' : n(problems.length, 'problem', 'problems')} (${n(s.nodes.length, 'node', 'nodes')}, ${n(s.pods.length, 'pod', 'pods')}, ${n(s.policies.length, 'policy', 'policies')}, ${n(s.services.length, 'service', 'services')})\n`);
  });
  return cmd;
}
