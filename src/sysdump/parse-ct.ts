// `bpf ct list global` and `bpf nat list` text lines (pkg/maps/ctmap, pkg/maps/nat at
// v1.13.0 and v1.18.3): one entry a line,
//   TCP OUT 10.0.1.23:43210 -> 10.0.2.45:8080 expires=… RevNAT=0 SourceSecurityID=28567 …
//   TCP OUT 10.0.1.23:43210 -> 8.8.8.8:80 XLATE_SRC 192.168.10.11:43210 Created=… HostLocal=1
// v1.18's bugtool adds --time-diff (`expires=… (remaining: …)`): the fields are read as
// key=value tokens, the rest is kept as text.
import { clip, IPV4, keyValues, linesOf, noise, type LineNote, type Parsed } from './text.js';

export interface TupleRow {
  readonly line: number;
  readonly proto: string;
  /** IN, OUT, or SVC (a service entry). */
  readonly dir: string;
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
  readonly related: boolean;
  readonly fields: ReadonlyMap<string, string>;
  /** NAT: XLATE_SRC / XLATE_DST and the address it becomes. */
  readonly xlate?: { readonly kind: string; readonly to: string };
}

const TUPLE = new RegExp(`^(TCP|UDP|ICMP|ICMPv6|SCTP|\\d+) (IN|OUT|SVC) (${IPV4}):(\\d+) -> (${IPV4}):(\\d+)\\s*(.*)$`);

function parseTuples(text: string, what: string): Parsed<TupleRow> {
  const rows: TupleRow[] = [];
  const notes: LineNote[] = [];
  for (const l of linesOf(text)) {
    const skip = noise(l, what);
    if (skip !== false) {
      if (skip) notes.push(skip);
      continue;
    }
    if (l.text === 'No entries found.' || /^\[?[0-9a-fA-F]*:/.test(l.text.split(' ')[2] ?? '')) continue;
    const m = TUPLE.exec(l.text);
    if (!m) {
      notes.push({ line: l.n, message: `not a ${what} entry: ${clip(l.text)}` });
      continue;
    }
    const rest = m[7]!;
    const xl = /^(XLATE_SRC|XLATE_DST) (\S+)/.exec(rest);
    rows.push({
      line: l.n, proto: m[1]!, dir: m[2]!, src: m[3]!, sport: Number(m[4]), dst: m[5]!, dport: Number(m[6]),
      related: /^related\b/.test(rest), fields: keyValues(rest), ...(xl ? { xlate: { kind: xl[1]!, to: xl[2]! } } : {}),
    });
  }
  return { rows, notes };
}

export function parseCtList(text: string): Parsed<TupleRow> {
  return parseTuples(text, 'ct list');
}

export function parseNatList(text: string): Parsed<TupleRow> {
  return parseTuples(text, 'nat list');
}
