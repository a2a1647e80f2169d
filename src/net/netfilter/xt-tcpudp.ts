// The tcp, udp (net/netfilter/xt_tcpudp.c: tcp_mt, udp_mt) and icmp
// (net/ipv4/netfilter/ip_tables.c: icmp_match) matches.
import type { Match } from "../../model/netfilter.js";
import type { MatchContext, MatchResult } from "./xt-match-context.js";

type PortMatch = Extract<Match, { kind: "tcp" | "udp" }>;
type IcmpMatch = Extract<Match, { kind: "icmp" }>;

function inRange(port: number, range: { first: number; last: number }): boolean {
  return port >= range.first && port <= range.last;
}

function describeRange(range: { first: number; last: number }): string {
  return range.first === range.last ? String(range.first) : `${range.first}:${range.last}`;
}

export function tcpUdpMatch(match: PortMatch, context: MatchContext): MatchResult {
  const transport = context.packet.transport;
  if (transport.protocol !== match.kind) return `not ${match.kind}`;
  if (match.sourcePorts && inRange(transport.sourcePort, match.sourcePorts) === Boolean(match.sourceInvert)) {
    return `source port ${transport.sourcePort} is ${match.sourceInvert ? "" : "not "}${describeRange(match.sourcePorts)}`;
  }
  if (match.destinationPorts && inRange(transport.destinationPort, match.destinationPorts) === Boolean(match.destinationInvert)) {
    return `destination port ${transport.destinationPort} is ${match.destinationInvert ? "" : "not "}${describeRange(match.destinationPorts)}`;
  }
  if (match.tcpFlags && transport.protocol === "tcp") {
    // tcp_mt(): (tcp_flag_byte(th) & flg_mask) == flg_cmp, XOR the inversion. The model's segments carry no PSH or URG.
    const bits = (transport.flags.fin ? 0x01 : 0) | (transport.flags.syn ? 0x02 : 0) | (transport.flags.rst ? 0x04 : 0) | (transport.flags.ack ? 0x10 : 0);
    const holds = (bits & match.tcpFlags.mask) === match.tcpFlags.compare;
    if (holds === match.tcpFlags.invert) return `TCP flags 0x${bits.toString(16).padStart(2, "0")} masked with 0x${match.tcpFlags.mask.toString(16).padStart(2, "0")} are ${holds ? "" : "not "}0x${match.tcpFlags.compare.toString(16).padStart(2, "0")}`;
  }
  return undefined;
}

/**
 * A tcp/udp match as numbers: the form ip-tables.ts prepares a leading
 * tcp/udp match in (fields of its prepared rule). No protocol: no port
 * match; an absent port test is the full range.
 */
export interface PortTest {
  readonly portProtocol: "tcp" | "udp" | undefined;
  readonly sourcePortFirst: number;
  readonly sourcePortLast: number;
  readonly sourcePortInvert: boolean;
  readonly destinationPortFirst: number;
  readonly destinationPortLast: number;
  readonly destinationPortInvert: boolean;
}

export function portTest(match: PortMatch | undefined): PortTest {
  const source = match?.sourcePorts;
  const destination = match?.destinationPorts;
  return {
    portProtocol: match?.kind,
    sourcePortFirst: source ? source.first : 0,
    sourcePortLast: source ? source.last : 0xffff,
    sourcePortInvert: source ? Boolean(match.sourceInvert) : false,
    destinationPortFirst: destination ? destination.first : 0,
    destinationPortLast: destination ? destination.last : 0xffff,
    destinationPortInvert: destination ? Boolean(match.destinationInvert) : false,
  };
}

/** tcpUdpMatch() on a prepared test, without the why. */
export function portTestHolds(test: PortTest, context: MatchContext): boolean {
  if (test.portProtocol === undefined) return true;
  const transport = context.packet.transport;
  if (transport.protocol !== test.portProtocol) return false;
  const sourcePort = transport.sourcePort;
  if ((sourcePort >= test.sourcePortFirst && sourcePort <= test.sourcePortLast) === test.sourcePortInvert) return false;
  const destinationPort = transport.destinationPort;
  return (destinationPort >= test.destinationPortFirst && destinationPort <= test.destinationPortLast) !== test.destinationPortInvert;
}

export function icmpMatch(match: IcmpMatch, context: MatchContext): MatchResult {
  const transport = context.packet.transport;
  if (transport.protocol !== "icmp") return "not icmp";
  // type 255 (`any`) matches every type.
  const typeMatches = match.type === undefined || match.type === 255 || (transport.type === match.type && (!match.codes || inRange(transport.code, match.codes)));
  if (typeMatches === Boolean(match.invert)) return `icmp type ${transport.type} code ${transport.code} does not match`;
  return undefined;
}
