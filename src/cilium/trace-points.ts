// Trace observation points and trace reasons of Cilium v1.13.
// Mirrors bpf/lib/trace.h (enum trace_point, enum trace_reason), pkg/monitor/api/types.go
// (monitor names) and pkg/monitor/datapath_trace.go (summary text).

export const TRACE_POINTS = {
  TRACE_TO_LXC: { value: 0, monitor: 'to-endpoint', hubble: 'TO_ENDPOINT' },
  TRACE_TO_PROXY: { value: 1, monitor: 'to-proxy', hubble: 'TO_PROXY' },
  TRACE_TO_HOST: { value: 2, monitor: 'to-host', hubble: 'TO_HOST' },
  TRACE_TO_STACK: { value: 3, monitor: 'to-stack', hubble: 'TO_STACK' },
  TRACE_TO_OVERLAY: { value: 4, monitor: 'to-overlay', hubble: 'TO_OVERLAY' },
  TRACE_FROM_LXC: { value: 5, monitor: 'from-endpoint', hubble: 'FROM_ENDPOINT' },
  TRACE_FROM_PROXY: { value: 6, monitor: 'from-proxy', hubble: 'FROM_PROXY' },
  TRACE_FROM_HOST: { value: 7, monitor: 'from-host', hubble: 'FROM_HOST' },
  TRACE_FROM_STACK: { value: 8, monitor: 'from-stack', hubble: 'FROM_STACK' },
  TRACE_FROM_OVERLAY: { value: 9, monitor: 'from-overlay', hubble: 'FROM_OVERLAY' },
  TRACE_FROM_NETWORK: { value: 10, monitor: 'from-network', hubble: 'FROM_NETWORK' },
  TRACE_TO_NETWORK: { value: 11, monitor: 'to-network', hubble: 'TO_NETWORK' },
} as const;

export type TracePoint = keyof typeof TRACE_POINTS;

/** enum ct_status / enum trace_reason share values in v1.13. */
export const CT_STATUS = ['CT_NEW', 'CT_ESTABLISHED', 'CT_REPLY', 'CT_RELATED', 'CT_REOPENED'] as const;
export type CtStatus = (typeof CT_STATUS)[number];

export const TRACE_REASON_TEXT: Record<CtStatus, string> = {
  CT_NEW: 'new',
  CT_ESTABLISHED: 'established',
  CT_REPLY: 'reply',
  CT_RELATED: 'related',
  CT_REOPENED: 'reopened',
};
