// `cilium-trace validate`: problems in a cluster's policies that are valid input but almost
// certainly not what the author meant, found without tracing. One line per problem,
// `file:line:col: warning: …`; exit 1 when there is any, 0 when there is none.
import { Command } from 'commander';
import { EXIT } from '../errors.js';
import { validateCluster } from '../controlplane/validate.js';
import type { Io } from './io.js';
import { newCommand } from './commands/common.js';

export function validateCommand(io: Io, result: { code: number }, load: (opts: { file?: string[]; scenario?: string }) => import('../controlplane/cluster.js').Cluster): Command {
  const cmd = newCommand('validate', io)
    .description('report likely mistakes in the policies without tracing: rules selecting nothing, peers matching no pod, named ports resolving nowhere');
  cmd.action((_opts: unknown, c: Command) => {
    const cluster = load(c.optsWithGlobals<{ file?: string[]; scenario?: string }>());
    const problems = validateCluster(cluster);
    for (const p of problems) io.stdout(`${p.pos.file}:${p.pos.line}:${p.pos.col}: warning: ${p.message}\n`);
    const s = cluster.scenario;
    const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
    io.stdout(`${problems.length === 0 ? 'no problems' : n(problems.length, 'problem', 'problems')} (${n(s.nodes.length, 'node', 'nodes')}, ${n(s.pods.length, 'pod', 'pods')}, ${n(s.policies.length, 'policy', 'policies')}, ${n(s.services.length, 'service', 'services')})\n`);
    result.code = problems.length === 0 ? EXIT.FORWARDED : EXIT.DROPPED;
  });
  return cmd;
}
