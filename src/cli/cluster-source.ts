// Chooses the cluster: -f FILE, --scenario NAME, or the embedded default (seed note 000).
import { UsageError } from '../errors.js';
import { buildCluster, type Cluster } from '../controlplane/cluster.js';
import { listShippedScenarios, loadDefaultScenario, loadScenarioFile, resolveShippedScenario } from '../scenario/load.js';

export interface ClusterOptions {
  readonly file?: string[];
  readonly scenario?: string;
}

export function loadCluster(o: ClusterOptions): Cluster {
  const files = o.file ?? [];
  if (files.length > 0 && o.scenario) throw new UsageError('use either -f/--file or --scenario, not both');
  if (files.length > 1) throw new UsageError('only one scenario file is supported (got ' + files.length + ')');
  if (files[0] !== undefined) return buildCluster(loadScenarioFile(files[0]));
  if (o.scenario) {
    const found = resolveShippedScenario(o.scenario);
    if (!found) throw new UsageError(`unknown scenario '${o.scenario}' (expected one of: ${listShippedScenarios().join(', ')})`);
    return buildCluster(loadScenarioFile(found.path, found.display));
  }
  return buildCluster(loadDefaultScenario());
}
