// The conntrack and state matches (net/netfilter/xt_conntrack.c:
// conntrack_mt, revision 3; xt_state.c: state_mt).
import { ConntrackStatus, type ConntrackEntry } from "../../model/conntrack.js";
import type { ConntrackAddressTest, ConntrackMatch, ConntrackPortTest, ConntrackStateName, Match } from "../../model/netfilter.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";
import type { MatchMismatch } from "../../model/trace-reason.js";

type StateMatch = Extract<Match, { kind: "state" }>;

function packetState(context: MatchContext): ConntrackStateName {
  return context.packet.conntrack?.namespaceId === context.namespace.id ? context.packet.conntrack.state : "UNTRACKED";
}

/** state_mt(): the packet's ctinfo bit among the states listed. */
export const xtState: XtMatch<StateMatch> = {
  needsConntrack: true,
  match(match, context) {
    return match.states.includes(packetState(context)) !== match.invert;
  },
  mismatch(match, context) {
    return { match: "state", state: packetState(context), invert: match.invert, states: match.states };
  },
};

/** The packet's entry (skb->_nfct), when it has one in this namespace. */
function packetEntry(context: MatchContext): ConntrackEntry | undefined {
  const attached = context.packet.conntrack;
  if (attached === undefined || attached.namespaceId !== context.namespace.id || attached.entryId === undefined) return undefined;
  return context.namespace.netfilter?.conntrack.entries.get(attached.entryId);
}

/** The XT_CONNTRACK_STATE bits the packet has: its ctinfo's, plus SNAT/DNAT from the entry's IPS_SRC_NAT/IPS_DST_NAT. */
function stateBits(context: MatchContext, entry: ConntrackEntry | undefined): ConntrackStateName[] {
  const states: ConntrackStateName[] = [packetState(context)];
  if (entry !== undefined) {
    if ((entry.status & ConntrackStatus.sourceNat) !== 0) states.push("SNAT");
    if ((entry.status & ConntrackStatus.destinationNat) !== 0) states.push("DNAT");
  }
  return states;
}

function addressHolds(test: ConntrackAddressTest, address: number): boolean {
  const mask = test.prefixLength === 0 ? 0 : (0xffffffff << (32 - test.prefixLength)) >>> 0;
  return ((((address ^ test.address) & mask) >>> 0) === 0) !== test.invert;
}

function portHolds(test: ConntrackPortTest, port: number): boolean {
  return (port >= test.first && port <= test.last) !== test.invert;
}

/** conntrack_mt(): the first test that fails; undefined when the packet matches. */
function conntrackFails(match: ConntrackMatch, context: MatchContext): MatchMismatch | undefined {
  const entry = packetEntry(context);
  if (match.states !== undefined) {
    const bits = stateBits(context, entry);
    if (match.states.some((state) => bits.includes(state)) === match.invert) return { match: "ctstate", bits, invert: match.invert, states: match.states };
  }
  // No entry: only --ctstate could decide (UNTRACKED, INVALID).
  if (entry === undefined) return match.states !== undefined ? undefined : { match: "ct-no-entry" };
  const direction = context.packet.conntrack?.direction === "reply" ? "REPLY" : "ORIGINAL";
  if (match.direction !== undefined && match.direction !== direction) return { match: "ctdir", direction };
  const { original, reply } = entry;
  const addresses: [ConntrackAddressTest | undefined, number, string][] = [
    [match.originalSource, original.source, "ctorigsrc"],
    [match.originalDestination, original.destination, "ctorigdst"],
    [match.replySource, reply.source, "ctreplsrc"],
    [match.replyDestination, reply.destination, "ctrepldst"],
  ];
  for (const [test, address, name] of addresses) if (test !== undefined && !addressHolds(test, address)) return { match: "ct-address", option: name, address };
  if (match.protocol !== undefined && (original.protocol === match.protocol.number) === match.protocol.invert) return { match: "ctproto", protocol: original.protocol };
  const ports: [ConntrackPortTest | undefined, number, string][] = [
    [match.originalSourcePort, original.sourcePort, "ctorigsrcport"],
    [match.originalDestinationPort, original.destinationPort, "ctorigdstport"],
    [match.replySourcePort, reply.sourcePort, "ctreplsrcport"],
    [match.replyDestinationPort, reply.destinationPort, "ctrepldstport"],
  ];
  for (const [test, port, name] of ports) if (test !== undefined && !portHolds(test, port)) return { match: "ct-port", option: name, port };
  // The IPS_* bits --ctstatus names are the low four: EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED.
  if (match.status !== undefined && ((match.status.mask & entry.status) !== 0) === match.status.invert) return { match: "ctstatus", status: entry.status & 0xf };
  if (match.expires !== undefined) {
    // nf_ct_expires() / HZ: whole seconds left; an unconfirmed entry's timeout is still relative, so it reads 0.
    const seconds = (entry.status & ConntrackStatus.confirmed) === 0 ? 0 : Math.max(0, Math.floor((entry.expires - context.now) / 1_000_000));
    if ((seconds >= match.expires.min && seconds <= match.expires.max) === match.expires.invert) return { match: "ctexpire", seconds };
  }
  return undefined;
}

export const xtConntrack: XtMatch<ConntrackMatch> = {
  needsConntrack: true,
  match: (match, context) => conntrackFails(match, context) === undefined,
  mismatch: (match, context) => conntrackFails(match, context)!,
};
