// nf_tables rulesets as plain data (include/uapi/linux/netfilter/nf_tables.h,
// net/netfilter/nf_tables_api.c: struct nft_table, nft_chain, nft_rule,
// nft_set): tables in a family, chains (base chains hooked at a priority),
// rules as lists of expressions, sets and maps owned by their table, and the
// handles the kernel gives each object. Userspace text lives in src/commands/nft.
import type { SourceLocation } from "./location.js";
import type { RejectWith, RuleCounters } from "./netfilter.js";

/** The families modelled: IPv4 (`ip`) and `inet` (IPv4 packets of it; IPv6 is not modelled). */
export type NftFamily = "ip" | "inet";
export type NftHook = "prerouting" | "input" | "forward" | "output" | "postrouting";
export type NftChainType = "filter" | "nat" | "route";

export interface NftBaseChain {
  readonly type: NftChainType;
  readonly hook: NftHook;
  readonly priority: number;
  policy: "accept" | "drop";
}

/** The datatypes of keys and values (nft's datatype names). */
export type NftDatatype = "ipv4_addr" | "inet_service" | "ifname" | "inet_proto" | "mark" | "ct_state" | "ct_status" | "ct_dir" | "fib_addrtype" | "icmp_type" | "integer" | "verdict" | "nf_proto" | "pkt_type";

/** Where an expression reads a value from the packet (payload, meta, ct, fib, numgen). */
export type NftSelector =
  | { readonly kind: "ip"; readonly field: "saddr" | "daddr" | "protocol" }
  | { readonly kind: "meta"; readonly key: "iifname" | "oifname" | "l4proto" | "mark" | "nfproto" | "pkttype"; readonly mask?: number }
  | { readonly kind: "l4"; readonly protocol: "tcp" | "udp" | "th"; readonly field: "sport" | "dport" }
  | { readonly kind: "tcpflags"; readonly mask?: number }
  | { readonly kind: "icmp"; readonly field: "type" }
  | { readonly kind: "ct"; readonly key: "state" | "status" | "mark" | "direction" }
  | { readonly kind: "fib"; readonly flags: readonly ("saddr" | "daddr" | "iif" | "oif")[]; readonly result: "type" }
  | {
      readonly kind: "numgen";
      readonly mode: "random" | "inc";
      readonly modulus: number;
      readonly offset?: number;
      /** The expression's own state: inc's counter (nft_ng_inc's priv->counter, set to modulus - 1 at init), random's draws so far. */
      readonly state: { count: number };
    };

/** A single value: a number (address, port, protocol, mark, flag bits) or a name (interface, with `*` wildcard). */
export type NftAtom = number | string;

/** One element of a set: a value, a range, a prefix, or a concatenation; maps carry data. */
export interface NftElement {
  readonly key: NftKey;
  readonly data?: NftData;
  /** userdata nft lists after the key (`10.0.0.1 comment "x"`). */
  readonly comment?: string;
  /** Its own timeout in milliseconds (`10.0.0.1 timeout 30s`, `update @s { ip saddr timeout 30s }`); absent: the set's. */
  readonly timeout?: number;
  /** As given to add element (`expires 15m`, milliseconds): the time left instead of the timeout; the commit turns it into `expires`. */
  readonly expiresIn?: number;
  /** An element of a set with timeouts: when it expires (virtual clock, µs). */
  readonly expires?: number;
}

export type NftKey =
  | { readonly kind: "value"; readonly value: NftAtom }
  | { readonly kind: "range"; readonly first: number; readonly last: number }
  | { readonly kind: "prefix"; readonly address: number; readonly length: number }
  | { readonly kind: "concat"; readonly parts: readonly NftKey[] };

export type NftVerdict = { readonly kind: "accept" | "drop" | "return" | "continue" } | { readonly kind: "jump" | "goto"; readonly chain: string };

export type NftData = { readonly kind: "verdict"; readonly verdict: NftVerdict } | { readonly kind: "value"; readonly value: NftAtom };

/** The right-hand side of a match: a key, a flag list (`established,related`), an anonymous set or a named one. */
export type NftRight = NftKey | { readonly kind: "flags"; readonly bits: number } | { readonly kind: "set"; readonly elements: readonly NftElement[] } | { readonly kind: "setref"; readonly name: string };

export interface NftNatStatement {
  readonly kind: "nat";
  readonly type: "dnat" | "snat" | "masquerade" | "redirect";
  readonly addresses?: { readonly first: number; readonly last: number };
  readonly ports?: { readonly first: number; readonly last: number };
  readonly flags: readonly ("random" | "fully-random" | "persistent")[];
}

export type NftExpression =
  | { readonly kind: "match"; readonly left: readonly NftSelector[]; readonly op: "==" | "!="; readonly right: NftRight; /** the datatypes of left's parts */ readonly types: readonly NftDatatype[] }
  | { readonly kind: "counter"; counters: RuleCounters }
  | { readonly kind: "verdict"; readonly verdict: NftVerdict }
  | { readonly kind: "vmap"; readonly left: readonly NftSelector[]; readonly types: readonly NftDatatype[]; readonly map: { readonly kind: "setref"; readonly name: string } | { readonly kind: "set"; readonly elements: readonly NftElement[] } }
  | NftNatStatement
  | { readonly kind: "mark-set"; readonly target: "meta" | "ct"; readonly value: number; /** `mark set mark | V` (nft_bitwise on the old mark) */ readonly bitwise?: { readonly op: "|" | "^" | "&"; readonly source: "meta" | "ct" }; /** `meta mark set ct mark`, `ct mark set meta mark`: the other (or the same) mark as it is; value unused */ readonly copy?: "meta" | "ct" }
  | { readonly kind: "reject"; /** a key of NFT_REJECT_WITH; absent: the family's default, ICMP port unreachable */ readonly with?: NftRejectWith }
  | { readonly kind: "log"; readonly prefix?: string }
  | { readonly kind: "notrack" }
  /**
   * A match only an IPv6 packet passes (`ip6 saddr|daddr`, `icmpv6 type`, a
   * `fib ... oif` lookup behind `meta nfproto ipv6`: the kernel's implicit
   * meta nfproto ipv6 / meta l4proto ipv6-icmp dependency). netsim carries
   * IPv4 packets only, so none passes it; kept as the text nft lists.
   */
  | { readonly kind: "ipv6-match"; readonly text: string }
  /** nft_dynset: `add @set { KEY }` puts the key in the set, `update @set { KEY }` also refreshes its timeout. */
  | { readonly kind: "dynset"; readonly op: "add" | "update"; readonly set: string; readonly left: readonly NftSelector[]; /** `{ KEY timeout 30s }`: the element's own timeout (ms) */ readonly timeout?: number };

/**
 * `reject with` as nft names it, and the reply each gives an IPv4 packet
 * (nft_reject_ipv4 / nft_reject_inet; icmpx after nft_reject_icmp_code:
 * no-route is net unreachable). nft's `icmp frag-needed` is not modelled.
 */
export const NFT_REJECT_WITH = {
  "tcp reset": "tcp-reset",
  "icmp net-unreachable": "icmp-net-unreachable",
  "icmp host-unreachable": "icmp-host-unreachable",
  "icmp prot-unreachable": "icmp-proto-unreachable",
  "icmp port-unreachable": "icmp-port-unreachable",
  "icmp net-prohibited": "icmp-net-prohibited",
  "icmp host-prohibited": "icmp-host-prohibited",
  "icmp admin-prohibited": "icmp-admin-prohibited",
  "icmpx port-unreachable": "icmp-port-unreachable",
  "icmpx admin-prohibited": "icmp-admin-prohibited",
  "icmpx no-route": "icmp-net-unreachable",
  "icmpx host-unreachable": "icmp-host-unreachable",
  // IPv6 only: the parser takes these only behind an IPv6 match, which no IPv4
  // packet passes; one that got here would carry the code as an ICMPv4 one (nft_reject_inet_eval).
  "icmpv6 no-route": "icmp-net-unreachable",
  "icmpv6 admin-prohibited": "icmp-host-unreachable",
  "icmpv6 addr-unreachable": "icmp-port-unreachable",
} as const satisfies Record<string, RejectWith>;
export type NftRejectWith = keyof typeof NFT_REJECT_WITH;

export interface NftRule {
  readonly handle: number;
  readonly expressions: readonly NftExpression[];
  readonly comment?: string;
  /** The rule as `nft list` prints it, for traces (the command layer renders it). */
  readonly text: string;
  /** The scenario line whose batch added it (explain's configuration line). */
  readonly origin?: SourceLocation;
}

export interface NftChain {
  readonly name: string;
  readonly handle: number;
  readonly base?: NftBaseChain;
  /** userdata: the chain's comment. */
  readonly comment?: string;
  rules: NftRule[];
}

export interface NftSet {
  readonly name: string;
  readonly handle: number;
  readonly keyTypes: readonly NftDatatype[];
  /** Maps only: the data type (`: verdict`). */
  readonly dataType?: NftDatatype;
  readonly flags: readonly ("interval" | "constant" | "timeout" | "dynamic")[];
  /** The default timeout of its elements, in milliseconds (`timeout 3h`). */
  readonly timeout?: number;
  /** desc.size: given, or 65535 once a dynset statement uses the set (nft_dynset_init). */
  size?: number;
  readonly comment?: string;
  elements: NftElement[];
}

export interface NftTable {
  readonly family: NftFamily;
  readonly name: string;
  readonly handle: number;
  /** In the order they were made (the order nft lists them). */
  chains: Map<string, NftChain>;
  sets: Map<string, NftSet>;
  /** table->hgenerator: the last handle given to a chain, set or rule of the table. */
  lastHandle: number;
  /** userdata: the table's comment. */
  readonly comment?: string;
}

/** What a rule is before the kernel gives it a handle. */
export type NftRuleSpec = Omit<NftRule, "handle">;
export type NftSetSpec = Omit<NftSet, "handle">;

interface InTable {
  readonly family: NftFamily;
  readonly table: string;
}

/** One message of an nft batch (nf_tables_api.c's NFT_MSG_*), as the parser resolves it. */
export type NftCommand =
  | { readonly kind: "add-table"; readonly family: NftFamily; readonly name: string; readonly create: boolean; readonly comment?: string }
  | { readonly kind: "delete-table"; readonly family: NftFamily; readonly name: string }
  | { readonly kind: "flush-table"; readonly family: NftFamily; readonly name: string }
  | { readonly kind: "flush-ruleset" }
  /** `policy`: the one given (an existing base chain takes it; without one its own stays). */
  | (InTable & { readonly kind: "add-chain"; readonly name: string; readonly base?: NftBaseChain; readonly policy?: "accept" | "drop"; readonly create: boolean; readonly comment?: string })
  | (InTable & { readonly kind: "delete-chain" | "flush-chain"; readonly name: string })
  | (InTable & {
      readonly kind: "add-rule";
      readonly chain: string;
      /** add: after the rule (handle/position) or at index; insert: before it. */
      readonly insert: boolean;
      readonly at?: { readonly by: "handle" | "index"; readonly value: number };
      readonly rule: NftRuleSpec;
      /** Anonymous sets the rule makes (each takes a handle before the rule's). */
      readonly anonymousSets: number;
    })
  | (InTable & { readonly kind: "replace-rule"; readonly chain: string; readonly handle: number; readonly rule: NftRuleSpec; readonly anonymousSets: number })
  | (InTable & { readonly kind: "delete-rule"; readonly chain: string; readonly handle: number })
  | (InTable & { readonly kind: "add-set"; readonly set: NftSetSpec; readonly create: boolean })
  | (InTable & { readonly kind: "delete-set" | "flush-set"; readonly name: string })
  | (InTable & { readonly kind: "add-element" | "delete-element"; readonly set: string; readonly elements: readonly NftElement[] });

/** A namespace's nft tables and the table handle counter (nft_net->table_handle). */
export interface NftRuleset {
  tables: NftTable[];
  lastTableHandle: number;
}
