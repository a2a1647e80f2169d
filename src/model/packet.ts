// Frames and packets as plain immutable records. What the stack does with
// them lives in src/net; a change (a NAT rewrite, a TTL decrement) makes a
// new record, so a trace can hold the packet before and after each step.
import type { Ipv4Address } from "./address.js";
import type { MacAddress } from "./mac.js";
import type { PacketConntrack } from "./conntrack.js";

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;

/** ICMP_DEST_UNREACH codes (include/uapi/linux/icmp.h). */
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_PKT_FILTERED = 13;

export interface IcmpMessage {
  readonly protocol: "icmp";
  readonly type: number;
  readonly code: number;
  /** Echo identifier (echo request/reply only): conntrack treats it as the "port". */
  readonly id?: number;
  readonly sequence?: number;
  /** The offending packet's header, carried by an error (type 3, 11). */
  readonly original?: Ipv4Packet;
}

export interface TcpFlags {
  readonly syn?: boolean;
  readonly ack?: boolean;
  readonly rst?: boolean;
  readonly fin?: boolean;
  /** PSH: the segment carries data (tcpdump's P). */
  readonly psh?: boolean;
}

export interface TcpSegment {
  readonly protocol: "tcp";
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly flags: TcpFlags;
  /** The application bytes' first line, when the segment carries data (a request or status line): the model moves no other data. */
  readonly data?: string;
  /** Sequence number (absent on segments made outside a socket: the testing toolkit's one-packet flows). */
  readonly seq?: number;
  /** Acknowledgment number, when `flags.ack`. */
  readonly ackSeq?: number;
  /** The window field as sent (scaled after the handshake). */
  readonly window?: number;
  /** Options as tcp_options_write() lays them out: a SYN's mss,sackOK,TS,nop,wscale; nop,nop,TS after; none on a reset. */
  readonly options?: TcpOptions;
}

export interface TcpOptions {
  readonly mss?: number;
  readonly sackOk?: boolean;
  readonly tsVal?: number;
  readonly tsEcr?: number;
  readonly windowScale?: number;
}

export interface UdpDatagram {
  readonly protocol: "udp";
  readonly sourcePort: number;
  readonly destinationPort: number;
}

export type Transport = IcmpMessage | TcpSegment | UdpDatagram;

export interface Ipv4Packet {
  readonly source: Ipv4Address;
  readonly destination: Ipv4Address;
  readonly ttl: number;
  readonly transport: Transport;
  /** Payload length after the IP header, for counters (ping's 56 data bytes + 8 = 64). */
  readonly payloadLength: number;
  /** skb->pkt_type when eth_type_trans() made it other than PACKET_HOST: the frame that brought it in went to the broadcast or a multicast MAC. */
  readonly linkType?: "broadcast" | "multicast";
  /** Conntrack association and mark while inside one namespace (skb->_nfct, skb->mark); netfilter sets it. */
  readonly conntrack?: PacketConntrack;
  /** br_netfilter's per-skb state (skb->nf_bridge, struct nf_bridge_info), while a bridged-DNAT packet waits for ARP; not part of what a trace shows. */
  readonly nfBridge?: NfBridgeInfo;
}

/** struct nf_bridge_info, the part the model needs: bridged_dnat and its physindev. */
export interface NfBridgeInfo {
  /** The bridge port the frame came in on: br_dev_xmit() hands the frame back to br_handle_frame_finish() as if it came in there. */
  readonly bridgedDnatPhysIn: number;
}

export interface ArpMessage {
  readonly operation: "request" | "reply";
  readonly senderMac: MacAddress;
  readonly senderAddress: Ipv4Address;
  readonly targetMac: MacAddress;
  readonly targetAddress: Ipv4Address;
}

export type FramePayload =
  | { readonly kind: "arp"; readonly arp: ArpMessage }
  | { readonly kind: "ipv4"; readonly packet: Ipv4Packet };

export interface EthernetFrame {
  /** Serial number of this frame in the simulation, for following it through a trace. */
  readonly id: number;
  readonly source: MacAddress;
  readonly destination: MacAddress;
  readonly payload: FramePayload;
}

export const IPV4_HEADER_LENGTH = 20;

export function ipv4TotalLength(packet: Ipv4Packet): number {
  return IPV4_HEADER_LENGTH + packet.payloadLength;
}
