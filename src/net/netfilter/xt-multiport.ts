// The multiport match (net/netfilter/xt_multiport.c: ports_match_v1).
import type { Match } from "../../model/netfilter.js";
import type { MatchContext, MatchResult } from "./xt-match-context.js";

export function multiportMatch(match: Extract<Match, { kind: "multiport" }>, context: MatchContext): MatchResult {
  const transport = context.packet.transport;
  if (transport.protocol === "icmp") return "no ports (icmp)";
  const hit = (port: number) => match.ports.some((range) => port >= range.first && port <= range.last);
  const found =
    match.direction === "source" ? hit(transport.sourcePort) : match.direction === "destination" ? hit(transport.destinationPort) : hit(transport.sourcePort) || hit(transport.destinationPort);
  if (found === match.invert) return `${match.direction === "source" ? `source port ${transport.sourcePort}` : `destination port ${transport.destinationPort}`} is ${match.invert ? "" : "not "}in the list`;
  return undefined;
}
