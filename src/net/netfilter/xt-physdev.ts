// The physdev match (net/netfilter/xt_physdev.c: physdev_mt): the bridge
// ports a bridged packet came in and goes out by.
import type { Match } from "../../model/netfilter.js";
import { interfaceNameMatches, type MatchContext, type XtMatch } from "./xt-match-context.js";
import type { MatchMismatch } from "../../model/trace-reason.js";

type PhysdevMatch = Extract<Match, { kind: "physdev" }>;

// The answers that carry no data, made once.
const NOT_BRIDGED: MatchMismatch = { match: "physdev-not-bridged" };
const IS_IN_FAILS: MatchMismatch = { match: "physdev-is-in" };
const IS_OUT_FAILS: MatchMismatch = { match: "physdev-is-out" };

/** physdev_mt(): the first test that fails (tests on ports are cheap: one function decides and says which). */
function physdevFails(match: PhysdevMatch, context: MatchContext): MatchMismatch | undefined {
  const physIn = context.physIn;
  const physOut = context.physOut;
  if (!physIn && !physOut) {
    // "Not a bridged IP packet or no info available yet": only the negated bridge tests can match.
    if (match.physdevIn && !match.physdevIn.invert) return NOT_BRIDGED;
    if (match.physdevOut && !match.physdevOut.invert) return NOT_BRIDGED;
    if (match.isBridged && !match.isBridged.invert) return NOT_BRIDGED;
    if (match.isIn && !match.isIn.invert) return NOT_BRIDGED;
    if (match.isOut && !match.isOut.invert) return NOT_BRIDGED;
    return undefined;
  }
  if (match.isBridged && context.bridged === match.isBridged.invert) return { match: "physdev-bridged", bridged: context.bridged };
  if (match.isIn && (physIn !== undefined) === match.isIn.invert) return IS_IN_FAILS;
  if (match.isOut && (physOut !== undefined) === match.isOut.invert) return IS_OUT_FAILS;
  if (match.physdevIn && interfaceNameMatches(match.physdevIn.name, physIn?.name) === match.physdevIn.invert) return { match: "physdev-port", side: "in", port: physIn?.name };
  if (match.physdevOut && interfaceNameMatches(match.physdevOut.name, physOut?.name) === match.physdevOut.invert) return { match: "physdev-port", side: "out", port: physOut?.name };
  return undefined;
}

export const xtPhysdev: XtMatch<PhysdevMatch> = {
  needsConntrack: false,
  match: (match, context) => physdevFails(match, context) === undefined,
  mismatch: (match, context) => physdevFails(match, context)!,
};
