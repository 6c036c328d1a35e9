// cilium-config → the datapath settings, as the v1.13.0 agent resolves its options: the
// flag defaults where a key is unset (daemon/cmd/daemon_main.go), kube-proxy replacement's
// modes and what they switch on or off (daemon/cmd/kube_proxy_replacement.go), the fall-backs
// to legacy host routing and iptables masquerading (kube_proxy_replacement.go:414-465,
// daemon/cmd/daemon.go:976-1048). Each setting says where it came from (the trace header
// shows it); values the agent refuses or features not simulated are warnings, never errors.
import { parseIpv4Prefix, type Ipv4Prefix } from '../net/ip.js';
import type { Position } from '../errors.js';
import { badLabelPrefixes } from '../controlplane/labels.js';
import { CiliumConfig } from './cilium-config.js';
import type { ClusterSettings, EnforcementMode, LoadWarning, SettingSource, TunnelProtocol } from './types.js';

const KPR = 'daemon/cmd/kube_proxy_replacement.go';
type Warn = (w: LoadWarning) => void;

/** An option, its v1.13.0 default and where the agent sets that default. */
type Opt = readonly [key: string, value: string, cite: string];
const MAIN = 'daemon/cmd/daemon_main.go';
const O = {
  tunnel: ['tunnel', 'vxlan', `${MAIN}:1319-1320`],
  kpr: ['kube-proxy-replacement', 'partial', `${MAIN}:504`],
  sock: ['bpf-lb-sock', 'false', `${MAIN}:306`],
  nodePort: ['enable-node-port', 'false', `${MAIN}:518`],
  legacy: ['enable-host-legacy-routing', 'false', `${MAIN}:318`],
  v4Masq: ['enable-ipv4-masquerade', 'true', `${MAIN}:643`],
  v6Masq: ['enable-ipv6-masquerade', 'true', `${MAIN}:646`],
  bpfMasq: ['enable-bpf-masquerade', 'false', `${MAIN}:649`],
  remoteNode: ['enable-remote-node-identity', 'false', `${MAIN}:278`],
  policy: ['enable-policy', 'default', `${MAIN}:324`],
  name: ['cluster-name', 'default', `${MAIN}:193`],
  id: ['cluster-id', '0', `${MAIN}:190`],
  v4: ['enable-ipv4', 'true', `${MAIN}:252`],
  v6: ['enable-ipv6', 'true', `${MAIN}:255`],
} as const satisfies Record<string, Opt>;

/** "cilium-config a=1, b=2" for the options set, "c unset: v1.13.0 defaults to X, FILE:LINE" for the others. */
function said(cfg: CiliumConfig, ...opts: Opt[]): string {
  const set = opts.filter(([k]) => cfg.has(k)).map(([k]) => cfg.quote(k));
  const unset = opts.filter(([k]) => !cfg.has(k)).map(([k, v, cite]) => `${k} unset: v1.13.0 defaults to ${v}, ${cite}`);
  return [...(set.length > 0 ? [`cilium-config ${set.join(', ')}`] : []), ...unset].join('; ');
}

function tunnelMode(cfg: CiliumConfig, warn: Warn): { tunnel: TunnelProtocol | 'disabled'; from: string } {
  const t = cfg.get('tunnel');
  const newer = ['routing-mode', 'tunnel-protocol'].filter((k) => cfg.has(k));
  if (t && t.value !== '') {
    for (const k of newer) warn({ pos: cfg.at(k), message: `cilium-config ${k} is an option of Cilium 1.14 and later: v1.13.0 reads 'tunnel' (${t.value}) and ignores it` });
    if (t.value === 'vxlan' || t.value === 'geneve' || t.value === 'disabled') return { tunnel: t.value, from: `cilium-config tunnel=${t.value}` };
    warn({ pos: t.pos, message: `cilium-config tunnel="${t.value}" is not a tunnel mode of v1.13.0 (vxlan, geneve, disabled; the agent refuses it, pkg/option/config.go:2670-2678): vxlan assumed` });
    return { tunnel: 'vxlan', from: `cilium-config tunnel=${t.value} is invalid: vxlan assumed` };
  }
  if (newer.length > 0) {
    // A ConfigMap of a later release: its routing-mode/tunnel-protocol say what tunnel would.
    const mode = cfg.get('routing-mode')?.value ?? 'tunnel';
    const proto = cfg.get('tunnel-protocol')?.value ?? 'vxlan';
    const tunnel = mode === 'native' ? 'disabled' : proto === 'geneve' ? 'geneve' : 'vxlan';
    const quoted = newer.map((k) => cfg.quote(k)).join(', ');
    warn({ pos: cfg.at(newer[0] as string), message: `cilium-config ${quoted}: options of Cilium 1.14 and later; v1.13.0 reads 'tunnel' instead, taken as tunnel=${tunnel}` });
    return { tunnel, from: `cilium-config ${quoted} (Cilium 1.14+ options), taken as tunnel=${tunnel}` };
  }
  return { tunnel: 'vxlan', from: said(cfg, O.tunnel) };
}

type KprMode = 'strict' | 'partial' | 'disabled';

function kprMode(cfg: CiliumConfig, warn: Warn): { mode: KprMode; from: string } {
  const v = cfg.get('kube-proxy-replacement');
  if (!v) return { mode: 'partial', from: said(cfg, O.kpr) };
  if (v.value === 'strict' || v.value === 'partial' || v.value === 'disabled') return { mode: v.value, from: `cilium-config kube-proxy-replacement=${v.value}` };
  const later = v.value === 'true' ? 'strict' : v.value === 'false' ? 'disabled' : undefined;
  const mode = later ?? 'partial';
  const why = later ? 'a value of Cilium 1.15 and later' : 'not a mode of v1.13.0 (strict, partial, disabled)';
  warn({ pos: v.pos, message: `cilium-config kube-proxy-replacement="${v.value}" is ${why}; the v1.13.0 agent refuses it (${KPR}:48-52): taken as ${mode}` });
  return { mode, from: `cilium-config kube-proxy-replacement=${v.value}, taken as ${mode}` };
}

/** Features the datapath model does not have: said once each when the ConfigMap turns them on. */
const NOT_SIMULATED: ReadonlyArray<readonly [string, string]> = [
  ['enable-ipsec', 'IPsec encryption is not simulated: traces show the packets unencrypted'],
  ['enable-wireguard', 'WireGuard encryption is not simulated: traces show the packets unencrypted'],
  ['enable-host-firewall', 'the host firewall is not simulated: host policies are not enforced in traces'],
  ['enable-ipv4-egress-gateway', 'the egress gateway is not simulated'],
  ['enable-local-redirect-policy', 'local redirect policies are not simulated'],
  ['enable-endpoint-routes', 'per-endpoint routes are not simulated: traces route to pods through cilium_host'],
];

/**
 * The settings of a cluster whose cilium-config is `cfg` (undefined: no ConfigMap among the
 * inputs, every option at its v1.13.0 default).
 */
export function settingsFromConfig(given: CiliumConfig | undefined, fallback: Position, warn: Warn, profile: Pick<ClusterSettings, 'profile' | 'profileWhy'>): ClusterSettings {
  const cfg = given ?? new CiliumConfig(fallback, '', undefined, warn);
  const sources: SettingSource[] = [];
  const { tunnel, from: tunnelFrom } = tunnelMode(cfg, warn);
  const tunnelProtocol: TunnelProtocol = tunnel === 'geneve' ? 'geneve' : 'vxlan';
  const portOpt = cfg.int('tunnel-port', 0);
  let tunnelPort = portOpt.value === 0 ? (tunnelProtocol === 'geneve' ? 6081 : 8472) : portOpt.value;
  if (tunnelPort < 1 || tunnelPort > 65535) {
    warn({ pos: cfg.at('tunnel-port'), message: `cilium-config tunnel-port=${portOpt.value} is not a UDP port: ${tunnelProtocol === 'geneve' ? 6081 : 8472} assumed` });
    tunnelPort = tunnelProtocol === 'geneve' ? 6081 : 8472;
  }
  const nativeCidr = nativeRoutingCidr(cfg, warn);
  if (tunnel === 'disabled') {
    sources.push({ value: `native routing${nativeCidr ? ` (ipv4-native-routing-cidr ${cfg.get('ipv4-native-routing-cidr')?.value})` : ''}`, from: tunnelFrom });
  } else {
    const port = said(cfg, ['tunnel-port', `${tunnelPort} for ${tunnelProtocol}`, 'pkg/option/config.go:3041-3050']);
    sources.push({ value: `tunnel ${tunnelProtocol}:${tunnelPort}`, from: `${tunnelFrom}; ${port}` });
  }

  // Kube-proxy replacement: strict turns socket LB and NodePort on, disabled off, partial leaves
  // them to bpf-lb-sock and enable-node-port (kube_proxy_replacement.go:48-85).
  const kpr = kprMode(cfg, warn);
  let socketLb = kpr.mode === 'strict';
  let nodePort = kpr.mode === 'strict';
  let kprFrom = `${kpr.from}${kpr.mode === 'strict' ? `: both on, ${KPR}:73-83` : kpr.mode === 'disabled' ? `: both off, ${KPR}:54-61` : ''}`;
  if (kpr.mode === 'partial') {
    const sock = cfg.bool('bpf-lb-sock', false);
    const np = cfg.bool('enable-node-port', false);
    socketLb = sock.value;
    nodePort = np.value;
    kprFrom += `; partial leaves them to ${said(cfg, O.sock, O.nodePort)}`;
  }
  sources.push({ value: `${socketLb ? 'socket LB' : 'per-packet LB'} · ${nodePort ? 'BPF NodePort' : 'no BPF NodePort'}`, from: kprFrom });

  // Host routing, then masquerading, in the agent's order. Masquerading of a family is off
  // when the family is (pkg/option/config.go:3010-3011).
  const v4 = cfg.bool(O.v4[0], true);
  const v6 = cfg.bool(O.v6[0], true);
  const v4Masq = { value: cfg.bool('enable-ipv4-masquerade', true).value && v4.value };
  const v6Masq = { value: cfg.bool('enable-ipv6-masquerade', true).value && v6.value };
  const bpfMasqOpt = cfg.bool('enable-bpf-masquerade', false);
  const legacyOpt = cfg.bool('enable-host-legacy-routing', false);
  const on = (key: string) => cfg.bool(key, false).value;
  let bpfMasq = bpfMasqOpt.value;
  let legacy = legacyOpt.value;
  let routingWhy = said(cfg, O.legacy);
  const iptablesMasq = !bpfMasq && (v4Masq.value || v6Masq.value); // IptablesMasqueradingEnabled, pkg/option/config.go:2483-2485
  if (!nodePort) {
    legacy = true;
    routingWhy = `no BPF NodePort: disableNodePort turns on enable-host-legacy-routing, ${KPR}:414-419, 526-531`;
  } else if (!legacy) {
    const masqKeys = v6Masq.value && !v4Masq.value ? said(cfg, O.bpfMasq, O.v6Masq) : said(cfg, O.bpfMasq);
    const why = on('enable-ipsec') ? `cilium-config enable-ipsec=true: BPF host routing is incompatible with it, ${KPR}:444-445`
      : iptablesMasq ? `iptables masquerading (${masqKeys}): BPF host routing requires enable-bpf-masquerade, ${KPR}:447-448`
      : on('enable-endpoint-routes') ? `cilium-config enable-endpoint-routes=true: BPF host routing does not support it, ${KPR}:450-451`
      : on('enable-wireguard') ? `cilium-config enable-wireguard=true: BPF host routing does not support it, ${KPR}:454-455` : undefined;
    if (why) {
      legacy = true;
      routingWhy = `${why}; v1.13.0 falls back to legacy host routing`;
    } else {
      routingWhy = `${said(cfg, O.legacy)}; nothing forces legacy routing: BPF NodePort on, ${bpfMasq ? 'BPF masquerading' : 'no masquerading'}, IPsec, WireGuard and endpoint routes off, a kernel of 5.10 or later assumed, ${KPR}:440-465`;
    }
  }
  let masqWhy = said(cfg, O.v4Masq, O.bpfMasq);
  if (v4Masq.value && bpfMasq) {
    const err = !nodePort ? 'BPF masquerade requires NodePort, daemon/cmd/daemon.go:983-985'
      : !cfg.bool('enable-remote-node-identity', false).value ? `BPF masquerade requires remote node identities (${said(cfg, O.remoteNode)}), daemon/cmd/daemon.go:986-988`
      : tunnel !== 'disabled' && !socketLb ? 'BPF masquerade requires socket LB in tunnel mode, daemon/cmd/daemon.go:992-994' : undefined;
    if (err) {
      bpfMasq = false;
      masqWhy += `; ${err}: v1.13.0 falls back to iptables`;
      warn({ pos: cfg.at('enable-bpf-masquerade'), message: `cilium-config enable-bpf-masquerade=true: ${err}; the v1.13.0 agent falls back to iptables masquerading and legacy host routing` });
      if (!legacy) routingWhy = 'BPF masquerading could not be enabled: v1.13.0 falls back to legacy host routing, daemon/cmd/daemon.go:996-1006';
      legacy = true;
    }
  } else if (bpfMasq) {
    bpfMasq = false; // daemon.go:1043-1047
  }
  sources.push({ value: legacy ? 'legacy host routing' : 'BPF host routing', from: routingWhy });
  const masquerade = !v4Masq.value ? 'none' : bpfMasq ? 'bpf' : 'iptables';
  sources.push({ value: `masquerade ${masquerade}`, from: masqWhy });

  const policyEnforcement = enforcement(cfg, warn);
  sources.push({ value: `policy enforcement ${policyEnforcement}`, from: said(cfg, O.policy) });
  const { name, clusterId } = clusterIdentity(cfg, warn);
  sources.push({ value: `cluster ${name}, id ${clusterId}`, from: said(cfg, O.name, O.id) });
  const labelPrefixes = cfg.words('labels');
  for (const bad of badLabelPrefixes(labelPrefixes)) warn({ pos: cfg.at('labels'), message: `cilium-config labels: '${bad}' is not a regular expression cilium-trace can use: ignored` });
  sources.push(labelPrefixes.length > 0
    ? { value: `identity labels ${labelPrefixes.join(' ')} and the default prefixes`, from: `cilium-config labels, pkg/labelsfilter/filter.go:113-160` }
    : { value: 'identity labels: the default filter', from: 'labels unset: v1.13.0 uses its default prefixes, pkg/labelsfilter/filter.go:185-214' });
  if (!v4.value) warn({ pos: cfg.at('enable-ipv4'), message: 'cilium-config enable-ipv4=false: the cluster has no IPv4 datapath, and cilium-trace simulates IPv4 only' });
  sources.push({ value: v6.value ? 'IPv4 and IPv6' : 'IPv4', from: `${said(cfg, O.v4, O.v6)}${v6.value ? '; IPv6 is not simulated' : ''}` });
  const mtu = mtuOf(cfg, warn);
  sources.push({ value: `MTU ${mtu}`, from: cfg.has('mtu') && cfg.int('mtu', 0).value !== 0 ? `cilium-config mtu=${cfg.get('mtu')?.value}` : 'mtu unset: the agent takes the device MTU; cilium-trace assumes 1500' });
  for (const [key, what] of NOT_SIMULATED) if (cfg.has(key) && on(key)) warn({ pos: cfg.at(key), message: `cilium-config ${key}=true: ${what}` });
  const lbMode = cfg.get('bpf-lb-mode');
  if (nodePort && lbMode && lbMode.value !== 'snat') warn({ pos: lbMode.pos, message: `cilium-config bpf-lb-mode=${lbMode.value}: DSR is not simulated; NodePort traces use SNAT` });
  const dpMode = cfg.get('datapath-mode');
  if (dpMode && dpMode.value !== 'veth') warn({ pos: dpMode.pos, message: `cilium-config datapath-mode=${dpMode.value} is not simulated: traces use the veth datapath` });

  return {
    name,
    profile: profile.profile,
    profileWhy: profile.profileWhy,
    routing: tunnel === 'disabled' ? 'native' : 'tunnel',
    tunnelProtocol,
    tunnelPort,
    bpfHostRouting: !legacy,
    kubeProxyReplacement: socketLb && nodePort,
    policyEnforcement,
    mtu,
    masquerade,
    pos: cfg.pos,
    socketLb,
    nodePort,
    clusterId,
    labelPrefixes,
    ...(nativeCidr ? { nativeRoutingCidr: nativeCidr } : {}),
    sources,
  };
}

function enforcement(cfg: CiliumConfig, warn: Warn): EnforcementMode {
  const v = cfg.get('enable-policy');
  if (!v) return 'default';
  const lower = v.value.toLowerCase(); // pkg/option/config.go:2874
  if (lower === 'default' || lower === 'always' || lower === 'never') return lower;
  warn({ pos: v.pos, message: `cilium-config enable-policy="${v.value}" is not a mode (default, always, never): default assumed` });
  return 'default';
}

function clusterIdentity(cfg: CiliumConfig, warn: Warn): { name: string; clusterId: number } {
  const name = cfg.get('cluster-name')?.value || 'default';
  let clusterId = cfg.int('cluster-id', 0).value;
  if (clusterId < 0 || clusterId > 255) {
    warn({ pos: cfg.at('cluster-id'), message: `cilium-config cluster-id=${clusterId} is out of range (0..255; the agent refuses it, pkg/option/config.go:2681-2684): 0 assumed` });
    clusterId = 0;
  } else if (clusterId !== 0 && name === 'default') {
    warn({ pos: cfg.at('cluster-id'), message: `cilium-config cluster-id=${clusterId} with the default cluster name: the v1.13.0 agent refuses this (pkg/option/config.go:2686-2690)` });
  }
  return { name, clusterId };
}

function mtuOf(cfg: CiliumConfig, warn: Warn): number {
  const v = cfg.int('mtu', 0).value;
  if (v === 0) return 1500;
  if (v >= 576 && v <= 9216) return v;
  warn({ pos: cfg.at('mtu'), message: `cilium-config mtu=${v} is outside 576..9216: 1500 assumed` });
  return 1500;
}

function nativeRoutingCidr(cfg: CiliumConfig, warn: Warn): Ipv4Prefix | undefined {
  const v = cfg.get('ipv4-native-routing-cidr');
  if (!v || v.value === '') return undefined;
  const p = parseIpv4Prefix(v.value, false);
  if (!p) warn({ pos: v.pos, message: `cilium-config ipv4-native-routing-cidr="${v.value}" is not an IPv4 prefix: ignored` });
  return p;
}
