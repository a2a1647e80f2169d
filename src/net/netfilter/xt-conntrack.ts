// The conntrack and state matches (net/netfilter/xt_conntrack.c:
// conntrack_mt with --ctstate; xt_state.c: state_mt).
import type { ConntrackStateName, Match } from "../../model/netfilter.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";

type StateMatch = Extract<Match, { kind: "conntrack" | "state" }>;

function packetState(context: MatchContext): ConntrackStateName {
  return context.packet.conntrack?.namespaceId === context.namespace.id ? context.packet.conntrack.state : "UNTRACKED";
}

export const xtConntrack: XtMatch<StateMatch> = {
  needsConntrack: true,
  match(match, context) {
    return match.states.includes(packetState(context)) !== match.invert;
  },
  mismatch(match, context) {
    return `ctstate ${packetState(context)} is ${match.invert ? "" : "not "}${match.states.join(",")}`;
  },
};
