// A real terminal for the interactive tests: a detached tmux session on a private socket
// (no user config), driven with send-keys and read with capture-pane. Tests skip with a
// clear message when tmux is not installed.
import { spawnSync } from 'node:child_process';
import { ROOT } from '../../support/run-cli.js';

export const TMUX_MISSING = 'tmux is not installed (apt-get install tmux): the real-terminal tests of --step and shell are skipped';

export function tmuxAvailable(): boolean {
  const r = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TmuxSession {
  private readonly socket: string;

  constructor(name: string) {
    this.socket = `cilium-trace-test-${process.pid}-${name}`;
  }

  private tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Starts `command` (run by sh in the package root) in a columns × rows terminal; the pane stays after it exits and prints [exit N]. */
  start(command: string, columns = 120, rows = 40): void {
    const sh = `cd '${ROOT}' && ${command}; echo "[exit $?]"; sleep 600`;
    this.tmux('new-session', '-d', '-s', 'main', '-x', String(columns), '-y', String(rows), '-e', 'NO_COLOR=', '-e', 'LANG=C.UTF-8', sh);
  }

  /** Keys as tmux names them (Enter, Tab, Up, C-c, q). */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }

  /** Literal text (no key-name lookup). */
  type(text: string): void {
    this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  /** The visible screen (with scrollback lines when `history`). */
  screen(history = false): string {
    return this.tmux('capture-pane', '-p', '-t', 'main', ...(history ? ['-S', '-2000'] : []));
  }

  /** Polls the screen until `re` matches; throws with the screen on timeout. */
  async waitFor(re: RegExp, history = false, timeoutMs = 20000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let s = '';
    while (Date.now() < end) {
      s = this.screen(history);
      if (re.test(s)) return s;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${re} on the screen:\n${s}`);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}
