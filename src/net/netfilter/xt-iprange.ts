// The iprange match (net/netfilter/xt_iprange.c: iprange_mt4): inclusive
// ranges compared as host-order numbers, so a reversed range holds nothing.
import { formatIpv4Address } from "../../model/address.js";
import type { IprangeMatch } from "../../model/netfilter.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";

function iprangeFails(match: IprangeMatch, context: MatchContext): string | undefined {
  const { source, destination } = context.packet;
  if (match.source && (source >= match.source.first && source <= match.source.last) === match.source.invert) return `source ${formatIpv4Address(source)} is ${match.source.invert ? "" : "not "}in ${formatIpv4Address(match.source.first)}-${formatIpv4Address(match.source.last)}`;
  if (match.destination && (destination >= match.destination.first && destination <= match.destination.last) === match.destination.invert) return `destination ${formatIpv4Address(destination)} is ${match.destination.invert ? "" : "not "}in ${formatIpv4Address(match.destination.first)}-${formatIpv4Address(match.destination.last)}`;
  return undefined;
}

export const xtIprange: XtMatch<IprangeMatch> = {
  needsConntrack: false,
  match: (match, context) => iprangeFails(match, context) === undefined,
  mismatch: (match, context) => iprangeFails(match, context)!,
};
