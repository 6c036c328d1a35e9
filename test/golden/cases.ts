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
  { name: 'not-simulated-pod-to-node', args: ['pod1', '1.2.3.168', '-l', 'minimal'] },
];

export function formatGolden(args: readonly string[], run: { stdout: string; stderr: string; code: number }): string {
  return `$ cilium-trace ${args.join(' ')}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}--- exit ${run.code}\n`;
}
