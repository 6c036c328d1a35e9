// `cilium-trace drift -f SYSDUMP [--node N] [-o text|json]`: the entries where a sysdump's
// real maps and the maps computed from its objects disagree (src/sysdump/drift.ts), each
// with the object it should come from. Exit 1 when there is drift, 0 when none, 2 for bad input.
import { Command, Option } from 'commander';
import { EXIT, UsageError } from '../../errors.js';
import { buildCluster } from '../../controlplane/cluster.js';
import { ignoredInputsNote, loadScenario, skippedSummary } from '../cluster-source.js';
import { loadNotes } from '../../scenario/load-notes.js';
import { prettyJson } from '../../analysis/json.js';
import { driftOf } from '../../sysdump/drift.js';
import { driftCount, driftJson, renderDriftText } from '../../sysdump/drift-render.js';
import { CILIUM_OPTION_HELP } from '../../version.js';
import type { Io } from '../io.js';
import { collect, conventions, MAX_INPUT_SIZE_HELP } from './common.js';

interface DriftOpts {
  readonly file?: string[];
  readonly node?: string;
  readonly output: 'text' | 'json';
  readonly cilium?: string;
  readonly maxInputSize?: string;
}

export function driftCommand(io: Io, result: { code: number }): Command {
  const cmd = conventions(new Command('drift'), io)
    .description("a sysdump's real BPF maps against the maps computed from its objects: each entry that differs (a stale ipcache entry, a policy map missing a rule's entry, an endpoint whose identity changed, a Service backend that is gone) with the object it should come from; exit 1 when there is drift")
    .usage('-f SYSDUMP [--node NODE] [-o text|json]')
    .addOption(new Option('-f, --file <path>', 'the sysdump: cilium-sysdump-<time>.zip or its unpacked directory (more -f inputs add objects)').argParser(collect))
    .option('--node <node>', 'compare this node only (default: every node with a bugtool)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--cilium <release>', CILIUM_OPTION_HELP)
    .option('--max-input-size <bytes>', MAX_INPUT_SIZE_HELP);
  cmd.action((opts: DriftOpts) => {
    if (!opts.file || opts.file.length === 0) throw new UsageError('drift needs a sysdump (expected -f cilium-sysdump-<time>.zip or its unpacked directory)');
    const scenario = loadScenario({ file: opts.file, ...(opts.cilium !== undefined ? { cilium: opts.cilium } : {}), ...(opts.maxInputSize !== undefined ? { maxInputSize: opts.maxInputSize } : {}) });
    const sd = scenario.sysdumps?.[0];
    if (!sd) throw new UsageError(`drift needs a sysdump: ${opts.file.join(', ')} ${opts.file.length === 1 ? 'is' : 'are'} no cilium sysdump (expected a zip or directory with cilium-sysdump-<time>/ or cilium-bugtool-* directories)`);
    const ignored = ignoredInputsNote(scenario);
    if (ignored) io.stderr(ignored + '\n');
    for (const line of loadNotes(scenario)) io.stderr(line + '\n');
    const skipped = skippedSummary(scenario);
    if (skipped) io.stderr(skipped + '\n');
    const cluster = buildCluster(scenario);
    if (opts.node !== undefined && !cluster.datapath.nodes.has(opts.node)) {
      throw new UsageError(`unknown node '${opts.node}' (expected one of: ${[...cluster.datapath.nodes.keys()].sort().join(', ')})`);
    }
    const report = driftOf(cluster, sd, opts.node);
    for (const n of report.notes) io.stderr(`${n.where ? `${n.where}:1` : 'cilium-trace'}: warning: ${n.message}\n`);
    const shown = sd.path.replace(/\/+$/, '');
    io.stdout(opts.output === 'json' ? prettyJson(driftJson(report, shown)) : renderDriftText(report, shown));
    result.code = driftCount(report) > 0 ? EXIT.DROPPED : EXIT.FORWARDED;
  });
  return cmd;
}
