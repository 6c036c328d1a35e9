// What the fuzzer feeds the CLI: mutations of every shipped scenario (deleted keys, wrong
// types, out-of-range numbers, bad addresses, duplicated items, prototype keys, raw text
// damage), generated clusters (valid and invalid), random bytes, and random command lines.
// A case is plain data; applying it (mutations.ts) is deterministic.
import fc from 'fast-check';
import { corpus } from './corpus.js';

/** Where a mutation applies: indexes chosen modulo the size of each level. */
export interface StructOp {
  readonly path: readonly number[];
  readonly op: 'delete' | 'set' | 'dup' | 'proto' | 'rename' | 'wrap' | 'deep';
  readonly value: unknown;
  readonly protoKey: string;
}

export interface RawOp {
  readonly at: number;
  readonly op: 'deleteLine' | 'dupLine' | 'swapLines' | 'insert' | 'truncate' | 'indent';
  readonly text: string;
  readonly n: number;
}

export type InputPlan =
  | { readonly kind: 'mutate'; readonly entry: number; readonly file: number; readonly struct: readonly StructOp[]; readonly raw: readonly RawOp[] }
  | { readonly kind: 'generate'; readonly cluster: GeneratedCluster; readonly raw: readonly RawOp[] }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'none' };

export interface FuzzCase {
  readonly input: InputPlan;
  /**
 * The command line; `{F}` is replaced by the input path (a file or a directory), `{Nk}` by
 * the k-th name (modulo) found in the input (pods, nodes, services…).
 */
  readonly argv: readonly string[];
}

// ---- values ------------------------------------------------------------------------------

export const BAD_IPS = ['300.1.2.3', '1.2.3', '10.0.0.1/33', '::1', 'fe80::1', '0.0.0.0', '255.255.255.255', '127.0.0.1', '224.0.0.1', '10.0.0.01', ' 10.0.0.1', '10.0.0.0', '10.0.0.255', '1.2.3.4.5', '-1.0.0.0'];
export const BAD_CIDRS = ['10.0.0.0/33', '10.0.0.1/24', '0.0.0.0/0', '10.0.0.0/31', '10.0.0.0/-1', '10.0.0.0/', '/24', '10.0.0.0/24x', '2001:db8::/32', '10.0.0.0/08'];
export const BAD_MACS = ['zz:zz:zz:zz:zz:zz', '01:00:5e:00:00:01', '00:00:00:00:00:00', '52:54:00:12:34', '52-54-00-12-34-56', '52:54:00:12:34:56:78', 'ff:ff:ff:ff:ff:ff'];
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const ODD_STRINGS = ['', ' ', 'null', '~', 'true', 'yes', 'no', 'on', '0x1F', '0o17', '017', '1e3', '.inf', '-.inf', '.nan', '-', ':', '- x', '#', 'a: b', '{', '}', '[', ']', '"', "'", '&a', '*a', '!!binary', '|', '>', '%', '@', '`', '\t', '\u0000', '\u2028', '\ufeff', 'é', '😀', 'a\nb', 'x'.repeat(300), 'ALL', 'ANY', 'TCP', 'icmp', 'Ingress', 'k8s:app', 'reserved:host', 'reserved:nope', 'any:app', 'foo/bar/baz', 'http', '0', '65536', '-1'];
const NUMBERS = [0, -1, 1, 8, 53, 80, 255, 256, 576, 4095, 4096, 9216, 9217, 65535, 65536, 2 ** 31, 2 ** 32, 2 ** 53, 1.5, -0, 1e21, Number.NaN, Number.POSITIVE_INFINITY];

export function payloadArb(): fc.Arbitrary<unknown> {
  const names = [...new Set(corpus().flatMap((e) => e.names))];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 3, arbitrary: fc.constantFrom(...BAD_IPS, ...BAD_CIDRS, ...BAD_MACS) },
    { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom([], {}, [1, 2], { a: 'b' }, ['x'], { matchLabels: { app: 'x' } }) },
  );
}

const structOpArb = (): fc.Arbitrary<StructOp> =>
  fc.record({
    path: fc.array(fc.nat(1000), { maxLength: 9 }),
    op: fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom<StructOp['op']>('delete', 'delete', 'set', 'set', 'set', 'dup', 'dup', 'proto', 'proto', 'rename', 'wrap') },
      { weight: 1, arbitrary: fc.constant<StructOp['op']>('deep') },
    ),
    value: payloadArb(),
    protoKey: fc.constantFrom(...PROTO_KEYS),
  });

const SNIPPETS = [':', ' ', '\t', '-', '- ', '[', ']', '{', '}', '"', "'", '&a ', '*a', '!!str ', '!foo ', '|', '>', '#', '\n', '---\n', '...\n', '? ', '%YAML 1.2\n', '\u0000', '\r\n', '\ufeff', 'é', '&x [*x]', '<<: *a', ',', '\\', '  ', 'key: value\n', '- item\n', '{a: 1}', '[1, 2]', '"\\x"', "''", '~', 'null'];

const rawOpArb = (): fc.Arbitrary<RawOp> =>
  fc.record({
    at: fc.nat(1_000_000),
    op: fc.constantFrom<RawOp['op']>('deleteLine', 'dupLine', 'swapLines', 'insert', 'insert', 'truncate', 'indent'),
    text: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 4 })),
    n: fc.integer({ min: -3, max: 3 }),
  });

// ---- generated clusters --------------------------------------------------------------------

export interface GeneratedCluster {
  readonly nodes: ReadonlyArray<{ name: string; ip: string; cidr: string }>;
  readonly namespaces: ReadonlyArray<{ name: string; labels: Record<string, string> }>;
  readonly pods: ReadonlyArray<{ name: string; ns: string; node: string; ip: string; labels: Record<string, string>; ports: ReadonlyArray<{ name: string; port: unknown; protocol: string }> }>;
  readonly services: ReadonlyArray<{ name: string; ns: string; ip: string; type: string; selector: Record<string, string>; port: unknown; target: unknown; nodePort: unknown }>;
  readonly policies: ReadonlyArray<Record<string, unknown>>;
  readonly asScenario: boolean;
}

const labelKey = fc.constantFrom('app', 'tier', 'role', 'env', 'k8s:app', 'team', 'app.kubernetes.io/name', ...PROTO_KEYS, 'Bad Key', '');
const labelValue = fc.constantFrom('web', 'db', 'api', 'prod', 'x', '', 'bad value', '-x', ...PROTO_KEYS);
const labelsArb = fc.dictionary(labelKey, labelValue, { maxKeys: 3 });
const nameArb = fc.constantFrom('a', 'b', 'c', 'web', 'db', 'pod1', 'node1', 'Bad_Name', 'x'.repeat(70), '');
const ipArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(10, 192), fc.nat(3), fc.nat(3), fc.integer({ min: 0, max: 255 })).map(([a, b, c, d]) => (a === 10 ? `10.${b}.${c}.${d}` : `192.168.${c}.${d}`)) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_IPS) },
);
const cidrArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.nat(3), fc.nat(3), fc.constantFrom(16, 22, 24, 26, 30)).map(([b, c, len]) => `10.${b}.${c}.0/${len}`) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_CIDRS) },
);
const portArb = fc.oneof(fc.integer({ min: 0, max: 70000 }), fc.constantFrom('http', 'metrics', '80', 'x'.repeat(20), null));
const protocolArb = fc.constantFrom('TCP', 'UDP', 'SCTP', 'ANY', 'ICMP', 'tcp', '');

const policyArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({
    apiVersion: fc.constantFrom('cilium.io/v2', 'cilium.io/v1'),
    kind: fc.constantFrom('CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'),
    metadata: fc.record({ name: nameArb, namespace: fc.constantFrom('default', 'other') }),
    spec: fc.record({
      endpointSelector: fc.record({ matchLabels: labelsArb }),
      ingress: fc.array(
        fc.record(
          {
            fromEndpoints: fc.array(fc.record({ matchLabels: labelsArb }), { maxLength: 2 }),
            fromEntities: fc.array(fc.constantFrom('world', 'cluster', 'host', 'all', 'nope'), { maxLength: 2 }),
            fromCIDR: fc.array(cidrArb, { maxLength: 2 }),
            toPorts: fc.array(fc.record({ ports: fc.array(fc.record({ port: portArb, protocol: protocolArb }), { maxLength: 2 }) }), { maxLength: 2 }),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      egressDeny: fc.option(fc.array(fc.record({ toCIDRSet: fc.array(fc.record({ cidr: cidrArb, except: fc.array(cidrArb, { maxLength: 2 }) }), { maxLength: 2 }) }), { maxLength: 2 }), { nil: undefined }),
    }, { requiredKeys: ['endpointSelector'] }),
  }),
  fc.record({
    apiVersion: fc.constant('networking.k8s.io/v1'),
    kind: fc.constant('NetworkPolicy'),
    metadata: fc.record({ name: nameArb, namespace: fc.constantFrom('default', 'other') }),
    spec: fc.record({
      podSelector: fc.record({ matchLabels: labelsArb }),
      policyTypes: fc.array(fc.constantFrom('Ingress', 'Egress', 'Both'), { maxLength: 2 }),
      ingress: fc.array(fc.record({ from: fc.array(fc.record({ podSelector: fc.record({ matchLabels: labelsArb }), namespaceSelector: fc.record({ matchLabels: labelsArb }) }, { requiredKeys: [] }), { maxLength: 2 }), ports: fc.array(fc.record({ port: portArb, protocol: protocolArb, endPort: fc.option(portArb, { nil: undefined }) }, { requiredKeys: ['port'] }), { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }),
    }, { requiredKeys: [] }),
  }),
);

export const clusterArb: fc.Arbitrary<GeneratedCluster> = fc.record({
  nodes: fc.array(fc.record({ name: nameArb, ip: ipArb, cidr: cidrArb }), { maxLength: 3 }),
  namespaces: fc.array(fc.record({ name: fc.constantFrom('default', 'other', 'kube-system', 'Bad'), labels: labelsArb }), { maxLength: 2 }),
  pods: fc.array(fc.record({ name: nameArb, ns: fc.constantFrom('default', 'other'), node: nameArb, ip: ipArb, labels: labelsArb, ports: fc.array(fc.record({ name: fc.constantFrom('http', 'metrics', 'HTTP', 'x--y', ''), port: portArb, protocol: protocolArb }), { maxLength: 2 }) }), { maxLength: 5 }),
  services: fc.array(fc.record({ name: nameArb, ns: fc.constantFrom('default', 'other'), ip: fc.oneof(ipArb, fc.constant('None')), type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', 'Bogus'), selector: labelsArb, port: portArb, target: portArb, nodePort: portArb }), { maxLength: 2 }),
  policies: fc.array(policyArb, { maxLength: 3 }),
  asScenario: fc.boolean(),
});

// ---- command lines -------------------------------------------------------------------------

const PROTOS = ['icmp', 'icmp', 'tcp/80', 'tcp/80', 'udp/53', 'tcp/8080', 'tcp/443', 'tcp/5432', 'tcp/0', 'tcp/65536', 'tcp', 'udp', 'sctp/1', 'ICMP', 'tcp/x', 'icmp/8'];
const TRACE_OPTIONS: ReadonlyArray<readonly string[]> = [
  ['-l', 'minimal'], ['-l', 'summary'], ['-l', 'detailed'], ['-o', 'json'], ['-o', 'monitor'], ['-o', 'hubble'],
  ['--reply'], ['--arp'], ['--ct', 'established'], ['--ct', 'reply'], ['--sport', '1'], ['--sport', '65535'],
  ['--backend', '10.0.1.105'], ['--backend', '10.0.1.105:80'], ['--color'], ['--no-color'], ['--max-input-size', '100000000'],
];
const BAD_TRACE_OPTIONS: ReadonlyArray<readonly string[]> = [
  ['-l', 'loud'], ['-o', 'xml'], ['--ct', 'nope'], ['--sport', '70000'], ['--sport', 'x'], ['--backend', 'nope'], ['--max-input-size', '100'], ['--max-input-size', '0'], ['--max-input-size', 'x'], ['--reply', '--ct', 'new'],
];
const MAPS = ['ipcache', 'endpoint', 'policy', 'tunnel', 'lb', 'egress', 'ct', 'nat', 'calls', 'nope'];
const MAP_OPTIONS: ReadonlyArray<readonly string[]> = [['--why'], ['--node', 'node1'], ['--node', 'nope'], ['--after', 'pod1 pod3 icmp'], ['--after', 'x']];
/** Words that would read standard input, start an interactive shell or write files: never generated. */
export const FORBIDDEN_ARGS = new Set(['-', 'shell', '--update', '--junit', '--golden', '--debug']);

export function argvArb(): fc.Arbitrary<string[]> {
  const names = [...new Set(corpus().flatMap((e) => e.names))];
  const endpoint = fc.oneof(
    { weight: 12, arbitrary: fc.nat(50).map((k) => `{N${k}}`) },
    { weight: 2, arbitrary: fc.constantFrom(...names) },
    { weight: 2, arbitrary: fc.constantFrom('pod1', 'pod3', 'svc:web', 'svc:default/web', 'node:node1', '10.0.0.157', '1.2.3.167', '8.8.8.8', 'default/pod1', 'a/b/c', 'svc:', 'node:', '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  );
  const opts = (pool: ReadonlyArray<readonly string[]>) => fc.subarray([...pool], { maxLength: 3 }).map((xs) => xs.flat());
  const input = fc.oneof(
    { weight: 20, arbitrary: fc.constant(['-f', '{F}']) },
    { weight: 1, arbitrary: fc.constantFrom(['--scenario', 'default'], ['--scenario', 'nope'], ['-f', '{F}', '--scenario', 'x'], []) },
  );
  const traceOpts = fc.oneof({ weight: 6, arbitrary: opts(TRACE_OPTIONS) }, { weight: 1, arbitrary: opts(BAD_TRACE_OPTIONS) });
  const trace = fc.tuple(input, endpoint, endpoint, fc.option(fc.constantFrom(...PROTOS), { nil: undefined }), traceOpts)
    .map(([i, s, d, p, o]) => [...i, s, d, ...(p === undefined ? [] : [p]), ...o]);
  const maps = fc.tuple(input, fc.constantFrom(...MAPS), fc.option(endpoint, { nil: undefined }), opts(MAP_OPTIONS))
    .map(([i, m, t, o]) => ['maps', m, ...(t === undefined ? [] : [t]), ...o, ...i]);
  const validate = input.map((i) => ['validate', ...i]);
  const other = fc.oneof(
    input.map((i) => ['matrix', ...i]),
    fc.tuple(input, fc.constantFrom('icmp', 'tcp/80', 'udp/53', 'x')).map(([i, p]) => ['matrix', ...i, '-p', p, '-o', 'csv']),
    input.map((i) => ['devices', ...i]),
    fc.constantFrom<string[]>(['explain', '133'], ['explain', 'DROP_POLICY'], ['explain', 'nope'], ['explain', '--list'], ['completion', 'bash'], ['completion', 'nope'], ['exercise', 'list'], ['--help'], ['maps', '--help'], ['--version']),
    input.map((i) => ['diff', ...i, '--f2', '{F}']),
  );
  const garbage = fc.array(
    fc.oneof(fc.constantFrom('-f', '{F}', '-o', '-l', '--scenario', '--node', 'maps', 'validate', 'policy', 'pod1', 'pod3', 'icmp', '--reply', '--ct', '--', '-x', '--bogus', '=', '--sport=1', '-lminimal'), fc.string({ maxLength: 5 })),
    { maxLength: 7 },
  );
  return fc
    .oneof({ weight: 6, arbitrary: trace }, { weight: 2, arbitrary: maps }, { weight: 2, arbitrary: validate }, { weight: 1, arbitrary: other }, { weight: 2, arbitrary: garbage })
    .filter((argv) => !argv.some((a) => FORBIDDEN_ARGS.has(a)));
}

export function inputArb(): fc.Arbitrary<InputPlan> {
  const entries = corpus();
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('mutate' as const),
        entry: fc.nat(entries.length - 1),
        file: fc.nat(20),
        struct: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(structOpArb(), { minLength: 1, maxLength: 3 }) }),
        raw: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(rawOpArb(), { minLength: 1, maxLength: 2 }) }),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('generate' as const), cluster: clusterArb, raw: fc.array(rawOpArb(), { maxLength: 1 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 200 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  );
}

export function caseArb(): fc.Arbitrary<FuzzCase> {
  return fc.record({ input: inputArb(), argv: argvArb() });
}
