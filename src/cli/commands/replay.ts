// `cilium-trace replay FLOWS -f CLUSTER… [-o text|json|markdown]`: re-simulates the flows
// Hubble recorded (hubble observe -o json lines) on the cluster and compares the verdicts.
// Exit 1 when a drop stays unexplained or a flow disagrees, 0 otherwise, 2 for bad input.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { InputError, UsageError, type Problem } from '../../errors.js';
import type { Cluster } from '../../controlplane/cluster.js';
import { parseFlowsFile, type HubbleEvent } from '../../replay/flows-file.js';
import { replay, replayExitCode } from '../../replay/replay.js';
import { renderReplay, type ReplayFormat } from '../../replay/render.js';
import type { ClusterOptions } from '../cluster-source.js';
import type { Io } from '../io.js';
import { newCommand } from './common.js';

interface ReplayOpts extends ClusterOptions {
  readonly output: ReplayFormat;
}

export const REPLAY_HELP_AFTER = `
FLOWS holds one flow per line as \`hubble observe -o json\` (or -o jsonpb, or a
sysdump's hubble-flows-*.json) writes them; without FLOWS, -f SYSDUMP replays the
flows inside it. The events of one packet (policy verdict and drop, trace events)
are grouped by 5-tuple and replayed once, from empty conntrack tables.

Exit codes: 0 every drop explained and no disagreement, 1 a drop unexplained or a
flow whose simulated verdict or drop reason differs from Hubble's, 2 bad input.
`;

function readFlows(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read flows file '${path}' (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code ?? String(e)})`);
  }
}

/** Without FLOWS: the hubble-flows-<agentpod>-<ts>.json files of the sysdumps given with -f. */
function sysdumpFlows(cluster: Cluster): Array<{ display: string; text: () => string }> {
  const dumps = cluster.scenario.sysdumps ?? [];
  if (dumps.length === 0) throw new UsageError('replay needs FLOWS (files of hubble observe -o json lines), or -f SYSDUMP to replay the Hubble flows inside it');
  const files = dumps.flatMap((d) => d.flows.map((f) => ({ display: f.display, text: f.text })));
  if (files.length === 0) throw new UsageError(`no hubble-flows-*.json in ${dumps.map((d) => d.path).join(', ')} (a --quick sysdump has none): give FLOWS`);
  return files;
}

/** Parses every flows file; the bad lines of all of them in one InputError. */
function readAll(files: ReadonlyArray<{ display: string; text: () => string }>): { events: HubbleEvent[]; notes: string[] } {
  const events: HubbleEvent[] = [];
  const notes: string[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    try {
      const p = parseFlowsFile(f.text(), f.display);
      events.push(...p.events);
      notes.push(...p.notes);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.problems);
    }
  }
  // Nothing to replay (every line was an error message or cut short) is bad input, not a clean run.
  if (problems.length === 0 && events.length === 0) for (const f of files) problems.push({ pos: { file: f.display, line: 1, col: 1 }, message: 'no Hubble flow in it (expected one JSON object per line, as hubble observe -o json prints)' });
  if (problems.length > 0) throw new InputError(problems);
  return { events, notes };
}

export function replayCommand(io: Io, result: { code: number }, load: (opts: ClusterOptions) => Cluster): Command {
  const cmd = newCommand('replay', io)
    .description('re-simulate the flows Hubble recorded (hubble observe -o json lines) on the cluster: each verdict and drop reason compared, drops explained with the proposed fix, a summary by reason, workload and rule')
    .argument('[FLOWS...]', 'files of Hubble flows, one JSON object per line (several: e.g. every node\'s hubble-flows-*.json); default with -f SYSDUMP: the hubble-flows files inside it')
    .addOption(new Option('-o, --output <format>', 'text, json, or markdown (for an incident ticket)').choices(['text', 'json', 'markdown']).default('text'))
    .addHelpText('after', REPLAY_HELP_AFTER);
  cmd.action((flowsPaths: string[], _opts: unknown, c: Command) => {
    const opts = c.optsWithGlobals<ReplayOpts>();
    const given = flowsPaths.map((p) => ({ display: p, text: () => readFlows(p) }));
    // Bad flows files are reported before the cluster is loaded (and its notes printed).
    const early = given.length > 0 ? readAll(given) : undefined;
    const cluster = load(opts);
    const inside = given.length > 0 ? [] : sysdumpFlows(cluster);
    const parsed = early ?? readAll(inside);
    const report = replay(cluster, parsed.events, given.length > 0 ? flowsPaths : inside.map((f) => f.display), parsed.notes);
    io.stdout(renderReplay(report, c.opts<ReplayOpts>().output));
    result.code = replayExitCode(report);
  });
  return cmd;
}
