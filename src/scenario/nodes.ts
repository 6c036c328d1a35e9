// `nodes[]`: reading each node and the checks that involve nodes only (names, node IDs,
// pod CIDRs, node and cilium_host addresses). Defaults are applied later in assemble.ts.
import type { Position } from '../errors.js';
import { formatIpv4, formatPrefix, prefixContains, prefixesOverlap, type Ipv4, type Ipv4Prefix } from '../net/ip.js';
import type { Mac } from '../net/mac.js';
import { dnsSubdomain, firstAt, ifName, Invalid, ipAddress, macAddress, podCidr, reportDuplicates, reservedInPrefix } from './checks.js';
import type { FieldSet } from './fields.js';
import { int, list, parsed, readMap, type Entry, type Field, type MapView, type Sink, type Source } from './raw.js';
import type { ProgramPin, TcPins, TunnelProtocol } from './types.js';
import { readLabels } from './pods.js';

export const MAX_IFINDEX = 2147483647;

/** A network device as written; unset fields get defaults in assemble.ts. */
export interface DeviceDraft {
  readonly name: string;
  readonly namePos?: Position;
  readonly ifindex?: Field<number>;
  readonly mac?: Field<Mac>;
  /** Program ids and tags a real node showed for this device's tc hooks (seed notes). */
  readonly tc?: TcPins;
  /** Where the device is described (its mapping, or the owner when absent). */
  readonly pos: Position;
}

export type DeviceRole = 'device' | 'ciliumNet' | 'ciliumHost' | 'tunnelDevice';
export const DEVICE_ROLES: readonly DeviceRole[] = ['device', 'ciliumNet', 'ciliumHost', 'tunnelDevice'];
/** ifindexes a freshly booted Cilium node typically has: lo=1, eth0=2, then Cilium's. */
export const DEFAULT_IFINDEX: Readonly<Record<DeviceRole, number>> = { device: 2, ciliumNet: 3, ciliumHost: 4, tunnelDevice: 5 };

export interface NodeDraft {
  readonly pos: Position;
  readonly name: Field<string>;
  readonly ip: Field<Ipv4>;
  readonly podCIDR: Field<Ipv4Prefix>;
  readonly nodeId?: Field<number>;
  readonly hostEndpointId?: Field<number>;
  readonly ciliumHostIp?: Field<Ipv4>;
  readonly devices: Readonly<Record<DeviceRole, DeviceDraft>>;
  /** More pod CIDRs (a CiliumNode's secondary CIDRs; /32s for an address pool). */
  readonly extraPodCIDRs?: ReadonlyArray<Field<Ipv4Prefix>>;
  /** Where the pod CIDR came from, for Kubernetes input: 'Node' or the CiliumNode field. */
  readonly podCidrFrom?: string;
  /** The Node's labels (node identities carry them with enable-node-selector-labels). */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The node's pod CIDR that holds `ip`, if any. */
export function podCidrHolding(n: NodeDraft, ip: Ipv4): Ipv4Prefix | undefined {
  if (prefixContains(n.podCIDR.value, ip)) return n.podCIDR.value;
  return n.extraPodCIDRs?.find((c) => prefixContains(c.value, ip))?.value;
}

export interface NodesRead {
  readonly drafts: readonly NodeDraft[];
  /** Every well-formed node name, including nodes with other mistakes (for pod references). */
  readonly names: ReadonlySet<string>;
}

/** Nodes read so far, from Scenario documents and Node objects alike. */
export class NodeCollector implements NodesRead {
  readonly drafts: NodeDraft[] = [];
  readonly names = new Set<string>();
  /** How many nodes were written, well-formed or not (to tell "no nodes" from "bad nodes"). */
  seen = 0;
}

export const ipField = parsed(ipAddress);
export const macField = parsed(macAddress);
export const ifindexField = int(1, MAX_IFINDEX);

/** A Scenario document's `nodes` list (optional: nodes may come from Node objects). */
export function readNodes(root: MapView, tunnel: TunnelProtocol, into: NodeCollector): void {
  const items = root.opt('nodes', list);
  if (root.entry('nodes') && !items) into.seen++; // not a list: reported, not "no nodes"
  for (const item of items ?? []) {
    into.seen++;
    const d = readNode(root.src, item, tunnel, into.names);
    if (d) into.drafts.push(d);
  }
}

/** The devices of a node that pins none of them: eth0 and Cilium's own. */
export function defaultDevices(pos: Position, tunnel: TunnelProtocol): Record<DeviceRole, DeviceDraft> {
  return {
    device: { name: 'eth0', pos },
    ciliumNet: { name: 'cilium_net', pos },
    ciliumHost: { name: 'cilium_host', pos },
    tunnelDevice: { name: `cilium_${tunnel}`, pos },
  };
}

function readNode(src: Source, e: Entry, tunnel: TunnelProtocol, names: Set<string>): NodeDraft | undefined {
  const m = readMap(src, e, 'node');
  if (!m) return undefined;
  const name = m.req('name', parsed(dnsSubdomain('node name')));
  if (name) names.add(name.value);
  const ip = m.req('ip', ipField);
  const podCIDR = m.req('podCIDR', parsed(podCidr));
  const nodeId = m.opt('nodeId', int(1, 65535));
  const hostEndpointId = m.opt('hostEndpointId', int(1, 4095));
  const hostEntry = m.entry('ciliumHost');
  const hostMap = hostEntry ? readMap(src, hostEntry, 'ciliumHost') : undefined;
  const ciliumHostIp = hostMap?.opt('ip', ipField);
  const devices: Record<DeviceRole, DeviceDraft> = {
    device: readDevice(m, 'device', 'nativeDevice', undefined),
    ciliumNet: readDevice(m, 'ciliumNet', 'ciliumDevice', 'cilium_net'),
    ciliumHost: deviceFrom(hostMap, m.pos, 'cilium_host'),
    tunnelDevice: readDevice(m, 'tunnelDevice', 'ciliumDevice', `cilium_${tunnel}`),
  };
  const labels = m.opt('labels', readLabels);
  if (!name || !ip || !podCIDR) return undefined;
  return { pos: m.pos, name, ip, podCIDR, nodeId, hostEndpointId, ciliumHostIp, devices, ...(labels && Object.keys(labels).length > 0 ? { labels } : {}) };
}

function readDevice(node: MapView, key: DeviceRole, set: FieldSet, fixedName: string | undefined): DeviceDraft {
  const e = node.entry(key);
  return deviceFrom(e ? readMap(node.src, e, set) : undefined, node.pos, fixedName);
}

/** Reads ifindex/mac (and name, for the native device) of a device mapping, if given. */
function deviceFrom(m: MapView | undefined, ownerPos: Position, fixedName: string | undefined): DeviceDraft {
  const name = fixedName === undefined ? m?.opt('name', parsed(ifName)) : undefined;
  return {
    name: fixedName ?? name?.value ?? 'eth0',
    namePos: name?.pos,
    ifindex: m?.opt('ifindex', ifindexField),
    mac: m?.opt('mac', macField),
    ...tcPinsOf(m),
    pos: m?.pos ?? ownerPos,
  };
}

const progTag = parsed((text: string): string | Invalid => (/^[0-9a-f]{16}$/.test(text) ? text : new Invalid(`invalid program tag '${text}' (expected 16 lowercase hex digits, as tc and bpftool print it)`)));

function programPin(src: Source, e: Entry): ProgramPin | undefined {
  const m = readMap(src, e, 'tcProgram');
  const id = m?.req('id', int(1, 4294967295));
  const tag = m?.req('tag', progTag);
  return id && tag ? { id: id.value, tag: tag.value } : undefined;
}

/** `tc: { ingress: { id, tag }, egress: … }` of a device mapping: pins, not behaviour. */
export function tcPinsOf(m: MapView | undefined): { tc?: TcPins } {
  const e = m?.entry('tc');
  const hooks = e && m ? readMap(m.src, e, 'tcHooks') : undefined;
  if (!hooks) return {};
  const ingress = hooks.entry('ingress');
  const egress = hooks.entry('egress');
  const pins: { ingress?: ProgramPin; egress?: ProgramPin } = {};
  const i = ingress ? programPin(hooks.src, ingress) : undefined;
  const o = egress ? programPin(hooks.src, egress) : undefined;
  if (i) pins.ingress = i;
  if (o) pins.egress = o;
  return { tc: pins };
}

/** Checks among nodes: unique names and IDs, disjoint pod CIDRs, sensible addresses. */
export function checkNodes(sink: Sink, nodes: readonly NodeDraft[]): void {
  reportDuplicates(
    sink,
    nodes.map((n) => ({ key: n.name.value, owner: n.name.value, pos: n.name.pos })),
    (c, first) => `duplicate node name '${c.key}' (first defined at ${firstAt(first.pos, c.pos)})`,
  );
  const pinnedIds = nodes.flatMap((n) => (n.nodeId ? [{ key: String(n.nodeId.value), owner: n.name.value, pos: n.nodeId.pos }] : []));
  reportDuplicates(sink, pinnedIds, (c, first) => `duplicate nodeId ${c.key} (first used by node ${first.owner} at ${firstAt(first.pos, c.pos)})`);
  checkPodCidrs(sink, nodes);
  for (const n of nodes) {
    checkNodeIp(sink, n, nodes);
    if (n.ciliumHostIp) checkCiliumHostIp(sink, n, n.ciliumHostIp);
  }
}

function checkPodCidrs(sink: Sink, nodes: readonly NodeDraft[]): void {
  const ordered = [...nodes].sort((a, b) => sink.compare(a.podCIDR.pos, b.podCIDR.pos));
  ordered.forEach((n, i) => {
    let earlier: NodeDraft | undefined;
    for (let j = 0; j < i && !earlier; j++) {
      const o = ordered[j] as NodeDraft;
      if (prefixesOverlap(o.podCIDR.value, n.podCIDR.value)) earlier = o;
    }
    if (!earlier) return;
    sink.report(
      n.podCIDR.pos,
      `podCIDR ${formatPrefix(n.podCIDR.value)} overlaps ${earlier.name.value}'s pod CIDR ${formatPrefix(earlier.podCIDR.value)} (first defined at ${firstAt(earlier.podCIDR.pos, n.podCIDR.pos)})`,
    );
  });
}

function checkNodeIp(src: Sink, n: NodeDraft, nodes: readonly NodeDraft[]): void {
  const inside = nodes.find((o) => prefixContains(o.podCIDR.value, n.ip.value));
  if (!inside) return;
  src.report(
    n.ip.pos,
    `node IP ${formatIpv4(n.ip.value)} is inside ${inside.name.value}'s pod CIDR ${formatPrefix(inside.podCIDR.value)} (expected an address outside all pod CIDRs)`,
  );
}

function checkCiliumHostIp(src: Sink, n: NodeDraft, ip: Field<Ipv4>): void {
  const cidr = podCidrHolding(n, ip.value);
  if (!cidr) {
    src.report(ip.pos, `cilium_host IP ${formatIpv4(ip.value)} is outside ${n.name.value}'s pod CIDR ${formatPrefix(n.podCIDR.value)}`);
    return;
  }
  const reserved = cidr.len <= 30 ? reservedInPrefix(cidr, ip.value) : undefined;
  if (reserved) src.report(ip.pos, `cilium_host IP ${formatIpv4(ip.value)} is ${reserved} (expected a host address)`);
}
