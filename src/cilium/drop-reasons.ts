// Drop reasons of Cilium v1.13.
// Mirrors bpf/lib/common.h (DROP_* codes, negative in the datapath), pkg/monitor/api/drop.go
// (the text `cilium monitor` prints) and api/v1/flow/flow.proto `enum DropReason` (Hubble name).
// Two Hubble names (136, 161) do not match the datapath meaning; flow.proto keeps them for history.

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

const BY_MACRO = new Map<string, DropReason>();
const BY_CODE = new Map<number, DropReason>();
for (const [code, macro, text, hubble] of TABLE) {
  const r: DropReason = Object.freeze({ code, macro, text, hubble });
  BY_MACRO.set(macro, r);
  BY_CODE.set(code, r);
}

// Reasons v1.13.0 does not have, which a newer profile's datapath returns: known to dropReason
// and dropReasonByCode, left out of allDropReasons (the v1.13.0 list). 203: bpf/lib/common.h,
// pkg/monitor/api/drop.go@v1.16.15:101, flow.proto DROP_EP_NOT_READY = 203.
for (const [code, macro, text, hubble] of [[203, 'DROP_EP_NOT_READY', 'Endpoint policy program not available', 'DROP_EP_NOT_READY']] as const) {
  const r: DropReason = Object.freeze({ code, macro, text, hubble });
  BY_MACRO.set(macro, r);
  BY_CODE.set(code, r);
}
const V1_13_CODES = new Set(TABLE.map(([code]) => code));

/** The drop macros the simulated datapath can return. */
export type DropMacro =
  | 'DROP_INVALID_SIP' | 'DROP_POLICY' | 'DROP_INVALID' | 'DROP_CT_UNKNOWN_PROTO'
  | 'DROP_UNKNOWN_L3' | 'DROP_MISSED_TAIL_CALL' | 'DROP_WRITE_ERROR' | 'DROP_UNKNOWN_L4'
  | 'DROP_NO_TUNNEL_KEY' | 'DROP_UNROUTABLE' | 'DROP_FRAG_NOSUPPORT' | 'DROP_NO_SERVICE'
  | 'DROP_NO_TUNNEL_ENDPOINT' | 'DROP_HOST_UNREACHABLE' | 'DROP_UNSUPPORTED_L2'
  | 'DROP_ENCAP_PROHIBITED' | 'DROP_INVALID_IDENTITY' | 'DROP_POLICY_DENY' | 'DROP_INVALID_TC_BUFFER'
  | 'DROP_NO_FIB' | 'DROP_UNKNOWN_TARGET' | 'DROP_IS_CLUSTER_IP' | 'DROP_NAT_NO_MAPPING'
  | 'DROP_NAT_NOT_NEEDED' | 'DROP_NAT_UNSUPP_PROTO' | 'DROP_EP_NOT_READY';

export function dropReason(macro: DropMacro): DropReason {
  const r = BY_MACRO.get(macro);
  if (!r) throw new Error(`unknown drop macro ${macro}`);
  return r;
}

export function dropReasonByCode(code: number): DropReason | undefined {
  return BY_CODE.get(Math.abs(code));
}

export function allDropReasons(): readonly DropReason[] {
  return [...BY_CODE.values()].filter((r) => V1_13_CODES.has(r.code));
}
