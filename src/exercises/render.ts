// Text of the exercise commands: list, show, hint and check. Pure functions; `where` is the
// cluster directory as the user can type it (the command decides: relative to the working
// directory when inside it, else absolute). Check output names flows, verdicts and drop
// reasons only: never the policy text or the solution.
import type { Exercise, ExerciseFlow } from './catalog.js';
import type { ExerciseCheck, FlowOutcome } from './check.js';

const WIDTH = 80;

/** Word-wraps paragraphs to the width, each line indented; a `quoted command` is never split. */
export function wrap(text: string, indent = '  ', width = WIDTH): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    let line = '';
    // A word is never broken inside a `code span`, and a span ends at its closing backtick
    // (not at the last backtick of the paragraph).
    for (const word of para.match(/(?:[^\s`]+|`[^`]*`)+|\S+/g) ?? []) {
      if (line !== '' && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    if (line !== '') out.push(indent + line);
    out.push('');
  }
  out.pop();
  return out;
}

function flowText(f: ExerciseFlow, protoText?: string): string {
  const proto = protoText ?? (f.proto === undefined ? '' : f.port === undefined ? f.proto : `${f.proto}/${f.port}`);
  return `${f.from} → ${f.to}${proto ? ` ${proto}` : ''}${f.http !== undefined ? ` ${f.http}` : ''}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderList(list: readonly Exercise[]): string {
  const out = ['Exercises: broken clusters to repair. Each comes with what users report, the', 'flows that must work or stay blocked, and graded hints.', ''];
  const width = Math.max(...list.map((e) => e.title.length), 5);
  for (const e of list) out.push(`  ${String(e.number).padStart(2)}  ${pad(e.title, width)}  ${e.flows.length} flows`);
  out.push('', 'Start with: cilium-trace exercise show 1');
  return out.join('\n') + '\n';
}

function traceCommand(dir: string, f: ExerciseFlow, protoText?: string): string {
  const proto = protoText ?? (f.proto === undefined ? '' : f.port === undefined ? f.proto : `${f.proto}/${f.port}`);
  return `cilium-trace -f ${dir} ${f.from} ${f.to}${proto ? ` ${proto}` : ''}${f.http !== undefined ? ` --http '${f.http}'` : ''}`;
}

export function renderShow(e: Exercise, where: string): string {
  const out = [`Exercise ${e.number}: ${e.title}`, '', 'What users report:', ...wrap(e.report), ''];
  const must = e.flows.filter((f) => f.expect === 'FORWARDED');
  const blocked = e.flows.filter((f) => f.expect === 'DROPPED');
  out.push('Must work:');
  for (const f of must) out.push(`  ${flowText(f)}  (${f.name})`);
  if (blocked.length > 0) {
    out.push('Must stay blocked:');
    for (const f of blocked) out.push(`  ${flowText(f)}  (${f.name})`);
  }
  out.push('', `The cluster: ${where}/`);
  for (const name of e.clusterFiles) out.push(`  ${name}`);
  const first = must[0] ?? e.flows[0];
  out.push(
    '',
    'Work on a copy:',
    `  cp -r ${where} ex${e.number}`,
    ...(first ? [`  ${traceCommand(`ex${e.number}`, first)}`] : []),
    `  (edit the files in ex${e.number}/)`,
    `  cilium-trace exercise check ${e.number} -f ex${e.number}`,
    '',
    `check -f also takes single files: each replaces the cluster file of the same name`,
    `(cilium-trace exercise check ${e.number} -f ${e.clusterFiles.find((n) => n !== 'cluster.yaml' && n !== 'workloads.yaml') ?? e.clusterFiles[0] ?? 'FILE'}); a directory replaces the whole cluster.`,
    `Stuck? cilium-trace exercise hint ${e.number}  (${e.hints.length} levels, the gentlest first)`,
  );
  return out.join('\n') + '\n';
}

export function renderHint(e: Exercise, level: number, where: string): string {
  const text = (e.hints[level - 1] ?? '').replace(/CLUSTER_DIR/g, where);
  const out = [`Exercise ${e.number}, hint ${level} of ${e.hints.length}:`, ...wrap(text)];
  if (level < e.hints.length) out.push('', `More: cilium-trace exercise hint ${e.number} --level ${level + 1}`);
  return out.join('\n') + '\n';
}

function outcomeText(o: FlowOutcome): string {
  if (o.verdict === 'UNRESOLVED') return `cannot trace: ${o.reason ?? ''}`;
  const proxy = o.trace?.notSimulated?.proxy;
  if (o.ok && o.verdict === 'NOT_SIMULATED' && proxy) return `FORWARDED to the proxy ${proxy.listener} (port ${proxy.port}), whose rules let every request through (${proxy.rules.join('; ')})`;
  const got = o.verdict === 'DROPPED' && o.reason ? `DROPPED (${o.reason})` : o.verdict === 'NOT_SIMULATED' ? 'NOT SIMULATED' : o.verdict;
  return o.ok ? got : `expected ${o.flow.expect}, got ${got}`;
}

export function renderCheck(c: ExerciseCheck, where: string): string {
  const e = c.exercise;
  const out = [`Exercise ${e.number}: ${e.title}`];
  const mine = c.used.filter((u) => u.origin !== 'exercise');
  if (mine.length === 0) out.push(`cluster: ${where}/ as shipped`);
  else if (c.fromDirectory) {
    out.push(`cluster: yours (${mine.map((u) => u.display).join(', ')})`);
    const missing = e.clusterFiles.filter((n) => !c.used.some((u) => u.name === n));
    if (missing.length > 0) out.push(`  not in yours: ${missing.join(', ')} (the exercise has them)`);
  } else {
    out.push(`cluster: ${where}/ with yours:`);
    for (const u of mine) out.push(`  ${u.display} ${u.origin === 'replaced' ? `replaces ${u.name}` : 'added'}`);
  }
  out.push('');
  const width = Math.max(...c.outcomes.map((o) => flowText(o.flow, o.protoText || undefined).length));
  for (const o of c.outcomes) {
    out.push(`  ${o.ok ? 'ok  ' : 'FAIL'}  ${pad(flowText(o.flow, o.protoText || undefined), width)}  ${outcomeText(o)}`);
    out.push(`        ${o.flow.name}`);
  }
  out.push('');
  const failing = c.outcomes.filter((o) => !o.ok);
  if (failing.length === 0) {
    out.push(`SOLVED: all ${c.outcomes.length} flows behave as they must.`);
    return out.join('\n') + '\n';
  }
  out.push(`NOT SOLVED: ${failing.length} of ${c.outcomes.length} flows ${failing.length === 1 ? 'is' : 'are'} still wrong.`);
  const f = failing[0] as FlowOutcome;
  const dir = c.userDir ?? (mine.length === 0 ? where : null);
  if (dir !== null) out.push(`Trace it: ${traceCommand(dir, f.flow, f.protoText || undefined)}`);
  else out.push(`Trace it on a copy of the cluster with your files in it (see: cilium-trace exercise show ${e.number}).`);
  out.push(`Stuck? cilium-trace exercise hint ${e.number}`);
  return out.join('\n') + '\n';
}
