// What a match sees of a packet at a hook (struct xt_action_param: in/out
// devices, the hook, the conntrack state, plus br_netfilter's physdev ports).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { Errno } from "../../model/errno.js";
import type { HookName, TableName } from "../../model/netfilter.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { MatchMismatch } from "../../model/trace-reason.js";

export interface MatchContext {
  readonly namespace: NetworkNamespace;
  readonly hook: HookName;
  readonly packet: Ipv4Packet;
  readonly in?: NetDevice;
  readonly out?: NetDevice;
  /** Bridge ports of a bridged packet (br_netfilter's nf_bridge_info). */
  readonly physIn?: NetDevice;
  readonly physOut?: NetDevice;
  /** The packet is being bridged (not routed) by a bridge of this namespace. */
  readonly bridged: boolean;
  /** The virtual clock (µs): what jiffies are to xt_limit, xt_recent and nf_ct_expires(). */
  readonly now: number;
}

/**
 * One xt match (struct xt_match): `match` is its match function, run on
 * every packet the rule sees; `mismatch` says why a packet it refused did not
 * match, as data for the trace only (it reads the packet again, never
 * changes the match's own state: a statistic draw is not made twice).
 */
export interface XtMatch<M> {
  match(match: M, context: MatchContext, ruleNumber: number): boolean;
  mismatch(match: M, context: MatchContext): MatchMismatch;
  /** The match needs conntrack (nf_ct_netns_get() in its checkentry). */
  readonly needsConntrack: boolean;
  /** xt_match .proto: the only -p the match may be used with (xt_check_match() refuses any other, or its `!`, with EINVAL). */
  readonly proto?: number;
  /** checkentry: the errno refusing the rule in this table and chain (a user chain: any hook may reach it), undefined to accept. */
  checkentry?(match: M, table: TableName, chain: string, namespace: NetworkNamespace): Errno | undefined;
}

/** Interface names as iptables compares them: a trailing `+` matches any name with that stem. */
export function interfaceNameMatches(pattern: string, name: string | undefined): boolean {
  const actual = name ?? "";
  if (pattern.endsWith("+")) return actual.startsWith(pattern.slice(0, -1));
  return actual === pattern;
}

/** What a match that always matches says if asked why it did not (xt_comment, xt_nfacct). */
export const NO_MISMATCH: MatchMismatch = { match: "none" };
