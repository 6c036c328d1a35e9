// `cilium-trace explain TOPIC` / `explain --list`: a few plain sentences on a drop reason,
// observation point, program or function, map, reserved identity or device: what it is, when
// it happens, what to check next and which Cilium file to read. Needs no cluster.
import { Command } from 'commander';
import { EXIT, UsageError } from '../../errors.js';
import { closeMatches, findTopic, renderTopic, renderTopicList } from '../../explain/topics/index.js';
import type { Io } from '../io.js';
import { DEFAULT_RELEASE, RELEASES, releaseOfProfile, type CiliumRelease } from '../../cilium/releases/release.js';
import { ciliumChoice } from '../cluster-source.js';
import { newCommand } from './common.js';

export const EXPLAIN_HELP_AFTER = `
Examples:
  cilium-trace explain 133              drop reason -133 (DROP_POLICY)
  cilium-trace explain POLICY_DENIED    the same, by its Hubble name
  cilium-trace explain to-endpoint      an observation point (TRACE_TO_LXC)
  cilium-trace explain handle_policy    a program a trace shows
  cilium-trace explain cilium_policy_01703
  cilium-trace explain world            a reserved identity (also: explain 2)
  cilium-trace explain --cilium 1.18 handle_policy
                                        the same topic, with what v1.18.3 changed
`;

/**
 * The text for a topic name, or a usage error naming the close matches. The topics describe
 * v1.13.0; `release` (default: the release input without a version gets) adds its changes.
 */
export function explainText(query: string, release: CiliumRelease = DEFAULT_RELEASE): string {
  const t = findTopic(query);
  if (t) return renderTopic(t, query, { release, all: RELEASES });
  const close = /^\s*-?\d+\s*$/.test(query) ? [] : closeMatches(query);
  const hint = close.length > 0 ? `close matches: ${close.join(', ')}`
    : /^\s*-?\d+\s*$/.test(query) ? 'numbers name drop reasons 130..205 and identities 0..10, 256..65535 and from 16777216' : 'no close match';
  throw new UsageError(`unknown topic '${query}' (${hint}; all topics: cilium-trace explain --list)`);
}

export function explainCommand(io: Io, result: { code: number }): Command {
  const cmd = newCommand('explain', io)
    .description('explain a drop reason (133, DROP_POLICY, POLICY_DENIED), observation point (to-endpoint), program, function, map or reserved identity in a few sentences')
    .usage('[options] TOPIC')
    .argument('[TOPIC...]', 'what to explain (case-insensitive)')
    .option('--list', 'list every topic')
    .option('--cilium <release>', `the Cilium release to answer for: ${RELEASES.map((r) => r.profile).join(', ')} (default: the newest, ${DEFAULT_RELEASE.profile}); the topics describe v1.13.0, a newer release adds what it changed`)
    .addHelpText('after', EXPLAIN_HELP_AFTER);
  cmd.action((words: string[], _opts: unknown, c: Command) => {
    // --cilium may also be written before the command (the root program's option).
    const opts = c.optsWithGlobals<{ list?: boolean; cilium?: string }>();
    const choice = ciliumChoice(opts.cilium);
    const release = choice ? releaseOfProfile(choice.profile) : DEFAULT_RELEASE;
    const query = words.join(' ');
    if (opts.list) {
      if (query !== '') throw new UsageError('explain --list takes no topic');
      io.stdout(renderTopicList());
    } else {
      if (query === '') throw new UsageError('explain needs a TOPIC (e.g. explain 133, explain cilium_ipcache) or --list');
      io.stdout(explainText(query, release));
    }
    result.code = EXIT.FORWARDED;
  });
  return cmd;
}
