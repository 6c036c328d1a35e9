// What a load set aside, as the lines the CLI prints on stderr before anything else: one
// `file:line:col: warning: …` per construct read but not simulated (or pruned as the API
// server prunes it), one note for the pods without a Cilium endpoint (and who owns a reused
// IP now), one for the IPv6 addresses the IPv4 traces ignore.
import { formatProblem, oneLine } from '../errors.js';
import { formatIpv4 } from '../net/ip.js';
import type { Scenario } from './types.js';

const LISTED = 10;

/** The warning lines, then the notes (each one line, without the trailing newline). */
export function loadNotes(s: Scenario): string[] {
  const out = s.warnings.map((w) => (w.pos ? formatProblem({ pos: w.pos, message: `warning: ${w.message}` }) : `cilium-trace: warning: ${oneLine(w.message)}`));
  const pods = skippedPodsNote(s);
  if (pods) out.push(pods);
  const v6 = ipv6Note(s);
  if (v6) out.push(v6);
  return out;
}

function skippedPodsNote(s: Scenario): string | undefined {
  if (s.skippedPods.length === 0) return undefined;
  const byIp = new Map<number, string>();
  for (const p of s.pods) if (!p.hostNetwork) byIp.set(p.ip, `${p.namespace}/${p.name}`);
  const shown = s.skippedPods.slice(0, LISTED).map((p) => {
    const owner = p.ip !== undefined ? byIp.get(p.ip) : undefined;
    const ip = p.ip === undefined ? '' : owner ? `; its IP ${formatIpv4(p.ip)} is now ${owner}'s` : `; its IP ${formatIpv4(p.ip)} is free`;
    return `${p.id} (${p.why}${ip})`;
  });
  const more = s.skippedPods.length > LISTED ? `, and ${s.skippedPods.length - LISTED} more` : '';
  const n = s.skippedPods.length;
  return `cilium-trace: skipped ${n} pod${n === 1 ? '' : 's'} without a Cilium endpoint (not running): ${shown.join(', ')}${more}`;
}

function ipv6Note(s: Scenario): string | undefined {
  const first = s.ipv6Ignored[0];
  if (!first) return undefined;
  const counts = new Map<string, number>();
  for (const x of s.ipv6Ignored) counts.set(x.what, (counts.get(x.what) ?? 0) + 1);
  const what = [...counts].map(([w, n]) => `${n} ${w}${n === 1 ? '' : 's'}`).join(', ');
  return `cilium-trace: IPv6 set aside, the traces are IPv4: ${what} (the first at ${first.pos.file}:${first.pos.line}:${first.pos.col})`;
}
