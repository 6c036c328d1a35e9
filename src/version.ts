// The tool's own version (package.json says the same; a test keeps them equal) and the
// Cilium releases it models, for --version.
import { DEFAULT_RELEASE, PROFILES, RELEASES } from './cilium/releases/release.js';

export const TOOL_VERSION = '0.2.0';

export function versionText(): string {
  const models = RELEASES.map((r) => `  profile ${r.profile}: Cilium ${r.version} (upstream commit ${r.commit})`);
  return [`cilium-trace ${TOOL_VERSION}`, 'models the datapath of:', ...models].join('\n');
}

/** The help text of --cilium, shared by every command that loads a cluster. */
export const CILIUM_OPTION_HELP = `the Cilium release to simulate: ${PROFILES.join(', ')} (or the release, e.g. ${RELEASES.map((r) => r.version.slice(1)).join(', ')}) (default: what the input says: cluster.cilium, the agent DaemonSet's image; else the newest, ${DEFAULT_RELEASE.profile})`;
