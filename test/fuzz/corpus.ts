// The shipped scenarios the fuzzer mutates, read once per process: scenarios/*.yaml (one
// file each) and every directory under scenarios/k8s (all its files together).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/run-cli.js';
import { loadInputs } from '../../src/scenario/load.js';
import { formatIpv4 } from '../../src/net/ip.js';

export interface CorpusFile {
  readonly name: string;
  readonly text: string;
}

export interface CorpusEntry {
  /** scenarios/default.yaml, scenarios/k8s/star-wars */
  readonly name: string;
  /** One file, or the files of a directory input. */
  readonly files: readonly CorpusFile[];
  readonly directory: boolean;
  /** What is worth putting on a command line: pods (name, namespace/name, IP), node:NAME, svc:NAME. */
  readonly names: readonly string[];
}

let cached: readonly CorpusEntry[] | undefined;

/** Pods, nodes and services of an input that loads (from its path), for command lines. */
function namesOf(path: string): string[] {
  try {
    const s = loadInputs([path], () => '');
    return [
      ...s.pods.flatMap((p) => [p.name, `${p.namespace}/${p.name}`, formatIpv4(p.ip)]),
      ...s.nodes.map((n) => `node:${n.name}`),
      ...s.services.map((v) => `svc:${v.namespace}/${v.name}`),
    ];
  } catch {
    return [];
  }
}

export function corpus(): readonly CorpusEntry[] {
  if (cached) return cached;
  const out: CorpusEntry[] = [];
  const dir = join(ROOT, 'scenarios');
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (f.endsWith('.yaml') && statSync(p).isFile()) {
      const text = readFileSync(p, 'utf8');
      out.push({ name: `scenarios/${f}`, files: [{ name: f, text }], directory: false, names: namesOf(p) });
    }
  }
  const k8s = join(dir, 'k8s');
  for (const d of readdirSync(k8s).sort()) {
    const p = join(k8s, d);
    if (!statSync(p).isDirectory()) continue;
    const files = readdirSync(p)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort()
      .map((f) => ({ name: f, text: readFileSync(join(p, f), 'utf8') }));
    out.push({ name: `scenarios/k8s/${d}`, files, directory: true, names: namesOf(p) });
  }
  cached = out;
  return out;
}
