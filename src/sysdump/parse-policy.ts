// `cilium[-dbg] bpf policy get --all --numeric` as the bugtool holds it
// (cilium/cmd/bpf_policy_get.go at v1.13.0, cilium-dbg/cmd/bpf_policy_get.go at v1.16.15 and
// v1.18.3, listAllMaps + formatMap with printIDs):
//   v1.13: per map `<path>:`, an empty line, the table
//          POLICY DIRECTION IDENTITY PORT/PROTO PROXY PORT BYTES PACKETS
//   v1.14+: `Endpoint ID: <id>`, `Path: <path>`, an empty line, the table
//          POLICY DIRECTION IDENTITY PORT/PROTO PROXY PORT AUTH TYPE BYTES PACKETS PREFIX
// then two empty lines. An empty map prints the header and "Policy stats empty. Perhaps the
// policy enforcement is disabled?"; no map at all prints "no maps found". v1.18 prints BYTES
// and PACKETS as `-` when cilium_policystats has no entry.
import { clip, int, linesOf, noise, protoNumber, type LineNote, type Parsed } from './text.js';

export interface PolicyRow {
  readonly line: number;
  readonly endpointId: number;
  readonly deny: boolean;
  readonly direction: 'ingress' | 'egress';
  readonly identity: number;
  readonly proto: number;
  /** The first port (0: any). */
  readonly port: number;
  /** The last port of a range (v1.16+ `8080-8095/TCP`), else `port`. */
  readonly portEnd: number;
  /** LPM releases: the PREFIX column (0 any, 8 protocol, 24 one port). */
  readonly prefixLen?: number;
  readonly proxyPort: number;
  readonly authType?: string;
}

export interface PolicyMapSeen {
  readonly endpointId: number;
  readonly line: number;
  readonly path: string;
}

export function parsePolicyGetAll(text: string): Parsed<PolicyRow> & { maps: PolicyMapSeen[] } {
  const rows: PolicyRow[] = [];
  const notes: LineNote[] = [];
  const maps: PolicyMapSeen[] = [];
  let ep: number | undefined;
  let lpm = false;
  for (const l of linesOf(text)) {
    const skip = noise(l, 'policy dump');
    if (skip !== false) {
      if (skip) notes.push(skip);
      continue;
    }
    const old = /^(\/\S*cilium_policy_(?:v2_)?(\d+)):$/.exec(l.text);
    if (old) {
      ep = Number(old[2]);
      maps.push({ endpointId: ep, line: l.n, path: old[1]! });
      continue;
    }
    const epLine = /^Endpoint ID: (\d+)$/.exec(l.text);
    if (epLine) {
      ep = Number(epLine[1]);
      maps.push({ endpointId: ep, line: l.n, path: '' });
      continue;
    }
    const path = /^Path: (\S+)$/.exec(l.text);
    if (path) {
      const last = maps[maps.length - 1];
      if (last && last.endpointId === ep) maps[maps.length - 1] = { ...last, path: path[1]! };
      continue;
    }
    if (/^POLICY\s+DIRECTION\s+/.test(l.text)) {
      lpm = /\sPREFIX$/.test(l.text);
      if (/LABELS/.test(l.text)) notes.push({ line: l.n, message: 'labels instead of identities (not --numeric): rows are read by their first label line only when it is a number' });
      continue;
    }
    if (/^Policy stats empty\./.test(l.text) || l.text === 'no maps found') continue;
    if (ep === undefined) {
      notes.push({ line: l.n, message: `policy row before any map header: ${clip(l.text)}` });
      continue;
    }
    const row = policyRow(l.text, ep, lpm, l.n);
    if (row) rows.push(row);
    else notes.push({ line: l.n, message: `not a policy row: ${clip(l.text)}` });
  }
  return { rows, notes, maps };
}

function policyRow(text: string, endpointId: number, lpm: boolean, line: number): PolicyRow | undefined {
  const cells = text.trim().split(/\s+/);
  // POLICY DIRECTION IDENTITY PORT/PROTO PROXY [AUTH] BYTES PACKETS [PREFIX]
  const want = lpm ? 9 : 7;
  if (cells.length !== want) return undefined;
  const [policy, dir, id, port, proxy] = cells as [string, string, string, string, string];
  if ((policy !== 'Allow' && policy !== 'Deny') || (dir !== 'Ingress' && dir !== 'Egress')) return undefined;
  const identity = int(id);
  const pp = parsePortProto(port);
  const proxyPort = proxy === 'NONE' ? 0 : int(proxy);
  if (identity === undefined || !pp || proxyPort === undefined) return undefined;
  const prefixLen = lpm ? int(cells[8]) : undefined;
  if (lpm && prefixLen === undefined) return undefined;
  return {
    line, endpointId, deny: policy === 'Deny', direction: dir === 'Ingress' ? 'ingress' : 'egress', identity, ...pp,
    ...(prefixLen !== undefined ? { prefixLen } : {}), proxyPort, ...(lpm ? { authType: cells[5]! } : {}),
  };
}

/** PORT/PROTO: ANY, TCP (protocol only), 8080/TCP, 8080-8095/TCP. */
export function parsePortProto(s: string): { proto: number; port: number; portEnd: number } | undefined {
  if (s === 'ANY') return { proto: 0, port: 0, portEnd: 0 };
  const only = protoNumber(s);
  if (only !== undefined && !/^\d+$/.test(s)) return { proto: only, port: 0, portEnd: 0 };
  const m = /^(\d+)(?:-(\d+))?\/(\w+)$/.exec(s);
  const proto = m ? protoNumber(m[3]!) : undefined;
  if (!m || proto === undefined) return undefined;
  return { proto, port: Number(m[1]), portEnd: Number(m[2] ?? m[1]) };
}
