// bpf/bpf_lxc.c of Cilium v1.13: the programs of a pod's endpoint. cil_from_container runs at
// tc ingress of the host-side veth (packets leaving the pod); handle_policy is the endpoint's
// ingress-policy program that other programs reach through cilium_call_policy[EPID].
// IPv4 only; left out: service CT entries and reverse NAT on replies, hairpin, IPsec, the
// host firewall's to_host redirect. A proxy redirect and an egress gateway policy end the
// trace (NOT_SIMULATED) where v1.13.0 takes them, naming the rule.
import { CILIUM_CALL } from '../cilium/call-slots.js';
import type { CtStatus } from '../cilium/trace-points.js';
import { WORLD_ID } from '../cilium/identities.js';
import { formatIpv4, formatPrefix, IP_ZERO } from '../net/ip.js';
import { ETH_P_ARP, ETH_P_IP } from '../net/packet.js';
import { ENDPOINT_F_HOST } from '../maps/lxcmap.js';
import { hasTunnelEndpoint } from '../maps/ipcache.js';
import { CTX_ACT_OK, drop, dropInfo, lxcConfig, type Ctx, type Ret } from './context.js';
import { ctCreate4, ctHasNodeportEgressEntry4, ctLookup4 } from './lib/conntrack.js';
import { sendDropNotify } from './lib/drop.js';
import { encapAndRedirectLxc } from './lib/encap.js';
import { redirectDirectV4 } from './lib/fib.js';
import { lookupIp4Endpoint, lookupIp4RemoteEndpoint } from './lib/eps.js';
import { ipv4L3, ipv4LocalDelivery, redirectEp } from './lib/l3.js';
import { ctxRedirectToProxy4, policyCanAccess, policyCanEgress4, type PolicyVerdict } from './lib/policy.js';
import { egressGwRequestNeedsRedirect } from './lib/egress-gw.js';
import { lb4RevNat, perPacketLb4 } from './lib/lb.js';
import { epTailCall, invokeTailcallIf } from './lib/tailcall.js';
import { eventMeta, sendTraceNotify } from './lib/trace.js';

const FILE = 'bpf/bpf_lxc.c';
const MARK_MAGIC_IDENTITY = 0x0f00;
const PER_PACKET_LB_OFF = 'ENABLE_PER_PACKET_LB is off (socket LB handles services), so this runs inline';

/** Attachment: tc ingress of the host-side veth. Packets leaving the container. */
export function cilFromContainer(ctx: Ctx): Ret {
  const cfg = lxcConfig(ctx);
  return ctx.tb.frame('cil_from_container', FILE, () => {
    // v1.18: validate_ethertype runs in the declarations, before the FROM_LXC trace (bpf_lxc.c@v1.18.3:1498, :1512-1514);
    // v1.16.15 traces first (:1462, :1466).
    const validateFirst = ctx.cluster.release.has('lxc-validate-ethertype-first');
    const validate = (): void => ctx.tb.add({ kind: 'note', text: `validate_ethertype: 0x${ctx.pkt.ethertype.toString(16).padStart(4, '0')} (${ctx.pkt.ethertype === ETH_P_IP ? 'IPv4' : 'ARP'})`, ...(validateFirst ? { feature: 'lxc-validate-ethertype-first' as const } : {}) });
    if (validateFirst) validate();
    sendTraceNotify(ctx, 'TRACE_FROM_LXC', cfg.seclabel, 0, 0, 0, 'unknown');
    if (!validateFirst) validate();
    let ret: Ret;
    if (ctx.pkt.ethertype === ETH_P_IP) ret = epTailCall(ctx, CILIUM_CALL.IPV4_FROM_LXC);
    else if (ctx.pkt.ethertype === ETH_P_ARP) ret = epTailCall(ctx, CILIUM_CALL.ARP);
    else ret = drop('DROP_UNSUPPORTED_L2');
    return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'cil_from_container', FILE, 'egress') : ret;
  });
}

/** Slot 7, CILIUM_CALL_IPV4_FROM_LXC. */
export function tailHandleIpv4(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_handle_ipv4', FILE, () => {
    const ret = ctx.tb.frame('__tail_handle_ipv4', FILE, () => tailHandleIpv4Inner(ctx));
    return ret.kind === 'drop' ? sendDropNotify(ctx, ret, '__tail_handle_ipv4', FILE, 'egress', undefined, { fn: 'tail_handle_ipv4' }) : ret;
  });
}

function tailHandleIpv4Inner(ctx: Ctx): Ret {
  const cfg = lxcConfig(ctx);
  const valid = ctx.pkt.src === cfg.lxcIpv4;
  ctx.tb.add({ kind: 'note', text: `is_valid_lxc_src_ipv4: saddr ${formatIpv4(ctx.pkt.src)} ${valid ? '==' : '!='} LXC_IPV4 ${formatIpv4(cfg.lxcIpv4)}` });
  if (!valid) return drop('DROP_INVALID_SIP');
  if (ctx.node.config.enablePerPacketLb) {
    const lb = perPacketLb(ctx);
    if (lb.kind !== 'ok') return lb;
  } else {
    ctx.tb.add({ kind: 'note', text: 'socket LB (kube-proxy replacement) translated services at connect time; no per-packet service lookup' });
  }
  return invokeTailcallIf(ctx, ctx.node.config.enablePerPacketLb, CILIUM_CALL.IPV4_CT_EGRESS, 'tail_ipv4_ct_egress', PER_PACKET_LB_OFF, () => tailIpv4CtEgressBody(ctx));
}

/**
 * ENABLE_PER_PACKET_LB (bpf_lxc.c:1205-1248): lb4_extract_key → lb4_lookup_service → lb4_local
 * (CT_SERVICE, backend, DNAT); lb4_ctx_store_state keeps rev_nat_index for the CT entry.
 */
function perPacketLb(ctx: Ctx): Ret {
  return perPacketLb4(ctx);
}

/** Slot 29 (TAIL_CT_LOOKUP4): CT lookup in the egress direction, result parked for slot 25. */
export function tailIpv4CtEgress(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_ipv4_ct_egress', FILE, () => {
    const ret = tailIpv4CtEgressBody(ctx);
    return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'tail_ipv4_ct_egress', FILE, 'egress') : ret;
  });
}

function tailIpv4CtEgressBody(ctx: Ctx): Ret {
  ctx.ctBuffer = ctLookup4(ctx, 'CT_EGRESS');
  return invokeTailcallIf(ctx, ctx.node.config.enablePerPacketLb, CILIUM_CALL.IPV4_FROM_LXC_CONT, 'tail_handle_ipv4_cont', PER_PACKET_LB_OFF, () => tailHandleIpv4ContBody(ctx));
}

/** Slot 25, CILIUM_CALL_IPV4_FROM_LXC_CONT. */
export function tailHandleIpv4Cont(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_handle_ipv4_cont', FILE, () => tailHandleIpv4ContBody(ctx));
}

/** tail_handle_ipv4_cont: send_drop_notify_ext(ctx, SECLABEL, dst_id, 0, …): the drop carries the resolved destination identity. */
function tailHandleIpv4ContBody(ctx: Ctx): Ret {
  const out = { dstId: 0 };
  const ret = handleIpv4FromLxc(ctx, out);
  return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'handle_ipv4_from_lxc', FILE, 'egress', { srcId: lxcConfig(ctx).seclabel, dstId: out.dstId, dstEp: 0 }, { fn: 'tail_handle_ipv4_cont' }) : ret;
}

const POLICY_DIR_BIT = { ingress: 0x1, egress: 0x2 } as const; // POLICY_INGRESS, POLICY_EGRESS (bpf/lib/common.h)

/**
 * The policy decision and its verdict event: bpf_lxc calls send_policy_verdict_notify when
 * `verdict != CTX_ACT_OK || ct_status != CT_ESTABLISHED`, and policy_verdict_filter_allow
 * (bpf/lib/policy_log.h) passes it when POLICY_VERDICT_LOG_FILTER has the direction's bit.
 */
function policyVerdictNode(ctx: Ctx, direction: 'ingress' | 'egress', remoteId: number, verdict: PolicyVerdict, status: CtStatus): void {
  const cfg = lxcConfig(ctx);
  const enforced = (cfg.policyVerdictLogFilter & POLICY_DIR_BIT[direction]) !== 0;
  const denied = verdict.ret.kind === 'drop';
  ctx.tb.add({
    kind: 'policy', direction, endpoint: cfg.lxcId, remoteId, allowed: !denied, match: verdict.match, enforced,
    deny: verdict.ret.kind === 'drop' && verdict.ret.macro === 'DROP_POLICY_DENY', verdict: verdict.ret.kind === 'drop' ? -dropInfo(verdict.ret.macro).code : verdict.proxyPort,
    notify: enforced && (denied || status !== 'CT_ESTABLISHED'), provenance: verdict.provenance, ev: eventMeta(ctx),
  });
  // "Emit verdict if drop or if allow for CT_NEW or CT_REOPENED." (bpf_lxc.c:852-857, :1791-1798)
  if (!denied && status === 'CT_ESTABLISHED') return;
  ctx.tb.frame('send_policy_verdict_notify', 'bpf/lib/policy_log.h', () => {
    const filter = `policy_verdict_filter_allow(POLICY_VERDICT_LOG_FILTER 0x${cfg.policyVerdictLogFilter.toString(16)}, ${direction === 'ingress' ? 'POLICY_INGRESS 0x1' : 'POLICY_EGRESS 0x2'})`;
    ctx.tb.add({ kind: 'note', text: enforced ? `${filter}: true, the policy verdict event is sent (ctx_event_output)` : `${filter}: false (${direction} policy not enforced), no event` });
  });
}

/**
 * policy_mark_skip / policy_clear_mark (bpf/lib/policy.h:370-378 at v1.13.0, :298-306 at
 * v1.16.15): cb[CB_POLICY], which lets __policy_can_access allow a miss. v1.17 removed them
 * with the CB_POLICY fallback (bpf_lxc.c@v1.18.3 calls neither).
 */
function policyMark(ctx: Ctx, skip: boolean): void {
  if (ctx.cluster.release.has('policy-deny-first')) return;
  ctx.tb.frame(skip ? 'policy_mark_skip' : 'policy_clear_mark', 'bpf/lib/policy.h', () => {
    ctx.cb.set('CB_POLICY', skip ? 1 : 0);
    ctx.tb.add({ kind: 'note', text: `cb[CB_POLICY]=${skip ? 1 : 0}` });
  });
}

/** handle_ipv4_from_lxc and ipv4_policy: "Skip policy enforcement for return traffic." */
function skipPolicyForReply(ctx: Ctx, direction: 'ingress' | 'egress', status: CtStatus): void {
  const why = 'ct_status == CT_REPLY || ct_status == CT_RELATED → goto skip_policy_enforcement';
  ctx.tb.add({ kind: 'policy_skip', direction, endpoint: lxcConfig(ctx).lxcId, status, why });
}

function handleIpv4FromLxc(ctx: Ctx, out: { dstId: number }): Ret {
  const cfg = lxcConfig(ctx);
  return ctx.tb.frame('handle_ipv4_from_lxc', FILE, () => {
    const info = lookupIp4RemoteEndpoint(ctx, ctx.pkt.dst);
    const dstId = info && info.info.secLabel ? info.info.secLabel : WORLD_ID;
    out.dstId = dstId;
    const tunnelEndpoint = info?.info.tunnelEndpoint ?? IP_ZERO;
    const status = ctx.ctBuffer?.status;
    if (!status) return drop('DROP_INVALID_TC_BUFFER');

    const isReply = status === 'CT_REPLY' || status === 'CT_RELATED';
    let redirect: PolicyVerdict | undefined;
    if (isReply) {
      skipPolicyForReply(ctx, 'egress', status);
    } else {
      const verdict = policyCanEgress4(ctx, cfg.policyMap, dstId);
      if (verdict.ret.kind === 'unsimulated') return verdict.ret; // a rule resolved at run time decides
      policyVerdictNode(ctx, 'egress', dstId, verdict, status);
      if (verdict.ret.kind === 'drop') return verdict.ret;
      if (verdict.proxyPort > 0) redirect = verdict;
    }
    // skip_policy_enforcement: CT_NEW creates the entry and its ICMP related entry (map_related = CT_MAP_ANY4).
    if (status === 'CT_NEW') ctCreate4(ctx, 'CT_EGRESS', { srcSecId: cfg.seclabel, nodePort: false }, ctx.node.maps.ctAny);
    if (isReply) {
      policyMark(ctx, true);
      if (ctx.ctBuffer?.nodePort && ctx.node.config.enableNodePort) {
        // bpf_lxc.c:916-922: the reply of a NodePort connection to a local backend leaves
        // through slot 17 (reverse DNAT); TO_NETWORK is reported first, on the packet as it is.
        ctx.tb.add({ kind: 'note', text: 'ct_state->node_port: reverse NodePort translation in slot 17' });
        sendTraceNotify(ctx, 'TRACE_TO_NETWORK', cfg.seclabel, dstId, 0, 0, status);
        ctx.tb.add({ kind: 'note', text: 'ctx->tc_index |= TC_INDEX_F_SKIP_RECIRCULATION' });
        return epTailCall(ctx, CILIUM_CALL.IPV4_NODEPORT_REVNAT);
      }
      const revNat = ctx.ctBuffer?.revNat ?? 0;
      if (revNat !== 0) lb4RevNat(ctx, revNat);
      else ctx.tb.add({ kind: 'note', text: 'ct_state->node_port 0, rev_nat_index 0: no reverse translation' });
    }
    if (redirect) {
      // bpf_lxc.c:947-953: trace the packet before it is forwarded to the proxy.
      sendTraceNotify(ctx, 'TRACE_TO_PROXY', cfg.seclabel, 0, redirect.proxyPort, 0, status);
      return ctxRedirectToProxy4(ctx, 'egress', dstId, redirect);
    }

    // v1.16+: ep = __lookup_ip4_endpoint(daddr) (bpf_lxc.c@v1.18.3:1195, @v1.16.15:1133).
    const ep = lookupIp4Endpoint(ctx, ctx.pkt.dst, ctx.cluster.release.has('lxc-lookup-ep-daddr') ? '__lookup_ip4_endpoint' : 'lookup_ip4_endpoint');
    if (ep) {
      if (ep.info.flags & ENDPOINT_F_HOST) {
        // to_host: only with the host firewall is it a redirect to cilium_host; else the stack.
        ctx.tb.add({ kind: 'note', text: 'ENDPOINT_F_HOST: goto to_host; no host firewall, so goto pass_to_stack' });
        return passToStack(ctx, dstId);
      }
      policyMark(ctx, false);
      return ipv4LocalDelivery(ctx, cfg.seclabel, ep, false);
    }
    if (ctx.node.config.enableEgressGateway && !isReply) {
      const egw = egressGwRequestNeedsRedirect(ctx, dstId);
      if (egw) return egw;
    }
    if (ctx.node.config.tunnelMode && ctx.cluster.release.has('no-tunnel-map')) {
      // v1.18 (bpf_lxc.c@v1.18.3:1281-1296): encapsulate only when the ipcache entry has
      // flag_has_tunnel_ep; otherwise fall through to host routing or the stack.
      if (info && hasTunnelEndpoint(ctx.cluster.release, info.info)) return encapAndRedirectLxc(ctx, tunnelEndpoint, cfg.seclabel, dstId);
      ctx.tb.add({ kind: 'note', text: `${info ? `ipcache entry ${formatPrefix(info.prefix)} has no flag_has_tunnel_ep` : 'no ipcache entry'}: not encapsulated`, feature: 'no-tunnel-map' });
    } else if (ctx.node.config.tunnelMode) {
      const ret = encapAndRedirectLxc(ctx, tunnelEndpoint, cfg.seclabel, dstId);
      if (ret.kind === 'drop' && ret.macro === 'DROP_NO_TUNNEL_ENDPOINT') {
        // v1.16 (bpf_lxc.c@v1.16.15:1234-1235) goes to maybe_pass_to_stack: BPF host routing first.
        if (ctx.cluster.release.has('ep-not-ready')) {
          ctx.tb.add({ kind: 'note', text: `DROP_NO_TUNNEL_ENDPOINT: not in any node's pod CIDR, goto maybe_pass_to_stack${ctx.node.config.enableHostRouting ? ' (ENABLE_HOST_ROUTING: fib_redirect_v4)' : ''}` });
        } else {
          ctx.tb.add({ kind: 'note', text: 'DROP_NO_TUNNEL_ENDPOINT: not in any node\'s pod CIDR, goto pass_to_stack' });
          return passToStack(ctx, dstId);
        }
      } else {
        return ret;
      }
    }
    if (ctx.node.config.enableHostRouting) return hostRoutingRedirect(ctx, dstId);
    return passToStack(ctx, dstId);
  });
}

/** bpf_lxc.c:1089-1098: ENABLE_HOST_ROUTING sends the packet out with redirect_direct_v4 (fib.h); fib_redirect_v4 at v1.16.15 and v1.18.3. */
function hostRoutingRedirect(ctx: Ctx, dstId: number): Ret {
  const cfg = lxcConfig(ctx);
  const { ret, oif } = redirectDirectV4(ctx);
  if (ret.kind === 'redirect') sendTraceNotify(ctx, 'TRACE_TO_NETWORK', cfg.seclabel, dstId, 0, oif, ctx.ctBuffer?.status ?? 'unknown');
  return ret;
}

/** pass_to_stack: router MAC, TTL, the identity in skb->mark, TRACE_TO_STACK, CTX_ACT_OK. */
function passToStack(ctx: Ctx, dstId: number): Ret {
  const cfg = lxcConfig(ctx);
  return ctx.tb.frame('pass_to_stack', FILE, () => {
    const nodeMac = ctx.node.devices.get(ctx.ifindex)?.mac ?? ctx.pkt.ethDst;
    ipv4L3(ctx, ctx.pkt.ethSrc, nodeMac);
    const mark = (MARK_MAGIC_IDENTITY | ((cfg.seclabel & 0xffff) << 16) | ((cfg.seclabel >> 16) & 0xff)) >>> 0;
    ctx.tb.add({ kind: 'note', text: `set_identity_mark: skb->mark 0x${mark.toString(16).padStart(8, '0')} (MARK_MAGIC_IDENTITY, identity ${cfg.seclabel})` });
    ctx.pkt = { ...ctx.pkt, mark };
    sendTraceNotify(ctx, 'TRACE_TO_STACK', cfg.seclabel, dstId, 0, 0, ctx.ctBuffer?.status ?? 'unknown');
    ctx.tb.add({ kind: 'return', value: 'CTX_ACT_OK' });
    return CTX_ACT_OK;
  });
}

/**
 * cilium_call_policy[EPID]: the destination endpoint's own program (its SECLABEL, maps):
 * handle_policy to v1.17, cil_lxc_policy from v1.18 (bpf_lxc.c@v1.18.3:2245-2288), same body.
 */
export function handlePolicy(ctx: Ctx): Ret {
  return ctx.tb.frame(ctx.cluster.release.has('policy-prog-cil-lxc') ? 'cil_lxc_policy' : 'handle_policy', FILE, () => {
    const ret = invokeTailcallIf(ctx, false, CILIUM_CALL.IPV4_CT_INGRESS_POLICY_ONLY, 'tail_ipv4_ct_ingress_policy_only', 'IPv4-only build: invoke_tailcall_if(ENABLE_IPV4 && ENABLE_IPV6) is a direct call',
      () => ctx.tb.frame('tail_ipv4_ct_ingress_policy_only', FILE, () => {
        ctx.ctBuffer = ctLookup4(ctx, 'CT_INGRESS');
        return invokeTailcallIf(ctx, false, CILIUM_CALL.IPV4_TO_LXC_POLICY_ONLY, 'tail_ipv4_policy', 'IPv4-only build: direct call', () =>
          ctx.tb.frame('tail_ipv4_policy', FILE, () => {
            const r = ipv4Policy(ctx);
            return r.kind === 'drop' ? sendDropNotify(ctx, r, 'tail_ipv4_policy', FILE, 'ingress') : r;
          }));
      }));
    return ret.kind === 'drop' ? sendDropNotify(ctx, ret, 'tail_ipv4_policy', FILE, 'ingress') : ret;
  });
}

function ipv4Policy(ctx: Ctx): Ret {
  const cfg = lxcConfig(ctx);
  return ctx.tb.frame('ipv4_policy', FILE, () => {
    policyMark(ctx, false);
    // orig_sip = ip4->saddr (bpf_lxc.c:1701), before lb4_rev_nat may rewrite it: TRACE_TO_LXC's orig-ip.
    const origSip = ctx.pkt.src;
    const srcLabel = ctx.cb.get('CB_SRC_LABEL') ?? 0;
    // v1.18 passes CB_DELIVERY_REDIRECT (1 from local_delivery) and uses THIS_INTERFACE_IFINDEX
    // (bpf_lxc.c@v1.18.3:2056, :1886) where v1.13/v1.16 read CB_IFINDEX.
    const ifindex = ctx.cluster.release.has('local-delivery-h') ? cfg.ifindex : ctx.cb.get('CB_IFINDEX') ?? 0;
    const fromHost = ctx.cb.get('CB_FROM_HOST') === 1;
    const fromTunnel = ctx.cb.get('CB_FROM_TUNNEL') === 1;
    const status = ctx.ctBuffer?.status ?? 'CT_NEW';
    const revNat = ctx.ctBuffer?.revNat ?? 0;
    let redirect: PolicyVerdict | undefined;
    if (status === 'CT_REPLY' || status === 'CT_RELATED') {
      skipPolicyForReply(ctx, 'ingress', status);
      // Reverse NAT applies to return traffic only (no loopback entries are simulated).
      if (revNat !== 0) lb4RevNat(ctx, revNat);
    } else if (ctx.cb.get('TC_INDEX_INGRESS_PROXY') === 1) {
      skipIngressProxy(ctx);
    } else {
      const verdict = policyCanAccess(ctx, cfg.policyMap, 'ingress', srcLabel, 'policy_can_access_ingress');
      if (verdict.ret.kind === 'unsimulated') return verdict.ret; // a rule resolved at run time decides
      policyVerdictNode(ctx, 'ingress', srcLabel, verdict, status);
      if (verdict.ret.kind === 'drop') return verdict.ret;
      if (verdict.proxyPort > 0) redirect = verdict;
    }
    // skip_policy_enforcement, ENABLE_NODEPORT without DSR (bpf_lxc.c:1803-1830): node_port of the
    // new entry comes from the CT_EGRESS entry nodeport_lb4 made for client → backend.
    let nodePort = false;
    // v1.16+: the lookup is compiled only with ENABLE_IPSEC (v1.18: || ENABLE_SRV6), "needed for hostport
    // support, until #32897 is fixed" (bpf_lxc.c@v1.18.3:2011-2017, @v1.16.15:1956-1960); neither is modelled.
    const nodePortLookup = !ctx.cluster.release.has('policy-nodeport-lookup-ipsec');
    if (ctx.node.config.enableNodePort && !nodePortLookup && status === 'CT_NEW') {
      ctx.tb.add({ kind: 'note', text: `no ct_has_nodeport_egress_entry4: compiled only with ENABLE_IPSEC${ctx.cluster.release.pick({ '1.16.0': '', '1.18.0': ' or ENABLE_SRV6' })} (hostport workaround, #32897); node_port stays 0`, feature: 'policy-nodeport-lookup-ipsec' });
    }
    if (ctx.node.config.enableNodePort && nodePortLookup && (status === 'CT_NEW' || status === 'CT_REOPENED')) {
      nodePort = ctHasNodeportEgressEntry4(ctx, 'ct-buffer');
      if (status === 'CT_REOPENED' && (ctx.ctBuffer?.nodePort ?? false) !== nodePort) {
        ctx.tb.add({ kind: 'note', text: `ct_update_nodeport: node_port of the existing entry set to ${nodePort ? 1 : 0}` });
      }
    }
    // ct_state_new.from_tunnel = from_tunnel (bpf_lxc.c@v1.18.3:2019, @v1.16.15:1964).
    const tunnelled = fromTunnel && ctx.cluster.release.has('ct-from-tunnel');
    if (status === 'CT_NEW') ctCreate4(ctx, 'CT_INGRESS', { srcSecId: srcLabel, nodePort, ...(tunnelled ? { fromTunnel: true } : {}) }, ctx.node.maps.ctAny);
    if (redirect) {
      // redirect_to_proxy: TRACE_TO_PROXY, POLICY_ACT_PROXY_REDIRECT; tail_ipv4_policy then calls ctx_redirect_to_proxy4.
      sendTraceNotify(ctx, 'TRACE_TO_PROXY', srcLabel, cfg.seclabel, redirect.proxyPort, ifindex, status, origSip);
      return ctxRedirectToProxy4(ctx, 'ingress', srcLabel, redirect);
    }
    sendTraceNotify(ctx, 'TRACE_TO_LXC', srcLabel, cfg.seclabel, cfg.lxcId, ifindex, status, origSip);
    return redirectEp(ctx, ifindex, fromHost, fromTunnel);
  });
}

/**
 * The ingress proxy's upstream packet (tc_index flag set by inherit_identity_from_host): no
 * policy lookup, no redirect, "goto skip_policy_enforcement" (bpf_lxc.c@v1.13.0:1772,
 * @v1.16.15:1903); v1.18 breaks out of the switch before policy_can_ingress4 (@v1.18.3:1961).
 */
function skipIngressProxy(ctx: Ctx): void {
  const r = ctx.cluster.release;
  const fn = r.site('bpf/lib/proxy.h', 'tc_index_from_ingress_proxy') !== undefined ? 'tc_index_from_ingress_proxy' : 'tc_index_skip_ingress_proxy';
  ctx.tb.frame(fn, 'bpf/lib/proxy.h', () => {
    ctx.tb.add({ kind: 'note', text: 'the packet comes from the ingress proxy, which already enforced this policy: skip_policy_enforcement (no lookup, no verdict event, no second redirect)' });
  });
}

/** Slot 6, CILIUM_CALL_ARP: the ARP responder answers with the endpoint's NODE_MAC. */
export function tailHandleArp(ctx: Ctx): Ret {
  return ctx.tb.frame('tail_handle_arp', FILE, () => {
    const cfg = lxcConfig(ctx);
    const req = ctx.pkt;
    if (req.dst === cfg.lxcIpv4) {
      // Requests for the pod's own IP (duplicate address detection) go to the stack unanswered.
      ctx.tb.add({ kind: 'note', text: 'target is LXC_IPV4 itself: not answered, CTX_ACT_OK' });
      return CTX_ACT_OK;
    }
    const nodeMac = ctx.node.devices.get(ctx.ifindex)?.mac ?? req.ethDst;
    ctx.tb.frame('arp_respond', 'bpf/lib/arp.h', () => {
      ctx.tb.add({ kind: 'note', text: `ARP who-has ${formatIpv4(req.dst)}: answer with NODE_MAC ${nodeMac} (the host-side veth MAC), whatever the target` });
      ctx.tb.add({ kind: 'packet', label: 'arp', text: `${nodeMac} > ${req.ethSrc} · ARP reply ${formatIpv4(req.dst)} is-at ${nodeMac}` });
    });
    ctx.pkt = { ...req, ethSrc: nodeMac, ethDst: req.ethSrc, src: req.dst, dst: req.src };
    return ctx.tb.frame('ctx_redirect', 'bpf/include/bpf/ctx/skb.h', () => ({ kind: 'redirect', ifindex: ctx.ifindex, peer: false, ingress: false } as const));
  });
}

export { CTX_ACT_OK };
