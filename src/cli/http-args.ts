// --http 'METHOD /PATH', --header 'Name: value' (repeatable) and --host NAME: the HTTP request a
// TCP connection carries, for the simulated Envoy at an HTTP proxy redirect. Errors are one
// positioned line (<cmdline>:1:COL), exit 2.
import { InputError } from '../errors.js';
import { formatIpv4, type Ipv4 } from '../net/ip.js';
import { parseHeader, parseRequestLine, type HttpRequest } from '../proxy/envoy-http.js';
import type { ServiceSpec } from '../scenario/types.js';
import type { ArgPos } from './endpoints.js';

export interface HttpArgs {
  readonly http?: ArgPos | undefined;
  readonly headers: readonly ArgPos[];
  readonly host?: ArgPos | undefined;
}

const CMDLINE = '<command line>';

function problem(arg: ArgPos, message: string): InputError {
  return new InputError([{ pos: { file: CMDLINE, line: 1, col: arg.col }, message }]);
}

/**
 * The :authority a client such as curl sends: the Service's DNS name (NAME.NAMESPACE.svc.cluster.local)
 * when DST was a Service, else the address; with :PORT unless the port is 80.
 */
export function defaultHost(dst: { ip: Ipv4; service?: ServiceSpec | undefined }, dport: number | null): string {
  const name = dst.service ? `${dst.service.name}.${dst.service.namespace}.svc.cluster.local` : formatIpv4(dst.ip);
  return dport === null || dport === 80 ? name : `${name}:${dport}`;
}

export function parseHttpArgs(a: HttpArgs, proto: string, host: string): HttpRequest | undefined {
  if (!a.http) {
    const stray = a.headers[0] ?? a.host;
    if (stray) throw problem(stray, `--header and --host need --http 'METHOD /PATH' (the request they belong to)`);
    return undefined;
  }
  if (proto !== 'tcp') throw problem(a.http, `--http needs a TCP destination port (tcp/PORT); this flow is ${proto}`);
  const line = parseRequestLine(a.http.text);
  if (typeof line === 'string') throw problem(a.http, `bad --http '${a.http.text}': ${line}`);
  const headers = a.headers.map((h) => {
    const p = parseHeader(h.text);
    if (typeof p === 'string') throw problem(h, `bad --header '${h.text}': ${p}`);
    return p;
  });
  if (a.host && !/^[A-Za-z0-9]([-A-Za-z0-9.]*)(:\d{1,5})?$/.test(a.host.text)) throw problem(a.host, `bad --host '${a.host.text}': expected a host name or address, optionally with :PORT`);
  return { method: line.method, path: line.path, host: a.host?.text ?? host, headers };
}
