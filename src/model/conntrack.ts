// Connection tracking entries as plain data (include/net/netfilter/
// nf_conntrack.h: struct nf_conn with its two tuples; nf_conntrack_tuple.h).
// The reply tuple starts as the inverse of the original; NAT rewrites it.
import type { Ipv4Address } from "./address.js";
import type { Ipv4Packet } from "./packet.js";

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

/**
 * The IPS_* bits the model follows, with the kernel's bit numbers
 * (include/uapi/linux/netfilter/nf_conntrack_common.h, enum ip_conntrack_status).
 */
export const ConntrackStatus = {
  /** IPS_SEEN_REPLY: packets went both ways. */
  seenReply: 1 << 1,
  /** IPS_ASSURED: the connection is established (TCP handshake done); early drop skips it. */
  assured: 1 << 2,
  /** IPS_CONFIRMED: the first packet left the box; the entry is in the table. */
  confirmed: 1 << 3,
  /** IPS_SRC_NAT: the connection needs source manipulation. */
  sourceNat: 1 << 4,
  /** IPS_DST_NAT: the connection needs destination manipulation. */
  destinationNat: 1 << 5,
  /** IPS_SRC_NAT_DONE: NAT set up for the source manip (POSTROUTING/INPUT); the nat table is not asked again. */
  sourceNatDone: 1 << 7,
  /** IPS_DST_NAT_DONE: NAT set up for the destination manip (PREROUTING/OUTPUT). */
  destinationNatDone: 1 << 8,
} as const;

export type ConntrackStatusBit = keyof typeof ConntrackStatus;

/** Whether `bit` is set in an entry's status (test_bit(IPS_*_BIT, &ct->status)). */
export function hasConntrackStatus(entry: { readonly status: number }, bit: ConntrackStatusBit): boolean {
  return (entry.status & ConntrackStatus[bit]) !== 0;
}

/** Set `bit` in an entry's status (set_bit(IPS_*_BIT, &ct->status)). */
export function setConntrackStatus(entry: { status: number }, bit: ConntrackStatusBit): void {
  entry.status |= ConntrackStatus[bit];
}

/** The status bits spelled out, for reports and tests (not the hot path). */
export type ConntrackStatusFlags = { readonly [bit in ConntrackStatusBit]: boolean };

export function conntrackStatusFlags(status: number): ConntrackStatusFlags {
  return {
    seenReply: (status & ConntrackStatus.seenReply) !== 0,
    assured: (status & ConntrackStatus.assured) !== 0,
    confirmed: (status & ConntrackStatus.confirmed) !== 0,
    sourceNat: (status & ConntrackStatus.sourceNat) !== 0,
    destinationNat: (status & ConntrackStatus.destinationNat) !== 0,
    sourceNatDone: (status & ConntrackStatus.sourceNatDone) !== 0,
    destinationNatDone: (status & ConntrackStatus.destinationNatDone) !== 0,
  };
}

export interface ConntrackEntry {
  readonly id: number;
  readonly original: ConntrackTuple;
  reply: ConntrackTuple;
  /**
   * IPS_* status bits (ConntrackStatus) as one number, as the kernel's
   * unsigned long status: a million entries cannot afford an object of
   * booleans each.
   */
  status: number;
  tcpState?: TcpConntrackState;
  /** Virtual time (µs) the entry dies. */
  expires: number;
  mark: number;
  /** nf_conn_nat.masq_index: the ifindex MASQUERADE bound the connection through (its cleanup, nf_nat_masquerade.c). */
  masqueradeIndex?: number;
}

export interface ConntrackTable {
  entries: Map<number, ConntrackEntry>;
  nextId: number;
  /** Where the next NAT port search starts: stands in for the kernel's random offset, so runs replay. */
  natPortCursor: number;
  /** The engine's derived state (model/derived.ts): the tuple hash. */
  derived?: ConntrackTableDerived;
}

/** Filled in by the engine (net/netfilter/nf-conntrack.ts declares its fields). */
export interface ConntrackTableDerived {}

/** What a packet carries about netfilter while it is inside one namespace (skb->_nfct, skb->mark). */
export interface PacketConntrack {
  readonly namespaceId: number;
  readonly entryId?: number;
  readonly direction?: "original" | "reply";
  /** The ctstate a `-m conntrack`/`-m state` match sees. */
  readonly state: "NEW" | "ESTABLISHED" | "RELATED" | "INVALID" | "UNTRACKED";
  readonly mark: number;
}

/**
 * The packet with `conntrack` attached. Spelled out rather than spread: V8
 * (Node 20) copies `{ ...packet, conntrack }` slowly when the packet has no
 * `conntrack` yet (the spread then adds a property: about 1 µs, most of a
 * rule walk), and even Object.assign costs a second object. The keys come in
 * the order every packet in the model is built with.
 */
export function withConntrack(packet: Ipv4Packet, conntrack: PacketConntrack): Ipv4Packet {
  const made = { source: packet.source, destination: packet.destination, ttl: packet.ttl, transport: packet.transport, payloadLength: packet.payloadLength, conntrack };
  // A broadcast or multicast frame's pkt_type stays with the packet (the usual host packet keeps the one shape).
  return packet.linkType === undefined ? made : { ...made, linkType: packet.linkType };
}
