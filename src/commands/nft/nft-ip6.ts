// nft's IPv6 values (nftables src/datatype.c ip6addr_type, src/proto.c
// icmp6_type_tbl): addresses read as inet_pton reads them and printed as
// glibc's inet_ntop prints them, and the ICMPv6 type names. netsim carries
// IPv4 packets only, so these serve the IPv6 matches it keeps as text
// (firewalld's `ip6 daddr { ... }`, `icmpv6 type ...`), which no packet passes;
// the addresses themselves are read and written by model/ipv6-address.ts.
import { ipv6PrefixMask } from "../../model/ipv6-address.js";

/** The address with its host bits cleared, as nft stores a prefix. */
export function ipv6Network(value: bigint, length: number): bigint {
  return value & ipv6PrefixMask(length);
}

/** icmp6_type_tbl: the ICMPv6 type names nft reads and lists. */
export const ICMPV6_TYPES: readonly (readonly [string, number])[] = [
  ["destination-unreachable", 1],
  ["packet-too-big", 2],
  ["time-exceeded", 3],
  ["parameter-problem", 4],
  ["echo-request", 128],
  ["echo-reply", 129],
  ["mld-listener-query", 130],
  ["mld-listener-report", 131],
  ["mld-listener-done", 132],
  ["mld-listener-reduction", 132],
  ["nd-router-solicit", 133],
  ["nd-router-advert", 134],
  ["nd-neighbor-solicit", 135],
  ["nd-neighbor-advert", 136],
  ["nd-redirect", 137],
  ["router-renumbering", 138],
  ["ind-neighbor-solicit", 141],
  ["ind-neighbor-advert", 142],
  ["mld2-listener-report", 143],
];
