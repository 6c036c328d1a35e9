// Reading a set of inputs as one cluster: every YAML document of every file (multi-document
// streams, `kind: List` with `items`), dispatched by kind to the Scenario reader or the
// Kubernetes readers, then validated together so duplicates across files are found, and
// assembled into the Scenario model. Kinds not modelled are listed in `skipped`.
import { isMap, isScalar, MapNode, ScalarNode, type YNode } from './ast.js';
import { InputError, type Position, type Problem } from '../errors.js';
import { assemble, type ServiceDraft } from './assemble.js';
import { dnsSubdomain, firstAt, reportDuplicates } from './checks.js';
import { readDnsAnswers, type DnsAnswer } from './dns-input.js';
import { readExpectationsMap, readScenarioExpectations, type Expectation } from './expect-input.js';
import { API_VERSION, EXPECTATIONS_KIND, K8S_KINDS, KIND, POLICY_KINDS } from './fields.js';
import { implicitNamespace, readNamespace, readNode, readPod, readService, type NamespaceDraft } from './k8s.js';
import { readCiliumNode, type CiliumNodeInfo } from './cilium-node.js';
import { readCiliumEndpoint, readCiliumIdentity, readEndpointSlice, type EndpointPin, type SliceDraft } from './cilium-objects.js';
import { applyEndpointPins, applySlices } from './cilium-pins.js';
import { isCiliumDaemonSet, profileOfConfigKeys, profileOfDaemonSet, type ProfileChoice } from './cilium-release.js';
import { isCiliumConfig } from './cilium-config.js';
import { clusterSettings } from './cluster-settings.js';
import { releaseOfProfile } from '../cilium/releases/release.js';
import type { Feature } from '../cilium/releases/features.js';
import { checkNodes, NodeCollector, readNodes } from './nodes.js';
import { checkPods, readPods, type PodDraft } from './pods.js';
import { checkPolicies, readPolicy, type PolicyDraft } from './policy-input.js';
import { exactly, list, looseMap, parsed, readMap, rootEntry, Sink, Source, str, type Entry, type Field, type MapView, type Reader } from './raw.js';
import { positionIn } from './yaml-text.js';
import { readInput, type Input } from './input-reader.js';
import { readWorkload, WORKLOAD_KINDS } from './owners.js';
import type { CiliumIdentitySpec, ClusterSettings, IgnoredInput, LoadWarning, NamespaceSpec, Scenario, SkippedObject, SkippedPod, WorkloadSpec } from './types.js';
import { electGateways, nodeLabelsOf, readRedirectObject, REDIRECT_KINDS, type RedirectObject } from './k8s-redirects.js';

export type { Input, InputStream, InputText } from './input-reader.js';

/** One object of the input, before it is read according to its kind. */
interface InputObject {
  readonly src: Source;
  readonly entry: Entry;
  readonly map: MapView;
  readonly kind: string;
  readonly kindPos: Position;
}

/** What an object read on the spot contributed. */
interface Contribution {
  readonly pods?: PodDraft[];
  readonly policies?: PolicyDraft[];
  readonly namespaces?: NamespaceDraft[];
  readonly services?: ServiceDraft[];
  readonly skipped?: SkippedObject[];
  readonly workloads?: WorkloadSpec[];
  readonly pins?: EndpointPin[];
  readonly identities?: CiliumIdentitySpec[];
  readonly slices?: SliceDraft[];
  readonly warnings?: LoadWarning[];
  readonly skippedPods?: SkippedPod[];
  readonly redirects?: RedirectObject[];
}

/** Kinds read only once every input is in: Scenario (its cluster section), Node and CiliumNode. */
// Expectations files are read in input order with the scenarios' `expect:` lists (names unique across them).
const DEFERRED_KINDS = new Set([KIND, 'Node', 'CiliumNode', EXPECTATIONS_KIND]);

/**
 * The objects of all inputs, in input order. Most are read as soon as they are met, so the
 * YAML they came from can be dropped right away (a 50,000-pod List is never held whole);
 * Scenario documents, Nodes and CiliumNodes wait for build(), which needs them all first.
 */
class Collected {
  readonly slots: Array<{ readonly deferred: InputObject } | { readonly read: Contribution }> = [];
  /** Documents that are no object (no kind): listed in one note. */
  readonly ignored: IgnoredInput[] = [];
  count = 0;
  /** Objects that are neither Scenario nor Expectations documents. */
  k8s = 0;
  firstPos: Position | undefined;

  constructor(private readonly sink: Sink) {}

  add(o: InputObject): void {
    this.count++;
    // Cluster objects: without a Scenario document, their datapath settings come from cilium-config.
    if (o.kind === 'Node' || o.kind === 'Pod') this.k8s++;
    this.firstPos ??= o.map.pos;
    const deferred = DEFERRED_KINDS.has(o.kind) || (o.kind === 'ConfigMap' && isCiliumConfig(o.map)) || (o.kind === 'DaemonSet' && isCiliumDaemonSet(o.map));
    this.slots.push(deferred ? { deferred: o } : { read: readNow(this.sink, o) });
  }

  mark(): { slots: number; count: number; k8s: number; firstPos: Position | undefined; problems: number; ignored: number; warnings: number; ipv6: number } {
    return { slots: this.slots.length, count: this.count, k8s: this.k8s, firstPos: this.firstPos, problems: this.sink.problems.length, ignored: this.ignored.length, warnings: this.sink.warnings.length, ipv6: this.sink.ipv6.length };
  }

  /** Forgets everything added (and reported) since `m`. */
  rollback(m: ReturnType<Collected['mark']>): void {
    this.slots.length = m.slots;
    this.count = m.count;
    this.k8s = m.k8s;
    this.firstPos = m.firstPos;
    this.sink.problems.length = m.problems;
    this.ignored.length = m.ignored;
    this.sink.warnings.length = m.warnings;
    this.sink.ipv6.length = m.ipv6;
  }
}

const EMPTY_FILE = 'file is empty (expected a cilium-trace Scenario or Kubernetes objects)';

/**
 * Reads, validates and assembles inputs (in the order given) into one Scenario. The
 * scenario is named by the first Scenario document, else `fallbackName`. Throws one
 * InputError listing every problem in every file. `lenientExpectations` (check): expectation
 * items with problems are kept with them (Expectation.problems) unless the load fails anyway.
 */
export function readInputs(inputs: readonly Input[], fallbackName: string, cilium?: ProfileChoice, lenientExpectations = false): Scenario {
  const sink = new Sink();
  for (const input of inputs) sink.addFile(input.file);
  const collected = new Collected(sink);
  for (const input of inputs) collectFile(sink, input, collected);
  let scenario: Scenario | undefined;
  try {
    scenario = build(sink, collected, inputs[0]?.file ?? '', fallbackName, cilium, lenientExpectations);
  } catch (e) {
    // A part of a Node or Scenario document read now (ast.ts) that is not valid YAML or JSON.
    if (!(e instanceof InputError)) throw e;
    throw new InputError([...sink.problems, ...e.problems]);
  }
  if (!scenario && sink.problems.length === 0) sink.report({ file: inputs[0]?.file ?? '', line: 1, col: 1 }, noObjects(collected.ignored));
  // A load lost anyway reports the problems of the expectations kept for check with the rest.
  if (sink.problems.length > 0 || !scenario) throw new InputError([...sink.problems, ...(scenario?.expectations ?? []).flatMap((e) => e.problems ?? [])]);
  return scenario;
}

function isEmpty(node: YNode | null): node is null {
  return node === null || (isScalar(node) && node.value === null && !node.source);
}

function collectFile(sink: Sink, input: Input, out: Collected): void {
  // Editors hide a byte-order mark; drop it so line 1 columns match what users see.
  const read: Input = 'text' in input ? { file: input.file, text: input.text.replace(/^\uFEFF/, '') } : input;
  const fileMark = out.mark();
  let docMark = fileMark;
  let nonEmpty = 0;
  let nonEmptyAtDoc = 0;
  const itemSrc = new Source(input.file, sink);
  /** Streamed List items that have no kind of their own, with their index. */
  const deferred: Array<[YNode, number]> = [];
  // A part of an object read when first asked for (ast.ts) may not be valid YAML or JSON:
  // its problem is reported with the others.
  const reported = (read: () => void): void => {
    try {
      read();
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      for (const p of e.problems) sink.report(p.pos, p.message);
    }
  };
  const problems = readInput(read, {
    onDocument: (root) => {
      if (isEmpty(root)) return;
      nonEmpty++;
      if (!hasKind(root)) {
        out.ignored.push({ where: root.line === 1 ? input.file : `${input.file}:${root.line}`, why: 'no kind' });
        return;
      }
      const src = new Source(input.file, sink);
      reported(() => collectObject(src, rootEntry(src, root), out, new Set()));
      // Streamed items without a kind: the List's kind (printed after them) names it now.
      const typed = deferred.length > 0 ? listType(root) : undefined;
      for (const [item, i] of deferred.splice(0)) reported(() => collectObject(itemSrc, { label: `items[${i}]`, node: typed ? typedItem(item, typed) : item, pos: itemSrc.posOf(item) }, out, new Set()));
    },
    // The items of a large List, as they are read (the List document then has none left).
    onListItem: (item, i) => {
      if (isMap(item) && !hasKey(item, 'kind')) deferred.push([item, i]);
      else reported(() => collectObject(itemSrc, { label: `items[${i}]`, node: item, pos: itemSrc.posOf(item) }, out, new Set()));
    },
    documentStart: () => {
      docMark = out.mark();
      nonEmptyAtDoc = nonEmpty;
      deferred.length = 0;
    },
    restart: (all) => {
      deferred.length = 0;
      out.rollback(all ? fileMark : docMark);
      nonEmpty = all ? 0 : nonEmptyAtDoc;
    },
  });
  // A stream (a large JSON dump) is no template; a text may be one.
  const text = 'text' in read ? read.text : undefined;
  if (text !== undefined && isTemplate(text, [...problems, ...sink.problems.slice(fileMark.problems)])) {
    // One line instead of the YAML errors a Helm/Go template makes.
    out.rollback(fileMark);
    sink.report(positionIn(input.file, text, text.indexOf('{{')), TEMPLATE);
    return;
  }
  if (problems.length > 0) {
    out.rollback(fileMark); // a file with a syntax error contributes nothing, as a whole
    for (const p of problems) sink.report(p.pos, p.message);
    return;
  }
  if (nonEmpty === 0) sink.report({ file: input.file, line: 1, col: 1 }, EMPTY_FILE);
}

/**
 * A Helm/Go template: a problem on a line with `{{`. Valid YAML may hold `{{` in strings
 * (alerting rules do), so the text alone does not decide.
 */
function isTemplate(text: string, problems: readonly Problem[]): boolean {
  if (problems.length === 0 || !text.includes('{{')) return false;
  const lines = text.split('\n');
  return problems.some((p) => lines[p.pos.line - 1]?.includes('{{') === true);
}

const TEMPLATE = "a Helm/Go template ('{{'), not Kubernetes objects: render it first (helm template RELEASE CHART > rendered.yaml) and pass the output";

/**
 * Does a mapping say what it is? One without `kind` (Chart.yaml, values.yaml, a
 * kustomization without its kind, an editor's config) is no Kubernetes object and is passed
 * over with a note; cilium-trace's own documents (apiVersion cilium-trace/v1) must have one.
 */
function hasKind(root: YNode): boolean {
  if (!isMap(root)) return true; // a list or a scalar: reported as not a mapping
  let kind: YNode | null | undefined;
  let api: YNode | null | undefined;
  root.keys.forEach((k, i) => {
    if (isScalar(k) && k.value === 'kind') kind = root.values[i];
    if (isScalar(k) && k.value === 'apiVersion') api = root.values[i];
  });
  if (isScalar(api) && api.value === API_VERSION) return true;
  return kind !== undefined && kind !== null && !(isScalar(kind) && (kind.value === null || kind.value === ''));
}

/** The problem of an input without a single object. */
function noObjects(ignored: readonly IgnoredInput[]): string {
  const list = ignored.slice(0, 10).map((i) => `${i.where} (${i.why})`).join(', ');
  const more = ignored.length > 10 ? ` and ${ignored.length - 10} more` : '';
  return `no Kubernetes objects in the input${ignored.length > 0 ? ` (skipped: ${list}${more})` : ''} (expected kubectl get -o yaml output or a cilium-trace Scenario)`;
}

/**
 * An object, or the items of a List (kubectl's `kind: List`, or a typed PodList, …). A
 * List reached again through YAML aliases is read once (`enclosing`: the Lists around it).
 */
function collectObject(src: Source, e: Entry, out: Collected, enclosing: Set<YNode>): void {
  const m = looseMap(src, e);
  if (!m) return;
  const kind = m.req('kind', str);
  if (!kind) return;
  const items = m.entry('items');
  if (kind.value === 'List' || (kind.value.endsWith('List') && items)) {
    if (!items || (isScalar(items.node) && items.node.value === null)) return;
    if (enclosing.has(e.node)) {
      src.report(e.pos, `${kind.value} contains itself (through a YAML alias)`);
      return;
    }
    enclosing.add(e.node);
    const typed = listType(e.node);
    for (const item of list(src, items) ?? []) collectObject(src, typed ? { ...item, node: typedItem(item.node, typed) } : item, out, enclosing);
    enclosing.delete(e.node);
    return;
  }
  out.add({ src, entry: e, map: m, kind: kind.value, kindPos: kind.pos });
}

/**
 * A typed List (`kind: PodList`) names its items' kind: Go writes the items of a typed list
 * without apiVersion and kind (their TypeMeta is empty), as `cilium sysdump` does in
 * k8s-pods-<time>.yaml (cilium-cli sysdump/writers.go writeYAML: yaml.Marshal of each item,
 * the List's apiVersion before the items and its kind after them).
 */
function listType(node: YNode | null): { kind: string; apiVersion: string | undefined } | undefined {
  if (!isMap(node)) return undefined;
  const kind = scalarAt(node, 'kind');
  if (typeof kind !== 'string' || !kind.endsWith('List') || kind === 'List') return undefined;
  const api = scalarAt(node, 'apiVersion');
  return { kind: kind.slice(0, -'List'.length), apiVersion: typeof api === 'string' ? api : undefined };
}

function scalarAt(node: MapNode, key: string): unknown {
  const i = node.keys.findIndex((k) => isScalar(k) && k.value === key);
  const v = i >= 0 ? node.values[i] : undefined;
  return v && isScalar(v) ? v.value : undefined;
}

function hasKey(node: MapNode, key: string): boolean {
  return node.keys.some((k) => isScalar(k) && k.value === key);
}

/** The item with the List's kind (and apiVersion) added where it has none, at the item's position. */
function typedItem(node: YNode, t: { kind: string; apiVersion: string | undefined }): YNode {
  if (!isMap(node) || hasKey(node, 'kind')) return node;
  const keys = [...node.keys];
  const values = [...node.values];
  const add = (k: string, v: string) => {
    keys.push(new ScalarNode(k, k, node.line, node.col));
    values.push(new ScalarNode(v, v, node.line, node.col));
  };
  add('kind', t.kind);
  if (t.apiVersion !== undefined && !hasKey(node, 'apiVersion')) add('apiVersion', t.apiVersion);
  return new MapNode(keys, values, node.line, node.col);
}

/** Reads an object that needs nothing from the other inputs (policies, Pods, Services, …). */
function readNow(sink: Sink, o: InputObject): Contribution {
  if (Object.hasOwn(POLICY_KINDS, o.kind)) {
    const p = readPolicy(o.src, o.entry);
    return p ? { policies: [p] } : {};
  }
  switch (o.kind) {
    case 'Namespace': {
      checkApiVersion(o);
      const ns = readNamespace(o.map);
      return ns ? { namespaces: [ns] } : {};
    }
    case 'Pod': {
      checkApiVersion(o);
      const r = readPod(o.map, o.entry.node);
      if (r && 'pod' in r) return { pods: [r.pod] };
      return r ? { skippedPods: [r.skippedPod] } : {};
    }
    case 'Service': {
      checkApiVersion(o);
      const r = readService(o.map);
      if (r && 'service' in r) return { services: [r.service] };
      if (r && 'setAside' in r) return {};
      return r ? { skipped: [{ kind: o.kind, name: r.skipped, pos: o.map.pos }] } : {};
    }
    case 'CiliumEndpoint': {
      const pin = readCiliumEndpoint(o.map);
      return pin ? { pins: [pin] } : {};
    }
    case 'CiliumIdentity': {
      const warnings: LoadWarning[] = [];
      const id = readCiliumIdentity(o.map, (w) => warnings.push(w));
      return { ...(id ? { identities: [id] } : {}), warnings };
    }
    case 'EndpointSlice': {
      const slice = readEndpointSlice(o.map);
      return slice ? { slices: [slice] } : { skipped: [{ kind: o.kind, name: skippedName(o.map), pos: o.map.pos }] };
    }
    default: {
      if (Object.hasOwn(REDIRECT_KINDS, o.kind) && apiVersionOf(o) === REDIRECT_KINDS[o.kind]) {
        const r = readRedirectObject(o.map, o.kind);
        return r ? { redirects: [r] } : {};
      }
      if (isCiliumTrace(o)) {
        sink.report(o.kindPos, `unknown kind '${o.kind}' (expected ${KIND} or ${EXPECTATIONS_KIND})`);
        return {};
      }
      const skipped = [{ kind: o.kind, name: skippedName(o.map), pos: o.map.pos }];
      const workload = WORKLOAD_KINDS.has(o.kind) ? readWorkload(o.src, o.kind, o.entry.node) : undefined;
      return workload ? { skipped, workloads: [workload] } : { skipped };
    }
  }
}

interface ScenarioDoc {
  readonly root: MapView;
  readonly meta?: { name: string; description: string };
}

const readScenarioMetadata: Reader<{ name: string; description: string }> = (src, e) => {
  const m = readMap(src, e, 'scenarioMetadata');
  const name = m?.req('name', parsed(dnsSubdomain('scenario name')));
  const description = m?.opt('description', str);
  return name ? { name: name.value, description: description?.value ?? '' } : undefined;
};

function readScenarioDoc(o: InputObject): ScenarioDoc | undefined {
  const root = readMap(o.src, o.entry, 'scenario');
  if (!root) return undefined;
  root.req('apiVersion', exactly(API_VERSION, 'apiVersion'));
  const meta = root.req('metadata', readScenarioMetadata);
  return { root, ...(meta ? { meta } : {}) };
}

/** The object's apiVersion, if it is a string. */
function apiVersionOf(o: InputObject): string | undefined {
  const api = o.map.entry('apiVersion');
  return api && isScalar(api.node) && typeof api.node.value === 'string' ? api.node.value : undefined;
}

/** Written as one of cilium-trace's own kinds (apiVersion cilium-trace/v1). */
function isCiliumTrace(o: InputObject): boolean {
  const api = o.map.entry('apiVersion');
  return api !== undefined && isScalar(api.node) && api.node.value === API_VERSION;
}

/** "name" or "namespace/name" of an object we do not model, for the skipped list. */
function skippedName(m: MapView): string {
  const meta = m.entry('metadata');
  const mm = meta && isMap(meta.node) ? looseMap(m.src, meta) : undefined;
  const text = (key: string): string | undefined => {
    const e = mm?.entry(key);
    return e && isScalar(e.node) && typeof e.node.value === 'string' ? e.node.value : undefined;
  };
  const name = text('name') ?? text('generateName') ?? '';
  const ns = text('namespace');
  return ns ? `${ns}/${name}` : name;
}

function build(sink: Sink, collected: Collected, firstFile: string, fallbackName: string, cilium: ProfileChoice | undefined, lenientExpectations: boolean): Scenario | undefined {
  const deferred = collected.slots.flatMap((s) => ('deferred' in s ? [s.deferred] : []));
  // Scenario documents first: the cluster section decides the tunnel device names.
  const scenarioOf = new Map<InputObject, ScenarioDoc>();
  for (const o of deferred) {
    const d = o.kind === KIND ? readScenarioDoc(o) : undefined;
    if (d) scenarioOf.set(o, d);
  }
  const scenarios = [...scenarioOf.values()];
  const withCluster = scenarios.filter((s) => s.root.entry('cluster'));
  const [first, ...extra] = withCluster;
  for (const s of extra) {
    const e = s.root.entry('cluster');
    const firstPos = first?.root.entry('cluster')?.keyPos;
    if (e && firstPos) {
      sink.report(e.keyPos ?? e.pos, `second cluster section (the first is at ${firstAt(firstPos, e.keyPos ?? e.pos)}; cluster settings belong in one Scenario document)`);
    }
  }
  const fallbackPos = scenarios[0]?.root.pos ?? collected.firstPos ?? { file: firstFile, line: 1, col: 1 };
  const warnings: LoadWarning[] = [];
  const warn = (w: LoadWarning): void => {
    warnings.push(w);
  };
  const configMaps = deferred.filter((o) => o.kind === 'ConfigMap').map((o) => o.map);
  const daemonSets = deferred.filter((o) => o.kind === 'DaemonSet');
  const detected = daemonSets.map((o) => profileOfDaemonSet(o.map, warn)).find((c) => c !== undefined)
    ?? (configMaps[0] ? profileOfConfigKeys(configMaps[0]) : undefined);
  const cluster = clusterSettings(first?.root.src, first?.root.entry('cluster'), configMaps, collected.k8s > 0 && first === undefined, fallbackPos, warn, { given: cilium, detected });

  const ciliumNodes = new Map<string, CiliumNodeInfo>();
  for (const o of deferred.filter((x) => x.kind === 'CiliumNode')) {
    checkApiVersion(o);
    const cn = readCiliumNode(o.map);
    if (cn && !ciliumNodes.has(cn.name)) ciliumNodes.set(cn.name, cn);
  }

  const nodes = new NodeCollector();
  const pods: PodDraft[] = [];
  const policies: PolicyDraft[] = [];
  const namespaces: NamespaceDraft[] = [];
  const services: ServiceDraft[] = [];
  const skipped: SkippedObject[] = [];
  const workloads: WorkloadSpec[] = [];
  const skippedPods: SkippedPod[] = [];
  const redirects: RedirectObject[] = [];
  const nodeLabels: Array<{ name: string; labels: Record<string, string> }> = [];
  const expectations: Expectation[] = [];
  const dnsAnswers: DnsAnswer[] = [];
  const expectationNames = new Map<string, Position>();
  const pins: EndpointPin[] = [];
  const identities: CiliumIdentitySpec[] = [];
  const slices: SliceDraft[] = [];
  for (const slot of collected.slots) {
    if ('read' in slot) {
      const c = slot.read;
      if (c.pods) pods.push(...c.pods);
      if (c.policies) policies.push(...c.policies);
      if (c.namespaces) namespaces.push(...c.namespaces);
      if (c.services) services.push(...c.services);
      if (c.skipped) skipped.push(...c.skipped);
      if (c.workloads) workloads.push(...c.workloads);
      if (c.pins) pins.push(...c.pins);
      if (c.identities) identities.push(...c.identities);
      if (c.slices) slices.push(...c.slices);
      if (c.warnings) warnings.push(...c.warnings);
      if (c.skippedPods) skippedPods.push(...c.skippedPods);
      if (c.redirects) redirects.push(...c.redirects);
      continue;
    }
    const o = slot.deferred;
    switch (o.kind) {
      case KIND: {
        const root = scenarioOf.get(o)?.root;
        if (!root) break;
        readNodes(root, cluster.tunnelProtocol, nodes);
        readPods(root, pods);
        for (const item of root.opt('policies', list) ?? []) {
          const p = readPolicy(root.src, item);
          if (p) policies.push(p);
        }
        readScenarioExpectations(root, expectationNames, expectations, lenientExpectations);
        readDnsAnswers(root, dnsAnswers);
        break;
      }
      case 'Node': {
        checkApiVersion(o);
        readNode(o.map, cluster.tunnelProtocol, ciliumNodes, nodes);
        const labels = nodeLabelsOf(o.map);
        if (labels) nodeLabels.push(labels);
        break;
      }
      case EXPECTATIONS_KIND:
        if (isCiliumTrace(o) && isMap(o.entry.node)) readExpectationsMap(o.src, o.entry.node, expectationNames, expectations, lenientExpectations);
        else skipped.push({ kind: o.kind, name: skippedName(o.map), pos: o.map.pos });
        break;
      case 'DaemonSet': // its image told the release (above); not modelled otherwise
        skipped.push({ kind: o.kind, name: skippedName(o.map), pos: o.map.pos });
        break;
      default: // CiliumNode and cilium-config: read above
        break;
    }
  }

  if (nodes.seen === 0 && collected.count > 0) {
    const s = scenarios[0]?.root;
    if (s) sink.report(s.entry('nodes')?.pos ?? s.pos, `no nodes (expected at least one in 'nodes' or as a Node object)`);
    else sink.report(collected.firstPos ?? fallbackPos, 'no nodes (expected Node objects, e.g. from kubectl get nodes -o yaml, or a Scenario with nodes)');
  }
  checkNodes(sink, nodes.drafts);
  checkPods(sink, pods, nodes);
  // After the checks of pins written in Scenarios: the cluster's own objects never conflict
  // as errors (applyEndpointPins leaves stale ones out).
  const pinned = applyEndpointPins(pods, pins, identities, warn);
  const withSlices = applySlices(services, slices, warn);
  checkPolicies(sink, policies);
  reportDuplicates(
    sink,
    namespaces.map((n) => ({ key: n.spec.name, owner: n.spec.name, pos: n.namePos })),
    (c, f) => `duplicate Namespace '${c.key}' (first defined at ${firstAt(f.pos, c.pos)})`,
  );
  reportDuplicates(
    sink,
    services.map((s) => ({ key: s.id, owner: s.id, pos: s.namePos })),
    (c, f) => `duplicate Service '${c.key}' (first defined at ${firstAt(f.pos, c.pos)})`,
  );
  const built = assemble(sink, nodes.drafts, pinned, withSlices);
  if (collected.count === 0) return undefined;
  const meta = scenarios[0]?.meta;
  return {
    name: meta?.name ?? fallbackName,
    description: meta?.description ?? '',
    file: firstFile,
    cluster,
    nodes: built.nodes,
    pods: built.pods,
    // enable-k8s-networkpolicy=false (1.16+): the agent never sees NetworkPolicies (said as a warning).
    policies: policies.map((p) => p.spec).filter((p) => cluster.k8sNetworkPolicy !== false || p.kind !== 'NetworkPolicy'),
    namespaces: allNamespaces(sink, namespaces, built.pods, services, policies),
    services: withSlices.map((s) => s.spec),
    skipped,
    skippedPods,
    warnings: [...releaseWarnings(sink.warnings, cluster), ...warnings].sort((a, b) => (a.pos && b.pos ? sink.compare(a.pos, b.pos) : a.pos ? 1 : b.pos ? -1 : 0)),
    ipv6Ignored: sink.ipv6,
    egressGateways: electGateways(redirects.flatMap((r) => ('egressGateway' in r ? [r.egressGateway] : [])), nodeLabels),
    localRedirects: redirects.flatMap((r) => ('localRedirect' in r ? [r.localRedirect] : [])),
    envoyConfigs: redirects.flatMap((r) => ('envoyConfig' in r ? [r.envoyConfig] : [])),
    expectations,
    ...(dnsAnswers.length > 0 ? { dns: dnsAnswers } : {}),
    ...(workloads.length > 0 ? { workloads } : {}),
    ...(collected.ignored.length > 0 ? { ignoredInputs: collected.ignored } : {}),
    ...(identities.length > 0 ? { ciliumIdentities: identities } : {}),
  };
}

/** The apiVersion of a modelled Kubernetes kind (a wrong one is reported; reading goes on). */
function checkApiVersion(o: InputObject): void {
  const expected = Object.hasOwn(K8S_KINDS, o.kind) ? K8S_KINDS[o.kind] : undefined;
  if (expected) o.map.req('apiVersion', apiVersionReader(expected));
}

/** One reader per expected apiVersion, not one per object. */
const API_VERSION_READERS = new Map<string, Reader<Field<string>>>();
function apiVersionReader(expected: string): Reader<Field<string>> {
  let r = API_VERSION_READERS.get(expected);
  if (!r) API_VERSION_READERS.set(expected, (r = exactly(expected, 'apiVersion')));
  return r;
}

/**
 * Namespace objects in input order, then every other namespace a pod, Service or policy
 * uses (in order of first use), with only the label Kubernetes adds to every namespace.
 */
function allNamespaces(
  sink: Sink,
  declared: readonly NamespaceDraft[],
  pods: Scenario['pods'],
  services: readonly ServiceDraft[],
  policies: readonly PolicyDraft[],
): NamespaceSpec[] {
  const out = new Map<string, NamespaceSpec>();
  for (const n of declared) if (!out.has(n.spec.name)) out.set(n.spec.name, n.spec);
  // Uses of declared namespaces change nothing: leave them out before sorting (large inputs
  // declare their namespaces and have tens of thousands of pods).
  const used: Array<{ name: string; pos: Position }> = [];
  const use = (name: string, pos: Position): void => {
    if (!out.has(name)) used.push({ name, pos });
  };
  for (const p of pods) use(p.namespace, p.pos);
  for (const s of services) use(s.spec.namespace, s.spec.pos);
  for (const p of policies) if (p.spec.namespace !== null) use(p.spec.namespace, p.spec.pos);
  used.sort((a, b) => sink.compare(a.pos, b.pos));
  for (const u of used) if (!out.has(u.name)) out.set(u.name, implicitNamespace(u.name, u.pos));
  return [...out.values()];
}

/** Sink warnings, without those that do not hold for the chosen release (Sink.warnUnless). */
function releaseWarnings(list: readonly Problem[], cluster: ClusterSettings): Problem[] {
  const r = releaseOfProfile(cluster.profile);
  return list.flatMap((w) => {
    const { unless, onlyWith, offOption } = w as Problem & { unless?: Feature; onlyWith?: Feature; offOption?: 'nodeSelectorLabels' };
    if (unless === undefined && onlyWith === undefined) return [w];
    if (unless !== undefined && r.has(unless)) return [];
    if (onlyWith !== undefined && !r.has(onlyWith)) return [];
    if (offOption !== undefined && cluster[offOption] === true) return [];
    return [{ pos: w.pos, message: w.message }];
  });
}
