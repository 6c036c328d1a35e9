// `cilium-trace devices [--node NODE] [--calls]`: the tc filters the loader attached to every
// device (as `tc filter show dev DEV ingress|egress` prints them), and with --calls the
// prog arrays slot by slot and the bpf_sock programs at the cgroup v2 root.
import { Command } from 'commander';
import { EXIT, UsageError } from '../../errors.js';
import type { Cluster } from '../../controlplane/cluster.js';
import type { NodeDatapath } from '../../node-state/node.js';
import { DEFAULT_KERNEL, renderDevices } from '../../render/devices.js';
import type { ClusterOptions } from '../cluster-source.js';
import { terminalWidth, type Io } from '../io.js';
import { fitWidth } from '../../render/wrap.js';
import { newCommand } from './common.js';

interface DevicesOpts extends ClusterOptions {
  readonly node?: string;
  readonly calls?: boolean;
  readonly kernel?: string;
}

/** The nodes to show: the one named, or all of them by name. */
export function selectNodes(cluster: Cluster, name: string | undefined): NodeDatapath[] {
  const names = [...cluster.datapath.nodes.keys()].sort();
  if (name === undefined) return names.map((n) => cluster.datapath.nodes.get(n) as NodeDatapath);
  const node = cluster.datapath.nodes.get(name);
  if (!node) throw new UsageError(`unknown node '${name}' (expected one of: ${names.join(', ')})`);
  return [node];
}

export function devicesCommand(io: Io, result: { code: number }, load: (opts: ClusterOptions) => Cluster): Command {
  const cmd = newCommand('devices', io)
    .description("the BPF programs attached to each device, as `tc filter show dev DEV ingress|egress` prints them; with --calls also every prog array's slots and the cgroup programs")
    .option('--node <node>', 'only this node (default: every node, each under a `node NAME` line)')
    .option('--calls', 'also list each prog array (cilium_calls_*, cilium_call_policy) slot by slot and the bpf_sock programs at the cgroup v2 root')
    .option('--kernel <version>', `the nodes' kernel, which decides tcx or legacy tc from Cilium 1.16 on (default: ${DEFAULT_KERNEL}, seed note 000's, stated in the output)`);
  cmd.action((_opts: unknown, c: Command) => {
    // Cluster options may be written before or after `devices`; both levels declare them.
    const opts = c.optsWithGlobals<DevicesOpts>();
    const cluster = load(opts);
    if (opts.kernel !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(opts.kernel)) throw new UsageError(`--kernel takes a version such as 6.0 or 6.8 (got '${opts.kernel}')`);
    const nodes = selectNodes(cluster, opts.node);
    const kernel = opts.kernel === undefined ? { version: DEFAULT_KERNEL, given: false } : { version: opts.kernel, given: true };
    // On a terminal long tc lines wrap, indented (F21); pipes and files get them as tc prints them.
    io.stdout(fitWidth(renderDevices(nodes, { calls: opts.calls === true, nodeHeaders: opts.node === undefined, release: cluster.datapath.release, kernel }), terminalWidth(io)));
    result.code = EXIT.FORWARDED;
  });
  return cmd;
}
