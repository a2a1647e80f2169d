// NAT core (net/netfilter/nf_nat_core.c: nf_nat_setup_info, get_unique_tuple,
// nf_nat_used_tuple, nf_nat_l4proto_unique_tuple, nf_nat_packet,
// nf_nat_alloc_null_binding; nf_nat_proto.c: nf_nat_icmp_reply_translation).
// The nat table is asked once per connection and manip type; after that
// every packet of either direction is rewritten from the conntrack entry.
import type { ConntrackEntry, ConntrackTable, ConntrackTuple } from "../../model/conntrack.js";
import { ConntrackStatus, setConntrackStatus } from "../../model/conntrack.js";
import type { NatRange } from "../../model/netfilter.js";
import type { Ipv4Packet, Transport } from "../../model/packet.js";
import { conntrackReplyChanged, invertTuple, tupleTaken } from "./nf-conntrack.js";

export type ManipType = "source" | "destination";

/** A rule's NAT decision: where the connection's source or destination goes. */
export interface NatBinding {
  readonly manip: ManipType;
  readonly range: NatRange;
  /** MASQUERADE only: the output device, remembered by the connection (nat->masq_index). */
  readonly masqueradeIndex?: number;
}

/** The port classes MASQUERADE/SNAT keep a port in when no range is given (nf_nat_l4proto_unique_tuple). */
function portClass(port: number, protocol: number): { first: number; size: number } {
  if (protocol === 1) return { first: 0, size: 65536 };
  if (port < 512) return { first: 1, size: 511 };
  if (port < 1024) return { first: 600, size: 424 };
  return { first: 1024, size: 64512 };
}

function withManip(tuple: ConntrackTuple, manip: ManipType, address: number, port: number): ConntrackTuple {
  if (tuple.protocol === 1) {
    // ICMP echo: the id is the "port", the same on both sides.
    return manip === "source" ? { ...tuple, source: address, sourcePort: port, destinationPort: port } : { ...tuple, destination: address, sourcePort: port, destinationPort: port };
  }
  return manip === "source" ? { ...tuple, source: address, sourcePort: port } : { ...tuple, destination: address, destinationPort: port };
}

function hasPorts(tuple: ConntrackTuple): boolean {
  return tuple.protocol === 1 || tuple.protocol === 6 || tuple.protocol === 17;
}

/** Attempts before giving up on a free port, as the kernel (128, halving). */
const MAX_ATTEMPTS = 128;

/**
 * get_unique_tuple(): the translated tuple for the connection. The current
 * port is kept when the result is free; otherwise ports of the range (or the
 * port's class) are tried from a per-namespace cursor: the kernel starts at a
 * random offset, the model at a counter, so a run replays exactly.
 */
function uniqueTuple(table: ConntrackTable, entry: ConntrackEntry, current: ConntrackTuple, binding: NatBinding, now: number): ConntrackTuple | undefined {
  const { manip, range } = binding;
  const address = range.addresses?.first ?? (manip === "source" ? current.source : current.destination);
  const currentPort = manip === "source" ? current.sourcePort : current.destinationPort;
  const taken = (tuple: ConntrackTuple) => tupleTaken(table, invertTuple(tuple), entry, now);
  if (!hasPorts(current)) {
    const tuple = withManip(current, manip, address, 0);
    return tuple;
  }
  if (manip === "destination") {
    // NF_NAT_RANGE_PROTO_OFFSET (DNAT's shifted port map): min + (port - base) modulo the range's size, in u16 arithmetic.
    if (range.ports && range.offset !== undefined) {
      const size = (range.ports.last - range.ports.first + 1) & 0xffff || 0x10000;
      return withManip(current, manip, address, (range.ports.first + (((currentPort - range.offset) & 0xffff) % size)) & 0xffff);
    }
    // DNAT / REDIRECT: one port (or the one the packet had).
    return withManip(current, manip, address, range.ports?.first ?? currentPort);
  }
  const inRange = !range.ports || (currentPort >= range.ports.first && currentPort <= range.ports.last);
  // NF_NAT_RANGE_PROTO_RANDOM_ALL (--random, --random-fully): the port is never kept.
  if (inRange && !range.random && !range.randomFully) {
    const kept = withManip(current, manip, address, currentPort);
    if (!taken(kept)) return kept;
  }
  const { first, size } = range.ports ? { first: range.ports.first, size: range.ports.last - range.ports.first + 1 } : portClass(currentPort, current.protocol);
  const attempts = Math.min(size, MAX_ATTEMPTS);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = first + ((table.natPortCursor + attempt) % size);
    const candidate = withManip(current, manip, address, port);
    if (!taken(candidate)) {
      table.natPortCursor = (table.natPortCursor + attempt + 1) % 65536;
      return candidate;
    }
  }
  return undefined;
}

/** nf_nat_setup_info(): bind the connection; the reply tuple changes so replies come back through it. False: no free tuple (the packet is dropped). */
export function natSetupInfo(table: ConntrackTable, entry: ConntrackEntry, binding: NatBinding, now: number): boolean {
  const current = invertTuple(entry.reply);
  const translated = uniqueTuple(table, entry, current, binding, now);
  if (!translated) return false;
  if (binding.masqueradeIndex !== undefined) entry.masqueradeIndex = binding.masqueradeIndex;
  const changed = translated.source !== current.source || translated.destination !== current.destination || translated.sourcePort !== current.sourcePort || translated.destinationPort !== current.destinationPort;
  if (changed) {
    const previousReply = entry.reply;
    entry.reply = invertTuple(translated);
    conntrackReplyChanged(table, entry, previousReply);
    if (binding.manip === "source") setConntrackStatus(entry, "sourceNat");
    else setConntrackStatus(entry, "destinationNat");
  }
  markNatDone(entry, binding.manip);
  return true;
}

/** nf_nat_alloc_null_binding(): no rule asked for NAT; the connection keeps its addresses for this manip. */
export function markNatDone(entry: ConntrackEntry, manip: ManipType): void {
  if (manip === "source") setConntrackStatus(entry, "sourceNatDone");
  else setConntrackStatus(entry, "destinationNatDone");
}

export function natInitialized(entry: ConntrackEntry, manip: ManipType): boolean {
  // The bits read directly (test_bit): hasConntrackStatus()'s keyed lookup costs on every NAT'd packet.
  return (entry.status & (manip === "source" ? ConntrackStatus.sourceNatDone : ConntrackStatus.destinationNatDone)) !== 0;
}

function rewrite(packet: Ipv4Packet, manip: ManipType, target: ConntrackTuple): Ipv4Packet {
  const transport = packet.transport;
  let next: Transport = transport;
  if (transport.protocol === "icmp") {
    if (transport.id !== undefined) next = { ...transport, id: target.sourcePort };
  } else if (manip === "source") next = { ...transport, sourcePort: target.sourcePort };
  else next = { ...transport, destinationPort: target.destinationPort };
  // Spelled out (the keys in the model's order) rather than spread: the copy is on every NAT'd packet's path.
  const source = manip === "source" ? target.source : packet.source;
  const destination = manip === "source" ? packet.destination : target.destination;
  return packet.conntrack === undefined
    ? { source, destination, ttl: packet.ttl, transport: next, payloadLength: packet.payloadLength }
    : { source, destination, ttl: packet.ttl, transport: next, payloadLength: packet.payloadLength, conntrack: packet.conntrack };
}

/** Whether `manip` applies to packets going `direction` (the status bits flip for replies). */
function applies(entry: ConntrackEntry, direction: "original" | "reply", manip: ManipType): boolean {
  return (entry.status & ((manip === "source") === (direction === "original") ? ConntrackStatus.sourceNat : ConntrackStatus.destinationNat)) !== 0;
}

/** nf_nat_packet(): rewrite one packet from the connection's tuples. */
export function natPacket(entry: ConntrackEntry, direction: "original" | "reply", manip: ManipType, packet: Ipv4Packet): Ipv4Packet {
  if (!applies(entry, direction, manip)) return packet;
  const target = invertTuple(direction === "original" ? entry.reply : entry.original);
  return rewrite(packet, manip, target);
}

/**
 * nf_nat_icmp_reply_translation(): an ICMP error about a NATed connection.
 * The outer header is rewritten like any packet of its direction; the quoted
 * packet, which went the other way, gets the opposite manip.
 */
export function natIcmpReplyTranslation(entry: ConntrackEntry, direction: "original" | "reply", manip: ManipType, packet: Ipv4Packet): Ipv4Packet {
  const transport = packet.transport;
  if (transport.protocol !== "icmp" || !transport.original) return natPacket(entry, direction, manip, packet);
  if (!applies(entry, direction, manip)) return packet;
  // "Change inner back to look like incoming packet": the other direction's tuple as it is, with the opposite manip.
  const innerManip: ManipType = manip === "source" ? "destination" : "source";
  const inner = rewrite(transport.original, innerManip, direction === "reply" ? entry.original : entry.reply);
  const outer = natPacket(entry, direction, manip, packet);
  return { ...outer, transport: { ...transport, original: inner } };
}
