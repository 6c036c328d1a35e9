// openSysdump(path): a `cilium sysdump` zip or its unpacked directory, read into the
// Sysdump view (types.ts). Each node's entries are keyed by its Cilium agent pod; the pod is
// mapped to its node through k8s-pods-<ts>.yaml (spec.nodeName), else through the node's
// debuginfo (cilium-status.cluster.self). Nothing missing fails the load: a note says it.
import { statSync } from 'node:fs';
import { yamlLib } from '../util/yaml-lib.js';
import { dirStore, fileChunks, fileTail, hasEndRecord, isZip, zipStore, type Store } from './store.js';
import { agentImageVersion, BUGTOOL_DIR, BUGTOOL_TGZ, cliOfFiles, CLUSTER_FILES, FLOWS_FILE, profileOfVersion, TOP_DIR } from './layout.js';
import type { FlowsFile, Sysdump, SysdumpNode, SysdumpNote, SysdumpRelease } from './types.js';

/** Is `path` a sysdump: a zip, or a directory holding cilium-sysdump-<ts>/ or bugtool directories? */
export function isSysdumpPath(path: string): boolean {
  try {
    const st = statSync(path);
    if (st.isFile()) return isZip(path);
    if (!st.isDirectory()) return false;
    const names = dirStore(path).names;
    return names.some((n) => n.split('/').some((part) => TOP_DIR.test(part) || BUGTOOL_DIR.test(part)));
  } catch {
    return false;
  }
}

/** Opens a sysdump zip (read in one pass, nothing extracted) or an unpacked sysdump directory. */
export function openSysdump(path: string): Sysdump {
  const zip = statSync(path).isFile();
  if (zip && !hasEndRecord(fileTail(path))) throw new Error('no end of central directory record');
  const store = zip ? zipStore(fileChunks(path)) : dirStore(path);
  return sysdumpOf(store, path, zip ? 'zip' : 'directory');
}

/** A sysdump from an in-memory zip (tests, the library API). */
export function openSysdumpZipBytes(bytes: Uint8Array, shownAs: string): Sysdump {
  if (!hasEndRecord(bytes.subarray(Math.max(0, bytes.length - 22 - 0xffff)))) throw new Error('no end of central directory record');
  return sysdumpOf(zipStore([bytes]), shownAs, 'zip');
}

const sortBy = <T>(key: (t: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function sysdumpOf(store: Store, path: string, kind: 'zip' | 'directory'): Sysdump {
  const notes: SysdumpNote[] = [];
  const shown = path.replace(/\/+$/, '');
  const show = (entry: string): string => `${shown}/${entry}`;
  for (const d of store.damaged ?? []) notes.push({ where: show(d), message: 'the entry could not be inflated (a damaged zip): it is not read' });
  // The directory holding the sysdump's files: the one top directory (cilium-sysdump-<ts>/), or none.
  const tops = new Set(store.names.map((n) => n.split('/')[0]!).filter((t) => TOP_DIR.test(t)));
  const top = tops.size === 1 ? `${[...tops][0]!}/` : '';
  const inTop = store.names.filter((n) => n.startsWith(top)).map((n) => n.slice(top.length));
  const timestamp = TOP_DIR.exec(top.slice(0, -1))?.[1] ?? /-(\d{8}-\d{6})\.ya?ml$/.exec(inTop.find((n) => /^k8s-pods-/.test(n)) ?? '')?.[1];

  // Cluster files, in the order of CLUSTER_FILES (each kind once).
  const clusterInputs: Array<{ file: string; text: string }> = [];
  for (const base of CLUSTER_FILES) {
    for (const n of inTop.filter((x) => !x.includes('/') && new RegExp(`^${base}-\\d{8}-\\d{6}\\.(ya?ml|json)$`).test(x))) {
      const text = store.read(top + n);
      if (text !== undefined && text.trim() !== '') clusterInputs.push({ file: show(top + n), text });
    }
  }

  // Bugtool directories and flows files, per agent pod.
  const bugtools = new Map<string, string>();
  for (const n of inTop) {
    const first = n.split('/')[0]!;
    const m = BUGTOOL_DIR.exec(first);
    if (m && n.includes('/')) bugtools.set(m[1]!, `${top}${first}/`);
    const tgz = BUGTOOL_TGZ.exec(n);
    if (tgz && !n.includes('/')) notes.push({ where: show(top + n), message: `bugtool of ${tgz[1]} was left packed (cilium-cli could not extract it): its maps are not read` });
  }
  const flowsByPod = new Map<string, string>();
  for (const n of inTop) {
    const m = FLOWS_FILE.exec(n);
    if (m && !n.includes('/')) flowsByPod.set(m[1]!, top + n);
  }

  // Agent pods → nodes.
  const podsFile = inTop.find((n) => /^k8s-pods-\d{8}-\d{6}\.ya?ml$/.test(n));
  const agentNodes = podsFile ? agentPods(store.read(top + podsFile) ?? '') : new Map<string, string>();
  if (!podsFile) notes.push({ message: 'no k8s-pods-<ts>.yaml: agent pods are mapped to nodes through their debuginfo' });
  const pods = new Set([...bugtools.keys(), ...flowsByPod.keys(), ...agentNodes.keys()]);
  const cmdFiles = (pod: string): string[] => {
    const dir = bugtools.get(pod);
    if (!dir) return [];
    const prefix = `${dir}cmd/`;
    return store.names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
  };
  const nodes: SysdumpNode[] = [];
  for (const pod of [...pods].sort()) {
    const bugtool = bugtools.get(pod);
    let name = agentNodes.get(pod);
    let mappedBy: SysdumpNode['mappedBy'] = 'k8s-pods';
    if (!name && bugtool) {
      const self = debuginfoSelf(store, bugtool, cmdFiles(pod));
      if (self) {
        name = self;
        mappedBy = 'debuginfo';
      }
    }
    if (!name) {
      name = pod;
      mappedBy = 'unmapped';
      notes.push({ message: `agent pod ${pod} is on no known node (not in k8s-pods, no debuginfo): its files are shown under the pod's name` });
    }
    nodes.push({ name, ciliumPod: pod, mappedBy, ...(bugtool ? { bugtool } : {}) });
    if (!bugtool) notes.push({ message: `node ${name} (agent pod ${pod}) has no bugtool in the sysdump (a --quick or --node-list sysdump, or the agent was not running): its maps are computed, not read` });
  }
  nodes.sort(sortBy((n) => n.name));

  const byName = new Map(nodes.map((n) => [n.name, n]));
  const nodeOf = (node: string): SysdumpNode | undefined => byName.get(node) ?? nodes.find((n) => n.ciliumPod === node);
  const files = (node: string): readonly string[] => {
    const n = nodeOf(node);
    return n ? cmdFiles(n.ciliumPod) : [];
  };
  const read = (node: string, name: string): string | undefined => {
    const n = nodeOf(node);
    return n?.bugtool ? store.read(`${n.bugtool}cmd/${name}`) : undefined;
  };
  const display = (node: string, name: string): string => {
    const n = nodeOf(node);
    return show(`${n?.bugtool ?? ''}cmd/${name}`);
  };

  const flows: FlowsFile[] = [...flowsByPod.entries()].sort(sortBy(([p]) => p)).map(([pod, entry]) => {
    const n = nodes.find((x) => x.ciliumPod === pod);
    return { node: n?.name ?? pod, ciliumPod: pod, display: show(entry), text: () => store.read(entry) ?? '' };
  });

  const release = releaseOf(store, top, inTop, nodes, cmdFiles, show);
  if (clusterInputs.length === 0) notes.push({ message: 'the sysdump holds no cluster objects (k8s-pods, ciliumendpoints, …)' });
  return { path, kind, ...(timestamp ? { timestamp } : {}), clusterInputs, ...(release ? { release } : {}), nodes, files, read, display, flows, notes };
}

/** Cilium agent pods (k8s-app=cilium) of a PodList, with their nodes. */
function agentPods(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let docs: unknown[];
  try {
    docs = yamlLib().parseAllDocuments(text).map((d) => d.toJS());
  } catch {
    return out;
  }
  for (const doc of docs) {
    const items = isObj(doc) && Array.isArray(doc.items) ? doc.items : isObj(doc) ? [doc] : [];
    for (const p of items) {
      if (!isObj(p) || !isObj(p.metadata) || !isObj(p.spec)) continue;
      const labels = isObj(p.metadata.labels) ? p.metadata.labels : {};
      const name = p.metadata.name;
      if (labels['k8s-app'] === 'cilium' && typeof name === 'string' && typeof p.spec.nodeName === 'string') out.set(name, p.spec.nodeName);
    }
  }
  return out;
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The debuginfo JSON of a bugtool (cmd/cilium-debuginfo-<time>.json), parsed, if any. */
export function debuginfoOf(store: Store, bugtool: string, files: readonly string[]): { entry: string; json: Record<string, any> } | undefined {
  const f = files.find((n) => /^cilium-debuginfo-.*\.json$/.test(n));
  if (!f) return undefined;
  const text = store.read(`${bugtool}cmd/${f}`);
  if (!text) return undefined;
  try {
    const json: unknown = JSON.parse(text.slice(Math.max(0, text.indexOf('{'))));
    return isObj(json) ? { entry: `${bugtool}cmd/${f}`, json } : undefined;
  } catch {
    return undefined;
  }
}

function debuginfoSelf(store: Store, bugtool: string, files: readonly string[]): string | undefined {
  const self = debuginfoOf(store, bugtool, files)?.json['cilium-status']?.cluster?.self;
  // <cluster>/<node> when the cluster name is not `default` (GetAbsoluteNodeName).
  return typeof self === 'string' && self !== '' ? self.slice(self.lastIndexOf('/') + 1) : undefined;
}

/** The agents' release: DaemonSet image, else a debuginfo's cilium-version, else the CLI's name in the command files. */
function releaseOf(store: Store, top: string, inTop: readonly string[], nodes: readonly SysdumpNode[], cmdFiles: (pod: string) => string[], show: (e: string) => string): SysdumpRelease | undefined {
  const ds = inTop.find((n) => /^cilium-daemonset-\d{8}-\d{6}\.ya?ml$/.test(n));
  const image = ds ? agentImageVersion(store.read(top + ds) ?? '') : undefined;
  if (ds && image) return profileOfVersion(image, `image cilium:v${image} in ${show(top + ds)}`);
  for (const n of nodes) {
    if (!n.bugtool) continue;
    const info = debuginfoOf(store, n.bugtool, cmdFiles(n.ciliumPod));
    const v = info?.json['cilium-version'];
    if (info && typeof v === 'string') {
      const r = profileOfVersion(v, `cilium-version ${v.split(' ')[0]} in ${show(info.entry)}`);
      if (r) return r;
    }
  }
  // `cilium[-dbg] status --verbose`: "Cilium:   Ok   1.18.3 (v1.18.3-c1601689)" (pkg/client/client.go, pkg/status).
  for (const n of nodes) {
    const f = cmdFiles(n.ciliumPod).find((x) => /^cilium(-dbg)?-status---verbose\.md$/.test(x));
    const m = f && n.bugtool ? /^Cilium:\s+\S+\s+(\d+\.\d+\.\d+) \(v/m.exec(store.read(`${n.bugtool}cmd/${f}`) ?? '') : null;
    if (m && f) {
      const r = profileOfVersion(m[1]!, `Cilium ${m[1]} in ${show(`${n.bugtool}cmd/${f}`)}`);
      if (r) return r;
    }
  }
  for (const n of nodes) {
    const cli = cliOfFiles(cmdFiles(n.ciliumPod));
    if (cli === 'cilium') return { profile: '1.13', why: `command files named cilium-… (before v1.15) in ${show(n.bugtool ?? '')}` };
    if (cli === 'cilium-dbg') return { profile: '1.18', why: `command files named cilium-dbg-… (v1.15 on; newest profile) in ${show(n.bugtool ?? '')}` };
  }
  return undefined;
}

