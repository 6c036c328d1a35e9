// Renderers of the all-ports connectivity (ports-matrix.ts): one line per pair that allows
// something (`shop/frontend => shop/api : TCP 8080 (L7)`, as netpol-analyzer lists
// connections), CSV (one line per port range), Markdown, JSON and Graphviz dot. Pure and
// deterministic: rows in sorted order, destinations in the same order, then the Services.
import { csvField } from './table.js';
import type { Connectivity, ServicePortReach } from './ports-matrix.js';
import { formatPortSet, type PortSet } from './ports-set.js';

export interface ConnectionLine {
  readonly from: string;
  readonly to: string;
  readonly kind: 'pod' | 'host' | 'service';
  /** Pods: the set; a Service: its frontend ports reached. */
  readonly set?: PortSet;
  readonly reach?: readonly ServicePortReach[];
}

/** Every pair that allows something, in row order: destinations, then Services. */
export function* connectionLines(c: Connectivity): Generator<ConnectionLine> {
  const n = c.rows.length;
  for (let i = 0; i < n; i++) {
    const from = c.rows[i]?.label ?? '';
    for (let j = 0; j < n; j++) {
      const id = c.cells[i * n + j] ?? -1;
      const set = id < 0 ? undefined : c.sets[id];
      const to = c.rows[j];
      if (set && !set.empty && to) yield { from, to: to.label, kind: to.kind, set };
    }
    for (let k = 0; k < c.services.length; k++) {
      const reach = c.serviceCells[i * c.services.length + k] ?? [];
      if (reach.length > 0) yield { from, to: c.services[k]?.label ?? '', kind: 'service', reach };
    }
  }
}

/** `TCP 8080, UDP 53 (1 of 2 backends)`: each frontend port, how many backends when not all. */
export function formatReach(reach: readonly ServicePortReach[]): string {
  return reach.map((r) => `${r.proto} ${r.port}${r.l7 ? ' (L7)' : ''}${r.reached < r.total ? ` (${r.reached} of ${r.total} backends)` : ''}`).join(', ');
}

export function connectionText(l: ConnectionLine): string {
  return l.set ? formatPortSet(l.set) : formatReach(l.reach ?? []);
}

function hostLabels(c: Connectivity): string[] {
  return c.rows.filter((r) => r.kind === 'host').map((r) => r.label);
}

/** What the sets leave out, in words (text and Markdown footers). */
export function connectivityNotes(c: Connectivity, silent: number): string[] {
  const l7 = c.sets.some((s) => s.ranges.some((r) => r.l7)) || c.serviceCells.some((x) => x.some((r) => r.l7));
  const notes = [
    ...(l7 ? ['(L7): allowed to the proxy (Envoy, the DNS proxy), whose verdict depends on the request: trace one with --http or --dns-query'] : []),
    'ICMP types as the policy keys them (ENABLE_ICMP_RULE); a trace sends an echo request, type 8',
    ...(c.tunnelPorts.length > 0 ? [`UDP ${c.tunnelPorts.join(', ')}: a pod may not send to the tunnel port (is_encap: DROP_ENCAP_PROHIBITED)`] : []),
    `left out: ${silent} pair${silent === 1 ? '' : 's'} allowing nothing; a pod to its own address (the kernel's loopback, no BPF program); protocols other than TCP, UDP and ICMP (not simulated)`,
  ];
  const hosts = hostLabels(c);
  if (hosts.length > 0) notes.push(`hostNetwork pods (their node's address, no host firewall): ${hosts.join(', ')}`);
  const leftOut = [...c.serviceLeftOut].map((i) => c.rows[i]?.label ?? '');
  if (leftOut.length > 0) notes.push(`to Services from ${leftOut.join(', ')}: left out (no socket LB on their node: kube-proxy translates, which is not simulated)`);
  if (c.selfBackendLeftOut) notes.push("a pod connecting to a Service it backs, without socket LB: itself is not counted among the backends (lb4_local's loopback case is not simulated)");
  for (const [ip, ports] of c.nodePorts) {
    const who = c.rows.find((r) => r.ip === ip && r.kind === 'host');
    notes.push(`to ${who?.node ?? ip}'s address, the NodePorts ${ports.join(', ')} go to their Service: left out`);
  }
  return notes;
}

function header(c: Connectivity): string {
  const svc = c.services.length > 0 ? ` and ${c.services.length} Service${c.services.length === 1 ? '' : 's'}` : '';
  return `all ports: ${c.rows.length} source${c.rows.length === 1 ? '' : 's'} × ${c.rows.length} destination${c.rows.length === 1 ? '' : 's'}${svc}, Cilium ${c.release}: what the policy maps of both ends allow, as the datapath looks them up`;
}

export function renderConnectivityText(c: Connectivity): string {
  const out = [header(c)];
  let shown = 0;
  let pairs = 0;
  for (const l of connectionLines(c)) {
    out.push(`${l.from} => ${l.to} : ${connectionText(l)}`);
    if (l.kind !== 'service') shown++;
  }
  for (let i = 0; i < c.cells.length; i++) if ((c.cells[i] ?? -1) >= 0) pairs++;
  out.push('', ...connectivityNotes(c, pairs - shown));
  return out.join('\n') + '\n';
}

export const CONNECTIVITY_CSV_HEADER = 'from,to,proto,first,last,l7,backends';

/** One line per allowed port range (a Service: per frontend port, with reached/total backends). */
export function* connectivityCsvChunks(c: Connectivity): Generator<string> {
  yield `${CONNECTIVITY_CSV_HEADER}\n`;
  let chunk = '';
  for (const l of connectionLines(c)) {
    const pre = `${csvField(l.from)},${csvField(l.to)},`;
    if (l.set) for (const r of l.set.ranges) chunk += `${pre}${r.proto},${r.lo},${r.hi},${r.l7 ? 'yes' : 'no'},\n`;
    for (const r of l.reach ?? []) chunk += `${pre}${r.proto},${r.port},${r.port},${r.l7 ? 'yes' : 'no'},${r.reached}/${r.total}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

export function renderConnectivityCsv(c: Connectivity): string {
  return [...connectivityCsvChunks(c)].join('');
}

export function renderConnectivityMarkdown(c: Connectivity): string {
  const md = (s: string) => s.replace(/\|/g, '\\|');
  const out = [`**${md(header(c))}**`, '', '| from | to | connections |', '|---|---|---|'];
  let shown = 0;
  let pairs = 0;
  for (const l of connectionLines(c)) {
    out.push(`| \`${md(l.from)}\` | \`${md(l.to)}\` | ${md(connectionText(l))} |`);
    if (l.kind !== 'service') shown++;
  }
  for (let i = 0; i < c.cells.length; i++) if ((c.cells[i] ?? -1) >= 0) pairs++;
  out.push('', ...connectivityNotes(c, pairs - shown).map((n) => `- ${md(n)}`));
  return out.join('\n') + '\n';
}

export function connectivityToJson(c: Connectivity): unknown {
  const connections = [...connectionLines(c)].map((l) => ({
    from: l.from,
    to: l.to,
    kind: l.kind,
    text: connectionText(l),
    ...(l.set ? { ranges: l.set.ranges.map((r) => ({ proto: r.proto, first: r.lo, last: r.hi, l7: r.l7 })) } : {}),
    ...(l.reach ? { ports: l.reach.map((r) => ({ proto: r.proto, port: r.port, l7: r.l7, backendsReached: r.reached, backends: r.total })) } : {}),
  }));
  return {
    schema: 'cilium-trace/connectivity/v1',
    cluster: c.cluster,
    cilium: c.release,
    ends: c.rows.map((r) => ({ label: r.label, kind: r.kind, node: r.node })),
    services: c.services.map((s) => s.label),
    connections,
    stats: { pairs: c.stats.pairs, policyVerdictsComputed: c.stats.verdicts, distinctPairs: c.stats.distinctPairs },
  };
}

const dotId = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Graphviz: a node per end (a box per Service), an edge per pair that allows something, labelled with its set. */
export function renderConnectivityDot(c: Connectivity): string {
  const out = ['digraph connectivity {', `  label=${dotId(`${c.cluster}, Cilium ${c.release}: all ports`)};`, '  node [shape=ellipse];'];
  for (const r of c.rows) out.push(`  ${dotId(r.label)}${r.kind === 'host' ? ' [style=dashed]' : ''};`);
  for (const s of c.services) out.push(`  ${dotId(s.label)} [shape=box];`);
  for (const l of connectionLines(c)) out.push(`  ${dotId(l.from)} -> ${dotId(l.to)} [label=${dotId(connectionText(l))}];`);
  out.push('}');
  return out.join('\n') + '\n';
}
