// `cilium-trace maps [MAP [TARGET]]`: a node's simulated BPF map as the agent's CLI prints it
// (cilium, or cilium-dbg from v1.15); without MAP, the maps the node's release has.
import { Command } from 'commander';
import { EXIT } from '../../errors.js';
import type { Cluster } from '../../controlplane/cluster.js';
import type { ClusterOptions } from '../cluster-source.js';
import { terminalWidth, type Io } from '../io.js';
import { fitWidth } from '../../render/wrap.js';
import { mapsCommand } from '../maps-cmd.js';
import { newCommand } from './common.js';

export function mapsCommandDef(io: Io, result: { code: number }, load: (opts: ClusterOptions) => Cluster): Command {
  const maps = newCommand('maps', io)
    .description("print a node's simulated BPF map in the format of the agent's CLI (cilium bpf …; cilium-dbg bpf … from v1.15); without MAP, list the maps of the node's release")
    .usage('MAP [POD|EPID] [--node NODE]')
    .argument('[MAP]', 'ipcache | endpoint | policy | tunnel (not in 1.18) | lb | egress | ct | nat | calls')
    .argument('[TARGET]', 'for policy: a pod (name or namespace/name) or an endpoint id')
    .option('--why', 'maps policy: after the table, which rule made each entry (file:line)')
    .option('--after <flow>', 'maps ct / maps nat: the entries after tracing "SRC DST [PROTO[/PORT]]" and its reply')
    .option('--node <node>', "node whose map to print (default: the first node by name; for policy: the pod's node)");
  maps.action((map: string | undefined, target: string | undefined, _opts: unknown, cmd: Command) => {
    // Cluster options may be written before or after `maps`; both levels declare them.
    const opts = cmd.optsWithGlobals<{ node?: string; file?: string[]; scenario?: string; why?: boolean; after?: string }>();
    const cluster = load(opts);
    // On a terminal long rows wrap, indented (F21); pipes and files get the CLI's lines as they are.
    io.stdout(fitWidth(mapsCommand(cluster, map, target, opts.node, opts.why === true, opts.after), terminalWidth(io)));
    result.code = EXIT.FORWARDED;
  });
  return maps;
}
