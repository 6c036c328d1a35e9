// `cilium-trace SRC NAME PROTO`: the lookup leg, then the connection leg (src/trace/by-name.ts),
// rendered one after the other in every format; JSON puts both in one document.
import { oneLine, verdictExitCode } from '../errors.js';
import { parseIpv4, type Ipv4 } from '../net/ip.js';
import type { PLAIN } from '../render/style.js';
import type { Cluster } from '../controlplane/cluster.js';
import { dnsServerOf, traceByName } from '../trace/by-name.js';
import { traceFlow, type FlowSpec } from '../trace/run.js';
import type { TraceResult } from '../trace/tree.js';
import type { Io } from './io.js';
import { stdoutWriter, type TraceOpts } from './trace-cmd.js';

type Render = (r: TraceResult) => string;

export async function traceNamed(io: Io, cluster: Cluster, spec: FlowSpec, byName: { name: string; ips: readonly string[] }, opts: TraceOpts, style: typeof PLAIN, rendererOf: (o: TraceOpts, s: typeof PLAIN) => Promise<Render>): Promise<number> {
  const server = dnsServerOf(cluster);
  const ips = byName.ips.map((ip) => parseIpv4(ip) as Ipv4);
  if (!server) {
    // No DNS Service to send the query to: the connection alone, said so.
    io.stderr(oneLine(`cilium-trace: DST ${byName.name} is ${byName.ips[0]}, the first address of its answer; the cluster has no kube-system/kube-dns Service with udp/53, so the lookup is not traced and the connection runs over maps that learnt no DNS answer`) + '\n');
    const r = traceFlow(cluster, spec);
    io.stdout((await rendererOf(opts, style))(r));
    return verdictExitCode([r.verdict]);
  }
  const t = traceByName(cluster, spec, byName.name, ips, server, opts.reply === true);
  for (const note of t.notes) io.stderr(oneLine(`cilium-trace: ${note}`) + '\n');
  const verdicts = [t.lookup.verdict, ...(t.connection ? [t.connection.verdict] : []), ...(t.reply ? [t.reply.verdict] : [])];
  if (opts.output === 'json') {
    const { traceToJson } = await import('../render/json.js');
    const doc = {
      schema: 'cilium-trace/trace-by-name/v1',
      name: t.name,
      answers: byName.ips,
      dns_server: t.server.service,
      lookup: traceToJson(t.lookup),
      learned: t.learned ? { node: t.learned.node, endpoint: t.learned.endpoint, name: t.learned.name, ips: byName.ips } : null,
      connection: t.connection ? traceToJson(t.connection) : null,
      ...(opts.reply ? { reply: t.reply ? traceToJson(t.reply) : null } : {}),
      notes: t.notes,
    };
    io.stdout(JSON.stringify(doc, null, 2) + '\n');
    return verdictExitCode(verdicts);
  }
  if (opts.output === 'mermaid' || opts.output === 'dot' || opts.output === 'svg' || opts.output === 'markdown' || opts.output === 'html') {
    const what = opts.output === 'markdown' || opts.output === 'html' ? 'report' : 'diagram';
    io.stderr(`cilium-trace: the ${what} shows the ${t.connection ? 'connection' : 'lookup'} leg; the text and JSON outputs show both\n`);
    const [leg, reply] = [t.connection ?? t.lookup, t.connection ? t.reply : null];
    if (what === 'diagram') io.stdout(await (await import('../render/diagram-output.js')).renderDiagram(opts.output as 'mermaid' | 'dot' | 'svg', leg, reply));
    else io.stdout(await (await import('../render/report-output.js')).renderTraceReportAs(opts.output as 'markdown' | 'html', leg, opts.reply ? reply : undefined, { level: opts.level }));
    return verdictExitCode(verdicts);
  }
  const render = await rendererOf(opts, style);
  const text = opts.output === 'text';
  const out = await stdoutWriter(io, opts.output);
  if (text) out(`${style.bold('lookup:')} ${t.name} A from ${t.server.service} (udp/53)\n`);
  out(render(t.lookup));
  if (!t.connection) {
    if (text) out(`\nno connection: ${t.notes[0]}\n`);
    return verdictExitCode(verdicts);
  }
  const over = !t.learned ? ' (no DNS proxy saw the answer: the maps are unchanged)' : t.realMaps ? " (the sysdump's maps as dumped: the answer is not added)" : ` (the maps after the DNS proxy on ${t.learned.node} saw the answer)`;
  if (text) out(`\n${style.bold('connection:')} to ${byName.ips[0]}, the first address of the answer${over}\n`);
  out(render(t.connection));
  if (opts.reply) out(t.reply ? (text ? `\n${style.bold('reply:')}\n` : '') + render(t.reply) : (text ? '\nno reply: the connection was not delivered\n' : ''));
  return verdictExitCode(verdicts);
}
