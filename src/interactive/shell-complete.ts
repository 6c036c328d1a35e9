// Tab completion of the shell: commands, then per command its words — pods and node:NAME
// for a source, pods and svc:NS/NAME for a destination, map names, option names and values,
// policy names, topics, shipped scenarios and file paths. Pure but for reading directories.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MAP_NAMES } from '../cli/maps-cmd.js';
import { listShippedScenarios } from '../scenario/load.js';
import { COMMANDS } from './shell-help.js';
import { CT_STATES, LEVELS, OUTPUTS, TRACE_OPTIONS } from './shell-trace.js';

export interface CompletionWords {
  readonly pods: readonly string[];
  readonly services: readonly string[];
  readonly nodes: readonly string[];
  readonly policies: readonly string[];
  readonly topics: readonly string[];
}

/** Paths starting with `prefix` (directories end in /), sorted. */
export function completePath(prefix: string): string[] {
  const dir = prefix.endsWith('/') ? prefix : dirname(prefix);
  const base = prefix.endsWith('/') ? '' : prefix.slice(prefix.lastIndexOf('/') + 1);
  const shownDir = prefix.includes('/') ? (prefix.endsWith('/') ? prefix : prefix.slice(0, prefix.lastIndexOf('/') + 1)) : '';
  try {
    return readdirSync(dir === '' ? '.' : dir)
      .filter((f) => f.startsWith(base) && (base.startsWith('.') || !f.startsWith('.')))
      .sort()
      .map((f) => {
        let isDir = false;
        try { isDir = statSync(join(dir === '' ? '.' : dir, f)).isDirectory(); } catch { /* unreadable: complete as a file */ }
        return `${shownDir}${f}${isDir ? '/' : ''}`;
      });
  } catch {
    return [];
  }
}

const VALUE_OPTIONS: Readonly<Record<string, readonly string[] | 'none'>> = {
  '-o': OUTPUTS, '--output': OUTPUTS, '-l': LEVELS, '--level': LEVELS, '--ct': CT_STATES, '--sport': 'none', '--backend': 'none', '--http': 'none', '--header': 'none', '--host': 'none',
};

const SET_VALUES: Readonly<Record<string, readonly string[]>> = {
  backend: ['none'], ct: [...CT_STATES, 'none'], level: LEVELS, output: OUTPUTS,
};

function positionals(words: readonly string[], valueOptions: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (valueOptions.has(w)) { i++; continue; }
    if (!w.startsWith('-')) out.push(w);
  }
  return out;
}

function candidates(before: readonly string[], current: string, w: CompletionWords): readonly string[] {
  const [cmd, ...args] = before;
  if (cmd === undefined) return [...Object.keys(COMMANDS), 'quit'];
  const prev = args[args.length - 1];
  switch (cmd) {
    case 'trace': {
      const values = prev === undefined ? undefined : VALUE_OPTIONS[prev];
      if (values === 'none') return [];
      if (values) return values;
      if (current.startsWith('-')) return TRACE_OPTIONS;
      const pos = positionals(args, new Set(Object.keys(VALUE_OPTIONS))).length;
      if (pos === 0) return [...w.pods, ...w.nodes.map((n) => `node:${n}`)];
      if (pos === 1) return [...w.pods, ...w.services];
      return pos === 2 ? ['icmp', 'tcp/', 'udp/'] : TRACE_OPTIONS;
    }
    case 'maps': {
      if (prev === '--node') return w.nodes;
      if (prev === '--after') return [];
      if (current.startsWith('-')) return ['--node', '--why', '--after', '--help'];
      const pos = positionals(args, new Set(['--node', '--after']));
      if (pos.length === 0) return MAP_NAMES;
      return pos.length === 1 && pos[0] === 'policy' ? w.pods : ['--node', '--why', '--after'];
    }
    case 'set': return args.length === 0 ? Object.keys(SET_VALUES) : args.length === 1 ? (SET_VALUES[args[0] as string] ?? []) : [];
    case 'policy':
      if (args.length === 0) return ['add', 'remove'];
      if (args[0] === 'remove') return args.length === 1 ? w.policies : [];
      return args[0] === 'add' ? completePath(current) : [];
    case 'ct': return args.length === 0 ? ['flush'] : [];
    case 'explain': return args.length === 0 ? w.topics : [];
    case 'help': return args.length === 0 ? Object.keys(COMMANDS) : [];
    case 'load':
      if (prev === '--scenario') return listShippedScenarios();
      if (prev === '-f' || prev === '--file') return completePath(current);
      return ['-f', '--file', '--scenario'];
    default: return [];
  }
}

/** readline's completer: the candidates for the word being typed, and that word. */
export function complete(line: string, w: CompletionWords): [string[], string] {
  const m = /(\S*)$/.exec(line);
  const current = m?.[1] ?? '';
  const before = line.slice(0, line.length - current.length).trim().split(/\s+/).filter((x) => x !== '');
  const hits = [...new Set(candidates(before, current, w).filter((c) => c.startsWith(current)))];
  // One match completes the word, and a space follows as in bash (not after a directory or tcp/).
  if (hits.length === 1 && !(hits[0] as string).endsWith('/')) return [[`${hits[0] as string} `], current];
  return [hits, current];
}
