// A route (struct fib_alias + fib_info + fib_nh, flattened) as `ip route`
// sees it.
import type { Ipv4Address, Ipv4Prefix } from "./address.js";
import type { SourceLocation } from "./location.js";

/** RTN_*: `throw` (RTN_THROW) ends its table's lookup with -EAGAIN, so the rule walk (or the next default table) goes on. */
export type RouteType = "unicast" | "local" | "broadcast" | "blackhole" | "unreachable" | "prohibit" | "throw";

/** rtm_protocol: `kernel` for routes the kernel derives from addresses, `boot` for `ip route add`. */
export type RouteProtocol = "kernel" | "boot" | "static" | "dhcp";

export type RouteScope = "host" | "link" | "global";

export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

export interface Nexthop {
  readonly deviceIndex: number;
  readonly gateway?: Ipv4Address;
  readonly onlink?: boolean;
}

export interface Route {
  readonly table: number;
  readonly type: RouteType;
  readonly prefix: Ipv4Prefix;
  /** Absent for blackhole, unreachable and prohibit routes. */
  readonly nexthop?: Nexthop;
  /** The preferred source address (`src`), used for locally generated packets. */
  readonly preferredSource?: Ipv4Address;
  readonly metric: number;
  readonly protocol: RouteProtocol;
  readonly scope: RouteScope;
  readonly origin?: SourceLocation;
}

export function tableName(table: number): string {
  switch (table) {
    case RT_TABLE_MAIN:
      return "main";
    case RT_TABLE_LOCAL:
      return "local";
    case 253:
      return "default";
    default:
      return String(table);
  }
}

/**
 * A routing table. The kernel keeps an LC-trie (net/ipv4/fib_trie.c); here
 * one map per prefix length, searched from the longest length present: the
 * same answers, with a lookup costing at most 33 map probes.
 */
export interface FibTable {
  readonly id: number;
  /** prefix length -> network address -> aliases in kernel order (metric, then insertion). */
  readonly byLength: Map<number, Map<Ipv4Address, Route[]>>;
  /** The prefix lengths present, longest first. */
  lengths: number[];
}
