// A connection's sequence space and the header fields a segment carries
// (net/ipv4/tcp_output.c: tcp_transmit_skb, tcp_syn_options,
// tcp_established_options, tcp_select_window; tcp_input.c:
// tcp_rcv_synsent_state_process, tcp_ack's ts_recent; tcp_ipv4.c:
// tcp_v4_send_reset). ISNs and TS offsets come from secure-seq.ts.
// Windows are the handshake's for a 1500-byte MTU with the default
// buffers, as measured on the kernel (SYN 64240, SYN-ACK 65160, then
// scaled by 2^10: 63 and 64); the model does not grow them as data
// arrives (the kernel does once a few kB came in).
import type { Ipv4Packet, TcpFlags, TcpOptions, TcpSegment } from "../../model/packet.js";
import type { Socket } from "../../model/socket.js";
import { secureTcpSeq, secureTcpTsOff } from "../core/secure-seq.js";

/** The MSS a SYN offers: a 1500-byte MTU less the IPv4 and TCP headers. */
export const TCP_MSS = 1460;
/** The window scale both sides offer (measured: wscale 10 with this kernel's tcp_rmem). */
export const TCP_WSCALE = 10;
const CLIENT_WINDOW = 64240;
const SERVER_WINDOW = 65160;

/** The TCP header's length with the options it carries: 20, 32 with timestamps, 40 on a SYN. */
export function tcpHeaderLength(segment: TcpSegment): number {
  if (segment.options?.mss !== undefined) return 40;
  if (segment.options?.tsVal !== undefined) return 32;
  return 20;
}

/** The payload bytes of a TCP segment (what tcpdump prints as `length`). */
export function tcpDataLength(packet: Ipv4Packet): number {
  if (packet.transport.protocol !== "tcp") return 0;
  const header = packet.transport.seq === undefined ? (packet.transport.flags.syn ? 40 : packet.transport.flags.rst ? 20 : 32) : tcpHeaderLength(packet.transport);
  return Math.max(0, packet.payloadLength - header);
}

/** tcp_connect_init / tcp_conn_request: the ISN and timestamp offset of a new connection. */
export function tcpInitSequence(socket: Socket, clock: number): void {
  socket.sndNxt = secureTcpSeq(socket.address, socket.remoteAddress ?? 0, socket.port, socket.remotePort ?? 0, clock);
  socket.tsOffset = secureTcpTsOff(socket.address, socket.remoteAddress ?? 0);
}

/** tcp_time_stamp_raw() + tsoffset: the TS val a segment sent now carries. */
function tsVal(socket: Socket, clock: number): number {
  return ((socket.tsOffset ?? 0) + Math.floor(clock / 1000)) >>> 0;
}

/**
 * The header fields of a segment `socket` sends now with `flags` and
 * `dataLength` bytes, moving snd_nxt past it (a SYN and a FIN count one).
 * A SYN sent again (a retransmission) reuses the ISN.
 */
export function tcpSegmentFields(socket: Socket, flags: TcpFlags, dataLength: number, clock: number): Pick<TcpSegment, "seq" | "ackSeq" | "window" | "options"> {
  if (socket.sndNxt === undefined) tcpInitSequence(socket, clock);
  const server = socket.acceptedBy !== undefined;
  let seq = socket.sndNxt!;
  if (flags.syn) {
    // The ISN is snd_nxt before the first SYN; a retransmitted one goes back to it.
    if (socket.synSent) seq = (seq - 1) >>> 0;
    else socket.sndNxt = (seq + 1) >>> 0;
    socket.synSent = true;
  } else {
    socket.sndNxt = (seq + dataLength + (flags.fin ? 1 : 0)) >>> 0;
  }
  const options: TcpOptions = flags.syn
    ? { mss: TCP_MSS, sackOk: true, tsVal: tsVal(socket, clock), tsEcr: flags.ack ? socket.tsRecent ?? 0 : 0, windowScale: TCP_WSCALE }
    : { tsVal: tsVal(socket, clock), tsEcr: socket.tsRecent ?? 0 };
  const full = server ? SERVER_WINDOW : CLIENT_WINDOW;
  const window = flags.syn ? full : Math.ceil(full / (1 << TCP_WSCALE));
  return { seq, ...(flags.ack ? { ackSeq: socket.rcvNxt ?? 0 } : {}), window, options };
}

/** What a socket learns from a segment it receives: rcv_nxt moves past it, its TS val becomes ts_recent. */
export function tcpReceiveSegment(socket: Socket, packet: Ipv4Packet): void {
  const segment = packet.transport;
  if (segment.protocol !== "tcp" || segment.seq === undefined || segment.flags.rst) return;
  socket.rcvNxt = (segment.seq + tcpDataLength(packet) + (segment.flags.syn ? 1 : 0) + (segment.flags.fin ? 1 : 0)) >>> 0;
  if (segment.options?.tsVal !== undefined) socket.tsRecent = segment.options.tsVal;
}

/** tcp_v4_send_reset(): a reset answering `segment`: seq from its ack, or an ACK of all it occupied. */
export function tcpResetFields(packet: Ipv4Packet): Pick<TcpSegment, "flags" | "seq" | "ackSeq" | "window"> {
  const segment = packet.transport as TcpSegment;
  if (segment.flags.ack) return { flags: { rst: true }, seq: segment.ackSeq ?? 0, window: 0 };
  const occupied = tcpDataLength(packet) + (segment.flags.syn ? 1 : 0) + (segment.flags.fin ? 1 : 0);
  return { flags: { rst: true, ack: true }, seq: 0, ackSeq: ((segment.seq ?? 0) + occupied) >>> 0, window: 0 };
}
