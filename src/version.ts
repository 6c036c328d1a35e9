// The tool's own version (package.json says the same; a test keeps them equal) and the
// Cilium releases it models, for --version.
import { RELEASES } from './cilium/releases/release.js';

export const TOOL_VERSION = '0.2.0';

export function versionText(): string {
  const models = RELEASES.map((r) => `  profile ${r.profile}: Cilium ${r.version} (upstream commit ${r.commit})`);
  return [`cilium-trace ${TOOL_VERSION}`, 'models the datapath of:', ...models].join('\n');
}
