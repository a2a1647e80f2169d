// iptables' state match (extensions/libxt_state.c, iptables 1.8.9's alias of
// conntrack --ctstate: state_opts, state_parse_states, state_save,
// state_print). SNAT and DNAT are conntrack's states only.
import type { ConntrackStateName, Match } from "../../model/netfilter.js";
import { mustBeSpecified, option, type XtablesMatch } from "./xtables.js";

type StateMatch = Extract<Match, { kind: "state" }>;

const NAME = "state";
/** The states in the order the match prints them (their bit order). */
const STATES: readonly ConntrackStateName[] = ["INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED"];

const sorted = (states: readonly ConntrackStateName[]) => STATES.filter((state) => states.includes(state)).join(",");

export const libxtState: XtablesMatch<StateMatch> = {
  name: NAME,
  description: "`state`",
  options: [option("state", true, true)],
  parse(values, context) {
    const value = values.get("state");
    if (!value) throw mustBeSpecified(context, NAME, "state");
    const states = value.value!.split(",").map((text) => {
      const upper = text.toUpperCase() as ConntrackStateName;
      if (!STATES.includes(upper)) throw context.problem(`Bad state "${text}"`);
      return upper;
    });
    return { kind: "state", states, invert: value.invert };
  },
  save: (match) => `${match.invert ? " !" : ""} --state ${sorted(match.states)}`,
  print: (match) => `${match.invert ? " !" : ""} state ${sorted(match.states)}`,
};
