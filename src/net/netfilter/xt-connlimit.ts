// The connlimit match (net/netfilter/xt_connlimit.c: connlimit_mt, counting
// with nf_conncount.c): the connections this rule has seen from (or to) the
// packet's address under the mask, the packet's own included; those that
// left conntrack, or TCP connections closing (TIME_WAIT, CLOSE), drop out
// of the count (nf_conncount's gc and already_closed()).
import type { ConntrackEntry } from "../../model/conntrack.js";
import type { ConnlimitMatch } from "../../model/netfilter.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";

function keyOf(match: ConnlimitMatch, address: number): number {
  const mask = match.prefixLength === 0 ? 0 : (0xffffffff << (32 - match.prefixLength)) >>> 0;
  return (address & mask) >>> 0;
}

/** nf_conncount_count(): the connections counted under the packet's key, its own added; undefined when the packet has no connection. */
function connections(match: ConnlimitMatch, context: MatchContext): number | undefined {
  const attached = context.packet.conntrack;
  const table = context.namespace.netfilter?.conntrack;
  if (attached === undefined || attached.namespaceId !== context.namespace.id || attached.entryId === undefined || table === undefined) return undefined;
  const entry = table.entries.get(attached.entryId);
  if (entry === undefined) return undefined;
  const key = keyOf(match, match.side === "dest" ? context.packet.destination : context.packet.source);
  const seen = connlimitState(match).get(key) ?? [];
  const alive = (other: ConntrackEntry | undefined) => other !== undefined && other.tcpState !== "TIME_WAIT" && other.tcpState !== "CLOSE";
  const kept = seen.filter((id) => id === entry.id || alive(table.entries.get(id)));
  if (!kept.includes(entry.id)) kept.push(entry.id);
  connlimitState(match).set(key, kept);
  return kept.length;
}

/** The rule's nf_conncount_data (info->data): its per-key lists of connection ids, the match's running state. */
function connlimitState(match: ConnlimitMatch): Map<number, number[]> {
  return match.state.counted;
}

function connlimitHolds(match: ConnlimitMatch, context: MatchContext): boolean {
  const count = connections(match, context);
  // No tuple: the kernel hotdrops; the model's packets here always have one when conntrack runs.
  if (count === undefined) return false;
  return match.upto ? count <= match.limit : count > match.limit;
}

export const xtConnlimit: XtMatch<ConnlimitMatch> = {
  needsConntrack: true,
  match: (match, context) => connlimitHolds(match, context),
  mismatch(match, context) {
    const count = connlimitState(match).get(keyOf(match, match.side === "dest" ? context.packet.destination : context.packet.source))?.length ?? 0;
    return { match: "connlimit", count, side: match.side === "dest" ? "destination" : "source", prefixLength: match.prefixLength, upto: Boolean(match.upto), limit: match.limit };
  },
};
