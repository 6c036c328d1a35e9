// bpf/bpf_sock.c of Cilium v1.13.0: socket-level load-balancing at the cgroup v2 root, so for
// every process of the node (pods, hostNetwork pods and host processes alike).
// cil_sock4_connect (TCP, connected UDP) and cil_sock4_sendmsg (UDP) translate a Service
// VIP:port to a backend before any packet exists (__sock4_xlate_fwd), with the 0.0.0.0
// surrogate frontend for NodePorts on node addresses (sock4_wildcard_lookup_full), send the
// XLATE_PRE/XLATE_POST trace-sock events (TRACE_SOCK_NOTIFY, on by default) and remember the
// translation in cilium_lb4_reverse_sk. -EHOSTUNREACH makes the call fail (SYS_REJECT): no
// packet, no drop notification. No tail calls, no policy.
// Left out: session affinity, the health-check path, ENABLE_SOCKET_LB_HOST_ONLY, HostPort and
// ExternalIP frontends (sock4_skip_xlate), local-redirect and L7 LB services. The socket cookie
// and cgroup id of trace-sock events are deterministic stand-ins for the kernel's values.
import { HOST_ID, REMOTE_NODE_ID } from '../cilium/identities.js';
import { identityIsRemoteNode } from './lib/identity.js';
import { formatIpv4, IP_ZERO, type Ipv4 } from '../net/ip.js';
import { LB_REVERSE_SK_MAP, SVC_FLAG_NODEPORT, type Lb4Service } from '../maps/lbmap.js';
import type { SockXlatePoint } from '../trace/tree.js';
import { fnv1a } from '../util/hash.js';
import { CTX_ACT_OK, unsimulated, type Ctx, type Ret } from './context.js';
import { lookupIp4RemoteEndpoint } from './lib/eps.js';
import { chosenSlot, l4Proto, lb4LookupBackend, lb4LookupBackendSlot, lb4LookupFrontend, serviceRedirect, type Frontend } from './lib/lb.js';

const FILE = 'bpf/bpf_sock.c';
/** NODEPORT_PORT_MIN / NODEPORT_PORT_MAX of node_config.h: the agent's --node-port-range. */
const NODEPORT_PORT_MIN = 30000;
const NODEPORT_PORT_MAX = 32767;
const EHOSTUNREACH = 113;

/** cil_sock4_connect / cil_sock4_sendmsg: SYS_REJECT for -EHOSTUNREACH (and -ENOMEM), else SYS_PROCEED. */
export function cilSock4Connect(ctx: Ctx): Ret {
  const udp = ctx.pkt.l4.proto === 'udp';
  const fn = udp ? 'cil_sock4_sendmsg' : 'cil_sock4_connect';
  return ctx.tb.frame(fn, FILE, (): Ret => {
    const err = sock4XlateFwd(ctx);
    if (typeof err !== 'number') return err;
    if (err === -EHOSTUNREACH) {
      // bpf_sock.c:463-465: try_set_retval(err) then SYS_REJECT. bpf_set_retval exists only with
      // HAVE_SET_RETVAL (kernel >= 5.18, probed per node); without it the hook's rejection is EPERM.
      const at = ctx.cluster.release.pick({ '1.13.0': '463-465', '1.16.0': '424-426', '1.18.0': '425-427' });
      ctx.tb.add({ kind: 'note', text: `try_set_retval(-EHOSTUNREACH), return SYS_REJECT (bpf_sock.c:${at}): connect() fails with EHOSTUNREACH on kernels >= 5.18 (bpf_set_retval, HAVE_SET_RETVAL); older kernels report EPERM` });
      ctx.tb.add({ kind: 'refused', syscall: udp ? 'sendmsg' : 'connect', errno: 'EHOSTUNREACH', code: err, fn, file: FILE });
      return { kind: 'refused', errno: 'EHOSTUNREACH', code: err };
    }
    return CTX_ACT_OK;
  });
}

function isLoopback(ip: Ipv4): boolean {
  return ip >>> 24 === 127;
}

/**
 * sock4_wildcard_lookup (bpf_sock.c:178-207): for a destination that is this host (or, with
 * include_remote_hosts, another node) or loopback from the host netns, look the port up on
 * the 0.0.0.0 surrogate frontend; only NodePort-range ports, or only others with inv_match.
 */
function sock4WildcardLookup(ctx: Ctx, key: { address: Ipv4; dport: number; proto: number }, includeRemoteHosts: boolean, invMatch: boolean, inHostns: boolean): Lb4Service | undefined {
  return ctx.tb.frame('sock4_wildcard_lookup', FILE, () => {
    const outside = key.dport < NODEPORT_PORT_MIN || key.dport > NODEPORT_PORT_MAX;
    if (outside !== invMatch) {
      ctx.tb.add({ kind: 'note', text: `port ${key.dport} is ${outside ? 'outside' : 'inside'} the NodePort range ${NODEPORT_PORT_MIN}-${NODEPORT_PORT_MAX}: no wildcard lookup` });
      return undefined;
    }
    if (!(inHostns && isLoopback(key.address))) {
      const info = lookupIp4RemoteEndpoint(ctx, key.address, 'ipcache_lookup4');
      const id = info?.info.secLabel;
      const remote = id !== undefined && identityIsRemoteNode(id);
      if (!(id === HOST_ID || (includeRemoteHosts && remote))) return undefined;
    }
    key.address = IP_ZERO;
    const hit = lb4LookupFrontend(ctx, key.address, key.dport, l4Proto(ctx.pkt));
    if (hit) key.proto = hit.fe.proto ?? 0;
    return hit?.svc;
  });
}

/** sock4_wildcard_lookup_full (bpf_sock.c:211-237): NodePort first, then HostPort (not modelled). */
function sock4WildcardLookupFull(ctx: Ctx, key: { address: Ipv4; dport: number; proto: number }, inHostns: boolean): Lb4Service | undefined {
  return ctx.tb.frame('sock4_wildcard_lookup_full', FILE, () => {
    const orig = key.address;
    const np = sock4WildcardLookup(ctx, key, true, false, inHostns);
    if (np && np.flags & SVC_FLAG_NODEPORT) return np;
    key.address = orig;
    // A hit here would need SVC_FLAG_HOSTPORT, which no frontend of cilium-trace has.
    sock4WildcardLookup(ctx, key, false, true, inHostns);
    key.address = orig;
    return undefined;
  });
}

/** A deterministic stand-in for sock_local_cookie() and get_current_cgroup_id(). */
function sockIds(ctx: Ctx): { cookie: number; cgroupId: number } {
  const p = ctx.pkt;
  const l4 = p.l4.proto === 'icmp' ? '' : `${p.l4.sport}`;
  const cg = ctx.sock?.cgroup;
  return { cookie: fnv1a(`sock ${ctx.node.name} ${p.src}:${l4}/${p.l4.proto}`), cgroupId: fnv1a(`cgroup ${ctx.node.name} ${cg?.kind === 'pod' ? cg.ip : 'host'}`) };
}

/** send_trace_sock_notify4 (bpf/lib/trace_sock.h:78-101). */
function sendTraceSockNotify4(ctx: Ctx, point: SockXlatePoint, dst: Ipv4, dport: number): void {
  const { cookie, cgroupId } = sockIds(ctx);
  ctx.tb.add({ kind: 'trace_sock', point, dst: formatIpv4(dst), dport, proto: ctx.pkt.l4.proto === 'udp' ? 'udp' : 'tcp', cookie, cgroupId, node: ctx.node.name, cgroup: ctx.sock?.cgroup ?? { kind: 'host' } });
}

/** __sock4_xlate_fwd (bpf_sock.c:288-434): 0 or a negative errno; a Ret when the trace stops. */
function sock4XlateFwd(ctx: Ctx): number | Ret {
  return ctx.tb.frame('__sock4_xlate_fwd', FILE, (): number | Ret => {
    const p = ctx.pkt;
    const l4 = p.l4;
    if (l4.proto === 'icmp') return 0; // the engine runs these hooks for TCP and UDP sockets only
    const inHostns = ctx.sock?.inHostns ?? false;
    if (inHostns) ctx.tb.add({ kind: 'note', text: 'ctx_in_hostns: the socket is in the host network namespace' });
    // v1.17+: the key carries ctx_protocol(ctx); lb4_lookup_service may leave it IPPROTO_ANY.
    const key = { address: p.dst, dport: l4.dport, proto: l4Proto(p) };
    const direct = lb4LookupFrontend(ctx, key.address, key.dport, key.proto);
    if (direct) key.proto = direct.fe.proto ?? 0;
    const svc = direct?.svc ?? sock4WildcardLookupFull(ctx, key, inHostns);
    if (!svc) return -6; // -ENXIO: SYS_PROCEED, the address stays as it is
    const redirected = serviceRedirect(ctx, svc);
    if (redirected) return redirected;
    if (svc.count === 0) {
      ctx.tb.add({ kind: 'note', text: 'svc->count == 0: -EHOSTUNREACH' });
      return -EHOSTUNREACH;
    }
    sendTraceSockNotify4(ctx, 'XLATE_PRE_DIRECTION_FWD', p.dst, l4.dport);
    const fe: Frontend = ctx.cluster.release.has('lb-service-proto') ? { address: key.address, dport: key.dport, proto: key.proto } : { address: key.address, dport: key.dport };
    const pick = ctx.tb.frame('sock_select_slot', FILE, () => {
      const c = chosenSlot(ctx, fe, svc);
      if (typeof c !== 'string') ctx.tb.add({ kind: 'note', text: `${l4.proto === 'tcp' ? 'get_prandom_u32()' : 'sock_local_cookie()'} % count + 1: ${c.why}` });
      return c;
    });
    if (typeof pick === 'string') return unsimulated(pick);
    const slot = lb4LookupBackendSlot(ctx, '__lb4_lookup_backend_slot', fe, pick.slot);
    if (!slot) return -EHOSTUNREACH;
    const backend = lb4LookupBackend(ctx, '__lb4_lookup_backend', slot.backendId);
    if (!backend) return -EHOSTUNREACH;
    sendTraceSockNotify4(ctx, 'XLATE_POST_DIRECTION_FWD', backend.address, backend.port);
    ctx.tb.frame('sock4_update_revnat', FILE, () => {
      ctx.tb.add({ kind: 'note', text: `${LB_REVERSE_SK_MAP}: {cookie, ${formatIpv4(backend.address)}, ${backend.port}} → {${formatIpv4(p.dst)}, ${l4.dport}, rev_nat ${svc.revNat}}` });
    });
    ctx.tb.add({ kind: 'rewrite', field: 'user_ip4:user_port', from: `${formatIpv4(p.dst)}:${l4.dport}`, to: `${formatIpv4(backend.address)}:${backend.port}` });
    ctx.pkt = { ...p, dst: backend.address, l4: { ...l4, dport: backend.port } };
    return 0;
  });
}
