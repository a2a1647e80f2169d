// net/netfilter/xt_set.c: the set match (set_match_v4) and the SET target
// (set_target_v3), and each type's kadt (ip_set_hash_*.c, ip_set_bitmap_port.c):
// the element a packet makes, its dimensions taken from the source or the
// destination as the rule's flags say (ip_set_get_ip4_port for ports: TCP
// and UDP ports, ICMP type << 8 | code, 0 for other protocols).
import type { IpSet, IpSetElement } from "../../model/ipset.js";
import type { IpSetReference, Match, SetCounterMatch, Target } from "../../model/netfilter.js";
import type { Ipv4Packet } from "../../model/packet.js";
import { ipv4TotalLength } from "../../model/packet.js";
import { IP_SET_DIMENSION, ipSetByName, ipSetKadt, ipSetTestElement } from "./ipset/ip-set-core.js";
import { hashNetCidrs } from "./ipset/ip-set-hash-gen.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";
import { markTarget } from "./xt-mark.js";

export type SetMatch = Extract<Match, { kind: "set" }>;
export type SetTarget = Extract<Target, { kind: "SET" }>;

type ElementData = Pick<IpSetElement, "ip" | "cidr" | "protocol" | "port">;

/** ip_set_get_ip4_port(): the protocol and the port dimension of a packet. */
function packetPort(packet: Ipv4Packet, source: boolean): { protocol: number; port: number } {
  const transport = packet.transport;
  if (transport.protocol === "icmp") return { protocol: 1, port: (transport.type << 8) | transport.code };
  return { protocol: transport.protocol === "tcp" ? 6 : 17, port: source ? transport.sourcePort : transport.destinationPort };
}

/** The type's kadt: the packet's element, or undefined where the type takes none (bitmap:port off TCP/UDP). */
export function packetElement(set: IpSet, reference: IpSetReference, packet: Ipv4Packet): ElementData | undefined {
  const flag = (dimension: number) => (reference.flags[dimension] ?? "dst") === "src";
  if (set.type === "bitmap:port") {
    const { protocol, port } = packetPort(packet, flag(0));
    return protocol === 6 || protocol === 17 ? { ip: 0, cidr: 0, protocol: 0, port } : undefined;
  }
  const ip = flag(0) ? packet.source : packet.destination;
  const ported = set.type === "hash:ip,port" || set.type === "hash:net,port" ? packetPort(packet, flag(1)) : { protocol: 0, port: 0 };
  return { ip, cidr: 32, ...ported };
}

/** ip_set_match_counter(). */
function counterHolds(counter: number, test: SetCounterMatch | undefined): boolean {
  if (!test) return true;
  const value = BigInt(test.value);
  const current = BigInt(counter);
  switch (test.op) {
    case "eq":
      return current === value;
    case "ne":
      return current !== value;
    case "lt":
      return current < value;
    case "gt":
      return current > value;
  }
}

/** ip_set_test() for xt_set: fewer flags than the set's dimension never match; --return-nomatch turns nomatch hits into matches and plain hits into misses. */
function setTest(match: SetMatch, context: MatchContext): boolean {
  const set = ipSetByName(context.namespace, match.set.name);
  if (!set || match.set.flags.length < IP_SET_DIMENSION[set.type]) return false;
  const data = packetElement(set, match.set, context.packet);
  if (!data) return false;
  const result = ipSetTestElement(set, data, context.now ?? 0);
  if (result.kind === "miss") return false;
  // ip_set_match_extensions(): a set with counters updates the element's, then (IPSET_FLAG_MATCH_COUNTERS) tests them; a failed test is a miss, nomatch or not.
  if (set.counters) {
    if (match.updateCounters) {
      result.element.packets += 1;
      result.element.bytes += ipv4TotalLength(context.packet);
    }
    if (!counterHolds(result.element.packets, match.packets) || !counterHolds(result.element.bytes, match.bytes)) return false;
  }
  const nomatchType = set.type === "hash:net" || set.type === "hash:net,port";
  if (match.returnNomatch && nomatchType) return result.kind === "nomatch";
  return result.kind === "match";
}

export const xtSet: XtMatch<SetMatch> = {
  needsConntrack: false,
  match: (match, context) => setTest(match, context) !== match.invert,
  mismatch(match, context) {
    const set = ipSetByName(context.namespace, match.set.name);
    const data = set ? packetElement(set, match.set, context.packet) : undefined;
    const element = data === undefined ? undefined : set!.type === "bitmap:port" ? { port: data.port } : { ip: data.ip, protocol: data.protocol || undefined, port: data.port };
    return { match: "set", name: match.set.name, invert: match.invert, returnNomatch: Boolean(match.returnNomatch), element };
  },
};

/**
 * set_target_v3(): add and/or delete the packet's element, then with
 * --map-set look it up and give the packet the element's skbmark
 * (mark = (mark & ~mask) ^ value); the walk goes on (XT_CONTINUE). The
 * packet with its new mark, or undefined where it keeps its own.
 */
export function setTarget(target: SetTarget, context: MatchContext): Ipv4Packet | undefined {
  const now = context.now ?? 0;
  const apply = (reference: IpSetReference | undefined, kind: "add" | "del") => {
    if (!reference) return;
    const set = ipSetByName(context.namespace, reference.name);
    if (!set || reference.flags.length < IP_SET_DIMENSION[set.type]) return;
    const data = packetElement(set, reference, context.packet);
    if (!data) return;
    // hash:net's kadt adds the address at the set's longest prefix (HOST_MASK when empty).
    const cidr = set.type === "hash:net" || set.type === "hash:net,port" ? (hashNetCidrs(set)[0] ?? 32) : data.cidr;
    ipSetKadt(context.namespace, set, kind, { ...data, cidr }, { exist: target.exist, ...(target.timeout !== undefined ? { timeout: target.timeout } : {}) }, now);
  };
  apply(target.add, "add");
  apply(target.del, "del");
  if (!target.map) return undefined;
  const set = ipSetByName(context.namespace, target.map.name);
  if (!set || target.map.flags.length < IP_SET_DIMENSION[set.type]) return undefined;
  const data = packetElement(set, target.map, context.packet);
  if (!data) return undefined;
  const result = ipSetTestElement(set, data, now);
  if (result.kind !== "match") return undefined;
  // The lookup is ip_set_test() without IPSET_FLAG_SKIP_COUNTER_UPDATE: a set with counters counts the packet.
  if (set.counters) {
    result.element.packets += 1;
    result.element.bytes += ipv4TotalLength(context.packet);
  }
  if (!target.mapMark) return undefined;
  const element = result.element;
  return markTarget({ kind: "MARK", value: element.skbmark, mask: element.skbmarkmask }, context.namespace, context.packet);
}
