// The mark match and MARK target (net/netfilter/xt_mark.c: mark_mt, mark_tg):
// skb->mark, which the model keeps with the packet's conntrack association.
import { withConntrack } from "../../model/conntrack.js";
import type { Match, Target } from "../../model/netfilter.js";
import type { Ipv4Packet } from "../../model/packet.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { XtMatch } from "./xt-match-context.js";

export function packetMark(namespace: NetworkNamespace, packet: Ipv4Packet): number {
  return packet.conntrack?.namespaceId === namespace.id ? packet.conntrack.mark : 0;
}

/** mark_mt(): (mark & mask) == value, XOR the inversion. */
export const xtMark: XtMatch<Extract<Match, { kind: "mark" }>> = {
  needsConntrack: false,
  match(match, context) {
    return (((packetMark(context.namespace, context.packet) & match.mask) >>> 0) === match.value) !== match.invert;
  },
  mismatch(_match, context) {
    return { match: "mark", mark: packetMark(context.namespace, context.packet) };
  },
};

/** mark_tg(): mark = (mark & ~mask) ^ value. */
export function markTarget(target: Extract<Target, { kind: "MARK" }>, namespace: NetworkNamespace, packet: Ipv4Packet): Ipv4Packet {
  const mark = (((packetMark(namespace, packet) & ~target.mask) ^ target.value) >>> 0);
  const association = packet.conntrack?.namespaceId === namespace.id ? packet.conntrack : { namespaceId: namespace.id, state: "UNTRACKED" as const, mark: 0 };
  return withConntrack(packet, { ...association, mark });
}
