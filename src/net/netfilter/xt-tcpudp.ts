// The tcp, udp (net/netfilter/xt_tcpudp.c: tcp_mt, udp_mt) and icmp
// (net/ipv4/netfilter/ip_tables.c: icmp_match) matches.
import type { Match } from "../../model/netfilter.js";
import type { MatchContext, XtMatch } from "./xt-match-context.js";

type PortMatch = Extract<Match, { kind: "tcp" | "udp" }>;
type IcmpMatch = Extract<Match, { kind: "icmp" }>;

function inRange(port: number, range: { first: number; last: number }): boolean {
  return port >= range.first && port <= range.last;
}

/** tcp_flag_byte(th): the model's segments carry no PSH or URG. */
function flagBits(flags: { fin?: boolean; syn?: boolean; rst?: boolean; ack?: boolean }): number {
  return (flags.fin ? 0x01 : 0) | (flags.syn ? 0x02 : 0) | (flags.rst ? 0x04 : 0) | (flags.ack ? 0x10 : 0);
}

/** tcp_mt(), udp_mt(). */
export const xtTcpUdp: XtMatch<PortMatch> = {
  needsConntrack: false,
  match(match, context) {
    const transport = context.packet.transport;
    if (transport.protocol !== match.kind) return false;
    if (match.sourcePorts && inRange(transport.sourcePort, match.sourcePorts) === Boolean(match.sourceInvert)) return false;
    if (match.destinationPorts && inRange(transport.destinationPort, match.destinationPorts) === Boolean(match.destinationInvert)) return false;
    // (tcp_flag_byte(th) & flg_mask) == flg_cmp, XOR the inversion.
    if (match.tcpFlags && transport.protocol === "tcp" && ((flagBits(transport.flags) & match.tcpFlags.mask) === match.tcpFlags.compare) === match.tcpFlags.invert) return false;
    return true;
  },
  mismatch(match, context) {
    const transport = context.packet.transport;
    if (transport.protocol !== match.kind) return { match: "tcp-udp-protocol", kind: match.kind };
    if (match.sourcePorts && inRange(transport.sourcePort, match.sourcePorts) === Boolean(match.sourceInvert)) {
      return { match: "tcp-udp-port", side: "source", port: transport.sourcePort, invert: Boolean(match.sourceInvert), first: match.sourcePorts.first, last: match.sourcePorts.last };
    }
    if (match.destinationPorts && inRange(transport.destinationPort, match.destinationPorts) === Boolean(match.destinationInvert)) {
      return { match: "tcp-udp-port", side: "destination", port: transport.destinationPort, invert: Boolean(match.destinationInvert), first: match.destinationPorts.first, last: match.destinationPorts.last };
    }
    const bits = transport.protocol === "tcp" ? flagBits(transport.flags) : 0;
    const holds = (bits & match.tcpFlags!.mask) === match.tcpFlags!.compare;
    return { match: "tcp-flags", bits, mask: match.tcpFlags!.mask, compare: match.tcpFlags!.compare, holds };
  },
};

/**
 * A tcp/udp match as numbers: the form ip-tables.ts prepares a leading
 * tcp/udp match in (fields of its prepared rule). No protocol: no port
 * match; an absent port test is the full range.
 */
export interface PortTest {
  readonly portProtocol: "tcp" | "udp" | undefined;
  readonly sourcePortFirst: number;
  readonly sourcePortLast: number;
  readonly sourcePortInvert: boolean;
  readonly destinationPortFirst: number;
  readonly destinationPortLast: number;
  readonly destinationPortInvert: boolean;
}

export function portTest(match: PortMatch | undefined): PortTest {
  const source = match?.sourcePorts;
  const destination = match?.destinationPorts;
  return {
    portProtocol: match?.kind,
    sourcePortFirst: source ? source.first : 0,
    sourcePortLast: source ? source.last : 0xffff,
    sourcePortInvert: source ? Boolean(match.sourceInvert) : false,
    destinationPortFirst: destination ? destination.first : 0,
    destinationPortLast: destination ? destination.last : 0xffff,
    destinationPortInvert: destination ? Boolean(match.destinationInvert) : false,
  };
}

/** xtTcpUdp.match() on a prepared test (ports only, no flags). */
export function portTestHolds(test: PortTest, context: MatchContext): boolean {
  if (test.portProtocol === undefined) return true;
  const transport = context.packet.transport;
  if (transport.protocol !== test.portProtocol) return false;
  const sourcePort = transport.sourcePort;
  if ((sourcePort >= test.sourcePortFirst && sourcePort <= test.sourcePortLast) === test.sourcePortInvert) return false;
  const destinationPort = transport.destinationPort;
  return (destinationPort >= test.destinationPortFirst && destinationPort <= test.destinationPortLast) !== test.destinationPortInvert;
}

/** icmp_match(): type 255 (`any`) matches every type. */
function icmpTypeMatches(match: IcmpMatch, type: number, code: number): boolean {
  return match.type === undefined || match.type === 255 || (type === match.type && (!match.codes || inRange(code, match.codes)));
}

export const xtIcmp: XtMatch<IcmpMatch> = {
  needsConntrack: false,
  // ip_tables.c ipt_builtin_mt: the icmp match is .proto IPPROTO_ICMP ("icmp match: only valid for protocol 1").
  proto: 1,
  match(match, context) {
    const transport = context.packet.transport;
    return transport.protocol === "icmp" && icmpTypeMatches(match, transport.type, transport.code) !== Boolean(match.invert);
  },
  mismatch(_match, context) {
    const transport = context.packet.transport;
    return transport.protocol !== "icmp" ? { match: "icmp", type: undefined, code: undefined } : { match: "icmp", type: transport.type, code: transport.code };
  },
};
