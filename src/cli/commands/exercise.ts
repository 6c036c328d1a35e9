// `cilium-trace exercise list | show N | check N -f FILE… | hint N [--level K]`: broken
// clusters to repair (scenarios/exercises/). check exits 0 when every flow behaves as the
// exercise says, 1 when some flow is still wrong, 2 for bad input.
import { CILIUM_OPTION_HELP } from '../../version.js';
import { ciliumChoice } from '../cluster-source.js';
import { join } from 'node:path';
import { shownPath } from '../../util/shown-path.js';
import { Command, Option } from 'commander';
import { EXIT, UsageError } from '../../errors.js';
import { findExercise, listExercises, type Exercise } from '../../exercises/catalog.js';
import { checkExercise } from '../../exercises/check.js';
import { renderCheck, renderHint, renderList, renderShow } from '../../exercises/render.js';
import type { Io } from '../io.js';
import { conventions } from './common.js';

/** The exercise's cluster directory as the user can type it (as every path of the package is shown). */
function where(e: Exercise, cwd: string): string {
  return shownPath(join(e.dir, 'cluster'), cwd);
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

export function exerciseCommand(io: Io, result: { code: number }, cwd: () => string = () => process.cwd()): Command {
  const cmd = conventions(new Command('exercise'), io)
    .description('broken clusters to repair: list, show N, check N -f YOUR-FILES, hint N')
    .usage('list | show N | check N -f PATH… | hint N [--level K]')
    .addHelpText('after', `
check -f: a FILE replaces the exercise's cluster file of the same name (a new name
is added); a DIRECTORY stands for the whole cluster. Exit codes of check: 0 solved,
1 not solved yet, 2 bad input, 4 no flow fails but one reaches a path that is not
simulated (an L7 proxy whose rules depend on the request, …).

Example:
  cilium-trace exercise show 3
  cp -r <the cluster directory show prints> ex3 && $EDITOR ex3/frontend-egress.yaml
  cilium-trace exercise check 3 -f ex3
`);

  cmd.addCommand(conventions(new Command('list'), io)
    .description('the exercises, by number')
    .action(() => {
      io.stdout(renderList(listExercises()));
      result.code = EXIT.FORWARDED;
    }));

  cmd.addCommand(conventions(new Command('show'), io)
    .description('what users report, the flows that must work or stay blocked, and the cluster files')
    .argument('<N>', 'exercise number (or name)')
    .action((n: string) => {
      const e = findExercise(n);
      io.stdout(renderShow(e, where(e, cwd())));
      result.code = EXIT.FORWARDED;
    }));

  cmd.addCommand(conventions(new Command('check'), io)
    .description('trace every flow of the exercise on its cluster with your files in it: solved, or what still fails')
    .argument('<N>', 'exercise number (or name)')
    .addOption(new Option('-f, --file <path>', "your fix: a file (replaces the exercise's file of the same name; a new name is added) or a directory (the whole cluster); repeatable").argParser(collect))
    .option('--cilium <release>', CILIUM_OPTION_HELP)
    .action((n: string, opts: { file?: string[]; cilium?: string }) => {
      const e = findExercise(n);
      const c = checkExercise(e, opts.file ?? [], ciliumChoice(opts.cilium));
      io.stdout(renderCheck(c, where(e, cwd())));
      const failed = c.outcomes.some((o) => !o.ok && o.verdict !== 'NOT_SIMULATED');
      result.code = c.solved ? EXIT.FORWARDED : failed ? EXIT.DROPPED : EXIT.NOT_SIMULATED;
    }));

  cmd.addCommand(conventions(new Command('hint'), io)
    .description('a hint, the gentlest first (--level 1) to the answer (the last level)')
    .argument('<N>', 'exercise number (or name)')
    .option('--level <K>', 'hint level', '1')
    .action((n: string, opts: { level: string }) => {
      const e = findExercise(n);
      const k = Number(opts.level);
      if (!/^\d+$/.test(opts.level) || k < 1 || k > e.hints.length) throw new UsageError(`bad --level '${opts.level}' (expected 1..${e.hints.length})`);
      io.stdout(renderHint(e, k, where(e, cwd())));
      result.code = EXIT.FORWARDED;
    }));
  return cmd;
}
