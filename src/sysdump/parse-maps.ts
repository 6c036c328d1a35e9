// Parsers of the two-column map tables the bugtool holds: `bpf ipcache list`, `bpf endpoint
// list`, `bpf tunnel list` (≤ v1.17) and `bpf lb list`. The rows are printed by each
// release's String() methods through a tabwriter (padding 3):
//   ipcache  RemoteEndpointInfo.String (pkg/maps/ipcache/ipcache.go): v1.13.0 `… nodeid=%d`,
//            v1.16 `…, flags=%s`, v1.17+ `… flags=%s`; keys `<prefix>[@<cluster>]`
//   endpoint EndpointInfo.String (pkg/maps/lxcmap/lxcmap.go): `id=… [sec_id=…] flags=0x… ifindex=… mac=… nodemac=… [parent_ifindex=…]`, host IPs `(localhost)`
//   tunnel   `<ip>[@<cluster>]   <ip>:<key>[ <nodeid>]` (pkg/maps/tunnel/tunnel.go)
//   lb       dumpSVC (cilium[-dbg]/cmd/bpf_lb_list.go): v1.13 one key per frontend and
//            continuation rows with an empty first column; v1.16+ `<vip>:<port>[/PROTO] (<slot>)`
//            per row; master `0.0.0.0:0 (<revnat>) (0) [<flags>]`, backends `<ip>:<port>[/PROTO] (<revnat>) (<slot>)`.
import { clip, int, IPV4, keyValues, linesOf, noise, protoNumber, type LineNote, type Parsed } from './text.js';

export interface IpcacheRow {
  readonly line: number;
  readonly prefix: string; // 10.0.1.23/32
  readonly clusterId: number;
  readonly identity: number;
  readonly encryptKey: number;
  readonly tunnelEndpoint: string;
  readonly nodeId?: number;
  readonly flags: readonly string[];
}

const IPCACHE_ROW = new RegExp(`^(${IPV4}/\\d{1,2})(?:@(\\d+))?\\s+(identity=.*)$`);

export function parseIpcacheList(text: string): Parsed<IpcacheRow> {
  const rows: IpcacheRow[] = [];
  const notes: LineNote[] = [];
  for (const l of linesOf(text)) {
    const skip = noise(l, 'ipcache list');
    if (skip !== false) {
      if (skip) notes.push(skip);
      continue;
    }
    if (/^IP PREFIX\/ADDRESS\s+IDENTITY$/.test(l.text) || l.text === 'No entries found.') continue;
    if (/^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/\d+/.test(l.text)) continue; // IPv6 rows: the traces are IPv4
    const m = IPCACHE_ROW.exec(l.text);
    const kv = m ? keyValues(m[3]!) : undefined;
    const identity = int(kv?.get('identity'));
    const tunnel = kv?.get('tunnelendpoint');
    if (!m || !kv || identity === undefined || tunnel === undefined) {
      notes.push({ line: l.n, message: `not an ipcache row: ${clip(l.text)}` });
      continue;
    }
    const nodeId = kv.has('nodeid') ? int(kv.get('nodeid')) ?? int(kv.get('nodeid'), 16) : undefined;
    const flags = kv.get('flags');
    rows.push({
      line: l.n, prefix: m[1]!, clusterId: int(m[2]) ?? 0, identity, encryptKey: int(kv.get('encryptkey')) ?? 0, tunnelEndpoint: tunnel,
      ...(nodeId !== undefined ? { nodeId } : {}), flags: flags && flags !== '<none>' ? flags.split(',') : [],
    });
  }
  return { rows, notes };
}

export interface EndpointRow {
  readonly line: number;
  readonly ip: string;
  readonly host: boolean;
  readonly id?: number;
  readonly secId?: number;
  readonly flags?: number;
  readonly ifindex?: number;
  readonly mac?: string;
  readonly nodeMac?: string;
}

const ENDPOINT_ROW = new RegExp(`^(${IPV4}):0(?:@\\d+)?\\s+(.*)$`);

export function parseEndpointList(text: string): Parsed<EndpointRow> {
  const rows: EndpointRow[] = [];
  const notes: LineNote[] = [];
  for (const l of linesOf(text)) {
    const skip = noise(l, 'endpoint list');
    if (skip !== false) {
      if (skip) notes.push(skip);
      continue;
    }
    if (/^IP ADDRESS\s+LOCAL ENDPOINT INFO$/.test(l.text) || l.text === 'No entries found.') continue;
    if (/^\[?[0-9a-fA-F:]*:[0-9a-fA-F:]*\]?:0/.test(l.text) && !ENDPOINT_ROW.test(l.text)) continue; // IPv6
    const m = ENDPOINT_ROW.exec(l.text);
    if (!m) {
      notes.push({ line: l.n, message: `not an endpoint row: ${clip(l.text)}` });
      continue;
    }
    if (m[2] === '(localhost)') {
      rows.push({ line: l.n, ip: m[1]!, host: true });
      continue;
    }
    const kv = keyValues(m[2]!);
    const id = int(kv.get('id'));
    if (id === undefined) {
      notes.push({ line: l.n, message: `not an endpoint row: ${clip(l.text)}` });
      continue;
    }
    const secId = int(kv.get('sec_id'));
    rows.push({
      line: l.n, ip: m[1]!, host: false, id, ...(secId !== undefined ? { secId } : {}),
      flags: int(kv.get('flags'), 16) ?? 0, ifindex: int(kv.get('ifindex')) ?? 0, mac: kv.get('mac') ?? '', nodeMac: kv.get('nodemac') ?? '',
    });
  }
  return { rows, notes };
}

export interface TunnelRow {
  readonly line: number;
  readonly prefix: string; // the key: the remote pod CIDR's base address
  readonly endpoint: string;
  readonly key: number;
  readonly nodeId?: number;
}

const TUNNEL_ROW = new RegExp(`^(${IPV4})(?:@\\d+)?\\s+(${IPV4}):(\\d+)(?:\\s+(\\d+))?$`);

export function parseTunnelList(text: string): Parsed<TunnelRow> {
  const rows: TunnelRow[] = [];
  const notes: LineNote[] = [];
  for (const l of linesOf(text)) {
    const skip = noise(l, 'tunnel list');
    if (skip !== false) {
      if (skip) notes.push(skip);
      continue;
    }
    if (/^TUNNEL\s+VALUE$/.test(l.text) || l.text === 'No entries found.') continue;
    const m = TUNNEL_ROW.exec(l.text);
    if (!m) {
      notes.push({ line: l.n, message: `not a tunnel row: ${clip(l.text)}` });
      continue;
    }
    rows.push({ line: l.n, prefix: m[1]!, endpoint: m[2]!, key: Number(m[3]), ...(m[4] ? { nodeId: Number(m[4]) } : {}) });
  }
  return { rows, notes };
}

export interface LbRow {
  readonly line: number;
  readonly frontend: { readonly ip: string; readonly port: number; readonly proto?: number; readonly internal: boolean };
  readonly slot: number;
  readonly revNat?: number;
  /** Slot 0: the Service's flags (ClusterIP, non-routable, …). */
  readonly flags?: readonly string[];
  readonly backend?: { readonly ip: string; readonly port: number; readonly proto?: number };
  /** `backend <id> not found`: a slot whose backend is gone. */
  readonly missingBackend?: number;
}

const LB_KEY = new RegExp(`^(${IPV4}):(\\d+)(?:/(TCP|UDP|SCTP|ANY|\\d+))?(/i)?(?: \\((\\d+)\\))?$`);
const LB_MASTER = /^0\.0\.0\.0:0 \((\d+)\) \(0\) \[([^\]]*)\]/;
const LB_BACKEND = new RegExp(`^(${IPV4}):(\\d+)(?:/(TCP|UDP|SCTP|ANY|\\d+))? \\((\\d+)\\) \\((\\d+)\\)$`);
const LB_MISSING = /^backend (\d+) not found$/;

export function parseLbList(text: string): Parsed<LbRow> {
  const rows: LbRow[] = [];
  const notes: LineNote[] = [];
  let current: LbRow['frontend'] | undefined;
  for (const l of linesOf(text)) {
    const skip = noise(l, 'lb list');
    if (skip !== false) {
      if (skip) notes.push(skip);
      continue;
    }
    if (/^SERVICE ADDRESS\s+BACKEND ADDRESS/.test(l.text) || l.text === 'No entries found.') continue;
    // The key column ends where 3+ spaces start (tabwriter padding); a continuation row starts with spaces.
    const cont = /^\s/.test(l.text);
    const [keyText, valueText] = cont ? ['', l.text.trim()] : splitColumns(l.text);
    let slotOfKey: number | undefined;
    if (!cont) {
      const k = LB_KEY.exec(keyText);
      if (!k) {
        notes.push({ line: l.n, message: `not an lb row: ${clip(l.text)}` });
        continue;
      }
      current = { ip: k[1]!, port: Number(k[2]), ...(k[3] ? { proto: protoNumber(k[3]) ?? 0 } : {}), internal: k[4] === '/i' };
      slotOfKey = k[5] !== undefined ? Number(k[5]) : undefined;
    }
    if (!current) {
      notes.push({ line: l.n, message: `lb row without a frontend: ${clip(l.text)}` });
      continue;
    }
    const master = LB_MASTER.exec(valueText);
    const backend = LB_BACKEND.exec(valueText);
    const missing = LB_MISSING.exec(valueText);
    if (master) {
      rows.push({ line: l.n, frontend: current, slot: 0, revNat: Number(master[1]), flags: master[2]!.split(',').map((f) => f.trim()).filter((f) => f !== '') });
    } else if (backend) {
      rows.push({ line: l.n, frontend: current, slot: Number(backend[5]), revNat: Number(backend[4]), backend: { ip: backend[1]!, port: Number(backend[2]), ...(backend[3] ? { proto: protoNumber(backend[3]) ?? 0 } : {}) } });
    } else if (missing && slotOfKey !== undefined) {
      rows.push({ line: l.n, frontend: current, slot: slotOfKey, missingBackend: Number(missing[1]) });
    } else if (missing) {
      notes.push({ line: l.n, message: `lb slot without a number: ${clip(l.text)}` });
    } else {
      notes.push({ line: l.n, message: `not an lb row: ${clip(l.text)}` });
    }
  }
  return { rows, notes };
}

/** A two-column tabwriter row: the first cell ends at the first run of 2+ spaces. */
function splitColumns(text: string): [string, string] {
  const m = /^(.*?)\s{2,}(\S.*)$/.exec(text);
  return m ? [m[1]!, m[2]!.trim()] : [text, ''];
}

export interface AgentEndpointRow {
  readonly line: number;
  readonly id: number;
  readonly identity: number;
  readonly ipv4?: string;
  readonly status: string;
  readonly labels: readonly string[];
}

/**
 * `cilium[-dbg] endpoint list` (printEndpointList, cilium[-dbg]/cmd/endpoint_list.go at
 * v1.13.0 and v1.18.3): the agent's endpoints, not a BPF map. Header `ENDPOINT POLICY
 * (ingress) POLICY (egress) IDENTITY LABELS (source:key[=value]) IPv6 IPv4 STATUS` and a
 * second header row of ENFORCEMENT; a row per endpoint with its first label, then a row per
 * further label with only that cell. Cells are separated by 3+ spaces (tabwriter padding).
 */
export function parseAgentEndpointList(text: string): Parsed<AgentEndpointRow> {
  const rows: AgentEndpointRow[] = [];
  const notes: LineNote[] = [];
  let last: { -readonly [K in keyof AgentEndpointRow]: AgentEndpointRow[K] } | undefined;
  for (const l of linesOf(text)) {
    const skip = noise(l, 'endpoint list');
    if (skip !== false) {
      if (skip) notes.push(skip);
      continue;
    }
    if (/^ENDPOINT\s+POLICY/.test(l.text) || /^\s+ENFORCEMENT\s+ENFORCEMENT$/.test(l.text)) continue;
    if (/^\s/.test(l.text) && last) {
      last.labels = [...last.labels, l.text.trim()];
      continue;
    }
    const cells = l.text.trim().split(/\s{2,}/);
    const id = int(cells[0]);
    const identity = int(cells[3]);
    if (id === undefined || identity === undefined || cells.length < 6) {
      notes.push({ line: l.n, message: `not an endpoint row: ${clip(l.text)}` });
      continue;
    }
    const ipv4 = cells.slice(5, -1).find((c) => new RegExp(`^${IPV4}$`).test(c));
    last = { line: l.n, id, identity, ...(ipv4 ? { ipv4 } : {}), status: cells[cells.length - 1]!, labels: [cells[4]!] };
    rows.push(last);
  }
  return { rows, notes };
}
