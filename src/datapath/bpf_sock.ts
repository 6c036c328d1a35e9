// bpf/bpf_sock.c of Cilium v1.13: socket-level load-balancing at the cgroup v2 root.
// cil_sock4_connect (TCP, connected UDP) and cil_sock4_sendmsg (UDP) translate a Service
// VIP:port to a backend before any packet exists (__sock4_xlate_fwd), and remember the
// translation in cilium_lb4_reverse_sk for recvmsg/getpeername. No tail calls, no policy.
// Left out: session affinity, externalTrafficPolicy=Local scope switch, host-namespace-only LB.
import { formatIpv4 } from '../net/ip.js';
import { LB_REVERSE_SK_MAP } from '../maps/lbmap.js';
import { CTX_ACT_OK, drop, type Ctx, type Ret } from './context.js';
import { lb4LookupService, lb4SelectBackend } from './lib/lb.js';

const FILE = 'bpf/bpf_sock.c';

export function cilSock4Connect(ctx: Ctx): Ret {
  const fn = ctx.pkt.l4.proto === 'udp' ? 'cil_sock4_sendmsg' : 'cil_sock4_connect';
  return ctx.tb.frame(fn, FILE, () => ctx.tb.frame('__sock4_xlate_fwd', FILE, () => {
    const p = ctx.pkt;
    const l4 = p.l4;
    if (l4.proto === 'icmp') {
      ctx.tb.add({ kind: 'note', text: 'not a TCP/UDP socket: socket LB does not apply' });
      return CTX_ACT_OK;
    }
    const svc = lb4LookupService(ctx, p.dst, l4.dport);
    if (!svc) return CTX_ACT_OK;
    if (svc.count === 0) {
      ctx.tb.add({ kind: 'note', text: 'the service has no backends: the socket call fails with -EHOSTUNREACH, no packet is sent' });
      return drop('DROP_NO_SERVICE', fn, FILE);
    }
    const sel = lb4SelectBackend(ctx, p.dst, l4.dport, svc, 'sock_select_slot');
    if (!sel) return drop('DROP_NO_SERVICE', fn, FILE);
    ctx.tb.add({ kind: 'note', text: `${LB_REVERSE_SK_MAP}: {cookie, ${formatIpv4(sel.backend.address)}, ${sel.backend.port}} → {${formatIpv4(p.dst)}, ${l4.dport}, rev_nat ${svc.revNat}}` });
    ctx.tb.add({ kind: 'rewrite', field: 'user_ip4:user_port', from: `${formatIpv4(p.dst)}:${l4.dport}`, to: `${formatIpv4(sel.backend.address)}:${sel.backend.port}` });
    ctx.pkt = { ...p, dst: sel.backend.address, l4: { ...l4, dport: sel.backend.port } };
    return CTX_ACT_OK;
  }));
}
