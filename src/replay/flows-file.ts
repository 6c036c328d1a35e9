// Reads Hubble flows as `hubble observe -o json` writes them: one JSON document per line, an
// observer GetFlowsResponse `{"flow": {…}, "node_name": …, "time": …}` (-o json is an alias of
// jsonpb; a sysdump's hubble-flows-<pod>-<ts>.json and the exporter's file have the same
// envelope), or a bare Flow as the legacy JSON output printed it. Field names are flow.proto's
// (snake_case, `IP`, `l4`, `Type`), enums are strings, zero values are left out.
// Tolerated, each with a note: blank lines, responses that are no flow (node_status,
// lost_events), and a last line that is no JSON (an error message, or a line cut short when
// the collector was stopped). Anything else malformed is bad input at its line and column.
import { InputError, type Problem } from '../errors.js';
import { jsonErrorAt, jsonOffsetOf, type JsonPath } from './json-position.js';

export type FlowProto = 'tcp' | 'udp' | 'icmp' | 'sctp' | 'icmpv6' | 'none';

export interface FlowEnd {
  readonly ip: string | null;
  readonly port: number | null;
  /** The local endpoint ID (only for endpoints on the observing node). */
  readonly endpointId: number | null;
  readonly identity: number | null;
  readonly namespace: string | null;
  readonly pod: string | null;
  readonly labels: readonly string[];
  /** workloads[0] (Deployment, StatefulSet, …), as Hubble resolves the owner. */
  readonly workload: string | null;
}

/** One event (line) of the file, with the fields replay reads. */
export interface HubbleEvent {
  /** The flows file, as shown. */
  readonly input: string;
  readonly line: number;
  readonly verdict: string;
  /** drop_reason (deprecated, numeric) when set. */
  readonly dropCode: number | null;
  /** drop_reason_desc: flow.proto's DropReason name. */
  readonly dropName: string | null;
  /** event_type.type: 1 drop, 4 trace, 5 policy verdict, 7 trace-sock, 129 L7. */
  readonly eventType: number | null;
  /** `Type`: L3_L4, L7, SOCK. */
  readonly type: string | null;
  readonly ipVersion: string | null;
  readonly src: FlowEnd;
  readonly dst: FlowEnd;
  readonly proto: FlowProto;
  readonly icmpType: number | null;
  /** TCP flags set (SYN, ACK, …), in flow.proto order. */
  readonly tcpFlags: readonly string[];
  readonly isReply: boolean | null;
  /** The observing node, without the `<cluster>/` prefix Hubble adds when cluster-name is not default. */
  readonly node: string | null;
  readonly direction: string | null;
  readonly observationPoint: string | null;
  /** file.{name,line} of a drop (v1.17+). */
  readonly file: string | null;
}

export interface FlowsFile {
  readonly events: readonly HubbleEvent[];
  readonly notes: readonly string[];
}

type Obj = Record<string, unknown>;

const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'] as const;

class FieldError extends Error {
  constructor(readonly path: JsonPath, what: string) {
    super(what);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Typed field access: a wrong type is bad input at the field's position, a missing field null. */
function reader(root: Obj, base: JsonPath) {
  const get = (path: JsonPath): unknown => {
    let v: unknown = root;
    for (const k of path) v = isObj(v) ? v[k as string] : Array.isArray(v) ? v[k as number] : undefined;
    return v;
  };
  const typed = <T>(path: JsonPath, what: string, ok: (v: unknown) => boolean): T | null => {
    const v = get(path);
    if (v === undefined || v === null) return null;
    if (!ok(v)) throw new FieldError([...base, ...path], `${[...base, ...path].join('.')}: expected ${what} (got ${JSON.stringify(v).slice(0, 40)})`);
    return v as T;
  };
  return {
    obj: (path: JsonPath) => typed<Obj>(path, 'an object', isObj),
    str: (path: JsonPath) => typed<string>(path, 'a string', (v) => typeof v === 'string'),
    // protojson writes uint64 as strings; uint32 as numbers.
    num: (path: JsonPath) => {
      const v = typed<number | string>(path, 'a number', (x) => (typeof x === 'number' && Number.isFinite(x)) || (typeof x === 'string' && /^\d+$/.test(x)));
      return v === null ? null : Number(v);
    },
    bool: (path: JsonPath) => typed<boolean>(path, 'true or false', (v) => typeof v === 'boolean'),
    strs: (path: JsonPath) => typed<string[]>(path, 'a list of strings', (v) => Array.isArray(v) && v.every((x) => typeof x === 'string')) ?? [],
  };
}

function endOf(r: ReturnType<typeof reader>, side: 'source' | 'destination', ip: string | null, port: number | null): FlowEnd {
  const w = r.obj([side, 'workloads', 0]);
  return {
    ip,
    port,
    endpointId: r.num([side, 'ID']),
    identity: r.num([side, 'identity']),
    namespace: r.str([side, 'namespace']),
    pod: r.str([side, 'pod_name']),
    labels: r.strs([side, 'labels']),
    workload: w && typeof w['name'] === 'string' ? w['name'] : null,
  };
}

function eventOf(flow: Obj, base: JsonPath, input: string, line: number, envelopeNode: string | null): HubbleEvent {
  const r = reader(flow, base);
  const l4 = r.obj(['l4']) ?? {};
  const proto: FlowProto = 'TCP' in l4 ? 'tcp' : 'UDP' in l4 ? 'udp' : 'ICMPv4' in l4 ? 'icmp' : 'SCTP' in l4 ? 'sctp' : 'ICMPv6' in l4 ? 'icmpv6' : 'none';
  const l4Key = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP', icmp: 'ICMPv4', icmpv6: 'ICMPv6', none: '' }[proto];
  const ports = proto === 'tcp' || proto === 'udp' || proto === 'sctp';
  const sport = ports ? r.num(['l4', l4Key, 'source_port']) ?? 0 : null;
  const dport = ports ? r.num(['l4', l4Key, 'destination_port']) ?? 0 : null;
  const flags = proto === 'tcp' ? TCP_FLAGS.filter((f) => r.bool(['l4', 'TCP', 'flags', f]) === true) : [];
  const node = r.str(['node_name']) ?? envelopeNode;
  const fileName = r.str(['file', 'name']);
  const fileLine = r.num(['file', 'line']);
  return {
    input,
    line,
    verdict: r.str(['verdict']) ?? 'VERDICT_UNKNOWN',
    dropCode: r.num(['drop_reason']),
    dropName: r.str(['drop_reason_desc']),
    eventType: r.num(['event_type', 'type']),
    type: r.str(['Type']),
    ipVersion: r.str(['IP', 'ipVersion']),
    src: endOf(r, 'source', r.str(['IP', 'source']), sport),
    dst: endOf(r, 'destination', r.str(['IP', 'destination']), dport),
    proto,
    icmpType: proto === 'icmp' || proto === 'icmpv6' ? r.num(['l4', l4Key, 'type']) ?? 0 : null,
    tcpFlags: flags,
    isReply: r.bool(['is_reply']),
    // GetAbsoluteNodeName (pkg/node/types/nodename.go): `<cluster>/<node>` when cluster-name is not default.
    node: node === null ? null : node.slice(node.lastIndexOf('/') + 1),
    direction: r.str(['traffic_direction']),
    observationPoint: r.str(['trace_observation_point']),
    file: fileName === null ? null : fileLine === null ? fileName : `${fileName}:${fileLine}`,
  };
}

/** Parses a flows file; InputError with every malformed line (file:line:col). */
export function parseFlowsFile(text: string, display: string): FlowsFile {
  const lines = text.split('\n');
  const events: HubbleEvent[] = [];
  const notes: string[] = [];
  const problems: Problem[] = [];
  let blank = 0;
  const others = new Map<string, number>();
  let lastContent = lines.length - 1;
  while (lastContent >= 0 && (lines[lastContent] as string).trim() === '') lastContent--;
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const n = i + 1;
    if (line.trim() === '') {
      if (i < lastContent) blank++;
      return;
    }
    const at = (offset: number, message: string) => problems.push({ pos: { file: display, line: n, col: offset + 1 }, message });
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      if (i === lastContent) {
        notes.push(`${display}:${n}: the last line is no JSON flow (an error message or a line cut short), ignored: ${line.length > 60 ? `${line.slice(0, 60)}…` : line}`);
        return;
      }
      const err = jsonErrorAt(line) ?? { offset: 0, what: 'not valid JSON' };
      at(err.offset, `not a JSON flow: ${err.what} (expected one JSON object per line, as hubble observe -o json prints)`);
      return;
    }
    if (!isObj(doc)) {
      at(0, 'not a Hubble flow: expected a JSON object ({"flow": {…}} as hubble observe -o json prints)');
      return;
    }
    try {
      if ('flow' in doc) {
        if (!isObj(doc['flow'])) throw new FieldError(['flow'], 'flow: expected an object');
        const envNode = typeof doc['node_name'] === 'string' ? doc['node_name'] : null;
        events.push(eventOf(doc['flow'], ['flow'], display, n, envNode));
      } else if ('verdict' in doc || 'IP' in doc || 'l4' in doc) {
        events.push(eventOf(doc, [], display, n, null)); // a bare Flow (hubble's legacy JSON output)
      } else {
        const kind = Object.keys(doc).find((k) => k !== 'node_name' && k !== 'time');
        if (kind === undefined) at(0, 'not a Hubble flow: no "flow" (expected {"flow": {…}} as hubble observe -o json prints)');
        else others.set(kind, (others.get(kind) ?? 0) + 1);
      }
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      at(jsonOffsetOf(line, e.path), e.message);
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  if (blank > 0) notes.push(`${display}: ${blank} blank line${blank === 1 ? '' : 's'} skipped`);
  for (const [kind, count] of [...others].sort((a, b) => (a[0] < b[0] ? -1 : 1))) notes.push(`${display}: ${count} ${kind} response${count === 1 ? '' : 's'} skipped (not a flow)`);
  if (events.length === 0) notes.push(`${display}: no flows`);
  return { events, notes };
}
