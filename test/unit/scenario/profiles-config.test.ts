// cilium-config under each profile: the flag defaults, the values and the fall-backs of the
// release the profile models (v1.16.15 = 7513067408, v1.18.3 = c160168901), each setting citing
// that release's source; and which profile a Kubernetes dump gets (the agent DaemonSet's image,
// --cilium, a Scenario's cluster.cilium).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInputs } from '../../../src/scenario/inputs.js';
import type { ProfileChoice } from '../../../src/scenario/cilium-release.js';
import type { Scenario } from '../../../src/scenario/types.js';
import { InputError } from '../../../src/errors.js';

const NODE = `apiVersion: v1
kind: Node
metadata: { name: n1 }
spec: { podCIDR: 10.0.1.0/24 }
status:
  addresses: [{ type: InternalIP, address: 192.168.0.1 }]
`;

function configMap(data: Record<string, string>): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cilium-config\n  namespace: kube-system\ndata:\n${lines.join('\n')}\n`;
}

function daemonSet(image: string): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: cilium, namespace: kube-system }
spec:
  template:
    spec:
      containers:
        - name: cilium-agent
          image: ${image}
`;
}

const given = (profile: '1.13' | '1.16' | '1.18'): ProfileChoice => ({ profile, why: `--cilium ${profile}` });

function load(docs: string[], cilium?: ProfileChoice): Scenario {
  return readInputs([{ file: 'c.yaml', text: [NODE, ...docs].join('---\n') }], 'c', cilium);
}

const settings = (s: Scenario): string[] => (s.cluster.sources ?? []).map((x) => `${x.value} (${x.from})`);
const warnings = (s: Scenario): string[] => (s.warnings ?? []).map((w) => `${w.pos ? `${w.pos.line}:${w.pos.col}: ` : ''}${w.message}`);

// The datapath-shaping keys of the real-state samples (install/kubernetes/cilium chart output).
const SAMPLE_V113 = {
  'cluster-name': 'default', 'cluster-id': '0', 'bpf-lb-sock': 'false', 'enable-ipv4': 'true', 'enable-ipv6': 'false',
  'enable-policy': 'default', 'enable-l7-proxy': 'true', 'enable-ipv4-masquerade': 'true', 'enable-ipv6-masquerade': 'true',
  tunnel: 'vxlan', 'kube-proxy-replacement': 'disabled', 'enable-remote-node-identity': 'true', 'install-iptables-rules': 'true',
  'identity-allocation-mode': 'crd', ipam: 'cluster-pool', 'cluster-pool-ipv4-cidr': '10.0.0.0/8', 'cluster-pool-ipv4-mask-size': '24',
};
const SAMPLE_V118 = {
  'cluster-name': 'default', 'cluster-id': '0', 'bpf-lb-sock': 'false', 'enable-ipv4': 'true', 'enable-ipv6': 'false',
  'enable-policy': 'default', 'enable-l7-proxy': 'true', 'enable-ipv4-masquerade': 'true', 'enable-ipv6-masquerade': 'true',
  'enable-bpf-masquerade': 'true', 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', 'datapath-mode': 'veth',
  'kube-proxy-replacement': 'true', 'identity-allocation-mode': 'crd', ipam: 'cluster-pool', 'cluster-pool-ipv4-cidr': '10.0.0.0/8',
  'cluster-pool-ipv4-mask-size': '24',
};

const shape = (s: Scenario) => {
  const c = s.cluster;
  return [c.profile, c.routing, c.tunnelProtocol, c.tunnelPort, c.socketLb, c.nodePort, c.bpfHostRouting, c.masquerade, c.policyEnforcement];
};

describe('no cilium-config: the defaults of the selected release', () => {
  it('v1.18.3 daemon_main.go, pkg/kpr/kpr.go, pkg/datapath/tunnel/tunnel.go: every default cited there', () => {
    const s = load([], given('1.18'));
    assert.deepEqual(shape(s), ['1.18', 'tunnel', 'vxlan', 8472, false, false, false, 'iptables', 'default']);
    assert.deepEqual(warnings(s), ['no cilium-config ConfigMap among the inputs: the datapath settings are the defaults of Cilium v1.18.3 (add kubectl -n kube-system get cm cilium-config -o yaml; -l detailed shows each setting)']);
    assert.deepEqual(settings(s), [
      'tunnel vxlan:8472 (routing-mode unset: v1.18.3 defaults to tunnel, daemon/cmd/daemon_main.go:629, pkg/defaults/defaults.go:476; tunnel-protocol unset: v1.18.3 defaults to vxlan, pkg/datapath/tunnel/tunnel.go:266, pkg/defaults/defaults.go:479; tunnel-port unset: v1.18.3 defaults to 8472 for vxlan, pkg/datapath/tunnel/tunnel.go:128-139)',
      'per-packet LB · no BPF NodePort (kube-proxy-replacement unset: v1.18.3 defaults to false, pkg/kpr/kpr.go:32, 42; false leaves them to bpf-lb-sock unset: v1.18.3 defaults to false, pkg/kpr/kpr.go:33, 44; enable-node-port unset: v1.18.3 defaults to false, pkg/kpr/kpr.go:34, 46)',
      'legacy host routing (no BPF NodePort: the agent turns on enable-host-legacy-routing, daemon/cmd/kube_proxy_replacement.go:45-47)',
      'masquerade iptables (enable-ipv4-masquerade unset: v1.18.3 defaults to true, daemon/cmd/daemon_main.go:564; enable-bpf-masquerade unset: v1.18.3 defaults to false, daemon/cmd/daemon_main.go:570)',
      'policy enforcement default (enable-policy unset: v1.18.3 defaults to default, daemon/cmd/daemon_main.go:334)',
      'cluster default, id 0 (cluster-name unset: v1.18.3 defaults to default, pkg/clustermesh/types/option.go:44; cluster-id unset: v1.18.3 defaults to 0, pkg/clustermesh/types/option.go:43)',
      'identity labels: the default filter (labels unset: v1.18.3 uses its default prefixes, pkg/labelsfilter/filter.go:221-260)',
      'IPv4 and IPv6 (enable-ipv4 unset: v1.18.3 defaults to true, daemon/cmd/daemon_main.go:252; enable-ipv6 unset: v1.18.3 defaults to true, daemon/cmd/daemon_main.go:255; IPv6 is not simulated)',
      'MTU 1500 (mtu unset: the agent takes the device MTU; cilium-trace assumes 1500)',
      'a Service without backends: ICMP port unreachable (service-no-backend-response unset: v1.18.3 defaults to reject, daemon/cmd/daemon_main.go:632, pkg/defaults/defaults.go:489)',
      'programs attached with tcx (enable-tcx unset: v1.18.3 defaults to true, daemon/cmd/daemon_main.go:647; tcx needs kernel 6.6 or later (else legacy tc), assumed)',
      'CIDR policies do not select nodes; node selector labels off (policy-cidr-match-mode unset: v1.18.3 defaults to (empty), daemon/cmd/daemon_main.go:900; enable-node-selector-labels unset: v1.18.3 defaults to false, daemon/cmd/daemon_main.go:907)',
      'Kubernetes NetworkPolicies enforced; enableDefaultDeny of policies honoured (enable-k8s-networkpolicy unset: v1.18.3 defaults to true, daemon/cmd/daemon_main.go:888, pkg/defaults/defaults.go:521; enable-non-default-deny-policies unset: v1.18.3 defaults to true, daemon/cmd/daemon_main.go:917, pkg/defaults/defaults.go:565)',
      'service keys carry the L4 protocol (bpf-lb-proto-diff unset: v1.18.3 defaults to true, daemon/cmd/daemon_main.go:516)',
    ]);
    assert.deepEqual(
      [s.cluster.serviceNoBackendResponse, s.cluster.tcx, s.cluster.policyCidrMatchNodes, s.cluster.nodeSelectorLabels, s.cluster.k8sNetworkPolicy, s.cluster.lbProtoDiff, s.cluster.nonDefaultDenyPolicies],
      ['reject', true, false, false, true, true, true],
    );
  });

  it('v1.16.15 daemon_main.go:732, 541, 735: routing-mode, kube-proxy-replacement and service-no-backend-response defaults', () => {
    const s = load([], given('1.16'));
    assert.deepEqual(shape(s), ['1.16', 'tunnel', 'vxlan', 8472, false, false, false, 'iptables', 'default']);
    const lines = settings(s);
    assert.match(lines[0] ?? '', /^tunnel vxlan:8472 \(routing-mode unset: v1\.16\.15 defaults to tunnel, daemon\/cmd\/daemon_main\.go:732, pkg\/defaults\/defaults\.go:547; tunnel-protocol unset: v1\.16\.15 defaults to vxlan, pkg\/datapath\/tunnel\/tunnel\.go:219/);
    assert.match(lines[1] ?? '', /kube-proxy-replacement unset: v1\.16\.15 defaults to false, daemon\/cmd\/daemon_main\.go:541;/);
    assert.match(lines[2] ?? '', /^legacy host routing \(no BPF NodePort: the agent turns on enable-host-legacy-routing, daemon\/cmd\/kube_proxy_replacement\.go:348-351, 443-449\)$/);
    assert.equal(lines[9], 'a Service without backends: ICMP port unreachable (service-no-backend-response unset: v1.16.15 defaults to reject, daemon/cmd/daemon_main.go:735, pkg/defaults/defaults.go:553)');
    assert.match(warnings(s)[0] ?? '', /defaults of Cilium v1\.16\.15 /);
    assert.equal(lines[12], 'Kubernetes NetworkPolicies enforced (enable-k8s-networkpolicy unset: v1.16.15 defaults to true, daemon/cmd/daemon_main.go:1123, pkg/defaults/defaults.go:574)');
    assert.equal(lines.length, 13, 'no bpf-lb-proto-diff before v1.17');
    assert.deepEqual([s.cluster.lbProtoDiff, s.cluster.nonDefaultDenyPolicies], [undefined, undefined]);
  });

  it('v1.13.0 stays as it was', () => {
    const s = load([], given('1.13'));
    assert.equal(s.cluster.profile, '1.13');
    assert.match(warnings(s)[0] ?? '', /defaults of Cilium v1\.13\.0 /);
    assert.equal(s.cluster.serviceNoBackendResponse, undefined);
    assert.equal(settings(s).length, 9);
  });
});

describe('the real-state samples load under their profile', () => {
  it('cilium-configmap.v1.13.yaml: tunnel=vxlan picks 1.13; kube-proxy-replacement=disabled, legacy routing, iptables', () => {
    const s = load([configMap(SAMPLE_V113)]);
    assert.equal(s.cluster.profileWhy, 'cilium-config has tunnel (written by v1.13 and v1.14, removed in v1.15)');
    assert.deepEqual(shape(s), ['1.13', 'tunnel', 'vxlan', 8472, false, false, false, 'iptables', 'default']);
    assert.deepEqual(warnings(s), []);
    assert.match(settings(s)[1] ?? '', /^per-packet LB · no BPF NodePort \(cilium-config kube-proxy-replacement=disabled: both off, daemon\/cmd\/kube_proxy_replacement\.go:54-61\)$/);
  });

  it('cilium-configmap.v1.18.yaml under 1.18: kube-proxy-replacement=true (pkg/kpr/kpr.go:88-94), BPF masquerading, BPF host routing (kube_proxy_replacement.go:269-285)', () => {
    const s = load([configMap(SAMPLE_V118)], given('1.18'));
    assert.deepEqual(shape(s), ['1.18', 'tunnel', 'vxlan', 8472, true, true, true, 'bpf', 'default']);
    assert.equal(s.cluster.kubeProxyReplacement, true);
    assert.deepEqual(warnings(s), []);
    assert.deepEqual(settings(s).slice(0, 4), [
      'tunnel vxlan:8472 (cilium-config routing-mode=tunnel; cilium-config tunnel-protocol=vxlan; tunnel-port unset: v1.18.3 defaults to 8472 for vxlan, pkg/datapath/tunnel/tunnel.go:128-139)',
      'socket LB · BPF NodePort (cilium-config kube-proxy-replacement=true: both on, pkg/kpr/kpr.go:88-94)',
      'BPF host routing (enable-host-legacy-routing unset: v1.18.3 defaults to false, daemon/cmd/daemon_main.go:331; nothing forces legacy routing: kube-proxy-replacement=true, BPF masquerading, IPsec off, daemon/cmd/kube_proxy_replacement.go:269-285)',
      'masquerade bpf (cilium-config enable-ipv4-masquerade=true, enable-bpf-masquerade=true)',
    ]);
    assert.equal(settings(s)[7], 'IPv4 (cilium-config enable-ipv4=true, enable-ipv6=false)');
  });

  it('the v1.13 sample read by v1.18.3: tunnel ignored, disabled refused (pkg/kpr/kpr.go:74-76), enable-remote-node-identity gone', () => {
    const s = load([configMap(SAMPLE_V113)], given('1.18'));
    assert.deepEqual(shape(s), ['1.18', 'tunnel', 'vxlan', 8472, false, false, false, 'iptables', 'default']);
    assert.deepEqual(warnings(s), [
      '23:11: cilium-config tunnel=vxlan is an option of Cilium v1.13 and v1.14, removed in v1.15: v1.18.3 ignores it and reads routing-mode and tunnel-protocol (routing-mode unset: tunnel)',
      '24:27: cilium-config kube-proxy-replacement="disabled" is not a value of v1.18.3 (true, false; strict, partial and disabled were removed in v1.16): the agent refuses it (pkg/kpr/kpr.go:74-76): taken as false',
      '25:32: cilium-config enable-remote-node-identity was removed in v1.15 (remote node identities are always on): v1.18.3 ignores it',
    ]);
  });
});

describe('host routing and masquerading per release', () => {
  const NP_BPF_MASQ = { 'kube-proxy-replacement': 'false', 'enable-node-port': 'true', 'bpf-lb-sock': 'true', 'enable-bpf-masquerade': 'true' };

  it('v1.16.15 kube_proxy_replacement.go:378-379: NodePort and socket LB without kube-proxy-replacement=true still fall back to legacy routing', () => {
    const s = load([configMap(NP_BPF_MASQ)], given('1.16'));
    assert.deepEqual(shape(s), ['1.16', 'tunnel', 'vxlan', 8472, true, true, false, 'bpf', 'default']);
    assert.equal(settings(s)[2], 'legacy host routing (cilium-config kube-proxy-replacement=false: BPF host routing requires kube-proxy-replacement=true, daemon/cmd/kube_proxy_replacement.go:378-379; v1.16.15 falls back to legacy host routing)');
  });

  it('v1.13.0 kube_proxy_replacement.go:440-465: the same keys (partial) give BPF host routing', () => {
    const s = load([configMap({ ...NP_BPF_MASQ, 'kube-proxy-replacement': 'partial', 'enable-remote-node-identity': 'true' })], given('1.13'));
    assert.deepEqual(shape(s), ['1.13', 'tunnel', 'vxlan', 8472, true, true, true, 'bpf', 'default']);
  });

  it('v1.18.3 daemon/cmd/daemon.go:545-559: BPF masquerading without NodePort stops the agent (v1.13.0 fell back)', () => {
    const s = load([configMap({ 'routing-mode': 'tunnel', 'enable-bpf-masquerade': 'true' })], given('1.18'));
    assert.deepEqual(shape(s), ['1.18', 'tunnel', 'vxlan', 8472, false, false, false, 'iptables', 'default']);
    assert.deepEqual(warnings(s), ['15:26: cilium-config enable-bpf-masquerade=true without BPF NodePort: the v1.18.3 agent refuses to start ("BPF masquerade requires NodePort", daemon/cmd/daemon.go:545-559); traced as iptables masquerading']);
  });

  it('v1.18.3 pkg/option/config.go:2412-2417: routing-mode native with its CIDR; a bad routing mode is refused', () => {
    const native = load([configMap({ 'routing-mode': 'native', 'ipv4-native-routing-cidr': '10.0.0.0/8' })], given('1.18'));
    assert.equal(native.cluster.routing, 'native');
    assert.equal(settings(native)[0], 'native routing (ipv4-native-routing-cidr 10.0.0.0/8) (cilium-config routing-mode=native)');
    const bad = load([configMap({ 'routing-mode': 'direct', 'tunnel-protocol': 'geneve' })], given('1.18'));
    assert.deepEqual([bad.cluster.routing, bad.cluster.tunnelProtocol, bad.cluster.tunnelPort], ['tunnel', 'geneve', 6081]);
    assert.deepEqual(warnings(bad), ['14:17: cilium-config routing-mode="direct" is not a routing mode (tunnel, native; the v1.18.3 agent refuses it, pkg/option/config.go:2412-2417): tunnel assumed']);
  });
});

describe('options of later releases', () => {
  const LATER = { 'service-no-backend-response': 'drop', 'enable-tcx': 'false', 'policy-cidr-match-mode': 'nodes', 'enable-node-selector-labels': 'true' };

  it('v1.16.15 pkg/option/config.go:3164-3171, 2724-2735: read, and bad values refused', () => {
    const s = load([configMap(LATER)], given('1.16'));
    assert.deepEqual([s.cluster.serviceNoBackendResponse, s.cluster.tcx, s.cluster.policyCidrMatchNodes, s.cluster.nodeSelectorLabels], ['drop', false, true, true]);
    assert.deepEqual(settings(s).slice(9), [
      'a Service without backends: drop (cilium-config service-no-backend-response=drop)',
      'programs attached with legacy tc (cilium-config enable-tcx=false)',
      'CIDR policies also select nodes; node selector labels on (cilium-config policy-cidr-match-mode=nodes, enable-node-selector-labels=true)',
      'Kubernetes NetworkPolicies enforced (enable-k8s-networkpolicy unset: v1.16.15 defaults to true, daemon/cmd/daemon_main.go:1123, pkg/defaults/defaults.go:574)',
    ]);
    const bad = load([configMap({ 'service-no-backend-response': 'ignore', 'policy-cidr-match-mode': 'pods' })], given('1.16'));
    assert.equal(bad.cluster.serviceNoBackendResponse, 'reject');
    assert.deepEqual(warnings(bad), [
      '14:32: cilium-config service-no-backend-response="ignore" is not reject or drop: the v1.16.15 agent refuses it (pkg/option/config.go:3164-3171); reject assumed',
      "15:27: cilium-config policy-cidr-match-mode: 'pods' is not a match mode (nodes; the v1.16.15 agent refuses it, pkg/option/config.go:2724-2735): ignored",
    ]);
  });

  it('v1.13.0 has none of them: said, and nothing set', () => {
    const s = load([configMap({ tunnel: 'vxlan', ...LATER })]);
    assert.equal(s.cluster.serviceNoBackendResponse, undefined);
    assert.deepEqual(warnings(s).map((w) => w.replace(/^\d+:\d+: /, '')), [
      'cilium-config service-no-backend-response is an option of later releases: v1.13.0 ignores it',
      'cilium-config enable-tcx is an option of later releases: v1.13.0 ignores it',
      'cilium-config policy-cidr-match-mode is an option of later releases: v1.13.0 ignores it',
      'cilium-config enable-node-selector-labels is an option of later releases: v1.13.0 ignores it',
    ]);
  });
});

describe('what the chart can switch on that is not simulated, in every release', () => {
  it('bpf-lb-sock-hostns-only with socket LB, and CNI chaining: warnings', () => {
    for (const [profile, extra] of [['1.13', { 'kube-proxy-replacement': 'strict' }], ['1.18', { 'kube-proxy-replacement': 'true' }]] as const) {
      const s = load([configMap({ ...extra, 'bpf-lb-sock-hostns-only': 'true', 'cni-chaining-mode': 'aws-cni' })], given(profile));
      assert.deepEqual(warnings(s).map((w) => w.replace(/^\d+:\d+: /, '')), [
        "cilium-config bpf-lb-sock-hostns-only=true: pods' connections to Services are load-balanced per packet in bpf_lxc, not at connect(); this is not simulated: traces from pods use socket LB",
        "cilium-config cni-chaining-mode=aws-cni: CNI chaining is not simulated: traces use Cilium's own veth datapath",
      ], profile);
    }
  });
});

describe('enable-k8s-networkpolicy=false (v1.18.3 pkg/policy/k8s/watcher.go:134-135)', () => {
  const KNP = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: deny-all, namespace: default }\nspec: { podSelector: {}, policyTypes: [Ingress] }\n';
  it('leaves the NetworkPolicies out, and says so', () => {
    const off = load([configMap({ 'enable-k8s-networkpolicy': 'false' }), KNP], given('1.18'));
    assert.deepEqual(off.policies.map((p) => p.name), []);
    assert.ok(warnings(off).includes('14:29: cilium-config enable-k8s-networkpolicy=false: the v1.18.3 agent does not watch Kubernetes NetworkPolicies (pkg/policy/k8s/watcher.go:134-135): they are left out'), warnings(off).join('\n'));
    const on = load([configMap({}), KNP], given('1.18'));
    assert.deepEqual(on.policies.map((p) => p.name), ['deny-all']);
  });

  it('v1.13.0 has no such option: the policy stays', () => {
    const s = load([configMap({ tunnel: 'vxlan', 'enable-k8s-networkpolicy': 'false', 'bpf-lb-proto-diff': 'false' }), KNP]);
    assert.deepEqual(s.policies.map((p) => p.name), ['deny-all']);
    assert.deepEqual(warnings(s).map((w) => w.replace(/^\d+:\d+: /, '')), [
      'cilium-config enable-k8s-networkpolicy is an option of later releases: v1.13.0 ignores it',
      'cilium-config bpf-lb-proto-diff is an option of later releases: v1.13.0 ignores it',
    ]);
  });

  it('v1.16.15 ignores bpf-lb-proto-diff (an option of v1.17)', () => {
    const s = load([configMap({ 'bpf-lb-proto-diff': 'false' })], given('1.16'));
    assert.deepEqual(warnings(s), ['14:22: cilium-config bpf-lb-proto-diff is an option of v1.17 and later: v1.16.15 ignores it']);
  });
});

describe('which profile a dump gets (src/scenario/cilium-release.ts)', () => {
  it('quay.io/cilium/cilium:v1.16.15@sha256:… → 1.16, with the image as the reason', () => {
    const s = load([daemonSet('quay.io/cilium/cilium:v1.16.15@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')]);
    assert.equal(s.cluster.profile, '1.16');
    assert.equal(s.cluster.profileWhy, 'image quay.io/cilium/cilium:v1.16.15 of DaemonSet kube-system/cilium');
  });

  it('v1.17.3 → the nearest older profile (1.16), with a warning', () => {
    const s = load([daemonSet('quay.io/cilium/cilium:v1.17.3')]);
    assert.equal(s.cluster.profile, '1.16');
    assert.equal(s.cluster.profileWhy, 'image quay.io/cilium/cilium:v1.17.3 of DaemonSet kube-system/cilium, not modelled: nearest older profile');
    assert.ok(warnings(s).includes('16:18: the cluster runs Cilium v1.17.3, which cilium-trace does not model: traces use profile 1.16 (v1.16.15); choose another with --cilium'), warnings(s).join('\n'));
  });

  it('v1.18.3 → 1.18, its settings from v1.18.3', () => {
    const s = load([daemonSet('quay.io/cilium/cilium:v1.18.3'), configMap(SAMPLE_V118)]);
    assert.equal(s.cluster.profile, '1.18');
    assert.equal(s.cluster.profileWhy, 'image quay.io/cilium/cilium:v1.18.3 of DaemonSet kube-system/cilium');
    assert.equal(s.cluster.bpfHostRouting, true);
  });

  it('--cilium wins over the image', () => {
    const s = load([daemonSet('quay.io/cilium/cilium:v1.16.15')], given('1.18'));
    assert.deepEqual([s.cluster.profile, s.cluster.profileWhy], ['1.18', '--cilium 1.18']);
  });

  it("a Scenario's cluster.cilium wins over the image", () => {
    const scenario = 'apiVersion: cilium-trace/v1\nkind: Scenario\nmetadata: { name: s }\ncluster: { cilium: "1.18" }\nnodes: [{ name: n2, ip: 192.168.0.2, podCIDR: 10.0.2.0/24 }]\n';
    const s = readInputs([{ file: 's.yaml', text: [scenario, daemonSet('quay.io/cilium/cilium:v1.16.15')].join('---\n') }], 's');
    assert.deepEqual([s.cluster.profile, s.cluster.profileWhy], ['1.18', 'cluster.cilium "1.18"']);
  });
});

describe('Scenario cluster checks name the selected release (src/scenario/cluster.ts)', () => {
  const problems = (cluster: string, cilium?: ProfileChoice): string[] => {
    try {
      readInputs([{ file: 's.yaml', text: `apiVersion: cilium-trace/v1\nkind: Scenario\nmetadata: { name: s }\ncluster: ${cluster}\nnodes: [{ name: n1, ip: 192.168.0.1, podCIDR: 10.0.1.0/24 }]\n` }], 's', cilium);
    } catch (e) {
      assert.ok(e instanceof InputError);
      return e.lines();
    }
    return [];
  };

  it('v1.18.3 kube_proxy_replacement.go:279-280: BPF host routing needs kube-proxy-replacement=true', () => {
    assert.deepEqual(problems('{ cilium: "1.18", bpfHostRouting: true }'), ['s.yaml:4:44: BPF host routing requires kubeProxyReplacement: true (Cilium v1.18 falls back to legacy host routing unless kube-proxy-replacement is true)']);
    assert.deepEqual(problems('{ bpfHostRouting: true, kubeProxyReplacement: true }', given('1.16')), ['s.yaml:4:28: BPF host routing does not work with iptables masquerading (Cilium v1.16 falls back to legacy host routing); set masquerade: bpf or none']);
  });

  it('v1.13 keeps its message', () => {
    assert.deepEqual(problems('{ bpfHostRouting: true }', given('1.13')), ['s.yaml:4:28: BPF host routing requires kubeProxyReplacement: true (Cilium v1.13 falls back to legacy host routing without NodePort)']);
  });
});
