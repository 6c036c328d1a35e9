// The shell's state and commands: a loaded cluster, one conntrack/NAT copy that every trace
// of the session runs on (so a trace and its reverse see each other's entries until
// `ct flush`), defaults set with `set`, and policy changes applied by rebuilding the
// cluster from the Scenario model. feed() takes one input line and never throws: a failing
// command prints its one-line error and the session goes on.
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { buildCluster, type Cluster } from '../controlplane/cluster.js';
import type { ClusterDatapath } from '../node-state/node.js';
import { InputError, UsageError } from '../errors.js';
import { ignoredInputsNote, loadScenario, skippedSummary, type ClusterOptions } from '../cli/cluster-source.js';
import { loadNotes } from '../scenario/load-notes.js';
import { mapsCommand } from '../cli/maps-cmd.js';
import { renderJson, traceToJson } from '../render/json.js';
import { renderMonitor } from '../render/monitor.js';
import { renderHubble } from '../render/hubble.js';
import type { Style } from '../render/style.js';
import { renderTrace } from '../render/text.js';
import type { Scenario } from '../scenario/types.js';
import { policyId } from '../scenario/policy-input.js';
import { traceFlow, traceWithReply, withConntrackCopy } from '../trace/run.js';
import type { TraceResult } from '../trace/tree.js';
import { explainText } from '../cli/commands/explain.js';
import { renderTopicList, traceExplainer } from '../explain/topics/index.js';
import { isDiagramFormat, renderDiagram } from '../render/diagram-output.js';
import { explainTopics } from './explain-source.js';
import { listIdentities, listNodes, listPods, listPolicies, listServices } from './shell-listings.js';
import { parsePolicies, policyLabel, withoutPolicy, withPolicies } from './shell-policy.js';
import { commandHelp, COMMANDS, helpText, usageOf } from './shell-help.js';
import { applySet, DEFAULT_SETTINGS } from './shell-settings.js';
import { findPods } from '../cli/pod-names.js';
import { parseMaps, parseTrace, type TraceDefaults, type Writers } from './shell-trace.js';
import { splitWords, type Word } from './shell-words.js';
import type { StepRun } from './step-cli.js';

export type Status = 'ok' | 'error' | 'internal';

export interface FeedResult {
  /** The line completed a command (or was empty or a comment): its status. */
  readonly status: Status | null;
  /** More input belongs to this command (inline YAML), so prompt for a continuation. */
  readonly more: boolean;
  readonly exit: boolean;
}

export interface SessionOptions {
  readonly cluster: ClusterOptions;
  readonly out: Writers;
  readonly style: Style;
  /** Runs the step UI for `trace --step`; absent when there is no terminal. */
  readonly step?: (run: StepRun) => Promise<void>;
  readonly debug?: boolean;
}

function countState(dp: ClusterDatapath): number {
  let n = 0;
  for (const node of dp.nodes.values()) n += node.maps.ctTcp.entries().length + node.maps.ctAny.entries().length + node.maps.nat.entries().length;
  return n;
}

export class ShellSession {
  private scenario: Scenario;
  private clusterValue: Cluster;
  private dp: ClusterDatapath;
  private settings: TraceDefaults = DEFAULT_SETTINGS;
  private inline: { lines: string[]; file: string } | null = null;
  private inlineCount = 0;
  private readonly out: Writers;
  private readonly style: Style;

  constructor(private readonly opts: SessionOptions) {
    this.out = opts.out;
    this.style = opts.style;
    this.scenario = this.loadReporting(opts.cluster);
    this.clusterValue = buildCluster(this.scenario);
    this.dp = withConntrackCopy(this.clusterValue.datapath);
  }

  get cluster(): Cluster {
    return this.clusterValue;
  }

  /** True while inline YAML is being read (the prompt shows a continuation). */
  get collecting(): boolean {
    return this.inline !== null;
  }

  describe(): string {
    const s = this.scenario;
    return `cluster ${s.name}: ${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'}, ${this.clusterValue.endpoints.length} pod${this.clusterValue.endpoints.length === 1 ? '' : 's'}, ${s.services.length} service${s.services.length === 1 ? '' : 's'}, ${s.policies.length} polic${s.policies.length === 1 ? 'y' : 'ies'}`;
  }

  private loadReporting(o: ClusterOptions): Scenario {
    if (o.file?.includes('-')) throw new UsageError('the shell reads its commands from standard input: -f - is not available here (give a file or directory)');
    const s = loadScenario(o);
    const ignored = ignoredInputsNote(s);
    if (ignored) this.out.stderr(ignored + '\n');
    for (const line of loadNotes(s)) this.out.stderr(line + '\n');
    const skipped = skippedSummary(s);
    if (skipped) this.out.stderr(skipped + '\n');
    return s;
  }

  /** One line of input. Never throws. */
  async feed(line: string): Promise<FeedResult> {
    if (this.inline) {
      if (line.trim() !== '') {
        this.inline.lines.push(line);
        return { status: null, more: true, exit: false };
      }
      return { status: this.finishInline(), more: false, exit: false };
    }
    let words: Word[];
    try {
      words = splitWords(line);
    } catch (e) {
      return { status: this.report(e), more: false, exit: false };
    }
    const [cmd, ...rest] = words;
    if (!cmd) return { status: null, more: false, exit: false };
    if (cmd.text === 'exit' || cmd.text === 'quit') return { status: 'ok', more: false, exit: true };
    try {
      const status = await this.run(cmd.text, rest);
      return { status, more: this.inline !== null, exit: false };
    } catch (e) {
      return { status: this.report(e), more: false, exit: false };
    }
  }

  /** End of input while inline YAML was being read: apply what came. */
  finishInput(): Status | null {
    return this.inline ? this.finishInline() : null;
  }

  /** Abandons inline YAML (Ctrl-C). */
  cancelInline(): boolean {
    const had = this.inline !== null;
    this.inline = null;
    return had;
  }

  private report(e: unknown): Status {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 'ok' : 'error'; // commander printed it
    }
    if (e instanceof InputError) {
      this.out.stderr(e.lines().join('\n') + '\n');
      return 'error';
    }
    if (e instanceof UsageError) {
      this.out.stderr(`error: ${e.message}\n`);
      return 'error';
    }
    const err = e instanceof Error ? e : new Error(String(e));
    this.out.stderr(`internal error: ${err.message} (please report this)\n`);
    if (this.opts.debug && err.stack) this.out.stderr(err.stack + '\n');
    return 'internal';
  }

  private print(s: string): void {
    this.out.stdout(s.endsWith('\n') ? s : s + '\n');
  }

  private async run(name: string, args: Word[]): Promise<Status> {
    const texts = args.map((a) => a.text);
    const noArgs = () => { if (texts.length > 0) throw new UsageError(`${name} takes no arguments (got '${texts.join(' ')}')`); };
    switch (name) {
      case 'trace': return this.trace(args);
      case 'maps': {
        const req = parseMaps(args, this.out);
        if (req) this.out.stdout(mapsCommand({ ...this.clusterValue, datapath: this.dp }, req.map, req.target, req.node, req.why, req.after));
        return 'ok';
      }
      case 'pods': noArgs(); this.print(listPods(this.clusterValue)); return 'ok';
      case 'nodes': noArgs(); this.print(listNodes(this.clusterValue)); return 'ok';
      case 'services': noArgs(); this.print(listServices(this.clusterValue)); return 'ok';
      case 'identities': noArgs(); this.print(listIdentities(this.clusterValue)); return 'ok';
      case 'policies': noArgs(); this.print(listPolicies(this.clusterValue)); return 'ok';
      case 'policy': return this.policy(texts);
      case 'ct': {
        if (texts.length !== 1 || texts[0] !== 'flush') throw new UsageError(usageOf('ct'));
        const n = countState(this.dp);
        this.dp = withConntrackCopy(this.clusterValue.datapath);
        this.print(`conntrack and NAT maps emptied on every node (${n} entr${n === 1 ? 'y' : 'ies'} removed)`);
        return 'ok';
      }
      case 'set': return this.set(texts);
      case 'explain': return this.explain(texts);
      case 'load': return this.load(texts);
      case 'help': return this.help(texts);
      default: throw new UsageError(`unknown command '${name}' (expected one of: ${Object.keys(COMMANDS).join(', ')})`);
    }
  }

  private async trace(args: Word[]): Promise<Status> {
    const req = parseTrace(this.clusterValue, args, this.settings, this.out);
    if (!req) return 'ok';
    if (req.step && !this.opts.step) throw new UsageError('--step needs a terminal: this shell is reading a script');
    if (req.step && req.output !== 'text') throw new UsageError(`--step shows the text trace; it does not go with -o ${req.output}`);
    const c = this.clusterValue;
    const { forward, reply } = req.reply ? traceWithReply(c, req.spec, this.dp) : { forward: traceFlow(c, req.spec, this.dp), reply: null };
    const fwd = this.shellNotes(forward);
    const rep = reply ? this.shellNotes(reply) : null;
    if (req.step && this.opts.step) {
      await this.opts.step({ cluster: c, datapath: this.dp, forward: fwd, ...(req.reply ? { reply: rep } : {}), level: req.level, style: this.style });
      return 'ok';
    }
    const render = (r: TraceResult): string => (req.output === 'json' ? renderJson(r) : req.output === 'monitor' ? renderMonitor(r) : req.output === 'hubble' ? renderHubble(r) : renderTrace(r, req.level, this.style, req.explain ? traceExplainer() : undefined));
    if (isDiagramFormat(req.output)) {
      this.out.stdout(await renderDiagram(req.output, fwd, req.reply ? rep : null));
      return 'ok';
    }
    if (req.reply && req.output === 'json') {
      this.print(JSON.stringify({ schema: 'cilium-trace/trace-with-reply/v1', forward: traceToJson(fwd), reply: rep ? traceToJson(rep) : null }, null, 2));
      return 'ok';
    }
    this.out.stdout(render(fwd));
    if (req.reply) this.out.stdout(rep ? (req.output === 'text' ? `\n${this.style.bold('reply:')}\n` : '') + render(rep) : (req.output === 'text' ? '\nno reply: the forward packet was not delivered\n' : ''));
    return 'ok';
  }

  /** The CLI's note says the CT maps start empty; here they hold what earlier traces wrote. */
  private shellNotes(r: TraceResult): TraceResult {
    const notes = r.context.notes.map((n) => (n.startsWith('ct: new (default') ? "ct: looked up in this shell's conntrack maps (kept across traces; ct flush empties them)" : n));
    return { ...r, context: { ...r.context, notes } };
  }

  private rebuild(next: Scenario): void {
    const cluster = buildCluster(next);
    // Conntrack survives a policy change, as in a real cluster: established flows stay
    // established, and the datapath checks the new policy on their next packet.
    const nodes = new Map([...cluster.datapath.nodes].map(([name, n]) => {
      const old = this.dp.nodes.get(name);
      return [name, old ? { ...n, maps: { ...n.maps, ctTcp: old.maps.ctTcp, ctAny: old.maps.ctAny, nat: old.maps.nat, ...(old.maps.nfConntrack ? { nfConntrack: old.maps.nfConntrack } : {}) } } : n] as const;
    }));
    this.dp = withConntrackCopy({ release: cluster.datapath.release, nodes, nodeByIp: cluster.datapath.nodeByIp });
    this.scenario = next;
    this.clusterValue = cluster;
  }

  private policy(args: string[]): Status {
    const [sub, ...rest] = args;
    if (sub === 'add' && rest.length === 0) {
      this.inlineCount++;
      this.inline = { lines: [], file: `<inline ${this.inlineCount}>` };
      return 'ok';
    }
    if (sub === 'add') {
      const texts = rest.map((path) => {
        try {
          return { file: path, text: readFileSync(path, 'utf8') };
        } catch (e) {
          const code = e instanceof Error && 'code' in e ? String(e.code) : '';
          throw new UsageError(`cannot read ${path} (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code || String(e)})`);
        }
      });
      this.addPolicies(texts);
      return 'ok';
    }
    if (sub === 'remove' && rest.length === 1) {
      const { scenario, removed } = withoutPolicy(this.scenario, rest[0] as string);
      this.rebuild(scenario);
      this.print(`removed ${policyLabel(removed)} (from ${removed.pos.file}:${removed.pos.line}); ${this.scenario.policies.length} polic${this.scenario.policies.length === 1 ? 'y' : 'ies'} in force`);
      return 'ok';
    }
    if (sub === undefined) { this.print(listPolicies(this.clusterValue)); return 'ok'; }
    throw new UsageError(usageOf('policy'));
  }

  private addPolicies(inputs: ReadonlyArray<{ file: string; text: string }>): void {
    const warnings: string[] = [];
    const added = inputs.flatMap((i) => parsePolicies(i.text, i.file, warnings));
    this.rebuild(withPolicies(this.scenario, added));
    for (const w of warnings) this.out.stderr(w + '\n');
    const n = this.scenario.policies.length;
    for (const p of added) this.print(`added ${policyLabel(p)} (${p.pos.file}:${p.pos.line})`);
    this.print(`${n} polic${n === 1 ? 'y' : 'ies'} in force; conntrack entries kept (ct flush to start over)`);
  }

  private finishInline(): Status {
    const inline = this.inline;
    this.inline = null;
    if (!inline || inline.lines.length === 0) {
      this.out.stderr('error: policy add: no YAML given (write the policy after `policy add`, then an empty line)\n');
      return 'error';
    }
    try {
      this.addPolicies([{ file: inline.file, text: inline.lines.join('\n') + '\n' }]);
      return 'ok';
    } catch (e) {
      return this.report(e);
    }
  }

  private set(args: string[]): Status {
    const r = applySet(this.settings, args, (t) => {
      const m = findPods(this.cluster, t);
      return m !== undefined && !('problem' in m);
    });
    this.settings = r.settings;
    this.print(r.text);
    return 'ok';
  }

  private explain(args: string[]): Status {
    // The same command as `cilium-trace explain`: one topic, or --list (also: no topic).
    const query = args.join(' ');
    if (query === '' || query === '--list') {
      this.out.stdout(renderTopicList());
      return 'ok';
    }
    this.out.stdout(explainText(query));
    return 'ok';
  }

  private load(args: string[]): Status {
    const file: string[] = [];
    let scenario: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      const v = args[i + 1];
      if ((a === '-f' || a === '--file') && v !== undefined) { file.push(v); i++; }
      else if (a === '--scenario' && v !== undefined) { scenario = v; i++; }
      else if (a.startsWith('--file=')) file.push(a.slice(7));
      else if (a.startsWith('--scenario=')) scenario = a.slice(11);
      else throw new UsageError(usageOf('load'));
    }
    const next = this.loadReporting({ ...(file.length > 0 ? { file } : {}), ...(scenario !== undefined ? { scenario } : {}) });
    const cluster = buildCluster(next);
    this.scenario = next;
    this.clusterValue = cluster;
    this.dp = withConntrackCopy(cluster.datapath);
    this.print(`loaded ${this.describe()}; conntrack empty`);
    return 'ok';
  }

  private help(args: string[]): Status {
    const [topic] = args;
    if (topic === 'trace') return this.report(this.helpOf(() => parseTrace(this.clusterValue, [{ text: '--help', col: 1 }], this.settings, this.out)));
    if (topic === 'maps') return this.report(this.helpOf(() => parseMaps([{ text: '--help', col: 1 }], this.out)));
    const text = topic === undefined ? helpText() : commandHelp(topic);
    if (text === undefined) throw new UsageError(`no command '${topic}' (expected one of: ${Object.keys(COMMANDS).join(', ')})`);
    this.print(text);
    return 'ok';
  }

  private helpOf(f: () => unknown): unknown {
    try {
      f();
      return new CommanderError(0, 'commander.helpDisplayed', '');
    } catch (e) {
      return e;
    }
  }

  /** Names for completion. */
  completionWords(): { pods: string[]; services: string[]; nodes: string[]; policies: string[]; topics: readonly string[] } {
    const c = this.clusterValue;
    const pods = [...c.endpoints.map((e) => e.pod), ...c.hostNetworkPods.map((h) => h.pod)];
    return {
      pods: [...new Set([...pods.map((p) => p.name), ...pods.map((p) => `${p.namespace}/${p.name}`)])].sort(),
      services: this.scenario.services.map((s) => `svc:${s.namespace}/${s.name}`).sort(),
      nodes: this.scenario.nodes.map((n) => n.name).sort(),
      policies: this.scenario.policies.map((p) => policyId(p)).sort(),
      topics: explainTopics(),
    };
  }
}
