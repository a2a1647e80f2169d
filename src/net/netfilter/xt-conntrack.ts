// The conntrack and state matches (net/netfilter/xt_conntrack.c:
// conntrack_mt with --ctstate; xt_state.c: state_mt).
import type { Match } from "../../model/netfilter.js";
import type { MatchContext, MatchResult } from "./xt-match-context.js";

export function conntrackStateMatch(match: Extract<Match, { kind: "conntrack" | "state" }>, context: MatchContext): MatchResult {
  const state = context.packet.conntrack?.namespaceId === context.namespace.id ? context.packet.conntrack.state : "UNTRACKED";
  const found = match.states.includes(state);
  if (found === match.invert) return `ctstate ${state} is ${match.invert ? "" : "not "}${match.states.join(",")}`;
  return undefined;
}
