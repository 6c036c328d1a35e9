// cilium-config → the datapath settings, as the agent of the selected release resolves its
// options: the flag defaults where a key is unset (daemon/cmd/daemon_main.go, and in v1.18 the
// cells that own a flag: pkg/kpr/kpr.go, pkg/datapath/tunnel/tunnel.go), kube-proxy
// replacement's modes and what they switch on or off (daemon/cmd/kube_proxy_replacement.go),
// the fall-backs to legacy host routing and iptables masquerading (v1.13.0:
// kube_proxy_replacement.go:414-465, daemon/cmd/daemon.go:976-1048). Each setting says where it
// came from, in the source of its release (the trace header shows it); values the agent refuses
// or features not simulated are warnings, never errors.
import { parseIpv4Prefix, type Ipv4Prefix } from '../net/ip.js';
import type { Position } from '../errors.js';
import { badLabelPrefixes } from '../controlplane/labels.js';
import { releaseOfProfile } from '../cilium/releases/release.js';
import { CiliumConfig } from './cilium-config.js';
import type { ClusterSettings, EnforcementMode, LoadWarning, SettingSource, TunnelProtocol } from './types.js';

const KPR = 'daemon/cmd/kube_proxy_replacement.go';
type Warn = (w: LoadWarning) => void;

/** An option, its default in the release and where the agent sets that default. */
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

/**
 * The options of v1.14 and later that differ from v1.13.0, for v1.16.15 and v1.18.3: flag
 * defaults and the source lines of each check the agent makes (read at each release's commit).
 */
interface Newer {
  readonly opts: { readonly [K in keyof typeof O | 'routingMode' | 'tunnelProtocol' | 'noBackend' | 'tcx' | 'cidrMatch' | 'nodeSelector' | 'knp']: Opt };
  /** v1.17+: bpf-lb-proto-diff and enable-non-default-deny-policies (absent: not an option of the release). */
  readonly protoDiff?: Opt;
  readonly nonDefaultDeny?: Opt;
  /** Where the agent leaves Kubernetes NetworkPolicies unwatched when enable-k8s-networkpolicy=false. */
  readonly knpWatch: string;
  /** Where the tunnel port defaults to 8472 / 6081. */
  readonly tunnelPort: string;
  readonly routingModeCheck: string;
  readonly tunnelProtocolCheck: string;
  readonly kprCheck: string;
  readonly kprTrue: string;
  /** No BPF NodePort: legacy host routing. */
  readonly noNodePort: string;
  readonly hostRouting: { readonly all: string; readonly ipsec: string; readonly iptables: string; readonly kpr: string; readonly kernel?: string };
  readonly bpfMasqNodePort: string;
  readonly bpfMasqNoMasq: string;
  readonly noBackendCheck: string;
  readonly cidrMatchCheck: string;
  readonly clusterIdRange: string;
  readonly clusterIdName: string;
  readonly labels: string;
  readonly labelsDefault: string;
}

const M16 = MAIN;
const V1_16: Newer = {
  opts: {
    tunnel: ['tunnel', '', 'removed in v1.15'],
    routingMode: ['routing-mode', 'tunnel', `${M16}:732, pkg/defaults/defaults.go:547`],
    tunnelProtocol: ['tunnel-protocol', 'vxlan', 'pkg/datapath/tunnel/tunnel.go:219, pkg/defaults/defaults.go:550'],
    kpr: ['kube-proxy-replacement', 'false', `${M16}:541`],
    sock: ['bpf-lb-sock', 'false', `${M16}:347`],
    nodePort: ['enable-node-port', 'false', `${M16}:553`],
    legacy: ['enable-host-legacy-routing', 'false', `${M16}:366`],
    v4Masq: ['enable-ipv4-masquerade', 'true', `${M16}:672`],
    v6Masq: ['enable-ipv6-masquerade', 'true', `${M16}:675`],
    bpfMasq: ['enable-bpf-masquerade', 'false', `${M16}:678`],
    remoteNode: ['enable-remote-node-identity', 'true', 'removed in v1.15: remote node identities are always on'],
    policy: ['enable-policy', 'default', `${M16}:372`],
    name: ['cluster-name', 'default', 'pkg/clustermesh/types/option.go:46'],
    id: ['cluster-id', '0', 'pkg/clustermesh/types/option.go:45'],
    v4: ['enable-ipv4', 'true', `${M16}:284`],
    v6: ['enable-ipv6', 'true', `${M16}:287`],
    noBackend: ['service-no-backend-response', 'reject', `${M16}:735, pkg/defaults/defaults.go:553`],
    tcx: ['enable-tcx', 'true', `${M16}:747`],
    cidrMatch: ['policy-cidr-match-mode', '(empty)', `${M16}:1127`],
    nodeSelector: ['enable-node-selector-labels', 'false', `${M16}:1134`],
    knp: ['enable-k8s-networkpolicy', 'true', `${M16}:1123, pkg/defaults/defaults.go:574`],
  },
  knpWatch: 'pkg/policy/k8s/watcher.go:60-62',
  tunnelPort: 'pkg/datapath/tunnel/tunnel.go:92-105',
  routingModeCheck: 'pkg/option/config.go:2841-2846',
  tunnelProtocolCheck: 'pkg/datapath/tunnel/tunnel.go:63-67',
  kprCheck: `${KPR}:44-47`,
  kprTrue: `${KPR}:49-60`,
  noNodePort: `${KPR}:348-351, 443-449`,
  hostRouting: { all: `${KPR}:368-390`, ipsec: `${KPR}:372-373`, iptables: `${KPR}:375-376`, kpr: `${KPR}:378-379`, kernel: `${KPR}:380-384` },
  bpfMasqNodePort: 'daemon/cmd/daemon.go:681-695',
  bpfMasqNoMasq: 'daemon/cmd/daemon.go:706-708',
  noBackendCheck: 'pkg/option/config.go:3164-3171',
  cidrMatchCheck: 'pkg/option/config.go:2724-2735',
  clusterIdRange: 'pkg/clustermesh/types/option.go:53-56',
  clusterIdName: 'pkg/clustermesh/types/option.go:91-94',
  labels: 'pkg/labelsfilter/filter.go:112-195',
  labelsDefault: 'pkg/labelsfilter/filter.go:210-248',
};

const V1_18: Newer = {
  opts: {
    tunnel: ['tunnel', '', 'removed in v1.15'],
    routingMode: ['routing-mode', 'tunnel', `${MAIN}:629, pkg/defaults/defaults.go:476`],
    tunnelProtocol: ['tunnel-protocol', 'vxlan', 'pkg/datapath/tunnel/tunnel.go:266, pkg/defaults/defaults.go:479'],
    kpr: ['kube-proxy-replacement', 'false', 'pkg/kpr/kpr.go:32, 42'],
    sock: ['bpf-lb-sock', 'false', 'pkg/kpr/kpr.go:33, 44'],
    nodePort: ['enable-node-port', 'false', 'pkg/kpr/kpr.go:34, 46'],
    legacy: ['enable-host-legacy-routing', 'false', `${MAIN}:331`],
    v4Masq: ['enable-ipv4-masquerade', 'true', `${MAIN}:564`],
    v6Masq: ['enable-ipv6-masquerade', 'true', `${MAIN}:567`],
    bpfMasq: ['enable-bpf-masquerade', 'false', `${MAIN}:570`],
    remoteNode: ['enable-remote-node-identity', 'true', 'removed in v1.15: remote node identities are always on'],
    policy: ['enable-policy', 'default', `${MAIN}:334`],
    name: ['cluster-name', 'default', 'pkg/clustermesh/types/option.go:44'],
    id: ['cluster-id', '0', 'pkg/clustermesh/types/option.go:43'],
    v4: ['enable-ipv4', 'true', `${MAIN}:252`],
    v6: ['enable-ipv6', 'true', `${MAIN}:255`],
    noBackend: ['service-no-backend-response', 'reject', `${MAIN}:632, pkg/defaults/defaults.go:489`],
    tcx: ['enable-tcx', 'true', `${MAIN}:647`],
    cidrMatch: ['policy-cidr-match-mode', '(empty)', `${MAIN}:900`],
    nodeSelector: ['enable-node-selector-labels', 'false', `${MAIN}:907`],
    knp: ['enable-k8s-networkpolicy', 'true', `${MAIN}:888, pkg/defaults/defaults.go:521`],
  },
  protoDiff: ['bpf-lb-proto-diff', 'true', `${MAIN}:516`],
  nonDefaultDeny: ['enable-non-default-deny-policies', 'true', `${MAIN}:917, pkg/defaults/defaults.go:565`],
  knpWatch: 'pkg/policy/k8s/watcher.go:134-135',
  tunnelPort: 'pkg/datapath/tunnel/tunnel.go:128-139',
  routingModeCheck: 'pkg/option/config.go:2412-2417',
  tunnelProtocolCheck: 'pkg/datapath/tunnel/tunnel.go:84-88',
  kprCheck: 'pkg/kpr/kpr.go:74-76',
  kprTrue: 'pkg/kpr/kpr.go:88-94',
  noNodePort: `${KPR}:45-47`,
  hostRouting: { all: `${KPR}:269-285`, ipsec: `${KPR}:273-274`, iptables: `${KPR}:276-277`, kpr: `${KPR}:279-280` },
  bpfMasqNodePort: 'daemon/cmd/daemon.go:545-559',
  bpfMasqNoMasq: 'daemon/cmd/daemon.go:570-572',
  noBackendCheck: 'pkg/option/config.go:2734-2741',
  cidrMatchCheck: 'pkg/option/config.go:2311-2322',
  clusterIdRange: 'pkg/clustermesh/types/option.go:51-54',
  clusterIdName: 'pkg/clustermesh/types/option.go:88-91',
  labels: 'pkg/labelsfilter/filter.go:111-206',
  labelsDefault: 'pkg/labelsfilter/filter.go:221-260',
};

/** "cilium-config a=1, b=2" for the options set, "c unset: v1.13.0 defaults to X, FILE:LINE" (the running release) for the others. */
function said(cfg: CiliumConfig, ...opts: Opt[]): string {
  const set = opts.filter(([k]) => cfg.has(k)).map(([k]) => cfg.quote(k));
  const unset = opts.filter(([k]) => !cfg.has(k)).map(([k, v, cite]) => `${k} unset: ${cfg.agent} defaults to ${v}, ${cite}`);
  return [...(set.length > 0 ? [`cilium-config ${set.join(', ')}`] : []), ...unset].join('; ');
}

/** v1.13.0's `tunnel` (vxlan, geneve, disabled); routing-mode and tunnel-protocol of a later ConfigMap stand in for it. */
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

/** v1.13.0's kube-proxy-replacement modes; true and false of later releases stand for strict and disabled. */
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
  ['enable-egress-gateway', 'the egress gateway is not simulated'], // the v1.18.3 name (pkg/option/config.go:322)
  ['enable-local-redirect-policy', 'local redirect policies are not simulated'],
  ['enable-endpoint-routes', 'per-endpoint routes are not simulated: traces route to pods through cilium_host'],
];

/** What the options before the policy ones decide: routing, LB, host routing, masquerading. */
interface Shape {
  readonly sources: SettingSource[];
  readonly tunnel: TunnelProtocol | 'disabled';
  readonly tunnelProtocol: TunnelProtocol;
  readonly tunnelPort: number;
  readonly nativeCidr: Ipv4Prefix | undefined;
  readonly socketLb: boolean;
  readonly nodePort: boolean;
  readonly legacy: boolean;
  readonly masquerade: 'iptables' | 'bpf' | 'none';
}

/**
 * The settings of a cluster whose cilium-config is `cfg` (undefined: no ConfigMap among the
 * inputs, every option at the default of the profile's release).
 */
export function settingsFromConfig(given: CiliumConfig | undefined, fallback: Position, warn: Warn, profile: Pick<ClusterSettings, 'profile' | 'profileWhy'>): ClusterSettings {
  const cfg = given ?? new CiliumConfig(fallback, '', undefined, warn);
  cfg.agent = releaseOfProfile(profile.profile).version;
  const newer = profile.profile === '1.16' ? V1_16 : profile.profile === '1.18' ? V1_18 : undefined;
  const shape = newer ? newerShape(cfg, warn, newer) : v1130Shape(cfg, warn);
  const { sources, tunnel, nodePort } = shape;
  const opt = newer?.opts ?? O;

  const policyEnforcement = enforcement(cfg, warn);
  sources.push({ value: `policy enforcement ${policyEnforcement}`, from: said(cfg, opt.policy) });
  const { name, clusterId } = clusterIdentity(cfg, warn, newer);
  sources.push({ value: `cluster ${name}, id ${clusterId}`, from: said(cfg, opt.name, opt.id) });
  const labelPrefixes = cfg.words('labels');
  for (const bad of badLabelPrefixes(labelPrefixes)) warn({ pos: cfg.at('labels'), message: `cilium-config labels: '${bad}' is not a regular expression cilium-trace can use: ignored` });
  sources.push(labelPrefixes.length > 0
    ? { value: `identity labels ${labelPrefixes.join(' ')} and the default prefixes`, from: `cilium-config labels, ${newer?.labels ?? 'pkg/labelsfilter/filter.go:113-160'}` }
    : { value: 'identity labels: the default filter', from: `labels unset: ${cfg.agent} uses its default prefixes, ${newer?.labelsDefault ?? 'pkg/labelsfilter/filter.go:185-214'}` });
  const v4 = cfg.bool(opt.v4[0], true);
  const v6 = cfg.bool(opt.v6[0], true);
  if (!v4.value) warn({ pos: cfg.at('enable-ipv4'), message: 'cilium-config enable-ipv4=false: the cluster has no IPv4 datapath, and cilium-trace simulates IPv4 only' });
  sources.push({ value: v6.value ? 'IPv4 and IPv6' : 'IPv4', from: `${said(cfg, opt.v4, opt.v6)}${v6.value ? '; IPv6 is not simulated' : ''}` });
  const mtu = mtuOf(cfg, warn);
  sources.push({ value: `MTU ${mtu}`, from: cfg.has('mtu') && cfg.int('mtu', 0).value !== 0 ? `cilium-config mtu=${cfg.get('mtu')?.value}` : 'mtu unset: the agent takes the device MTU; cilium-trace assumes 1500' });
  const later = newer ? laterOptions(cfg, warn, newer, sources) : ignoredLaterKeys(cfg, warn);
  const on = (key: string) => cfg.bool(key, false).value;
  for (const [key, what] of NOT_SIMULATED) if (cfg.has(key) && on(key)) warn({ pos: cfg.at(key), message: `cilium-config ${key}=true: ${what}` });
  if (shape.socketLb && on('bpf-lb-sock-hostns-only')) warn({ pos: cfg.at('bpf-lb-sock-hostns-only'), message: "cilium-config bpf-lb-sock-hostns-only=true: pods' connections to Services are load-balanced per packet in bpf_lxc, not at connect(); this is not simulated: traces from pods use socket LB" });
  const chaining = cfg.get('cni-chaining-mode');
  if (chaining && chaining.value !== '' && chaining.value !== 'none') warn({ pos: chaining.pos, message: `cilium-config cni-chaining-mode=${chaining.value}: CNI chaining is not simulated: traces use Cilium's own veth datapath` });
  const lbMode = cfg.get('bpf-lb-mode');
  if (nodePort && lbMode && lbMode.value !== 'snat') warn({ pos: lbMode.pos, message: `cilium-config bpf-lb-mode=${lbMode.value}: DSR is not simulated; NodePort traces use SNAT` });
  const dpMode = cfg.get('datapath-mode');
  if (dpMode && dpMode.value !== 'veth') warn({ pos: dpMode.pos, message: `cilium-config datapath-mode=${dpMode.value} is not simulated: traces use the veth datapath` });

  return {
    name,
    profile: profile.profile,
    profileWhy: profile.profileWhy,
    routing: tunnel === 'disabled' ? 'native' : 'tunnel',
    tunnelProtocol: shape.tunnelProtocol,
    tunnelPort: shape.tunnelPort,
    bpfHostRouting: !shape.legacy,
    kubeProxyReplacement: shape.socketLb && nodePort,
    policyEnforcement,
    mtu,
    masquerade: shape.masquerade,
    pos: cfg.pos,
    socketLb: shape.socketLb,
    nodePort,
    clusterId,
    labelPrefixes,
    ...(shape.nativeCidr ? { nativeRoutingCidr: shape.nativeCidr } : {}),
    ...later,
    sources,
  };
}

/** The tunnel line: protocol and port (the port's default depends on the protocol). */
function tunnelLine(cfg: CiliumConfig, warn: Warn, tunnel: TunnelProtocol | 'disabled', tunnelFrom: string, portCite: string, sources: SettingSource[]): { tunnelProtocol: TunnelProtocol; tunnelPort: number; nativeCidr: Ipv4Prefix | undefined } {
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
    const port = said(cfg, ['tunnel-port', `${tunnelPort} for ${tunnelProtocol}`, portCite]);
    sources.push({ value: `tunnel ${tunnelProtocol}:${tunnelPort}`, from: `${tunnelFrom}; ${port}` });
  }
  return { tunnelProtocol, tunnelPort, nativeCidr };
}

/** v1.13.0: tunnel=, kube-proxy-replacement strict|partial|disabled, its host routing and masquerading fall-backs. */
function v1130Shape(cfg: CiliumConfig, warn: Warn): Shape {
  const sources: SettingSource[] = [];
  const { tunnel, from: tunnelFrom } = tunnelMode(cfg, warn);
  const { tunnelProtocol, tunnelPort, nativeCidr } = tunnelLine(cfg, warn, tunnel, tunnelFrom, 'pkg/option/config.go:3041-3050', sources);

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
  return { sources, tunnel, tunnelProtocol, tunnelPort, nativeCidr, socketLb, nodePort, legacy, masquerade };
}

/**
 * v1.16.15 and v1.18.3: routing-mode and tunnel-protocol (`tunnel` is gone), kube-proxy-replacement
 * true|false, BPF host routing only with kube-proxy-replacement=true, and an agent that refuses to
 * start (rather than falling back) when BPF masquerading cannot work.
 */
function newerShape(cfg: CiliumConfig, warn: Warn, n: Newer): Shape {
  const o = n.opts;
  const v = cfg.agent;
  const sources: SettingSource[] = [];
  const { tunnel, from: tunnelFrom } = routingMode(cfg, warn, n);
  const { tunnelProtocol, tunnelPort, nativeCidr } = tunnelLine(cfg, warn, tunnel, tunnelFrom, n.tunnelPort, sources);

  // kube-proxy-replacement=true turns socket LB and NodePort on; false leaves them to their own keys.
  const k = cfg.get('kube-proxy-replacement');
  let kprTrue = false;
  let kprFrom: string;
  if (!k || k.value === 'false') {
    kprFrom = said(cfg, o.kpr);
  } else if (k.value === 'true') {
    kprTrue = true;
    kprFrom = `cilium-config kube-proxy-replacement=true: both on, ${n.kprTrue}`;
  } else {
    // v1.13's modes: the agent refuses them; strict is what true became, partial and disabled false.
    kprTrue = k.value === 'strict';
    const as = kprTrue ? 'true' : 'false';
    warn({ pos: k.pos, message: `cilium-config kube-proxy-replacement="${k.value}" is not a value of ${v} (true, false; strict, partial and disabled were removed in v1.16): the agent refuses it (${n.kprCheck}): taken as ${as}` });
    kprFrom = `cilium-config kube-proxy-replacement=${k.value} is refused by ${v}, taken as ${as}${kprTrue ? `: both on, ${n.kprTrue}` : ''}`;
  }
  const socketLb = kprTrue || cfg.bool('bpf-lb-sock', false).value;
  const nodePort = kprTrue || cfg.bool('enable-node-port', false).value;
  if (!kprTrue) kprFrom += `; false leaves them to ${said(cfg, o.sock, o.nodePort)}`;
  sources.push({ value: `${socketLb ? 'socket LB' : 'per-packet LB'} · ${nodePort ? 'BPF NodePort' : 'no BPF NodePort'}`, from: kprFrom });

  const v4 = cfg.bool(o.v4[0], true).value;
  const v6 = cfg.bool(o.v6[0], true).value;
  // A family's masquerading is off with the family: pkg/option/config.go:3152-3153 (v1.16.15), 2719-2720 (v1.18.3).
  const v4Masq = cfg.bool('enable-ipv4-masquerade', true).value && v4;
  const v6Masq = cfg.bool('enable-ipv6-masquerade', true).value && v6;
  let bpfMasq = cfg.bool('enable-bpf-masquerade', false).value;
  let masqWhy = said(cfg, o.v4Masq, o.bpfMasq);
  if (bpfMasq && (v4Masq || v6Masq) && !nodePort) {
    // Not a fall-back any more: the agent stops (daemon.go). Traced as iptables so the walk goes on.
    warn({ pos: cfg.at('enable-bpf-masquerade'), message: `cilium-config enable-bpf-masquerade=true without BPF NodePort: the ${v} agent refuses to start ("BPF masquerade requires NodePort", ${n.bpfMasqNodePort}); traced as iptables masquerading` });
    masqWhy += `; BPF masquerade requires NodePort: the ${v} agent refuses to start, ${n.bpfMasqNodePort}; traced as iptables`;
    bpfMasq = false;
  } else if (bpfMasq && !v4Masq && !v6Masq) {
    warn({ pos: cfg.at('enable-bpf-masquerade'), message: `cilium-config enable-bpf-masquerade=true with IPv4 and IPv6 masquerading off: the ${v} agent refuses to start (${n.bpfMasqNoMasq}); traced without masquerading` });
    bpfMasq = false;
  }
  const iptablesMasq = !bpfMasq && (v4Masq || v6Masq); // IptablesMasqueradingEnabled: pkg/option/config.go:2627-2629 (v1.16.15), 2214-2216 (v1.18.3)

  let legacy = cfg.bool('enable-host-legacy-routing', false).value;
  let routingWhy = said(cfg, o.legacy);
  if (!nodePort) {
    legacy = true;
    routingWhy = `no BPF NodePort: the agent turns on enable-host-legacy-routing, ${n.noNodePort}`;
  } else if (!legacy) {
    const masqKeys = v6Masq && !v4Masq ? said(cfg, o.bpfMasq, o.v6Masq) : said(cfg, o.bpfMasq);
    const hr = n.hostRouting;
    const why = cfg.bool('enable-ipsec', false).value ? `cilium-config enable-ipsec=true: BPF host routing is incompatible with it, ${hr.ipsec}`
      : iptablesMasq ? `iptables masquerading (${masqKeys}): BPF host routing requires enable-bpf-masquerade, ${hr.iptables}`
      : !kprTrue ? `${said(cfg, o.kpr)}: BPF host routing requires kube-proxy-replacement=true, ${hr.kpr}` : undefined;
    if (why) {
      legacy = true;
      routingWhy = `${why}; ${v} falls back to legacy host routing`;
    } else {
      const kernel = hr.kernel ? `, a kernel of 5.10 or later assumed (${hr.kernel})` : '';
      routingWhy = `${said(cfg, o.legacy)}; nothing forces legacy routing: kube-proxy-replacement=true, ${bpfMasq ? 'BPF masquerading' : 'no masquerading'}, IPsec off${kernel}, ${hr.all}`;
    }
  }
  sources.push({ value: legacy ? 'legacy host routing' : 'BPF host routing', from: routingWhy });
  const masquerade = !v4Masq ? 'none' : bpfMasq ? 'bpf' : 'iptables';
  sources.push({ value: `masquerade ${masquerade}`, from: masqWhy });
  return { sources, tunnel, tunnelProtocol, tunnelPort, nativeCidr, socketLb, nodePort, legacy, masquerade };
}

/** routing-mode and tunnel-protocol (v1.14+); `tunnel` was removed in v1.15 and is ignored. */
function routingMode(cfg: CiliumConfig, warn: Warn, n: Newer): { tunnel: TunnelProtocol | 'disabled'; from: string } {
  const v = cfg.agent;
  const old = cfg.get('tunnel');
  if (old && old.value !== '') {
    const mode = cfg.has('routing-mode') ? '' : ` (routing-mode unset: ${n.opts.routingMode[1]})`;
    warn({ pos: old.pos, message: `cilium-config tunnel=${old.value} is an option of Cilium v1.13 and v1.14, removed in v1.15: ${v} ignores it and reads routing-mode and tunnel-protocol${mode}` });
  }
  let mode = cfg.get('routing-mode');
  if (mode && mode.value !== 'tunnel' && mode.value !== 'native') {
    warn({ pos: mode.pos, message: `cilium-config routing-mode="${mode.value}" is not a routing mode (tunnel, native; the ${v} agent refuses it, ${n.routingModeCheck}): tunnel assumed` });
    mode = undefined;
  }
  let proto = cfg.get('tunnel-protocol');
  if (proto && proto.value !== 'vxlan' && proto.value !== 'geneve') {
    warn({ pos: proto.pos, message: `cilium-config tunnel-protocol="${proto.value}" is not a tunnel protocol (vxlan, geneve; the ${v} agent refuses it, ${n.tunnelProtocolCheck}): vxlan assumed` });
    proto = undefined;
  }
  if (mode?.value === 'native') return { tunnel: 'disabled', from: `cilium-config routing-mode=native` };
  const tunnel: TunnelProtocol = proto?.value === 'geneve' ? 'geneve' : 'vxlan';
  const from = [mode ? `cilium-config routing-mode=${mode.value}` : said(cfg, n.opts.routingMode), proto ? `cilium-config tunnel-protocol=${proto.value}` : said(cfg, n.opts.tunnelProtocol)];
  return { tunnel, from: from.join('; ') };
}

type Later = Pick<ClusterSettings, 'serviceNoBackendResponse' | 'tcx' | 'policyCidrMatchNodes' | 'nodeSelectorLabels' | 'k8sNetworkPolicy' | 'lbProtoDiff' | 'nonDefaultDenyPolicies'>;

/** Options of v1.15 to v1.18 that change the walk: each gets a header line of its own. */
function laterOptions(cfg: CiliumConfig, warn: Warn, n: Newer, sources: SettingSource[]): Later {
  const v = cfg.agent;
  const o = n.opts;
  let noBackend: 'reject' | 'drop' = 'reject';
  const nb = cfg.get('service-no-backend-response');
  if (nb && (nb.value === 'reject' || nb.value === 'drop')) noBackend = nb.value;
  else if (nb && nb.value !== '') warn({ pos: nb.pos, message: `cilium-config service-no-backend-response="${nb.value}" is not reject or drop: the ${v} agent refuses it (${n.noBackendCheck}); reject assumed` });
  sources.push({ value: `a Service without backends: ${noBackend === 'reject' ? 'ICMP port unreachable' : 'drop'}`, from: nb && noBackend === nb.value ? `cilium-config service-no-backend-response=${nb.value}` : said(cfg, o.noBackend) });
  const tcx = cfg.bool('enable-tcx', true).value;
  sources.push({ value: tcx ? 'programs attached with tcx' : 'programs attached with legacy tc', from: `${said(cfg, o.tcx)}${tcx ? '; tcx needs kernel 6.6 or later (else legacy tc), assumed' : ''}` });
  const modes = cfg.words('policy-cidr-match-mode');
  for (const m of modes) if (m !== 'nodes') warn({ pos: cfg.at('policy-cidr-match-mode'), message: `cilium-config policy-cidr-match-mode: '${m}' is not a match mode (nodes; the ${v} agent refuses it, ${n.cidrMatchCheck}): ignored` });
  const cidrNodes = modes.includes('nodes');
  const nodeSel = cfg.bool('enable-node-selector-labels', false).value;
  sources.push({ value: `CIDR policies ${cidrNodes ? 'also select nodes' : 'do not select nodes'}; node selector labels ${nodeSel ? 'on' : 'off'}`, from: said(cfg, o.cidrMatch, o.nodeSelector) });
  const knp = cfg.bool('enable-k8s-networkpolicy', true).value;
  if (!knp) warn({ pos: cfg.at('enable-k8s-networkpolicy'), message: `cilium-config enable-k8s-networkpolicy=false: the ${v} agent does not watch Kubernetes NetworkPolicies (${n.knpWatch}): they are left out` });
  const policyKeys = [o.knp, ...(n.nonDefaultDeny ? [n.nonDefaultDeny] : [])];
  const nonDefaultDeny = n.nonDefaultDeny ? cfg.bool(n.nonDefaultDeny[0], true).value : undefined;
  sources.push({ value: `Kubernetes NetworkPolicies ${knp ? 'enforced' : 'ignored'}${nonDefaultDeny === undefined ? '' : `; enableDefaultDeny of policies ${nonDefaultDeny ? 'honoured' : 'ignored'}`}`, from: said(cfg, ...policyKeys) });
  let protoDiff: boolean | undefined;
  if (n.protoDiff) {
    protoDiff = cfg.bool(n.protoDiff[0], true).value;
    sources.push({ value: `service keys ${protoDiff ? 'carry the L4 protocol' : 'without the L4 protocol (proto 0)'}`, from: said(cfg, n.protoDiff) });
  } else {
    for (const key of ['bpf-lb-proto-diff', 'enable-non-default-deny-policies']) if (cfg.has(key)) warn({ pos: cfg.at(key), message: `cilium-config ${key} is an option of v1.17 and later: ${v} ignores it` });
  }
  if (cfg.has('enable-remote-node-identity')) warn({ pos: cfg.at('enable-remote-node-identity'), message: `cilium-config enable-remote-node-identity was removed in v1.15 (remote node identities are always on): ${v} ignores it` });
  return {
    serviceNoBackendResponse: noBackend, tcx, policyCidrMatchNodes: cidrNodes, nodeSelectorLabels: nodeSel, k8sNetworkPolicy: knp,
    ...(protoDiff === undefined ? {} : { lbProtoDiff: protoDiff }),
    ...(nonDefaultDeny === undefined ? {} : { nonDefaultDenyPolicies: nonDefaultDeny }),
  };
}

/** Under v1.13.0, the keys later releases added mean nothing: said once each. */
function ignoredLaterKeys(cfg: CiliumConfig, warn: Warn): Later {
  for (const key of ['service-no-backend-response', 'enable-tcx', 'policy-cidr-match-mode', 'enable-node-selector-labels', 'enable-k8s-networkpolicy', 'bpf-lb-proto-diff', 'enable-non-default-deny-policies']) {
    if (cfg.has(key)) warn({ pos: cfg.at(key), message: `cilium-config ${key} is an option of later releases: v1.13.0 ignores it` });
  }
  return {};
}

function enforcement(cfg: CiliumConfig, warn: Warn): EnforcementMode {
  const v = cfg.get('enable-policy');
  if (!v) return 'default';
  const lower = v.value.toLowerCase(); // pkg/option/config.go:2874 (v1.16.15: 3046, v1.18.3: 2634)
  if (lower === 'default' || lower === 'always' || lower === 'never') return lower;
  warn({ pos: v.pos, message: `cilium-config enable-policy="${v.value}" is not a mode (default, always, never): default assumed` });
  return 'default';
}

function clusterIdentity(cfg: CiliumConfig, warn: Warn, n?: Newer): { name: string; clusterId: number } {
  const name = cfg.get('cluster-name')?.value || 'default';
  let clusterId = cfg.int('cluster-id', 0).value;
  // From v1.15, max-connected-clusters=511 allows ids up to 511 (with fewer identities per cluster): not simulated.
  if (clusterId < 0 || clusterId > 255) {
    warn({ pos: cfg.at('cluster-id'), message: `cilium-config cluster-id=${clusterId} is out of range (0..255; the agent refuses it, ${n?.clusterIdRange ?? 'pkg/option/config.go:2681-2684'}): 0 assumed` });
    clusterId = 0;
  } else if (clusterId !== 0 && name === 'default') {
    warn({ pos: cfg.at('cluster-id'), message: `cilium-config cluster-id=${clusterId} with the default cluster name: the ${cfg.agent} agent refuses this (${n?.clusterIdName ?? 'pkg/option/config.go:2686-2690'})` });
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
