// Connection tracking (net/netfilter/nf_conntrack_core.c: nf_conntrack_in,
// resolve_normal_ct, __nf_conntrack_confirm; nf_conntrack_proto_tcp.c,
// nf_conntrack_proto_icmp.c, nf_conntrack_proto_udp.c). Timeouts run on the
// virtual clock: an entry lives until `expires`, refreshed by each packet.
import type { ConntrackEntry, ConntrackTable, ConntrackTuple, PacketConntrack, TcpConntrackState } from "../../model/conntrack.js";
import { ConntrackStatus, hasConntrackStatus, setConntrackStatus, withConntrack } from "../../model/conntrack.js";
import { derivedOf } from "../../model/derived.js";
import type { NetfilterState } from "../../model/netfilter.js";
import type { NetworkNamespace } from "../../model/netns.js";
import type { ConntrackInResult } from "../../model/trace-reason.js";
import { ICMP_ECHO, type Ipv4Packet } from "../../model/packet.js";

const SECOND = 1_000_000;

/** Default timeouts (net.netfilter.nf_conntrack_*_timeout*), in µs. */
export const CONNTRACK_TIMEOUTS = {
  icmp: 30 * SECOND,
  udp: 30 * SECOND,
  generic: 600 * SECOND,
  tcp: {
    NONE: 10 * SECOND,
    SYN_SENT: 120 * SECOND,
    SYN_RECV: 60 * SECOND,
    ESTABLISHED: 432000 * SECOND,
    FIN_WAIT: 120 * SECOND,
    CLOSE_WAIT: 60 * SECOND,
    LAST_ACK: 30 * SECOND,
    TIME_WAIT: 120 * SECOND,
    CLOSE: 10 * SECOND,
  } satisfies Record<TcpConntrackState, number>,
};

/** ICMP request types and the reply each expects (nf_conntrack_proto_icmp.c: invmap). */
const ICMP_INVERSE: Readonly<Record<number, number>> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
const ICMP_ERROR_TYPES = new Set([3, 4, 5, 11, 12]);
/** Only requests open an ICMP "connection" (icmp_new()). */
const ICMP_REQUEST_TYPES = new Set([ICMP_ECHO, 13, 15, 17]);

export function isIcmpError(packet: Ipv4Packet): boolean {
  return packet.transport.protocol === "icmp" && ICMP_ERROR_TYPES.has(packet.transport.type);
}

export function createConntrackTable(): ConntrackTable {
  return { entries: new Map(), nextId: 1, natPortCursor: 0 };
}

export function protocolNumber(packet: Ipv4Packet): number {
  switch (packet.transport.protocol) {
    case "icmp":
      return 1;
    case "tcp":
      return 6;
    case "udp":
      return 17;
  }
}

/** nf_ct_get_tuple(): the tuple a packet travels on. */
export function packetTuple(packet: Ipv4Packet): ConntrackTuple {
  const transport = packet.transport;
  if (transport.protocol === "icmp") {
    const id = transport.id ?? 0;
    return { protocol: 1, source: packet.source, destination: packet.destination, sourcePort: id, destinationPort: id, icmpType: transport.type, icmpCode: transport.code };
  }
  return { protocol: protocolNumber(packet), source: packet.source, destination: packet.destination, sourcePort: transport.sourcePort, destinationPort: transport.destinationPort };
}

/** nf_ct_invert_tuple() */
export function invertTuple(tuple: ConntrackTuple): ConntrackTuple {
  if (tuple.icmpType === undefined) return { protocol: tuple.protocol, source: tuple.destination, destination: tuple.source, sourcePort: tuple.destinationPort, destinationPort: tuple.sourcePort };
  // Spelled out, not spread: a spread that adds properties is V8's slow path (a third of the untraced packet path).
  return { protocol: tuple.protocol, source: tuple.destination, destination: tuple.source, sourcePort: tuple.destinationPort, destinationPort: tuple.sourcePort, icmpType: ICMP_INVERSE[tuple.icmpType] ?? tuple.icmpType, icmpCode: tuple.icmpCode ?? 0 };
}

export function tuplesEqual(a: ConntrackTuple, b: ConntrackTuple): boolean {
  return a.protocol === b.protocol && a.source === b.source && a.destination === b.destination && a.sourcePort === b.sourcePort && a.destinationPort === b.destinationPort && (a.icmpType ?? -1) === (b.icmpType ?? -1);
}

/*
 * The tuple hash (nf_conntrack_hash): every entry is reachable from both its
 * tuples in constant time, as in the kernel's hash table. It is derived
 * data, kept beside the table (not in it) so worlds stay plain data: built
 * on first use, kept in step by the functions here and by NAT's reply
 * rewrite (conntrackReplyChanged), and rebuilt whenever the table's size
 * says someone changed `entries` behind its back (a flush, a test). It also
 * keeps a lower bound on the entries' expiry times, so the gc pass runs
 * only when something can have expired.
 *
 * It is an open-addressing table with linear probing, one slot per tuple
 * (an entry whose two tuples hash alike takes one): a slot holds the entry
 * and, in a byte array beside it, a tag (which tuple of the entry, and 6
 * bits of its hash), so a probe reads bytes until a tag agrees and only
 * then the entry. A million entries cost about 30 MB of hash this way,
 * where a Map of their two million hashes cost 59.
 */

/** Tag of a slot never used: probing stops here. */
const SLOT_FREE = 0;
/** Tag of a slot whose tuple was removed: probing goes on past it. */
const SLOT_DELETED = 1;
/** Tags of slots in use: this bit, the direction bit, and 6 high bits of the hash. */
const SLOT_USED = 0x80;
const SLOT_REPLY = 0x40;
const SLOT_HASH_BITS = 0x3f;
/** Rebuilt larger past this share of slots not free (deleted ones included) ... */
const MAXIMUM_LOAD = 0.8;
/** ... to this share. */
const REBUILT_LOAD = 0.6;

interface TupleIndex {
  /** The entry each used slot holds (undefined when free or deleted). */
  slots: (ConntrackEntry | undefined)[];
  /** Per slot: SLOT_FREE, SLOT_DELETED, or SLOT_USED | direction | hash bits. */
  tags: Uint8Array;
  capacity: number;
  /** Slots not free (in use or deleted): what probing has to step over. */
  occupied: number;
  /** How many entries the index holds: differs from entries.size when the table changed unseen. */
  count: number;
  /** No entry expires before this (virtual µs). */
  earliestExpiry: number;
}

// The tuple hash is the conntrack table's derived state (model/derived.ts).
declare module "../../model/conntrack.js" {
  interface ConntrackTableDerived {
    tupleIndex?: TupleIndex;
  }
}

/** A 30-bit hash of a tuple. */
export function tupleHash(tuple: ConntrackTuple): number {
  return tupleFieldsHash(tuple.protocol, tuple.source, tuple.destination, tuple.sourcePort, tuple.destinationPort, tuple.icmpType ?? 255);
}

/** The hash of a tuple given field by field (a packet's, looked up without building its tuple). */
function tupleFieldsHash(protocol: number, source: number, destination: number, sourcePort: number, destinationPort: number, icmpType: number): number {
  let hash = Math.imul(source ^ 0x9e3779b9, 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13) ^ destination, 0xc2b2ae35);
  hash = Math.imul(hash ^ (hash >>> 16) ^ ((sourcePort << 16) | destinationPort), 0x27d4eb2f);
  hash = Math.imul(hash ^ (hash >>> 15) ^ ((protocol << 8) | (icmpType & 0xff)), 0x165667b1);
  return (hash ^ (hash >>> 16)) & 0x3fffffff;
}

/** tuplesEqual() against a tuple given field by field (icmpType -1 when not ICMP). */
function tupleHasFields(tuple: ConntrackTuple, protocol: number, source: number, destination: number, sourcePort: number, destinationPort: number, icmpType: number): boolean {
  return tuple.protocol === protocol && tuple.source === source && tuple.destination === destination && tuple.sourcePort === sourcePort && tuple.destinationPort === destinationPort && (tuple.icmpType ?? -1) === icmpType;
}

/** Where a hash's probe starts (the capacity need not be a power of two). */
function homeSlot(hash: number, capacity: number): number {
  return hash % capacity;
}

/** The hash bits a tag keeps: high ones, which the home slot hardly depends on. */
function tagBits(hash: number): number {
  return (hash >>> 24) & SLOT_HASH_BITS;
}

function slotTag(hash: number, reply: boolean): number {
  return SLOT_USED | (reply ? SLOT_REPLY : 0) | tagBits(hash);
}

function emptyIndex(keys: number): TupleIndex {
  const capacity = Math.max(16, Math.ceil(keys / REBUILT_LOAD));
  return { slots: new Array<ConntrackEntry | undefined>(capacity), tags: new Uint8Array(capacity), capacity, occupied: 0, count: 0, earliestExpiry: Number.POSITIVE_INFINITY };
}

function slotAdd(index: TupleIndex, hash: number, reply: boolean, entry: ConntrackEntry): void {
  const { tags, capacity } = index;
  let slot = homeSlot(hash, capacity);
  // A deleted slot is reused; a free one becomes occupied.
  while (tags[slot]! >= SLOT_USED) slot = slot + 1 === capacity ? 0 : slot + 1;
  if (tags[slot] === SLOT_FREE) index.occupied++;
  tags[slot] = slotTag(hash, reply);
  index.slots[slot] = entry;
}

function slotRemove(index: TupleIndex, hash: number, reply: boolean, entry: ConntrackEntry): void {
  const { tags, slots, capacity } = index;
  const tag = slotTag(hash, reply);
  for (let slot = homeSlot(hash, capacity); tags[slot] !== SLOT_FREE; slot = slot + 1 === capacity ? 0 : slot + 1) {
    // One slot per (entry, direction): the tag and the entry name it.
    if (tags[slot] === tag && slots[slot] === entry) {
      tags[slot] = SLOT_DELETED;
      slots[slot] = undefined;
      return;
    }
  }
}

/** The entry's slots: its original tuple, and its reply tuple when that hashes apart. */
function indexEntry(index: TupleIndex, entry: ConntrackEntry): void {
  const originalHash = tupleHash(entry.original);
  const replyHash = tupleHash(entry.reply);
  slotAdd(index, originalHash, false, entry);
  if (replyHash !== originalHash) slotAdd(index, replyHash, true, entry);
  index.count++;
  if (entry.expires < index.earliestExpiry) index.earliestExpiry = entry.expires;
}

function unindexEntry(index: TupleIndex, entry: ConntrackEntry): void {
  const originalHash = tupleHash(entry.original);
  const replyHash = tupleHash(entry.reply);
  slotRemove(index, originalHash, false, entry);
  if (replyHash !== originalHash) slotRemove(index, replyHash, true, entry);
  index.count--;
}

/** A fresh index of every entry of the table, sized for them. */
function buildIndex(table: ConntrackTable, extra: number): TupleIndex {
  const index = emptyIndex(2 * (table.entries.size + extra));
  for (const entry of table.entries.values()) indexEntry(index, entry);
  return index;
}

function tupleIndex(table: ConntrackTable): TupleIndex {
  const derived = derivedOf(table);
  const existing = derived.tupleIndex;
  if (existing && existing.count === table.entries.size) return existing;
  const index = buildIndex(table, 0);
  derived.tupleIndex = index;
  return index;
}

/** The index with room for one more entry's two slots (rebuilt larger, without its deleted slots, when not). */
function indexWithRoom(table: ConntrackTable): TupleIndex {
  const index = tupleIndex(table);
  if (index.occupied + 2 <= index.capacity * MAXIMUM_LOAD) return index;
  const rebuilt = buildIndex(table, 1);
  derivedOf(table).tupleIndex = rebuilt;
  return rebuilt;
}

/** An entry's expiry moved (it may have moved earlier): keep the gc bound low enough. */
function noteExpiry(table: ConntrackTable, entry: ConntrackEntry): void {
  const index = table.derived?.tupleIndex;
  if (index && entry.expires < index.earliestExpiry) index.earliestExpiry = entry.expires;
}

/** NAT rewrote an entry's reply tuple (nf_nat_setup_info): move it in the hash. */
export function conntrackReplyChanged(table: ConntrackTable, entry: ConntrackEntry, previousReply: ConntrackTuple): void {
  const existing = table.derived?.tupleIndex;
  if (!existing || existing.count !== table.entries.size) return; // rebuilt from the entries on next use
  const originalHash = tupleHash(entry.original);
  const previousHash = tupleHash(previousReply);
  if (previousHash !== originalHash) slotRemove(existing, previousHash, true, entry);
  const replyHash = tupleHash(entry.reply);
  if (replyHash === originalHash) return;
  // No room: rebuilt from the entries, this one's new reply included.
  if (existing.occupied + 1 > existing.capacity * MAXIMUM_LOAD) derivedOf(table).tupleIndex = buildIndex(table, 0);
  else slotAdd(existing, replyHash, true, entry);
}

/** Adds a new entry to the table (and the hash). */
function insertEntry(table: ConntrackTable, entry: ConntrackEntry): void {
  const index = indexWithRoom(table);
  table.entries.set(entry.id, entry);
  indexEntry(index, entry);
}

/** nf_ct_iterate_cleanup(): deletes every entry `doomed` picks; the number deleted. */
export function conntrackCleanup(table: ConntrackTable, doomed: (entry: ConntrackEntry) => boolean): number {
  const index = tupleIndex(table);
  let deleted = 0;
  for (const [id, entry] of table.entries) {
    if (!doomed(entry)) continue;
    unindexEntry(index, entry);
    table.entries.delete(id);
    deleted++;
  }
  return deleted;
}

/** Drops entries whose time ran out (the kernel's gc worker, on the virtual clock). */
export function expireEntries(table: ConntrackTable, now: number): void {
  const index = tupleIndex(table);
  if (now <= index.earliestExpiry) return;
  let earliest = Number.POSITIVE_INFINITY;
  for (const [id, entry] of table.entries) {
    if (entry.expires < now) {
      unindexEntry(index, entry);
      table.entries.delete(id);
    } else if (entry.expires < earliest) earliest = entry.expires;
  }
  index.earliestExpiry = earliest;
}

/** The live, confirmed entries, oldest first. */
export function liveEntries(table: ConntrackTable, now: number): ConntrackEntry[] {
  return [...table.entries.values()].filter((entry) => hasConntrackStatus(entry, "confirmed") && entry.expires >= now);
}

/**
 * The lookup itself, on a tuple given field by field (icmpType -1 when not
 * ICMP): the confirmed entry holding it, or undefined. Which direction it
 * holds it in is entryDirection()'s to say, so that the packet path
 * allocates nothing here.
 */
function lookupEntry(table: ConntrackTable, protocol: number, source: number, destination: number, sourcePort: number, destinationPort: number, icmpType: number, now: number): ConntrackEntry | undefined {
  const { tags, slots, capacity } = tupleIndex(table);
  const hash = tupleFieldsHash(protocol, source, destination, sourcePort, destinationPort, icmpType);
  const bits = tagBits(hash);
  // Several live entries may hold one tuple (two unconfirmed twins both confirmed):
  // the oldest wins, as a walk of the table in insertion (id) order would find it.
  let found: ConntrackEntry | undefined;
  for (let slot = homeSlot(hash, capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
    const tag = tags[slot]!;
    if (tag === SLOT_FREE) return found;
    if ((tag & (SLOT_USED | SLOT_HASH_BITS)) !== (SLOT_USED | bits)) continue;
    const entry = slots[slot]!;
    // The bit read directly (test_bit): hasConntrackStatus()'s keyed lookup is a per-slot cost on the packet path.
    if ((found !== undefined && found.id < entry.id) || (entry.status & ConntrackStatus.confirmed) === 0 || entry.expires < now) continue;
    // An original slot also stands for the reply tuple when both hash alike (indexEntry gives them one slot).
    const holds =
      (tag & SLOT_REPLY) !== 0
        ? tupleHasFields(entry.reply, protocol, source, destination, sourcePort, destinationPort, icmpType)
        : tupleHasFields(entry.original, protocol, source, destination, sourcePort, destinationPort, icmpType) || tupleHasFields(entry.reply, protocol, source, destination, sourcePort, destinationPort, icmpType);
    if (holds) found = entry;
  }
}

/**
 * The direction in which a found entry holds the tuple: its original tuple
 * is the one a slot names first (an entry whose two tuples are alike has
 * only the original's slot), so a tuple equal to it is the original.
 */
function entryDirection(entry: ConntrackEntry, protocol: number, source: number, destination: number, sourcePort: number, destinationPort: number, icmpType: number): "original" | "reply" {
  return tupleHasFields(entry.original, protocol, source, destination, sourcePort, destinationPort, icmpType) ? "original" : "reply";
}

/** The confirmed entry holding this tuple (findEntry() without the direction, allocating nothing). */
export function findEntryHolding(table: ConntrackTable, tuple: ConntrackTuple, now: number): ConntrackEntry | undefined {
  return lookupEntry(table, tuple.protocol, tuple.source, tuple.destination, tuple.sourcePort, tuple.destinationPort, tuple.icmpType ?? -1, now);
}

/** The direction in which a found entry holds the tuple (as findEntry() reports it). */
export function tupleDirection(entry: ConntrackEntry, tuple: ConntrackTuple): "original" | "reply" {
  return entryDirection(entry, tuple.protocol, tuple.source, tuple.destination, tuple.sourcePort, tuple.destinationPort, tuple.icmpType ?? -1);
}

/** __nf_conntrack_find_get(): the confirmed entry holding this tuple, and in which direction. */
export function findEntry(table: ConntrackTable, tuple: ConntrackTuple, now: number): { entry: ConntrackEntry; direction: "original" | "reply" } | undefined {
  const icmpType = tuple.icmpType ?? -1;
  const entry = lookupEntry(table, tuple.protocol, tuple.source, tuple.destination, tuple.sourcePort, tuple.destinationPort, icmpType, now);
  if (entry === undefined) return undefined;
  return { entry, direction: entryDirection(entry, tuple.protocol, tuple.source, tuple.destination, tuple.sourcePort, tuple.destinationPort, icmpType) };
}

/** nf_conntrack_tuple_taken(): whether a confirmed entry other than `except` holds the tuple in either direction. */
export function tupleTaken(table: ConntrackTable, tuple: ConntrackTuple, except: ConntrackEntry, now: number): boolean {
  const { tags, slots, capacity } = tupleIndex(table);
  const hash = tupleHash(tuple);
  const bits = tagBits(hash);
  for (let slot = homeSlot(hash, capacity); ; slot = slot + 1 === capacity ? 0 : slot + 1) {
    const tag = tags[slot]!;
    if (tag === SLOT_FREE) return false;
    if ((tag & (SLOT_USED | SLOT_HASH_BITS)) !== (SLOT_USED | bits)) continue;
    const entry = slots[slot]!;
    if (entry === except || (entry.status & ConntrackStatus.confirmed) === 0 || entry.expires < now) continue;
    if (tuplesEqual((tag & SLOT_REPLY) !== 0 ? entry.reply : entry.original, tuple)) return true;
  }
}

export interface ConntrackVerdict {
  readonly packet: Ipv4Packet;
  readonly entry?: ConntrackEntry;
  /** What happened, for the trace (a constant: the renderer words it). */
  readonly result: ConntrackInResult;
}

/** What the packet carries: with no entry, no entryId or direction keys at all (two literals, not a conditional spread: V8's slow copy). */
function association(namespace: NetworkNamespace, state: PacketConntrack["state"], mark: number, entry?: ConntrackEntry, direction?: "original" | "reply"): PacketConntrack {
  if (entry === undefined) return { namespaceId: namespace.id, state, mark };
  return { namespaceId: namespace.id, state, mark, entryId: entry.id, direction: direction! };
}

/** tcp_packet(): the state machine (nf_conntrack_proto_tcp.c, tcp_conntracks[] reduced to the handshake and close the probes make). */
function tcpTransition(entry: ConntrackEntry, direction: "original" | "reply", packet: Ipv4Packet, now: number, table: ConntrackTable): void {
  if (packet.transport.protocol !== "tcp") return;
  const flags = packet.transport.flags;
  const state = entry.tcpState ?? "NONE";
  let next: TcpConntrackState = state;
  if (flags.rst) {
    // "If only reply is a RST, we can consider ourselves not to have an
    // established connection ... delete the conntrack immediately."
    if (direction === "reply" && !hasConntrackStatus(entry, "seenReply")) {
      entry.tcpState = "CLOSE";
      // nf_ct_kill_acct(): gone at once (an entry with expires == now still lists, so one tick earlier).
      entry.expires = now - 1;
      return;
    }
    next = "CLOSE";
  } else if (flags.syn && !flags.ack) {
    if (direction === "original" && (state === "NONE" || state === "SYN_SENT" || state === "CLOSE" || state === "TIME_WAIT")) next = "SYN_SENT";
  } else if (flags.syn && flags.ack) {
    if (direction === "reply" && (state === "SYN_SENT" || state === "SYN_RECV")) next = "SYN_RECV";
  } else if (flags.fin) {
    if (state === "ESTABLISHED" || state === "SYN_RECV") next = "FIN_WAIT";
    else if (state === "FIN_WAIT" || state === "CLOSE_WAIT") next = "LAST_ACK";
  } else if (flags.ack) {
    if (state === "SYN_RECV" && direction === "original") {
      next = "ESTABLISHED";
      setConntrackStatus(entry, "assured");
    } else if (state === "LAST_ACK") next = "TIME_WAIT";
    else if (state === "FIN_WAIT") next = "CLOSE_WAIT";
  }
  void table;
  entry.tcpState = next;
  entry.expires = now + CONNTRACK_TIMEOUTS.tcp[next];
}

/** The expiry a packet gives a connection that has no state machine (ICMP, UDP, others): now plus the protocol's timeout. */
export function conntrackRefreshedExpiry(entry: ConntrackEntry, now: number): number {
  const protocol = entry.original.protocol;
  return now + (protocol === 1 ? CONNTRACK_TIMEOUTS.icmp : protocol === 17 ? CONNTRACK_TIMEOUTS.udp : CONNTRACK_TIMEOUTS.generic);
}

/**
 * nf_ct_refresh() and, for TCP, tcp_packet(): what a packet of the
 * connection does to its entry's timeout (and TCP state). The found-entry
 * case of nf_conntrack_in(), which the flowtable runs as well.
 */
export function conntrackRefresh(table: ConntrackTable, entry: ConntrackEntry, direction: "original" | "reply", packet: Ipv4Packet, now: number): void {
  const previous = entry.expires;
  if (entry.original.protocol === 6) tcpTransition(entry, direction, packet, now, table);
  else entry.expires = conntrackRefreshedExpiry(entry, now);
  // The gc bound is a lower bound of every entry's expiry: one moved later keeps it (and a new entry sets it when inserted).
  if (entry.expires < previous) noteExpiry(table, entry);
}

/** The tuple of the packet an ICMP error quotes, turned round: the connection the error is about. */
function relatedEntry(table: ConntrackTable, packet: Ipv4Packet, now: number) {
  if (packet.transport.protocol !== "icmp" || !packet.transport.original) return undefined;
  const inner = packetTuple(packet.transport.original);
  const found = findEntry(table, invertTuple(inner), now);
  return found;
}

/**
 * nf_conntrack_in(): attach the packet to its connection, creating an
 * (unconfirmed) entry for a new one. `keep` means the packet already belongs
 * here (loopback, or a reset netfilter attached to its connection).
 * The result says which case it was, for the trace.
 */
export function conntrackIn(state: NetfilterState, namespace: NetworkNamespace, packet: Ipv4Packet, now: number, keep: boolean): ConntrackVerdict {
  const table = state.conntrack;
  const existing = packet.conntrack;
  if (keep && existing && existing.namespaceId === namespace.id) return { packet, result: "already-tracked" };
  const mark = existing && existing.namespaceId === namespace.id ? existing.mark : 0;
  if (!state.conntrackEnabled) {
    return { packet: withConntrack(packet, association(namespace, "UNTRACKED", mark)), result: "untracked" };
  }
  expireEntries(table, now);
  if (isIcmpError(packet)) {
    const related = relatedEntry(table, packet, now);
    if (!related) return { packet: withConntrack(packet, association(namespace, "INVALID", mark)), result: "related-unknown" };
    return {
      packet: withConntrack(packet, association(namespace, "RELATED", mark, related.entry, related.direction)),
      entry: related.entry,
      result: "related",
    };
  }
  // The lookup reads the packet's fields (nf_ct_get_tuple() without building the tuple): a tuple is made only for a new entry.
  const transport = packet.transport;
  let protocol: number;
  let sourcePort: number;
  let destinationPort: number;
  let icmpType: number;
  if (transport.protocol === "icmp") {
    protocol = 1;
    sourcePort = destinationPort = transport.id ?? 0;
    icmpType = transport.type;
  } else {
    protocol = transport.protocol === "tcp" ? 6 : 17;
    sourcePort = transport.sourcePort;
    destinationPort = transport.destinationPort;
    icmpType = -1;
  }
  const found = lookupEntry(table, protocol, packet.source, packet.destination, sourcePort, destinationPort, icmpType, now);
  if (found !== undefined) {
    const entry = found;
    const direction = entryDirection(entry, protocol, packet.source, packet.destination, sourcePort, destinationPort, icmpType);
    conntrackRefresh(table, entry, direction, packet, now);
    const established = direction === "reply" || (entry.status & ConntrackStatus.seenReply) !== 0;
    if (direction === "reply") entry.status |= ConntrackStatus.seenReply;
    return {
      packet: withConntrack(packet, association(namespace, established ? "ESTABLISHED" : "NEW", mark, entry, direction)),
      entry,
      result: direction === "reply" ? "reply" : established ? "original-established" : "original-new",
    };
  }
  // No entry: only packets that can open a connection start one.
  const opens =
    transport.protocol === "udp" ||
    (transport.protocol === "icmp" && ICMP_REQUEST_TYPES.has(transport.type)) ||
    (transport.protocol === "tcp" && !transport.flags.rst && !(transport.flags.syn && transport.flags.ack));
  if (!opens) {
    return { packet: withConntrack(packet, association(namespace, "INVALID", mark)), result: transport.protocol === "tcp" ? "invalid-tcp" : "invalid-reply" };
  }
  const tuple = packetTuple(packet);
  const id = table.nextId++;
  const reply = invertTuple(tuple);
  // A TCP entry is made with its state in place (refresh() sets it next, as it always did, so the keys and their order are as before):
  // a property added to an object later lives outside it, 40 bytes more per entry.
  const entry: ConntrackEntry =
    tuple.protocol === 6 ? { id, original: tuple, reply, status: 0, expires: now, mark: 0, tcpState: "NONE" } : { id, original: tuple, reply, status: 0, expires: now, mark: 0 };
  conntrackRefresh(table, entry, "original", packet, now);
  insertEntry(table, entry);
  return { packet: withConntrack(packet, association(namespace, "NEW", mark, entry, "original")), entry, result: "new" };
}

/** The entry a packet is attached to in this namespace, if any. */
export function packetEntry(state: NetfilterState, namespace: NetworkNamespace, packet: Ipv4Packet): ConntrackEntry | undefined {
  const attached = packet.conntrack;
  if (!attached || attached.namespaceId !== namespace.id || attached.entryId === undefined) return undefined;
  return state.conntrack.entries.get(attached.entryId);
}

/** __nf_conntrack_confirm(): the first packet made it through; the entry goes into the table. */
export function conntrackConfirm(state: NetfilterState, namespace: NetworkNamespace, packet: Ipv4Packet): ConntrackEntry | undefined {
  const entry = packetEntry(state, namespace, packet);
  if (!entry || (entry.status & ConntrackStatus.confirmed) !== 0) return undefined;
  if (packet.conntrack?.state === "RELATED") return undefined;
  setConntrackStatus(entry, "confirmed");
  return entry;
}
