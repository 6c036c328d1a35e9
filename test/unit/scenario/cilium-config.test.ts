// The cilium-config ConfigMap decides the datapath settings, as the v1.13.0 agent resolves its
// options (every load here pins v1.13.0, as --cilium 1.13 does: input without a version gets the newest) (defaults where a key is unset, kube-proxy replacement's modes, the fall-backs to
// legacy host routing and iptables masquerading). Each setting says where it came from; values
// the agent would refuse and features not simulated are warnings, never load errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readInputs } from '../../../src/scenario/inputs.js';
import type { Scenario } from '../../../src/scenario/types.js';
import { formatPrefix } from '../../../src/net/ip.js';
import { fromRoot } from './root.js';
import type { ProfileChoice } from '../../../src/scenario/cilium-release.js';

const V113: ProfileChoice = { profile: '1.13', why: '--cilium 1.13' };

const NODE = `apiVersion: v1
kind: Node
metadata: { name: n1 }
spec: { podCIDR: 10.0.1.0/24 }
status:
  addresses: [{ type: InternalIP, address: 192.168.0.1 }]
`;

/** A cilium-config as kubectl prints one (values are strings), with `data`. */
function configMap(data: Record<string, string>): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: cilium-config
  namespace: kube-system
data:
${lines.join('\n')}
`;
}

function load(data: Record<string, string> | undefined, extra = ''): Scenario {
  const docs = [NODE, ...(data ? [configMap(data)] : []), ...(extra ? [extra] : [])];
  return readInputs([{ file: 'c.yaml', text: docs.join('---\n') }], 'c', V113);
}

/** The settings as the trace header shows them: "value (from)". */
function settings(s: Scenario): string[] {
  return (s.cluster.sources ?? []).map((x) => `${x.value} (${x.from})`);
}

function warnings(s: Scenario): string[] {
  return (s.warnings ?? []).map((w) => `${w.pos ? `${w.pos.file}:${w.pos.line}:${w.pos.col}: ` : ''}${w.message}`);
}

describe('no cilium-config among Kubernetes objects', () => {
  it('takes the defaults of v1.13.0 and says so, setting by setting', () => {
    const s = load(undefined);
    const c = s.cluster;
    assert.deepEqual(
      [c.routing, c.tunnelProtocol, c.tunnelPort, c.socketLb, c.nodePort, c.bpfHostRouting, c.masquerade, c.policyEnforcement, c.name, c.clusterId, c.mtu],
      ['tunnel', 'vxlan', 8472, false, false, false, 'iptables', 'default', 'default', 0, 1500],
    );
    assert.deepEqual(settings(s), [
      'tunnel vxlan:8472 (tunnel unset: v1.13.0 defaults to vxlan, daemon/cmd/daemon_main.go:1319-1320; tunnel-port unset: v1.13.0 defaults to 8472 for vxlan, pkg/option/config.go:3041-3050)',
      'per-packet LB · no BPF NodePort (kube-proxy-replacement unset: v1.13.0 defaults to partial, daemon/cmd/daemon_main.go:504; partial leaves them to bpf-lb-sock unset: v1.13.0 defaults to false, daemon/cmd/daemon_main.go:306; enable-node-port unset: v1.13.0 defaults to false, daemon/cmd/daemon_main.go:518)',
      'legacy host routing (no BPF NodePort: disableNodePort turns on enable-host-legacy-routing, daemon/cmd/kube_proxy_replacement.go:414-419, 526-531)',
      'masquerade iptables (enable-ipv4-masquerade unset: v1.13.0 defaults to true, daemon/cmd/daemon_main.go:643; enable-bpf-masquerade unset: v1.13.0 defaults to false, daemon/cmd/daemon_main.go:649)',
      'policy enforcement default (enable-policy unset: v1.13.0 defaults to default, daemon/cmd/daemon_main.go:324)',
      'cluster default, id 0 (cluster-name unset: v1.13.0 defaults to default, daemon/cmd/daemon_main.go:193; cluster-id unset: v1.13.0 defaults to 0, daemon/cmd/daemon_main.go:190)',
      'identity labels: the default filter (labels unset: v1.13.0 uses its default prefixes, pkg/labelsfilter/filter.go:185-214)',
      'IPv4 and IPv6 (enable-ipv4 unset: v1.13.0 defaults to true, daemon/cmd/daemon_main.go:252; enable-ipv6 unset: v1.13.0 defaults to true, daemon/cmd/daemon_main.go:255; IPv6 is not simulated)',
      'MTU 1500 (mtu unset: the agent takes the device MTU; cilium-trace assumes 1500)',
    ]);
    assert.deepEqual(warnings(s), [
      'no cilium-config ConfigMap among the inputs: the datapath settings are the defaults of Cilium v1.13.0 (add kubectl -n kube-system get cm cilium-config -o yaml; -l detailed shows each setting)',
    ]);
  });

  it('leaves a Scenario alone: its settings are written in it (or are the format’s defaults)', () => {
    const s = readInputs([{ file: 's.yaml', text: 'apiVersion: cilium-trace/v1\nkind: Scenario\nmetadata: { name: s }\nnodes: [{ name: n1, ip: 192.168.0.1, podCIDR: 10.0.1.0/24 }]\n' }], 's', V113);
    assert.equal(s.cluster.sources, undefined);
    assert.deepEqual(s.warnings, []);
  });
});

describe('cilium-config', () => {
  it('the export fixture: kube-proxy-replacement=strict and BPF masquerading give BPF host routing', () => {
    const text = readFileSync(fromRoot('test', 'fixtures', 'k8s-export', 'cilium-config.yaml'), 'utf8');
    const s = readInputs([{ file: 'n.yaml', text: NODE }, { file: 'cilium-config.yaml', text }], 'x', V113);
    const c = s.cluster;
    assert.deepEqual([c.routing, c.tunnelPort, c.socketLb, c.nodePort, c.kubeProxyReplacement, c.bpfHostRouting, c.masquerade, c.name], ['tunnel', 8472, true, true, true, true, 'bpf', 'kind']);
    assert.deepEqual(settings(s).slice(0, 4), [
      'tunnel vxlan:8472 (cilium-config tunnel=vxlan; tunnel-port unset: v1.13.0 defaults to 8472 for vxlan, pkg/option/config.go:3041-3050)',
      'socket LB · BPF NodePort (cilium-config kube-proxy-replacement=strict: both on, daemon/cmd/kube_proxy_replacement.go:73-83)',
      'BPF host routing (enable-host-legacy-routing unset: v1.13.0 defaults to false, daemon/cmd/daemon_main.go:318; nothing forces legacy routing: BPF NodePort on, BPF masquerading, IPsec, WireGuard and endpoint routes off, a kernel of 5.10 or later assumed, daemon/cmd/kube_proxy_replacement.go:440-465)',
      'masquerade bpf (cilium-config enable-ipv4-masquerade=true, enable-bpf-masquerade=true)',
    ]);
    assert.deepEqual(s.warnings, []);
    assert.deepEqual(s.skipped, [], 'the ConfigMap is read, not skipped');
  });

  it('kube-proxy-replacement=disabled: no socket LB, no NodePort, legacy routing; BPF masquerading falls back to iptables', () => {
    const s = load({ 'kube-proxy-replacement': 'disabled', 'enable-bpf-masquerade': 'true', 'enable-remote-node-identity': 'true' });
    const c = s.cluster;
    assert.deepEqual([c.socketLb, c.nodePort, c.bpfHostRouting, c.masquerade], [false, false, false, 'iptables']);
    assert.deepEqual(settings(s)[3], 'masquerade iptables (cilium-config enable-bpf-masquerade=true; enable-ipv4-masquerade unset: v1.13.0 defaults to true, daemon/cmd/daemon_main.go:643; BPF masquerade requires NodePort, daemon/cmd/daemon.go:983-985: v1.13.0 falls back to iptables)');
    assert.deepEqual(warnings(s), [
      'c.yaml:15:26: cilium-config enable-bpf-masquerade=true: BPF masquerade requires NodePort, daemon/cmd/daemon.go:983-985; the v1.13.0 agent falls back to iptables masquerading and legacy host routing',
    ]);
  });

  it('partial: bpf-lb-sock and enable-node-port decide each on its own', () => {
    const sock = load({ 'kube-proxy-replacement': 'partial', 'bpf-lb-sock': 'true' }).cluster;
    assert.deepEqual([sock.socketLb, sock.nodePort, sock.kubeProxyReplacement, sock.bpfHostRouting], [true, false, false, false]);
    const np = load({ 'kube-proxy-replacement': 'partial', 'enable-node-port': 'true', 'enable-bpf-masquerade': 'true', 'enable-remote-node-identity': 'true', 'tunnel': 'disabled' }).cluster;
    assert.deepEqual([np.socketLb, np.nodePort, np.bpfHostRouting, np.masquerade, np.routing], [false, true, true, 'bpf', 'native']);
  });

  it('iptables masquerading (IPv6 counts too) keeps legacy host routing, as kube_proxy_replacement.go:447-448 does', () => {
    const s = load({ 'kube-proxy-replacement': 'strict', 'enable-ipv4-masquerade': 'false' });
    assert.deepEqual([s.cluster.masquerade, s.cluster.bpfHostRouting], ['none', false]);
    assert.match(settings(s)[2] ?? '', /^legacy host routing \(iptables masquerading \(enable-bpf-masquerade unset: v1\.13\.0 defaults to false, daemon\/cmd\/daemon_main\.go:649; enable-ipv6-masquerade unset/);
    const v4only = load({ 'kube-proxy-replacement': 'strict', 'enable-ipv4-masquerade': 'false', 'enable-ipv6': 'false' });
    assert.equal(v4only.cluster.bpfHostRouting, true, 'no masquerading at all: BPF host routing');
  });

  it('BPF masquerading in tunnel mode needs socket LB (daemon.go:992-994)', () => {
    const s = load({ 'kube-proxy-replacement': 'partial', 'enable-node-port': 'true', 'enable-bpf-masquerade': 'true', 'enable-remote-node-identity': 'true' });
    assert.deepEqual([s.cluster.masquerade, s.cluster.bpfHostRouting], ['iptables', false]);
    assert.match(warnings(s)[0] ?? '', /BPF masquerade requires socket LB in tunnel mode/);
  });

  it('tunnel, tunnel-port, native routing and its CIDR, enable-policy (any case), cluster name and id, mtu, labels', () => {
    const g = load({ tunnel: 'geneve', 'tunnel-port': '7000', 'enable-policy': 'Always', 'cluster-name': 'prod-eu1', 'cluster-id': '7', mtu: '9000', labels: 'k8s:app  k8s:io.kubernetes.pod.namespace' }).cluster;
    assert.deepEqual([g.routing, g.tunnelProtocol, g.tunnelPort, g.policyEnforcement, g.name, g.clusterId, g.mtu, g.labelPrefixes], ['tunnel', 'geneve', 7000, 'always', 'prod-eu1', 7, 9000, ['k8s:app', 'k8s:io.kubernetes.pod.namespace']]);
    const n = load({ tunnel: 'disabled', 'ipv4-native-routing-cidr': '10.0.0.0/8' }).cluster;
    assert.deepEqual([n.routing, n.nativeRoutingCidr && formatPrefix(n.nativeRoutingCidr)], ['native', '10.0.0.0/8']);
  });

  it('a Scenario cluster section wins key by key, and says so', () => {
    const scenario = 'apiVersion: cilium-trace/v1\nkind: Scenario\nmetadata: { name: what-if }\ncluster: { tunnelProtocol: geneve, kubeProxyReplacement: false }\n';
    const s = load({ tunnel: 'vxlan', 'kube-proxy-replacement': 'strict', 'cluster-name': 'kind' }, scenario);
    assert.deepEqual([s.cluster.tunnelProtocol, s.cluster.socketLb, s.cluster.nodePort, s.cluster.name], ['geneve', false, false, 'kind']);
    assert.deepEqual(settings(s).slice(0, 2), [
      'tunnel geneve:8472 (scenario cluster.tunnelProtocol (over cilium-config tunnel=vxlan; tunnel-port unset: v1.13.0 defaults to 8472 for vxlan, pkg/option/config.go:3041-3050))',
      'per-packet LB · no BPF NodePort (scenario cluster.kubeProxyReplacement (over cilium-config kube-proxy-replacement=strict: both on, daemon/cmd/kube_proxy_replacement.go:73-83))',
    ]);
  });
});

describe('values v1.13.0 does not take, and features not simulated: warnings, never errors', () => {
  it('invalid values are read as the agent reads them', () => {
    const s = load({ tunnel: 'vxlan2', 'enable-bpf-masquerade': 'yes', 'kube-proxy-replacement': 'probe', 'enable-policy': 'sometimes', 'cluster-id': '300', 'tunnel-port': 'x' });
    assert.deepEqual([s.cluster.tunnelProtocol, s.cluster.masquerade, s.cluster.socketLb, s.cluster.policyEnforcement, s.cluster.clusterId, s.cluster.tunnelPort], ['vxlan', 'iptables', false, 'default', 0, 8472]);
    assert.deepEqual(warnings(s), [
      "c.yaml:14:11: cilium-config tunnel=\"vxlan2\" is not a tunnel mode of v1.13.0 (vxlan, geneve, disabled; the agent refuses it, pkg/option/config.go:2670-2678): vxlan assumed",
      'c.yaml:15:26: cilium-config enable-bpf-masquerade="yes" is not a boolean: the v1.13.0 agent reads it as false',
      'c.yaml:16:27: cilium-config kube-proxy-replacement="probe" is not a mode of v1.13.0 (strict, partial, disabled); the v1.13.0 agent refuses it (daemon/cmd/kube_proxy_replacement.go:48-52): taken as partial',
      'c.yaml:17:18: cilium-config enable-policy="sometimes" is not a mode (default, always, never): default assumed',
      'c.yaml:18:15: cilium-config cluster-id=300 is out of range (0..255; the agent refuses it, pkg/option/config.go:2681-2684): 0 assumed',
      'c.yaml:19:16: cilium-config tunnel-port="x" is not an integer: the v1.13.0 agent reads it as 0',
    ]);
  });

  it('options of later releases: routing-mode and tunnel-protocol stand for tunnel; "true" for strict', () => {
    const s = load({ 'routing-mode': 'native', 'kube-proxy-replacement': 'true' });
    assert.deepEqual([s.cluster.routing, s.cluster.socketLb, s.cluster.nodePort], ['native', true, true]);
    assert.deepEqual(warnings(s), [
      "c.yaml:14:17: cilium-config routing-mode=native: options of Cilium 1.14 and later; v1.13.0 reads 'tunnel' instead, taken as tunnel=disabled",
      'c.yaml:15:27: cilium-config kube-proxy-replacement="true" is a value of Cilium 1.15 and later; the v1.13.0 agent refuses it (daemon/cmd/kube_proxy_replacement.go:48-52): taken as strict',
    ]);
    const both = load({ tunnel: 'geneve', 'tunnel-protocol': 'vxlan' });
    assert.equal(both.cluster.tunnelProtocol, 'geneve');
    assert.match(warnings(both)[0] ?? '', /tunnel-protocol is an option of Cilium 1\.14 and later: v1\.13\.0 reads 'tunnel' \(geneve\) and ignores it/);
  });

  it('says which features it does not simulate, at the option that turns them on', () => {
    const s = load({ 'enable-wireguard': 'true', 'enable-host-firewall': 'true', 'enable-ipv4-egress-gateway': 'false', 'kube-proxy-replacement': 'strict', 'bpf-lb-mode': 'dsr', 'enable-ipv4': 'false' });
    assert.deepEqual(warnings(s), [
      'c.yaml:14:21: cilium-config enable-wireguard=true: WireGuard encryption is not simulated: traces show the packets unencrypted',
      'c.yaml:15:25: cilium-config enable-host-firewall=true: the host firewall is not simulated: host policies are not enforced in traces',
      'c.yaml:18:16: cilium-config bpf-lb-mode=dsr: DSR is not simulated; NodePort traces use SNAT',
      'c.yaml:19:16: cilium-config enable-ipv4=false: the cluster has no IPv4 datapath, and cilium-trace simulates IPv4 only',
    ]);
  });

  it('a value that is not a string (the API server refuses it) is read as its text', () => {
    const s = readInputs([{ file: 'c.yaml', text: `${NODE}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: cilium-config }\ndata:\n  tunnel: disabled\n  mtu: 9000\n` }], 'c', V113);
    assert.equal(s.cluster.mtu, 9000);
    assert.deepEqual(warnings(s), ['c.yaml:13:8: cilium-config mtu is not a string (ConfigMap values are strings; kubectl prints them quoted): read as "9000"']);
  });
});
