// Same input, same bytes: representative commands run through the real binary under
// different time zones, locales, terminal widths and working directories must print exactly
// what the in-process CLI prints. Output is never coloured when stdout is not a terminal.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli } from '../support/run-cli.js';

const BIN = join(ROOT, 'bin', 'cilium-trace.cjs');

/** Commands; `@` marks a path relative to the package root (adjusted when the cwd differs). */
const COMMANDS: ReadonlyArray<readonly string[]> = [
  ['pod1', 'pod3', 'icmp'],
  ['pod1', 'pod3', 'icmp', '-l', 'summary'],
  ['pod1', 'pod2', 'tcp/80', '-l', 'minimal'],
  ['pod1', 'pod3', 'icmp', '-o', 'json'],
  ['pod1', 'pod3', 'icmp', '-o', 'monitor'],
  ['pod1', 'pod3', 'icmp', '-o', 'hubble'],
  ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080', '-l', 'summary'],
  ['--scenario', 'services', 'pod1', 'svc:web', 'tcp/80', '--reply', '-l', 'minimal'],
  ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080', '-o', 'markdown'],
  ['pod1', 'pod3', 'icmp', '--reply', '-o', 'html'],
  ['maps', 'ipcache', '--node', 'node1'],
  ['maps', 'endpoint', '--node', 'node2'],
  ['maps', 'policy', 'pod2', '--why'],
  ['maps', 'tunnel'],
  ['maps', 'calls'],
  ['maps', 'lb', '--scenario', 'services'],
  ['maps', 'ct', '--after', 'pod1 pod3 tcp/80'],
  ['maps', 'nat', '--node', 'node1', '--scenario', 'native', '--after', 'client 8.8.8.8 tcp/443'],
  ['validate', '-f', '@test/fixtures/validate/problems.yaml'],
  ['-f', '@scenarios/k8s/star-wars', 'tiefighter', 'svc:deathstar', 'tcp/80'],
  ['-f', '@scenarios/k8s/star-wars', 'xwing', 'svc:deathstar', 'tcp/80', '-o', 'json'],
  ['--help'],
  ['maps', '--help'],
  ['-f', '@test/fixtures/bad/several-problems.yaml', 'a', 'b'],
];

interface Variant {
  readonly name: string;
  readonly env: Record<string, string>;
  /** Working directory, relative to the package root. */
  readonly cwd: string;
}

const VARIANTS: readonly Variant[] = [
  { name: 'UTC, C locale, 40 columns, package root', env: { TZ: 'UTC', LANG: 'C', LC_ALL: 'C', COLUMNS: '40', LINES: '10' }, cwd: '.' },
  { name: 'Asia/Kolkata, de_DE.UTF-8, 200 columns, test/', env: { TZ: 'Asia/Kolkata', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', COLUMNS: '200', LINES: '80', TERM: 'xterm-256color' }, cwd: 'test' },
];

function argsFor(cmd: readonly string[], cwd: string): string[] {
  const up = cwd === '.' ? '' : `${cwd.split('/').map(() => '..').join('/')}/`;
  return cmd.map((a) => (a.startsWith('@') ? `${up}${a.slice(1)}` : a));
}

/** The bytes of a run, with relative input paths written back as given from the root. */
function spawnRun(cmd: readonly string[], v: Variant): Promise<string> {
  const base: Record<string, string> = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...argsFor(cmd, v.cwd)], { cwd: join(ROOT, v.cwd), env: { ...base, ...v.env }, encoding: 'buffer', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (err && typeof err.code !== 'number') return reject(err);
      const up = v.cwd === '.' ? '' : `${v.cwd.split('/').map(() => '..').join('/')}/`;
      const unprefix = (b: Buffer) => (up ? b.toString('latin1').split(up).join('') : b.toString('latin1'));
      resolve(`exit ${code}\n--- stdout\n${unprefix(stdout)}--- stderr\n${unprefix(stderr)}`);
    });
  });
}

async function inProcess(cmd: readonly string[]): Promise<string> {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const r = await runCli(argsFor(cmd, '.'), {});
    return `exit ${r.code}\n--- stdout\n${Buffer.from(r.stdout, 'utf8').toString('latin1')}--- stderr\n${Buffer.from(r.stderr, 'utf8').toString('latin1')}`;
  } finally {
    process.chdir(cwd);
  }
}

/** Runs `jobs` with at most `n` at a time. */
async function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await (jobs[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}

describe('byte-identical output', () => {
  it('the binary prints the same bytes under every environment, and the same as in-process', async () => {
    const jobs = COMMANDS.flatMap((cmd) => VARIANTS.map((v) => () => spawnRun(cmd, v)));
    const spawned = await pool(jobs, 4);
    for (let c = 0; c < COMMANDS.length; c++) {
      const cmd = COMMANDS[c] as readonly string[];
      const expected = await inProcess(cmd);
      assert.doesNotMatch(expected, /\u001b\[/, `colour without a terminal: ${cmd.join(' ')}`);
      for (let v = 0; v < VARIANTS.length; v++) {
        const got = spawned[c * VARIANTS.length + v] as string;
        assert.equal(got, expected, `cilium-trace ${cmd.join(' ')} differs under ${VARIANTS[v]?.name}`);
      }
    }
  });

  it('the same command twice in one process prints the same bytes', async () => {
    for (const cmd of COMMANDS.slice(0, 8)) assert.equal(await inProcess(cmd), await inProcess(cmd), cmd.join(' '));
  });
});
