// The map dumps of one node's bugtool, found by the file names its release's bugtool writes
// (layout.ts bugtoolFileName of the commands in bugtool/cmd/configuration.go at v1.13.0 and
// v1.18.3) and parsed. A missing file is a note: the node's computed map is used instead.
import type { CiliumRelease } from '../cilium/releases/release.js';
import { bugtoolFileName } from './layout.js';
import { parseAgentEndpointList, parseEndpointList, parseIpcacheList, parseLbList, parseTunnelList, type AgentEndpointRow, type EndpointRow, type IpcacheRow, type LbRow, type TunnelRow } from './parse-maps.js';
import { parsePolicyGetAll, type PolicyMapSeen, type PolicyRow } from './parse-policy.js';
import { parseCtList, parseNatList, type TupleRow } from './parse-ct.js';
import type { Parsed } from './text.js';
import { isJsonDump, parseIpcacheJson, parseLbJson, parsePolicyJson } from './parse-json.js';
import type { Sysdump, SysdumpNote } from './types.js';

export type DumpName = 'ipcache' | 'endpoint' | 'policy' | 'tunnel' | 'lb' | 'ct' | 'nat' | 'agentEndpoints';

export interface Dump<T> {
  /** The command file (relative to cmd/), as provenance names it. */
  readonly file: string;
  readonly parsed: Parsed<T>;
}

export interface NodeDumps {
  readonly node: string;
  readonly ipcache?: Dump<IpcacheRow>;
  readonly endpoint?: Dump<EndpointRow>;
  readonly policy?: Dump<PolicyRow> & { readonly maps: readonly PolicyMapSeen[] };
  readonly tunnel?: Dump<TunnelRow>;
  readonly lb?: Dump<LbRow>;
  readonly ct?: Dump<TupleRow>;
  readonly nat?: Dump<TupleRow>;
  readonly agentEndpoints?: Dump<AgentEndpointRow>;
  readonly notes: SysdumpNote[];
}

/** The command of each dump (without the CLI's name); several names are tried in order. */
const COMMANDS: Readonly<Record<DumpName, readonly string[]>> = {
  ipcache: ['bpf ipcache list', 'bpf ipcache list -o json'],
  endpoint: ['bpf endpoint list'],
  policy: ['bpf policy get --all --numeric', 'bpf policy get --all', 'bpf policy get --all -o json'],
  tunnel: ['bpf tunnel list'],
  lb: ['bpf lb list', 'bpf lb list -o json'],
  // v1.18's bugtool adds --time-diff (68b508ca8c); v1.13 and v1.16 run it plain.
  ct: ['bpf ct list global --time-diff', 'bpf ct list global'],
  nat: ['bpf nat list'],
  // The agent's endpoints (not a BPF map): their identities, for drift.
  agentEndpoints: ['endpoint list'],
};

/** The file a dump is in for this release's CLI, if the node's bugtool has one. */
export function dumpFile(files: readonly string[], release: CiliumRelease, name: DumpName): string | undefined {
  const have = new Set(files);
  return COMMANDS[name].map((c) => bugtoolFileName(`${release.cli} ${c}`)).find((f) => have.has(f));
}

export function readNodeDumps(sd: Sysdump, node: string, release: CiliumRelease): NodeDumps {
  const files = sd.files(node);
  const notes: SysdumpNote[] = [];
  const out: { -readonly [K in keyof NodeDumps]: NodeDumps[K] } = { node, notes };
  const names: DumpName[] = release.has('no-tunnel-map') ? ['ipcache', 'endpoint', 'policy', 'lb', 'ct', 'nat', 'agentEndpoints'] : ['ipcache', 'endpoint', 'policy', 'tunnel', 'lb', 'ct', 'nat', 'agentEndpoints'];
  if (files.length === 0) return out;
  for (const name of names) {
    const file = dumpFile(files, release, name);
    if (!file) {
      const what = name === 'agentEndpoints' ? 'the agent\'s endpoint identities are not compared' : `its ${name} map is computed`;
      notes.push({ message: `node ${node}: no ${bugtoolFileName(`${release.cli} ${COMMANDS[name][0]}`)} in its bugtool: ${what}` });
      continue;
    }
    const where = sd.display(node, file);
    const text = sd.read(node, file);
    if (text === undefined) {
      // Listed but not read (damaged, or larger than the reader keeps): as if missing.
      notes.push({ message: `node ${node}: ${file} could not be read: its ${name === 'agentEndpoints' ? 'endpoint identities are not compared' : `${name} map is computed`}` });
      continue;
    }
    const add = <T>(parsed: Parsed<T>): Dump<T> => {
      for (const n of parsed.notes) notes.push({ where: `${where}:${n.line}`, message: n.message });
      return { file, parsed };
    };
    switch (name) {
      case 'ipcache': out.ipcache = add(isJsonDump(text) ? parseIpcacheJson(text) : parseIpcacheList(text)); break;
      case 'endpoint': out.endpoint = add(parseEndpointList(text)); break;
      case 'policy': {
        const p = isJsonDump(text) ? parsePolicyJson(text) : parsePolicyGetAll(text);
        out.policy = { ...add(p), maps: p.maps };
        break;
      }
      case 'tunnel': out.tunnel = add(parseTunnelList(text)); break;
      case 'lb': out.lb = add(isJsonDump(text) ? parseLbJson(text) : parseLbList(text)); break;
      case 'ct': out.ct = add(parseCtList(text)); break;
      case 'nat': out.nat = add(parseNatList(text)); break;
      case 'agentEndpoints': out.agentEndpoints = add(parseAgentEndpointList(text)); break;
    }
  }
  return out;
}
