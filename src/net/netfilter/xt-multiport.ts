// The multiport match (net/netfilter/xt_multiport.c: ports_match_v1).
import type { Match } from "../../model/netfilter.js";
import type { XtMatch } from "./xt-match-context.js";

type MultiportMatch = Extract<Match, { kind: "multiport" }>;

function listed(match: MultiportMatch, port: number): boolean {
  return match.ports.some((range) => port >= range.first && port <= range.last);
}

export const xtMultiport: XtMatch<MultiportMatch> = {
  needsConntrack: false,
  match(match, context) {
    const transport = context.packet.transport;
    if (transport.protocol === "icmp") return false;
    const found =
      match.direction === "source"
        ? listed(match, transport.sourcePort)
        : match.direction === "destination"
          ? listed(match, transport.destinationPort)
          : listed(match, transport.sourcePort) || listed(match, transport.destinationPort);
    return found !== match.invert;
  },
  mismatch(match, context) {
    const transport = context.packet.transport;
    const side = match.direction === "source" ? "source" : "destination";
    if (transport.protocol === "icmp") return { match: "multiport", side, port: undefined, invert: match.invert };
    return { match: "multiport", side, port: side === "source" ? transport.sourcePort : transport.destinationPort, invert: match.invert };
  },
};
