// `cilium-trace shell`: keeps one cluster loaded and takes commands — interactively on a
// terminal (prompt, Tab completion, history), or as a script from a pipe or file (a class
// demo: `cilium-trace shell < scenarios/demo/seed-walkthrough.cilium-trace`).
import { Command, Option } from 'commander';
import { useColour, type Io } from '../io.js';
import { colourStyle, PLAIN } from '../../render/style.js';
import type { StepHook } from '../../interactive/shell-repl.js';
import { newCommand } from './common.js';

const HELP_AFTER = `
Commands in the shell: trace, maps, pods, nodes, services, identities, policies,
policy add FILE | policy add (YAML, then an empty line) | policy remove NAME,
ct flush, set backend|ct|level|output VALUE, explain TOPIC, load, help, exit.
Traces share one conntrack state until ct flush; policy changes keep it.

From a pipe or file the lines run as a script (# starts a comment), echoed with
the prompt unless --no-echo. Exit codes: 0 every command succeeded (a dropped
trace is a success), 2 a command failed or the cluster input is bad, 3 internal
error. On a terminal: 0 when you leave.

Examples:
  cilium-trace shell
  cilium-trace shell --scenario l3-policy
  cilium-trace shell < scenarios/demo/seed-walkthrough.cilium-trace
  printf 'trace pod1 pod3 icmp -l minimal\\n' | cilium-trace shell --no-echo
`;

interface ShellOpts {
  file?: string[];
  scenario?: string;
  echo: boolean;
  color?: boolean;
  debug?: boolean;
}

export function shellCommand(io: Io, result: { code: number }): Command {
  const cmd = newCommand('shell', io)
    .description('an interactive shell on one loaded cluster (trace, maps, policy add/remove, ct flush, …); from a pipe it runs a script')
    .usage('[-f PATH|--scenario NAME] [--no-echo]')
    .addOption(new Option('-f, --file <path>', 'cluster input: a scenario file, Kubernetes manifests or a directory of them; repeatable (default: the embedded cluster of seed note 000)').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]))
    .option('--scenario <name>', 'a shipped scenario by name')
    .option('--no-echo', 'script mode: do not echo the commands and comments')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', HELP_AFTER);
  cmd.action(async (own: ShellOpts, self: Command) => {
    // -f/--scenario may also come before `shell` (the root program's options).
    const root = self.parent?.opts<{ file?: string[]; scenario?: string; color?: boolean }>() ?? {};
    const file = [...(root.file ?? []), ...(own.file ?? [])];
    const scenario = own.scenario ?? root.scenario;
    const interactive = process.stdin.isTTY === true && io.stdoutIsTTY;
    const style = useColour(io, own.color ?? (self.parent?.getOptionValueSource('color') === 'cli' ? root.color : undefined)) ? await colourStyle() : PLAIN;
    // Loaded here, not at start-up: the shell (and node:readline) is not what most runs need.
    const { ShellSession } = await import('../../interactive/shell-session.js');
    const { runInteractive, runScript } = await import('../../interactive/shell-repl.js');
    const hook: StepHook = {};
    const session = new ShellSession({
      cluster: { ...(file.length > 0 ? { file } : {}), ...(scenario !== undefined ? { scenario } : {}) },
      out: { stdout: io.stdout, stderr: io.stderr },
      style,
      debug: own.debug === true,
      ...(interactive ? { step: (run) => (hook.run ? hook.run(run) : Promise.resolve()) } : {}),
    });
    if (!interactive) {
      result.code = await runScript(session, process.stdin, io, { echo: own.echo, style });
      return;
    }
    const banner = `cilium-trace shell · ${session.describe()}\nhelp lists the commands · Tab completes · exit or Ctrl-D leaves\n`;
    result.code = await runInteractive(session, io, { terminal: { input: process.stdin, output: process.stdout }, banner }, hook);
  });
  return cmd;
}
