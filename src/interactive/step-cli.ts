// `cilium-trace SRC DST PROTO --step`: the glue between the trace command and the step UI.
// Without a terminal on both stdin and stdout it refuses at once (exit 2) instead of waiting
// for keys that never come.
import type { Cluster } from '../controlplane/cluster.js';
import type { ClusterDatapath } from '../node-state/node.js';
import { verdictExitCode, UsageError } from '../errors.js';
import { terminalWidth, type Io } from '../cli/io.js';
import { fitWidth } from '../render/wrap.js';
import { verdictLine, type Level } from '../render/text.js';
import type { Style } from '../render/style.js';
import type { TraceResult } from '../trace/tree.js';
import { explainer } from './explain-source.js';
import { buildStepModel } from './step-model.js';
import { runStepTerminal, type StepTerminal } from './step-tty.js';

export const STEP_NEEDS_TTY = '--step needs a terminal (stdin and stdout must be a TTY); leave out --step to print the whole trace';

/** Throws a one-line usage error unless stdin and stdout are terminals and the output is text. */
export function requireTerminal(io: Io, output = 'text', stdinIsTTY: boolean = process.stdin.isTTY === true): void {
  if (output !== 'text') throw new UsageError(`--step shows the text trace; it does not go with -o ${output}`);
  if (!stdinIsTTY || !io.stdoutIsTTY) throw new UsageError(STEP_NEEDS_TTY);
}

export interface StepRun {
  readonly cluster: Cluster;
  /** The datapath copy the traces ran on (its CT/NAT maps are what the map panel dumps). */
  readonly datapath: ClusterDatapath;
  readonly forward: TraceResult;
  /** undefined: no --reply; null: --reply but the forward packet was not delivered. */
  readonly reply?: TraceResult | null;
  readonly level: Level;
  readonly style: Style;
}

/** The CLI's exit code for these verdicts: 0 all forwarded, 1 a drop, 4 not simulated (no reply: the forward one decides). */
export function verdictCode(forward: TraceResult, reply: TraceResult | null | undefined): number {
  return verdictExitCode([forward.verdict, ...(reply ? [reply.verdict] : [])]);
}

/** Walks the trace on the terminal; when the user quits, prints the verdict line(s) and returns the exit code. */
export async function runStepMode(run: StepRun, io: Io, term: StepTerminal = { input: process.stdin, output: process.stdout }): Promise<number> {
  const traces = [{ label: 'forward' as const, result: run.forward }, ...(run.reply ? [{ label: 'reply' as const, result: run.reply }] : [])];
  const model = buildStepModel({ traces, datapath: run.datapath, labelsOf: (id) => run.cluster.identities.labelStrings(id), level: run.level, explainer });
  await runStepTerminal(model, run.style, term);
  // The verdict stays on the terminal after the step screen: wrapped to its width (F21).
  const out = (line: string) => io.stdout(fitWidth(line, terminalWidth(io)) + '\n');
  out(verdictLine(run.forward, run.style));
  if (run.reply !== undefined) out(run.reply ? `reply: ${verdictLine(run.reply, run.style)}` : 'no reply: the forward packet was not delivered');
  return verdictCode(run.forward, run.reply);
}
