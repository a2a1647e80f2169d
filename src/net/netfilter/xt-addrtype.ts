// The addrtype match (net/netfilter/xt_addrtype.c: addrtype_mt_v1, which
// asks inet_dev_addr_type(): the route type the address has in the local
// table, optionally only on the packet's own device).
import { isMulticastAddress, LIMITED_BROADCAST, type Ipv4Address } from "../../model/address.js";
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { AddressType, Match } from "../../model/netfilter.js";
import { RT_TABLE_LOCAL } from "../../model/route.js";
import { fibTableLookup } from "../ipv4/fib-table.js";
import { fibLookup } from "../ipv4/route.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";
import type { MatchMismatch } from "../../model/trace-reason.js";

/** inet_dev_addr_type(): what kind of address this is to the namespace (or to one device). */
export function addressType(namespace: NetworkNamespace, address: Ipv4Address, device?: NetDevice): AddressType {
  if (address === 0) return "BROADCAST";
  if (isMulticastAddress(address)) return "MULTICAST";
  if (address === LIMITED_BROADCAST) return "BROADCAST";
  const local = namespace.tables.get(RT_TABLE_LOCAL);
  const match = local ? fibTableLookup(local, address, (route) => device === undefined || route.nexthop?.deviceIndex === device.index) : undefined;
  if (match && match.route.prefix.length === 32 && match.route.prefix.address === address) {
    if (match.route.type === "local") return "LOCAL";
    if (match.route.type === "broadcast") return "BROADCAST";
  }
  const fib = fibLookup(namespace, address);
  switch (fib?.route.type) {
    case "blackhole":
      return "BLACKHOLE";
    case "unreachable":
      return "UNREACHABLE";
    case "prohibit":
      return "PROHIBIT";
    default:
      return "UNICAST";
  }
}

type AddrtypeMatch = Extract<Match, { kind: "addrtype" }>;

/** addrtype_mt_v1(): the first of the source and destination tests that fails, in words; undefined when both hold. */
function addrtypeFails(match: AddrtypeMatch, context: MatchContext): MatchMismatch | undefined {
  const device = match.limitInterfaceIn ? context.in : match.limitInterfaceOut ? context.out : undefined;
  if (match.sourceType) {
    const type = addressType(context.namespace, context.packet.source, device);
    if (match.sourceType.includes(type) === Boolean(match.sourceInvert)) return { match: "addrtype", side: "source", type, invert: Boolean(match.sourceInvert), types: match.sourceType };
  }
  if (match.destinationType) {
    const type = addressType(context.namespace, context.packet.destination, device);
    if (match.destinationType.includes(type) === Boolean(match.destinationInvert)) return { match: "addrtype", side: "destination", type, invert: Boolean(match.destinationInvert), types: match.destinationType };
  }
  return undefined;
}

// A FIB lookup per test dwarfs the text, so one function decides and describes.
export const xtAddrtype: XtMatch<AddrtypeMatch> = {
  needsConntrack: false,
  // addrtype_mt_checkentry_v1(): no input device to limit to in OUTPUT and POSTROUTING, no output device in PREROUTING and INPUT.
  checkentry(match, _table, chain) {
    if (match.limitInterfaceIn && match.limitInterfaceOut) return "EINVAL";
    if (match.limitInterfaceOut && (chain === "PREROUTING" || chain === "INPUT")) return "EINVAL";
    if (match.limitInterfaceIn && (chain === "OUTPUT" || chain === "POSTROUTING")) return "EINVAL";
    return undefined;
  },
  match: (match, context) => addrtypeFails(match, context) === undefined,
  mismatch: (match, context) => addrtypeFails(match, context)!,
};
