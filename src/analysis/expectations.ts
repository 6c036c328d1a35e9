// Expectations for `cilium-trace check`: which flows a cluster must forward or drop.
// A YAML file holding either a list of expectations or a mapping with an `expectations:`
// list (optionally `apiVersion: cilium-trace/v1` and `kind: Expectations`). Every problem
// is collected with its position (file:line:col), so one run reports all of them.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node, type YAMLMap } from 'yaml';
import { allDropReasons } from '../cilium/drop-reasons.js';
import { InputError, type Position, type Problem } from '../errors.js';
import { syntaxProblems } from '../scenario/syntax.js';

export type ExpectedVerdict = 'FORWARDED' | 'DROPPED';
export type Proto = 'icmp' | 'tcp' | 'udp';

/** A text value with the position of its YAML node. */
export interface Located<T> {
  readonly value: T;
  readonly pos: Position;
}

export interface Expectation {
  readonly name: string | null;
  readonly from: Located<string>;
  readonly to: Located<string>;
  /** undefined = not written: icmp, or for svc: the Service's first port (as the CLI does). */
  readonly proto: Located<Proto> | undefined;
  readonly port: Located<number> | undefined;
  readonly expect: ExpectedVerdict;
  /** Hubble drop reason name, e.g. POLICY_DENIED; only with expect: DROPPED. */
  readonly reason: string | null;
  readonly pos: Position;
}

const KEYS = ['name', 'from', 'to', 'proto', 'port', 'expect', 'reason'] as const;
const TOP_KEYS = ['apiVersion', 'kind', 'expectations'] as const;

class Collector {
  readonly problems: Problem[] = [];
  constructor(readonly file: string, private readonly lines: LineCounter) {}
  at(offset: number): Position {
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, col: p.col };
  }
  posOf(node: Node | null | undefined, fallback: Position): Position {
    return node?.range ? this.at(node.range[0]) : fallback;
  }
  add(pos: Position, message: string): void {
    this.problems.push({ pos, message });
  }
}

function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function checkKeys(c: Collector, map: YAMLMap, allowed: readonly string[], what: string): void {
  for (const pair of map.items) {
    const key = scalarText(pair.key);
    if (key === undefined || !allowed.includes(key)) {
      c.add(c.posOf(pair.key as Node, c.at(0)), `unknown key '${key ?? '?'}' in ${what} (expected one of: ${allowed.join(', ')})`);
    }
  }
}

const REASONS: ReadonlySet<string> = new Set(allDropReasons().map((r) => r.hubble));

function parseOne(c: Collector, item: unknown, names: Map<string, Position>): Expectation | undefined {
  const itemPos = c.posOf(item as Node, c.at(0));
  if (!isMap(item)) {
    c.add(itemPos, 'an expectation must be a mapping (expected from, to, proto, port, expect)');
    return undefined;
  }
  checkKeys(c, item, KEYS, 'an expectation');
  const field = (k: string): { node: Node; pos: Position; text: string | undefined } | undefined => {
    const node = item.get(k, true) as Node | undefined;
    return node === undefined ? undefined : { node, pos: c.posOf(node, itemPos), text: scalarText(node) };
  };
  const required = (k: 'from' | 'to', hint: string): Located<string> | undefined => {
    const f = field(k);
    if (!f) return void c.add(itemPos, `missing '${k}' (expected ${hint})`);
    if (f.text === undefined || f.text === '') return void c.add(f.pos, `'${k}' must be text (expected ${hint})`);
    return { value: f.text, pos: f.pos };
  };
  const from = required('from', 'a pod, namespace/pod, node:NAME or an IPv4 address');
  const to = required('to', 'a pod, namespace/pod, node:NAME, svc:NAMESPACE/NAME or an IPv4 address');

  let proto: Located<Proto> | undefined;
  const p = field('proto');
  if (p) {
    const t = p.text?.toLowerCase();
    if (t === 'icmp' || t === 'tcp' || t === 'udp') proto = { value: t, pos: p.pos };
    else if (t !== undefined && /^(tcp|udp)\/\d+$/.test(t)) c.add(p.pos, `proto '${p.text}' carries a port (expected proto: ${t.split('/')[0]} and port: ${t.split('/')[1]})`);
    else c.add(p.pos, `unknown proto '${p.text ?? '?'}' (expected icmp, tcp or udp)`);
  }
  let port: Located<number> | undefined;
  const pt = field('port');
  if (pt) {
    const n = isScalar(pt.node) && typeof pt.node.value === 'number' ? pt.node.value : pt.text !== undefined && /^\d+$/.test(pt.text) ? Number(pt.text) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) c.add(pt.pos, `bad port '${pt.text ?? '?'}' (expected 1..65535)`);
    else port = { value: n, pos: pt.pos };
  }
  if (proto?.value === 'icmp' && pt) c.add(pt.pos, 'icmp takes no port (expected no port with proto: icmp)');
  if (proto && proto.value !== 'icmp' && !pt) c.add(proto.pos, `${proto.value} needs a port (expected port: 1..65535)`);
  if (!proto && pt) c.add(pt.pos, 'a port needs a protocol (expected proto: tcp or udp)');

  let expect: ExpectedVerdict | undefined;
  const e = field('expect');
  if (!e) c.add(itemPos, "missing 'expect' (expected FORWARDED or DROPPED)");
  else if (e.text === 'FORWARDED' || e.text === 'DROPPED') expect = e.text;
  else c.add(e.pos, `unknown verdict '${e.text ?? '?'}' (expected FORWARDED or DROPPED)`);

  let reason: string | null = null;
  const r = field('reason');
  if (r) {
    if (r.text === undefined || !REASONS.has(r.text)) c.add(r.pos, `unknown drop reason '${r.text ?? '?'}' (expected a Hubble drop reason name, e.g. POLICY_DENIED)`);
    else if (expect === 'FORWARDED') c.add(r.pos, 'a reason goes with expect: DROPPED (expected no reason for FORWARDED)');
    else reason = r.text;
  }

  let name: string | null = null;
  const nm = field('name');
  if (nm) {
    if (nm.text === undefined || nm.text.trim() === '') c.add(nm.pos, "'name' must be text (expected a short unique name)");
    else if (names.has(nm.text)) c.add(nm.pos, `duplicate name '${nm.text}' (expected each name once; first at line ${names.get(nm.text)?.line ?? '?'})`);
    else {
      names.set(nm.text, nm.pos);
      name = nm.text;
    }
  }
  if (!from || !to || !expect) return undefined;
  return { name, from, to, proto, port, expect, reason, pos: itemPos };
}

/** Parses an expectations file; throws one InputError listing every problem. */
export function parseExpectations(text: string, file: string): Expectation[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const c = new Collector(file, lines);
  const list = Array.isArray(docs) ? docs : [];
  const syntax = syntaxProblems(list, text, (o) => c.at(o));
  if (syntax.length > 0) throw new InputError(syntax);
  const nonEmpty = list.filter((d) => d.contents !== null);
  if (nonEmpty.length !== 1) {
    throw new InputError([{ pos: c.at(0), message: nonEmpty.length === 0 ? 'no expectations (expected a list of {from, to, proto, port, expect})' : 'more than one YAML document (expected one list of expectations)' }]);
  }
  const root = (nonEmpty[0] as (typeof list)[number]).contents;
  let seq: unknown = root;
  if (isMap(root)) {
    checkKeys(c, root, TOP_KEYS, 'the expectations file');
    const kind = scalarText(root.get('kind', true));
    if (kind !== undefined && kind !== 'Expectations') c.add(c.posOf(root.get('kind', true) as Node, c.at(0)), `unknown kind '${kind}' (expected Expectations)`);
    seq = root.get('expectations', true);
    if (seq === undefined) c.add(c.posOf(root, c.at(0)), "missing 'expectations' (expected a list of {from, to, proto, port, expect})");
  }
  const out: Expectation[] = [];
  if (seq !== undefined && !isSeq(seq)) c.add(c.posOf(seq as Node, c.at(0)), 'expectations must be a list (expected - from: … entries)');
  else if (isSeq(seq)) {
    const names = new Map<string, Position>();
    for (const item of seq.items) {
      const e = parseOne(c, item, names);
      if (e) out.push(e);
    }
    if (seq.items.length === 0) c.add(c.posOf(seq, c.at(0)), 'the list of expectations is empty (expected at least one)');
  }
  if (c.problems.length > 0) throw new InputError(c.problems);
  return out;
}
