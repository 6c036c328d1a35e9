// The README and docs/ show real output: every fenced example that starts with
// `$ cilium-trace ARGS` is run, and its lines must be what the command prints. A block may
// elide lines with a line `...`; each run of lines between elisions must then appear in the
// output in that order, consecutively. Commands whose output depends on a terminal or on files
// the example creates first are not in such blocks. UPDATE_DOC_EXAMPLES=1 rewrites the blocks
// without elisions from the real output (review the diff); elided ones are edited by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../support/run-cli.js';

const DOCS = ['README.md', 'docs/ci.md', 'docs/classroom.md'];

/** Splits a command line as a POSIX shell would for the quoting the docs use ('…' and "…"). */
function shellWords(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

interface Example {
  readonly doc: string;
  readonly line: number;
  readonly args: string[];
  readonly expected: string[];
}

function examples(doc: string): Example[] {
  const text = readFileSync(join(ROOT, doc), 'utf8').split('\n');
  const out: Example[] = [];
  for (let i = 0; i < text.length; i++) {
    if (!/^```\s*$/.test(text[i] ?? '') || !(text[i + 1] ?? '').startsWith('$ cilium-trace ')) continue;
    const cmd = text[i + 1] as string;
    // Pipelines and redirections are shell, not the CLI; --junit/--update write files and
    // exercises read a directory the reader made first.
    if (/[|<>&;`]|\$\(|--junit|--update|^\$ cilium-trace exercise /.test(cmd)) continue;
    const body: string[] = [];
    let j = i + 2;
    while (j < text.length && !(text[j] ?? '').startsWith('```')) body.push(text[j++] as string);
    if (body.some((l) => l.startsWith('$ '))) { i = j; continue; } // several commands: a session transcript
    out.push({ doc, line: i + 2, args: shellWords(cmd.slice('$ cilium-trace '.length)), expected: body });
    i = j;
  }
  return out;
}

function matches(actual: string[], expected: string[]): string | null {
  const segments: string[][] = [[]];
  for (const l of expected) {
    if (l.trim() === '...' || l.trim() === '…') segments.push([]);
    else (segments[segments.length - 1] as string[]).push(l);
  }
  const elided = segments.length > 1;
  if (!elided) return actual.join('\n') === expected.join('\n') ? null : 'output differs';
  let at = 0;
  for (const [k, seg] of segments.entries()) {
    if (seg.length === 0) continue;
    let found = -1;
    for (let i = at; i + seg.length <= actual.length; i++) {
      if (seg.every((l, j) => actual[i + j] === l)) { found = i; break; }
      if (k === 0) break; // the first segment must start the output
    }
    if (found < 0) return `lines not found in order: ${JSON.stringify(seg[0])}…`;
    at = found + seg.length;
  }
  return null;
}

for (const doc of DOCS) {
  test(`${doc}: every \`$ cilium-trace …\` example shows what the command prints`, async () => {
    const bad: string[] = [];
    const list = examples(doc);
    assert.ok(list.length > 0, `${doc} has examples`);
    const lines = readFileSync(join(ROOT, doc), 'utf8').split('\n');
    const rewrites: Array<{ at: number; length: number; lines: string[] }> = [];
    for (const ex of list) {
      const run = await runCli(ex.args);
      // An example shows what the terminal shows: stdout, and stderr after it when it has lines.
      const stdoutOnly = run.stdout.replace(/\n$/, '').split('\n');
      const both = (run.stdout + run.stderr).replace(/\n$/, '').split('\n');
      const problem = matches(stdoutOnly, ex.expected) === null ? null : matches(both, ex.expected);
      const actual = run.stderr === '' || run.stdout === '' ? both : stdoutOnly;
      if (problem && process.env['UPDATE_DOC_EXAMPLES'] === '1' && !ex.expected.some((l) => l.trim() === '...' || l.trim() === '…')) {
        rewrites.push({ at: ex.line, length: ex.expected.length, lines: actual }); // ex.line is the command's 1-based line: the body follows it
        continue;
      }
      if (problem) bad.push(`${ex.doc}:${ex.line}: cilium-trace ${ex.args.join(' ')}: ${problem}`);
    }
    for (const r of rewrites.reverse()) lines.splice(r.at, r.length, ...r.lines);
    if (rewrites.length > 0) writeFileSync(join(ROOT, doc), lines.join('\n'));
    assert.deepEqual(bad, []);
  });
}
