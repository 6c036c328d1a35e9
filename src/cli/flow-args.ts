// SRC DST [PROTO] and --backend, resolved together as the trace command and the shell take
// them: the destination first (a Service defaults the protocol and port), then the source,
// then the backend among the Service's. What the user should know before reading the trace
// (a Service port that does not exist, which pod a workload name stood for) comes back as
// notes, the port first.
import { UsageError } from '../errors.js';
import type { Cluster } from '../controlplane/cluster.js';
import { resolveTargetPort, serviceFrontends, type ServiceFrontend } from '../controlplane/services.js';
import { formatIpv4, parseIpv4, type Ipv4 } from '../net/ip.js';
import type { ServiceSpec } from '../scenario/types.js';
import type { FlowSource } from '../trace/run.js';
import { parseProto, resolveDestination, resolveSource, type ArgPos, type Destination } from './endpoints.js';
import { findPods } from './pod-names.js';

type Proto = 'icmp' | 'tcp' | 'udp';

export interface FlowArgs {
  readonly src: ArgPos;
  readonly dst: ArgPos;
  readonly proto?: ArgPos | undefined;
  /** --backend as typed: a backend's IP[:PORT], or a pod name form that resolves to a backend. */
  readonly backend?: string | undefined;
  /** The shell's `set backend`: used only when the destination is a Service port. */
  readonly defaultBackend?: string | undefined;
}

export interface ResolvedArgs {
  readonly src: FlowSource;
  readonly dst: Destination;
  readonly proto: Proto;
  readonly dport: number | null;
  readonly backend?: { readonly ip: number; readonly port?: number };
  readonly notes: readonly string[];
}

/** The protocol as given, else a Service's first port, else ICMP. */
export function protoOf(dst: Destination, given: ArgPos | undefined): { proto: Proto; dport: number | null } {
  const first = dst.service?.ports[0];
  if (given === undefined && first !== undefined) return { proto: first.protocol === 'UDP' ? 'udp' : 'tcp', dport: first.port };
  return parseProto(given);
}

/** "80/TCP → targetPort http=8080": a named target port as the Service's first backend resolves it. */
function portsText(cluster: Cluster, svc: ServiceSpec): string {
  const sel = svc.selector;
  const backend = sel ? cluster.scenario.pods.find((p) => p.namespace === svc.namespace && Object.entries(sel).every(([k, v]) => p.labels[k] === v)) : undefined;
  return svc.ports.map((p) => {
    const resolved = typeof p.targetPort === 'string' && backend ? resolveTargetPort(p, backend) : undefined;
    const target = resolved === undefined ? String(p.targetPort) : `${p.targetPort}=${resolved}`;
    return `${p.port}/${p.protocol} → targetPort ${target}`;
  }).join(', ') || 'none';
}

/**
 * The note for a Service traced on a port it does not expose (given as svc:NAME or as its
 * ClusterIP): the datapath treats that as no Service at all, which reads like a policy problem.
 */
export function servicePortNote(cluster: Cluster, dst: Destination, proto: Proto, dport: number | null): string | undefined {
  const svc = dst.service ?? cluster.scenario.services.find((s) => s.clusterIP !== undefined && s.clusterIP === dst.ip);
  if (!svc || svc.ports.some((p) => p.port === dport && p.protocol === proto.toUpperCase())) return undefined;
  const what = dport === null ? 'ICMP port' : svc.ports.some((p) => p.port === dport) ? `port ${dport}/${proto.toUpperCase()}` : `port ${dport}`;
  return `svc ${svc.namespace}/${svc.name} has no ${what}; it has ${portsText(cluster, svc)}`;
}

function frontendText(fe: ServiceFrontend): string {
  const port = `${fe.port.port}/${fe.port.protocol}`;
  return `svc ${fe.service.namespace}/${fe.service.name} ${fe.nodePort ? `NodePort ${fe.dport}/${fe.port.protocol} on ${formatIpv4(fe.address)}` : `port ${port}`}`;
}

function backendList(fe: ServiceFrontend): string {
  const all = fe.backends.map((b) => `${formatIpv4(b.ip)}:${b.port} (${b.pod ? `${b.pod.namespace}/${b.pod.name}` : b.what})`);
  return all.length <= 10 ? all.join(', ') : `${all.slice(0, 10).join(', ')} and ${all.length - 10} more`;
}

/**
 * --backend: one of the frontend's backends, by IP[:PORT] or by a name that stands for a
 * backend pod (pod, workload, label selector: the first of its pods that is a backend).
 * Anything else is refused with the list of backends.
 */
function frontendOf(cluster: Cluster, dstIp: Ipv4, proto: Proto, dport: number | null): ServiceFrontend | undefined {
  return serviceFrontends(cluster.scenario).find((f) => f.address === dstIp && f.dport === dport && f.port.protocol === proto.toUpperCase());
}

export function resolveBackend(cluster: Cluster, text: string, dstIp: Ipv4, proto: Proto, dport: number | null): { ip: number; port?: number } {
  const fe = frontendOf(cluster, dstIp, proto, dport);
  if (!fe) throw new UsageError(`--backend ${text}: the destination ${formatIpv4(dstIp)}${dport === null ? '' : `:${dport}/${proto.toUpperCase()}`} is no Service port (expected DST svc:NAME, a ClusterIP or a NodePort, with one of its ports)`);
  if (fe.backends.length === 0) throw new UsageError(`--backend ${text}: ${frontendText(fe)} has no backends`);
  const refuse = (why: string): never => {
    throw new UsageError(`--backend ${text} ${why} ${frontendText(fe)} (expected one of: ${backendList(fe)})`);
  };
  const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d{1,5}))?$/.exec(text);
  const ip = m?.[1] === undefined ? undefined : parseIpv4(m[1]);
  if (m && ip !== undefined) {
    const port = m[2] === undefined ? undefined : Number(m[2]);
    if (!fe.backends.some((b) => b.ip === ip && (port === undefined || b.port === port))) refuse('is not a backend of');
    return port === undefined ? { ip } : { ip, port };
  }
  const found = findPods(cluster, text);
  if (!found || 'problem' in found) return refuse('is neither the IP nor the pod of a backend of');
  const backend = found.pods.flatMap((p) => fe.backends.filter((b) => b.pod === p))[0];
  if (!backend) return refuse(`(${found.by ?? 'a pod'}) is not a backend of`);
  return { ip: backend.ip, port: backend.port };
}

/** Resolves a trace's arguments; InputError (positioned) or UsageError on bad ones. */
export function resolveFlowArgs(cluster: Cluster, a: FlowArgs): ResolvedArgs {
  const notes: string[] = [];
  const dst = resolveDestination(cluster, a.dst, notes);
  const { proto, dport } = protoOf(dst, a.proto);
  const portNote = servicePortNote(cluster, dst, proto, dport);
  if (portNote) notes.unshift(portNote);
  const src = resolveSource(cluster, a.src, dst.ip, notes, dport);
  const text = a.backend ?? (a.defaultBackend !== undefined && frontendOf(cluster, dst.ip, proto, dport) ? a.defaultBackend : undefined);
  const backend = text === undefined ? undefined : resolveBackend(cluster, text, dst.ip, proto, dport);
  return { src, dst, proto, dport, ...(backend ? { backend } : {}), notes };
}
