// Connection tracking entries as plain data (include/net/netfilter/
// nf_conntrack.h: struct nf_conn with its two tuples; nf_conntrack_tuple.h).
// The reply tuple starts as the inverse of the original; NAT rewrites it.
import type { Ipv4Address } from "./address.js";

/** A direction's tuple. ICMP echo keeps its id in both port fields (the kernel's "port" for echo). */
export interface ConntrackTuple {
  /** IP protocol number (1 icmp, 6 tcp, 17 udp, other numbers untracked by port). */
  readonly protocol: number;
  readonly source: Ipv4Address;
  readonly destination: Ipv4Address;
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** ICMP only: the message type and code of this direction (8/0 for echo request, 0/0 for reply). */
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

export type TcpConntrackState = "NONE" | "SYN_SENT" | "SYN_RECV" | "ESTABLISHED" | "FIN_WAIT" | "CLOSE_WAIT" | "LAST_ACK" | "TIME_WAIT" | "CLOSE";

export interface ConntrackEntry {
  readonly id: number;
  readonly original: ConntrackTuple;
  reply: ConntrackTuple;
  /** IPS_* status bits the model follows. */
  status: {
    confirmed: boolean;
    seenReply: boolean;
    assured: boolean;
    sourceNat: boolean;
    destinationNat: boolean;
    /** NAT set up for the source (POSTROUTING/INPUT) / destination (PREROUTING/OUTPUT) manip: the nat table is not asked again. */
    sourceNatDone: boolean;
    destinationNatDone: boolean;
  };
  tcpState?: TcpConntrackState;
  /** Virtual time (µs) the entry dies. */
  expires: number;
  mark: number;
}

export interface ConntrackTable {
  entries: Map<number, ConntrackEntry>;
  nextId: number;
  /** Where the next NAT port search starts: stands in for the kernel's random offset, so runs replay. */
  natPortCursor: number;
}

/** What a packet carries about netfilter while it is inside one namespace (skb->_nfct, skb->mark). */
export interface PacketConntrack {
  readonly namespaceId: number;
  readonly entryId?: number;
  readonly direction?: "original" | "reply";
  /** The ctstate a `-m conntrack`/`-m state` match sees. */
  readonly state: "NEW" | "ESTABLISHED" | "RELATED" | "INVALID" | "UNTRACKED";
  readonly mark: number;
}
