// The connectivity matrix: every source pod × every destination pod (and, on request,
// every Service port), one section per protocol/port, each cell the verdict traceFlow
// gives for that flow. Cells whose cache key (matrix-keys.ts) is equal are traced once.
import type { Cluster, EndpointRecord } from '../controlplane/cluster.js';
import { serviceFrontends } from '../controlplane/services.js';
import type { ServicePort, ServiceSpec } from '../scenario/types.js';
import { cellOutcome, type CellOutcome } from './outcome.js';
import { EndKeys, relation, type Keying, type MatrixEnd } from './matrix-keys.js';
import { traceCell } from './matrix-trace.js';

export type { MatrixEnd } from './matrix-keys.js';

/** A protocol and destination port: icmp, tcp/80, udp/53. */
export interface PortSpec {
  readonly proto: 'icmp' | 'tcp' | 'udp';
  readonly port: number | null;
}

export function portText(p: PortSpec): string {
  return p.port === null ? p.proto : `${p.proto}/${p.port}`;
}

export interface MatrixFilter {
  /** Keep pods (and Services) of these namespaces; empty = all. */
  readonly namespaces: readonly string[];
  /** Keep pods carrying every one of these labels (key=value). */
  readonly selectors: ReadonlyArray<readonly [string, string]>;
}

export interface MatrixOptions extends MatrixFilter {
  readonly ports: readonly PortSpec[];
  readonly services: boolean;
  readonly keying: Keying;
  /** Called as distinct flows are traced (for a progress indicator). */
  readonly progress?: (done: number, total: number) => void;
}

export interface MatrixColumn {
  readonly n: number; // 1-based, shared by all sections: pods first, then Service ports
  readonly label: string;
  readonly kind: 'pod' | 'host' | 'service';
  /** The destination address: the pod's, the node's (hostNetwork), the ClusterIP. */
  readonly ip: number;
  readonly proto: PortSpec['proto'];
  readonly port: number | null;
}

export interface MatrixSection {
  readonly title: string; // "tcp/80", or "services"
  readonly columns: readonly MatrixColumn[];
  /** rows × columns, row-major: an index into Matrix.outcomes. */
  readonly cells: Uint32Array;
}

export interface Matrix {
  readonly cluster: string;
  readonly rows: readonly MatrixEnd[];
  readonly sections: readonly MatrixSection[];
  readonly outcomes: readonly CellOutcome[];
  readonly stats: { readonly cells: number; readonly traces: number; readonly nodesAbstracted: boolean };
}

export function cellAt(m: Matrix, s: MatrixSection, row: number, col: number): CellOutcome {
  return m.outcomes[s.cells[row * s.columns.length + col] ?? 0] as CellOutcome;
}

function keep(f: MatrixFilter, ns: string, labels: Readonly<Record<string, string>>): boolean {
  return (f.namespaces.length === 0 || f.namespaces.includes(ns)) && f.selectors.every(([k, v]) => labels[k] === v);
}

/** Pods (endpoints) and hostNetwork pods, filtered, sorted by namespace/name. */
export function matrixEnds(cluster: Cluster, f: MatrixFilter): MatrixEnd[] {
  const pods: MatrixEnd[] = cluster.endpoints.filter((e) => keep(f, e.pod.namespace, e.pod.labels)).map((e) => ({ label: `${e.pod.namespace}/${e.pod.name}`, kind: 'pod', ip: e.pod.ip, node: e.node.name, endpointId: e.pod.endpointId, identity: e.identity }));
  const hosts: MatrixEnd[] = cluster.hostNetworkPods.filter((h) => keep(f, h.pod.namespace, h.pod.labels)).map((h) => ({ label: `${h.pod.namespace}/${h.pod.name}`, kind: 'host', ip: h.node.ip, node: h.node.name, endpointId: null, identity: null }));
  return [...pods, ...hosts].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

interface ServiceColumn {
  readonly svc: ServiceSpec;
  readonly port: ServicePort;
  readonly ip: number;
  readonly backends: readonly EndpointRecord[];
}

function serviceColumns(cluster: Cluster, f: MatrixFilter, byIp: ReadonlyMap<number, EndpointRecord>): ServiceColumn[] {
  const out: ServiceColumn[] = [];
  for (const fe of serviceFrontends(cluster.scenario)) {
    if (fe.nodePort || (f.namespaces.length > 0 && !f.namespaces.includes(fe.service.namespace))) continue;
    const backends = fe.backends.flatMap((b) => byIp.get(b.pod.ip) ?? []);
    out.push({ svc: fe.service, port: fe.port, ip: fe.address, backends });
  }
  return out;
}

/** Fills one section: keys first (cheap), then one trace per distinct key. */
class SectionBuilder {
  private readonly keyIndex = new Map<number | string, number>();
  readonly reps: Array<() => CellOutcome> = [];
  readonly cellKeys: Int32Array;

  constructor(size: number) {
    this.cellKeys = new Int32Array(size);
  }

  add(cell: number, key: number | string, trace: () => CellOutcome): void {
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.reps.length;
      this.keyIndex.set(key, k);
      this.reps.push(trace);
    }
    this.cellKeys[cell] = k;
  }
}

const RELATION_CODE = { self: 0, 'same-node': 1, 'other-node': 2 } as const;

export function computeMatrix(cluster: Cluster, opts: MatrixOptions): Matrix {
  const rows = matrixEnds(cluster, opts);
  const byIp = new Map<number, EndpointRecord>(cluster.endpoints.map((e) => [e.pod.ip, e]));
  const keys = new EndKeys(cluster, opts.keying);
  const cls = rows.map((r) => keys.classOf(r));
  const nClasses = Math.max(1, ...cls.map((c) => c + 1));
  const svcCols = opts.services ? serviceColumns(cluster, opts, byIp) : [];
  const builders: Array<{ title: string; columns: MatrixColumn[]; b: SectionBuilder }> = [];

  for (const p of opts.ports) {
    const columns = rows.map((r, i): MatrixColumn => ({ n: i + 1, label: r.label, kind: r.kind, ip: r.ip, proto: p.proto, port: p.port }));
    const b = new SectionBuilder(rows.length * rows.length);
    rows.forEach((src, i) => {
      rows.forEach((dst, j) => {
        const key = ((cls[i] as number) * nClasses + (cls[j] as number)) * 3 + RELATION_CODE[relation(src, dst)];
        b.add(i * rows.length + j, key, () => cellOutcome(traceCell(cluster, byIp, src, dst.ip, [], p.proto, p.port)));
      });
    });
    builders.push({ title: portText(p), columns, b });
  }
  if (svcCols.length > 0) {
    const columns = svcCols.map((s, i): MatrixColumn => {
      const proto = s.port.protocol === 'UDP' ? 'udp' : 'tcp';
      return { n: rows.length + i + 1, label: `svc:${s.svc.namespace}/${s.svc.name} ${proto}/${s.port.port}`, kind: 'service', ip: s.ip, proto, port: s.port.port };
    });
    const b = new SectionBuilder(rows.length * svcCols.length);
    rows.forEach((src, i) => {
      svcCols.forEach((s, j) => {
        const col = columns[j] as MatrixColumn;
        const isBackend = s.backends.some((e) => e.pod.ip === src.ip);
        const key = opts.keying === 'none' ? `${i}|${j}` : `${cls[i]}|${src.node}|${j}|${isBackend ? src.ip : ''}`;
        b.add(i * svcCols.length + j, key, () => cellOutcome(traceCell(cluster, byIp, src, s.ip, s.backends, col.proto, col.port)));
      });
    });
    builders.push({ title: 'services', columns, b });
  }

  const total = builders.reduce((n, s) => n + s.b.reps.length, 0);
  const outcomeIds = new Map<string, number>();
  const outcomes: CellOutcome[] = [];
  let done = 0;
  const sections = builders.map(({ title, columns, b }): MatrixSection => {
    const ids = b.reps.map((trace) => {
      const o = trace();
      opts.progress?.(++done, total);
      const k = JSON.stringify(o);
      let id = outcomeIds.get(k);
      if (id === undefined) outcomeIds.set(k, (id = outcomes.push(o) - 1));
      return id;
    });
    const cells = new Uint32Array(b.cellKeys.length);
    for (let i = 0; i < cells.length; i++) cells[i] = ids[b.cellKeys[i] ?? 0] ?? 0;
    return { title, columns, cells };
  });
  const cells = sections.reduce((n, s) => n + s.cells.length, 0);
  return { cluster: cluster.scenario.name, rows, sections, outcomes, stats: { cells, traces: total, nodesAbstracted: keys.nodesAbstracted } };
}
