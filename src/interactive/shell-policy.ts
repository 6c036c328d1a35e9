// `policy add` and `policy remove` of the shell, on the Scenario model. Added YAML goes
// through the scenario loader (readInputs) next to a one-node context document, so a policy
// is validated exactly as in a file given with -f, and its provenance names where it came
// from (the file, or <inline N>); the shell then rebuilds the cluster from the new model.
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../errors.js';
import { POLICY_KINDS } from '../scenario/fields.js';
import { readInputs } from '../scenario/inputs.js';
import { loadNotes } from '../scenario/load-notes.js';
import { policyId } from '../scenario/policy-input.js';
import type { PolicySpec, Scenario } from '../scenario/types.js';

/** The loader wants a cluster around a policy; this one contributes nothing else. */
const CONTEXT = {
  file: '<shell context>',
  text: [
    'apiVersion: cilium-trace/v1',
    'kind: Scenario',
    'metadata: { name: shell-context }',
    'nodes:',
    '  - { name: context, ip: 192.0.2.1, podCIDR: 198.51.100.0/24 }',
    '',
  ].join('\n'),
};

const POLICY_KIND_LIST = Object.keys(POLICY_KINDS).join(', ');

function kindsOf(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [String(value)];
  const v = value as { kind?: unknown; items?: unknown };
  if (typeof v.kind === 'string' && /List$/.test(v.kind) && Array.isArray(v.items)) return v.items.flatMap(kindsOf);
  return [typeof v.kind === 'string' ? v.kind : '(no kind)'];
}

/** Rejects anything but policies before the loader sees it (a Pod would silently be dropped). */
function checkOnlyPolicies(text: string, file: string): void {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.some((d) => d.errors.length > 0)) return; // the loader reports syntax errors with positions
  const kinds = list.filter((d) => d.contents !== null).flatMap((d) => kindsOf(d.toJS()));
  if (kinds.length === 0) throw new UsageError(`no policy in ${file} (expected ${POLICY_KIND_LIST})`);
  const other = kinds.find((k) => !Object.hasOwn(POLICY_KINDS, k));
  if (other !== undefined) throw new UsageError(`policy add takes policies only (expected ${POLICY_KIND_LIST}; got ${other} in ${file})`);
}

/**
 * Parses policies from YAML text through the scenario loader. Throws InputError or UsageError.
 * `warnings` receives the load's warning lines (constructs read but not simulated).
 */
export function parsePolicies(text: string, file: string, warnings: string[] = []): PolicySpec[] {
  checkOnlyPolicies(text, file);
  const s = readInputs([CONTEXT, { file, text }], 'shell');
  warnings.push(...loadNotes(s));
  return s.policies.filter((p) => p.pos.file === file);
}

export function policyLabel(p: PolicySpec): string {
  return `${p.kind} ${policyId(p)}`;
}

/** The model with `added` appended; a policy of the same kind and name is an error, as in the loader. */
export function withPolicies(s: Scenario, added: readonly PolicySpec[]): Scenario {
  for (const p of added) {
    const same = s.policies.find((q) => q.kind === p.kind && policyId(q) === policyId(p));
    if (same) throw new UsageError(`${policyLabel(p)} already exists (from ${same.pos.file}:${same.pos.line}); policy remove ${policyId(p)} first`);
  }
  return { ...s, policies: [...s.policies, ...added] };
}

/** NAME matches a policy by name in any namespace (or a clusterwide one); NS/NAME exactly. */
export function withoutPolicy(s: Scenario, ref: string): { scenario: Scenario; removed: PolicySpec } {
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  const hits = s.policies.filter((p) => p.name === name && (ns === undefined || p.namespace === ns));
  const all = s.policies.map(policyId).sort().join(', ') || 'none';
  if (hits.length === 0) throw new UsageError(`no policy '${ref}' (policies: ${all})`);
  if (hits.length > 1) throw new UsageError(`policy name '${ref}' is ambiguous (expected one of: ${hits.map((p) => `${policyId(p)} (${p.kind})`).join(', ')})`);
  const removed = hits[0] as PolicySpec;
  return { scenario: { ...s, policies: s.policies.filter((p) => p !== removed) }, removed };
}
