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
  return undefined;
}

export function icmpMatch(match: IcmpMatch, context: MatchContext): MatchResult {
  const transport = context.packet.transport;
  if (transport.protocol !== "icmp") return "not icmp";
  // type 255 (`any`) matches every type.
  const typeMatches = match.type === undefined || match.type === 255 || (transport.type === match.type && (!match.codes || inRange(transport.code, match.codes)));
  if (typeMatches === Boolean(match.invert)) return `icmp type ${transport.type} code ${transport.code} does not match`;
  return undefined;
}
