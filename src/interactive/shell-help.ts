// The shell's command list and help texts.

/** The shell's commands: usage, and what they do (help prints both, one line each). */
export const COMMANDS: Readonly<Record<string, readonly [string, string]>> = {
  trace: ['trace SRC DST [PROTO[/PORT]] [OPTIONS]', 'trace a packet (help trace: the options)'],
  maps: ['maps MAP [POD|EPID] [OPTIONS]', 'a BPF map as the cilium CLI prints it'],
  pods: ['pods', 'node, IP, identity, endpoint id, labels'],
  nodes: ['nodes', 'IP, pod CIDR, cilium_host address'],
  services: ['services', 'ClusterIP, ports, backends'],
  identities: ['identities', 'security identities and their labels'],
  policies: ['policies', 'the policies in force, and their files'],
  policy: ['policy add FILE | policy add | policy remove NAME', ''],
  ct: ['ct flush', "empty every node's conntrack and NAT maps"],
  set: ['set [backend|ct|level|output VALUE]', 'defaults of later traces (none resets)'],
  explain: ['explain TOPIC | explain --list', 'drop reasons, programs, maps, identities'],
  load: ['load [-f PATH]... | load --scenario NAME', 'another cluster; policies, conntrack reset'],
  help: ['help [COMMAND]', ''],
  exit: ['exit', 'leave (also quit, Ctrl-D)'],
};


export const POLICY_HELP = [
  '  policy add FILE                      add the policies in FILE',
  '  policy add                           add the YAML that follows (end: empty line)',
  '  policy remove NAME|NS/NAME           remove a policy',
].join('\n');

/** `help` without a command: every command on one line (two when the usage is long). */
export function helpText(): string {
  return [
    'commands (Tab completes commands, pods, svc:NS/NAME, map names; ↑ recalls a line):',
    ...Object.entries(COMMANDS).flatMap(([name, [usage, what]]) => (name === 'policy' ? POLICY_HELP.split('\n') : [what === '' ? `  ${usage}` : usage.length > 36 ? `  ${usage}\n  ${' '.repeat(37)}${what}` : `  ${usage.padEnd(37)}${what}`])),
    '',
    "Traces share this shell's conntrack maps: trace a flow, then its reverse, and the",
    'second one is a reply (CT_REPLY). Policy changes keep conntrack, as a real cluster',
    'does. # starts a comment.',
  ].join('\n');
}

/** `help COMMAND` for the commands without options of their own; undefined: no such command. */
export function commandHelp(name: string): string | undefined {
  const c = COMMANDS[name === 'quit' ? 'exit' : name];
  if (!c) return undefined;
  return `${c[0]}${c[1] ? `\n  ${c[1]}` : ''}${name === 'policy' ? `\n${POLICY_HELP}` : ''}`;
}

/** The one-line usage of a command, for its usage errors. */
export function usageOf(name: string): string {
  return `usage: ${COMMANDS[name]?.[0] ?? name}`;
}
