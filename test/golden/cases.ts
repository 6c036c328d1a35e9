// Golden CLI cases: each is stored as test/golden/cases/<name>.txt holding the command,
// its stdout, its stderr and its exit code. Rewritten only by `npm run golden:update`.
export interface GoldenCase {
  readonly name: string;
  readonly args: readonly string[];
}

export const GOLDEN_CASES: readonly GoldenCase[] = [
  { name: 'pod1-pod3-icmp-detailed', args: ['pod1', 'pod3', 'icmp'] },
  { name: 'pod1-pod3-icmp-summary', args: ['pod1', 'pod3', 'icmp', '-l', 'summary'] },
  { name: 'pod1-pod3-icmp-minimal', args: ['pod1', 'pod3', 'icmp', '-l', 'minimal'] },
  { name: 'pod1-pod3-icmp-json', args: ['pod1', 'pod3', 'icmp', '-o', 'json'] },
  { name: 'pod1-pod2-icmp-detailed', args: ['pod1', 'pod2', 'icmp'] },
  { name: 'pod1-pod2-icmp-summary', args: ['pod1', 'pod2', 'icmp', '-l', 'summary'] },
  { name: 'pod1-pod2-icmp-minimal', args: ['pod1', 'pod2', 'icmp', '-l', 'minimal'] },
  { name: 'pod1-pod2-icmp-json', args: ['pod1', 'pod2', 'icmp', '-o', 'json'] },
  { name: 'pod1-pod2-arp-minimal', args: ['pod1', 'pod2', '--arp', '-l', 'minimal'] },
  { name: 'pod3-pod1-udp-minimal', args: ['default/pod3', '10.0.0.157', 'udp/53', '-l', 'minimal'] },
  { name: 'l3-policy-app2-app1-tcp80', args: ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/80'] },
  { name: 'l3-policy-app2-app1-tcp80-json', args: ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/80', '-o', 'json'] },
  { name: 'l3-policy-app2-app1-tcp8080', args: ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080'] },
  { name: 'l3-policy-app2-app1-tcp8080-minimal', args: ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080', '-l', 'minimal'] },
  { name: 'l3-policy-app2-app1-tcp8080-json', args: ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080', '-o', 'json'] },
  { name: 'maps-ipcache-node1', args: ['maps', 'ipcache', '--node', 'node1'] },
  { name: 'maps-endpoint-node1', args: ['maps', 'endpoint', '--node', 'node1'] },
  { name: 'maps-endpoint-node2', args: ['maps', 'endpoint', '--node', 'node2'] },
  { name: 'maps-tunnel-node1', args: ['maps', 'tunnel', '--node', 'node1'] },
  { name: 'maps-calls-node1', args: ['maps', 'calls', '--node', 'node1'] },
  { name: 'maps-policy-pod2', args: ['maps', 'policy', 'pod2'] },
  { name: 'maps-policy-app1', args: ['maps', 'policy', 'app1', '--scenario', 'l3-policy'] },
  { name: 'bad-unknown-pod', args: ['pod1', 'nope'] },
  { name: 'bad-proto', args: ['pod1', 'pod3', 'tcp'] },
  { name: 'bad-scenario-name', args: ['--scenario', 'nope', 'pod1', 'pod3'] },
  { name: 'bad-scenario-file', args: ['-f', 'test/fixtures/bad/unknown-node.yaml', 'pod1', 'pod3'] },
  { name: 'pod-to-remote-node', args: ['pod1', '1.2.3.168', '-l', 'minimal'] },
  // Services (issue: services, conntrack, world, hosts, native routing, Hubble/monitor output).
  ...levels('services-pod1-web', ['--scenario', 'services', 'pod1', 'svc:web', 'tcp/80']),
  { name: 'services-pod1-web-backend-reply', args: ['--scenario', 'services', 'pod1', 'svc:web', 'tcp/80', '--backend', '10.0.1.105', '--reply', '-l', 'summary'] },
  { name: 'services-pod1-api-named-port', args: ['--scenario', 'services', 'pod1', 'svc:default/api', '-l', 'minimal'] },
  ...levels('services-no-backend', ['--scenario', 'services', 'pod1', 'svc:empty', 'tcp/80']),
  ...levels('services-nodeport-world', ['--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080']),
  { name: 'services-nodeport-reply-remote-backend', args: ['--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--reply', '-l', 'minimal'] },
  { name: 'services-nodeport-reply-local-backend', args: ['--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080', '--reply', '--backend', '10.0.1.105', '-l', 'summary'] },
  { name: 'services-clusterip-from-world', args: ['--scenario', 'services', '203.0.113.7', 'svc:web', 'tcp/80', '-l', 'minimal'] },
  { name: 'services-maps-lb', args: ['maps', 'lb', '--scenario', 'services'] },
  ...levels('world-host-world-frontend', ['--scenario', 'world-host', '203.0.113.7', 'frontend', 'tcp/80']),
  ...levels('world-host-frontend-world-denied', ['--scenario', 'world-host', 'frontend', '8.8.8.8', 'tcp/443']),
  { name: 'world-host-frontend-cidr-reply', args: ['--scenario', 'world-host', 'frontend', '1.1.1.1', 'tcp/443', '--reply', '-l', 'minimal'] },
  { name: 'world-host-host-backend', args: ['--scenario', 'world-host', 'node:node-b', 'backend', 'tcp/5432', '-l', 'summary'] },
  { name: 'world-host-pod-to-own-host', args: ['--scenario', 'world-host', 'frontend', '172.16.0.11', '-l', 'minimal'] },
  ...levels('native-client-web', ['--scenario', 'native', 'client', 'web', 'tcp/80']),
  { name: 'native-client-world-masquerade-reply', args: ['--scenario', 'native', 'client', '1.1.1.1', 'tcp/443', '--reply', '-l', 'minimal'] },
  { name: 'seed-maps-ct-after', args: ['maps', 'ct', '--node', 'node2', '--after', 'pod1 pod3 tcp/80'] },
  { name: 'seed-maps-nat-after', args: ['maps', 'nat', '--node', 'node1', '--after', 'pod1 8.8.8.8 tcp/443'] },
  { name: 'seed-ct-established', args: ['pod1', 'pod3', 'tcp/80', '--ct', 'established', '-l', 'summary'] },
  { name: 'geneve-client-web', args: ['--scenario', 'geneve', 'client', 'web', 'tcp/80', '-l', 'summary'] },
  { name: 'pod1-pod3-monitor', args: ['pod1', 'pod3', 'icmp', '-o', 'monitor'] },
  { name: 'pod1-pod3-hubble', args: ['pod1', 'pod3', 'icmp', '-o', 'hubble'] },
  // Real-world input: Kubernetes manifests and the full policy language.
  { name: 'star-wars-tiefighter', args: ['-f', 'scenarios/k8s/star-wars', 'tiefighter', 'svc:deathstar', 'tcp/80', '-l', 'minimal'] },
  { name: 'star-wars-xwing-denied', args: ['-f', 'scenarios/k8s/star-wars', 'xwing', 'svc:deathstar', 'tcp/80', '-l', 'summary'] },
  { name: 'star-wars-xwing-json', args: ['-f', 'scenarios/k8s/star-wars', 'xwing', 'svc:deathstar', 'tcp/80', '-o', 'json'] },
  { name: 'star-wars-maps-policy-why', args: ['maps', 'policy', 'default/deathstar-54bb8475cc-4gcv4', '--why', '-f', 'scenarios/k8s/star-wars'] },
  { name: 'validate-problems', args: ['validate', '-f', 'test/fixtures/validate/problems.yaml'] },
  { name: 'validate-star-wars', args: ['validate', '-f', 'scenarios/k8s/star-wars'] },
  // The seed flows under each newer profile (the lead regenerates these files after the
  // datapath of each release is merged; 1.13 is the cases above).
  ...profiles('pod1-pod3-icmp', ['pod1', 'pod3', 'icmp']),
  ...profiles('pod1-pod2-icmp', ['pod1', 'pod2', 'icmp']),
  ...profiles('l3-policy-app2-app1-tcp8080', ['--scenario', 'l3-policy', 'app2', 'app1', 'tcp/8080']),
  ...profiles('services-pod1-web', ['--scenario', 'services', 'pod1', 'svc:web', 'tcp/80']),
  ...profiles('services-nodeport-world', ['--scenario', 'services', '203.0.113.7', '1.2.3.168', 'tcp/30080']),
  ...profiles('pod1-world-tcp443', ['pod1', '8.8.8.8', 'tcp/443']),
  ...profiles('maps-ipcache-node1', ['maps', 'ipcache', '--node', 'node1']),
  ...profiles('maps-calls-node1', ['maps', 'calls', '--node', 'node1']),
  // `maps` without a kind lists the release's maps.
  { name: 'maps-index-node1-v1.18', args: ['maps', '--node', 'node1', '--cilium', '1.18'] },
];

/** The same command under the 1.16 and 1.18 profiles (names …-v1.16, …-v1.18). */
function profiles(name: string, args: readonly string[]): GoldenCase[] {
  return ['1.16', '1.18'].map((p) => ({ name: `${name}-v${p}`, args: [...args, '--cilium', p] }));
}

/** The same flow at every text level and in JSON, Hubble and monitor form. */
function levels(name: string, args: readonly string[]): GoldenCase[] {
  return [
    { name: `${name}-detailed`, args },
    { name: `${name}-summary`, args: [...args, '-l', 'summary'] },
    { name: `${name}-minimal`, args: [...args, '-l', 'minimal'] },
    { name: `${name}-json`, args: [...args, '-o', 'json'] },
    { name: `${name}-hubble`, args: [...args, '-o', 'hubble'] },
    { name: `${name}-monitor`, args: [...args, '-o', 'monitor'] },
  ];
}

export function formatGolden(args: readonly string[], run: { stdout: string; stderr: string; code: number }): string {
  return `$ cilium-trace ${args.join(' ')}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}--- exit ${run.code}\n`;
}
