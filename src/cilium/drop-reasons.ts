// Drop reasons of Cilium v1.13, and the codes later releases added.
// Mirrors bpf/lib/common.h (DROP_* codes, negative in the datapath; v1.18 bpf/lib/drop_reasons.h),
// pkg/monitor/api/drop.go (the text `cilium monitor` prints) and api/v1/flow/flow.proto
// `enum DropReason` (Hubble name), read at v1.13.0, v1.16.15 and v1.18.3: codes 130-188 have the
// same macro (but 143/144 and 159), text and Hubble name in all three.
// Two Hubble names (136, 161) do not match the datapath meaning; flow.proto keeps them for history.
import { atLeast } from './releases/semver.js';

export interface DropReason {
  readonly code: number; // positive, as notifications carry it
  readonly macro: string;
  readonly text: string;
  readonly hubble: string;
}

const TABLE: ReadonlyArray<readonly [number, string, string, string]> = [
  [130, 'DROP_UNUSED1', 'Invalid source mac', 'INVALID_SOURCE_MAC'],
  [131, 'DROP_UNUSED2', 'Invalid destination mac', 'INVALID_DESTINATION_MAC'],
  [132, 'DROP_INVALID_SIP', 'Invalid source ip', 'INVALID_SOURCE_IP'],
  [133, 'DROP_POLICY', 'Policy denied', 'POLICY_DENIED'],
  [134, 'DROP_INVALID', 'Invalid packet', 'INVALID_PACKET_DROPPED'],
  [135, 'DROP_CT_INVALID_HDR', 'CT: Truncated or invalid header', 'CT_TRUNCATED_OR_INVALID_HEADER'],
  [136, 'DROP_FRAG_NEEDED', 'Fragmentation needed', 'CT_MISSING_TCP_ACK_FLAG'],
  [137, 'DROP_CT_UNKNOWN_PROTO', 'CT: Unknown L4 protocol', 'CT_UNKNOWN_L4_PROTOCOL'],
  [138, 'DROP_UNUSED4', "CT: Can't create entry from packet", 'CT_CANNOT_CREATE_ENTRY_FROM_PACKET'],
  [139, 'DROP_UNKNOWN_L3', 'Unsupported L3 protocol', 'UNSUPPORTED_L3_PROTOCOL'],
  [140, 'DROP_MISSED_TAIL_CALL', 'Missed tail call', 'MISSED_TAIL_CALL'],
  [141, 'DROP_WRITE_ERROR', 'Error writing to packet', 'ERROR_WRITING_TO_PACKET'],
  [142, 'DROP_UNKNOWN_L4', 'Unknown L4 protocol', 'UNKNOWN_L4_PROTOCOL'],
  [143, 'DROP_UNKNOWN_ICMP_CODE', 'Unknown ICMPv4 code', 'UNKNOWN_ICMPV4_CODE'],
  [144, 'DROP_UNKNOWN_ICMP_TYPE', 'Unknown ICMPv4 type', 'UNKNOWN_ICMPV4_TYPE'],
  [145, 'DROP_UNKNOWN_ICMP6_CODE', 'Unknown ICMPv6 code', 'UNKNOWN_ICMPV6_CODE'],
  [146, 'DROP_UNKNOWN_ICMP6_TYPE', 'Unknown ICMPv6 type', 'UNKNOWN_ICMPV6_TYPE'],
  [147, 'DROP_NO_TUNNEL_KEY', 'Error retrieving tunnel key', 'ERROR_RETRIEVING_TUNNEL_KEY'],
  [148, 'DROP_UNUSED5', 'Error retrieving tunnel options', 'ERROR_RETRIEVING_TUNNEL_OPTIONS'],
  [149, 'DROP_UNUSED6', 'Invalid Geneve option', 'INVALID_GENEVE_OPTION'],
  [150, 'DROP_UNKNOWN_TARGET', 'Unknown L3 target address', 'UNKNOWN_L3_TARGET_ADDRESS'],
  [151, 'DROP_UNROUTABLE', 'Stale or unroutable IP', 'STALE_OR_UNROUTABLE_IP'],
  [152, 'DROP_UNUSED7', 'No matching local container found', 'NO_MATCHING_LOCAL_CONTAINER_FOUND'],
  [153, 'DROP_CSUM_L3', 'Error while correcting L3 checksum', 'ERROR_WHILE_CORRECTING_L3_CHECKSUM'],
  [154, 'DROP_CSUM_L4', 'Error while correcting L4 checksum', 'ERROR_WHILE_CORRECTING_L4_CHECKSUM'],
  [155, 'DROP_CT_CREATE_FAILED', 'CT: Map insertion failed', 'CT_MAP_INSERTION_FAILED'],
  [156, 'DROP_INVALID_EXTHDR', 'Invalid IPv6 extension header', 'INVALID_IPV6_EXTENSION_HEADER'],
  [157, 'DROP_FRAG_NOSUPPORT', 'IP fragmentation not supported', 'IP_FRAGMENTATION_NOT_SUPPORTED'],
  [158, 'DROP_NO_SERVICE', 'Service backend not found', 'SERVICE_BACKEND_NOT_FOUND'],
  [160, 'DROP_NO_TUNNEL_ENDPOINT', 'No tunnel/encapsulation endpoint (datapath BUG!)', 'NO_TUNNEL_OR_ENCAPSULATION_ENDPOINT'],
  [161, 'DROP_NAT_46X64_DISABLED', 'NAT 46/64 not enabled', 'FAILED_TO_INSERT_INTO_PROXYMAP'],
  [162, 'DROP_EDT_HORIZON', 'Reached EDT rate-limiting drop horizon', 'REACHED_EDT_RATE_LIMITING_DROP_HORIZON'],
  [163, 'DROP_UNKNOWN_CT', 'Unknown connection tracking state', 'UNKNOWN_CONNECTION_TRACKING_STATE'],
  [164, 'DROP_HOST_UNREACHABLE', 'Local host is unreachable', 'LOCAL_HOST_IS_UNREACHABLE'],
  [165, 'DROP_NO_CONFIG', 'No configuration available to perform policy decision', 'NO_CONFIGURATION_AVAILABLE_TO_PERFORM_POLICY_DECISION'],
  [166, 'DROP_UNSUPPORTED_L2', 'Unsupported L2 protocol', 'UNSUPPORTED_L2_PROTOCOL'],
  [167, 'DROP_NAT_NO_MAPPING', 'No mapping for NAT masquerade', 'NO_MAPPING_FOR_NAT_MASQUERADE'],
  [168, 'DROP_NAT_UNSUPP_PROTO', 'Unsupported protocol for NAT masquerade', 'UNSUPPORTED_PROTOCOL_FOR_NAT_MASQUERADE'],
  [169, 'DROP_NO_FIB', 'FIB lookup failed', 'FIB_LOOKUP_FAILED'],
  [170, 'DROP_ENCAP_PROHIBITED', 'Encapsulation traffic is prohibited', 'ENCAPSULATION_TRAFFIC_IS_PROHIBITED'],
  [171, 'DROP_INVALID_IDENTITY', 'Invalid identity', 'INVALID_IDENTITY'],
  [172, 'DROP_UNKNOWN_SENDER', 'Unknown sender', 'UNKNOWN_SENDER'],
  [173, 'DROP_NAT_NOT_NEEDED', 'NAT not needed', 'NAT_NOT_NEEDED'],
  [174, 'DROP_IS_CLUSTER_IP', 'Is a ClusterIP', 'IS_A_CLUSTERIP'],
  [175, 'DROP_FRAG_NOT_FOUND', 'First logical datagram fragment not found', 'FIRST_LOGICAL_DATAGRAM_FRAGMENT_NOT_FOUND'],
  [176, 'DROP_FORBIDDEN_ICMP6', 'Forbidden ICMPv6 message', 'FORBIDDEN_ICMPV6_MESSAGE'],
  [177, 'DROP_NOT_IN_SRC_RANGE', 'Denied by LB src range check', 'DENIED_BY_LB_SRC_RANGE_CHECK'],
  [178, 'DROP_PROXY_LOOKUP_FAILED', 'Socket lookup failed', 'SOCKET_LOOKUP_FAILED'],
  [179, 'DROP_PROXY_SET_FAILED', 'Socket assign failed', 'SOCKET_ASSIGN_FAILED'],
  [180, 'DROP_PROXY_UNKNOWN_PROTO', 'Proxy redirection not supported for protocol', 'PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL'],
  [181, 'DROP_POLICY_DENY', 'Policy denied by denylist', 'POLICY_DENY'],
  [182, 'DROP_VLAN_FILTERED', 'VLAN traffic disallowed by VLAN filter', 'VLAN_FILTERED'],
  [183, 'DROP_INVALID_VNI', 'Incorrect VNI from VTEP', 'INVALID_VNI'],
  [184, 'DROP_INVALID_TC_BUFFER', 'Failed to update or lookup TC buffer', 'INVALID_TC_BUFFER'],
  [185, 'DROP_NO_SID', 'No SID was found for the IP address', 'NO_SID'],
  [186, 'DROP_MISSING_SRV6_STATE', 'SRv6 state was removed during tail call', 'MISSING_SRV6_STATE'],
  [187, 'DROP_NAT46', 'L3 translation from IPv4 to IPv6 failed (NAT46)', 'NAT46'],
  [188, 'DROP_NAT64', 'L3 translation from IPv6 to IPv4 failed (NAT64)', 'NAT64'],
];

/**
 * Codes after v1.13's 130-188, with the first release that has each (`since`; drop.go and
 * flow.proto at v1.13.0, v1.16.15, v1.18.3, and cilium-versions.md §3.2 for 1.14/1.15/1.16.2).
 * 189 is in v1.13.0 itself (common.h, drop.go and flow.proto at c9723a8df3).
 */
const LATER: ReadonlyArray<readonly [number, string, string, string, string]> = [
  [189, 'DROP_POLICY_AUTH_REQUIRED', 'Authentication required', 'AUTH_REQUIRED', '1.13.0'],
  [190, 'DROP_CT_NO_MAP_FOUND', 'No conntrack map found', 'CT_NO_MAP_FOUND', '1.14.0'],
  [191, 'DROP_SNAT_NO_MAP_FOUND', 'No nat map found', 'SNAT_NO_MAP_FOUND', '1.14.0'],
  [192, 'DROP_INVALID_CLUSTER_ID', 'Invalid ClusterID', 'INVALID_CLUSTER_ID', '1.14.0'],
  [193, 'DROP_DSR_ENCAP_UNSUPP_PROTO', 'Unsupported packet protocol for DSR encapsulation', 'UNSUPPORTED_PROTOCOL_FOR_DSR_ENCAP', '1.14.0'],
  [194, 'DROP_NO_EGRESS_GATEWAY', 'No egress gateway found', 'NO_EGRESS_GATEWAY', '1.14.0'],
  [195, 'DROP_UNENCRYPTED_TRAFFIC', 'Traffic is unencrypted', 'UNENCRYPTED_TRAFFIC', '1.15.0'],
  [196, 'DROP_TTL_EXCEEDED', 'TTL exceeded', 'TTL_EXCEEDED', '1.14.0'],
  [197, 'DROP_NO_NODE_ID', 'No node ID found', 'NO_NODE_ID', '1.15.0'],
  [198, 'DROP_RATE_LIMITED', 'Rate limited', 'DROP_RATE_LIMITED', '1.15.0'],
  [199, 'DROP_IGMP_HANDLED', 'IGMP handled', 'IGMP_HANDLED', '1.16.0'],
  [200, 'DROP_IGMP_SUBSCRIBED', 'IGMP subscribed', 'IGMP_SUBSCRIBED', '1.16.0'],
  [201, 'DROP_MULTICAST_HANDLED', 'Multicast handled', 'MULTICAST_HANDLED', '1.16.0'],
  [202, 'DROP_HOST_NOT_READY', 'Host datapath not ready', 'DROP_HOST_NOT_READY', '1.15.0'],
  [203, 'DROP_EP_NOT_READY', 'Endpoint policy program not available', 'DROP_EP_NOT_READY', '1.16.0'],
  [204, 'DROP_NO_EGRESS_IP', 'No Egress IP configured', 'DROP_NO_EGRESS_IP', '1.16.2'],
  [205, 'DROP_PUNT_PROXY', 'Punt to proxy', 'DROP_PUNT_PROXY', '1.18.0'],
];

/** Macros a release renamed (same code, text and Hubble name): [code, macro, since]. */
const RENAMED: ReadonlyArray<readonly [number, string, string]> = [
  [143, 'DROP_UNKNOWN_ICMP4_CODE', '1.18.0'],
  [144, 'DROP_UNKNOWN_ICMP4_TYPE', '1.18.0'],
];

const BY_MACRO = new Map<string, DropReason>();
const BY_CODE = new Map<number, DropReason>();
for (const [code, macro, text, hubble] of TABLE) {
  const r: DropReason = Object.freeze({ code, macro, text, hubble });
  BY_MACRO.set(macro, r);
  BY_CODE.set(code, r);
}
const SINCE = new Map<number, string>();
const LATER_BY_CODE = new Map<number, DropReason>();
for (const [code, macro, text, hubble, since] of LATER) {
  const r: DropReason = Object.freeze({ code, macro, text, hubble });
  BY_MACRO.set(macro, r);
  LATER_BY_CODE.set(code, r);
  SINCE.set(code, since);
}


/** The drop macros the simulated datapath can return. */
export type DropMacro =
  | 'DROP_INVALID_SIP' | 'DROP_POLICY' | 'DROP_INVALID' | 'DROP_CT_UNKNOWN_PROTO'
  | 'DROP_UNKNOWN_L3' | 'DROP_MISSED_TAIL_CALL' | 'DROP_WRITE_ERROR' | 'DROP_UNKNOWN_L4'
  | 'DROP_NO_TUNNEL_KEY' | 'DROP_UNROUTABLE' | 'DROP_FRAG_NOSUPPORT' | 'DROP_NO_SERVICE'
  | 'DROP_NO_TUNNEL_ENDPOINT' | 'DROP_HOST_UNREACHABLE' | 'DROP_UNSUPPORTED_L2'
  | 'DROP_ENCAP_PROHIBITED' | 'DROP_INVALID_IDENTITY' | 'DROP_POLICY_DENY' | 'DROP_INVALID_TC_BUFFER'
  | 'DROP_NO_FIB' | 'DROP_UNKNOWN_TARGET' | 'DROP_IS_CLUSTER_IP' | 'DROP_NAT_NO_MAPPING'
  | 'DROP_NAT_NOT_NEEDED' | 'DROP_NAT_UNSUPP_PROTO' | 'DROP_UNKNOWN_CT'
  // codes of later releases (a profile that has them may return them)
  | 'DROP_EP_NOT_READY' | 'DROP_HOST_NOT_READY' | 'DROP_NO_EGRESS_IP' | 'DROP_TTL_EXCEEDED' | 'DROP_PUNT_PROXY'
  | 'DROP_POLICY_AUTH_REQUIRED' | 'DROP_NO_EGRESS_GATEWAY' | 'DROP_NO_NODE_ID';

export function dropReason(macro: DropMacro): DropReason {
  const r = BY_MACRO.get(macro);
  if (!r) throw new Error(`unknown drop macro ${macro}`);
  return r;
}

/**
 * The reason of a code: v1.13's 130-188 without `version`; with a release version ('v1.16.15')
 * every code that release has, under that release's macro name (undefined for a code it lacks).
 */
export function dropReasonByCode(code: number, version?: string): DropReason | undefined {
  const c = Math.abs(code);
  if (version === undefined) return BY_CODE.get(c);
  const later = LATER_BY_CODE.get(c);
  const base = later ? (atLeast(version, SINCE.get(c) ?? '') ? later : undefined) : BY_CODE.get(c);
  if (!base) return undefined;
  const renamed = RENAMED.find(([rc, , since]) => rc === c && atLeast(version, since));
  return renamed ? Object.freeze({ ...base, macro: renamed[1] }) : base;
}

/** The first release that has a code after v1.13's table ('1.16.0'), if it is one of them. */
export function dropCodeSince(code: number): string | undefined {
  return SINCE.get(Math.abs(code));
}

/** Every code (≥ 130) a release has with a monitor text, in code order. */
export function dropReasonsAt(version: string): readonly DropReason[] {
  const out: DropReason[] = [];
  for (let c = 130; c <= 255; c++) {
    const r = dropReasonByCode(c, version);
    if (r) out.push(r);
  }
  return out;
}

/** The reason of a macro as `version` names and numbers it (v1.13 names without a version). */
export function dropReasonAt(macro: DropMacro, version?: string): DropReason {
  const r = dropReason(macro);
  return version === undefined ? r : dropReasonByCode(r.code, version) ?? r;
}

export function allDropReasons(): readonly DropReason[] {
  return [...BY_CODE.values()];
}

/** The codes after v1.13's 130-188 (189 is v1.13.0's own), each with the first release that has it ('1.16.0'). */
export function laterDropReasons(): ReadonlyArray<{ readonly reason: DropReason; readonly since: string }> {
  return [...LATER_BY_CODE.values()].map((reason) => ({ reason, since: SINCE.get(reason.code) ?? '' }));
}
