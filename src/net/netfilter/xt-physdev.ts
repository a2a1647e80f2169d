// The physdev match (net/netfilter/xt_physdev.c: physdev_mt): the bridge
// ports a bridged packet came in and goes out by.
import type { Match } from "../../model/netfilter.js";
import { interfaceNameMatches, type MatchContext, type XtMatch } from "./xt-match-context.js";

type PhysdevMatch = Extract<Match, { kind: "physdev" }>;

/** physdev_mt(): the first test that fails, in words (tests on ports are cheap: one function decides and describes). */
function physdevFails(match: PhysdevMatch, context: MatchContext): string | undefined {
  const physIn = context.physIn;
  const physOut = context.physOut;
  if (!physIn && !physOut) {
    // "Not a bridged IP packet or no info available yet": only the negated bridge tests can match.
    if (match.physdevIn && !match.physdevIn.invert) return "not bridged";
    if (match.physdevOut && !match.physdevOut.invert) return "not bridged";
    if (match.isBridged && !match.isBridged.invert) return "not bridged";
    if (match.isIn && !match.isIn.invert) return "not bridged";
    if (match.isOut && !match.isOut.invert) return "not bridged";
    return undefined;
  }
  if (match.isBridged && context.bridged === match.isBridged.invert) return `the packet is ${context.bridged ? "" : "not "}bridged`;
  if (match.isIn && (physIn !== undefined) === match.isIn.invert) return "physdev-is-in does not hold";
  if (match.isOut && (physOut !== undefined) === match.isOut.invert) return "physdev-is-out does not hold";
  if (match.physdevIn && interfaceNameMatches(match.physdevIn.name, physIn?.name) === match.physdevIn.invert) return `came in on bridge port ${physIn?.name ?? "(none)"}`;
  if (match.physdevOut && interfaceNameMatches(match.physdevOut.name, physOut?.name) === match.physdevOut.invert) return `goes out of bridge port ${physOut?.name ?? "(none)"}`;
  return undefined;
}

export const xtPhysdev: XtMatch<PhysdevMatch> = {
  needsConntrack: false,
  match: (match, context) => physdevFails(match, context) === undefined,
  mismatch: (match, context) => physdevFails(match, context)!,
};
