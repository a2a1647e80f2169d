// The iprange match (net/netfilter/xt_iprange.c: iprange_mt4): inclusive
// ranges compared as host-order numbers, so a reversed range holds nothing.
import type { IprangeMatch } from "../../model/netfilter.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";
import type { MatchMismatch } from "../../model/trace-reason.js";

function iprangeFails(match: IprangeMatch, context: MatchContext): MatchMismatch | undefined {
  const { source, destination } = context.packet;
  if (match.source && (source >= match.source.first && source <= match.source.last) === match.source.invert) return { match: "iprange", side: "source", address: source, invert: match.source.invert, first: match.source.first, last: match.source.last };
  if (match.destination && (destination >= match.destination.first && destination <= match.destination.last) === match.destination.invert) return { match: "iprange", side: "destination", address: destination, invert: match.destination.invert, first: match.destination.first, last: match.destination.last };
  return undefined;
}

export const xtIprange: XtMatch<IprangeMatch> = {
  needsConntrack: false,
  match: (match, context) => iprangeFails(match, context) === undefined,
  mismatch: (match, context) => iprangeFails(match, context)!,
};
