// The connectivity matrix: every source pod × every destination pod (and, on request,
// every Service port), one section per protocol/port, each cell the verdict traceFlow
// gives for that flow. Cells whose cache key (matrix-keys.ts) is equal are traced once.
import type { Cluster, EndpointRecord } from '../controlplane/cluster.js';
import { serviceFrontends } from '../controlplane/services.js';
import type { ServicePort, ServiceSpec } from '../scenario/types.js';
import { cellOutcome, type CellOutcome } from './outcome.js';
import { EndKeys, type Keying, type MatrixEnd } from './matrix-keys.js';
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
  /** Called as cells are keyed, a row at a time (for a progress indicator on large matrices). */
  readonly cellProgress?: (done: number, total: number) => void;
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
  /** The backend the datapath picks (slot 1, the default), when it is an endpoint. */
  readonly chosen: EndpointRecord | undefined;
}

function serviceColumns(cluster: Cluster, f: MatrixFilter, byIp: ReadonlyMap<number, EndpointRecord>): ServiceColumn[] {
  const out: ServiceColumn[] = [];
  for (const fe of serviceFrontends(cluster.scenario)) {
    if (fe.nodePort || (f.namespaces.length > 0 && !f.namespaces.includes(fe.service.namespace))) continue;
    const backends = fe.backends.flatMap((b) => byIp.get(b.ip) ?? []);
    const first = fe.backends[0];
    out.push({ svc: fe.service, port: fe.port, ip: fe.address, backends, chosen: first ? byIp.get(first.ip) : undefined });
  }
  return out;
}

/**
 * Fills one section: keys first (cheap), then one trace per distinct key. A representative
 * is the first cell of its key (row-major), so outcomes are numbered in first-cell order
 * whatever the keying.
 */
class SectionBuilder {
  private readonly keyIndex = new Map<string, number>();
  readonly repRow: number[] = [];
  readonly repCol: number[] = [];
  readonly cellKeys: Int32Array;

  constructor(size: number) {
    this.cellKeys = new Int32Array(size);
  }

  /** The representative of `key`, made from cell (row, col) if new. */
  rep(key: string, row: number, col: number): number {
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.repRow.length;
      this.keyIndex.set(key, k);
      this.repRow.push(row);
      this.repCol.push(col);
    }
    return k;
  }
}

/** Fine key (class × class × relation) → representative: dense while small, else a Map. */
class FineMemo {
  private readonly dense: Int32Array | null;
  private readonly sparse = new Map<number, number>();

  constructor(size: number) {
    this.dense = size <= 1 << 22 ? new Int32Array(size).fill(-1) : null;
  }

  get(k: number): number {
    return this.dense ? (this.dense[k] ?? -1) : (this.sparse.get(k) ?? -1);
  }

  set(k: number, v: number): void {
    if (this.dense) this.dense[k] = v;
    else this.sparse.set(k, v);
  }
}

export function computeMatrix(cluster: Cluster, opts: MatrixOptions): Matrix {
  const rows = matrixEnds(cluster, opts);
  const n = rows.length;
  const byIp = new Map<number, EndpointRecord>(cluster.endpoints.map((e) => [e.pod.ip, e]));
  const keys = new EndKeys(cluster, opts.keying);
  const cls = Int32Array.from(rows, (r) => keys.classOf(r));
  const nClasses = cls.reduce((m, c) => Math.max(m, c + 1), 1);
  const nodeIds = new Map<string, number>();
  const nodeOf = Int32Array.from(rows, (r) => {
    let id = nodeIds.get(r.node);
    if (id === undefined) nodeIds.set(r.node, (id = nodeIds.size));
    return id;
  });
  const svcCols = opts.services ? serviceColumns(cluster, opts, byIp) : [];
  const builders: Array<{ title: string; columns: MatrixColumn[]; b: SectionBuilder; trace: (row: number, col: number) => CellOutcome }> = [];

  const totalCells = n * (n * opts.ports.length + svcCols.length);
  let keyed = 0;
  for (const p of opts.ports) {
    const columns = rows.map((r, i): MatrixColumn => ({ n: i + 1, label: r.label, kind: r.kind, ip: r.ip, proto: p.proto, port: p.port }));
    const b = new SectionBuilder(n * n);
    const memo = new FineMemo(nClasses * nClasses * 3);
    const frontend = rows.map((r) => keys.frontendBackends(r.ip, p.port));
    for (let i = 0; i < n; i++) {
      const src = rows[i] as MatrixEnd;
      const ci = cls[i] as number;
      const ni = nodeOf[i] as number;
      const base = ci * nClasses;
      for (let j = 0; j < n; j++) {
        const dst = rows[j] as MatrixEnd;
        const rel = src.ip === dst.ip ? 0 : ni === nodeOf[j] ? 1 : 2;
        const fe = frontend[j];
        if (fe !== undefined) {
          b.cellKeys[i * n + j] = b.rep(`s|${ci}|${src.node}|${dst.ip}|${rel}|${fe.has(src.ip) ? src.ip : ''}`, i, j);
          continue;
        }
        const fine = (base + (cls[j] as number)) * 3 + rel;
        let k = memo.get(fine);
        if (k < 0) memo.set(fine, (k = b.rep(keys.pairKey(ci, cls[j] as number, rel), i, j)));
        b.cellKeys[i * n + j] = k;
      }
      opts.cellProgress?.((keyed += n), totalCells);
    }
    const trace = (row: number, col: number) => cellOutcome(traceCell(cluster, byIp, rows[row] as MatrixEnd, rows[col]?.ip ?? 0, [], p.proto, p.port));
    builders.push({ title: portText(p), columns, b, trace });
  }
  if (svcCols.length > 0) {
    const columns = svcCols.map((s, i): MatrixColumn => {
      const proto = s.port.protocol === 'UDP' ? 'udp' : 'tcp';
      return { n: n + i + 1, label: `svc:${s.svc.namespace}/${s.svc.name} ${proto}/${s.port.port}`, kind: 'service', ip: s.ip, proto, port: s.port.port };
    });
    const b = new SectionBuilder(n * svcCols.length);
    const backendIps = svcCols.map((s) => new Set(s.backends.map((e) => e.pod.ip)));
    // The chosen backend as a matrix end: a cell is then keyed as the pod → pod cell from
    // the source to it, when pairKey can describe both by their policy slices.
    const chosen = svcCols.map((s) => {
      const e = s.chosen;
      if (e === undefined || opts.keying === 'none') return undefined;
      const end: MatrixEnd = { label: `${e.pod.namespace}/${e.pod.name}`, kind: 'pod', ip: e.pod.ip, node: e.node.name, endpointId: e.pod.endpointId, identity: e.identity };
      return { end, cls: keys.classOf(end) };
    });
    const memo = new Map<string, string>();
    rows.forEach((src, i) => {
      svcCols.forEach((_, j) => {
        const to = chosen[j];
        let key: string | undefined;
        if (to !== undefined) {
          const rel = src.ip === to.end.ip ? 0 : src.node === to.end.node ? 1 : 2;
          const fine = `${cls[i]}|${to.cls}|${rel}`;
          let pair = memo.get(fine);
          if (pair === undefined) memo.set(fine, (pair = keys.pairKey(cls[i] as number, to.cls, rel)));
          if (pair.startsWith('p|')) key = `v|${j}|${pair}`;
        }
        if (key === undefined) {
          const isBackend = backendIps[j]?.has(src.ip) === true;
          key = opts.keying === 'none' ? `${i}|${j}` : `${cls[i]}|${src.node}|${j}|${isBackend ? src.ip : ''}`;
        }
        b.cellKeys[i * svcCols.length + j] = b.rep(key, i, j);
      });
      opts.cellProgress?.((keyed += svcCols.length), totalCells);
    });
    const trace = (row: number, col: number) => {
      const s = svcCols[col] as ServiceColumn;
      const c = columns[col] as MatrixColumn;
      return cellOutcome(traceCell(cluster, byIp, rows[row] as MatrixEnd, s.ip, s.backends, c.proto, c.port));
    };
    builders.push({ title: 'services', columns, b, trace });
  }

  const total = builders.reduce((t, s) => t + s.b.repRow.length, 0);
  const outcomeIds = new Map<string, number>();
  const outcomes: CellOutcome[] = [];
  let done = 0;
  const sections = builders.map(({ title, columns, b, trace }): MatrixSection => {
    const ids = b.repRow.map((row, r) => {
      const o = trace(row, b.repCol[r] ?? 0);
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
  const cells = sections.reduce((t, s) => t + s.cells.length, 0);
  return { cluster: cluster.scenario.name, rows, sections, outcomes, stats: { cells, traces: total, nodesAbstracted: keys.nodesAbstracted } };
}
