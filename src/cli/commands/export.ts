// `cilium-trace export sysdump -f CLUSTER… -o DIR [--flow "SRC DST [PROTO]"]…`: writes a
// sysdump-shaped directory (DIR/cilium-sysdump-<ts>/) from the simulated cluster.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { EXIT, UsageError } from '../../errors.js';
import type { Cluster } from '../../controlplane/cluster.js';
import { DEFAULT_TIMESTAMP, exportSysdump, type ExportFlow } from '../../export/sysdump.js';
import { DEFAULT_SPORT } from '../../trace/run.js';
import { formatIpv4 } from '../../net/ip.js';
import { resolveFlowArgs } from '../flow-args.js';
import type { ClusterOptions } from '../cluster-source.js';
import type { Io } from '../io.js';
import { addClusterOptions, collect, newCommand } from './common.js';

interface ExportOpts extends ClusterOptions {
  readonly output?: string;
  readonly flow?: string[];
  readonly timestamp: string;
}

const MAX_DEFAULT_FLOWS = 12;

/** --flow "SRC DST [PROTO]", resolved as the trace command resolves its arguments. */
function flowOf(cluster: Cluster, text: string): ExportFlow {
  const words = text.trim().split(/\s+/);
  if (words.length < 2 || words.length > 3) throw new UsageError(`--flow needs "SRC DST [PROTO[/PORT]]" (got '${text}')`);
  const [src, dst, proto] = words as [string, string, string | undefined];
  const r = resolveFlowArgs(cluster, { src: { text: src, col: 1 }, dst: { text: dst, col: src.length + 2 }, ...(proto === undefined ? {} : { proto: { text: proto, col: src.length + dst.length + 3 } }) });
  return { label: words.join(' '), spec: { src: r.src, dstIp: r.dst.ip, proto: r.proto, dport: r.dport, sport: DEFAULT_SPORT, traceArp: false, ...(r.backend ? { backend: r.backend } : {}) } };
}

/** Without --flow: every ordered pair of pods with an endpoint, to the destination's first container port (else ICMP), at most 12. */
function defaultFlows(cluster: Cluster): ExportFlow[] {
  const eps = [...cluster.endpoints].sort((a, b) => (`${a.pod.namespace}/${a.pod.name}` < `${b.pod.namespace}/${b.pod.name}` ? -1 : 1));
  const out: ExportFlow[] = [];
  for (const s of eps) {
    for (const d of eps) {
      if (s === d || out.length >= MAX_DEFAULT_FLOWS) continue;
      const port = d.pod.containerPorts.find((p) => p.protocol !== 'SCTP');
      const proto = port ? (port.protocol === 'UDP' ? 'udp' : 'tcp') : 'icmp';
      const label = `${s.pod.namespace}/${s.pod.name} ${d.pod.namespace}/${d.pod.name} ${port ? `${proto}/${port.port}` : 'icmp'}`;
      out.push({ label, spec: { src: { kind: 'pod', ip: s.pod.ip }, dstIp: d.pod.ip, proto, dport: port ? port.port : null, sport: DEFAULT_SPORT, traceArp: false } });
    }
  }
  return out;
}

export function exportCommand(io: Io, result: { code: number }, load: (opts: ClusterOptions) => Cluster): Command {
  const cmd = newCommand('export', io).description('write the simulated cluster in the formats of real tools (export sysdump)');
  const sysdump = newCommand('sysdump', io)
    .description("write a sysdump-shaped directory, DIR/cilium-sysdump-<ts>/, from the simulated cluster: the objects, cilium-config, per node a bugtool directory with the BPF maps as the release's CLI prints them, and the Hubble flows of a few traced flows")
    .option('-o, --output <dir>', 'the directory to write into (required)')
    .option('--flow <flow>', `"SRC DST [PROTO[/PORT]]" to trace for the hubble-flows files and the conntrack maps (repeatable; default: every ordered pair of pods, to the destination's first container port, else ICMP, at most ${MAX_DEFAULT_FLOWS})`, collect)
    .option('--timestamp <ts>', 'the <ts> of every file name, Go layout 20060102-150405 (no clock is read)', DEFAULT_TIMESTAMP);
  addClusterOptions(sysdump);
  sysdump.action((_opts: unknown, c: Command) => {
    const opts = c.optsWithGlobals<ExportOpts>();
    const own = c.opts<ExportOpts>();
    if (own.output === undefined) throw new UsageError('export sysdump needs -o DIR (the directory to write into)');
    if (!/^\d{8}-\d{6}$/.test(own.timestamp)) throw new UsageError(`bad --timestamp '${own.timestamp}' (expected Go layout 20060102-150405, e.g. ${DEFAULT_TIMESTAMP})`);
    const cluster = load(opts);
    const flows = own.flow ? own.flow.map((f) => flowOf(cluster, f)) : defaultFlows(cluster);
    const top = join(own.output, `cilium-sysdump-${own.timestamp}`);
    if (existsSync(top)) throw new UsageError(`${top} already exists (expected a new sysdump directory)`);
    const out = exportSysdump(cluster, flows, own.timestamp);
    for (const [rel, text] of out.files) {
      const path = join(own.output, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    for (const n of out.notes) io.stderr(`cilium-trace: ${n}\n`);
    const nodes = cluster.scenario.nodes.map((n) => `${n.name} ${formatIpv4(n.ip)}`).sort();
    io.stdout(`wrote ${out.files.length} files to ${top}/ (cluster ${cluster.scenario.name}, Cilium ${cluster.datapath.release.version}; nodes ${nodes.join(', ')}; ${flows.length} flow${flows.length === 1 ? '' : 's'} traced)\n`);
    result.code = EXIT.FORWARDED;
  });
  cmd.addCommand(sysdump);
  return cmd;
}
