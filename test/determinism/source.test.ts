// What the source may not do, checked by reading it: nothing that makes the output depend
// on the clock, chance or the machine's locale; no network, no child processes, no running
// code from the input; writing files only where the user names them (the check command's
// --junit report and --golden --update files).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support/run-cli.js';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The code without comments (string contents stay: a banned call inside a string is rare). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const SOURCES = tsFiles(join(ROOT, 'src')).map((file) => ({ file: relative(ROOT, file).split('\\').join('/'), text: code(readFileSync(file, 'utf8')) }));

function offenders(re: RegExp, allowed: (file: string) => boolean = () => false): string[] {
  return SOURCES.filter((s) => !allowed(s.file) && re.test(s.text)).map((s) => `${s.file}: ${s.text.match(re)?.[0]}`);
}

describe('source hygiene', () => {
  it('nothing depends on the clock, chance or the locale', () => {
    assert.deepEqual(offenders(/\bDate\b|Math\.random|performance\.now|process\.hrtime|\btoLocale\w*|\blocaleCompare\b|\bIntl\b|crypto\.random\w*|getRandomValues/), []);
  });

  it('no network, no child processes, no code from the input (import() and require() only of literal module names)', () => {
    assert.deepEqual(offenders(/from '(?:node:)?(?:child_process|net|http|https|http2|dgram|tls|dns|cluster|vm|inspector|worker_threads)'|\brequire\(\s*[^'"\s]|\bfetch\(|\bWebSocket\b|\beval\(|new Function\b|\bimport\(\s*[^'"\s]/), []);
  });

  it('files are written only where the user names them (check --junit, --golden --update)', () => {
    const writers = /\b(?:writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|mkdirSync|mkdir|rmSync|rm|unlinkSync|unlink|renameSync|rename|copyFileSync|cpSync|writeSync|truncateSync|symlinkSync|chmodSync)\s*\(/;
    const allowed = (file: string) => file.startsWith('src/cli/commands/') || file.startsWith('src/analysis/');
    // src/cli/io.ts writes the output itself, to fd 1 and 2 only (its writer takes `fd: 1 | 2`).
    const io = SOURCES.find((s) => s.file === 'src/cli/io.ts')?.text ?? '';
    assert.match(io, /function fdWriter\(fd: 1 \| 2\)/);
    assert.deepEqual([...io.matchAll(new RegExp(writers.source, 'g'))].map((m) => m[0]), ['writeSync(']);
    assert.match(io, /writeSync\(fd, /);
    assert.deepEqual(offenders(writers, (f) => allowed(f) || f === 'src/cli/io.ts'), []);
    // Opening files for writing counts too.
    assert.deepEqual(offenders(/openSync\([^)]*['"][wa]\+?['"]/, allowed), []);
  });
});
