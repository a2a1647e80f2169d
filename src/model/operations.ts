// Typed operations: what a parsed `ip`/`sysctl` command asks of the kernel.
// Parsers produce these from text; only these reach the model
// (net/core/rtnetlink.ts applies them).
import type { Ipv4Address, Ipv4Prefix } from "./address.js";
import type { SourceLocation } from "./location.js";
import type { MacAddress } from "./mac.js";
import type { NeighbourState } from "./neighbour.js";
import type { Rule, RuleCounters, TableName } from "./netfilter.js";
import type { NftCommand } from "./nf-tables.js";
import type { LinkKind, AddressScope } from "./netdevice.js";
import type { BridgePortFlags } from "./bridge.js";
import type { FibRule } from "./fib-rule.js";
import type { RouteProtocol, RouteScope, RouteType } from "./route.js";

interface Located {
  readonly origin?: SourceLocation;
}

export interface NetnsAdd extends Located {
  readonly op: "netns-add";
  readonly name: string;
}

/** `ip netns set NAME ID` (RTM_NEWNSID): the id `viewer` knows `target` by. */
export interface NetnsSetId extends Located {
  readonly op: "netns-set-id";
  readonly viewerId: number;
  readonly targetId: number;
  readonly nsid: number;
}

export interface NetnsDelete extends Located {
  readonly op: "netns-delete";
  readonly name: string;
}

export interface LinkAdd extends Located {
  readonly op: "link-add";
  readonly namespaceId: number;
  readonly name: string;
  readonly kind: Exclude<LinkKind, "loopback">;
  readonly mac?: MacAddress;
  readonly mtu?: number;
  readonly up?: boolean;
  /** veth only: the other end, possibly created straight into another namespace. */
  readonly peer?: { readonly name: string; readonly namespaceId: number; readonly mac?: MacAddress };
  readonly masterIndex?: number;
}

export interface LinkDelete extends Located {
  readonly op: "link-delete";
  readonly namespaceId: number;
  readonly index: number;
}

export interface LinkSet extends Located {
  readonly op: "link-set";
  readonly namespaceId: number;
  readonly index: number;
  readonly up?: boolean;
  /** A bridge's ifindex, or null for `nomaster`. */
  readonly masterIndex?: number | null;
  readonly namespaceTarget?: number;
  readonly name?: string;
  readonly mac?: MacAddress;
  readonly mtu?: number;
  /** `promisc on|off`: IFF_PROMISC as set by the user (dev_change_flags). */
  readonly promisc?: boolean;
  /** `addrgenmode none|eui64` (IFLA_AF_SPEC, inet6_set_link_af): set before the flags change, read at the next IPv6 configuration. */
  readonly addrGenMode?: "eui64" | "none";
}

/** Bridge port flags (`bridge link set`, `brctl hairpin`, /sys/class/net/PORT/brport/*): br_setport(). */
export interface BridgePortSet extends Located {
  readonly op: "bridge-port-set";
  readonly namespaceId: number;
  readonly index: number;
  readonly flags: Partial<BridgePortFlags>;
}

/** Bridge options (`brctl setageing`, `brctl stp`): br_changelink(). */
export interface BridgeSet extends Located {
  readonly op: "bridge-set";
  readonly namespaceId: number;
  readonly index: number;
  /** Centiseconds, as the kernel keeps it. */
  readonly ageingTime?: number;
}

export interface AddressAdd extends Located {
  readonly op: "address-add";
  readonly namespaceId: number;
  readonly index: number;
  readonly address: Ipv4Address;
  readonly prefixLength: number;
  readonly broadcast?: Ipv4Address;
  readonly scope?: AddressScope;
  readonly label?: string;
  /** `ip addr replace`: no error when it exists. */
  readonly replace?: boolean;
}

export interface AddressDelete extends Located {
  readonly op: "address-delete";
  readonly namespaceId: number;
  readonly index: number;
  readonly address: Ipv4Address;
  /** Absent for iproute2's wildcard deletion (no /len given). */
  readonly prefixLength?: number;
}

export interface AddressFlush extends Located {
  readonly op: "address-flush";
  readonly namespaceId: number;
  readonly index: number;
}

export interface RouteSpec {
  readonly table: number;
  readonly type: RouteType;
  readonly prefix: Ipv4Prefix;
  readonly deviceIndex?: number;
  readonly gateway?: Ipv4Address;
  readonly onlink?: boolean;
  readonly preferredSource?: Ipv4Address;
  readonly metric?: number;
  readonly protocol?: RouteProtocol;
  readonly scope?: RouteScope;
}

export interface RouteAdd extends Located {
  readonly op: "route-add";
  readonly namespaceId: number;
  readonly mode: "add" | "append" | "prepend" | "replace" | "change";
  readonly route: RouteSpec;
}

export interface RouteDelete extends Located {
  readonly op: "route-delete";
  readonly namespaceId: number;
  /** Fields left out match any route. */
  readonly route: Partial<RouteSpec> & { readonly prefix: Ipv4Prefix; readonly table: number };
}

export interface RouteFlush extends Located {
  readonly op: "route-flush";
  readonly namespaceId: number;
  readonly table: number;
  readonly deviceIndex?: number;
}

/** `ip rule add`: the priority left out is the kernel's to choose; a lookup of table 0 takes an empty table. */
export interface RuleAdd extends Located {
  readonly op: "rule-add";
  readonly namespaceId: number;
  readonly rule: Omit<FibRule, "priority" | "protocol"> & { readonly priority?: number };
}

/** `ip rule del`: the first rule with every field given. */
export interface RuleDelete extends Located {
  readonly op: "rule-delete";
  readonly namespaceId: number;
  readonly selector: Partial<Omit<FibRule, "protocol">>;
}

export interface SysctlSet extends Located {
  readonly op: "sysctl-set";
  readonly namespaceId: number;
  /** Dotted key, e.g. net.ipv4.ip_forward. */
  readonly key: string;
  readonly value: string;
}

export interface NeighbourFlush extends Located {
  readonly op: "neigh-flush";
  readonly namespaceId: number;
  readonly deviceIndex?: number;
  readonly address?: Ipv4Address;
}

/** `ip neigh add|replace`: a static entry. */
export interface NeighbourSet extends Located {
  readonly op: "neigh-set";
  readonly namespaceId: number;
  readonly deviceIndex: number;
  readonly address: Ipv4Address;
  readonly mac?: MacAddress;
  readonly state: NeighbourState;
  readonly exclusive: boolean;
}

export interface NeighbourDelete extends Located {
  readonly op: "neigh-delete";
  readonly namespaceId: number;
  readonly deviceIndex: number;
  readonly address: Ipv4Address;
}

/** One iptables command that changes a table (the nf_tables transaction iptables-nft sends). */
export type IptablesCommand =
  | { readonly kind: "append"; readonly chain: string; readonly rule: Rule }
  | { readonly kind: "insert"; readonly chain: string; /** 1-based */ readonly position: number; readonly rule: Rule }
  | { readonly kind: "delete-rule"; readonly chain: string; readonly rule: Rule }
  | { readonly kind: "delete-number"; readonly chain: string; readonly number: number }
  | { readonly kind: "replace"; readonly chain: string; readonly number: number; readonly rule: Rule }
  | { readonly kind: "flush"; readonly chain?: string }
  | { readonly kind: "zero"; readonly chain?: string; readonly number?: number }
  | { readonly kind: "new-chain"; readonly chain: string }
  | { readonly kind: "delete-chain"; readonly chain?: string }
  | { readonly kind: "rename-chain"; readonly chain: string; readonly newName: string }
  | { readonly kind: "policy"; readonly chain: string; readonly policy: "ACCEPT" | "DROP" }
  /** NFT_MSG_DELTABLE of the table iptables-nft made (`nft delete table`, `nft flush ruleset`): gone from the kernel, made again by the next write. */
  | { readonly kind: "delete-table" }
  /** Rule and chain messages of an nft batch the kernel refused: the handles they took stay taken (table->hgenerator is not given back). */
  | { readonly kind: "handles-taken"; readonly count: number };

export interface IptablesOperation extends Located {
  readonly op: "iptables";
  readonly namespaceId: number;
  /** ip6tables: the `ip6` family's table (NetfilterState.tables6). */
  readonly family?: "ip6";
  readonly table: TableName;
  readonly command: IptablesCommand;
}

/** iptables-restore: whole tables replaced (or, with --noflush, added to) in one transaction. */
export interface IptablesRestore extends Located {
  readonly op: "iptables-restore";
  readonly namespaceId: number;
  /** ip6tables-restore: the `ip6` family's tables. */
  readonly family?: "ip6";
  readonly noflush: boolean;
  /** The rules are the batch's alone (made for it, counters included): the tables may take them as they are instead of copies. */
  readonly adopt?: boolean;
  readonly tables: readonly {
    readonly name: TableName;
    /** Chains declared with `:NAME POLICY [p:b]`, in file order. */
    readonly chains: readonly { readonly name: string; readonly policy?: "ACCEPT" | "DROP"; readonly counters?: RuleCounters }[];
    /** Every command line of the table (-A, -I, -D, -N, -X, -F, -P ...), in file order. */
    readonly commands: readonly IptablesCommand[];
  }[];
}

/** conntrack -F: every entry of the namespace's table goes. */
export interface ConntrackFlush extends Located {
  readonly op: "conntrack-flush";
  readonly namespaceId: number;
}

/** An nft batch (`nft CMD`, `nft -f FILE`): applied whole or not at all. */
export interface NftBatch extends Located {
  readonly op: "nft";
  readonly namespaceId: number;
  readonly commands: readonly NftCommand[];
}

export type Operation =
  | NftBatch
  | IptablesOperation
  | IptablesRestore
  | ConntrackFlush
  | NetnsAdd
  | NetnsDelete
  | NetnsSetId
  | LinkAdd
  | LinkDelete
  | LinkSet
  | BridgePortSet
  | BridgeSet
  | AddressAdd
  | AddressDelete
  | AddressFlush
  | RouteAdd
  | RouteDelete
  | RouteFlush
  | RuleAdd
  | RuleDelete
  | SysctlSet
  | NeighbourFlush
  | NeighbourSet
  | NeighbourDelete;
