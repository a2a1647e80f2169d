// What a match sees of a packet at a hook (struct xt_action_param: in/out
// devices, the hook, the conntrack state, plus br_netfilter's physdev ports).
import type { NetDevice } from "../../model/netdevice.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { HookName } from "../../model/netfilter.js";
import type { Ipv4Packet } from "../../model/packet.js";

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
}

/** A match's answer: undefined when it matches, else why not (for the trace). */
export type MatchResult = string | undefined;

/** Interface names as iptables compares them: a trailing `+` matches any name with that stem. */
export function interfaceNameMatches(pattern: string, name: string | undefined): boolean {
  const actual = name ?? "";
  if (pattern.endsWith("+")) return actual.startsWith(pattern.slice(0, -1));
  return actual === pattern;
}
