// The `yaml` package, loaded on first use. Most runs never need it (the scenario loader's
// fast reader handles block-style YAML), and loading it is a sizeable part of start-up.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let yamlModule: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yamlModule;
}
