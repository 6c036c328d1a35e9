// `m` in --step: the whole map a step read, dumped by the map's own dump() in the cilium CLI
// format, on the node the step ran on, with the row the step hit marked. Conntrack and NAT
// maps are the copy the trace ran on, so they hold what the trace wrote; rows a later step
// writes are marked as such (the dump is the map after the trace, not a snapshot).
import type { ClusterDatapath, NodeDatapath } from '../node-state/node.js';
import { LB_BACKENDS_MAP, LB_REVNAT_MAP, LB_SERVICES_MAP } from '../maps/lbmap.js';
import { NAT_MAP } from '../maps/natmap.js';
import { PROTO_NAMES, type PolicyMap } from '../maps/policymap.js';
import { policyMapName } from '../cilium/releases/map-names.js';
import type { TraceNode } from '../trace/tree.js';

export interface PanelLine {
  readonly text: string;
  /** hit: the row this step read or wrote; later: a row a later step writes. */
  readonly mark: 'hit' | 'later' | null;
}

export interface Panel {
  readonly title: string;
  readonly lines: readonly PanelLine[];
  /** The line to scroll to when the panel opens. */
  readonly focus: number | null;
}

export interface MapContext {
  readonly datapath: ClusterDatapath;
  readonly labelsOf: (id: number) => readonly string[] | undefined;
  /** Keys (map name + key text) that nodes after this step write, on this step's host. */
  readonly laterWrites: ReadonlySet<string>;
  /** For a policy verdict: the policy-map lookup that decided it, if one hit. */
  readonly decidingLookup: Extract<TraceNode, { kind: 'lookup' }> | undefined;
}

export function writeId(map: string, key: string): string {
  return `${map}\u0000${key}`;
}

function plain(title: string, lines: readonly string[]): Panel {
  return { title, lines: lines.map((text) => ({ text, mark: null })), focus: null };
}

function textLines(dump: string): string[] {
  const lines = dump.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.trimEnd());
}

/** A dump with the rows whose text starts with `hitKey` (then a space or the end) marked. */
function marked(title: string, dump: string, hitKey: string | null, map: string, ctx: MapContext, note?: string): Panel {
  const starts = (l: string, k: string) => l === k || l.startsWith(k + ' ') || l.startsWith(k + '\t');
  const lines: PanelLine[] = textLines(dump).map((text) => {
    if (hitKey !== null && starts(text, hitKey)) return { text, mark: 'hit' };
    for (const id of ctx.laterWrites) {
      const [m, k] = id.split('\u0000') as [string, string];
      if (m === map && starts(text, k)) return { text, mark: 'later' };
    }
    return { text, mark: null };
  });
  const focus = lines.findIndex((l) => l.mark === 'hit');
  const extra = note === undefined ? [] : [{ text: note, mark: null } as PanelLine];
  return { title, lines: [...extra, ...lines], focus: focus < 0 ? null : focus + extra.length };
}

function policyPanel(node: NodeDatapath, map: string, keyText: string | null, ctx: MapContext): Panel {
  const title = `${map} on ${node.name} — cilium bpf policy get ${Number(map.replace(/^cilium_policy_(v2_)?/, ''))}`; // cilium_policy_v2_ from v1.17
  const pm: PolicyMap | undefined = node.maps.policy.get(map);
  if (!pm) return plain(title, [`no map ${map} on ${node.name}`]);
  const lines: PanelLine[] = textLines(pm.dump(ctx.labelsOf)).map((text) => ({ text, mark: null }));
  const k = keyText === null ? null : /^\{identity=(\d+) dport=(\d+) proto=(\S+) (ingress|egress)\}$/.exec(keyText);
  let focus: number | null = null;
  if (k) {
    const proto = Number(Object.entries(PROTO_NAMES).find(([, name]) => name === k[3])?.[0] ?? -1);
    let line = 1; // after the header
    for (const { key } of pm.sortedEntries()) {
      const height = Math.max(1, ctx.labelsOf(key.identity)?.length ?? 0);
      if (key.identity === Number(k[1]) && key.dport === Number(k[2]) && key.proto === proto && key.direction === k[4]) {
        for (let i = line; i < line + height; i++) { const l = lines[i]; if (l) lines[i] = { ...l, mark: 'hit' }; }
        focus = line;
        break;
      }
      line += height;
    }
  }
  return { title, lines, focus };
}

/** cilium bpf lb list: a frontend's rows are its master (slot 0) and one per backend slot. */
function lbPanel(node: NodeDatapath, keyText: string, hit: boolean): Panel {
  const title = `${LB_SERVICES_MAP} on ${node.name} — cilium bpf lb list`;
  const lines: PanelLine[] = textLines(node.maps.lb.dump()).map((text) => ({ text, mark: null }));
  const k = /^(\S+) \(slot (\d+)\)$/.exec(keyText);
  let focus: number | null = null;
  if (k && hit) {
    const start = lines.findIndex((l) => l.text.startsWith((k[1] ?? '') + ' '));
    for (let i = start; start >= 0 && i < lines.length; i++) {
      const l = lines[i] as PanelLine;
      if (i > start && !l.text.startsWith(' ')) break;
      if (new RegExp(`\\(${k[2]}\\)(?: \\[.*\\])?$`).test(l.text)) {
        lines[i] = { ...l, mark: 'hit' };
        focus = i;
        break;
      }
    }
  }
  return { title, lines, focus };
}

const NO_MAP = 'this step reads no BPF map (m shows a map on lookup, conntrack, tail-call and policy steps)';

export function mapPanel(dp: ClusterDatapath, host: string, n: TraceNode, ctx: MapContext): Panel {
  const node = dp.nodes.get(host);
  if (!node) return plain('no map', [NO_MAP]);
  switch (n.kind) {
    case 'lookup': {
      const hit = n.result !== null;
      if (n.map.startsWith('FIB')) return plain(n.map, ['bpf_fib_lookup reads the kernel routing table of the node, not a BPF map:', `  ${n.key} → ${n.result ?? 'no route'}`]);
      if (n.map === node.maps.ipcache.name) {
        const lpm = /longest prefix match (\S+)/.exec(n.note ?? '')?.[1];
        return marked(`cilium_ipcache on ${host} — cilium bpf ipcache list`, node.maps.ipcache.dump(), hit ? (lpm ?? n.key) : null, n.map, ctx);
      }
      if (n.map === node.maps.lxc.name) return marked(`cilium_lxc on ${host} — cilium bpf endpoint list`, node.maps.lxc.dump(), hit ? n.key : null, n.map, ctx);
      if (n.map === node.maps.tunnel.name) return marked(`cilium_tunnel_map on ${host} — cilium bpf tunnel list`, node.maps.tunnel.dump(), hit ? n.key : null, n.map, ctx);
      if (n.map === NAT_MAP) return marked(`${NAT_MAP} on ${host} — cilium bpf nat list`, node.maps.nat.dump(), hit ? n.key : null, n.map, ctx);
      if (n.map === LB_SERVICES_MAP) return lbPanel(node, n.key, hit);
      if (n.map.startsWith('cilium_policy_')) return policyPanel(node, n.map, hit ? n.key : null, ctx);
      if (n.map === LB_BACKENDS_MAP || n.map === LB_REVNAT_MAP) {
        return plain(`${n.map} on ${host}`, ['cilium-trace has no dump of this map yet; the entry this step read:', `  ${n.key} → ${n.result ?? 'miss'}`]);
      }
      return plain(n.map, [`cilium-trace has no dump of ${n.map}; the entry this step read:`, `  ${n.key} → ${n.result ?? 'miss'}`]);
    }
    case 'ct':
    case 'ct_create': {
      const key = n.kind === 'ct' ? n.tuple : n.key;
      const hit = n.kind === 'ct_create' || (n.result !== 'CT_NEW' && !n.assumed);
      if (n.map === NAT_MAP) return marked(`${NAT_MAP} on ${host} — cilium bpf nat list`, node.maps.nat.dump(), key, n.map, ctx);
      const ct = n.map === node.maps.ctTcp.name ? node.maps.ctTcp : node.maps.ctAny;
      const note = n.kind === 'ct' && n.assumed ? `not looked up: the state ${n.result} was assumed (--ct)` : n.kind === 'ct' && !hit ? `no row for ${key}: ${n.result}` : undefined;
      const lines = ct.dumpLines().join('');
      return marked(`${n.map} on ${host} — cilium bpf ct list global`, lines === '' ? 'No entries found.\n' : lines, hit ? key : null, n.map, ctx, note);
    }
    case 'tail_call': {
      const array = node.maps.progArrays.get(n.map);
      if (!array) return plain(n.map, [`no prog array ${n.map} on ${host}`]);
      return marked(`${n.map} on ${host} — prog array (slot = program)`, array.dump(), `${n.map}[${n.slot}] =`, n.map, ctx);
    }
    case 'policy': {
      const map = policyMapName(dp.release, n.endpoint);
      return policyPanel(node, map, ctx.decidingLookup?.map === map ? ctx.decidingLookup.key : null, ctx);
    }
    default:
      return plain('no map', [NO_MAP]);
  }
}
