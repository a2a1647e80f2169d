// The LOG target's line (net/ipv4/netfilter/nf_log_syslog.c:
// nf_log_ip_packet → dump_ipv4_packet): the prefix, IN= and OUT=, then the
// IP and transport fields in the kernel's order. The model's packets carry
// no IP id, TOS, TCP window or sequence numbers: those fields are left out,
// the rest is the kernel's text. A LOG in a network namespace other than the
// initial one reaches no kernel log (net.netfilter.nf_log_all_netns is 0):
// the line is for the trace, so the renderer writes it (the engine reports
// the LOG target, the devices and the packet).
import { formatIpv4Address } from "../model/address.js";
import type { Target } from "../model/netfilter.js";
import { ipv4TotalLength, type Ipv4Packet } from "../model/packet.js";

export function logLine(target: Extract<Target, { kind: "LOG" }>, inName: string | undefined, outName: string | undefined, packet: Ipv4Packet): string {
  let line = `${target.prefix}IN=${inName ?? ""} OUT=${outName ?? ""} `;
  line += `SRC=${formatIpv4Address(packet.source)} DST=${formatIpv4Address(packet.destination)} LEN=${ipv4TotalLength(packet)} TTL=${packet.ttl} `;
  const transport = packet.transport;
  switch (transport.protocol) {
    case "tcp": {
      const flags = transport.flags;
      line += `PROTO=TCP SPT=${transport.sourcePort} DPT=${transport.destinationPort} ${flags.ack ? "ACK " : ""}${flags.rst ? "RST " : ""}${flags.syn ? "SYN " : ""}${flags.fin ? "FIN " : ""}`;
      break;
    }
    case "udp":
      line += `PROTO=UDP SPT=${transport.sourcePort} DPT=${transport.destinationPort} LEN=${packet.payloadLength} `;
      break;
    case "icmp":
      line += `PROTO=ICMP TYPE=${transport.type} CODE=${transport.code} ${transport.id !== undefined ? `ID=${transport.id} ` : ""}${transport.sequence !== undefined ? `SEQ=${transport.sequence} ` : ""}`;
      break;
  }
  return line.trimEnd();
}
