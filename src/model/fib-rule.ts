// A routing policy rule (struct fib_rule with fib4_rule's fields,
// include/net/fib_rules.h, net/ipv4/fib_rules.c) as `ip rule` sees it.
import type { Ipv4Prefix } from "./address.js";
import { RT_TABLE_LOCAL, RT_TABLE_MAIN } from "./route.js";

export const RT_TABLE_DEFAULT = 253;

/** FR_ACT_*: what a matching rule does (goto and nop are not modelled). */
export type FibRuleAction = "lookup" | "blackhole" | "unreachable" | "prohibit";

/** An inclusive port range (struct fib_rule_port_range). */
export interface PortRange {
  readonly start: number;
  readonly end: number;
}

export interface FibRule {
  /** FRA_PRIORITY: rules are walked in ascending order, equal ones in the order added. */
  readonly priority: number;
  readonly action: FibRuleAction;
  /** The table a `lookup` rule searches (0 for the other actions). */
  readonly table: number;
  /** FIB_RULE_INVERT (`not`): the selector's result is inverted. */
  readonly invert: boolean;
  readonly source?: Ipv4Prefix;
  readonly destination?: Ipv4Prefix;
  /** rtm_tos (`tos`); netsim's packets carry TOS 0. */
  readonly tos?: number;
  /** FRA_FWMARK / FRA_FWMASK: matches when (mark ^ skb mark) & mask is 0; the mask is 0xffffffff unless given, and `fwmark 0` alone is no selector at all. */
  readonly fwmark?: number;
  readonly fwmask?: number;
  /** FRA_IFNAME / FRA_OIFNAME, kept by name: a rule for a device not there yet is "[detached]". */
  readonly inputInterface?: string;
  readonly outputInterface?: string;
  readonly uidRange?: PortRange;
  /** FRA_IP_PROTO, FRA_SPORT_RANGE, FRA_DPORT_RANGE. */
  readonly ipProtocol?: number;
  readonly sourcePorts?: PortRange;
  readonly destinationPorts?: PortRange;
  /** FRA_SUPPRESS_PREFIXLEN: a lookup answer with a prefix this short or shorter is passed over. */
  readonly suppressPrefixLength?: number;
  /** rtm_protocol as `ip -d rule` shows it: the three default rules are the kernel's. */
  readonly protocol: "kernel" | "unspec";
}

/** fib_default_rules_init(): what every new namespace starts with. */
export function defaultFibRules(): FibRule[] {
  return [
    { priority: 0, action: "lookup", table: RT_TABLE_LOCAL, invert: false, protocol: "kernel" },
    { priority: 32766, action: "lookup", table: RT_TABLE_MAIN, invert: false, protocol: "kernel" },
    { priority: 32767, action: "lookup", table: RT_TABLE_DEFAULT, invert: false, protocol: "kernel" },
  ];
}
