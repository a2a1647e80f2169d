// tcpdump 4.99's one-line decode of a frame (print-ether.c, print-arp.c,
// print-ip.c, print-icmp.c, print-tcp.c, print-udp.c), without -v: the
// texts as recorded in the kernel sandbox (test/fixtures/tcpdump/). TCP
// sequence numbers are relative after a conversation's first segment with
// ACK, as print-tcp.c's tcp_seq_hash makes them (without -S).
import { formatIpv4Address } from "../../model/address.js";
import { ZERO_MAC } from "../../model/mac.js";
import { ICMP_DEST_UNREACH, ICMP_ECHO, ICMP_ECHO_REPLY, ICMP_TIME_EXCEEDED, type EthernetFrame, type Ipv4Packet, type TcpSegment } from "../../model/packet.js";
import { frameLength, tcpDataLength } from "../../net/index.js";
import { TCP_SERVICES, UDP_SERVICES } from "./services.js";

export interface PrintOptions {
  /** -n: addresses and ports as numbers. */
  readonly numeric: boolean;
  /** -e: the link-level header. */
  readonly link: boolean;
  /** -q: less protocol information. */
  readonly quick: boolean;
  /** Without -t: each line starts with the time of day (absent: printed). */
  readonly timestamp?: boolean;
}

/** ts_format(): the local time of day (the virtual clock, from midnight), to the µs. */
export function formatTimestamp(clock: number): string {
  const day = 86_400_000_000;
  const within = ((clock % day) + day) % day;
  const seconds = Math.floor(within / 1_000_000);
  const two = (value: number) => String(value).padStart(2, "0");
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}.${String(within % 1_000_000).padStart(6, "0")}`;
}

/** print-tcp.c's tcp_seq_hash: per conversation, the numbers its relative ones count from. */
export class TcpSequenceTable {
  private readonly entries = new Map<string, { forward: string; seq: number; ack: number }>();

  /** The seq and ack to print for `segment` from `source` to `destination`. */
  relative(source: number, destination: number, segment: TcpSegment): { seq: number; ack: number } {
    const seq = segment.seq ?? 0;
    const ack = segment.ackSeq ?? 0;
    if (!segment.flags.ack) return { seq, ack };
    const here = `${source}:${segment.sourcePort}>${destination}:${segment.destinationPort}`;
    const there = `${destination}:${segment.destinationPort}>${source}:${segment.sourcePort}`;
    const key = here < there ? here : there;
    const entry = this.entries.get(key);
    if (entry === undefined || segment.flags.syn) {
      // A new conversation (or a SYN again): printed as it is, and remembered.
      this.entries.set(key, { forward: here, seq, ack: (ack - 1) >>> 0 });
      return { seq, ack };
    }
    return entry.forward === here ? { seq: (seq - entry.seq) >>> 0, ack: (ack - entry.ack) >>> 0 } : { seq: (seq - entry.ack) >>> 0, ack: (ack - entry.seq) >>> 0 };
  }
}

function port(value: number, protocol: "tcp" | "udp", options: PrintOptions): string {
  if (options.numeric) return String(value);
  return (protocol === "tcp" ? TCP_SERVICES : UDP_SERVICES).get(value) ?? String(value);
}

/** tcp_flag_values, in print-tcp.c's order. */
function tcpFlags(segment: TcpSegment): string {
  const { flags } = segment;
  const text = `${flags.fin ? "F" : ""}${flags.syn ? "S" : ""}${flags.rst ? "R" : ""}${flags.psh ? "P" : ""}${flags.ack ? "." : ""}`;
  return text === "" ? "none" : text;
}

function tcpOptions(segment: TcpSegment): string {
  const options = segment.options;
  if (options === undefined) return "";
  const parts: string[] = [];
  if (options.mss !== undefined) {
    parts.push(`mss ${options.mss}`);
    if (options.sackOk) parts.push("sackOK");
    if (options.tsVal !== undefined) parts.push(`TS val ${options.tsVal} ecr ${options.tsEcr ?? 0}`);
    if (options.windowScale !== undefined) parts.push("nop", `wscale ${options.windowScale}`);
  } else if (options.tsVal !== undefined) parts.push("nop", "nop", `TS val ${options.tsVal} ecr ${options.tsEcr ?? 0}`);
  return parts.length === 0 ? "" : `, options [${parts.join(",")}]`;
}

function tcpPrint(packet: Ipv4Packet, segment: TcpSegment, options: PrintOptions, sequences: TcpSequenceTable): string {
  const length = tcpDataLength(packet);
  if (options.quick) return `tcp ${length}`;
  const { seq, ack } = sequences.relative(packet.source, packet.destination, segment);
  let text = `Flags [${tcpFlags(segment)}]`;
  if (length > 0 || segment.flags.syn || segment.flags.fin || segment.flags.rst) text += `, seq ${seq}${length > 0 ? `:${(seq + length) >>> 0}` : ""}`;
  if (segment.flags.ack) text += `, ack ${ack}`;
  text += `, win ${segment.window ?? 0}${tcpOptions(segment)}, length ${length}`;
  return text;
}

/** unreach2str and the other type strings of print-icmp.c. */
function icmpPrint(packet: Ipv4Packet, options: PrintOptions): string {
  const message = packet.transport;
  if (message.protocol !== "icmp") return "";
  const length = packet.payloadLength;
  switch (message.type) {
    case ICMP_ECHO:
    case ICMP_ECHO_REPLY:
      return `ICMP echo ${message.type === ICMP_ECHO ? "request" : "reply"}, id ${message.id ?? 0}, seq ${message.sequence ?? 0}, length ${length}`;
    case ICMP_DEST_UNREACH: {
      const inner = message.original;
      const target = inner ? formatIpv4Address(inner.destination) : "0.0.0.0";
      const text = (() => {
        switch (message.code) {
          case 0: return `net ${target} unreachable`;
          case 1: return `host ${target} unreachable`;
          case 2: return `${target} protocol ${inner ? protocolNumber(inner) : 0} unreachable`;
          case 3: {
            const transport = inner?.transport;
            if (transport && transport.protocol !== "icmp") return `${target} ${transport.protocol} port ${port(transport.destinationPort, transport.protocol, options)} unreachable`;
            return `${target} protocol ${inner ? protocolNumber(inner) : 0} port unreachable`;
          }
          case 9: return `net ${target} unreachable - admin prohibited`;
          case 10: return `host ${target} unreachable - admin prohibited`;
          case 13: return `host ${target} unreachable - admin prohibited filter`;
          default: return `${target} unreachable - #${message.code}`;
        }
      })();
      return `ICMP ${text}, length ${length}`;
    }
    case ICMP_TIME_EXCEEDED:
      return `ICMP time exceeded in-transit, length ${length}`;
    default:
      return `ICMP type-#${message.type}, length ${length}`;
  }
}

function protocolNumber(packet: Ipv4Packet): number {
  return packet.transport.protocol === "icmp" ? 1 : packet.transport.protocol === "tcp" ? 6 : 17;
}

function ipPrint(packet: Ipv4Packet, options: PrintOptions, sequences: TcpSequenceTable): string {
  const transport = packet.transport;
  if (transport.protocol === "icmp") return `${formatIpv4Address(packet.source)} > ${formatIpv4Address(packet.destination)}: ${icmpPrint(packet, options)}`;
  const source = `${formatIpv4Address(packet.source)}.${port(transport.sourcePort, transport.protocol, options)}`;
  const destination = `${formatIpv4Address(packet.destination)}.${port(transport.destinationPort, transport.protocol, options)}`;
  if (transport.protocol === "tcp") return `${source} > ${destination}: ${tcpPrint(packet, transport, options, sequences)}`;
  return `${source} > ${destination}: UDP, length ${Math.max(0, packet.payloadLength - 8)}`;
}

function arpPrint(frame: EthernetFrame, options: PrintOptions): string {
  if (frame.payload.kind !== "arp") return "";
  const arp = frame.payload.arp;
  if (arp.operation === "request") {
    const known = arp.targetMac !== ZERO_MAC ? ` (${arp.targetMac})` : "";
    return `Request who-has ${formatIpv4Address(arp.targetAddress)}${known} tell ${formatIpv4Address(arp.senderAddress)}, length 28`;
  }
  // Without -n, tcpdump names the vendor of a MAC from its OUI table; the model's (locally administered) ones are in none.
  return `Reply ${formatIpv4Address(arp.senderAddress)} is-at ${arp.senderMac}${options.numeric ? "" : " (oui Unknown)"}, length 28`;
}

/** One line of tcpdump's output for `frame`, seen at `clock`. */
export function printFrame(frame: EthernetFrame, clock: number, options: PrintOptions, sequences: TcpSequenceTable): string {
  const arp = frame.payload.kind === "arp";
  const body = frame.payload.kind === "arp" ? arpPrint(frame, options) : ipPrint(frame.payload.packet, options, sequences);
  let line: string;
  if (options.link) {
    const type = options.quick ? (arp ? "ARP" : "IPv4") : arp ? "ethertype ARP (0x0806)" : "ethertype IPv4 (0x0800)";
    line = `${frame.source} > ${frame.destination}, ${type}, length ${frameLength(frame)}: ${body}`;
  } else line = `${arp ? "ARP, " : "IP "}${body}`;
  return options.timestamp === false ? line : `${formatTimestamp(clock)} ${line}`;
}
