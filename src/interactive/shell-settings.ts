// `set` in the shell: the defaults later traces take (each flag on a trace still wins).
import { UsageError } from '../errors.js';
import type { Level } from '../render/text.js';
import { usageOf } from './shell-help.js';
import { CT_STATES, LEVELS, OUTPUTS, type CtFlag, type Output, type TraceDefaults } from './shell-trace.js';

export const DEFAULT_SETTINGS: TraceDefaults = { output: 'text', level: 'detailed', ct: undefined, backend: undefined };

/**
 * `set` (show), or `set KEY VALUE`: the new defaults and what to print. A backend is an
 * IP[:PORT] or a name `isPodName` accepts (each trace then checks it against its Service).
 */
export function applySet(s: TraceDefaults, args: readonly string[], isPodName: (text: string) => boolean = () => false): { settings: TraceDefaults; text: string } {
  if (args.length === 0) {
    const text = [
      `backend ${s.backend ?? 'none (the first slot)'}`,
      `ct      ${s.ct ?? 'none (looked up)'}`,
      `level   ${s.level}`,
      `output  ${s.output}`,
    ].join('\n');
    return { settings: s, text };
  }
  const [key, value, ...extra] = args;
  if (value === undefined || extra.length > 0) throw new UsageError(usageOf('set'));
  const pick = <T extends string>(choices: readonly T[]): T => {
    if (!(choices as readonly string[]).includes(value)) throw new UsageError(`bad ${key} '${value}' (expected one of: ${choices.join(', ')})`);
    return value as T;
  };
  const text = `${key} ${value}`;
  switch (key) {
    case 'backend':
      if (value !== 'none' && !/^\d+\.\d+\.\d+\.\d+(:\d{1,5})?$/.test(value) && !isPodName(value)) {
        throw new UsageError(`bad backend '${value}' (expected IP, IP:PORT or a pod: NAME, NAMESPACE/WORKLOAD or NAMESPACE/KEY=VALUE)`);
      }
      return { settings: { ...s, backend: value === 'none' ? undefined : value }, text };
    case 'ct': {
      const v = pick<CtFlag | 'none'>([...CT_STATES, 'none']);
      return { settings: { ...s, ct: v === 'none' ? undefined : v }, text };
    }
    case 'level': return { settings: { ...s, level: pick<Level>(LEVELS) }, text };
    case 'output': return { settings: { ...s, output: pick<Output>(OUTPUTS) }, text };
    default: throw new UsageError(`unknown setting '${key}' (expected one of: backend, ct, level, output)`);
  }
}
