// Applies a fuzz case's input plan: the files to write for it (deterministic).
import { parseAllDocuments, stringify } from 'yaml';
import type { GeneratedCluster, InputPlan, RawOp, StructOp } from './arbitraries.js';
import { corpus } from './corpus.js';

export interface CaseFile {
  readonly name: string;
  readonly data: string | Uint8Array;
}

export interface CaseInput {
  readonly files: readonly CaseFile[];
  /** Pass the directory (several files) or the one file. */
  readonly directory: boolean;
  /** Names in the input, for `{Nk}` on the command line. */
  readonly names: readonly string[];
}

function namesIn(c: GeneratedCluster): string[] {
  return [...c.pods.flatMap((p) => [p.name, `${p.ns}/${p.name}`, p.ip]), ...c.nodes.map((n) => `node:${n.name}`), ...c.services.map((s) => `svc:${s.ns}/${s.name}`)];
}

/** Own property, even for `__proto__` (a plain assignment would change the prototype). */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function deepChain(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

function clone(v: unknown): unknown {
  return structuredClone(v);
}

/** Applies one structural mutation to a parsed document (in place; returns the new root). */
export function applyStruct(root: unknown, op: StructOp): unknown {
  if (!isContainer(root)) return op.op === 'set' ? op.value : root;
  let parent: Record<string, unknown> | unknown[] = root;
  let key: string | number | undefined;
  for (const step of op.path) {
    const cur: unknown = key === undefined ? parent : (parent as Record<string, unknown>)[key as string];
    if (!isContainer(cur)) break;
    const keys = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (keys.length === 0) break;
    if (key !== undefined) parent = cur;
    key = keys[step % keys.length];
  }
  if (key === undefined) {
    // The root itself.
    if (op.op === 'proto' && !Array.isArray(root)) define(root, op.protoKey, clone(op.value));
    if (op.op === 'wrap') return [root];
    return root;
  }
  const p = parent as Record<string, unknown> & unknown[];
  const current = p[key as string];
  switch (op.op) {
    case 'delete':
      if (Array.isArray(p)) p.splice(key as number, 1);
      else delete p[key as string];
      break;
    case 'set':
      if (Array.isArray(p)) p[key as number] = clone(op.value);
      else define(p, key as string, clone(op.value));
      break;
    case 'dup':
      if (Array.isArray(p)) p.push(clone(current));
      else define(p, `${String(key)}`, clone(current));
      break;
    case 'proto':
      if (isContainer(current) && !Array.isArray(current)) define(current, op.protoKey, clone(op.value));
      else if (!Array.isArray(p)) define(p, op.protoKey, clone(op.value));
      break;
    case 'rename':
      if (!Array.isArray(p)) {
        delete p[key as string];
        define(p, `${String(key)}${typeof op.value === 'string' ? op.value.slice(0, 3) : 'x'}`, current);
      }
      break;
    case 'wrap':
      if (Array.isArray(p)) p[key as number] = [current];
      else define(p, key as string, { [typeof op.value === 'string' ? op.value : 'v']: current });
      break;
    case 'deep':
      if (Array.isArray(p)) p[key as number] = deepChain(300);
      else define(p, key as string, deepChain(300));
      break;
  }
  return root;
}

/** Applies a raw text mutation. */
export function applyRaw(text: string, op: RawOp): string {
  const lines = text.split('\n');
  const i = lines.length === 0 ? 0 : op.at % lines.length;
  switch (op.op) {
    case 'deleteLine':
      lines.splice(i, 1);
      return lines.join('\n');
    case 'dupLine':
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    case 'swapLines': {
      const j = (i + 1 + Math.abs(op.n)) % Math.max(lines.length, 1);
      const a = lines[i] ?? '';
      lines[i] = lines[j] ?? '';
      lines[j] = a;
      return lines.join('\n');
    }
    case 'insert': {
      const at = text.length === 0 ? 0 : op.at % (text.length + 1);
      return text.slice(0, at) + op.text + text.slice(at);
    }
    case 'truncate':
      return text.slice(0, text.length === 0 ? 0 : op.at % (text.length + 1));
    case 'indent': {
      const line = lines[i] ?? '';
      lines[i] = op.n >= 0 ? ' '.repeat(op.n) + line : line.replace(new RegExp(`^ {0,${-op.n}}`), '');
      return lines.join('\n');
    }
  }
}

function restringify(text: string, ops: readonly StructOp[]): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return text;
  const values = docs.map((d) => {
    try {
      return d.toJS({ maxAliasCount: 100 }) as unknown;
    } catch {
      return null;
    }
  });
  for (const op of ops) {
    const d = op.path[0] ?? 0;
    if (values.length === 0) break;
    const idx = d % values.length;
    values[idx] = applyStruct(values[idx], { ...op, path: op.path.slice(1) });
  }
  return values.map((v) => stringify(v, { aliasDuplicateObjects: false, lineWidth: 0 })).join('---\n');
}

function generatedYaml(c: GeneratedCluster): string {
  const docs: unknown[] = [];
  if (c.asScenario) {
    docs.push({
      apiVersion: 'cilium-trace/v1',
      kind: 'Scenario',
      metadata: { name: 'fuzz' },
      nodes: c.nodes.map((n) => ({ name: n.name, ip: n.ip, podCIDR: n.cidr })),
      pods: c.pods.map((p) => ({ name: p.name, namespace: p.ns, node: p.node, ip: p.ip, labels: p.labels })),
      policies: c.policies,
    });
  } else {
    for (const n of c.nodes) docs.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, spec: { podCIDR: n.cidr }, status: { addresses: [{ type: 'InternalIP', address: n.ip }] } });
    for (const p of c.pods) {
      docs.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: p.name, namespace: p.ns, labels: p.labels },
        spec: { nodeName: p.node, containers: [{ name: 'c', ports: p.ports.map((x) => ({ name: x.name, containerPort: x.port, protocol: x.protocol })) }] },
        status: { phase: 'Running', podIP: p.ip },
      });
    }
    docs.push(...c.policies);
  }
  for (const ns of c.namespaces) docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: ns.labels } });
  for (const s of c.services) {
    docs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: s.ns },
      spec: { type: s.type, clusterIP: s.ip, selector: s.selector, ports: [{ port: s.port, targetPort: s.target, nodePort: s.nodePort, protocol: 'TCP' }] },
    });
  }
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/** The files a plan writes (none for 'none': the command line names no input file). */
export function caseInput(plan: InputPlan): CaseInput {
  switch (plan.kind) {
    case 'none':
      return { files: [], directory: false, names: corpus()[0]?.names ?? [] };
    case 'bytes':
      return { files: [{ name: 'input.yaml', data: plan.bytes }], directory: false, names: [] };
    case 'generate': {
      let text = generatedYaml(plan.cluster);
      for (const r of plan.raw) text = applyRaw(text, r);
      const files = [{ name: 'cluster.yaml', data: text }];
      return { files, directory: false, names: namesIn(plan.cluster) };
    }
    case 'mutate': {
      const entries = corpus();
      const entry = entries[plan.entry % entries.length];
      if (!entry) return { files: [], directory: false, names: [] };
      const target = plan.file % entry.files.length;
      const files = entry.files.map((f, i) => {
        if (i !== target) return { name: f.name, data: f.text };
        let text = plan.struct.length > 0 ? restringify(f.text, plan.struct) : f.text;
        for (const r of plan.raw) text = applyRaw(text, r);
        return { name: f.name, data: text };
      });
      return { files, directory: entry.directory, names: entry.names };
    }
  }
}
