// One matrix cell = one traceFlow, exactly what `cilium-trace SRC DST PROTO/PORT` runs.
// traceFlow also builds a view of every endpoint of the cluster for its result (O(pods) per
// trace); a cell needs only the verdict, so it runs on the same cluster with the endpoint
// list narrowed to the records the trace can name: the source and the destination (or the
// Service's backends). The datapath, identities and policies are the full cluster's, so
// the verdict and the drop are the same; test/analysis/matrix.test.ts checks it.
import type { Cluster, EndpointRecord } from '../controlplane/cluster.js';
import { DEFAULT_SPORT, traceFlow, type FlowSource } from '../trace/run.js';
import type { TraceResult } from '../trace/tree.js';
import type { MatrixEnd } from './matrix-keys.js';

export function flowSourceOf(e: MatrixEnd): FlowSource {
  return e.kind === 'pod' ? { kind: 'pod', ip: e.ip as FlowSource['ip'] } : { kind: 'host', node: e.node, ip: e.ip as FlowSource['ip'] };
}

export function traceCell(
  cluster: Cluster,
  byIp: ReadonlyMap<number, EndpointRecord>,
  src: MatrixEnd,
  dstIp: number,
  extra: readonly EndpointRecord[],
  proto: 'icmp' | 'tcp' | 'udp',
  dport: number | null,
): TraceResult {
  const named = new Set<EndpointRecord>(extra);
  for (const ip of [src.ip, dstIp]) {
    const ep = byIp.get(ip);
    if (ep) named.add(ep);
  }
  const view: Cluster = { ...cluster, endpoints: [...named] };
  return traceFlow(view, { src: flowSourceOf(src), dstIp: dstIp as FlowSource['ip'], proto, dport, sport: DEFAULT_SPORT, traceArp: false });
}
