// iptables rulesets as plain data (include/uapi/linux/netfilter_ipv4/ip_tables.h:
// struct ipt_entry, ipt_ip; one record per xt match / target). A rule is
// filter (the ipt_ip part) + matches + target, as the kernel stores it;
// userspace text lives in src/commands/iptables.
import type { Ipv4Address } from "./address.js";
import type { ConntrackTable } from "./conntrack.js";
import type { IpSetState } from "./ipset.js";
import type { SourceLocation } from "./location.js";
import type { NftExpression, NftRuleset } from "./nf-tables.js";

export type TableName = "raw" | "mangle" | "filter" | "nat";
export type HookName = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";

/** The built-in chains of each table, in the order iptables lists them. */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly HookName[]>> = {
  raw: ["PREROUTING", "OUTPUT"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
};

/** The order iptables-save (nft) prints the tables that exist. */
/** The order iptables-nft lists tables in (its enum nft_table_type: mangle, security, raw, filter, nat), whatever order they were made in. */
export const TABLE_ORDER: readonly TableName[] = ["mangle", "raw", "filter", "nat"];

/** `-s`/`-d`: address and mask (as a prefix length), possibly inverted. */
export interface AddressSelector {
  readonly address: Ipv4Address;
  /** The mask's bit count; with `mask`, the count of its one bits. */
  readonly prefixLength: number;
  /** A non-contiguous mask (`/255.0.255.0`), which ipt_ip allows: the mask itself. */
  readonly mask?: number;
  readonly invert: boolean;
  /**
   * An ip6tables rule's address (struct ip6t_ip6), host bits cleared, as
   * inet_ntop prints it; `address` is then 0 and `prefixLength` counts of 128.
   */
  readonly ipv6?: string;
}

/** The selector's mask as a uint32. */
export function selectorMaskOf(selector: AddressSelector): number {
  if (selector.mask !== undefined) return selector.mask;
  return selector.prefixLength === 0 ? 0 : (0xffffffff << (32 - selector.prefixLength)) >>> 0;
}

/** `-i`/`-o`: a name, where a trailing `+` matches any name with that stem. */
export interface InterfaceSelector {
  readonly name: string;
  readonly invert: boolean;
}

export interface PortRange {
  readonly first: number;
  readonly last: number;
}

export type ConntrackStateName = "INVALID" | "NEW" | "ESTABLISHED" | "RELATED" | "UNTRACKED" | "SNAT" | "DNAT";

export type AddressType = "UNSPEC" | "UNICAST" | "LOCAL" | "BROADCAST" | "ANYCAST" | "MULTICAST" | "BLACKHOLE" | "UNREACHABLE" | "PROHIBIT" | "THROW" | "NAT" | "XRESOLVE";

export type Match =
  | {
      /** xt_tcpudp: `-m tcp`/`-m udp`, implicit after `-p tcp --dport`. */
      readonly kind: "tcp" | "udp";
      readonly sourcePorts?: PortRange;
      readonly sourceInvert?: boolean;
      readonly destinationPorts?: PortRange;
      readonly destinationInvert?: boolean;
      /** tcp only, `--tcp-flags MASK COMP` / `--syn`: (flags & mask) == compare, as TCPHDR flag bits (FIN 0x01 ... URG 0x20). */
      readonly tcpFlags?: { readonly mask: number; readonly compare: number; readonly invert: boolean };
    }
  | { readonly kind: "icmp"; readonly type?: number; readonly codes?: PortRange; readonly invert?: boolean }
  /** ip6t_icmp6 (ip6tables only: netsim carries no IPv6 packet, so no packet ever meets it). */
  | { readonly kind: "icmp6"; readonly type: number; readonly codes?: PortRange; readonly invert: boolean }
  | {
      readonly kind: "multiport";
      readonly direction: "source" | "destination" | "either";
      /** Single ports are ranges of one. */
      readonly ports: readonly PortRange[];
      readonly invert: boolean;
    }
  | ConntrackMatch
  | { readonly kind: "state"; readonly states: readonly ConntrackStateName[]; readonly invert: boolean }
  | {
      readonly kind: "addrtype";
      readonly sourceType?: readonly AddressType[];
      readonly sourceInvert?: boolean;
      readonly destinationType?: readonly AddressType[];
      readonly destinationInvert?: boolean;
      readonly limitInterfaceIn?: boolean;
      readonly limitInterfaceOut?: boolean;
    }
  | {
      readonly kind: "physdev";
      readonly physdevIn?: InterfaceSelector;
      readonly physdevOut?: InterfaceSelector;
      /** --physdev-is-bridged, with its `!`. */
      readonly isBridged?: { readonly invert: boolean };
      readonly isIn?: { readonly invert: boolean };
      readonly isOut?: { readonly invert: boolean };
    }
  | { readonly kind: "comment"; readonly comment: string }
  | {
      /**
       * xt_statistic `--mode random`: the probability as the kernel stores it
       * (lround(p * 2^31)); matches when a 31-bit draw is below it.
       */
      readonly kind: "statistic";
      readonly mode: "random";
      readonly probability: number;
      readonly invert: boolean;
      /** Draws made so far by this rule (the model's per-rule random state, see net/netfilter/xt-statistic.ts). */
      readonly state: { draws: number };
    }
  | {
      /** xt_statistic `--mode nth --every N --packet P`: the P-th of every N packets (0-based). */
      readonly kind: "statistic";
      readonly mode: "nth";
      readonly every: number;
      readonly packet: number;
      readonly invert: boolean;
      /** The kernel's info->master->count: starts at (N - 1) - P, matches on reaching N - 1. */
      readonly state: { count: number };
    }
  | { readonly kind: "mark"; readonly value: number; readonly mask: number; readonly invert: boolean }
  | {
      /** xt_set (revision 4): `--match-set NAME src|dst[,...]`; the set is found by name (a swap exchanges names with contents, as the kernel's index does). */
      readonly kind: "set";
      readonly set: IpSetReference;
      readonly invert: boolean;
      readonly returnNomatch: boolean;
      /** `! --update-counters` / `! --update-subcounters` clear these. */
      readonly updateCounters: boolean;
      readonly updateSubcounters: boolean;
      /** `--packets-eq/lt/gt N`, `! --packets-eq` (struct ip_set_counter_match): the element's counter, after this packet's update, against N. */
      readonly packets?: SetCounterMatch;
      /** `--bytes-eq/lt/gt N`, `! --bytes-eq`. */
      readonly bytes?: SetCounterMatch;
    }
  | LimitMatch
  | RecentMatch
  | IprangeMatch
  | ConnlimitMatch
  | OwnerMatch
  | { readonly kind: "nfacct"; readonly name: string };

/** A set and the packet fields its dimensions take (xt_set_info: index and flags). */
export interface IpSetReference {
  readonly name: string;
  readonly flags: readonly ("src" | "dst")[];
}

/** A conntrack option's address test (XTTYPE_HOSTMASK): (address ^ value) & mask == 0, XOR the inversion. */
export interface ConntrackAddressTest {
  readonly address: Ipv4Address;
  readonly prefixLength: number;
  readonly invert: boolean;
  /** In ip6tables: the IPv6 address (inet_ntop text, host bits cleared); `address` is then 0. */
  readonly ipv6?: string;
}

/** A conntrack option's port range, kept as written (a min above max matches nothing). */
export interface ConntrackPortTest extends PortRange {
  readonly invert: boolean;
}

/** xt_conntrack (struct xt_conntrack_mtinfo3): each option present or not. */
export interface ConntrackMatch {
  readonly kind: "conntrack";
  /** --ctstate (XT_CONNTRACK_STATE); `invert` is its `!`. */
  readonly states?: readonly ConntrackStateName[];
  readonly invert: boolean;
  readonly protocol?: { readonly number: number; readonly invert: boolean };
  readonly originalSource?: ConntrackAddressTest;
  readonly originalDestination?: ConntrackAddressTest;
  readonly replySource?: ConntrackAddressTest;
  readonly replyDestination?: ConntrackAddressTest;
  readonly originalSourcePort?: ConntrackPortTest;
  readonly originalDestinationPort?: ConntrackPortTest;
  readonly replySourcePort?: ConntrackPortTest;
  readonly replyDestinationPort?: ConntrackPortTest;
  /** --ctstatus: IPS_EXPECTED 1, IPS_SEEN_REPLY 2, IPS_ASSURED 4, IPS_CONFIRMED 8 (0: NONE). */
  readonly status?: { readonly mask: number; readonly invert: boolean };
  /** --ctexpire, in seconds, kept as written. */
  readonly expires?: { readonly min: number; readonly max: number; readonly invert: boolean };
  /** --ctdir: `! --ctdir ORIGINAL` is REPLY. */
  readonly direction?: "ORIGINAL" | "REPLY";
}

/** xt_limit (struct xt_rateinfo): a token bucket; `avg` in XT_LIMIT_SCALE units per second. */
export interface LimitMatch {
  readonly kind: "limit";
  /** Seconds per packet, times XT_LIMIT_SCALE (10000): 3/hour is 12,000,000. */
  readonly avg: number;
  readonly burst: number;
  /** The bucket (the kernel's xt_limit_priv): credit in CPU-tick units and the last refill, virtual µs. */
  readonly state: { credit: number; previous: number | undefined };
}

/** IPSET_COUNTER_EQ/NE/LT/GT and its u64 (decimal text: above 2^53 a number would round). */
export interface SetCounterMatch {
  readonly op: "eq" | "ne" | "lt" | "gt";
  readonly value: string;
}

/** xt_recent (struct xt_recent_mtinfo_v1). */
export interface RecentMatch {
  readonly kind: "recent";
  readonly mode: "set" | "rcheck" | "update" | "remove";
  readonly invert: boolean;
  readonly name: string;
  readonly seconds?: number;
  readonly reap: boolean;
  readonly hitcount?: number;
  readonly rttl: boolean;
  readonly side: "source" | "dest";
  readonly mask: Ipv4Address;
}

/** One address of an xt_recent table (struct recent_entry): its last ttl and its hit times (jiffies, oldest first, at most 20). */
export interface RecentEntry {
  readonly address: Ipv4Address;
  ttl: number;
  stamps: number[];
}

/** xt_iprange: inclusive address ranges, kept as written (a reversed range matches nothing). */
export interface IprangeMatch {
  readonly kind: "iprange";
  readonly source?: { readonly first: Ipv4Address; readonly last: Ipv4Address; readonly invert: boolean };
  readonly destination?: { readonly first: Ipv4Address; readonly last: Ipv4Address; readonly invert: boolean };
}

/** xt_connlimit: connections in conntrack from (or to) the packet's address under the mask, above or up to a limit. */
export interface ConnlimitMatch {
  readonly kind: "connlimit";
  readonly limit: number;
  /** `--connlimit-upto N` (and `! --connlimit-above N`): matches while the count is at most N. */
  readonly upto: boolean;
  readonly prefixLength: number;
  readonly side: "source" | "dest";
  /** The rule's nf_conncount lists: connection ids seen under each masked address. */
  readonly state: { readonly counted: Map<number, number[]> };
}

/** xt_owner: the socket of a locally generated packet (OUTPUT, POSTROUTING). */
export interface OwnerMatch {
  readonly kind: "owner";
  readonly uid?: { readonly first: number; readonly last: number; readonly invert: boolean };
  readonly gid?: { readonly first: number; readonly last: number; readonly invert: boolean };
  readonly socketExists?: { readonly invert: boolean };
  readonly supplementaryGroups: boolean;
}

/** A NAT range (struct nf_nat_range2): addresses and optional ports. */
export interface NatRange {
  readonly addresses?: { readonly first: Ipv4Address; readonly last: Ipv4Address };
  /** In ip6tables: the IPv6 range, as inet_ntop prints it (then `addresses` is absent). */
  readonly addresses6?: { readonly first: string; readonly last: string };
  readonly ports?: PortRange;
  /** NF_NAT_RANGE_PROTO_OFFSET (`:1000-2000/1000`): ports shifted from this base instead of searched. */
  readonly offset?: number;
  /** NF_NAT_RANGE_PROTO_RANDOM (`--random`). */
  readonly random?: boolean;
  /** NF_NAT_RANGE_PROTO_RANDOM_FULLY (`--random-fully`). */
  readonly randomFully?: boolean;
  /** NF_NAT_RANGE_PERSISTENT (`--persistent`). */
  readonly persistent?: boolean;
}

export type RejectWith =
  | "icmp-net-unreachable"
  | "icmp-host-unreachable"
  | "icmp-port-unreachable"
  | "icmp-proto-unreachable"
  | "icmp-net-prohibited"
  | "icmp-host-prohibited"
  | "icmp-admin-prohibited"
  | "tcp-reset";

/** ip6t_REJECT's types (include/uapi/linux/netfilter_ipv6/ip6t_REJECT.h), by libip6t_REJECT's names. */
export type Ip6RejectWith = "icmp6-no-route" | "icmp6-adm-prohibited" | "icmp6-addr-unreachable" | "icmp6-port-unreachable" | "icmp6-policy-fail" | "icmp6-reject-route" | "tcp-reset";

export type Target =
  | { readonly kind: "ACCEPT" | "DROP" | "RETURN" }
  /** A user chain: `-j CHAIN`, or `-g CHAIN` (goto: RETURN from it goes back past the caller). */
  | { readonly kind: "jump"; readonly chain: string; readonly goto: boolean }
  /** with6: ip6t_REJECT's type in an ip6tables rule (`with` then holds the IPv4 type of the same meaning; no IPv6 packet exists to reject). */
  | { readonly kind: "REJECT"; readonly with: RejectWith; readonly with6?: Ip6RejectWith }
  /** offset: NF_NAT_RANGE_PROTO_OFFSET with base 0 (`--to-ports P-Q/BASE`: the compat range keeps no base). */
  | { readonly kind: "MASQUERADE"; readonly ports?: PortRange; readonly offset?: number; readonly random?: boolean; readonly randomFully?: boolean }
  | { readonly kind: "SNAT"; readonly range: NatRange }
  | { readonly kind: "DNAT"; readonly range: NatRange }
  | { readonly kind: "REDIRECT"; readonly ports?: PortRange; readonly random?: boolean }
  /** MARK --set-xmark value/mask (every MARK form is saved as this). */
  | { readonly kind: "MARK"; readonly value: number; readonly mask: number }
  /** xt_SET (revision 3): adds the packet's element to a set and/or deletes it from one; the walk goes on. */
  | {
      readonly kind: "SET";
      readonly add?: IpSetReference;
      readonly del?: IpSetReference;
      readonly exist: boolean;
      readonly timeout?: number;
      /** --map-set: the packet's element in this set gives it the element's skbinfo, as the flags below say (IPSET_FLAG_MAP_SKBMARK, _SKBPRIO, _SKBQUEUE). */
      readonly map?: IpSetReference;
      readonly mapMark?: boolean;
      readonly mapPrio?: boolean;
      readonly mapQueue?: boolean;
    }
  /** LOG (ipt_LOG): a non-terminal target writing the packet to the kernel log. */
  | { readonly kind: "LOG"; readonly level: number; readonly prefix: string; readonly flags: number };

export interface RuleCounters {
  packets: number;
  bytes: number;
}

export interface Rule {
  readonly source?: AddressSelector;
  readonly destination?: AddressSelector;
  readonly inInterface?: InterfaceSelector;
  readonly outInterface?: InterfaceSelector;
  /** `-p`: an IP protocol number (0 is "all", never stored). */
  readonly protocol?: { readonly number: number; readonly invert: boolean };
  readonly matches: readonly Match[];
  /** Absent: a rule without -j only counts. */
  readonly target?: Target;
  counters: RuleCounters;
  /** The nf_tables rule handle the kernel gave it (tables iptables-nft made; nft -a). */
  readonly handle?: number;
  /** The rule as `iptables -S` prints it after `-A CHAIN`, for traces (the command layer renders it). */
  readonly spec: string;
  readonly origin?: SourceLocation;
  /**
   * A rule nft added (commands/nft/nft-xt-rule.ts): the expressions nft
   * lists it by, and whether one is a counter (without, the kernel counts
   * nothing and iptables -L -v shows 0); incompatible: iptables-nft cannot
   * parse it back (ct), so iptables refuses to list its chain and table.
   */
  readonly nft?: { readonly expressions: readonly NftExpression[]; readonly counted: boolean; readonly incompatible?: true };
}

export interface Chain {
  readonly name: string;
  /** Built-in chains only. */
  policy?: "ACCEPT" | "DROP";
  /**
   * Packets the policy decided (nft base chain counters). iptables-nft gives
   * a built-in chain counters once its policy is set (`-P`, or a restored
   * `:CHAIN POLICY` line); before that the chain counts nothing and shows 0.
   */
  policyCounters?: RuleCounters;
  /** The nf_tables chain handle, once iptables-nft made the chain in the kernel. */
  handle?: number;
  rules: Rule[];
}

export interface Table {
  readonly name: TableName;
  /** Built-in chains first (in BUILTIN_CHAINS order), then user chains. */
  chains: Map<string, Chain>;
  /** Bumped by every change to the table: what is derived from it is made again. */
  generation: number;
  /** The nf_tables table's handle, from the namespace's one counter with nft's tables (the order nft lists tables in). */
  handle?: number;
  /**
   * The chains iptables-nft has made in the kernel, in the order made: a
   * built-in chain only once a rule or policy needs it (nft_xt_builtin_init
   * for that chain), a user chain at -N (a Set keeps that order and looks a
   * name up at once: kube-proxy's tables hold tens of thousands). Absent: not tracked.
   */
  kernelChains?: Set<string>;
  /** table->hgenerator: the last handle given to one of its chains or rules (with kernelChains). */
  lastHandle?: number;
  /** The engine's derived state (model/derived.ts): its prepared chains. */
  derived?: TableDerived;
}

/** Filled in by the engine (net/netfilter/ip-tables.ts declares its fields). */
export interface TableDerived {}

/** A namespace's netfilter state: the tables that exist (iptables-nft makes a table on first write) and conntrack. */
export interface NetfilterState {
  tables: Map<TableName, Table>;
  /**
   * ip6tables' tables (iptables-nft's `ip6` family on the same nf_tables
   * engine): listed, saved and restored; never walked, as netsim carries IPv4
   * packets only. Absent until ip6tables first changes one.
   */
  tables6?: Map<TableName, Table>;
  /** The tables `nft` made (model/nf-tables.ts); absent until nft first changes the ruleset. */
  nft?: NftRuleset;
  conntrack: ConntrackTable;
  /**
   * Whether conntrack runs at all: with the nf_tables backend only while some
   * rule needs it (a conntrack/state match or a NAT target), kept in step by
   * every ruleset change.
   */
  conntrackEnabled: boolean;
  /** xt_recent's tables of the namespace (/proc/net/xt_recent/NAME), made by the first rule naming them. */
  recent?: Map<string, RecentEntry[]>;
  /** Bumped by every ruleset change (nf-tables-api): what is derived from the ruleset is made again after it. */
  generation: number;
  /** The engine's derived state (model/derived.ts). */
  derived?: NetfilterDerived;
  /** The namespace's IP sets (net/netfilter/ipset); absent until the first `ipset create`. */
  ipsets?: IpSetState;
  /** The namespace's extended accounting objects by name (nfnetlink_acct); absent until the first `nfacct add`. */
  accounting?: NetfilterAccounting;
}

/** nfnetlink_acct's objects, in the order they were made. */
export type NetfilterAccounting = Map<string, RuleCounters>;

/** Filled in by the engine (net/netfilter/nf-hook.ts, nf-flow-table.ts declare their fields). */
export interface NetfilterDerived {}

export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { all: 0, icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132, udplite: 136, dccp: 33 };
