// The cilium-config ConfigMap (`kubectl -n kube-system get cm cilium-config -o yaml`): the
// agent's options as strings, read the way the agent reads them (v1.13.0 to v1.18.3 alike) (viper over the
// mounted ConfigMap: GetBool is strconv.ParseBool, GetInt parses decimal, GetStringSlice
// splits on whitespace; an unset key is the flag's default). cilium-settings.ts resolves
// them into the datapath settings.
import { isMap, isScalar } from './ast.js';
import type { Position } from '../errors.js';
import { looseMap, type Field, type MapView } from './raw.js';
import type { LoadWarning } from './types.js';

export const CILIUM_CONFIG_NAME = 'cilium-config';

/** A cilium-config ConfigMap: its `data`, key by key, with positions. */
export class CiliumConfig {
  private readonly warned = new Set<string>();
  /** The agent release reading the ConfigMap, named in warnings (settingsFromConfig sets the profile's). */
  agent = 'v1.13.0';

  constructor(
    readonly pos: Position,
    /** "kube-system/cilium-config" */
    readonly where: string,
    private readonly data: MapView | undefined,
    private readonly warn: (w: LoadWarning) => void,
  ) {}

  /** A key's string value; a non-string (which the API server refuses) is reported. */
  get(key: string): Field<string> | undefined {
    const e = this.data?.entry(key);
    if (!e || !this.data) return undefined;
    if (isScalar(e.node) && typeof e.node.value === 'string') return { value: e.node.value, pos: e.pos };
    if (isScalar(e.node) && e.node.value === null) return undefined;
    const text = isScalar(e.node) ? String(e.node.value) : undefined;
    if (this.warned.has(key)) return text === undefined ? undefined : { value: text, pos: e.pos };
    this.warned.add(key);
    this.warn({ pos: e.pos, message: `cilium-config ${key} is not a string (ConfigMap values are strings; kubectl prints them quoted)${text === undefined ? ': ignored' : `: read as "${text}"`}` });
    return text === undefined ? undefined : { value: text, pos: e.pos };
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** `key=value` as the trace header quotes it. */
  quote(key: string): string | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : `${key}=${v.value}`;
  }

  /** viper GetBool: strconv.ParseBool; anything else is false. */
  bool(key: string, def: boolean): { value: boolean; set: boolean } {
    const v = this.get(key);
    if (!v) return { value: def, set: false };
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v.value)) return { value: true, set: true };
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v.value)) return { value: false, set: true };
    this.once(`bool:${key}`, { pos: v.pos, message: `cilium-config ${key}="${v.value}" is not a boolean: the ${this.agent} agent reads it as false` });
    return { value: false, set: true };
  }

  /** viper GetInt; a value that is not a number is 0. */
  int(key: string, def: number): { value: number; set: boolean } {
    const v = this.get(key);
    if (!v) return { value: def, set: false };
    const t = v.value.trim();
    if (/^[+-]?\d+$/.test(t)) return { value: Number(t), set: true };
    this.once(`int:${key}`, { pos: v.pos, message: `cilium-config ${key}="${v.value}" is not an integer: the ${this.agent} agent reads it as 0` });
    return { value: 0, set: true };
  }

  private once(key: string, w: LoadWarning): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(w);
  }

  /** viper GetStringSlice of a string: strings.Fields. */
  words(key: string): string[] {
    return (this.get(key)?.value ?? '').split(/\s+/).filter((w) => w !== '');
  }

  /** The position of a key's value, or the ConfigMap when the key is unset. */
  at(key: string): Position {
    return this.get(key)?.pos ?? this.pos;
  }
}

/** Is this object the cilium-config ConfigMap (any namespace: Helm installs it where Cilium runs)? */
export function isCiliumConfig(obj: MapView): boolean {
  const meta = obj.entry('metadata');
  if (!meta || !isMap(meta.node)) return false;
  const m = looseMap(obj.src, meta);
  const name = m?.entry('name');
  return !!name && isScalar(name.node) && name.node.value === CILIUM_CONFIG_NAME;
}

export function readCiliumConfig(obj: MapView, warn: (w: LoadWarning) => void): CiliumConfig {
  const meta = obj.entry('metadata');
  const m = meta && isMap(meta.node) ? looseMap(obj.src, meta) : undefined;
  const ns = m?.entry('namespace');
  const where = `${ns && isScalar(ns.node) && typeof ns.node.value === 'string' ? `${ns.node.value}/` : ''}${CILIUM_CONFIG_NAME}`;
  const data = obj.entry('data');
  const dm = data && isMap(data.node) ? looseMap(obj.src, data) : undefined;
  return new CiliumConfig(obj.pos, where, dm, warn);
}
