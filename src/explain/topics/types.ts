// The shape of an explanation topic: a few plain sentences on one thing a trace or a map dump
// shows (a drop reason, an observation point, a program or function, a map, a reserved
// identity, a device), written for Cilium v1.13.

export type TopicKind = 'concept' | 'drop' | 'point' | 'program' | 'function' | 'map' | 'identity' | 'device';

export interface Topic {
  /** The canonical name, as `explain --list` shows it. */
  readonly id: string;
  readonly kind: TopicKind;
  /** One line after the name: code and texts, file, attach point. */
  readonly title: string;
  /** Other names that find this topic (case-insensitive): codes, Hubble names, monitor names. */
  readonly aliases: readonly string[];
  /** Concrete names this topic covers, e.g. cilium_policy_01703 for cilium_policy_*. */
  readonly pattern?: RegExp;
  /** One sentence: what it is. Also the line `--explain` prints under a trace step. */
  readonly what: string;
  /** When it happens, what it does. */
  readonly when: string;
  /** What to look at next. */
  readonly next: string;
  /** The Cilium source files to read. */
  readonly source: readonly string[];
  readonly see?: readonly string[];
  /** For programs: the ELF section they are loaded from (tc attach points, cgroup hooks). */
  readonly section?: string;
}

export const KIND_HEADINGS: Readonly<Record<TopicKind, string>> = {
  concept: 'concepts',
  drop: 'drop reasons (by code, DROP_* macro or Hubble name)',
  point: 'observation points (TRACE_* / monitor name / Hubble name)',
  program: 'programs (tc entry programs, tail calls, cgroup programs)',
  function: 'functions and helpers',
  map: 'maps',
  identity: 'reserved identities (by name or number)',
  device: 'devices',
};

export const KIND_ORDER: readonly TopicKind[] = ['concept', 'drop', 'point', 'program', 'function', 'map', 'identity', 'device'];
