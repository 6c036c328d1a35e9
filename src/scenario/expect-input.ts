// Expectations for `cilium-trace check`: which flows a cluster must forward or drop. One
// item reader for both places they are written: a Scenario document's `expect:` list (read
// here, with the rest of the scenario) and a separate expectations file
// (src/analysis/expectations.ts). Items are read from the loader's YAML model (ast.ts), so
// every problem has the position of its token; readers report and go on, never throw.
import { allDropReasons } from '../cilium/drop-reasons.js';
import type { Position } from '../errors.js';
import { isMap, isScalar, isSeq, type MapNode, type YNode } from './ast.js';
import { firstAt } from './checks.js';
import { EXPECT_PROTOS, EXPECTED_VERDICTS, FIELDS } from './fields.js';
import type { MapView } from './raw.js';
import { parseHeader, parseRequestLine } from '../proxy/envoy-http.js';

export type ExpectedVerdict = (typeof EXPECTED_VERDICTS)[number];
export type Proto = (typeof EXPECT_PROTOS)[number];

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
  /** The HTTP request on the connection (`http:`), simulated at an HTTP proxy redirect; host undefined = the CLI's default. */
  readonly http?: Located<{ readonly method: string; readonly path: string; readonly host?: string; readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }> }>;
  readonly expect: ExpectedVerdict;
  /** Hubble drop reason name, e.g. POLICY_DENIED; only with expect: DROPPED. */
  readonly reason: string | null;
  /** Informational (`why`, `source`): why the verdict is expected and where it comes from; never checked. */
  readonly why?: string;
  readonly source?: string;
  readonly pos: Position;
  /**
   * Problems of an item that was read leniently (`check -e FILE`): the item is kept, as a
   * failed case naming them, instead of failing the whole run. Its other fields are then
   * what could be read ('?' where nothing could).
   */
  readonly problems?: readonly { readonly pos: Position; readonly message: string }[];
}

/** Where positions and problems go: a raw.ts Source, or anything shaped like one. */
export interface ItemSource {
  posOf(node: YNode): Position;
  report(pos: Position, message: string): unknown;
}

/** Names already taken (by earlier items, or another file), with where. */
export type ExpectationNames = Map<string, Position>;

const KEYS: readonly string[] = FIELDS.expectation;
// EHOSTUNREACH: a connect()/sendmsg() socket LB refuses (a Service without backends) has no drop reason.
const REASONS: ReadonlySet<string> = new Set([...allDropReasons().map((r) => r.hubble), 'EHOSTUNREACH']);

/** A scalar's text: strings as they are, numbers and booleans as written by String(). */
export function scalarText(node: YNode | null | undefined): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** Reports every key of `map` not in `allowed`; `what` names the mapping in the message. */
export function checkKeys(src: ItemSource, map: MapNode, allowed: readonly string[], what: string): void {
  for (const key of map.keys) {
    const text = scalarText(key);
    if (text === undefined || !allowed.includes(text)) {
      src.report(key ? src.posOf(key) : src.posOf(map), `unknown key '${text ?? '?'}' in ${what} (expected one of: ${allowed.join(', ')})`);
    }
  }
}

/** The value of `key` (the last one written), with its position; an empty value is placed at its key. */
export function mapField(src: ItemSource, map: MapNode, key: string): { node: YNode | null; pos: Position; text: string | undefined } | undefined {
  for (let i = map.keys.length - 1; i >= 0; i--) {
    const k = map.keys[i];
    if (!isScalar(k) || k.value !== key) continue;
    const node = map.values[i] ?? null;
    const empty = node === null || (isScalar(node) && node.value === null && !node.source);
    return { node, pos: empty ? src.posOf(k) : src.posOf(node), text: scalarText(node) };
  }
  return undefined;
}

/**
 * One expectation: `{name, from, to, proto, port, http, expect, reason, why, source}`. Every problem is
 * reported; undefined when the item cannot be used. `names` holds the names seen so far
 * and gets this item's.
 */
export function readExpectation(src: ItemSource, item: YNode, names: ExpectationNames): Expectation | undefined {
  const itemPos = src.posOf(item);
  if (!isMap(item)) {
    src.report(itemPos, 'an expectation must be a mapping (expected from, to, proto, port, expect)');
    return undefined;
  }
  checkKeys(src, item, KEYS, 'an expectation');
  const field = (k: string) => mapField(src, item, k);
  const required = (k: 'from' | 'to', hint: string): Located<string> | undefined => {
    const f = field(k);
    if (!f) return void src.report(itemPos, `missing '${k}' (expected ${hint})`);
    if (f.text === undefined || f.text === '') return void src.report(f.pos, `'${k}' must be text (expected ${hint})`);
    return { value: f.text, pos: f.pos };
  };
  const from = required('from', 'a pod, namespace/pod, node:NAME or an IPv4 address');
  const to = required('to', 'a pod, namespace/pod, node:NAME, svc:NAMESPACE/NAME or an IPv4 address');

  let proto: Located<Proto> | undefined;
  const p = field('proto');
  if (p) {
    const t = p.text?.toLowerCase();
    const known = EXPECT_PROTOS.find((x) => x === t);
    if (known) proto = { value: known, pos: p.pos };
    else if (t !== undefined && /^(tcp|udp)\/\d+$/.test(t)) src.report(p.pos, `proto '${p.text}' carries a port (expected proto: ${t.split('/')[0]} and port: ${t.split('/')[1]})`);
    else src.report(p.pos, `unknown proto '${p.text ?? '?'}' (expected icmp, tcp or udp)`);
  }
  let port: Located<number> | undefined;
  const pt = field('port');
  if (pt) {
    const n = isScalar(pt.node) && typeof pt.node.value === 'number' ? pt.node.value : pt.text !== undefined && /^\d+$/.test(pt.text) ? Number(pt.text) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 65535) src.report(pt.pos, `bad port '${pt.text ?? '?'}' (expected 1..65535)`);
    else port = { value: n, pos: pt.pos };
  }
  if (proto?.value === 'icmp' && pt) src.report(pt.pos, 'icmp takes no port (expected no port with proto: icmp)');
  if (proto && proto.value !== 'icmp' && !pt) src.report(proto.pos, `${proto.value} needs a port (expected port: 1..65535)`);
  if (!proto && pt) src.report(pt.pos, 'a port needs a protocol (expected proto: tcp or udp)');

  const http = readHttp(src, field('http'));
  if (http && proto && proto.value !== 'tcp') src.report(http.pos, `an HTTP request needs proto: tcp (this flow is ${proto.value})`);

  let expect: ExpectedVerdict | undefined;
  const e = field('expect');
  if (!e) src.report(itemPos, "missing 'expect' (expected FORWARDED or DROPPED)");
  else {
    expect = EXPECTED_VERDICTS.find((v) => v === e.text);
    if (!expect) src.report(e.pos, `unknown verdict '${e.text ?? '?'}' (expected FORWARDED or DROPPED)`);
  }

  let reason: string | null = null;
  const r = field('reason');
  if (r) {
    if (r.text === undefined || !REASONS.has(r.text)) src.report(r.pos, `unknown drop reason '${r.text ?? '?'}' (expected a Hubble drop reason name, e.g. POLICY_DENIED)`);
    else if (expect === 'FORWARDED') src.report(r.pos, 'a reason goes with expect: DROPPED (expected no reason for FORWARDED)');
    else reason = r.text;
  }

  let name: string | null = null;
  const nm = field('name');
  if (nm) {
    const first = nm.text === undefined ? undefined : names.get(nm.text);
    if (nm.text === undefined || nm.text.trim() === '') src.report(nm.pos, "'name' must be text (expected a short unique name)");
    else if (first) src.report(nm.pos, `duplicate name '${nm.text}' (expected each name once; first at ${firstAt(first, nm.pos)})`);
    else {
      names.set(nm.text, nm.pos);
      name = nm.text;
    }
  }
  const notes: { why?: string; source?: string } = {};
  for (const k of ['why', 'source'] as const) {
    const f = field(k);
    if (!f) continue;
    if (f.text === undefined || f.text.trim() === '') src.report(f.pos, `'${k}' must be text (expected a note; it is shown, not checked)`);
    else notes[k] = f.text;
  }
  if (!from || !to || !expect) return undefined;
  return { name, from, to, proto, port, ...(http ? { http } : {}), expect, reason, ...notes, pos: itemPos };
}

/**
 * `http:` as the string 'METHOD /PATH' (the CLI's --http) or a mapping {method, path, host,
 * headers: ['Name: value', …]}: each problem at its token.
 */
function readHttp(src: ItemSource, f: ReturnType<typeof mapField>): Expectation['http'] {
  if (!f) return undefined;
  if (f.text !== undefined) {
    const line = parseRequestLine(f.text);
    if (typeof line === 'string') return void src.report(f.pos, `bad http '${f.text}': ${line}`);
    return { value: { ...line, headers: [] }, pos: f.pos };
  }
  if (!isMap(f.node)) return void src.report(f.pos, "'http' must be 'METHOD /PATH' or a mapping (expected method, path, host, headers)");
  const m = f.node;
  checkKeys(src, m, FIELDS.expectationHttp, 'http');
  const text = (k: string) => mapField(src, m, k);
  const method = text('method');
  const path = text('path');
  if (!path || path.text === undefined) return void src.report(path?.pos ?? f.pos, "missing 'path' in http (expected a path starting with /)");
  const line = parseRequestLine(`${method?.text ?? 'GET'} ${path.text}`);
  if (typeof line === 'string') return void src.report((method && !/^[A-Z][A-Z-]*$/.test(method.text ?? '') ? method.pos : path.pos), `bad http request: ${line}`);
  const host = text('host');
  if (host && (host.text === undefined || host.text === '')) src.report(host.pos, "'host' must be text (expected a host name)");
  const headers: Array<{ name: string; value: string }> = [];
  const h = text('headers');
  if (h && (!isSeq(h.node))) src.report(h.pos, "'headers' must be a list (expected ['Name: value', …])");
  else if (h && isSeq(h.node)) {
    for (const item of h.node.items) {
      const t = scalarText(item);
      const p = t === undefined ? "expected 'Name: value'" : parseHeader(t);
      if (typeof p === 'string') src.report(item ? src.posOf(item) : h.pos, `bad header '${t ?? '?'}': ${p}`);
      else headers.push(p);
    }
  }
  return { value: { ...line, ...(host?.text ? { host: host.text } : {}), headers }, pos: f.pos };
}

/**
 * A mapping item with problems, kept for `check` to report as a failed case: what could be
 * read of it, the problems attached. Its name is taken only when it is free.
 */
function invalidItem(src: ItemSource, item: MapNode, names: ExpectationNames, problems: ReadonlyArray<{ pos: Position; message: string }>): Expectation {
  const pos = src.posOf(item);
  const text = (k: string): Located<string> => {
    const f = mapField(src, item, k);
    return { value: f?.text ?? '?', pos: f?.pos ?? pos };
  };
  const nm = mapField(src, item, 'name')?.text;
  const name = nm !== undefined && nm.trim() !== '' && !names.has(nm) ? nm : null;
  if (name !== null) names.set(name, pos);
  const e = mapField(src, item, 'expect')?.text;
  return { name, from: text('from'), to: text('to'), proto: undefined, port: undefined, expect: EXPECTED_VERDICTS.find((v) => v === e) ?? 'FORWARDED', reason: null, pos, problems };
}

/**
 * A list of expectations; `what` names the list when it is not one or is empty. `lenient`:
 * a mapping item with problems is kept with them (see Expectation.problems), not reported.
 */
export function readExpectationList(src: ItemSource, node: YNode, pos: Position, names: ExpectationNames, what: string, into: Expectation[], lenient = false): void {
  if (!isSeq(node)) {
    src.report(pos, `${what} must be a list (expected - from: … entries)`);
    return;
  }
  if (node.items.length === 0) src.report(pos, 'the list of expectations is empty (expected at least one)');
  for (const item of node.items) {
    if (item === null) continue; // an alias to nothing, reported by the YAML reader
    if (!lenient || !isMap(item)) {
      const e = readExpectation(src, item, names);
      if (e) into.push(e);
      continue;
    }
    const mine: Array<{ pos: Position; message: string }> = [];
    const own: ItemSource = { posOf: (n) => src.posOf(n), report: (p, message) => mine.push({ pos: p, message }) };
    const before = new Map(names);
    const e = readExpectation(own, item, names);
    if (e && mine.length === 0) {
      into.push(e);
      continue;
    }
    names.clear();
    for (const [k, v] of before) names.set(k, v);
    mine.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
    into.push(invalidItem(src, item, names, mine));
  }
}

/**
 * A Scenario document's `expect:` list, if it has one (read in input order, names unique
 * across documents). `lenient` (check): as for an expectations file, an item with problems is
 * kept with them, to be a failed case while the others run.
 */
export function readScenarioExpectations(root: MapView, names: ExpectationNames, into: Expectation[], lenient = false): void {
  const e = root.entry('expect');
  if (e) readExpectationList(root.src, e.node, e.pos, names, 'expect', into, lenient);
}

/** The keys of an expectations file (`kind: Expectations`). */
export const EXPECTATIONS_FILE_KEYS = ['apiVersion', 'kind', 'expectations'] as const;

/**
 * The `expectations:` list of an expectations file's mapping. The same object is read by
 * `check -e FILE` and when it is one of the inputs (`-f dir/` holding expectations.yaml
 * beside the cluster): then every command reads it and `check` runs it.
 */
export function readExpectationsMap(src: ItemSource, root: MapNode, names: ExpectationNames, into: Expectation[], lenient = false): void {
  checkKeys(src, root, EXPECTATIONS_FILE_KEYS, 'the expectations file');
  const f = mapField(src, root, 'expectations');
  if (!f) src.report(src.posOf(root), "missing 'expectations' (expected a list of {from, to, proto, port, expect})");
  else if (f.node) readExpectationList(src, f.node, f.pos, names, 'expectations', into, lenient);
}
