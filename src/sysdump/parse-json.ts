// The `-o json` forms of the map dumps (a user's own `cilium-dbg … -o json` files, or a
// bugtool that runs them), read into the same rows as the text tables:
//   bpf ipcache list / bpf lb list -o json: map[string][]string of the same String() values
//     (cilium[-dbg]/cmd/bpf_ipcache_list.go, bpf_lb_list.go at v1.13.0 and v1.18.3)
//   bpf policy get --all -o json: v1.14+ one array of {EndpointID, Path, Content}; v1.13 per
//     map a `<path>:` line and one JSON array (not valid JSON as a whole). Content holds the raw
//     map structs without json tags, in map byte order: DestPort(Network) and
//     ProxyPort(Network) are network-order u16 read little-endian (8080 → 36895), LPM keys
//     carry Prefixlen 40 + {0, 8, 24} (pkg/maps/policymap/policymap.go at v1.13.0, v1.18.3).
// Warnings before the JSON and the bugtool's error trailer after it are notes.
import { parseIpcacheList, parseLbList, type IpcacheRow, type LbRow } from './parse-maps.js';
import type { PolicyMapSeen, PolicyRow } from './parse-policy.js';
import { linesOf, noise, type LineNote, type Parsed } from './text.js';

/** Does the dump hold JSON: is its first line that is no stderr noise `{` or `[`? */
export function isJsonDump(text: string): boolean {
  for (const l of linesOf(text)) {
    const skip = noise(l, 'dump');
    if (skip !== false || /^\/\S+:$/.test(l.text)) continue; // v1.13's `<path>:` before each array
    return /^[[{]/.test(l.text.trim());
  }
  return false;
}

/** The JSON value(s) of a dump: each run of lines from one starting with `{`/`[` to the one closing it at column 0. */
function jsonBlocks(text: string, what: string): { blocks: Array<{ value: unknown; line: number; header?: string }>; notes: LineNote[] } {
  const lines = linesOf(text);
  const blocks: Array<{ value: unknown; line: number; header?: string }> = [];
  const notes: LineNote[] = [];
  let header: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^[[{]/.test(l.text)) {
      const close = l.text[0] === '[' ? ']' : '}';
      let j = i;
      while (j < lines.length && !(lines[j]!.text === close || (j === i && l.text.endsWith(close)))) j++;
      const body = lines.slice(i, j + 1).map((x) => x.text).join('\n');
      try {
        blocks.push({ value: JSON.parse(body), line: l.n, ...(header !== undefined ? { header } : {}) });
      } catch {
        notes.push({ line: l.n, message: `not valid JSON in the ${what}` });
      }
      header = undefined;
      i = j;
      continue;
    }
    const skip = noise(l, what);
    if (skip !== false) {
      if (skip) notes.push(skip);
      continue;
    }
    const h = /^(\/\S+):$/.exec(l.text);
    if (h) header = h[1];
    else notes.push({ line: l.n, message: `not part of the JSON ${what}: ${l.text.slice(0, 80)}` });
  }
  return { blocks, notes };
}

/** Line numbers of successive occurrences of `needle` in the text, from line `from`. */
function lineFinder(text: string): (needle: string) => number {
  const lines = text.split('\n');
  let at = 0;
  return (needle) => {
    for (let i = at; i < lines.length; i++) {
      if (lines[i]!.includes(needle)) {
        at = i + 1;
        return i + 1;
      }
    }
    return 0;
  };
}

/** `map[string][]string` as `<key>   <value>` rows for the text parser, each with its JSON line. */
function asTable<T extends { line: number }>(text: string, what: string, parse: (table: string) => Parsed<T>): Parsed<T> {
  const { blocks, notes } = jsonBlocks(text, what);
  const rows: T[] = [];
  const find = lineFinder(text);
  for (const b of blocks) {
    if (typeof b.value !== 'object' || b.value === null || Array.isArray(b.value)) {
      notes.push({ line: b.line, message: `the ${what} JSON is not an object of lists` });
      continue;
    }
    for (const [key, values] of Object.entries(b.value as Record<string, unknown>)) {
      find(JSON.stringify(key));
      for (const v of Array.isArray(values) ? values : []) {
        if (typeof v !== 'string') continue;
        const line = find(JSON.stringify(v));
        const p = parse(`${key}   ${v}`);
        rows.push(...p.rows.map((r) => ({ ...r, line })));
        notes.push(...p.notes.map((n) => ({ ...n, line })));
      }
    }
  }
  return { rows, notes };
}

export function parseIpcacheJson(text: string): Parsed<IpcacheRow> {
  return asTable(text, 'ipcache list', parseIpcacheList);
}

export function parseLbJson(text: string): Parsed<LbRow> {
  return asTable(text, 'lb list', parseLbList);
}

/** ntohs of a u16 read little-endian from network-order bytes. */
const ntohs = (n: number): number => ((n & 0xff) << 8) | ((n >> 8) & 0xff);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

export function parsePolicyJson(text: string): Parsed<PolicyRow> & { maps: PolicyMapSeen[] } {
  const { blocks, notes } = jsonBlocks(text, 'policy dump');
  const rows: PolicyRow[] = [];
  const maps: PolicyMapSeen[] = [];
  const find = lineFinder(text);
  const addMap = (endpointId: number, path: string, content: unknown, line: number): void => {
    maps.push({ endpointId, line, path });
    for (const e of Array.isArray(content) ? content : []) {
      const key = (e as { Key?: Record<string, unknown> }).Key ?? {};
      const at = find('"Key"');
      const rawPort = num(key['DestPortNetwork']) ?? num(key['DestPort']);
      const identity = num(key['Identity']);
      const dir = num(key['TrafficDirection']);
      const proto = num(key['Nexthdr']);
      const flags = num((e as Record<string, unknown>)['Flags']) ?? 0;
      const proxy = num((e as Record<string, unknown>)['ProxyPortNetwork']) ?? num((e as Record<string, unknown>)['ProxyPort']) ?? 0;
      const prefix = num(key['Prefixlen']);
      if (rawPort === undefined || identity === undefined || dir === undefined || proto === undefined) {
        notes.push({ line: at, message: 'a policy entry without Key.Identity, TrafficDirection, Nexthdr and DestPort' });
        continue;
      }
      const port = ntohs(rawPort);
      const prefixLen = prefix !== undefined ? prefix - 40 : undefined;
      const span = prefixLen !== undefined && prefixLen > 8 && prefixLen < 24 ? (1 << (24 - prefixLen)) - 1 : 0;
      rows.push({
        line: at, endpointId, deny: (flags & 1) === 1, direction: dir === 1 ? 'egress' : 'ingress', identity, proto, port, portEnd: port + span,
        ...(prefixLen !== undefined ? { prefixLen } : {}), proxyPort: ntohs(proxy),
      });
    }
  };
  for (const b of blocks) {
    if (Array.isArray(b.value) && b.header !== undefined) {
      // v1.13: `<path>:` and the map's entries.
      const m = /_(\d+)$/.exec(b.header);
      if (m) addMap(Number(m[1]), b.header, b.value, b.line - 2);
    } else if (Array.isArray(b.value)) {
      for (const m of b.value as Array<Record<string, unknown>>) {
        const id = typeof m['EndpointID'] === 'string' ? Number(m['EndpointID']) : num(m['EndpointID']);
        if (id === undefined || Number.isNaN(id)) continue;
        addMap(id, typeof m['Path'] === 'string' ? m['Path'] : '', m['Content'], find(`"EndpointID": ${JSON.stringify(m['EndpointID'])}`));
      }
    } else {
      notes.push({ line: b.line, message: 'the policy dump JSON is not a list of maps' });
    }
  }
  return { rows, notes, maps };
}
